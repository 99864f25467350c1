//! Where `secmaster workflows export` saves the file without `-o FILE`: the
//! name the service suggests in Content-Disposition, made safe, else the
//! default name.

use std::fs;

use crate::common::*;
use secmaster_sim::{Fault, FaultAction};

/// A simulator whose exports answer `body` with this Content-Disposition.
fn named(disposition: &str, size: u64) -> secmaster_sim::Simulator {
    let sim = file_sim(size);
    sim.add_fault(Fault {
        headers: vec![("Content-Disposition".into(), disposition.into())],
        ..fault("export_workflows=pass")
    })
    .unwrap();
    sim
}

#[test]
fn the_simulators_own_name_is_used() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1));
    let id = sim.workflows(PROJECT, WORKSPACE)[0].id.clone();
    let dir = Scratch::new("sim-name");
    success(export(dir.path(), &sim).args(["--id", &id]));
    assert_eq!(dir.entries(), ["workflows.json"]);
}

#[test]
fn the_name_comes_from_content_disposition() {
    let sim = named(
        "attachment; filename=\"fallback.zip\"; filename*=UTF-8''%E5%B7%A5%E4%BD%9C%E6%B5%81.zip",
        3,
    );
    let dir = Scratch::new("named");
    success(export(dir.path(), &sim).args(["--id", "a"]));
    assert_eq!(dir.entries(), ["工作流.zip"]);

    // An existing directory as --output: the suggested name inside it.
    fs::create_dir(dir.join("backups")).unwrap();
    success(export(dir.path(), &sim).args(["--id", "a", "-o", "backups"]));
    assert_eq!(entries(&dir.join("backups")), ["工作流.zip"]);
    assert_eq!(
        fs::read(dir.join("backups/工作流.zip")).unwrap(),
        export_pattern(3)
    );
}

#[test]
fn a_name_from_the_service_that_exists_is_kept_too() {
    let sim = named("attachment; filename=flows.zip", 3);
    let dir = Scratch::new("existing-named");
    fs::write(dir.join("flows.zip"), b"old").unwrap();
    run(export(dir.path(), &sim).args(["--id", "a"]), 6);
    assert_eq!(fs::read(dir.join("flows.zip")).unwrap(), b"old");
    assert_eq!(dir.entries(), ["flows.zip"]);
}

#[test]
fn a_malicious_suggested_name_stays_in_the_directory() {
    let sim = named(r#"attachment; filename="../../etc/passwd""#, 19);
    let root = Scratch::new("malicious");
    let work = root.join("a/b");
    fs::create_dir_all(&work).unwrap();
    let (_, stderr) = run(export(&work, &sim).args(["--id", "a"]), 0);
    assert_eq!(entries(&work), ["passwd"]);
    assert_eq!(fs::read(work.join("passwd")).unwrap(), export_pattern(19));
    assert_eq!(root.entries(), ["a"], "nothing written above the directory");
    assert_eq!(entries(&root.join("a")), ["b"]);
    assert!(
        stderr.contains(r#"suggested the file name "../../etc/passwd"; saving as "passwd""#),
        "{stderr}"
    );
}

#[test]
fn without_a_suggestion_the_default_name() {
    // A 200 with a body and no Content-Disposition at all.
    let sim = start(sim().fault(Fault {
        operation: "export_workflows".into(),
        action: FaultAction::Status {
            status: 200,
            retry_after: None,
            body: Some("x".into()),
        },
        times: None,
        headers: vec![("Content-Type".into(), "application/octet-stream".into())],
    }));
    let dir = Scratch::new("default-name");
    success(export(dir.path(), &sim).args(["--id", "a"]));
    assert_eq!(dir.entries(), ["workflows-W.bin"]);
    assert_eq!(fs::read(dir.join("workflows-W.bin")).unwrap(), b"x");
}
