//! `secmaster workflows list` against the simulator, in every format, one
//! page and every page.

use std::collections::HashSet;

use crate::common::*;
use secmaster_sim::{Fault, FaultAction, Simulator, Workflow};
use serde_json::{Value, json};

/// The workspace's workflows as the service lists them by default:
/// newest first.
fn newest_first(sim: &Simulator) -> Vec<Workflow> {
    let mut flows = sim.workflows(PROJECT, WORKSPACE);
    flows.sort_by(|a, b| (&b.create_time, &b.id).cmp(&(&a.create_time, &a.id)));
    flows
}

fn as_json(flows: &[Workflow]) -> Value {
    serde_json::to_value(flows).unwrap()
}

#[test]
fn one_page_as_a_table() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 15));
    let dir = Scratch::new("list-table");
    let (output, stderr) = run(&mut workflows(dir.path(), &sim, "list"), 0);
    assert_eq!(stderr, "workflows 1-10 of 15; --all lists every page\n");
    let rows = rows(&stdout_of(&output));
    assert_eq!(
        rows[0],
        ["ID", "NAME", "ENABLED", "TYPE", "VERSION", "UPDATED"]
    );
    let expected: Vec<Vec<String>> = newest_first(&sim)[..10]
        .iter()
        .map(|w| {
            vec![
                w.id.clone(),
                w.name.clone(),
                w.enabled.to_string(),
                w.aop_type.clone(),
                w.version.clone(),
                w.update_time.clone(),
            ]
        })
        .collect();
    assert_eq!(rows[1..], expected[..]);
    assert_eq!(sim.requests()[0].query, "", "the service's defaults");
    assert_authenticated(&sim, "token");
}

#[test]
fn one_page_as_json_keeps_every_field() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let dir = Scratch::new("list-json");
    let (output, _) = run(
        workflows(dir.path(), &sim, "list").args(["--format", "json"]),
        0,
    );
    assert!(output.stderr.is_empty(), "JSON: no summary line");
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    // Every AopWorkflowInfo field the simulator fills, with its value.
    assert_eq!(listed, as_json(&newest_first(&sim)));
    assert_eq!(listed[0].as_object().unwrap().len(), 25);
}

// The JSON of one page of many was silent about the pages it left unread.
#[test]
fn a_page_left_unread_is_a_warning_in_json_and_ids() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 15));
    let dir = Scratch::new("list-unread");
    for format in ["json", "ids"] {
        let (_, stderr) = run(
            workflows(dir.path(), &sim, "list").args(["--format", format]),
            0,
        );
        assert_eq!(
            stderr, "warning: workflows 1-10 of 15; --all lists every page\n",
            "{format}"
        );
    }
}

#[test]
fn json_keeps_fields_the_program_does_not_know() {
    let page = json!({
        "code": "00000000", "message": "success", "success": true, "request_id": "r-1",
        "total": 1, "offset": 0, "limit": 10, "size": 1, "page": 1,
        "data": [{
            "id": "w-1", "name": "from the future", "enabled": true,
            "current_rejected_versoin_id": "misspelt-but-documented",
            "risk_score": 7.5,
            "x_new_object": {"nested": [1, "two", null], "flag": false}
        }]
    });
    let sim = start(sim().fault(Fault {
        operation: "list_workflows".into(),
        action: FaultAction::Status {
            status: 200,
            retry_after: None,
            body: Some(page.to_string()),
        },
        times: None,
        headers: vec![("Content-Type".into(), "application/json".into())],
    }));
    let dir = Scratch::new("list-unknown");
    for all in [false, true] {
        let mut cmd = workflows(dir.path(), &sim, "list");
        cmd.args(["--format", "json"]);
        if all {
            cmd.arg("--all");
        }
        let listed: Value = serde_json::from_str(&success(&mut cmd)).unwrap();
        assert_eq!(listed, json!([page["data"][0]]), "--all: {all}");
    }
}

