//! Standard error as callers really set it up: a dead pipe, a full
//! device, closed.

#![cfg(unix)]

use std::fs::File;
use std::process::Stdio;

use crate::common::*;
use crate::import::export_file;
use secmaster_sim::Simulator;
use secmaster_sim::workflow::seeded;

/// A simulator with one workflow in W, and `flows.json` (one workflow to
/// import) in `dir`. Returns the workflow's id.
fn service(dir: &Scratch) -> (Simulator, String) {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1));
    export_file(dir.path(), "flows.json", 1);
    (sim, seeded(PROJECT, WORKSPACE, 1).id)
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
