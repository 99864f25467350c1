//! `secmaster api`: every operation of the document from the command line,
//! checked against the table before anything is sent, against the
//! simulator.

use std::fs;

use crate::common::*;
use crate::import::export_file;
use secmaster_sim::workflow::seeded;
use serde_json::{Value, json};

#[test]
fn the_list_shows_every_operation_of_the_table() {
    let dir = Scratch::new("api-list");
    let (output, stderr) = run(secmaster(dir.path()).args(["api", "--list"]), 0);
    assert!(stderr.is_empty(), "{stderr}");
    let text = stdout_of(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("OPERATION  "), "{text}");
    let table = secmaster_client::operations::OPERATIONS;
    assert_eq!(lines.len(), table.len() + 1, "{text}");
    let path_at = lines[0].find("PATH").unwrap();
    for (line, op) in lines[1..].iter().zip(table) {
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[..3], [op.id, op.method.as_str(), op.path], "{line}");
        assert!(line.ends_with(op.summary), "{line}");
        assert_eq!(line.find(op.path), Some(path_at), "aligned: {text}");
    }
    // With the connection flags a shell function adds to every command
    // (README.md's try-it flow), which --list does not need.
    let with_flags = success(secmaster(dir.path()).args([
        "api",
        "--list",
        "--endpoint",
        "http://127.0.0.1:9",
        "--project-id",
        PROJECT,
    ]));
    assert_eq!(with_flags, text);
    let (_, stderr) = run(
        secmaster(dir.path()).args(["api", "--list", "list_workflows"]),
        2,
    );
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn a_bad_argument_is_refused_naming_it_and_nothing_is_sent() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1));
    let dir = Scratch::new("api-bad");
    let cases: [(&[&str], &str); 10] = [
        (
            &["list_workflows", "limit=0"],
            "list_workflows: parameter limit: 0 is outside 1..=100",
        ),
        (
            &["list_workflows", "limit=ten"],
            "parameter limit: \"ten\" is not a whole number",
        ),
        (
            &["list_workflows", "offset=10001"],
            "parameter offset: 10001 is outside 0..=10000",
        ),
        (
            &["list_workflows", "order=asc"],
            "parameter order: \"asc\" is not one of ASC, DESC",
        ),
        (
            &["list_workflows", "enabled=yes"],
            "parameter enabled: \"yes\" is not true or false",
        ),
        (
            &["list_workflows", "colour=red"],
            "list_workflows: no parameter \"colour\" (it has: project_id, workspace_id",
        ),
        (
            &["show_workflow"],
            "show_workflow: parameter workflow_id is required",
        ),
        (
            &["list_workspaces", "limit=5"],
            "list_workspaces: parameter offset is required",
        ),
        (&["list_workflows", "limit"], "\"limit\" is not NAME=VALUE"),
        (
            &["show_workflow", "workflow_id=.."],
            "workflow_id \"..\" cannot be sent as one path segment",
        ),
    ];
    for (args, expected) in cases {
        let mut cmd = api(dir.path(), &sim);
        cmd.args(["--project-id", PROJECT]).args(args);
        if args[0] != "list_workspaces" {
            cmd.args(["--workspace-id", WORKSPACE]);
        }
        let (output, stderr) = run(&mut cmd, 2);
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert!(sim.requests().is_empty(), "nothing was sent");
}

#[test]
fn an_unknown_operation_is_a_usage_error_naming_the_nearest() {
    let dir = Scratch::new("api-typo");
    let (_, stderr) = run(secmaster(dir.path()).args(["api", "list_workflow"]), 2);
    assert!(
        stderr.contains("invalid value 'list_workflow' for '[OPERATION]'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("a similar value exists: 'list_workflows'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("list_workspaces, show_workspace"),
        "{stderr}"
    );
}

#[test]
fn a_json_answer_is_printed_as_the_service_sent_it() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 12));
    let dir = Scratch::new("api-json");
    let printed = success(api(dir.path(), &sim).args([
        "list_workflows",
        "--project-id",
        PROJECT,
        "--workspace-id",
        WORKSPACE,
        "limit=5",
        "sortby=update_time",
    ]));
    let printed: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(printed["total"], 12);
    assert_eq!(printed["success"], true);
    // The page `workflows list` shows for the same query.
    let listed = success(workflows(dir.path(), &sim, "list").args([
        "--limit",
        "5",
        "--sort-by",
        "update_time",
        "--format",
        "json",
    ]));
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(printed["data"], listed);
    let request = &sim.requests()[0];
    assert_eq!(request.path, "/v1/P/workspaces/W/soc/workflows");
    assert_eq!(request.query, "limit=5&sortby=update_time");
    assert_authenticated(&sim, "token");
}

#[test]
fn server_text_in_a_json_answer_is_escaped_and_keeps_its_value() {
    let sim = start(sim());
    let mut hostile = seeded(PROJECT, WORKSPACE, 1);
    hostile.name = "x\u{1b}]0;owned\u{7}\u{202e}\u{9b}".into();
    sim.insert_workflow(hostile.clone());
    let dir = Scratch::new("api-escape");
    let printed = success(api(dir.path(), &sim).args([
        "show_workflow",
        "--project-id",
        PROJECT,
        "--workspace-id",
        WORKSPACE,
        &format!("workflow_id={}", hostile.id),
    ]));
    assert!(
        !printed
            .chars()
            .any(|c| c != '\n' && secmaster_client::untrusted::is_unsafe(c)),
        "{printed:?}"
    );
    let printed: Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(printed["data"]["name"], hostile.name.as_str());
}

