//! The ids pipe: the ids of every workflow piped into one export, the file
//! imported into a second workspace, and that workspace listed. Once
//! signed with an access key pair, once with a token; the simulator checks
//! every request.

use std::path::Path;
use std::process::Output;

use crate::common::*;
use secmaster_sim::Simulator;
use serde_json::Value;

/// The script's steps; `$0` is the binary, `$E` the endpoint.
const BACKUP: &str = "\"$0\" workflows list --endpoint \"$E\" --project-id P --workspace-id W \
     --all --format ids | \"$0\" workflows export --endpoint \"$E\" --project-id P \
     --workspace-id W --ids-file - -o backup";
const RESTORE: &str =
    "\"$0\" workflows import backup --endpoint \"$E\" --project-id P --workspace-id W2";
const LIST_COPY: &str = "\"$0\" workflows list --endpoint \"$E\" --project-id P \
     --workspace-id W2 --all --format json";

/// Runs `script` with `sh -c` in `dir`, with these credential variables and
/// no others.
fn sh(dir: &Path, sim: &Simulator, script: &str, credentials: &[(&str, &str)]) -> Output {
    let mut cmd = shell(dir, script);
    cmd.env("E", sim.base_url())
        .env("NO_COLOR", "1")
        .envs(credentials.iter().copied());
    let output = cmd.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{script}: {}",
        stderr_of(&output)
    );
    output
}

fn back_up_and_restore(sim: &Simulator, credentials: &[(&str, &str)]) {
    let dir = Scratch::new("roundtrip");
    let backup = sh(dir.path(), sim, BACKUP, credentials);
    assert!(
        stderr_of(&backup).contains("exported 150 workflows ("),
        "{}",
        stderr_of(&backup)
    );
    sh(dir.path(), sim, RESTORE, credentials);
    let copy = sh(dir.path(), sim, LIST_COPY, credentials);

    let listed: Value = serde_json::from_slice(&copy.stdout).unwrap();
    let mut copied: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    copied.sort();
    let originals = sim.workflows(PROJECT, WORKSPACE);
    let mut names: Vec<&str> = originals.iter().map(|w| w.name.as_str()).collect();
    names.sort();
    assert_eq!(copied, names);
    for copy in listed.as_array().unwrap() {
        assert_eq!(copy["workspace_id"], "W2");
        assert!(originals.iter().all(|w| copy["id"] != w.id.as_str()));
    }

    // Two pages of ids, one export, one import, two pages of the copy.
    let operations: Vec<String> = sim
        .requests()
        .into_iter()
        .map(|r| r.operation.unwrap_or_default())
        .collect();
    assert_eq!(
        operations,
        [
            "list_workflows",
            "list_workflows",
            "export_workflows",
            "import_workflows",
            "list_workflows",
            "list_workflows"
        ]
    );
}

#[test]
fn with_an_access_key_pair() {
    let sim = start(
        Simulator::builder()
            .strict(true)
            .access_key(AK, SK)
            .seed(PROJECT, WORKSPACE, 150)
            .seed(PROJECT, "W2", 0),
    );
    back_up_and_restore(
        &sim,
        &[("HUAWEICLOUD_SDK_AK", AK), ("HUAWEICLOUD_SDK_SK", SK)],
    );
    assert_authenticated(&sim, &format!("signature by {AK}"));
}

#[test]
fn with_a_token() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 150));
    back_up_and_restore(&sim, &[("SECMASTER_AUTH_TOKEN", TOKEN)]);
    assert_authenticated(&sim, "token");
}

