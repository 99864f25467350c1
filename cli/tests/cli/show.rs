//! `secmaster workflows show` against the simulator.

use crate::common::*;
use secmaster_sim::workflow::seeded;
use serde_json::Value;

#[test]
fn a_table_of_every_field() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 2));
    let workflow = sim.workflows(PROJECT, WORKSPACE)[1].clone();
    let dir = Scratch::new("show-table");
    let (output, _) = run(workflows(dir.path(), &sim, "show").arg(&workflow.id), 0);
    assert!(output.stderr.is_empty());
    let table = stdout_of(&output);
    let expected = serde_json::to_value(&workflow).unwrap();
    let expected = expected.as_object().unwrap();
    assert_eq!(table.lines().count(), expected.len(), "{table}");
    let width = expected.keys().map(String::len).max().unwrap();
    for line in table.lines() {
        // `field  value`, the values aligned.
        let (field, value) = line.split_at(width);
        let shown = match &expected[field.trim_end()] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        assert_eq!(value, format!("  {shown}"), "{line}");
    }
    let request = &sim.requests()[0];
    assert_eq!(
        request.path,
        format!("/v1/P/workspaces/W/soc/workflows/{}", workflow.id)
    );
    assert_authenticated(&sim, "token");
}

#[test]
fn json_is_the_workflow_object_itself() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let workflow = sim.workflows(PROJECT, WORKSPACE)[2].clone();
    let dir = Scratch::new("show-json");
    let shown = success(
        workflows(dir.path(), &sim, "show")
            .arg(&workflow.id)
            .args(["--format", "json"]),
    );
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown, serde_json::to_value(&workflow).unwrap());
}

#[test]
fn an_unknown_id_is_the_services_error() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1));
    let dir = Scratch::new("show-unknown");
    let (output, stderr) = run(workflows(dir.path(), &sim, "show").arg("no-such-id"), 4);
    assert_eq!(
        stderr,
        format!(
            "error: HTTP 400 Bad Request, code SecMaster.Sim.WorkflowNotFound: workflow \
             no-such-id does not exist in workspace W (request id {})\n",
            request_ids(&sim)[0]
        )
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn hostile_text_in_a_workflow_is_escaped_in_both_formats() {
    let sim = start(sim());
    let mut workflow = seeded(PROJECT, WORKSPACE, 1);
    workflow.name = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}txt".into();
    sim.insert_workflow(workflow.clone());
    let dir = Scratch::new("show-hostile");
    let show = |format: &str| {
        success(
            workflows(dir.path(), &sim, "show")
                .arg(&workflow.id)
                .args(["--format", format]),
        )
    };
    for text in [show("table"), show("json")] {
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && secmaster_client::untrusted::is_unsafe(c)),
            "{text:?}"
        );
    }
    assert!(show("table").contains("evil\\u{1b}]0;pwned"));
    let json: Value = serde_json::from_str(&show("json")).unwrap();
    assert_eq!(json["name"], workflow.name, "the same value, escaped");
}

// Every other id is trimmed; the show id was sent with its blanks and
// reported as missing.
#[test]
fn the_id_is_trimmed_like_every_other_id() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 2));
    let workflow = sim.workflows(PROJECT, WORKSPACE)[1].clone();
    let dir = Scratch::new("show-trim");
    let shown = success(
        workflows(dir.path(), &sim, "show")
            .arg(format!(" {}\r", workflow.id))
            .args(["--format", "json"]),
    );
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["id"], workflow.id.as_str());
}
