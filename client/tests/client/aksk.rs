//! Access-key signing on the wire: the simulator, which recomputes the
//! signature from the request as received, accepts the client's requests
//! and rejects a wrong key or a changed body; secrets stay out of every text
//! the client produces.

use std::time::SystemTime;

use crate::support::{AK, ID, PROJECT, SECURITY_TOKEN, SK, WORKSPACE, export_pattern, sim, start};
use secmaster_client::signer::{RequestParts, SecretKey, SigningKey, sign};
use secmaster_client::{Credentials, Error, RetryPolicy, SecMasterClient, reqwest};

fn client(base_url: &str, credentials: Credentials) -> SecMasterClient {
    SecMasterClient::builder()
        .endpoint(base_url)
        .unwrap()
        .credentials(credentials)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn signed_requests_verify_on_the_receiving_side() {
    // A temporary key: the simulator also wants its security token, signed.
    // Exports answer nine pattern bytes whatever the ids, in any workspace.
    let server = start(
        sim()
            .security_token(SECURITY_TOKEN)
            .export_size(9)
            .auto_create_workspaces(true),
    )
    .await;
    let credentials = Credentials::access_key(AK, SK)
        .unwrap()
        .with_security_token(SECURITY_TOKEN)
        .unwrap();
    let client = client(&server.base_url(), credentials);
    for (project, workspace) in [
        (PROJECT, WORKSPACE),
        ("p/1 x", "wś-1"),
        ("a%2Fb", "../x"),
        ("~a_b.c-d", "é"),
    ] {
        let file = client
            .export_workflows(project, workspace, &[ID, "second"])
            .await;
        let file = file.unwrap_or_else(|e| panic!("{project} {workspace}: {e}"));
        let mut out = Vec::new();
        file.write_to(&mut out).await.unwrap();
        assert_eq!(out, export_pattern(9));
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 4);
    for request in &requests {
        assert_eq!(
            request.auth,
            format!("ok: signature by {AK} with its security token")
        );
        let host = server.base_url().trim_start_matches("http://").to_owned();
        assert_eq!(
            request.header("host"),
            Some(host.as_str()),
            "Host carries the port"
        );
        // The log hides its value; the simulator checked it.
        assert!(request.header("x-security-token").is_some());
        assert_eq!(
            request.header("content-type"),
            Some("application/json;charset=UTF-8")
        );
        assert!(request.header("x-auth-token").is_none());
        let date = request.header("x-sdk-date").unwrap();
        assert!(date.len() == 16 && date.ends_with('Z'), "{date}");
        let signed = request.header("authorization").unwrap();
        assert!(
            signed.contains(
                "SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,"
            ),
            "{signed}"
        );
    }
    // X-Project-Id is the project of the request's own path.
    assert_eq!(requests[0].header("x-project-id"), Some(PROJECT));
    assert_eq!(requests[1].header("x-project-id"), Some("p/1 x"));
    assert_eq!(
        requests[1].path,
        "/v1/p%2F1%20x/workspaces/w%C5%9B-1/soc/workflows/export"
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_rejected_by_the_verifier() {
    let server = start(sim()).await;
    let wrong = Credentials::access_key(AK, "not-the-secret").unwrap();
    let err = client(&server.base_url(), wrong)
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(api.status().as_u16(), 401);
    assert_eq!(api.code(), Some("APIGW.0301"));
    let message = api.message().unwrap();
    assert!(message.contains("signature does not match"), "{message}");
    let record = server.requests().pop().unwrap();
    assert!(record.auth.starts_with("failed: "), "{}", record.auth);
    assert_eq!(api.request_id(), Some(record.request_id.as_str()));
}

#[tokio::test]
async fn the_verifier_rejects_a_body_changed_after_signing() {
    let server = start(sim()).await;
    let url = format!(
        "{}/v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows/export",
        server.base_url()
    );
    let host = server.base_url().trim_start_matches("http://").to_owned();
    let signed_body = format!(r#"{{"id":["{ID}"]}}"#);
    let secret = SecretKey::new(SK.as_bytes());
    let key = SigningKey {
        access_key_id: AK,
        secret_access_key: &secret,
        security_token: None,
        project_id: Some(PROJECT),
    };
    let content_type = [("Content-Type", "application/json;charset=UTF-8")];
    let parts = RequestParts {
        method: "POST",
        path: &format!("/v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows/export"),
        query: "",
        host: &host,
        headers: &content_type,
        body: signed_body.as_bytes(),
    };
    let signature = sign(&parts, &key, SystemTime::now()).unwrap();
    let send = |body: String| {
        let mut request = reqwest::Client::new()
            .post(&url)
            .header(content_type[0].0, content_type[0].1);
        for (name, value) in &signature.headers {
            request = request.header(*name, value);
        }
        request.body(body).send()
    };
    assert_eq!(send(signed_body.clone()).await.unwrap().status(), 200);
    let tampered = send(r#"{"id":["other"]}"#.to_owned()).await.unwrap();
    assert_eq!(tampered.status(), 401);
    let auth: Vec<String> = server.requests().into_iter().map(|r| r.auth).collect();
    assert_eq!(auth[0], format!("ok: signature by {AK}"));
    assert!(auth[1].contains("signature does not match"), "{auth:?}");
}

#[test]
fn bad_credential_values_are_refused_clearly_without_echoing_them() {
    let cases: [(Result<Credentials, Error>, &str); 5] = [
        (
            Credentials::access_key("", SK),
            "the access key ID is empty",
        ),
        (
            Credentials::access_key(AK, " "),
            "the secret access key is empty",
        ),
        (
            Credentials::access_key("AK\r\nX: y", SK),
            "the access key ID contains characters",
        ),
        (
            Credentials::access_key(AK, SK)
                .unwrap()
                .with_security_token("tok\nen-SECRET"),
            "the security token contains characters",
        ),
        (
            Credentials::token("t").unwrap().with_security_token("x"),
            "goes with an access key pair",
        ),
    ];
    for (result, expected) in cases {
        let err = result.unwrap_err().to_string();
        assert!(err.contains(expected), "{err}");
        assert!(!err.contains("SECRET") && !err.contains(SK), "{err}");
    }
}