/// A copy without a file of one's own: the export streamed into the import
/// through a pipe, into a workspace made for it. Signed with an access key
/// pair, so that both ends sign (the upload with an unsigned payload).
#[test]
fn export_to_a_pipe_into_import_from_standard_input() {
    let sim = start(
        Simulator::builder()
            .strict(true)
            .access_key(AK, SK)
            .seed(PROJECT, WORKSPACE, 25),
    );
    // The simulator refuses workspaces that were not made, as the service
    // does: this one is made first.
    sim.add_workspace(secmaster_sim::Workspace::seeded(PROJECT, "copy"))
        .unwrap();
    let dir = Scratch::new("pipe");
    let tmp = Scratch::new("pipe-tmp");
    let script = "\"$0\" workflows export --endpoint \"$E\" --project-id P --workspace-id W --all \
         -o - | \"$0\" workflows import - --endpoint \"$E\" --project-id P --workspace-id copy";
    let mut cmd = shell(dir.path(), script);
    cmd.env("E", sim.base_url())
        .env("TMPDIR", tmp.path())
        .env("HUAWEICLOUD_SDK_AK", AK)
        .env("HUAWEICLOUD_SDK_SK", SK);
    let output = cmd.output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let ids = request_ids(&sim);
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("exported 25 workflows (")
                && l.ends_with(&format!(
                    " bytes) to standard output (request id {})",
                    ids[1]
                ))),
        "{stderr}"
    );
    assert!(
        lines.contains(
            &format!(
                "imported 25 workflows from standard input into workspace \"copy\" (request id {})",
                ids[2]
            )
            .as_str()
        ),
        "{stderr}"
    );
    let mut copied: Vec<String> = sim
        .workflows(PROJECT, "copy")
        .into_iter()
        .map(|w| w.name)
        .collect();
    copied.sort();
    let mut names: Vec<String> = sim
        .workflows(PROJECT, WORKSPACE)
        .into_iter()
        .map(|w| w.name)
        .collect();
    names.sort();
    assert_eq!(copied, names);
    assert!(
        tmp.entries().is_empty(),
        "the copy of standard input is gone"
    );
    assert_authenticated(&sim, &format!("signature by {AK}"));
}

/// A simulator holding one workflow under each of `ids`.
fn with_ids(ids: &[&str]) -> Simulator {
    let sim = start(sim());
    for (i, id) in ids.iter().enumerate() {
        sim.insert_workflow(secmaster_sim::Workflow {
            id: (*id).to_owned(),
            ..secmaster_sim::workflow::seeded(PROJECT, WORKSPACE, i as u64 + 1)
        });
    }
    sim
}

// The pipe cut `evil#x` at the `#`, and sent a bidirectional control as
// the text `\u{202e}`: other workflows than `--all` exports.
#[test]
fn the_ids_pipe_exports_exactly_what_all_exports() {
    let ids = [
        "evil#x",
        "a b",
        "rtl\u{202e}",
        "tab\tin",
        "x\u{1b}[2Jy",
        "back\\u{41}",
    ];
    let sim = with_ids(&ids);
    let dir = Scratch::new("ids-pipe");
    let credentials = [("SECMASTER_AUTH_TOKEN", TOKEN)];
    sh(dir.path(), &sim, BACKUP, &credentials);
    let all = "\"$0\" workflows export --endpoint \"$E\" --project-id P --workspace-id W \
               --all -o all";
    sh(dir.path(), &sim, all, &credentials);
    let backup = std::fs::read(dir.join("backup")).unwrap();
    assert_eq!(backup, std::fs::read(dir.join("all")).unwrap());
    let file: Value = serde_json::from_slice(&backup).unwrap();
    let mut exported: Vec<&str> = file["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .collect();
    exported.sort();
    let mut expected = ids.to_vec();
    expected.sort();
    assert_eq!(exported, expected);
}

// An id with a line break was printed escaped (`a\nb`), so the pipe
// exported another workflow, or none.
#[test]
fn an_id_one_line_cannot_carry_stops_the_ids_listing() {
    let dir = Scratch::new("ids-refused");
    for id in [
        "two\nlines",
        "cr\rin",
        " padded",
        "#first",
        "\u{feff}bom",
        "",
    ] {
        let sim = with_ids(&["fine", id]);
        let (output, stderr) = run(
            workflows(dir.path(), &sim, "list").args(["--all", "--format", "ids"]),
            2,
        );
        assert!(output.stdout.is_empty(), "{id:?}: {}", stdout_of(&output));
        let shown = secmaster_client::untrusted::escape(id);
        assert!(
            stderr.starts_with(&format!("error: the workflow id \"{shown}\" cannot")),
            "{id:?}: {stderr}"
        );
    }
}
