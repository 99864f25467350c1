//! `secmaster workflows export` against the simulator: what is sent, what is
//! saved, and that a failure leaves the output as it was.

use std::fs;
use std::time::{Duration, Instant};

use crate::common::*;
use secmaster_sim::ExportFile;

const EXPORT_PATH: &str = "/v1/P/workspaces/W/soc/workflows/export";

/// The ids in the body of the export request the simulator received.
fn sent_ids(sim: &secmaster_sim::Simulator) -> String {
    let requests = sim.requests();
    let export = requests
        .iter()
        .find(|r| r.path == EXPORT_PATH)
        .expect("an export request");
    String::from_utf8_lossy(&export.body).into_owned()
}

#[test]
fn success_writes_the_exact_bytes() {
    let sim = file_sim(300_000);
    let dir = Scratch::new("success");
    let (output, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "--id", "b", "-o", "out.bin"]),
        0,
    );
    assert_eq!(
        fs::read(dir.join("out.bin")).unwrap(),
        export_pattern(300_000)
    );
    assert_eq!(dir.entries(), ["out.bin"], "no temporary file is left");
    let requests = sim.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(
        stderr.contains(&format!(
            "exported 2 workflows (300,000 bytes) to out.bin (request id {})",
            request.request_id
        )),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, EXPORT_PATH);
    assert_eq!(request.auth, "ok: token", "the token was sent");
    assert_eq!(request.validation, "ok");
    assert_eq!(
        String::from_utf8_lossy(&request.body),
        r#"{"id":["a","b"]}"#
    );
}

#[test]
fn the_file_is_what_the_service_exported() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let seeded = sim.workflows(PROJECT, WORKSPACE);
    let dir = Scratch::new("real-file");
    success(export(dir.path(), &sim).args(["--id", &seeded[1].id, "-o", "flows.json"]));
    let file: ExportFile = serde_json::from_slice(&fs::read(dir.join("flows.json")).unwrap())
        .expect("the simulator's export format");
    assert_eq!(file.workflows, [seeded[1].clone()]);
}

#[test]
fn a_body_cut_mid_stream_leaves_nothing() {
    let sim = file_sim(1000);
    sim.add_fault(fault("export_workflows=cut,after=500"))
        .unwrap();
    let dir = Scratch::new("cut");
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin"]),
        5,
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(dir.entries().is_empty(), "left: {:?}", dir.entries());
}

#[test]
fn a_cut_body_keeps_an_existing_file_even_with_force() {
    let sim = file_sim(1000);
    sim.add_fault(fault("export_workflows=cut,after=500"))
        .unwrap();
    let dir = Scratch::new("cut-force");
    fs::write(dir.join("out.bin"), b"previous export").unwrap();
    run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin", "--force"]),
        5,
    );
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), b"previous export");
    assert_eq!(dir.entries(), ["out.bin"]);
}

#[test]
fn an_existing_file_is_kept_without_force_and_replaced_with_it() {
    let sim = file_sim(11);
    let dir = Scratch::new("existing");
    fs::write(dir.join("out.bin"), b"old content").unwrap();

    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin"]),
        6,
    );
    assert!(
        stderr.contains("out.bin already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), b"old content");
    assert!(sim.requests().is_empty(), "refused before sending anything");

    success(export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin", "--force"]));
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), export_pattern(11));
    assert_eq!(dir.entries(), ["out.bin"]);
}

#[test]
fn an_unwritable_output_is_refused_before_sending() {
    let sim = file_sim(1);
    let dir = Scratch::new("no-dir");
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "missing/out.bin"]),
        6,
    );
    assert!(
        stderr.contains("cannot create a temporary file in missing"),
        "{stderr}"
    );
    assert!(sim.requests().is_empty());
    assert!(dir.entries().is_empty());
}

