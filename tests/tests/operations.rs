//! List, show and import on the wire: each request as the official SDK
//! sends it (the signing vectors are its captures), signed so that the
//! receiving side verifies it.

use secmaster_client::types::{AopType, Order, SortBy};
use secmaster_client::{Credentials, ImportFile, ListQuery, RetryPolicy, SecMasterClient};
use secmaster_tests::server::{Recorded, Reply, ScriptedServer, verify_signature};
use serde_json::Value;

const AK: &str = "HPUAFAKEAK0EXAMPLE01";
const SK: &str = "FAKEsecretKEY0example0000000000000000000001";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const WORKSPACE: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

fn vectors(operation: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(
        secmaster_tests::conformance::workspace_root().join("tests/data/signing-vectors.json"),
    )
    .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["operation"] == operation)
        .cloned()
        .collect()
}

fn client(base_url: &str) -> SecMasterClient {
    SecMasterClient::builder()
        .endpoint_url(base_url)
        .unwrap()
        .credentials(Credentials::access_key(AK, SK).unwrap())
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

/// Answers every request with `body` once its signature verifies.
async fn verifying_server(body: &'static str) -> ScriptedServer {
    ScriptedServer::start(
        move |request: &Recorded, _| match verify_signature(request, AK, SK) {
            Ok(()) => Reply::status(
                200,
                body,
                &[
                    ("content-type", "application/json"),
                    ("x-request-id", "rid-7"),
                ],
            ),
            Err(why) => Reply::status(
                401,
                format!(r#"{{"error_code":"APIGW.0301","error_msg":"{why}"}}"#),
                &[],
            ),
        },
    )
    .await
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
    let server = verifying_server(r#"{"code":"0","total":0,"data":[]}"#).await;
    let client = client(&server.base_url);
    let list = vectors("ListWorkflows");
    assert!(list.len() >= 10);
    for vector in &list {
        let query = query_of(&vector["query"]);
        let page = client
            .list_workflows(PROJECT, WORKSPACE, &query)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", vector["name"]));
        assert_eq!(page.request_id.as_deref(), Some("rid-7"));
        let request = server.requests().pop().unwrap();
        let expected = vector["query_string"].as_str().unwrap();
        let sent = request.target.split_once('?').map_or("", |(_, q)| q);
        assert_eq!(sent, expected, "{}", vector["name"]);
        assert_eq!(request.method, "GET");
        assert!(
            request.header("content-type").is_none(),
            "a GET has no body, so no content type"
        );
    }
}

#[tokio::test]
async fn show_sends_the_id_as_one_segment() {
    let server =
        verifying_server(r#"{"code":"0","data":{"id":"x","name":"n","brand_new":1}}"#).await;
    let client = client(&server.base_url);
    for vector in vectors("ShowAopWorkflow") {
        let id = vector["path_params"]["workflow_id"].as_str().unwrap();
        let answer = client.show_workflow(PROJECT, WORKSPACE, id).await.unwrap();
        let workflow = answer.data.unwrap();
        assert_eq!(workflow.extra["brand_new"], 1, "unknown fields are kept");
        let request = server.requests().pop().unwrap();
        let decoded =
            percent_encoding::percent_decode_str(request.target.rsplit('/').next().unwrap())
                .decode_utf8()
                .unwrap()
                .into_owned();
        assert_eq!(decoded, id);
        assert!(request.header("content-type").is_none());
    }
}

#[tokio::test]
async fn import_frames_the_form_as_the_official_sdk_and_signs_it_unsigned() {
    use base64::Engine;
    let server = verifying_server(r#"{"code":"00000000","message":"","success":true}"#).await;
    let client = client(&server.base_url);
    let b64 = base64::engine::general_purpose::STANDARD;
    for vector in vectors("ImportAopworkflow") {
        let form = &vector["multipart"];
        if !form["file_content_type"].is_null() {
            continue; // the client sends no part content type, as the SDK by default
        }
        let bytes = b64.decode(form["file_base64"].as_str().unwrap()).unwrap();
        let name = form["filename"].as_str().unwrap();
        let answer = client
            .import_workflows(PROJECT, WORKSPACE, &ImportFile::bytes(name, bytes.clone()))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", vector["name"]));
        assert_eq!(answer.success, Some(true));
        assert_eq!(answer.request_id.as_deref(), Some("rid-7"));
        let request = server.requests().pop().unwrap();
        let content_type = request.header("content-type").unwrap();
        let ours = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        assert_eq!(
            request.header("x-sdk-content-sha256"),
            Some("UNSIGNED-PAYLOAD")
        );
        // The SDK's framing, with our boundary in place of its random one.
        let sdk_name = name.replace('"', "%22");
        let mut expected = format!(
            "--{ours}\r\nContent-Disposition: form-data; name=\"uploadFile\"; filename=\"{sdk_name}\"\r\n\r\n"
        )
        .into_bytes();
        expected.extend_from_slice(&bytes);
        expected.extend_from_slice(format!("\r\n--{ours}--\r\n").as_bytes());
        assert_eq!(request.body, expected, "{}", vector["name"]);
        assert_eq!(
            request.header("content-length"),
            Some(expected.len().to_string().as_str())
        );
    }
}

#[tokio::test]
async fn import_streams_a_file_from_disk() {
    let server = verifying_server(r#"{"code":"0","success":true}"#).await;
    let dir = std::env::temp_dir().join(format!("secmaster-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("flows.zip");
    let content = secmaster_tests::support::pseudo_random_bytes(300_000);
    std::fs::write(&path, &content).unwrap();
    client(&server.base_url)
        .import_workflows(PROJECT, WORKSPACE, &ImportFile::path(&path))
        .await
        .unwrap();
    let request = server.requests().pop().unwrap();
    let body = &request.body;
    let start = body.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    assert_eq!(&body[start..start + content.len()], &content[..]);
    assert!(String::from_utf8_lossy(&body[..start]).contains("filename=\"flows.zip\""));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_failed_import_is_not_repeated_unless_throttled() {
    for (status, attempts) in [(503, 1), (502, 1), (500, 1), (429, 3)] {
        let server = ScriptedServer::start(move |_, _| Reply::status(status, "{}", &[])).await;
        let client = SecMasterClient::builder()
            .endpoint_url(&server.base_url)
            .unwrap()
            .credentials(Credentials::access_key(AK, SK).unwrap())
            .retry(RetryPolicy {
                max_attempts: 3,
                initial_backoff: std::time::Duration::from_millis(5),
                ..RetryPolicy::default()
            })
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