#[test]
fn project_and_workspace_come_from_name_value_the_flags_or_the_environment() {
    let sim = start(sim());
    let dir = Scratch::new("api-defaults");
    let shown =
        success(api(dir.path(), &sim).args(["show_workspace", "project_id=P", "workspace_id=W2"]));
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["workspace"]["id"], "W2");
    let page = success(
        api(dir.path(), &sim)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT)
            .args(["list_workspaces", "offset=1", "limit=1"]),
    );
    let page: Value = serde_json::from_str(&page).unwrap();
    assert_eq!(page["count"], 3);
    assert_eq!(page["workspaces"][0]["id"], "W2");
    let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/v1/P/workspaces/W2", "/v1/P/workspaces"]);

    let refusals: [(&[&str], &str); 4] = [
        (
            &["list_workflows", "--project-id", PROJECT],
            "no workspace id: pass --workspace-id, set SECMASTER_WORKSPACE_ID, give workspace_id \
             in a profile, or give workspace_id=ID",
        ),
        (
            &["list_workflows", "--workspace-id", WORKSPACE],
            "no project id: pass --project-id, set HUAWEICLOUD_SDK_PROJECT_ID, give project_id \
             in a profile, or give project_id=ID",
        ),
        (
            &[
                "show_workspace",
                "--project-id",
                PROJECT,
                "--workspace-id",
                "W",
                "workspace_id=W2",
            ],
            "workspace_id is given twice: as workspace_id=... and as --workspace-id",
        ),
        (
            &[
                "list_workspaces",
                "--project-id",
                PROJECT,
                "--workspace-id",
                "W",
                "offset=0",
                "limit=1",
            ],
            "list_workspaces has no parameter workspace_id: drop --workspace-id",
        ),
    ];
    for (args, expected) in refusals {
        let (_, stderr) = run(api(dir.path(), &sim).args(args), 2);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert_eq!(sim.requests().len(), 2, "nothing more was sent");
}