#[test]
fn a_trailing_slash_names_a_directory_that_must_exist() {
    let sim = file_sim(1);
    let dir = Scratch::new("slash");
    fs::write(dir.join("plain.json"), b"kept").unwrap();
    for (output, why) in [
        ("newdir/", "cannot save to newdir/: no such directory"),
        ("plain.json/", "cannot save to plain.json/: not a directory"),
    ] {
        let (_, stderr) = run(
            export(dir.path(), &sim).args(["--id", "a", "--force", "-o", output]),
            6,
        );
        assert!(stderr.contains(why), "{stderr}");
    }
    assert!(sim.requests().is_empty(), "refused before sending");
    assert_eq!(dir.entries(), ["plain.json"]);
    assert_eq!(fs::read(dir.join("plain.json")).unwrap(), b"kept");
}

#[test]
fn standard_output_mode() {
    let sim = file_sim(70_000);
    sim.add_fault(fault(
        "export_workflows=pass,header=Content-Disposition:attachment; filename=x.zip",
    ))
    .unwrap();
    let dir = Scratch::new("stdout");
    let (output, _) = run(
        export(dir.path(), &sim).args(["--id", "a", "--output", "-"]),
        0,
    );
    assert_eq!(output.stdout, export_pattern(70_000));
    assert!(
        stderr_of(&output).contains("exported 1 workflow (70,000 bytes) to standard output"),
        "{}",
        stderr_of(&output)
    );
    assert!(dir.entries().is_empty());
}

#[cfg(unix)]
#[test]
fn a_device_is_written_to_and_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let sim = file_sim(10_000);
    let dir = Scratch::new("device");
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "/dev/null", "--force"]),
        0,
    );
    assert!(
        stderr.contains("exported 1 workflow (10,000 bytes) to /dev/null"),
        "{stderr}"
    );
    let kind = fs::symlink_metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device());
}

#[cfg(unix)]
#[test]
fn a_link_to_a_file_is_followed_and_kept() {
    let sim = file_sim(3);
    let dir = Scratch::new("link");
    fs::create_dir(dir.join("real")).unwrap();
    fs::write(dir.join("real/flows.bin"), b"old").unwrap();
    std::os::unix::fs::symlink("real/flows.bin", dir.join("latest.bin")).unwrap();
    run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "latest.bin"]),
        6,
    );
    success(export(dir.path(), &sim).args(["--id", "a", "-o", "latest.bin", "--force"]));
    assert!(dir.join("latest.bin").is_symlink());
    assert_eq!(
        fs::read(dir.join("real/flows.bin")).unwrap(),
        export_pattern(3)
    );
    assert_eq!(entries(&dir.join("real")), ["flows.bin"]);
}

// `--force` used to replace a link that pointed nowhere with a regular file.
#[cfg(unix)]
#[test]
fn a_link_to_nothing_yet_is_followed_and_kept() {
    let sim = file_sim(3);
    let dir = Scratch::new("dangling");
    fs::create_dir(dir.join("real")).unwrap();
    std::os::unix::fs::symlink("real/flows.bin", dir.join("latest.bin")).unwrap();
    success(export(dir.path(), &sim).args(["--id", "a", "-o", "latest.bin", "--force"]));
    assert!(dir.join("latest.bin").is_symlink());
    assert_eq!(
        fs::read(dir.join("real/flows.bin")).unwrap(),
        export_pattern(3)
    );
}

