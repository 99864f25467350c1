//! `--format yaml|tsv|csv` and `--query` for every command that prints
//! records, and the JSON error object of `--format json`.

use crate::common::*;
use crate::import::export_file;
use secmaster_sim::testing::answer;
use secmaster_sim::workflow::seeded;
use serde_json::{Value, json};

/// Text no terminal should receive: OSC title change, CSI screen clear,
/// BEL, CR, line feed, tab and bidirectional overrides.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n\t\u{202e}evil\u{2066}";

/// No character a terminal must not receive, but line breaks and the tabs
/// `separators` allows.
fn assert_terminal_safe(text: &str, separators: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || separators.contains(c) || !secmaster_client::untrusted::is_unsafe(c),
            "unsafe character U+{:04X} reached the terminal in {text:?}",
            u32::from(c)
        );
    }
}

/// `workflows list --all` of three seeded workflows, in `args`.
fn listed(args: &[&str]) -> (String, String) {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let dir = Scratch::new("formats");
    let (output, stderr) = run(
        workflows(dir.path(), &sim, "list").arg("--all").args(args),
        0,
    );
    (stdout_of(&output), stderr)
}

/// The columns of TSV and CSV for `records`: the properties the API
/// document gives `schema`, in its order, then any other key, sorted.
fn columns(schema: &str, records: &[&Value]) -> Vec<String> {
    let document: serde_yaml::Value =
        serde_yaml::from_str(include_str!("../../../openapi/secmaster.yaml")).unwrap();
    let properties = &document["components"]["schemas"][schema]["properties"];
    let mut columns: Vec<String> = properties
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    let mut others: Vec<String> = records
        .iter()
        .flat_map(|r| r.as_object().unwrap().keys())
        .filter(|k| !columns.contains(k))
        .cloned()
        .collect();
    others.sort();
    others.dedup();
    columns.extend(others);
    columns
}

/// A record's cells under `columns`, as TSV and CSV write plain values.
fn cells(record: &Value, columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .map(|k| match &record[k.as_str()] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        })
        .collect()
}

/// What `--format json` prints, for comparison.
fn as_json(args: &[&str]) -> Value {
    let (json, _) = listed(&[args, &["--format", "json"]].concat());
    serde_json::from_str(&json).unwrap()
}

#[test]
fn yaml_is_the_json_document() {
    let (yaml, stderr) = listed(&["--format", "yaml"]);
    assert!(stderr.is_empty(), "{stderr}");
    assert!(yaml.starts_with("- aop_type: "), "{yaml}");
    let read: Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(read, as_json(&[]));
}

