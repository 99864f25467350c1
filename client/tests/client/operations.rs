//! List, show and import on the wire: each request as the official SDK
//! sends it (the signing vectors are its captures), signed so that the
//! simulator verifies it, and checked by the simulator against the document.

use crate::support::{
    ID, PROJECT, WORKSPACE, aksk_builder, aksk_client, answer, assert_all_signed, fault,
    signing_vectors, sim, start, token_client,
};
use secmaster_client::types::{AopType, Order, SortBy};
use secmaster_client::{ImportFile, ListQuery, RetryPolicy};
use secmaster_sim::workflow::seeded;
use secmaster_sim::{Fault, RequestRecord};
use serde_json::Value;

fn vectors(operation: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(&signing_vectors()).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["operation"] == operation)
        .cloned()
        .collect()
}

/// Answers the next request to `operation` with `body` and `X-Request-Id:
/// rid-7`, before the simulator's own validation.
fn scripted(operation: &str, body: &str) -> Fault {
    Fault {
        times: Some(1),
        ..answer(
            operation,
            200,
            body,
            &[
                ("Content-Type", "application/json"),
                ("X-Request-Id", "rid-7"),
            ],
        )
    }
}

fn query_of(pairs: &Value) -> ListQuery {
    let mut q = ListQuery::new();
    for pair in pairs.as_array().unwrap() {
        let (key, value) = (pair[0].as_str().unwrap(), &pair[1]);
        let text = || value.as_str().unwrap().to_owned();
        match key {
            "offset" => q.offset = Some(value.as_u64().unwrap() as u32),
            "limit" => q.limit = Some(value.as_u64().unwrap() as u32),
            "enabled" => q.enabled = value.as_bool(),
            "name" => q.name = Some(text()),
            "description" => q.description = Some(text()),
            "dataclass_id" => q.dataclass_id = Some(text()),
            "dataclass_name" => q.dataclass_name = Some(text()),
            "aop_type" => q.aop_type = Some(text().parse::<AopType>().unwrap()),
            "order" => q.order = Some(text().parse::<Order>().unwrap()),
            "sortby" => q.sort_by = Some(text().parse::<SortBy>().unwrap()),
            other => panic!("unknown list parameter {other}"),
        }
    }
    q
}

#[tokio::test]
async fn list_queries_are_sent_byte_for_byte_as_the_official_sdk_sends_them() {
    let server = start(sim().seed(PROJECT, WORKSPACE, 3)).await;
    let client = aksk_client(&server.base_url());
    let list = vectors("ListWorkflows");
    assert!(list.len() >= 10);
    for vector in &list {
        let query = query_of(&vector["query"]);
        let page = client
            .list_workflows(PROJECT, WORKSPACE, &query)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", vector["name"]));
        let request = server.requests().pop().unwrap();
        assert_eq!(page.request_id, Some(request.request_id.clone()));
        assert_eq!(request.validation, "ok", "{}", vector["name"]);
        let expected = vector["query_string"].as_str().unwrap();
        assert_eq!(request.query, expected, "{}", vector["name"]);
        assert_eq!(request.method, "GET");
        assert!(
            request.header("content-type").is_none(),
            "a GET has no body, so no content type"
        );
    }
    assert_all_signed(&server);
}

#[tokio::test]
async fn show_sends_the_id_as_one_segment() {
    let server = start(sim()).await;
    let client = aksk_client(&server.base_url());
    for vector in vectors("ShowAopWorkflow") {
        let id = vector["path_params"]["workflow_id"].as_str().unwrap();
        let mut stored = seeded(PROJECT, WORKSPACE, 7);
        stored.id = id.to_owned();
        server.insert_workflow(stored);
        // The simulator's answer: it found the workflow by the decoded segment.
        let answer = client.show_workflow(PROJECT, WORKSPACE, id).await.unwrap();
        assert_eq!(answer.data.unwrap().id.as_deref(), Some(id));
        let request = server.requests().pop().unwrap();
        let decoded =
            percent_encoding::percent_decode_str(request.path.rsplit('/').next().unwrap())
                .decode_utf8()
                .unwrap()
                .into_owned();
        assert_eq!(decoded, id);
        assert!(request.header("content-type").is_none());
        // An answer with a field the document does not have.
        server
            .add_fault(scripted(
                "show_workflow",
                r#"{"code":"0","data":{"id":"x","name":"n","brand_new":1}}"#,
            ))
            .unwrap();
        let answer = client.show_workflow(PROJECT, WORKSPACE, id).await.unwrap();
        let workflow = answer.data.unwrap();
        assert_eq!(workflow.extra["brand_new"], 1, "unknown fields are kept");
        assert_eq!(answer.request_id.as_deref(), Some("rid-7"));
    }
    assert_all_signed(&server);
}

