//! Standard output and standard error as callers really set them up:
//! `/dev/null` opened read-write, closed, read-only, a dead pipe, a full
//! device.

#![cfg(unix)]

use std::fs::File;
use std::process::Stdio;

use crate::common::*;
use crate::import::export_file;
use secmaster_sim::Simulator;
use secmaster_sim::workflow::seeded;

/// Every workflow command that writes standard output, as `(command,
/// arguments)`: against [`service`], each would succeed.
fn writing_stdout(id: &str) -> [(&'static str, Vec<String>); 4] {
    let args = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect();
    [
        ("list", args(&[])),
        ("show", args(&[id])),
        ("import", args(&["flows.json", "--format", "json"])),
        ("export", args(&["--id", id, "-o", "-"])),
    ]
}

/// A simulator with one workflow in W, and `flows.json` (one workflow to
/// import) in `dir`. Returns the workflow's id.
fn service(dir: &Scratch) -> (Simulator, String) {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1));
    export_file(dir.path(), "flows.json", 1);
    (sim, seeded(PROJECT, WORKSPACE, 1).id)
}

// `1<>/dev/null` (Python's subprocess.DEVNULL, systemd's
// StandardOutput=null) was taken for a closed standard output: exit 6.
#[test]
fn dev_null_opened_read_write_is_a_valid_output() {
    let dir = Scratch::new("stdout-devnull");
    let (sim, id) = service(&dir);
    let dev_null = || {
        File::options()
            .read(true)
            .write(true)
            .open("/dev/null")
            .unwrap()
    };
    for (command, args) in writing_stdout(&id) {
        let output = workflows_process(dir.path(), &sim, command)
            .args(&args)
            .stdout(dev_null())
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{command}: {}",
            stderr_of(&output)
        );
    }
    let output = secmaster_process(dir.path())
        .args(["completions", "bash"])
        .stdout(dev_null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
}

// `import --format json` imported first and found out afterwards that its
// answer could not be printed: exit 6, and a caller that retried on
// failure imported the workflows twice. `list`, `show` and `export -o -`
// sent their request too.
#[test]
fn output_that_cannot_be_written_is_refused_before_any_request() {
    let dir = Scratch::new("stdout-unwritable");
    let (sim, id) = service(&dir);
    // Closed, and opened read-only.
    for redirect in [">&-", "1</dev/null"] {
        for (command, args) in writing_stdout(&id) {
            let args = format!("{} {redirect}", args.join(" "));
            let (output, stderr) = workflows_in_shell(dir.path(), &sim, "", command, &args);
            assert_eq!(output.status.code(), Some(6), "{command} {args}: {stderr}");
            assert!(
                stderr.starts_with("error: cannot write to standard output: "),
                "{command} {args}: {stderr}"
            );
        }
        let output = shell(
            dir.path(),
            &format!("exec \"$0\" completions bash {redirect}"),
        )
        .output()
        .unwrap();
        assert_eq!(
            output.status.code(),
            Some(6),
            "{redirect}: {}",
            stderr_of(&output)
        );
    }
    assert!(sim.requests().is_empty(), "{:?}", request_ids(&sim));
    assert_eq!(sim.workflows(PROJECT, WORKSPACE).len(), 1);
}

// `-o /dev/full` sent the export, then failed to write; `-o /dev/stdout`
// after `>&-` opened the /dev/null put in its place and claimed success;
// `--help` and `--version` swallowed write errors (exit 0).
#[test]
fn a_named_output_that_cannot_be_written_is_refused_before_any_request() {
    let dir = Scratch::new("named-unwritable");
    let (sim, id) = service(&dir);
    for args in [
        format!("--id {id} -o /dev/full"),
        format!("--id {id} -o /dev/stdout >&-"),
        format!("--id {id} -o /dev/fd/1 1</dev/null"),
    ] {
        let (output, stderr) = workflows_in_shell(dir.path(), &sim, "", "export", &args);
        assert_eq!(output.status.code(), Some(6), "{args}: {stderr}");
        assert!(
            stderr.starts_with("error: cannot write to "),
            "{args}: {stderr}"
        );
    }
    assert!(sim.requests().is_empty(), "{:?}", request_ids(&sim));
    for redirect in [">/dev/full", ">&-"] {
        for flag in ["--help", "--version", "workflows list --help"] {
            let output = shell(dir.path(), &format!("exec \"$0\" {flag} {redirect}"))
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(6),
                "{flag} {redirect}: {}",
                stderr_of(&output)
            );
        }
    }
}

