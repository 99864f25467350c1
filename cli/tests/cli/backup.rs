//! `secmaster backup create`, `describe` and `verify`, end to end with
//! `restore` and `workflows diff`.

use std::time::Duration;

use serde_json::Value;

use crate::common::*;

/// `backup create b --workspace-id W` in `dir`.
fn create(
    scratch: &Scratch,
    sim: &secmaster_sim::Simulator,
    extra: &[&str],
) -> assert_cmd::Command {
    let mut args = vec!["backup", "create", "b", "--workspace-id", WORKSPACE];
    args.extend_from_slice(extra);
    against(scratch.path(), sim, &args)
}

#[test]
fn backup_verify_restore_diff_and_a_second_restore() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 12));
    let scratch = Scratch::new("round-trip");
    let (_, said) = run(&mut create(&scratch, &sim, &[]), 0);
    assert!(
        said.starts_with("backed up 12 workflows from W, "),
        "{said}"
    );
    assert!(said.trim_end().ends_with("kB, into b"), "{said}");
    assert_eq!(scratch.entries(), ["b"]);
    assert_eq!(sent(&sim, "export_workflows"), 12);

    let (_, said) = run(secmaster(scratch.path()).args(["backup", "verify", "b"]), 0);
    assert_eq!(
        said,
        "b is intact: 24 files of 12 workflows match the manifest\n"
    );

    let restore = ["restore", "b", "--workspace-id", "W2", "--format", "json"];
    let report: Value =
        serde_json::from_str(&success(&mut against(scratch.path(), &sim, &restore))).unwrap();
    let outcomes = |report: &Value| -> Vec<String> {
        report["workflows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["outcome"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(outcomes(&report), vec!["restored"; 12]);
    assert_eq!(names_in(&sim, "W2"), names_in(&sim, WORKSPACE));

    let diff = [
        "workflows",
        "diff",
        "--workspace-id",
        WORKSPACE,
        "--to-workspace-id",
        "W2",
    ];
    let (out, said) = run(&mut against(scratch.path(), &sim, &diff), 0);
    assert!(out.stdout.is_empty());
    assert_eq!(said, "W and W2 hold the same 12 workflows\n");
    let diff = ["workflows", "diff", "--workspace-id", "W2", "--backup", "b"];
    run(&mut against(scratch.path(), &sim, &diff), 0);

    // Again: all skipped, nothing sent.
    let imports = sent(&sim, "import_workflows");
    let report: Value =
        serde_json::from_str(&success(&mut against(scratch.path(), &sim, &restore))).unwrap();
    assert_eq!(outcomes(&report), vec!["skipped"; 12]);
    assert_eq!(
        report["workflows"][0]["reason"],
        "a workflow of this name is in the target already"
    );
    assert_eq!(sent(&sim, "import_workflows"), imports);
    let (_, said) = run(&mut against(scratch.path(), &sim, &restore[..4]), 0);
    assert_eq!(said, "restored 0, skipped 12, failed 0 into W2\n");

    // describe reads it back.
    let described =
        success(secmaster(scratch.path()).args(["backup", "describe", "b", "--format", "json"]));
    let manifest: Value = serde_json::from_str(&described).unwrap();
    assert_eq!(manifest["format"], "secmaster-backup");
    assert_eq!(manifest["counts"]["workflows"], 12);
    let table = success(secmaster(scratch.path()).args(["backup", "describe", "b"]));
    assert!(
        table.contains("holds    1 workspace, 12 workflows, "),
        "{table}"
    );
    assert!(table.contains("workflow-0007"), "{table}");
}

#[test]
fn a_flipped_byte_is_named_by_verify_and_refused_by_restore() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 5));
    let scratch = Scratch::new("flipped");
    run(&mut create(&scratch, &sim, &[]), 0);
    let victim = "workflows/0003-workflow-0003.export";
    let path = scratch.join("b").join(victim);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[10] ^= 0x20;
    std::fs::write(&path, bytes).unwrap();

    let (_, said) = run(secmaster(scratch.path()).args(["backup", "verify", "b"]), 6);
    assert!(
        said.starts_with(&format!(
            "error: the backup is damaged (1 bad file): {victim}: its SHA-256 is "
        )),
        "{said}"
    );
    let requests = sim.requests().len();
    let (out, said) = run(
        &mut against(
            scratch.path(),
            &sim,
            &["restore", "b", "--workspace-id", "W2"],
        ),
        6,
    );
    assert!(said.contains(victim), "{said}");
    assert!(out.stdout.is_empty());
    assert_eq!(sim.requests().len(), requests, "a request was sent");
    assert!(names_in(&sim, "W2").is_empty());
}