#[tokio::test]
async fn import_frames_the_form_as_the_official_sdk_and_signs_it_unsigned() {
    use base64::Engine;
    let server = start(sim().log_bodies(true)).await;
    let client = aksk_client(&server.base_url());
    let b64 = base64::engine::general_purpose::STANDARD;
    for vector in vectors("ImportAopworkflow") {
        let form = &vector["multipart"];
        if !form["file_content_type"].is_null() {
            continue; // the client sends no part content type, as the SDK by default
        }
        let bytes = b64.decode(form["file_base64"].as_str().unwrap()).unwrap();
        let name = form["filename"].as_str().unwrap();
        server
            .add_fault(scripted(
                "import_workflows",
                r#"{"code":"00000000","message":"","success":true}"#,
            ))
            .unwrap();
        let answer = client
            .import_workflows(PROJECT, WORKSPACE, &ImportFile::bytes(name, bytes.clone()))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", vector["name"]));
        assert_eq!(answer.success, Some(true));
        assert_eq!(answer.request_id.as_deref(), Some("rid-7"));
        let request = server.requests().pop().unwrap();
        assert_eq!(
            request.header("x-sdk-content-sha256"),
            Some("UNSIGNED-PAYLOAD")
        );
        // The SDK's framing, with our boundary in place of its random one.
        let framed = |request: &RequestRecord| {
            let content_type = request.header("content-type").unwrap();
            let ours = content_type
                .strip_prefix("multipart/form-data; boundary=")
                .unwrap();
            let sdk_name = name.replace('"', "%22");
            let mut expected = format!(
                "--{ours}\r\nContent-Disposition: form-data; name=\"uploadFile\"; filename=\"{sdk_name}\"\r\n\r\n"
            )
            .into_bytes();
            expected.extend_from_slice(&bytes);
            expected.extend_from_slice(format!("\r\n--{ours}--\r\n").as_bytes());
            expected
        };
        let expected = framed(&request);
        assert_eq!(request.body, expected, "{}", vector["name"]);
        assert_eq!(
            request.header("content-length"),
            Some(expected.len().to_string().as_str())
        );
        // Without the scripted answer, the simulator parses the form against
        // the document, then finds the file is not one of its exports.
        let err = client
            .import_workflows(PROJECT, WORKSPACE, &ImportFile::bytes(name, bytes.clone()))
            .await
            .unwrap_err();
        let api = err.api_error().unwrap();
        assert_eq!(api.code(), Some("SecMaster.Sim.InvalidFile"), "{err}");
        let request = server.requests().pop().unwrap();
        assert_eq!(request.validation, "ok", "{}", vector["name"]);
        assert_eq!(request.body, framed(&request), "{}", vector["name"]);
    }
    assert_all_signed(&server);
}

