//! What the client puts on the wire, checked by an httpmock server through the
//! hand-written layer.

use httpmock::{Method::POST, MockServer};
use secmaster_client::Error;
use secmaster_client::generated::types::{ErrorBody, ExportWorkflowsRequest};
use secmaster_tests::generated_mocks::MockServerExt;
use secmaster_tests::support::{
    CONTENT_TYPE, ID, PROJECT, TOKEN, WORKSPACE, pseudo_random_bytes, token_client,
};

fn export_path(project: &str, workspace: &str) -> String {
    format!("/v1/{project}/workspaces/{workspace}/soc/workflows/export")
}

#[tokio::test]
async fn sends_the_documented_request() {
    let server = MockServer::start_async().await;
    let mock = server.export_workflows(|when, then| {
        let when = when
            .project_id(PROJECT)
            .workspace_id(WORKSPACE)
            .body(&ExportWorkflowsRequest {
                id: vec![ID.to_owned()],
            })
            .into_inner();
        when.method(POST)
            .path(export_path(PROJECT, WORKSPACE))
            .header("x-auth-token", TOKEN)
            .header("content-type", CONTENT_TYPE)
            .body(format!(r#"{{"id":["{ID}"]}}"#))
            .header_missing("api-version")
            .header_missing("authorization");
        then.into_inner().status(200).body("file");
    });
    let file = token_client(&server.base_url())
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .expect("export succeeds");
    let mut out = Vec::new();
    file.write_to(&mut out).await.unwrap();
    assert_eq!(out, b"file");
    mock.assert_async().await;
}

#[tokio::test]
async fn content_type_is_exactly_the_documented_one() {
    let server = MockServer::start_async().await;
    let right = server.mock(|when, then| {
        when.method(POST)
            .header_exists("content-type")
            .is_true(|req| {
                let values: Vec<_> = req
                    .headers()
                    .get_all("content-type")
                    .iter()
                    .map(|v| v.to_str().unwrap_or("").to_owned())
                    .collect();
                values == [CONTENT_TYPE]
            });
        then.status(200).body("x");
    });
    // httpmock tries mocks in the order they were made: any request whose
    // content type is not exactly the documented value lands here (415).
    let wrong = server.mock(|when, then| {
        when.method(POST);
        then.status(415);
    });
    token_client(&server.base_url())
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .expect("content type is exactly the documented one");
    right.assert_async().await;
    assert_eq!(wrong.calls_async().await, 0);
}

#[tokio::test]
async fn sends_every_id_in_order() {
    let ids: Vec<String> = (0..50).map(|i| format!("wf-{i:03}")).collect();
    let server = MockServer::start_async().await;
    let mock = server.export_workflows(|when, then| {
        when.body(&ExportWorkflowsRequest { id: ids.clone() });
        then.into_inner().status(200).body("ok");
    });
    token_client(&server.base_url())
        .export_workflows(PROJECT, WORKSPACE, &ids)
        .await
        .unwrap();
    mock.assert_async().await;
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
        ("?q=1#f", "%3Fq=1%23f"),
        ("..", ""),
    ];
    for (raw, encoded) in cases {
        let server = MockServer::start_async().await;
        let exact = server.mock(|when, then| {
            when.method(POST).path(export_path(encoded, WORKSPACE));
            then.status(200).body("ok");
        });
        let anything_else = server.mock(|when, then| {
            when.any_request();
            then.status(404);
        });
        let result = token_client(&server.base_url())
            .export_workflows(raw, WORKSPACE, &[ID])
            .await;
        if raw == ".." {
            // URL rules would fold `..` away, so it is refused before sending.
            assert!(
                matches!(result, Err(Error::InvalidInput(_))),
                "{raw}: {result:?}"
            );
            assert_eq!(anything_else.calls_async().await, 0);
            continue;
        }
        assert!(result.is_ok(), "{raw}: {result:?}");
        assert_eq!(
            exact.calls_async().await,
            1,
            "{raw} was not sent as {encoded}"
        );
        assert_eq!(
            anything_else.calls_async().await,
            0,
            "{raw} reached another path"
        );
    }
}

#[tokio::test]
async fn a_large_file_arrives_byte_for_byte() {
    let body = pseudo_random_bytes(6 * 1024 * 1024 + 123);
    let server = MockServer::start_async().await;
    server.export_workflows(|when, then| {
        when.project_id(PROJECT);
        then.into_inner()
            .status(200)
            .header("content-type", "application/octet-stream")
            .header("x-request-id", "req-large")
            .body(body.clone());
    });
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
    assert!(received == body, "the bytes differ");
}

#[tokio::test]
async fn save_to_path_writes_the_file() {
    let body = pseudo_random_bytes(3 * 1024 * 1024);
    let server = MockServer::start_async().await;
    server.export_workflows(|_, then| {
        then.into_inner().status(200).body(body.clone());
    });
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
    assert!(std::fs::read(&path).unwrap() == body);
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
    let body = pseudo_random_bytes(3 * 1024 * 1024);
    let server = MockServer::start_async().await;
    server.export_workflows(|_, then| {
        then.into_inner().status(200).body(body.clone());
    });
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
    let server = MockServer::start_async().await;
    server.export_workflows(|_, then| {
        then.bad_request(&ErrorBody {
            code: Some("SecMaster.00040001".into()),
            message: Some("invalid workflow id".into()),
            ..Default::default()
        })
        .into_inner()
        .header("x-request-id", "req-400");
    });
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
    let server = MockServer::start_async().await;
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let client = token_client(&server.base_url());
    let none: [&str; 0] = [];
    for (project, workspace, ids, expected) in [
        (PROJECT, WORKSPACE, &none[..], "no workflow IDs"),
        (PROJECT, WORKSPACE, &[ID, ""][..], "workflow ID #2 is empty"),
        ("", WORKSPACE, &[ID][..], "project_id is empty"),
        (
            PROJECT,
            ".",
            &[ID][..],
            "workspace_id \".\" cannot be sent as one path segment",
        ),
        (
            "..\\..\\..\\v2\\other",
            WORKSPACE,
            &[ID][..],
            "project_id \"..\\\\..",
        ),
        (
            PROJECT,
            "a\\b",
            &[ID][..],
            "workspace_id \"a\\\\b\" cannot be sent as one path segment",
        ),
    ] {
        let err = client
            .export_workflows(project, workspace, ids)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert!(err.to_string().contains(expected), "{err}");
    }
    assert_eq!(any.calls_async().await, 0);
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