#[test]
fn tsv_and_csv_are_a_line_per_record_with_every_field() {
    let records = as_json(&[]);
    let records = records.as_array().unwrap();
    let keys = columns("AopWorkflowInfo", &records.iter().collect::<Vec<_>>());
    let cells = |record: &Value| cells(record, &keys);

    let (tsv, _) = listed(&["--format", "tsv"]);
    let lines: Vec<&str> = tsv.lines().collect();
    assert_eq!(lines.len(), 3, "no header: {tsv}");
    for (line, record) in lines.iter().zip(records) {
        assert_eq!(line.split('\t').collect::<Vec<_>>(), cells(record));
    }

    let (csv, _) = listed(&["--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "a header, then the records: {csv}");
    assert_eq!(lines[0].split(',').collect::<Vec<_>>(), keys);
    // Seeded descriptions hold no comma or quote: every cell is bare.
    for (line, record) in lines[1..].iter().zip(records) {
        assert_eq!(line.split(',').collect::<Vec<_>>(), cells(record));
    }
}

#[test]
fn a_query_shapes_the_json_before_the_format() {
    let flows = as_json(&[]);
    let survey: Vec<&Value> = flows
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["aop_type"] == "SURVEY")
        .collect();
    let first = &flows[0];
    let query = "[?aop_type=='SURVEY'].{id: id, name: name}";
    let (csv, _) = listed(&["--format", "csv", "--query", query]);
    let expected: String = std::iter::once("id,name\n".to_owned())
        .chain(survey.iter().map(|w| {
            format!(
                "{},{}\n",
                w["id"].as_str().unwrap(),
                w["name"].as_str().unwrap()
            )
        }))
        .collect();
    assert_eq!(csv, expected);

    // A list of lists: cells in the query's order, no header.
    let (tsv, _) = listed(&["--format", "tsv", "--query", "[].[name, enabled, id]"]);
    assert_eq!(
        tsv.lines().next().unwrap(),
        format!(
            "{}\t{}\t{}",
            first["name"].as_str().unwrap(),
            first["enabled"],
            first["id"].as_str().unwrap()
        )
    );
    let (csv, _) = listed(&["--format", "csv", "--query", "[].[name, id]"]);
    assert_eq!(csv.lines().count(), 3, "no names, no header: {csv}");

    // One value: printed as it is; JSON and YAML as documents.
    let (table, _) = listed(&["--query", "length(@)"]);
    assert_eq!(table, "3\n");
    let (json, _) = listed(&["--format", "json", "--query", "[0].{n: name}"]);
    assert_eq!(
        serde_json::from_str::<Value>(&json).unwrap(),
        json!({"n": first["name"]})
    );
    let (yaml, _) = listed(&["--format", "yaml", "--query", "[].name"]);
    let names: Vec<&Value> = flows
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["name"])
        .collect();
    assert_eq!(serde_yaml::from_str::<Value>(&yaml).unwrap(), json!(names));

    // A table of what the query made: its keys as the header.
    let (table, stderr) = listed(&["--query", "[].{name: name, enabled: enabled}"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(lines[0].starts_with("enabled  name"), "{table}");
    assert_eq!(
        stderr, "3 workflows (1 page)\n",
        "the summary counts what was listed"
    );

    // Ids of the records the query kept.
    let (ids, _) = listed(&["--format", "ids", "--query", "[?aop_type=='SURVEY']"]);
    let expected: Vec<&str> = survey.iter().map(|w| w["id"].as_str().unwrap()).collect();
    assert_eq!(ids.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn ids_of_a_query_that_is_no_list_are_refused() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let dir = Scratch::new("formats-ids");
    let (output, stderr) = run(
        workflows(dir.path(), &sim, "list").args(["--format", "ids", "--query", "[0]"]),
        2,
    );
    assert!(output.stdout.is_empty());
    assert_eq!(
        stderr,
        "error: --format ids prints a list, and --query made an object\n"
    );
}

#[test]
fn a_bad_query_is_a_usage_error_before_any_request() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let dir = Scratch::new("formats-bad-query");
    export_file(dir.path(), "flows.json", 1);
    for (query, says) in [
        ("[?name==", "--query \"[?name==\": "),
        ("lenght(@)", "there is no function lenght()"),
        (
            "length(@, name)",
            "length(): Too many arguments: expected 1, found 2",
        ),
        ("[::0]", "a slice's step cannot be 0"),
    ] {
        for (command, extra) in [
            ("list", &[][..]),
            ("show", &["some-id"][..]),
            ("import", &["flows.json", "--format", "json"][..]),
        ] {
            let (output, stderr) = run(
                workflows(dir.path(), &sim, command)
                    .args(extra)
                    .args(["--query", query]),
                2,
            );
            assert!(output.stdout.is_empty());
            assert!(
                stderr.starts_with("error: --query \""),
                "{command}: {stderr}"
            );
            assert!(stderr.contains(says), "{command}: {stderr}");
            // With --format json, the JSON object follows.
            let lines = stderr.lines().filter(|l| !l.starts_with('{')).count();
            assert_eq!(lines, 1, "{stderr}");
        }
        for command in ["list", "show"] {
            let mut cmd = workspaces(dir.path(), &sim, command);
            if command == "show" {
                cmd.arg(WORKSPACE);
            }
            run(cmd.args(["--query", query]), 2);
        }
    }
    let long = "a".repeat(1001);
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "list").args(["--query", &long]),
        2,
    );
    assert!(
        stderr.contains("1001 characters, more than the 1000 taken"),
        "{stderr}"
    );
    // The table of an import is its summary line: a query has nothing to
    // shape.
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "import").args(["flows.json", "--query", "message"]),
        2,
    );
    assert!(
        stderr.contains("--query applies to the answer printed with --format json"),
        "{stderr}"
    );
    assert!(sim.requests().is_empty(), "nothing was sent");
}

