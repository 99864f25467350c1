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

fn names_in(sim: &secmaster_sim::Simulator, workspace: &str) -> Vec<String> {
    let mut names: Vec<String> = sim
        .workflows(PROJECT, workspace)
        .into_iter()
        .map(|w| w.name)
        .collect();
    names.sort();
    names
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
        format!("imported flows.json (request id {})\n", request.request_id)
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
