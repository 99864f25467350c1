//! Access-key signing on the wire: a server that recomputes the signature
//! from the request as received accepts the client's requests and rejects
//! a wrong key; secrets stay out of every text the client produces.

use secmaster_client::{Credentials, Error, RetryPolicy, SecMasterClient};
use secmaster_tests::server::{Recorded, Reply, ScriptedServer, verify_signature};
use secmaster_tests::support::{ID, PROJECT, WORKSPACE};

const AK: &str = "HPUAFAKEAK0EXAMPLE01";
const SK: &str = "FAKEsecretKEY0example0000000000000000000001";
const SECURITY_TOKEN: &str = "FAKE-security-token-ABCDEFGHIJ";

/// Answers 200 when the signature checks out, else the gateway's 401.
fn gateway(request: &Recorded, _: usize) -> Reply {
    match verify_signature(request, AK, SK) {
        Ok(()) => Reply::status(200, "signed ok", &[]),
        Err(why) => Reply::status(
            401,
            format!(r#"{{"error_code":"APIGW.0301","error_msg":"{why}"}}"#),
            &[("x-request-id", "r-401")],
        ),
    }
}

fn client(base_url: &str, credentials: Credentials) -> SecMasterClient {
    SecMasterClient::builder()
        .endpoint_url(base_url)
        .unwrap()
        .credentials(credentials)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn signed_requests_verify_on_the_receiving_side() {
    let server = ScriptedServer::start(gateway).await;
    let credentials = Credentials::access_key(AK, SK)
        .unwrap()
        .with_security_token(SECURITY_TOKEN)
        .unwrap();
    let client = client(&server.base_url, credentials);
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
        assert_eq!(out, b"signed ok");
    }
    for request in server.requests() {
        let host = server.base_url.trim_start_matches("http://");
        assert_eq!(request.header("host"), Some(host), "Host carries the port");
        assert_eq!(request.header("x-security-token"), Some(SECURITY_TOKEN));
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
    let projects: Vec<_> = server
        .requests()
        .iter()
        .map(|r| r.header("x-project-id").unwrap().to_owned())
        .collect();
    assert_eq!(projects[0], PROJECT);
    assert_eq!(
        server.requests()[1].target,
        "/v1/p%2F1%20x/workspaces/w%C5%9B-1/soc/workflows/export"
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_rejected_by_the_verifier() {
    let server = ScriptedServer::start(gateway).await;
    let wrong = Credentials::access_key(AK, "not-the-secret").unwrap();
    let err = client(&server.base_url, wrong)
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap_err();
    let api = err.api_error().expect("an API error");
    assert_eq!(api.status().as_u16(), 401);
    assert_eq!(api.code(), Some("APIGW.0301"));
    assert_eq!(api.message(), Some("signature mismatch"));
    assert_eq!(api.request_id(), Some("r-401"));
    // And the verifier itself rejects a request whose body changed after signing.
    let mut tampered = server.requests()[0].clone();
    tampered.body = br#"{"id":["other"]}"#.to_vec();
    assert!(verify_signature(&tampered, AK, "not-the-secret").is_err());
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