#[test]
fn ids_file_comments_blanks_and_duplicates() {
    let sim = file_sim(2);
    let dir = Scratch::new("ids-file");
    fs::write(
        dir.join("ids.txt"),
        "# workflows to back up\n\n  id-2  \r\nid-3\n  # indented, still a comment\n\t\nid-1\n\
         # id-9\nid-3\nid #4\n",
    )
    .unwrap();
    let (_, stderr) = run(
        export(dir.path(), &sim)
            .args(["--id", "id-1", "--id", "id-2", "--ids-file", "ids.txt"])
            .args(["-o", "out.bin"]),
        0,
    );
    assert!(
        stderr.contains(
            "warning: 3 workflow ids were given more than once, sent once: id-2, id-1, id-3"
        ),
        "{stderr}"
    );
    // A `#` after the start of a line is part of the id.
    assert_eq!(sent_ids(&sim), r#"{"id":["id-1","id-2","id-3","id #4"]}"#);
}

#[test]
fn ids_from_standard_input() {
    let sim = file_sim(2);
    let dir = Scratch::new("ids-stdin");
    success(
        export(dir.path(), &sim)
            .args(["--ids-file", "-", "-o", "out.bin"])
            .write_stdin("x1\nx2\n"),
    );
    assert_eq!(sent_ids(&sim), r#"{"id":["x1","x2"]}"#);
}

#[test]
fn no_ids_at_all_is_a_usage_error() {
    let sim = file_sim(2);
    let dir = Scratch::new("no-ids");
    fs::write(dir.join("ids.txt"), "# nothing yet\n\n").unwrap();
    let (_, stderr) = run(export(dir.path(), &sim).args(["--ids-file", "ids.txt"]), 2);
    assert!(
        stderr.contains("no workflow ids: the ids file ids.txt holds none"),
        "{stderr}"
    );
    let (_, stderr) = run(
        export(dir.path(), &sim)
            .args(["--ids-file", "-"])
            .write_stdin("\n# none\n"),
        2,
    );
    assert!(stderr.contains("standard input holds none"), "{stderr}");
    assert!(sim.requests().is_empty());
}

#[test]
fn filters_without_all_are_a_usage_error() {
    let sim = file_sim(2);
    let dir = Scratch::new("filters-without-all");
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "--enabled", "false", "--name", "x"]),
        2,
    );
    assert!(
        stderr.contains("--name, --enabled apply only with --all"),
        "{stderr}"
    );
    assert!(sim.requests().is_empty());
}

#[test]
fn id_flags_are_trimmed_and_blank_ones_refused() {
    let sim = file_sim(2);
    let dir = Scratch::new("id-trim");
    success(export(dir.path(), &sim).args(["--id", "  a1 ", "--id", "a1", "-o", "out.bin"]));
    assert_eq!(sent_ids(&sim), r#"{"id":["a1"]}"#);
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "  ", "-o", "x.bin"]),
        2,
    );
    assert!(stderr.contains("--id needs a workflow id"), "{stderr}");
}

#[test]
fn an_ids_file_that_cannot_be_used_is_an_input_error() {
    let sim = file_sim(2);
    let dir = Scratch::new("ids-unusable");
    fs::create_dir(dir.join("folder")).unwrap();
    fs::write(dir.join("latin1.txt"), b"caf\xe9\n").unwrap();
    for file in ["folder", "latin1.txt"] {
        let (_, stderr) = run(export(dir.path(), &sim).args(["--ids-file", file]), 6);
        assert!(stderr.contains(file), "{stderr}");
    }
    assert!(sim.requests().is_empty());
}

#[test]
fn a_missing_ids_file_is_an_io_error() {
    let sim = file_sim(2);
    let dir = Scratch::new("ids-missing");
    let (_, stderr) = run(export(dir.path(), &sim).args(["--ids-file", "nope.txt"]), 6);
    assert!(stderr.contains("nope.txt"), "{stderr}");
}

#[test]
fn all_exports_every_workflow_that_the_filters_match() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 7));
    let dir = Scratch::new("all");
    success(export(dir.path(), &sim).args(["--all", "-o", "every.json"]));
    let every: ExportFile =
        serde_json::from_slice(&fs::read(dir.join("every.json")).unwrap()).unwrap();
    let mut names: Vec<String> = every.workflows.into_iter().map(|w| w.name).collect();
    names.sort();
    let seeded: Vec<String> = (1..=7).map(|i| format!("workflow-{i:04}")).collect();
    assert_eq!(names, seeded);

    // Filters go to the list request; only what it answers is exported.
    success(export(dir.path(), &sim).args(["--all", "--enabled", "false", "-o", "off.json"]));
    let off: ExportFile = serde_json::from_slice(&fs::read(dir.join("off.json")).unwrap()).unwrap();
    assert_eq!(off.workflows.len(), 3, "workflows 2, 4 and 6");
    assert!(off.workflows.iter().all(|w| !w.enabled));
    let requests = sim.requests();
    let filtered = &requests[requests.len() - 2];
    assert!(
        filtered.query.contains("enabled=false"),
        "{}",
        filtered.query
    );
    assert_authenticated(&sim, "token");
}