#[test]
fn a_query_that_fails_on_the_answer_is_a_usage_error() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3));
    let dir = Scratch::new("formats-type-error");
    let (output, stderr) = run(
        workflows(dir.path(), &sim, "list").args(["--query", "[].length(enabled)"]),
        2,
    );
    assert!(output.stdout.is_empty());
    assert!(
        stderr.contains("Argument 0 expects type array|object|string, given boolean"),
        "{stderr}"
    );
}

#[test]
fn show_and_workspaces_in_every_format() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 2));
    let dir = Scratch::new("formats-objects");
    let id = seeded(PROJECT, WORKSPACE, 1).id;
    let shown = |format: &str, query: Option<&str>| {
        let mut cmd = workflows(dir.path(), &sim, "show");
        cmd.args([id.as_str(), "--format", format]);
        if let Some(query) = query {
            cmd.args(["--query", query]);
        }
        success(&mut cmd)
    };
    let json: Value = serde_json::from_str(&shown("json", None)).unwrap();
    assert_eq!(
        serde_yaml::from_str::<Value>(&shown("yaml", None)).unwrap(),
        json
    );
    let csv = shown("csv", None);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "a header and the one record: {csv}");
    let keys: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(keys, columns("AopWorkflowInfo", &[&json]));
    assert_eq!(
        lines[1].split(',').collect::<Vec<_>>(),
        cells(&json, &columns("AopWorkflowInfo", &[&json]))
    );
    assert_eq!(shown("tsv", None).lines().count(), 1);
    assert_eq!(
        shown("tsv", Some("[id, name]")),
        format!("{id}\tworkflow-0001\n")
    );
    assert_eq!(shown("table", Some("name")), "workflow-0001\n");
    assert_eq!(
        shown("table", Some("{id: id, name: name}")),
        format!("id    {id}\nname  workflow-0001\n")
    );

    let listed: Value = serde_json::from_str(&success(
        workspaces(dir.path(), &sim, "list").args(["--format", "json"]),
    ))
    .unwrap();
    let yaml = success(workspaces(dir.path(), &sim, "list").args(["--format", "yaml"]));
    assert_eq!(serde_yaml::from_str::<Value>(&yaml).unwrap(), listed);
    let csv = success(workspaces(dir.path(), &sim, "list").args([
        "--format",
        "csv",
        "--query",
        "[].{id: id, name: name}",
    ]));
    assert_eq!(csv.lines().next(), Some("id,name"));
    assert_eq!(csv.lines().count(), 4, "three workspaces: {csv}");
    let tsv = success(workspaces(dir.path(), &sim, "show").args([
        WORKSPACE,
        "--format",
        "tsv",
        "--query",
        "[id, name]",
    ]));
    assert_eq!(tsv.split('\t').next(), Some(WORKSPACE));
}

#[test]
fn cells_are_quoted_and_escaped() {
    let sim = start(sim());
    let mut flow = seeded(PROJECT, WORKSPACE, 1);
    flow.name = "a,\"b\"\tc\\d\ne".into();
    flow.description = " padded ".into();
    sim.insert_workflow(flow);
    let dir = Scratch::new("formats-cells");
    let list = |format: &str| {
        success(workflows(dir.path(), &sim, "list").args([
            "--format",
            format,
            "--query",
            "[].[name, description, enabled]",
        ]))
    };
    // TSV: tab, line breaks and backslash escaped, so that the cell reads
    // back exactly.
    assert_eq!(list("tsv"), "a,\"b\"\\tc\\\\d\\ne\t padded \ttrue\n");
    // CSV: RFC 4180 quotes; the same escapes as TSV (a backslash doubled,
    // so that `\n` the text and a line break stay apart).
    assert_eq!(
        list("csv"),
        "\"a,\"\"b\"\"\\tc\\\\d\\ne\",\" padded \",true\n"
    );
}