#[tokio::test]
async fn import_streams_a_file_from_disk() {
    // A real export of 300 workflows (some 300 kB), saved, then imported
    // into another workspace from the path.
    let server = start(sim().log_bodies(true).seed(PROJECT, "other-workspace", 0)).await;
    let client = aksk_client(&server.base_url());
    let ids = server.seed(PROJECT, WORKSPACE, 300);
    let dir = std::env::temp_dir().join(format!("secmaster-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("flows.json");
    let file = client
        .export_workflows(PROJECT, WORKSPACE, &ids)
        .await
        .unwrap();
    let mut content = Vec::new();
    file.write_to(&mut content).await.unwrap();
    assert!(content.len() > 256 * 1024, "{}", content.len());
    std::fs::write(&path, &content).unwrap();
    let answer = client
        .import_workflows(PROJECT, "other-workspace", &ImportFile::path(&path))
        .await
        .unwrap();
    assert_eq!(answer.success, Some(true));
    let request = server.requests().pop().unwrap();
    let body = &request.body;
    let start = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(&body[start..start + content.len()], &content[..]);
    assert!(String::from_utf8_lossy(&body[..start]).contains("filename=\"flows.json\""));
    assert_eq!(server.workflows(PROJECT, "other-workspace").len(), 300);
    assert_all_signed(&server);
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_failed_import_is_not_repeated_unless_throttled() {
    for (status, attempts) in [(503, 1), (502, 1), (500, 1), (429, 3)] {
        let server = start(sim().fault(fault(&format!("import_workflows={status}")))).await;
        let client = aksk_builder(&server.base_url())
            .retry(
                RetryPolicy::default()
                    .max_attempts(3)
                    .initial_backoff(std::time::Duration::from_millis(5)),
            )
            .build()
            .unwrap();
        let err = client
            .import_workflows(PROJECT, WORKSPACE, &ImportFile::bytes("f.zip", &b"x"[..]))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(server.requests().len(), attempts, "HTTP {status}");
    }
}

// A 200 saying `"success": false` was taken for an empty list (and then for
// "no workflow ids" in the backup pipe) or an empty show.
#[tokio::test]
async fn a_200_that_says_it_failed_is_an_api_error_for_list_and_show() {
    let server = start(sim()).await;
    let client = aksk_client(&server.base_url());
    let failed = r#"{"code":"SecMaster.1234","message":"failed","success":false}"#;
    server
        .add_fault(scripted("list_workflows", failed))
        .unwrap();
    let list = client
        .list_workflows(PROJECT, WORKSPACE, &ListQuery::new())
        .await
        .unwrap_err();
    server.add_fault(scripted("show_workflow", failed)).unwrap();
    let show = client
        .show_workflow(PROJECT, WORKSPACE, "some-id")
        .await
        .unwrap_err();
    for err in [list, show] {
        let secmaster_client::Error::Api(api) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(api.status().as_u16(), 200);
        assert_eq!(
            (api.code(), api.message()),
            (Some("SecMaster.1234"), Some("failed"))
        );
        assert_eq!(api.request_id(), Some("rid-7"));
    }
}

// A 200 JSON body saying `"success": false` was saved as the backup.
#[tokio::test]
async fn an_export_answered_with_a_json_refusal_is_an_error_not_a_file() {
    let server = start(sim()).await;
    let client = aksk_client(&server.base_url());
    let failed = r#"{"code":"SecMaster.1234","message":"export failed","success":false}"#;
    server
        .add_fault(scripted("export_workflows", failed))
        .unwrap();
    let err = client
        .export_workflows(PROJECT, WORKSPACE, &["a"])
        .await
        .unwrap_err();
    let secmaster_client::Error::Api(api) = &err else {
        panic!("{err:?}");
    };
    assert_eq!(api.message(), Some("export failed"));

    // Other small JSON is the file, byte for byte.
    let other = r#"{"workflows":[],"success":true}"#;
    server
        .add_fault(scripted("export_workflows", other))
        .unwrap();
    let mut file = client
        .export_workflows(PROJECT, WORKSPACE, &["a"])
        .await
        .unwrap();
    let mut bytes = Vec::new();
    while let Some(piece) = file.next_chunk().await.unwrap() {
        bytes.extend_from_slice(&piece);
    }
    assert_eq!(bytes, other.as_bytes());
    assert_eq!(file.bytes_received(), other.len() as u64);
}

// An upload that could not be opened said only "Permission denied".
#[tokio::test]
async fn an_upload_that_cannot_be_opened_is_named() {
    let server = start(sim()).await;
    let client = aksk_client(&server.base_url());
    let err = client
        .import_workflows(PROJECT, WORKSPACE, &ImportFile::path("no/such/flows.json"))
        .await
        .unwrap_err();
    assert!(matches!(err, secmaster_client::Error::Io(_)), "{err:?}");
    assert!(
        err.to_string().contains("cannot open no/such/flows.json"),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

// A file that did not hold the bytes its size said (a `/proc` file has size
// 0; a file rewritten during the upload), or that failed to read, broke the
// request body and was reported as a transport error: a network problem.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn an_upload_that_changes_or_fails_while_it_is_read_is_a_local_error() {
    let server = start(sim()).await;
    let client = aksk_client(&server.base_url());
    let changed = client
        .import_workflows(PROJECT, WORKSPACE, &ImportFile::path("/proc/self/status"))
        .await
        .unwrap_err();
    let secmaster_client::Error::FileChanged { path, expected } = &changed else {
        panic!("{changed:?}");
    };
    assert_eq!((path.to_str(), *expected), (Some("/proc/self/status"), 0));
    assert_eq!(changed.kind(), secmaster_client::ErrorKind::Io);
    // A directory opens, then fails its first read.
    let dir = std::env::temp_dir();
    let unreadable = client
        .import_workflows(PROJECT, WORKSPACE, &ImportFile::path(&dir))
        .await
        .unwrap_err();
    assert!(
        matches!(unreadable, secmaster_client::Error::Io(_)),
        "{unreadable:?}"
    );
    assert!(
        unreadable
            .to_string()
            .contains(&format!("cannot read {}", dir.display())),
        "{unreadable}"
    );
    // Only the workflow `start` put there: nothing was imported.
    assert_eq!(server.workflows(PROJECT, WORKSPACE).len(), 1);
}

// The workspace calls are thin: arguments from the typed query, the answer
// decoded; a workspace that does not exist is the service's 403.
#[tokio::test]
async fn workspaces_are_listed_one_page_at_a_time_and_shown_by_id() {
    use secmaster_client::WorkspaceQuery;

    let server = sim().workspaces(PROJECT, 30).start().await.unwrap();
    let client = aksk_client(&server.base_url());
    let query = WorkspaceQuery::new()
        .name("workspace-001")
        .offset(2)
        .limit(3);
    let page = client.list_workspaces(PROJECT, &query).await.unwrap();
    let names: Vec<String> = page
        .workspaces
        .iter()
        .map(|w| w.name.clone().unwrap())
        .collect();
    assert_eq!(
        names,
        ["workspace-0012", "workspace-0013", "workspace-0014"]
    );
    assert_eq!(page.count, Some(10.0));
    // The API requires offset and limit; a new query sends 0 and 10.
    let first = client
        .list_workspaces(PROJECT, &WorkspaceQuery::new())
        .await
        .unwrap();
    assert_eq!(first.workspaces.len(), 10);
    let queries: Vec<String> = server.requests().into_iter().map(|r| r.query).collect();
    // In the signer's canonical order.
    assert_eq!(
        queries,
        ["limit=3&name=workspace-001&offset=2", "limit=10&offset=0"]
    );

    let id = first.workspaces[4].id.clone().unwrap();
    let shown = client.show_workspace(PROJECT, &id).await.unwrap();
    assert_eq!(shown.workspace, Some(first.workspaces[4].clone()));
    let err = client.show_workspace(PROJECT, "nope").await.unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(
        (api.status().as_u16(), api.code()),
        (403, Some("SecMaster.20010001"))
    );
    assert_all_signed(&server);
}

// A URL past what the HTTP stack takes failed as a network error (exit 5
// in the CLI) whose message held the whole URL; execute_json on an
// operation that answers with a file sent it before saying so.
#[tokio::test]
async fn what_cannot_be_sent_or_read_as_asked_is_refused_before_sending() {
    use secmaster_client::{Args, Error, Input, operations};
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1)).await;
    let client = token_client(&sim.base_url());
    let args = Args::new()
        .set("project_id", PROJECT)
        .set("workspace_id", WORKSPACE);
    let long = args.clone().set("name", "a".repeat(70_000));
    let err = client
        .execute(&operations::LIST_WORKFLOWS, &long, Input::None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("at most 65533 can be sent"), "{text}");
    assert!(text.len() < 200, "the message does not carry the URL");
    let err = client
        .execute_json::<Value>(
            &operations::EXPORT_WORKFLOWS,
            &args,
            Input::Json(serde_json::json!({"id": [ID]})),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not answer in JSON"), "{err}");
    assert!(sim.requests().is_empty(), "nothing was sent");
}
