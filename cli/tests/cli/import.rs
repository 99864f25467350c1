//! `secmaster workflows import` against the simulator.

use std::fs;
use std::path::Path;

use crate::common::*;
use secmaster_sim::workflow::seeded;
use secmaster_sim::{EXPORT_FORMAT, ExportFile, Fault, FaultAction};
use serde_json::{Value, json};

/// Writes an export file of seeded workflows 1..=count (from workspace W)
/// as `name`.
pub fn export_file(dir: &Path, name: &str, count: u64) {
    let file = ExportFile {
        format: EXPORT_FORMAT.into(),
        workflows: (1..=count).map(|i| seeded(PROJECT, WORKSPACE, i)).collect(),
    };
    fs::write(dir.join(name), serde_json::to_vec(&file).unwrap()).unwrap();
}

#[test]
fn table_format_prints_the_request_id() {
    let sim = start(sim());
    let dir = Scratch::new("import-table");
    export_file(dir.path(), "flows.json", 2);
    let (output, _) = run(
        workflows_in(dir.path(), &sim, "import", "W2").arg("flows.json"),
        0,
    );
    assert!(output.stdout.is_empty());
    let request = &sim.requests()[0];
    assert_eq!(
        stderr_of(&output),
        format!(
            "imported 2 workflows from flows.json into workspace \"W2\" (request id {})\n",
            request.request_id
        )
    );
    assert_eq!(request.path, "/v1/P/workspaces/W2/soc/workflows/import");
    assert!(
        request
            .header("content-type")
            .is_some_and(|t| t.starts_with("multipart/form-data; boundary=")),
        "{:?}",
        request.header("content-type")
    );
    assert_authenticated(&sim, "token");
    // New ids in the new workspace, the same names.
    assert_eq!(names_in(&sim, "W2"), ["workflow-0001", "workflow-0002"]);
    let original = seeded(PROJECT, WORKSPACE, 1).id;
    assert!(
        sim.workflows(PROJECT, "W2")
            .iter()
            .all(|w| w.id != original)
    );
}

#[test]
fn json_format_prints_the_services_answer() {
    let sim = start(sim());
    let dir = Scratch::new("import-json");
    export_file(dir.path(), "flows.json", 3);
    let (output, _) = run(
        workflows(dir.path(), &sim, "import").args(["flows.json", "--format", "json"]),
        0,
    );
    assert!(output.stderr.is_empty(), "{}", stderr_of(&output));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        answer,
        json!({
            "code": "00000000",
            "message": "imported 3 workflows",
            "success": true,
            "request_id": request_ids(&sim)[0],
        })
    );
    assert_eq!(sim.workflows(PROJECT, WORKSPACE).len(), 3);
}

#[test]
fn a_file_the_service_refuses_is_its_error() {
    let sim = start(sim());
    let dir = Scratch::new("import-refused");
    fs::write(
        dir.join("flows.zip"),
        b"PK\x03\x04 not the simulator's format",
    )
    .unwrap();
    let (_, stderr) = run(workflows(dir.path(), &sim, "import").arg("flows.zip"), 4);
    assert!(
        stderr.starts_with("error: HTTP 400 Bad Request, code SecMaster.Sim.InvalidFile: "),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(&format!("(request id {})\n", request_ids(&sim)[0])),
        "{stderr}"
    );
    assert!(sim.workflows(PROJECT, WORKSPACE).is_empty());
}

#[test]
fn a_missing_file_or_a_directory_is_refused_before_sending() {
    let sim = start(sim());
    let dir = Scratch::new("import-missing");
    fs::create_dir(dir.join("folder")).unwrap();
    for (file, code, says) in [
        ("nope.json", 6, "cannot read nope.json"),
        ("folder", 6, "cannot read folder: not a regular file"),
        ("/dev/null", 6, "cannot read /dev/null: not a regular file"),
    ] {
        let output = workflows(dir.path(), &sim, "import")
            .arg(file)
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
    assert!(sim.requests().is_empty());
}

// A file that did not hold the bytes its size said (a `/proc` file has
// size 0; a file rewritten during the upload) ended as "transport error",
// exit 5, as if the network had failed.
#[cfg(target_os = "linux")]
#[test]
fn a_file_that_changes_while_it_is_sent_is_an_input_error() {
    let sim = start(sim());
    let dir = Scratch::new("import-changed");
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "import").arg("/proc/self/status"),
        6,
    );
    assert!(
        stderr.starts_with("error: cannot upload /proc/self/status: "),
        "{stderr}"
    );
    assert!(sim.workflows(PROJECT, WORKSPACE).is_empty());
}