#[test]
fn one_page_as_ids_with_paging_and_filters() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 40));
    let dir = Scratch::new("list-ids");
    let ids = success(workflows(dir.path(), &sim, "list").args([
        "--format",
        "ids",
        "--limit",
        "3",
        "--offset",
        "1",
        "--name",
        "WORKFLOW-00",
        "--enabled",
        "true",
        "--aop-type",
        "SURVEY",
        "--sort-by",
        "update_time",
        "--order",
        "asc",
    ]));
    // The service filters and sorts; the same done here by hand.
    let mut matching: Vec<Workflow> = sim
        .workflows(PROJECT, WORKSPACE)
        .into_iter()
        .filter(|w| w.name.starts_with("workflow-00") && w.enabled && w.aop_type == "SURVEY")
        .collect();
    matching.sort_by(|a, b| (&a.update_time, &a.id).cmp(&(&b.update_time, &b.id)));
    let expected: Vec<&str> = matching[1..4].iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids.lines().collect::<Vec<_>>(), expected);

    let query = &sim.requests()[0].query;
    for pair in [
        "limit=3",
        "offset=1",
        "name=WORKFLOW-00",
        "enabled=true",
        "aop_type=SURVEY",
        "sortby=update_time",
        "order=ASC",
    ] {
        assert!(query.split('&').any(|p| p == pair), "{pair}: {query}");
    }
    assert_authenticated(&sim, "token");
}

#[test]
fn all_of_a_thousand_workflows_in_every_format() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1000));
    let expected = newest_first(&sim);
    let dir = Scratch::new("list-all");
    let list = |format: &str| {
        let (output, stderr) = run(
            workflows(dir.path(), &sim, "list").args(["--all", "--format", format]),
            0,
        );
        (stdout_of(&output), stderr)
    };

    let (table, note) = list("table");
    assert_eq!(note, "1000 workflows (10 pages)\n");
    let rows = rows(&table);
    assert_eq!(rows.len(), 1001);
    let names: Vec<&str> = rows[1..].iter().map(|r| r[1].as_str()).collect();
    let expected_names: Vec<&str> = expected.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, expected_names, "in the service's order");

    let (json, note) = list("json");
    assert!(note.is_empty(), "{note}");
    let listed: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(listed, as_json(&expected));

    let (ids, _) = list("ids");
    let ids: Vec<&str> = ids.lines().collect();
    let expected_ids: Vec<&str> = expected.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(ids, expected_ids);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 1000);

    // Ten pages of 100 for each format, each one authenticated.
    let requests = sim.requests();
    assert_eq!(requests.len(), 30);
    let offsets: HashSet<&str> = requests
        .iter()
        .flat_map(|r| r.query.split('&'))
        .filter(|p| p.starts_with("offset="))
        .collect();
    assert_eq!(offsets.len(), 10, "{offsets:?}");
    assert!(requests.iter().all(|r| r.query.contains("limit=100")));
    assert_authenticated(&sim, "token");
}

#[test]
fn all_refuses_more_than_the_api_can_page_to() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 10_101));
    let dir = Scratch::new("list-too-long");
    let (output, stderr) = run(
        workflows(dir.path(), &sim, "list").args(["--all", "--format", "ids"]),
        2,
    );
    assert!(stderr.contains("10101 workflows match"), "{stderr}");
    assert!(stderr.contains("narrow the list with filters"), "{stderr}");
    assert!(output.stdout.is_empty(), "never a partial list");
    assert_eq!(sim.requests().len(), 1, "stops after the first page");
}

#[test]
fn an_unknown_filter_value_is_a_usage_error() {
    let sim = start(sim());
    let dir = Scratch::new("list-usage");
    for args in [
        &["--aop-type", "normal"][..],
        &["--limit", "101"],
        &["--offset", "10001"],
        &["--format", "xml"],
        &["--limit", "-1"],
        &["--offset", "-5"],
    ] {
        let output = workflows(dir.path(), &sim, "list")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        // The message names the flag whose value is wrong.
        let stderr = stderr_of(&output);
        assert!(stderr.contains(&format!("for '{} <", args[0])), "{stderr}");
    }
    assert!(sim.requests().is_empty());
}

#[test]
fn all_in_one_request_says_so_in_the_singular() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let dir = Scratch::new("list-singular");
    let (_, note) = run(workflows(dir.path(), &sim, "list").arg("--all"), 0);
    assert_eq!(note, "3 workflows (1 page)\n");
}