// SIGKILL in the middle of the exports: no directory that looks complete,
// and the next backup to the same name succeeds (and clears the leftover).
#[cfg(unix)]
#[test]
fn a_killed_backup_leaves_no_complete_directory_and_the_next_one_succeeds() {
    let sim = start(
        sim()
            .seed(PROJECT, WORKSPACE, 40)
            .latency(Duration::from_millis(30)),
    );
    let scratch = Scratch::new("killed-backup");
    let mut child = against_process(
        scratch.path(),
        &sim,
        &[
            "backup",
            "create",
            "b",
            "--workspace-id",
            WORKSPACE,
            "--concurrency",
            "1",
        ],
    )
    .stdin(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    wait_for(&sim, "export_workflows", 5);
    child.kill().unwrap();
    child.wait().unwrap();
    let left = scratch.entries();
    assert!(!left.contains(&"b".to_owned()), "{left:?}");
    assert!(
        left.len() == 1 && left[0].starts_with(".b.") && left[0].ends_with(".secmaster-part"),
        "{left:?}"
    );

    sim.set_latency(Duration::ZERO);
    run(&mut create(&scratch, &sim, &[]), 0);
    assert_eq!(scratch.entries(), ["b"]);
    run(secmaster(scratch.path()).args(["backup", "verify", "b"]), 0);
}

#[test]
fn a_directory_with_files_is_refused_before_any_request() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 2));
    let scratch = Scratch::new("not-empty");
    std::fs::create_dir(scratch.join("b")).unwrap();
    std::fs::write(scratch.join("b/mine"), b"keep").unwrap();
    let (_, said) = run(&mut create(&scratch, &sim, &[]), 6);
    assert_eq!(
        said,
        "error: b exists and is not an empty directory; a backup goes into a new or empty one\n"
    );
    assert!(sim.requests().is_empty());
}

#[test]
fn every_workspace_then_one_of_them_restored() {
    let sim = start(
        sim()
            .seed(PROJECT, WORKSPACE, 3)
            .seed(PROJECT, "empty", 0)
            .seed(PROJECT, "W3", 2),
    );
    let scratch = Scratch::new("all");
    let (_, said) = run(
        &mut against(
            scratch.path(),
            &sim,
            &[
                "backup",
                "create",
                "all",
                "--all-workspaces",
                "--enabled",
                "true",
            ],
        ),
        0,
    );
    // W, W2, empty and W3; the odd-numbered (enabled) ones: 2 + 1.
    assert!(
        said.starts_with("backed up 3 workflows from 4 workspaces, "),
        "{said}"
    );
    let table = success(secmaster(scratch.path()).args(["backup", "describe", "all"]));
    assert!(
        table.contains("workspaces/003-W3/workflows/0001-workflow-0001.export"),
        "{table}"
    );

    let restore = ["restore", "all", "--workspace-id", "W2"];
    let (_, said) = run(&mut against(scratch.path(), &sim, &restore), 2);
    assert!(
        said.contains("the backup holds 4 workspaces; choose one: W (W), "),
        "{said}"
    );
    let mut from = restore.to_vec();
    from.extend(["--from-workspace", "W3"]);
    run(&mut against(scratch.path(), &sim, &from), 0);
    assert_eq!(names_in(&sim, "W2"), ["workflow-0001"]);
}

#[test]
fn an_unknown_workspace_or_none_is_refused_and_nothing_is_left() {
    let sim = start(sim());
    let scratch = Scratch::new("unknown");
    let unknown = ["backup", "create", "b", "--workspace-id", "nope"];
    let (_, said) = run(&mut against(scratch.path(), &sim, &unknown), 3);
    assert!(
        said.starts_with("error: no workspace \"nope\" in this project"),
        "{said}"
    );
    assert!(scratch.entries().is_empty(), "{:?}", scratch.entries());
    let (_, said) = run(
        &mut against(scratch.path(), &sim, &["backup", "create", "b"]),
        2,
    );
    assert!(
        said.contains("no workspace id: pass --workspace-id")
            && said.contains("; or --all-workspaces"),
        "{said}"
    );
    let (_, said) = run(
        secmaster(scratch.path()).args(["backup", "verify", "missing"]),
        6,
    );
    assert!(
        said.starts_with("error: cannot read the backup missing: "),
        "{said}"
    );
}
