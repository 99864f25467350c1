//! `secmaster workspaces list` and `show` against the simulator, and a
//! workspace that does not exist, named by every command.

use std::collections::HashSet;

use crate::common::*;
use secmaster_sim::{Simulator, Workspace};
use serde_json::{Value, json};

/// The project's workspaces as the service lists them: oldest first.
fn listed(sim: &Simulator) -> Vec<Workspace> {
    let mut spaces = sim.workspaces(PROJECT);
    spaces.sort_by(|a, b| (&a.create_time, &a.id).cmp(&(&b.create_time, &b.id)));
    spaces
}

/// `workspaces` as the command prints them in JSON: every field, but an
/// empty list (`workspace_agency_list`) is left out, as the library's
/// generated types leave it out.
fn as_printed(workspaces: &[Workspace]) -> Vec<Value> {
    workspaces
        .iter()
        .map(|w| {
            let mut value = json!(w);
            let object = value.as_object_mut().unwrap();
            object.retain(|_, v| v.as_array().is_none_or(|a| !a.is_empty()));
            value
        })
        .collect()
}

fn query_pairs(sim: &Simulator) -> Vec<Vec<String>> {
    sim.requests()
        .iter()
        .map(|r| r.query.split('&').map(str::to_owned).collect())
        .collect()
}

#[test]
fn one_page_as_a_table() {
    let sim = start(sim().workspaces(PROJECT, 150));
    let dir = Scratch::new("ws-table");
    let (output, stderr) = run(&mut workspaces(dir.path(), &sim, "list"), 0);
    // The three the tests' simulator always has, and 150 more.
    assert_eq!(stderr, "workspaces 1-10 of 153; --all lists every page\n");
    let rows = rows(&stdout_of(&output));
    assert_eq!(rows[0], ["ID", "NAME", "CREATED", "DESCRIPTION"]);
    let expected: Vec<Vec<String>> = listed(&sim)[..10]
        .iter()
        .map(|w| vec![w.id.clone(), w.name.clone(), w.create_time.clone()])
        .collect();
    assert_eq!(rows[1..], expected[..]);
    // The API requires both; the first page of 10, as the workflow list's
    // service default.
    let query = &query_pairs(&sim)[0];
    assert!(query.contains(&"offset=0".to_owned()), "{query:?}");
    assert!(query.contains(&"limit=10".to_owned()), "{query:?}");
    assert_eq!(sim.requests()[0].path, "/v1/P/workspaces");
    assert_authenticated(&sim, "token");
}

#[test]
fn all_of_153_workspaces_in_every_format() {
    let sim = start(sim().workspaces(PROJECT, 150));
    let expected = listed(&sim);
    assert_eq!(expected.len(), 153);
    let dir = Scratch::new("ws-all");
    let list = |format: &str| {
        let (output, stderr) = run(
            workspaces(dir.path(), &sim, "list").args(["--all", "--format", format]),
            0,
        );
        (stdout_of(&output), stderr)
    };

    let (table, note) = list("table");
    assert_eq!(note, "153 workspaces (2 pages)\n");
    let names: Vec<String> = rows(&table)[1..].iter().map(|r| r[1].clone()).collect();
    let expected_names: Vec<String> = expected.iter().map(|w| w.name.clone()).collect();
    assert_eq!(names, expected_names, "in the service's order");

    let (json, note) = list("json");
    assert!(note.is_empty(), "{note}");
    let listed: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(listed, json!(as_printed(&expected)));

    let (ids, _) = list("ids");
    let ids: Vec<&str> = ids.lines().collect();
    let expected_ids: Vec<&str> = expected.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, expected_ids);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 153);

    // Two pages of 100 for each format: no documented largest page, so the
    // pager's own size.
    let queries = query_pairs(&sim);
    assert_eq!(queries.len(), 6);
    for query in &queries {
        assert!(query.contains(&"limit=100".to_owned()), "{query:?}");
    }
    let offsets: HashSet<&String> = queries
        .iter()
        .flatten()
        .filter(|p| p.starts_with("offset="))
        .collect();
    assert_eq!(offsets.len(), 2, "{offsets:?}");
    assert_authenticated(&sim, "token");
}

// JSON and ids have no summary line; a page that leaves workspaces unread
// gets a warning, since a pipe would take it for the whole list.
#[test]
fn a_page_left_unread_is_a_warning_in_every_format() {
    let sim = start(sim().workspaces(PROJECT, 150));
    let dir = Scratch::new("ws-unread");
    for format in ["json", "ids"] {
        let (_, stderr) = run(
            workspaces(dir.path(), &sim, "list").args(["--format", format, "--limit", "5", "-q"]),
            0,
        );
        assert_eq!(
            stderr, "warning: workspaces 1-5 of 153; --all lists every page\n",
            "{format}"
        );
        let (_, stderr) = run(
            workspaces(dir.path(), &sim, "list").args(["--format", format, "--offset", "150"]),
            0,
        );
        assert_eq!(stderr, "", "{format}: the last page leaves nothing unread");
    }
}