#[test]
fn a_file_answer_goes_through_the_export_save_path() {
    let sim = file_sim(70_000);
    let dir = Scratch::new("api-file");
    let export = |extra: &[&str]| {
        let mut cmd = api(dir.path(), &sim);
        cmd.args([
            "export_workflows",
            "--project-id",
            PROJECT,
            "--workspace-id",
            WORKSPACE,
        ])
        .args(extra);
        cmd
    };
    let (_, stderr) = run(
        &mut export(&["--body", r#"{"id":["a","b"]}"#, "-o", "out.bin"]),
        0,
    );
    assert_eq!(
        fs::read(dir.join("out.bin")).unwrap(),
        export_pattern(70_000)
    );
    assert_eq!(
        stderr,
        format!(
            "saved 70000 bytes to out.bin (request id {})\n",
            request_ids(&sim)[0]
        )
    );
    let body: Value = serde_json::from_slice(&sim.requests()[0].body).unwrap();
    assert_eq!(body, json!({"id": ["a", "b"]}));

    // Standard output, when it is not a terminal; the body from a file and
    // from standard input.
    fs::write(dir.join("ids.json"), r#"{"id":["c"]}"#).unwrap();
    let (output, _) = run(&mut export(&["--body", "@ids.json", "-o", "-"]), 0);
    assert_eq!(output.stdout, export_pattern(70_000));
    let (output, _) = run(
        export(&["--body", "@-", "-o", "-"]).write_stdin(r#"{"id":["d"]}"#),
        0,
    );
    assert_eq!(output.stdout.len(), 70_000);
    let sent: Vec<Value> = sim.requests()[1..]
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(sent, [json!({"id": ["c"]}), json!({"id": ["d"]})]);
    assert_authenticated(&sim, "token");

    // Refused before sending: no output named, an existing file, no body,
    // a body that is not JSON, -o for an answer in JSON.
    let refusals: [(&[&str], i32, &str); 8] = [
        (
            &["--body", r#"{"id":["a"]}"#],
            2,
            "export_workflows answers with a file: pass -o FILE, -o DIR or -o -",
        ),
        (
            &["--body", r#"{"id":["a"]}"#, "--force"],
            2,
            "required arguments were not provided:\n  --output <PATH>",
        ),
        (
            &["--body", r#"{"id":["a"]}"#, "-o", "out.bin"],
            6,
            "out.bin already exists; nothing was changed (use --force to replace it)",
        ),
        (
            &["-o", "new.bin"],
            2,
            "export_workflows takes a JSON body: pass --body JSON, --body @FILE or --body @-",
        ),
        (
            &["--body", r#"{"id": ["#, "-o", "new.bin"],
            2,
            "--body is not JSON: EOF while parsing a list at line 1 column 8",
        ),
        (
            &["--body", "@", "-o", "new.bin"],
            2,
            "--body @ names no file",
        ),
        (
            &["--body", " ", "-o", "new.bin"],
            2,
            "--body is empty: a JSON body is needed",
        ),
        (
            &["--body", "@missing.json", "-o", "new.bin"],
            6,
            "cannot read --body file missing.json",
        ),
    ];
    for (args, code, expected) in refusals {
        let (_, stderr) = run(&mut export(args), code);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let (_, stderr) = run(
        api(dir.path(), &sim).args([
            "list_workspaces",
            "--project-id",
            PROJECT,
            "offset=0",
            "limit=1",
            "-o",
            "page.json",
        ]),
        2,
    );
    assert!(
        stderr.contains("-o applies to operations that answer with a file"),
        "{stderr}"
    );
    assert_eq!(sim.requests().len(), 3, "nothing more was sent");
    assert_eq!(dir.entries(), ["ids.json", "out.bin"]);
}

#[test]
fn an_upload_from_a_file_or_standard_input() {
    let sim = start(sim());
    let dir = Scratch::new("api-upload");
    export_file(dir.path(), "flows.json", 2);
    let import = |file: &str| {
        let mut cmd = api(dir.path(), &sim);
        cmd.args(["import_workflows", "project_id=P", "workspace_id=W2"])
            .arg(format!("uploadFile={file}"));
        cmd
    };
    let answer: Value = serde_json::from_str(&success(&mut import("@flows.json"))).unwrap();
    assert_eq!(answer["success"], true);
    assert_eq!(sim.workflows(PROJECT, "W2").len(), 2);
    let flows = fs::read(dir.join("flows.json")).unwrap();
    success(import("@-").write_stdin(flows));
    assert_eq!(sim.workflows(PROJECT, "W2").len(), 4);
    assert_authenticated(&sim, "token");

    let refusals: [(&str, i32, &str); 3] = [
        (
            "flows.json",
            2,
            "give it as uploadFile=@PATH (or uploadFile=@- for standard input)",
        ),
        ("@missing.json", 6, "cannot read missing.json"),
        ("@.", 6, "cannot read .: not a regular file"),
    ];
    for (file, code, expected) in refusals {
        let (_, stderr) = run(&mut import(file), code);
        assert!(stderr.contains(expected), "{file}: {stderr}");
    }
    let (_, stderr) = run(
        api(dir.path(), &sim).args(["import_workflows", "project_id=P", "workspace_id=W2"]),
        2,
    );
    assert!(
        stderr.contains("import_workflows uploads a file: pass uploadFile=@PATH"),
        "{stderr}"
    );
    let (_, stderr) = run(
        api(dir.path(), &sim)
            .args([
                "import_workflows",
                "project_id=P",
                "workspace_id=W2",
                "uploadFile=@-",
            ])
            .args(["--token-file", "-"]),
        2,
    );
    assert!(stderr.contains("can read standard input"), "{stderr}");
    assert_eq!(sim.requests().len(), 2, "nothing more was sent");
}

// A zip file from standard input was refused as "not UTF-8 text".
#[test]
fn an_upload_from_standard_input_is_sent_byte_for_byte() {
    let sim = start(sim());
    let dir = Scratch::new("api-upload-binary");
    let zip: Vec<u8> = b"PK\x03\x04\xff\xfe\x00\x80 not text\r\n--\r\n".to_vec();
    let mut cmd = api(dir.path(), &sim);
    cmd.args([
        "import_workflows",
        "project_id=P",
        "workspace_id=W2",
        "uploadFile=@-",
    ])
    .write_stdin(zip.clone());
    // The simulator reads only its own export format: it refuses these
    // bytes, after they arrived whole.
    let (_, stderr) = run(&mut cmd, 4);
    assert!(stderr.contains("uploadFile is not a"), "{stderr}");
    let requests = sim.requests();
    assert_eq!(requests.len(), 1);
    let body = &requests[0].body;
    assert!(
        body.windows(zip.len()).any(|w| w == zip.as_slice()),
        "the upload holds the bytes as read"
    );
}

#[test]
fn errors_and_retries_are_every_commands() {
    let sim = start(
        sim()
            .seed(PROJECT, WORKSPACE, 3)
            .fault(fault("list_workflows=503,times=1")),
    );
    let dir = Scratch::new("api-errors");
    let list = |workspace: &str| {
        let mut cmd = api(dir.path(), &sim);
        cmd.args(["list_workflows", "project_id=P"])
            .arg(format!("workspace_id={workspace}"));
        cmd
    };
    // A passing failure is retried as for any command.
    let page: Value = serde_json::from_str(&success(&mut list(WORKSPACE))).unwrap();
    assert_eq!(page["total"], 3);
    let statuses: Vec<Option<u16>> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), Some(200)]);
    // A workspace that does not exist is named.
    let (output, stderr) = run(&mut list("nope"), 3);
    assert!(output.stdout.is_empty());
    assert!(
        stderr.starts_with("error: no workspace \"nope\" in this project")
            && stderr.contains("HTTP 403 Forbidden, code SecMaster.20010001"),
        "{stderr}"
    );
}
