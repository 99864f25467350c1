//! `secmaster restore`: re-runnable, and what --existing, --dry-run,
//! --include and --exclude choose.

use std::time::Duration;

use serde_json::Value;

use crate::common::*;

/// A backup `b` of W's `count` seeded workflows, in `scratch`.
fn backed_up(count: u64, scratch: &Scratch) -> secmaster_sim::Simulator {
    let sim = start(sim().seed(PROJECT, WORKSPACE, count));
    run(
        &mut against(
            scratch.path(),
            &sim,
            &["backup", "create", "b", "--workspace-id", WORKSPACE],
        ),
        0,
    );
    sim
}

fn restore(
    scratch: &Scratch,
    sim: &secmaster_sim::Simulator,
    extra: &[&str],
) -> assert_cmd::Command {
    let mut args = vec!["restore", "b", "--workspace-id", "W2"];
    args.extend_from_slice(extra);
    against(scratch.path(), sim, &args)
}

// SIGKILL while imports are in flight, then the same command again: every
// workflow in the target exactly once.
#[cfg(unix)]
#[test]
fn a_killed_restore_run_again_leaves_exactly_one_of_each() {
    let scratch = Scratch::new("killed-restore");
    let sim = backed_up(30, &scratch);
    sim.set_latency(Duration::from_millis(30));
    let mut child = against_process(
        scratch.path(),
        &sim,
        &["restore", "b", "--workspace-id", "W2"],
    )
    .stdin(std::process::Stdio::null())
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    wait_for(&sim, "import_workflows", 6);
    child.kill().unwrap();
    child.wait().unwrap();
    let arrived = sim.workflows(PROJECT, "W2").len();
    assert!(arrived < 30, "the kill came too late: {arrived} arrived");

    let (_, said) = run(&mut restore(&scratch, &sim, &[]), 0);
    assert!(said.starts_with("restored "), "{said}");
    assert_eq!(names_in(&sim, "W2"), names_in(&sim, WORKSPACE));
}

#[test]
fn existing_fail_and_dry_run_import_nothing() {
    let scratch = Scratch::new("fail-dry");
    let sim = backed_up(4, &scratch);
    let (out, said) = run(&mut restore(&scratch, &sim, &["--dry-run"]), 0);
    assert_eq!(
        said,
        "dry run: 4 to restore into W2, 0 skipped; nothing was imported\n"
    );
    assert_eq!(
        stdout_of(&out).matches(" planned ").count(),
        4,
        "{}",
        stdout_of(&out)
    );
    assert_eq!(sent(&sim, "import_workflows"), 0);

    run(
        &mut restore(&scratch, &sim, &["--include", "workflow-0002"]),
        0,
    );
    let imports = sent(&sim, "import_workflows");
    let (out, said) = run(&mut restore(&scratch, &sim, &["--existing", "fail"]), 1);
    assert_eq!(
        said,
        "error: 1 workflow name of the backup exists in the target already: \"workflow-0002\"; \
         nothing was imported (--existing skip restores the others)\n"
    );
    assert!(out.stdout.is_empty());
    run(
        &mut restore(&scratch, &sim, &["--existing", "fail", "--dry-run"]),
        1,
    );
    assert_eq!(sent(&sim, "import_workflows"), imports);

    run(
        &mut restore(&scratch, &sim, &["--existing", "duplicate"]),
        0,
    );
    assert_eq!(names_in(&sim, "W2").len(), 5);
}

#[test]
fn include_and_exclude_pick_what_they_say() {
    let scratch = Scratch::new("globs");
    let sim = backed_up(12, &scratch);
    let picked = [
        "--include",
        "workflow-000?",
        "--include",
        "workflow-0012",
        "--exclude",
        "*[13579]",
    ];
    let out = success(&mut restore(
        &scratch,
        &sim,
        &[&picked[..], &["--format", "json"]].concat(),
    ));
    assert_eq!(
        names_in(&sim, "W2"),
        [
            "workflow-0002",
            "workflow-0004",
            "workflow-0006",
            "workflow-0008",
            "workflow-0012"
        ]
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let skipped = report["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["outcome"] == "skipped")
        .count();
    assert_eq!(skipped, 7);
    let (_, said) = run(&mut restore(&scratch, &sim, &["--include", "[bad"]), 2);
    assert!(said.contains("\"[bad\" is not a glob pattern"), "{said}");
}

#[test]
fn a_failed_import_is_named_and_exits_1() {
    let scratch = Scratch::new("failed");
    let sim = backed_up(3, &scratch);
    sim.add_fault(fault("import_workflows=500,times=1"))
        .unwrap();
    let (out, said) = run(&mut restore(&scratch, &sim, &[]), 1);
    let report = stdout_of(&out);
    let failed: Vec<&str> = report.lines().filter(|l| l.contains(" failed ")).collect();
    assert!(
        failed.len() == 1 && failed[0].contains("HTTP 500"),
        "{report}"
    );
    assert!(
        said.contains("restored 2, skipped 0, failed 1 into W2"),
        "{said}"
    );
    assert!(
        said.contains("error: 1 of 3 workflows could not be restored"),
        "{said}"
    );
    // The same command again finishes the job.
    run(&mut restore(&scratch, &sim, &[]), 0);
    assert_eq!(names_in(&sim, "W2"), names_in(&sim, WORKSPACE));
}