/// Standard error that takes no line.
#[derive(Debug, Clone, Copy)]
enum Broken {
    /// A pipe whose reader is gone (`2>&1 | head -n1` once `head` is done).
    DeadPipe,
    /// `2>/dev/full`.
    Full,
}

fn stderr_that_is(broken: Broken) -> Stdio {
    match broken {
        Broken::DeadPipe => {
            let (reader, writer) = std::io::pipe().unwrap();
            drop(reader);
            writer.into()
        }
        Broken::Full => File::options()
            .write(true)
            .open("/dev/full")
            .unwrap()
            .into(),
    }
}

// `eprintln!` panics when it cannot write: a duplicate-id warning into
// `2>&1 | head -n1` ended with exit 101 although the file was saved, and
// a 400 answer lost its exit 4 the same way.
#[test]
fn standard_error_that_cannot_be_written_never_changes_the_exit_code() {
    let dir = Scratch::new("stderr-broken");
    let (sim, id) = service(&dir);
    let id = id.as_str();
    let cases: [(&str, &[&str], i32); 6] = [
        // A warning, then the summary line.
        (
            "export",
            &["--id", id, "--id", id, "-o", "out.json", "--force"],
            0,
        ),
        // The error line.
        ("export", &["--id", "no-such-id", "-o", "refused.json"], 4),
        // The count of workflows after the table.
        ("list", &[], 0),
        // The log of --verbose.
        ("list", &["--verbose"], 0),
        // The request id.
        ("import", &["flows.json"], 0),
        ("show", &["no-such-id"], 4),
    ];
    for broken in [Broken::DeadPipe, Broken::Full] {
        let _ = std::fs::remove_file(dir.join("out.json"));
        for (command, args, code) in cases {
            let output = workflows_process(dir.path(), &sim, command)
                .args(args)
                .stderr(stderr_that_is(broken))
                .output()
                .unwrap();
            assert_eq!(
                output.status.code(),
                Some(code),
                "{command} {args:?}, {broken:?}"
            );
        }
        assert!(dir.join("out.json").is_file(), "{broken:?}");
    }
    // Closed: Rust's start-up code puts /dev/null there.
    let (output, _) = workflows_in_shell(
        dir.path(),
        &sim,
        "",
        "export",
        &format!("--id {id} --id {id} -o closed.json 2>&-"),
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(dir.join("closed.json").is_file());
}

/// A pipe whose reader is gone before the command starts (`| head -n0`,
/// a consumer that died): writing there can only fail.
fn dead_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer.into()
}

// A write of no bytes to a pipe succeeds even when nobody reads it, so the
// check before the request let it through: `import --format json`,
// `restore` and `api import_workflows` imported the workflows, then
// stopped with exit 141 when they printed what they had done, and a
// caller that retried on failure imported them twice.
#[test]
fn a_pipe_with_no_reader_is_refused_before_any_request() {
    let dir = Scratch::new("stdout-dead-pipe");
    let (sim, _) = service(&dir);
    run(
        &mut against(
            dir.path(),
            &sim,
            &["backup", "create", "b", "--workspace-id", WORKSPACE],
        ),
        0,
    );
    let before = sim.requests().len();
    let commands: [&[&str]; 4] = [
        &["workflows", "import", "flows.json", "--format", "json"],
        &["workflows", "list"],
        &["restore", "b", "--workspace-id", "W2"],
        &["api", "import_workflows", "uploadFile=@flows.json"],
    ];
    for args in commands {
        let mut cmd = against_process(dir.path(), &sim, args);
        if args[0] != "restore" {
            cmd.args(["--workspace-id", "W2"]);
        }
        let output = cmd.stdout(dead_pipe()).output().unwrap();
        assert_eq!(
            (output.status.code(), stderr_of(&output).as_str()),
            (Some(141), ""),
            "{args:?}"
        );
    }
    assert_eq!(sim.requests().len(), before, "{:?}", request_ids(&sim));
    assert!(sim.workflows(PROJECT, "W2").is_empty());
}