#[test]
fn all_over_an_empty_list_is_an_error_and_writes_nothing() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 4));
    let dir = Scratch::new("all-empty");
    fs::write(dir.join("kept.json"), b"before").unwrap();
    let nothing_matches = export(dir.path(), &sim)
        .args([
            "--all",
            "--name",
            "no such name",
            "-o",
            "kept.json",
            "--force",
        ])
        .output()
        .unwrap();
    let empty_workspace = workflows_in(dir.path(), &sim, "export", "empty")
        .args(["--all", "-o", "new.json"])
        .output()
        .unwrap();
    // The message says why the list was empty: the filters, or the workspace.
    for (output, why) in [
        (
            nothing_matches,
            "error: no workflow of workspace \"W\" matches --name; nothing was written",
        ),
        (
            empty_workspace,
            "error: workspace \"empty\" has no workflows; nothing was written",
        ),
    ] {
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(why), "{stderr}");
        assert_eq!(dir.entries(), ["kept.json"]);
    }
    assert_eq!(fs::read(dir.join("kept.json")).unwrap(), b"before");
    let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/v1/P/workspaces/W/soc/workflows",
            "/v1/P/workspaces/empty/soc/workflows"
        ],
        "a list each, no export"
    );
}

#[test]
fn all_with_several_names_exports_what_any_matches_and_counts_it() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 12).export_size(5000));
    let dir = Scratch::new("all-names");
    let (_, stderr) = run(
        export(dir.path(), &sim).args([
            "--all",
            "--name",
            "workflow-001",
            "--name",
            "workflow-0003",
            "--name",
            "workflow-0011",
            "-o",
            "some.bin",
        ]),
        0,
    );
    let requests = sim.requests();
    assert!(
        stderr.starts_with("exported 4 workflows (5,000 bytes) to some.bin (request id "),
        "{stderr}"
    );
    let export = requests.last().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&export.body).unwrap();
    let mut ids: Vec<String> = serde_json::from_value(body["id"].clone()).unwrap();
    ids.sort();
    let mut expected: Vec<String> = [10, 11, 12, 3]
        .iter()
        .map(|i| secmaster_sim::workflow::seeded(PROJECT, WORKSPACE, *i).id)
        .collect();
    expected.sort();
    assert_eq!(ids, expected, "each once");
}

#[test]
fn an_interrupt_removes_the_temporary_file() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        // Half the body, then silence with the connection open.
        let sim = file_sim(1000);
        sim.add_fault(fault("export_workflows=stall-body,after=500"))
            .unwrap();
        let dir = Scratch::new("interrupt");
        fs::write(dir.join("out.bin"), b"keep me").unwrap();
        let mut command = process(assert_cmd::cargo::cargo_bin("secmaster"));
        command
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["workflows", "export", "--endpoint"])
            .arg(sim.base_url())
            .args(["--project-id", "P", "--workspace-id", "W", "--id", "a"])
            .args(["-o", "out.bin", "--force"])
            .current_dir(dir.path());
        let child = with_default_signals(&command)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the download is under way: the request was answered
        // and the temporary file exists.
        let output = interrupt_when(
            child,
            || !sim.requests().is_empty() && dir.entries().len() >= 2,
            "the download did not start",
            Duration::from_millis(300),
            signal,
        );
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(code), "{signal}: {stderr}");
        assert!(stderr.contains("interrupted"), "{stderr}");
        assert_eq!(dir.entries(), ["out.bin"], "{signal}");
        assert_eq!(fs::read(dir.join("out.bin")).unwrap(), b"keep me");
    }
}

// The handler used to override an ignored SIGHUP: `nohup secmaster ...
// export` died with the terminal, losing the backup.
#[cfg(unix)]
#[test]
fn a_signal_ignored_by_the_parent_stays_ignored() {
    let sim = file_sim(1000);
    sim.add_fault(fault("export_workflows=latency,ms=1500"))
        .unwrap();
    let dir = Scratch::new("nohup");
    // As `nohup` does: SIGHUP ignored, then the program started.
    let child = shell(
        dir.path(),
        &format!(
            "trap '' HUP; exec \"$0\" workflows export --endpoint {} \
             --project-id P --workspace-id W --id a -o out.bin",
            sim.base_url()
        ),
    )
    .env("SECMASTER_AUTH_TOKEN", TOKEN)
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // The temporary file exists once the handlers are in place.
    let started = Instant::now();
    while dir.entries().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(30), "no start");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let status = std::process::Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), export_pattern(1000));
}