/// A simulator whose imports answer 200 `{"success": false, ...}`.
fn refusing_import() -> secmaster_sim::Simulator {
    let answer = json!({"code": "SecMaster.1234", "message": "quota exceeded", "success": false});
    start(sim().fault(Fault {
        operation: "import_workflows".into(),
        action: FaultAction::Status {
            status: 200,
            retry_after: None,
            body: Some(answer.to_string()),
        },
        times: None,
        headers: vec![("Content-Type".into(), "application/json".into())],
    }))
}

#[test]
fn a_200_that_did_not_import_is_an_error() {
    let sim = refusing_import();
    let dir = Scratch::new("import-not-done");
    export_file(dir.path(), "flows.json", 1);
    let output = workflows(dir.path(), &sim, "import")
        .arg("flows.json")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("HTTP 200 OK, code SecMaster.1234: quota exceeded"),
        "{stderr}"
    );
    assert_eq!(sim.requests().len(), 1, "not retried");
}

/// The README's table: 4 for "any other error answer from the service", 5
/// for network errors. (It exited 5 while a refusal in a 200 was counted as
/// a network error.)
#[test]
fn a_200_that_did_not_import_exits_like_other_refusals() {
    let sim = refusing_import();
    let dir = Scratch::new("import-not-done-code");
    export_file(dir.path(), "flows.json", 1);
    run(workflows(dir.path(), &sim, "import").arg("flows.json"), 4);
}

/// `secmaster workflows import -` in workspace W2, with `input` as its
/// standard input and `tmp` as its temporary directory.
fn import_stdin(
    dir: &Path,
    sim: &secmaster_sim::Simulator,
    file: &str,
    input: &[u8],
    tmp: &Path,
) -> std::process::Output {
    use std::io::Write;
    let mut child = workflows_process_in(dir, sim, "import", "W2")
        .arg(file)
        .env("TMPDIR", tmp)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn standard_input_is_imported_through_a_private_copy() {
    let sim = start(sim());
    let dir = Scratch::new("import-stdin");
    let tmp = Scratch::new("import-stdin-tmp");
    export_file(dir.path(), "flows.json", 3);
    let bytes = fs::read(dir.join("flows.json")).unwrap();
    for (i, name) in ["-", "/dev/stdin"].into_iter().enumerate() {
        let output = import_stdin(dir.path(), &sim, name, &bytes, tmp.path());
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(0), "{name}: {stderr}");
        assert_eq!(
            stderr,
            format!(
                "imported 3 workflows from standard input into workspace \"W2\" (request id {})\n",
                request_ids(&sim)[i]
            )
        );
        assert!(
            tmp.entries().is_empty(),
            "the copy is removed: {:?}",
            tmp.entries()
        );
    }
    assert_eq!(sim.workflows(PROJECT, "W2").len(), 6);
    // The upload has the copy's name and length.
    let request = &sim.requests()[0];
    assert_eq!(request.path, "/v1/P/workspaces/W2/soc/workflows/import");
    assert_authenticated(&sim, "token");
}

#[test]
fn the_copy_is_removed_when_the_import_fails() {
    let sim = start(sim());
    let dir = Scratch::new("import-stdin-refused");
    let tmp = Scratch::new("import-stdin-refused-tmp");
    let output = import_stdin(
        dir.path(),
        &sim,
        "-",
        b"PK\x03\x04 not an export of the simulator",
        tmp.path(),
    );
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert!(tmp.entries().is_empty(), "{:?}", tmp.entries());
    // Refused before sending: nothing to copy.
    let output = import_stdin(dir.path(), &sim, "-", b"", tmp.path());
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert_eq!(
        stderr,
        "error: standard input is not an export file: it is empty; import takes a file that \
         secmaster workflows export wrote\n"
    );
    assert!(tmp.entries().is_empty(), "{:?}", tmp.entries());
    assert_eq!(sim.requests().len(), 1);
}

/// A terminal has no export to give: `import -` there would wait for
/// typing. `script` (util-linux) gives the command a terminal.
#[cfg(target_os = "linux")]
#[test]
fn standard_input_from_a_terminal_is_refused() {
    if process("script").arg("--version").output().is_err() {
        return;
    }
    let sim = start(sim());
    let dir = Scratch::new("import-stdin-terminal");
    let command = format!(
        "SECMASTER_AUTH_TOKEN={TOKEN} {} workflows import - --endpoint {} --project-id P \
         --workspace-id W; echo \"exit $?\"",
        assert_cmd::cargo::cargo_bin("secmaster").display(),
        sim.base_url()
    );
    let output = process("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("error: standard input is a terminal: pipe an export into it"),
        "{printed}"
    );
    assert!(printed.contains("exit 2"), "{printed}");
    assert!(sim.requests().is_empty());
}