#[test]
fn server_text_is_escaped_in_every_format() {
    let sim = start(sim());
    let mut flow = seeded(PROJECT, WORKSPACE, 1);
    flow.name = format!("name{HOSTILE}");
    flow.labels = HOSTILE.to_owned();
    sim.insert_workflow(flow);
    let dir = Scratch::new("formats-hostile");
    for args in [
        &["--format", "yaml"][..],
        &["--format", "tsv"],
        &["--format", "csv"],
        &[
            "--format",
            "table",
            "--query",
            "[].{name: name, labels: labels}",
        ],
        &["--format", "table", "--query", "[].name"],
        &["--format", "json", "--query", "[].name"],
    ] {
        let printed = success(workflows(dir.path(), &sim, "list").args(args));
        assert_terminal_safe(&printed, if args[1] == "tsv" { "\t" } else { "" });
        assert!(printed.contains("evil"), "{args:?}: {printed}");
    }
    // YAML keeps the value: a document holding what YAML cannot escape
    // outside double quotes is written in its JSON style.
    let yaml = success(workflows(dir.path(), &sim, "list").args(["--format", "yaml"]));
    let read: Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(read[0]["name"], format!("name{HOSTILE}"));
    let id = seeded(PROJECT, WORKSPACE, 1).id;
    for format in ["yaml", "tsv", "csv"] {
        let shown = success(workflows(dir.path(), &sim, "show").args([&id, "--format", format]));
        assert_terminal_safe(&shown, if format == "tsv" { "\t" } else { "" });
    }
}

/// The last line of standard error, as JSON.
fn json_error(stderr: &str) -> Value {
    serde_json::from_str(stderr.lines().last().unwrap()).unwrap()
}

#[test]
fn a_failure_under_format_json_is_also_a_json_object() {
    let sim = start(sim().token("another-token"));
    let dir = Scratch::new("formats-json-error");
    let (output, stderr) = run(
        workflows(dir.path(), &sim, "list").args(["--format", "json"]),
        3,
    );
    assert!(output.stdout.is_empty());
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "the error, the hint, the object: {stderr}");
    assert!(
        lines[0].starts_with("error: HTTP 401 Unauthorized"),
        "{stderr}"
    );
    assert!(lines[1].starts_with("hint: "), "{stderr}");
    assert_eq!(
        json_error(&stderr),
        json!({"error": {
            "status": 401,
            "code": "APIGW.0301",
            "message": lines[0].strip_prefix("error: ").unwrap(),
            "request_id": request_ids(&sim)[0],
            "exit": 3,
        }})
    );

    // A failure of this program: what the service did not say is null.
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "show").args(["x", "--format", "json", "--query", "[?"]),
        2,
    );
    let error = json_error(&stderr);
    assert_eq!(error["error"]["exit"], 2);
    assert_eq!(error["error"]["status"], Value::Null);
    assert_eq!(error["error"]["code"], Value::Null);
    assert_eq!(error["error"]["request_id"], Value::Null);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("--query")
    );

    // Other formats: the error line alone.
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "list").args(["--format", "csv"]),
        3,
    );
    assert!(!stderr.contains('{'), "{stderr}");
}

#[test]
fn the_json_error_object_is_escaped_and_valid() {
    let body = json!({"error_code": format!("APIGW.0308{HOSTILE}"), "error_msg": HOSTILE});
    let sim = start(sim().fault(answer(
        "show_workspace",
        400,
        &body.to_string(),
        &[("Content-Type", "application/json")],
    )));
    let dir = Scratch::new("formats-json-error-hostile");
    let (_, stderr) = run(
        workspaces(dir.path(), &sim, "show").args([WORKSPACE, "--format", "json"]),
        4,
    );
    assert_terminal_safe(&stderr, "");
    let error = json_error(&stderr);
    assert_eq!(error["error"]["status"], 400);
    assert_eq!(error["error"]["code"], format!("APIGW.0308{HOSTILE}"));
    assert_eq!(error["error"]["exit"], 4);
}