#[test]
fn paging_and_the_name_filter_are_sent_as_given() {
    let sim = start(sim().workspaces(PROJECT, 30));
    let dir = Scratch::new("ws-filter");
    let (output, stderr) = run(
        workspaces(dir.path(), &sim, "list").args([
            "--name",
            "workspace-001",
            "--offset",
            "2",
            "--limit",
            "3",
        ]),
        0,
    );
    let matching: Vec<Workspace> = listed(&sim)
        .into_iter()
        .filter(|w| w.name.contains("workspace-001"))
        .collect();
    assert_eq!(matching.len(), 10, "workspace-0010 to -0019");
    let ids: Vec<String> = rows(&stdout_of(&output))[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let expected: Vec<String> = matching[2..5].iter().map(|w| w.id.clone()).collect();
    assert_eq!(ids, expected);
    assert_eq!(stderr, "workspaces 3-5 of 10; --all lists every page\n");
    let query = &query_pairs(&sim)[0];
    for pair in ["name=workspace-001", "offset=2", "limit=3"] {
        assert!(query.contains(&pair.to_owned()), "{pair}: {query:?}");
    }
}

#[test]
fn bad_paging_values_are_usage_errors_before_any_request() {
    let sim = start(sim());
    let dir = Scratch::new("ws-usage");
    for args in [
        &["--limit", "0"][..],
        &["--limit", "-1"],
        &["--offset", "-5"],
        &["--offset", "x"],
        &["--format", "xml"],
    ] {
        let (_, stderr) = run(workspaces(dir.path(), &sim, "list").args(args), 2);
        assert!(stderr.contains(&format!("for '{} <", args[0])), "{stderr}");
    }
    // A workspace command takes no workspace.
    let (_, stderr) = run(
        workspaces(dir.path(), &sim, "list").args(["--workspace-id", "W"]),
        2,
    );
    assert!(stderr.contains("--workspace-id"), "{stderr}");
    assert!(sim.requests().is_empty());
}

#[test]
fn text_from_the_service_is_escaped_in_the_table_and_kept_in_json() {
    let sim = start(sim());
    let mut hostile = Workspace::new(
        PROJECT,
        "evil",
        "x\u{1b}[2J\u{202e}",
        "2030-01-01T00:00:00Z",
    );
    hostile.description = "line\nbreak".into();
    sim.add_workspace(hostile).unwrap();
    let dir = Scratch::new("ws-hostile");
    let table = success(workspaces(dir.path(), &sim, "list").args(["--all"]));
    let last = table.lines().last().unwrap();
    assert_eq!(
        last, "evil   x\\u{1b}[2J\\u{202e}  2030-01-01T00:00:00Z  line\\nbreak",
        "{table}"
    );
    let json = success(workspaces(dir.path(), &sim, "list").args(["--all", "--format", "json"]));
    assert!(
        !json.contains('\u{1b}') && !json.contains('\u{202e}'),
        "{json}"
    );
    let listed: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(listed[3]["name"], "x\u{1b}[2J\u{202e}");
}

#[test]
fn show_prints_every_field_or_the_object_as_json() {
    let sim = start(sim().workspaces(PROJECT, 2));
    let workspace = listed(&sim)[4].clone();
    let dir = Scratch::new("ws-show");
    let (output, _) = run(workspaces(dir.path(), &sim, "show").arg(&workspace.id), 0);
    assert!(output.stderr.is_empty());
    let table = stdout_of(&output);
    let printed = as_printed(std::slice::from_ref(&workspace)).remove(0);
    let expected = printed.as_object().unwrap();
    assert_eq!(table.lines().count(), expected.len(), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("name ") && l.ends_with("  workspace-0002")),
        "{table}"
    );

    let json = success(
        workspaces(dir.path(), &sim, "show")
            .arg(&workspace.id)
            .args(["--format", "json"]),
    );
    let shown: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(shown, printed);
    assert_eq!(
        sim.requests()[0].path,
        format!("/v1/P/workspaces/{}", workspace.id)
    );
    assert_authenticated(&sim, "token");
}

#[test]
fn show_of_a_workspace_that_does_not_exist_names_it() {
    let sim = start(sim());
    let dir = Scratch::new("ws-missing");
    let (output, stderr) = run(workspaces(dir.path(), &sim, "show").arg("nope"), 3);
    assert!(output.stdout.is_empty());
    assert_eq!(
        stderr,
        format!(
            "error: no workspace \"nope\" in this project (secmaster workspaces list shows them): \
             HTTP 403 Forbidden, code SecMaster.20010001: workspace nope does not exist in \
             project P (request id {})\n",
            request_ids(&sim)[0]
        )
    );
}

#[test]
fn every_workflow_command_names_a_workspace_that_does_not_exist() {
    let sim = start(sim());
    let dir = Scratch::new("ws-missing-workflows");
    std::fs::write(dir.join("flows.json"), b"{}").unwrap();
    let commands: [(&str, &[&str]); 4] = [
        ("list", &["--all"]),
        ("show", &["some-id"]),
        ("import", &["flows.json"]),
        ("export", &["--id", "a", "-o", "out.bin"]),
    ];
    for (command, args) in commands {
        let (output, stderr) = run(
            workflows_in(dir.path(), &sim, command, "nope").args(args),
            3,
        );
        assert!(output.stdout.is_empty(), "{command}");
        assert!(
            stderr.starts_with("error: no workspace \"nope\" in this project")
                && stderr.contains("code SecMaster.20010001"),
            "{command}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert_eq!(dir.entries(), ["flows.json"], "nothing written");
    assert_eq!(sim.requests().len(), 4, "one refused request each");
}
