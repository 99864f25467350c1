//! What the client puts on the wire, as the simulator received it, and
//! what it makes of the bytes that come back.

use secmaster_client::{Error, SecMasterClient};
use secmaster_sim::Simulator;

use crate::support::{
    CONTENT_TYPE, ID, PROJECT, WORKSPACE, answer, pseudo_random_text, sim, start, token_client,
};

fn export_path(project: &str, workspace: &str) -> String {
    format!("/v1/{project}/workspaces/{workspace}/soc/workflows/export")
}

/// A simulator that answers every export with `status`, `body` and
/// `headers`, before its own validation, so that any path reaches it.
async fn answering(status: u16, body: &str, headers: &[(&str, &str)]) -> Simulator {
    let answer = answer("export_workflows", status, body, headers);
    start(sim().log_bodies(true).fault(answer)).await
}

async fn export_bytes(client: &SecMasterClient, ids: &[&str]) -> Result<Vec<u8>, Error> {
    let file = client.export_workflows(PROJECT, WORKSPACE, ids).await?;
    let mut out = Vec::new();
    file.write_to(&mut out).await?;
    Ok(out)
}

#[tokio::test]
async fn sends_the_documented_request() {
    let server = start(sim().log_bodies(true)).await;
    export_bytes(&token_client(&server.base_url()), &[ID])
        .await
        .expect("export succeeds");
    let requests = server.requests();
    let [request] = &requests[..] else {
        panic!("one request: {requests:?}")
    };
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, export_path(PROJECT, WORKSPACE));
    assert_eq!(request.validation, "ok");
    assert!(request.auth.starts_with("ok"), "{}", request.auth);
    assert_eq!(request.body, format!(r#"{{"id":["{ID}"]}}"#).as_bytes());
    let values = |name: &str| -> Vec<&str> {
        request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    };
    // Exactly the documented content type, once.
    assert_eq!(values("content-type"), [CONTENT_TYPE]);
    assert_eq!(values("x-auth-token").len(), 1);
    assert!(
        values("api-version").is_empty(),
        "progenitor's header is dropped"
    );
    assert!(
        values("authorization").is_empty(),
        "a token request is not signed"
    );
}

#[tokio::test]
async fn sends_every_id_in_order() {
    let ids: Vec<String> = (0..50).map(|i| format!("wf-{i:03}")).collect();
    let server = answering(200, "ok", &[]).await;
    token_client(&server.base_url())
        .export_workflows(PROJECT, WORKSPACE, &ids)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&server.requests()[0].body).unwrap();
    assert_eq!(body, serde_json::json!({ "id": ids }));
}

/// Path values are percent-encoded and stay inside their own segment: none of
/// these can reach another path on the server.
#[tokio::test]
async fn path_values_cannot_change_the_path() {
    let cases = [
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("a%2Fb", "a%252Fb"),
        ("wś 1", "w%C5%9B%201"),
        ("?q=1#f", "%3Fq%3D1%23f"),
        // A `\` is a `/` to URL parsers unless it is encoded: it is.
        ("..\\..\\v2\\other", "..%5C..%5Cv2%5Cother"),
        ("a\\b", "a%5Cb"),
        ("..", ""),
    ];
    let server = answering(200, "ok", &[]).await;
    let client = token_client(&server.base_url());
    for (raw, encoded) in cases {
        let before = server.requests().len();
        let result = client.export_workflows(raw, WORKSPACE, &[ID]).await;
        let sent: Vec<String> = server.requests()[before..]
            .iter()
            .map(|r| r.path.clone())
            .collect();
        if raw == ".." {
            // URL rules would fold `..` away, so it is refused before sending.
            assert!(
                matches!(result, Err(Error::InvalidInput(_))),
                "{raw}: {result:?}"
            );
            assert!(sent.is_empty(), "{raw} was sent: {sent:?}");
            continue;
        }
        assert!(result.is_ok(), "{raw}: {result:?}");
        assert_eq!(
            sent,
            [export_path(encoded, WORKSPACE)],
            "{raw} was not sent as {encoded}"
        );
    }
}