// "1 workflows"; "workflows 24-24 of 25"; an empty page past the end read
// "workflows 1-0 of 5".
#[test]
fn summaries_count_in_words() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 25));
    let dir = Scratch::new("list-words");
    let note = |args: &[&str]| run(workflows(dir.path(), &sim, "list").args(args), 0).1;
    assert_eq!(
        note(&["--all", "--name", "workflow-0025"]),
        "1 workflow (1 page)\n"
    );
    assert_eq!(
        note(&["--offset", "23", "--limit", "1"]),
        "workflow 24 of 25; --all lists every page\n"
    );
    assert_eq!(
        note(&["--offset", "20", "--limit", "3"]),
        "workflows 21-23 of 25; --all lists every page\n"
    );
    assert_eq!(note(&["--offset", "30"]), "0 of 25 workflows\n");
}

// `| head` ended with "error: cannot write to standard output: Broken
// pipe" and exit 6; now quietly, with the status a SIGPIPE death gives.
#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1000));
    let dir = Scratch::new("list-head");
    let script = format!(
        "set -o pipefail; \"$0\" workflows list --endpoint {} --project-id P --workspace-id W \
         --all --format json 2> err.txt | head -c 10 > /dev/null; echo $?",
        sim.base_url()
    );
    let mut bash = process("bash");
    bash.arg("-c")
        .arg(&script)
        .arg(assert_cmd::cargo::cargo_bin("secmaster"))
        .current_dir(dir.path())
        .env("SECMASTER_AUTH_TOKEN", TOKEN);
    let output = bash.output().unwrap();
    assert_eq!(stdout_of(&output), "141\n", "{}", stderr_of(&output));
    assert_eq!(std::fs::read_to_string(dir.join("err.txt")).unwrap(), "");
}

/// The API takes one name a request: several `--name` are listed one
/// after another and merged by id, in the order of the names.
#[test]
fn several_names_are_one_listing_each_merged_by_id() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 25));
    let dir = Scratch::new("list-names");
    let (output, note) = run(
        workflows(dir.path(), &sim, "list").args([
            "--all",
            "--format",
            "json",
            "--name",
            "workflow-002",
            "--name",
            "workflow-0001",
            "--name",
            "workflow-00",
            "--name",
            "workflow-002",
        ]),
        0,
    );
    assert!(note.is_empty(), "{note}");
    let listed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    // Each name's matches in the service's order (newest first), then the
    // next name's that were not listed yet.
    let mut expected: Vec<String> = (20..=25)
        .rev()
        .map(|i| format!("workflow-{i:04}"))
        .collect();
    expected.push("workflow-0001".into());
    expected.extend((2..=19).rev().map(|i| format!("workflow-{i:04}")));
    assert_eq!(names, expected);
    // One listing per name given, a repeated name once.
    let queried: Vec<String> = sim.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(queried.len(), 3, "{queried:?}");
    for (query, name) in queried
        .iter()
        .zip(["workflow-002", "workflow-0001", "workflow-00"])
    {
        assert!(
            query.split('&').any(|p| p == format!("name={name}")),
            "{query}"
        );
    }
    let (_, note) = run(
        workflows(dir.path(), &sim, "list").args(["--all", "--name", "0001", "--name", "0002"]),
        0,
    );
    assert_eq!(note, "2 workflows (2 pages)\n");
}

#[test]
fn several_names_need_all_and_take_no_offset() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 5));
    let dir = Scratch::new("list-names-usage");
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "list").args(["--name", "a", "--name", "b"]),
        2,
    );
    assert!(
        stderr.contains("add --all to list every workflow that matches any"),
        "{stderr}"
    );
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "list")
            .args(["--all", "--offset", "2", "--name", "a", "--name", "b"]),
        2,
    );
    assert!(
        stderr.contains("--offset cannot apply to several --name"),
        "{stderr}"
    );
    assert!(sim.requests().is_empty());
    // One name is one request, paged as ever.
    let (_, note) = run(
        workflows(dir.path(), &sim, "list").args(["--name", "workflow-000", "--limit", "2"]),
        0,
    );
    assert_eq!(note, "workflows 1-2 of 5; --all lists every page\n");
}