/// Pages whose records have different fields get the same TSV columns, so
/// that `cut -f2` reads the name on any page (it read the id on a page
/// whose records had a description, the name on one whose had not).
#[test]
fn tsv_columns_do_not_depend_on_the_page() {
    let page = |records: Value| {
        let body = json!({"code": "0", "request_id": "r", "total": 1, "data": records});
        let sim = start(sim().fault(answer(
            "list_workflows",
            200,
            &body.to_string(),
            &[("Content-Type", "application/json")],
        )));
        let dir = Scratch::new("formats-pages");
        success(workflows(dir.path(), &sim, "list").args(["--format", "tsv"]))
    };
    let first = page(json!([{"id": "a", "name": "one", "zz": 1}]));
    let second = page(json!([{"id": "b", "description": "d", "name": "two", "enabled": null}]));
    let cut = |text: &str, n: usize| -> Vec<String> {
        text.lines()
            .map(|l| l.split('\t').nth(n).unwrap().to_owned())
            .collect()
    };
    assert_eq!(cut(&first, 0), ["a"]);
    assert_eq!(cut(&first, 1), ["one"]);
    assert_eq!(cut(&second, 1), ["two"]);
    assert_eq!(cut(&second, 2), ["d"]);
    let documented = columns("AopWorkflowInfo", &[]).len();
    assert_eq!(
        first.trim_end().split('\t').count(),
        documented + 1,
        "{first:?}"
    );
    assert_eq!(
        second.trim_end_matches('\n').split('\t').count(),
        documented,
        "{second:?}"
    );
}

/// The `--query` example of a command's `--help`.
fn query_example(dir: &std::path::Path, command: &[&str]) -> String {
    let help = success(secmaster(dir).args(command).arg("--help"));
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let start = help.find("(for example '").expect("an example") + "(for example '".len();
    let end = start + help[start..].find("')").expect("the example's end");
    help[start..end].to_owned()
}

/// The `--query` example of each command's help selects something: it
/// printed null (show) or [] (workspaces) when the examples were a list's.
#[test]
fn the_help_examples_of_query_work() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 2));
    let dir = Scratch::new("formats-query-help");
    let id = seeded(PROJECT, WORKSPACE, 1).id;
    let run_example = |command: &[&str], mut cmd: assert_cmd::Command| {
        let example = query_example(dir.path(), command);
        let printed = success(cmd.args(["--format", "json", "--query", &example]));
        let printed: Value = serde_json::from_str(&printed).unwrap();
        (example, printed)
    };
    let mut list = workflows(dir.path(), &sim, "list");
    list.arg("--all");
    let (example, printed) = run_example(&["workflows", "list"], list);
    assert!(
        printed.as_array().is_some_and(|a| !a.is_empty()),
        "{example}: {printed}"
    );
    let mut show = workflows(dir.path(), &sim, "show");
    show.arg(&id);
    let (example, printed) = run_example(&["workflows", "show"], show);
    assert_eq!(printed["id"], json!(id), "{example}: {printed}");
    assert_eq!(printed["name"], "workflow-0001", "{example}: {printed}");
    let (example, printed) = run_example(
        &["workspaces", "list"],
        workspaces(dir.path(), &sim, "list"),
    );
    assert_eq!(
        printed.as_array().map(Vec::len),
        Some(3),
        "{example}: {printed}"
    );
    assert!(printed[0]["id"].is_string(), "{example}: {printed}");
    let mut show = workspaces(dir.path(), &sim, "show");
    show.arg(WORKSPACE);
    let (example, printed) = run_example(&["workspaces", "show"], show);
    assert_eq!(printed["id"], WORKSPACE, "{example}: {printed}");
    assert!(printed["created"].is_string(), "{example}: {printed}");
}

/// `--query '&name'` makes an expression reference, not a value: exit 2
/// (it printed Rust's debugging text, exit 0).
#[test]
fn an_expression_reference_is_refused() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1));
    let dir = Scratch::new("formats-expref");
    let (output, stderr) = run(
        workflows(dir.path(), &sim, "list").args(["--format", "json", "--query", "&name"]),
        2,
    );
    assert!(output.stdout.is_empty());
    assert!(
        stderr.contains("an expression reference (&...)"),
        "{stderr}"
    );
}
