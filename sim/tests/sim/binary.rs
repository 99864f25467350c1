//! The `secmaster-sim` command: flags, --port-file, clean exit on signals.

use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::support::{PROJECT, TOKEN, WORKSPACE, client, json_answer};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_secmaster-sim");

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("secmaster-sim-bin-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Waits for the port file the command writes once it listens.
fn wait_for_port(child: &mut Child, path: &Path) -> u16 {
    let started = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            return text.trim().parse().unwrap();
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the simulator exited early"
        );
        assert!(started.elapsed() < Duration::from_secs(20), "no port file");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Spawns `command` with `--port-file port_file` and its output piped, and
/// waits until it listens: the child and its port.
fn start(command: &mut Command, port_file: &Path) -> (Child, u16) {
    let mut child = command
        .arg("--port-file")
        .arg(port_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let port = wait_for_port(&mut child, port_file);
    (child, port)
}

/// Sends the child the signal `name` (TERM, INT) and waits for it to exit:
/// its exit status and standard output.
fn stop(mut child: Child, name: &str) -> (ExitStatus, String) {
    let killed = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(10), "did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status, stdout)
}

/// Runs `command` to its end: its exit code and standard error.
fn exit_and_stderr(command: &mut Command) -> (Option<i32>, String) {
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

/// `--help` with its lines joined: built with the rest of the workspace,
/// clap may wrap the help (the command's `wrap_help` feature).
fn help() -> String {
    let help = Command::new(BIN).arg("--help").output().unwrap();
    String::from_utf8_lossy(&help.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn serves_seeded_workflows_on_the_port_it_writes_and_stops_on_signals() {
    for name in ["TERM", "INT"] {
        let dir = scratch(name);
        let port_file = dir.join("port");
        let log = dir.join("log.jsonl");
        let (child, port) = start(
            Command::new(BIN)
                .args([
                    "--listen",
                    "127.0.0.1:0",
                    "--workflows",
                    "12",
                    "--token",
                    TOKEN,
                ])
                .args(["--fault", "export_workflows=503,retry-after=3,times=1"])
                .arg("--log")
                .arg(&log),
            &port_file,
        );
        let base =
            format!("http://127.0.0.1:{port}/v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (list, export) = runtime.block_on(async {
            let list: Value = json_answer(client().get(&base).header("X-Auth-Token", TOKEN)).await;
            let export = client()
                .post(format!("{base}/export"))
                .header("X-Auth-Token", TOKEN)
                .send()
                .await
                .unwrap();
            (list, export.status().as_u16())
        });
        assert_eq!(list["total"], 12);
        assert_eq!(export, 503);

        let (status, stdout) = stop(child, name);
        assert!(status.success(), "{name}: {status:?}");
        assert!(
            stdout.contains(&format!("listening on http://127.0.0.1:{port}")),
            "{stdout}"
        );
        assert!(
            stdout.contains("(12 workflows)") && stdout.contains("workflow ids: "),
            "{stdout}"
        );
        assert!(
            stdout.contains("fault: export_workflows=503,retry-after=3,times=1"),
            "{stdout}"
        );
        assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn bad_flags_are_refused_with_a_message() {
    for args in [
        &["--fault", "export_workflows"][..],
        &["--ak", "x"],
        &["--fault", "nope=500", "--listen", "127.0.0.1:0"],
    ] {
        let output = Command::new(BIN).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
    let help = help();
    for flag in [
        "--listen",
        "--port-file",
        "--workflows",
        "--project-id",
        "--workspace-id",
        "--token",
        "--ak",
        "--sk",
        "--strict",
        "--export-size",
        "--latency",
        "--fault",
        "--log",
        "--log-bodies",
        "--admin-token",
        "--idle-timeout",
        "[default: 30000]",
        "--max-connections",
        "[default: 128]",
        "[default: 127.0.0.1:8080]",
        "[default: 0123456789abcdef0123456789abcdef]",
    ] {
        assert!(help.contains(flag), "{flag} in {help}");
    }
}

#[test]
fn a_bad_fault_is_a_usage_error_naming_the_flag_and_the_value() {
    let dir = scratch("bad-fault");
    // A port file in a missing directory: a spec accepted by mistake ends
    // the run (exit 1) instead of serving.
    let port_file = dir.join("missing").join("port");
    for (spec, why) in [
        ("nope=503", "no operation \"nope\""),
        ("list_workflows=503,times=0", "times must be at least 1"),
        ("export_workflows", "expected OPERATION=ACTION"),
    ] {
        let (code, stderr) = exit_and_stderr(
            Command::new(BIN)
                .args(["--listen", "127.0.0.1:0", "--fault", spec])
                .arg("--port-file")
                .arg(&port_file),
        );
        assert_eq!(code, Some(2), "{spec}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid value '{spec}' for '--fault <SPEC>'"))
                && stderr.contains(why),
            "{spec}: {stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn short_operation_names_are_aliases_of_the_operation_ids() {
    let dir = scratch("aliases");
    let port_file = dir.join("port");
    let (child, _) = start(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0"])
            .args(["--fault", "list=503,times=2"])
            .args(["--fault", "export=429,retry-after=1,times=1"])
            .args(["--fault", "show=close", "--fault", "import=pass"]),
        &port_file,
    );
    let (status, stdout) = stop(child, "TERM");
    assert!(status.success(), "{status:?}");
    for rule in [
        "fault: list_workflows=503,times=2\n",
        "fault: export_workflows=429,retry-after=1,times=1\n",
        "fault: show_workflow=close\n",
        "fault: import_workflows=pass\n",
    ] {
        assert!(stdout.contains(rule), "{rule} in {stdout}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_log_file_that_cannot_be_opened_is_named() {
    let dir = scratch("bad-log");
    let log = dir.join("missing").join("x.log");
    let (code, stderr) = exit_and_stderr(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--log"])
            .arg(&log),
    );
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot open the log file {}: ", log.display())),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn too_many_workflows_is_a_usage_error_naming_the_flag_and_the_limit() {
    let limit = secmaster_sim::MAX_SEEDED;
    let dir = scratch("too-many");
    // A port file in a missing directory: a count accepted by mistake ends
    // the run (exit 1) instead of serving.
    let port_file = dir.join("missing").join("port");
    for count in [99_999_999_999, limit + 1] {
        let (code, stderr) = exit_and_stderr(
            Command::new(BIN)
                .args(["--listen", "127.0.0.1:0", "--workflows"])
                .arg(count.to_string())
                .arg("--port-file")
                .arg(&port_file),
        );
        assert_eq!(code, Some(2), "{count}: {stderr}");
        assert!(
            stderr.contains(&format!("invalid value '{count}' for '--workflows <N>'"))
                && stderr.contains(&format!("0..={limit}")),
            "{count}: {stderr}"
        );
    }
    let help = help();
    assert_eq!(limit, 1_000_000, "as the help and the README say");
    assert!(help.contains("at most 1,000,000"), "{help}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn beyond_loopback_credentials_are_required_and_the_start_says_who_may_use_admin() {
    let dir = scratch("exposed");
    // A port file in a missing directory: a start allowed by mistake ends
    // the run (exit 1) instead of serving.
    let (code, stderr) = exit_and_stderr(
        Command::new(BIN)
            .args(["--listen", "0.0.0.0:0", "--port-file"])
            .arg(dir.join("missing").join("port")),
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("can be reached from other machines, so it needs --token or --ak/--sk"),
        "{stderr}"
    );

    let port_file = dir.join("port");
    let (child, _) = start(
        Command::new(BIN)
            .args(["--listen", "0.0.0.0:0", "--token", TOKEN])
            .args(["--admin-token", "admin-secret"]),
        &port_file,
    );
    let (status, stdout) = stop(child, "TERM");
    assert!(status.success(), "{status:?}");
    for line in [
        "warning: 0.0.0.0:0 can be reached from other machines",
        "admin: /_sim/ requires Authorization: Bearer <--admin-token>",
    ] {
        assert!(stdout.contains(line), "{line} in {stdout}");
    }
    assert!(
        !stdout.contains("admin-secret") && !stdout.contains(TOKEN),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn out_of_file_descriptors_idle_connections_make_room_for_a_request() {
    let dir = scratch("descriptors");
    let port_file = dir.join("port");
    // 64 descriptors, fewer than the idle connections below and than the
    // default cap, so that `accept` itself fails.
    let (child, port) = start(
        Command::new("sh")
            .arg("-c")
            .arg("ulimit -n 64 && exec \"$0\" \"$@\"")
            .arg(BIN)
            .args(["--listen", "127.0.0.1:0"]),
        &port_file,
    );
    let idle: Vec<std::net::TcpStream> = (0..80)
        .map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        client()
            .get(format!(
                "http://127.0.0.1:{port}/v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows"
            ))
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    drop(idle);
    let (exit, _) = stop(child, "TERM");
    assert_eq!(
        status.ok(),
        Some(200),
        "answered while idle sockets held every descriptor"
    );
    assert!(exit.success(), "{exit:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn workspaces_are_numbered_or_made_on_first_use_as_the_flags_say() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status_of = |port: u16, workspace: &str| {
        let url =
            format!("http://127.0.0.1:{port}/v1/{PROJECT}/workspaces/{workspace}/soc/workflows");
        runtime.block_on(async { client().get(url).send().await.unwrap().status().as_u16() })
    };
    let count_of = |port: u16| {
        let url = format!("http://127.0.0.1:{port}/v1/{PROJECT}/workspaces?offset=0&limit=10");
        let list: Value = runtime.block_on(json_answer(client().get(url)));
        list["count"].as_u64()
    };

    let dir = scratch("workspaces");
    let (child, port) = start(
        Command::new(BIN).args(["--listen", "127.0.0.1:0", "--workspaces", "3"]),
        &dir.join("port"),
    );
    assert_eq!(
        count_of(port),
        Some(4),
        "the seeded workspace and three more"
    );
    assert_eq!(status_of(port, "made-up"), 403);
    let (_, stdout) = stop(child, "TERM");
    assert!(stdout.contains("more workspaces: 3 empty, "), "{stdout}");

    let (child, port) = start(
        Command::new(BIN).args(["--listen", "127.0.0.1:0", "--auto-create-workspaces"]),
        &dir.join("port-auto"),
    );
    assert_eq!(status_of(port, "made-up"), 200);
    assert_eq!(count_of(port), Some(2));
    let (_, stdout) = stop(child, "TERM");
    assert!(
        stdout.contains("workspaces: any id exists from its first use"),
        "{stdout}"
    );

    let (code, stderr) = exit_and_stderr(Command::new(BIN).args(["--workspaces", "10001"]));
    assert_eq!(code, Some(2), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_readme_shows_what_the_command_prints_at_start() {
    // The README's example: its command, then the lines it prints.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let shown = readme
        .split("```text\n")
        .find(|block| block.starts_with("secmaster-sim listening on"))
        .and_then(|block| block.split("```").next())
        .expect("the README shows the start-up lines");
    let dir = scratch("readme");
    let (child, port) = start(
        Command::new(BIN).args([
            "--listen",
            "127.0.0.1:0",
            "--workflows",
            "25",
            "--token",
            "dev-token",
        ]),
        &dir.join("port"),
    );
    let (status, stdout) = stop(child, "TERM");
    assert!(status.success(), "{status:?}");
    let printed: String = stdout
        .replace(&format!("127.0.0.1:{port}"), "127.0.0.1:8080")
        .lines()
        .take(shown.lines().count())
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(printed, shown);
    std::fs::remove_dir_all(&dir).unwrap();
}