// `-o /dev/stderr` after `2>&-` (and `/dev/fd/2`, `/proc/self/fd/0` after
// `<&-`) opened the `/dev/null` put in place of the closed descriptor, and
// the export was thrown away with exit 0; then other spellings of those
// names, and links to them, did the same.
#[test]
fn a_closed_standard_stream_is_refused_before_any_request_however_it_is_named() {
    let dir = Scratch::new("named-closed");
    let (sim, id) = service(&dir);
    std::os::unix::fs::symlink("/dev/stderr", dir.path().join("err-link")).unwrap();
    for args in [
        "-o /dev/stderr 2>&-",
        "-o /dev/fd/2 2>&-",
        "-o /proc/self/fd/0 <&-",
        "-o /dev/./stderr 2>&-",
        "-o //dev/stderr 2>&-",
        "-o /proc/thread-self/fd/2 2>&-",
        "-o err-link 2>&-",
        "-o /dev/./stdout >&-",
    ] {
        let args = format!("--id {id} {args}");
        let (output, _) = workflows_in_shell(dir.path(), &sim, "", "export", &args);
        assert_eq!(output.status.code(), Some(6), "{args}");
    }
    assert!(sim.requests().is_empty(), "{:?}", request_ids(&sim));
    // Open, they are written as any device is, a link as the device it names.
    for output_name in ["/dev/stderr", "err-link"] {
        let (output, stderr) = workflows_in_shell(
            dir.path(),
            &sim,
            "",
            "export",
            &format!("--id {id} -o {output_name} -q"),
        );
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        assert!(stderr.contains(&id), "{stderr}");
    }
}

// Standard input named otherwise (`/dev/stdin`, `/dev/fd/0`) was not seen
// as standard input by the one-reader check: both options read it, and
// the second found it empty.
#[test]
fn standard_input_named_otherwise_has_one_reader_too() {
    let sim = start(sim());
    let dir = Scratch::new("stdin-aliases");
    export_file(dir.path(), "flows.json", 1);
    for (file, token) in [
        ("/dev/stdin", "-"),
        ("-", "/dev/fd/0"),
        ("/proc/self/fd/0", "/dev/stdin"),
    ] {
        let (_, stderr) = run(
            workflows(dir.path(), &sim, "import").args([file, "--token-file", token]),
            2,
        );
        assert!(
            stderr.contains("cannot both read standard input"),
            "{file} {token}: {stderr}"
        );
    }
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "export")
            .args(["--ids-file", "/dev/stdin", "--token-file", "-"])
            .args(["-o", "out.bin"]),
        2,
    );
    assert!(
        stderr.contains("cannot both read standard input"),
        "{stderr}"
    );
    for reader in [
        [
            "import_workflows",
            "workspace_id=W2",
            "uploadFile=@/dev/stdin",
        ],
        ["export_workflows", "workspace_id=W", "--body=@/dev/fd/0"],
    ] {
        let (_, stderr) = run(
            api(dir.path(), &sim).args(reader).args([
                "project_id=P",
                "--token-file",
                "-",
                "-o",
                "out.bin",
            ]),
            2,
        );
        assert!(
            stderr.contains("can read standard input"),
            "{reader:?}: {stderr}"
        );
    }
    assert!(sim.requests().is_empty());
}