// The service's bytes went straight to a terminal with `-o -`.
#[cfg(target_os = "linux")]
#[test]
fn standard_output_on_a_terminal_needs_force() {
    let sim = file_sim(16);
    let dir = Scratch::new("tty");
    // `script` gives the command a pseudo-terminal as standard output.
    let binary = assert_cmd::cargo::cargo_bin("secmaster");
    let command = |extra: &str| {
        format!(
            "script -qec '{} workflows export --endpoint {} --project-id P \
             --workspace-id W --id a -o - {extra}; echo exit=$?' /dev/null",
            binary.display(),
            sim.base_url()
        )
    };
    let output = shell(dir.path(), &command(""))
        .env("SECMASTER_AUTH_TOKEN", TOKEN)
        .output()
        .unwrap();
    let text = stdout_of(&output);
    assert!(text.contains("standard output is a terminal"), "{text}");
    assert!(text.contains("exit=2"), "{text}");
    assert!(sim.requests().is_empty(), "refused before sending");

    let output = shell(dir.path(), &command("--force --quiet"))
        .env("SECMASTER_AUTH_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(
        stdout_of(&output).contains("exit=0"),
        "{}",
        stdout_of(&output)
    );
    assert_eq!(sim.requests().len(), 1);

    // The same terminal by another name: it wrote the bytes without asking.
    for other in ["/dev/tty", "/dev/stderr"] {
        let output = shell(
            dir.path(),
            &command(&format!("-o {other}")).replace("-o - ", ""),
        )
        .env("SECMASTER_AUTH_TOKEN", TOKEN)
        .output()
        .unwrap();
        let text = stdout_of(&output);
        assert!(text.contains(&format!("{other} is a terminal")), "{text}");
        assert!(text.contains("exit=2"), "{text}");
    }
    assert_eq!(sim.requests().len(), 1, "refused before sending");
}

// A link to itself used to be replaced by a regular file with --force.
#[cfg(unix)]
#[test]
fn a_loop_of_links_is_refused() {
    let sim = file_sim(3);
    let dir = Scratch::new("link-loop");
    std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "loop", "--force"]),
        6,
    );
    assert!(
        stderr.contains("too many levels of symbolic links"),
        "{stderr}"
    );
    assert!(dir.join("loop").is_symlink());
    assert!(sim.requests().is_empty());
}

/// An export of 0 bytes holds no workflow: the service's answer cannot be
/// used, and nothing is saved (it was "exported 2 workflows (0 bytes)",
/// exit 0).
#[test]
fn an_empty_export_is_an_error_and_nothing_is_saved() {
    let sim = file_sim(0);
    let dir = Scratch::new("empty-export");
    for output in ["out.bin", "."] {
        let (_, stderr) = run(
            export(dir.path(), &sim).args(["--id", "a", "--id", "b", "-o", output]),
            4,
        );
        assert!(
            stderr.starts_with(
                "error: unexpected: the service answered an empty file (0 bytes); nothing was \
                 saved"
            ),
            "{stderr}"
        );
        assert!(dir.entries().is_empty(), "{:?}", dir.entries());
    }
    let (out, stderr) = run(export(dir.path(), &sim).args(["--id", "a", "-o", "-"]), 4);
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("an empty file (0 bytes)"), "{stderr}");
}

// `list --format ids | export --ids-file -` without a workspace: the list
// said so, and the export, finding its input empty, said "no workflow ids".
#[test]
fn a_missing_workspace_is_named_before_the_ids_are_read() {
    let sim = file_sim(1);
    let dir = Scratch::new("export-no-workspace");
    let (_, stderr) = run(
        secmaster(dir.path())
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["workflows", "export", "--endpoint"])
            .arg(sim.base_url())
            .args(["--project-id", "P", "--ids-file", "-", "-o", "out.zip"])
            .write_stdin(""),
        2,
    );
    assert!(stderr.starts_with("error: no workspace id"), "{stderr}");
    assert!(sim.requests().is_empty());
}