#[test]
fn standard_input_over_the_limit_is_refused_and_nothing_is_kept() {
    let sim = start(sim());
    let dir = Scratch::new("import-stdin-large");
    let tmp = Scratch::new("import-stdin-large-tmp");
    let input = vec![b' '; 64 * 1024 * 1024 + 1];
    let output = import_stdin(dir.path(), &sim, "-", &input, tmp.path());
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert_eq!(
        stderr,
        "error: standard input holds more than the limit of 64 MiB\n"
    );
    assert!(tmp.entries().is_empty(), "{:?}", tmp.entries());
    assert!(sim.requests().is_empty());
}

#[cfg(unix)]
#[test]
fn an_interrupt_removes_the_copy() {
    use std::time::Duration;
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let sim = start(sim());
        let dir = Scratch::new("import-stdin-signal");
        let tmp = Scratch::new("import-stdin-signal-tmp");
        // Standard input stays open with nothing more to read.
        let mut command = workflows_process_in(dir.path(), &sim, "import", "W2");
        command.arg("-").env("TMPDIR", tmp.path());
        let mut child = with_default_signals(&command)
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut stdin, b"{\"format\": ").unwrap();
        let output = interrupt_when(
            child,
            || !tmp.entries().is_empty(),
            "no copy was made",
            Duration::from_millis(200),
            signal,
        );
        drop(stdin);
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(code), "{signal}: {stderr}");
        assert!(
            stderr.starts_with("error: interrupted; the copy of standard input was removed"),
            "{stderr}"
        );
        assert!(tmp.entries().is_empty(), "{signal}: {:?}", tmp.entries());
        assert!(sim.requests().is_empty());
    }
}

#[test]
fn standard_input_has_one_reader() {
    let sim = start(sim());
    let dir = Scratch::new("import-stdin-twice");
    export_file(dir.path(), "flows.json", 1);
    fs::write(dir.join("token.txt"), TOKEN).unwrap();
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "import").args(["-", "--token-file", "-"]),
        2,
    );
    assert_eq!(
        stderr,
        "error: the file to import and --token-file cannot both read standard input\n"
    );
    assert!(sim.requests().is_empty());
}

#[test]
fn files_that_are_clearly_not_exports_are_refused_before_sending() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let dir = Scratch::new("import-not-export");
    // What list --format json and api print, and nothing at all.
    let listing = success(workflows(dir.path(), &sim, "list").args(["--format", "json"]));
    fs::write(dir.join("listing.json"), &listing).unwrap();
    fs::write(dir.join("none.json"), "[]\n").unwrap();
    let answer = success(api(dir.path(), &sim).args([
        "list_workflows",
        "--project-id",
        PROJECT,
        "--workspace-id",
        WORKSPACE,
    ]));
    fs::write(dir.join("answer.json"), &answer).unwrap();
    fs::write(dir.join("empty.zip"), "").unwrap();
    fs::write(dir.join("blank.json"), "\u{feff}\n  \n").unwrap();
    let sent = sim.requests().len();
    for (file, says) in [
        (
            "listing.json",
            "listing.json is not an export file: it holds a JSON array of 3 records, as secmaster \
             workflows list --format json prints them; import takes a file that secmaster \
             workflows export wrote",
        ),
        (
            "none.json",
            "none.json is not an export file: it holds an empty JSON array",
        ),
        (
            "answer.json",
            "answer.json is not an export file: it holds an answer of the API (an object with \
             data and request_id), as secmaster api prints them",
        ),
        ("empty.zip", "empty.zip is not an export file: it is empty;"),
        (
            "blank.json",
            "blank.json is not an export file: it is empty;",
        ),
    ] {
        let (_, stderr) = run(workflows_in(dir.path(), &sim, "import", "W2").arg(file), 6);
        assert!(stderr.starts_with(&format!("error: {says}")), "{stderr}");
    }
    assert_eq!(sim.requests().len(), sent, "nothing was sent");
    assert!(sim.workflows(PROJECT, "W2").is_empty());
}