#[tokio::test]
async fn a_large_file_arrives_byte_for_byte() {
    let body = pseudo_random_text(6 * 1024 * 1024 + 123);
    let server = answering(
        200,
        &body,
        &[
            ("content-type", "application/octet-stream"),
            ("x-request-id", "req-large"),
        ],
    )
    .await;
    let mut file = token_client(&server.base_url())
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap();
    assert_eq!(file.content_length(), Some(body.len() as u64));
    assert_eq!(file.request_id(), Some("req-large"));
    let mut received = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = file.next_chunk().await.unwrap() {
        received.extend_from_slice(&chunk);
        chunks += 1;
    }
    assert!(chunks > 1, "the body arrived as a stream, not one buffer");
    assert_eq!(received.len(), body.len());
    assert!(received == body.as_bytes(), "the bytes differ");
}

#[tokio::test]
async fn save_to_path_writes_the_file() {
    let body = pseudo_random_text(3 * 1024 * 1024);
    let server = answering(200, &body, &[]).await;
    let dir = tempdir();
    let path = dir.join("export.bin");
    let written = token_client(&server.base_url())
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap()
        .save_to_path(&path, secmaster_client::Overwrite::Never)
        .await
        .unwrap();
    assert_eq!(written, body.len() as u64);
    assert!(std::fs::read(&path).unwrap() == body.as_bytes());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["export.bin"], "no temporary file is left");
    std::fs::remove_dir_all(dir).unwrap();
}

// A file partly read with next_chunk was then saved short, with the full
// count returned; an existing target was refused only after the whole
// download; save errors did not name the path.
#[tokio::test]
async fn save_to_path_refuses_a_partly_read_file_and_an_existing_target_up_front() {
    let body = pseudo_random_text(3 * 1024 * 1024);
    let server = answering(200, &body, &[]).await;
    let client = token_client(&server.base_url());
    let dir = tempdir();
    let path = dir.join("export.bin");

    let mut file = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap();
    assert!(file.next_chunk().await.unwrap().is_some());
    let err = file
        .save_to_path(&path, secmaster_client::Overwrite::Replace)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(!path.exists(), "nothing written");

    std::fs::write(&path, b"kept").unwrap();
    let file = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap();
    let err = file
        .save_to_path(&path, secmaster_client::Overwrite::Never)
        .await
        .unwrap_err();
    let Error::Io(io) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(io.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("export.bin"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"kept");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn an_import_file_shows_its_size_not_its_content() {
    let file =
        secmaster_client::ImportFile::bytes("flows.json", b"{\"password\":\"s3cr3t\"}".to_vec());
    let shown = format!("{file:?}");
    assert!(
        !shown.contains("s3cr3t") && shown.contains("len: 21"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_400_gives_code_and_message() {
    let server = answering(
        400,
        r#"{"code":"SecMaster.00040001","message":"invalid workflow id"}"#,
        &[("x-request-id", "req-400")],
    )
    .await;
    let err = token_client(&server.base_url())
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap_err();
    let Error::Api(api) = err else {
        panic!("expected an API error, got {err:?}")
    };
    assert_eq!(api.status().as_u16(), 400);
    assert_eq!(api.code(), Some("SecMaster.00040001"));
    assert_eq!(api.message(), Some("invalid workflow id"));
    assert_eq!(api.request_id(), Some("req-400"));
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let server = answering(200, "ok", &[]).await;
    let client = token_client(&server.base_url());
    let none: [&str; 0] = [];
    for (project, workspace, ids, expected) in [
        (PROJECT, WORKSPACE, &none[..], "no workflow IDs"),
        (PROJECT, WORKSPACE, &[ID, ""][..], "workflow ID #2 is empty"),
        // Empty is the client's default, and this client has none.
        ("", WORKSPACE, &[ID][..], "parameter project_id is required"),
        (
            PROJECT,
            ".",
            &[ID][..],
            "workspace_id \".\" cannot be sent as one path segment",
        ),
    ] {
        let err = client
            .export_workflows(project, workspace, ids)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert!(err.to_string().contains(expected), "{err}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "secmaster-wire-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