/// The service's export format is not documented: an array of records
/// with fields a listing does not have, and an object with keys besides an
/// answer's, are sent for the service to judge (it refuses them: they
/// reached it).
#[test]
fn files_that_may_be_exports_are_sent() {
    let sim = start(sim());
    let dir = Scratch::new("import-maybe-export");
    fs::write(
        dir.join("records.json"),
        r#"[{"id":"c1","name":"Phish","topology":{"nodes":[]},"versions":[{"v":1}]}]"#,
    )
    .unwrap();
    fs::write(
        dir.join("object.json"),
        r#"{"data":[{"id":"c1"}],"request_id":"r","workflows":[{"id":"c1"}]}"#,
    )
    .unwrap();
    for file in ["records.json", "object.json"] {
        let sent = sim.requests().len();
        // The simulator refuses them: its own format is another.
        let (_, stderr) = run(workflows_in(dir.path(), &sim, "import", "W2").arg(file), 4);
        assert!(stderr.contains("SecMaster.Sim.InvalidFile"), "{stderr}");
        assert_eq!(sim.requests().len(), sent + 1, "{file} reached the service");
    }
}

#[test]
fn no_check_sends_what_the_check_refuses() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 2));
    let dir = Scratch::new("import-no-check");
    let listing = success(workflows(dir.path(), &sim, "list").args(["--format", "json"]));
    fs::write(dir.join("listing.json"), &listing).unwrap();
    let sent = sim.requests().len();
    let (_, stderr) = run(
        workflows_in(dir.path(), &sim, "import", "W2").arg("listing.json"),
        6,
    );
    assert!(stderr.contains("is not an export file"), "{stderr}");
    assert_eq!(sim.requests().len(), sent);
    let (_, stderr) = run(
        workflows_in(dir.path(), &sim, "import", "W2").args(["listing.json", "--no-check"]),
        4,
    );
    assert!(stderr.contains("SecMaster.Sim.InvalidFile"), "{stderr}");
    assert_eq!(
        sim.requests().len(),
        sent + 1,
        "the file reached the service"
    );
}

#[test]
fn a_real_export_passes_the_check() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 4));
    let dir = Scratch::new("import-real-export");
    run(
        workflows(dir.path(), &sim, "export").args(["--all", "-o", "backup.json"]),
        0,
    );
    let (_, stderr) = run(
        workflows_in(dir.path(), &sim, "import", "W2").arg("backup.json"),
        0,
    );
    assert!(
        stderr.starts_with("imported 4 workflows from backup.json into workspace \"W2\""),
        "{stderr}"
    );
    assert_eq!(names_in(&sim, "W2").len(), 4);
}

#[test]
fn without_a_count_the_summary_says_what_is_known() {
    let answer = json!({"code": "00000000", "message": "ok", "success": true, "request_id": "r-1"});
    let sim = start(sim().fault(secmaster_sim::testing::answer(
        "import_workflows",
        200,
        &answer.to_string(),
        &[("Content-Type", "application/json")],
    )));
    let dir = Scratch::new("import-no-count");
    export_file(dir.path(), "flows.json", 2);
    let (_, stderr) = run(workflows(dir.path(), &sim, "import").arg("flows.json"), 0);
    assert_eq!(
        stderr,
        "imported flows.json into workspace \"W\" (request id r-1)\n"
    );
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "import").args(["flows.json", "--quiet"]),
        0,
    );
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn the_answer_in_other_formats_and_queried() {
    let sim = start(sim());
    let dir = Scratch::new("import-formats");
    export_file(dir.path(), "flows.json", 1);
    let import = |args: &[&str]| {
        run(
            workflows(dir.path(), &sim, "import")
                .arg("flows.json")
                .args(args),
            0,
        )
    };
    let (output, stderr) = import(&[
        "--format",
        "csv",
        "--query",
        "{message: message, ok: success}",
    ]);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(
        stdout_of(&output),
        "message,ok\nimported 1 workflows,true\n"
    );
    let (output, _) = import(&["--format", "yaml"]);
    let read: Value = serde_yaml::from_str(&stdout_of(&output)).unwrap();
    assert_eq!(read["message"], "imported 1 workflows");
    // A query that fails on the answer: the import happened, so the whole
    // answer is printed, with a warning, and the exit code says success.
    let (output, stderr) = import(&["--format", "json", "--query", "length(success)"]);
    assert!(
        stderr.starts_with("warning: the import was done, but --query \"length(success)\": "),
        "{stderr}"
    );
    let read: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(read["success"], true);
    assert_eq!(sim.workflows(PROJECT, WORKSPACE).len(), 3);
}
