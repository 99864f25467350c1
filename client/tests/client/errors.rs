//! Every non-2xx answer reaches the caller whole: status, code and message
//! where the body had them, request id, and the raw body when it is not JSON.

use secmaster_client::Error;

use crate::support::{ID, PROJECT, TOKEN, WORKSPACE, answer, sim, start, token_client};

struct Case {
    status: u16,
    content_type: &'static str,
    body: &'static str,
    code: Option<&'static str>,
    message: Option<&'static str>,
    raw: Option<&'static str>,
}

#[rustfmt::skip] // one case a line reads as a table
const CASES: &[Case] = &[
    // The documented 400 body.
    Case { status: 400, content_type: "application/json", body: r#"{"code":"SecMaster.00040001","message":"invalid id"}"#, code: Some("SecMaster.00040001"), message: Some("invalid id"), raw: None },
    // The API gateway's own 400 (declared with the same schema in the document).
    Case { status: 400, content_type: "application/json", body: r#"{"error_code":"APIGW.0201","error_msg":"Request body too large"}"#, code: Some("APIGW.0201"), message: Some("Request body too large"), raw: None },
    // A 400 that is not JSON at all: progenitor alone would lose its status.
    Case { status: 400, content_type: "text/html", body: "<html>Bad Request</html>", code: None, message: None, raw: Some("<html>Bad Request</html>") },
    Case { status: 401, content_type: "application/json", body: r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#, code: Some("APIGW.0301"), message: Some("Incorrect IAM authentication information"), raw: None },
    Case { status: 403, content_type: "application/json", body: r#"{"code":"SecMaster.20010001","message":"workspace does not exist"}"#, code: Some("SecMaster.20010001"), message: Some("workspace does not exist"), raw: None },
    Case { status: 403, content_type: "application/json", body: r#"{"error_code":"APIGW.0302","error_msg":"not authorized"}"#, code: Some("APIGW.0302"), message: Some("not authorized"), raw: None },
    Case { status: 429, content_type: "application/json", body: r#"{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}"#, code: Some("APIGW.0308"), message: Some("The throttling threshold has been reached"), raw: None },
    // Undeclared statuses and the third spelling.
    Case { status: 404, content_type: "application/json", body: r#"{"errorCode":"APIGW.0101","errorMsg":"The API does not exist"}"#, code: Some("APIGW.0101"), message: Some("The API does not exist"), raw: None },
    Case { status: 500, content_type: "text/plain", body: "upstream exploded", code: None, message: None, raw: Some("upstream exploded") },
    Case { status: 502, content_type: "application/json", body: "", code: None, message: None, raw: None },
    // JSON that is not an object is kept as text.
    Case { status: 500, content_type: "application/json", body: r#"["oops"]"#, code: None, message: None, raw: Some(r#"["oops"]"#) },
];

#[tokio::test]
async fn every_error_keeps_status_code_message_request_id_and_raw_body() {
    for (i, case) in CASES.iter().enumerate() {
        let request_id = format!("req-{i}");
        let server = start(sim().fault(answer(
            "export_workflows",
            case.status,
            case.body,
            &[
                ("content-type", case.content_type),
                ("x-request-id", &request_id),
            ],
        )))
        .await;
        let err = token_client(&server.base_url())
            .export_workflows(PROJECT, WORKSPACE, &[ID])
            .await
            .unwrap_err();
        let Error::Api(api) = &err else {
            panic!("case {i}: expected an API error, got {err:?}")
        };
        assert_eq!(api.status().as_u16(), case.status, "case {i}");
        assert_eq!(api.code(), case.code, "case {i}");
        assert_eq!(api.message(), case.message, "case {i}");
        assert_eq!(api.request_id(), Some(request_id.as_str()), "case {i}");
        assert_eq!(api.raw_body(), case.raw, "case {i}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(case.status));
        // The one-line text a person reads names all of it.
        let text = err.to_string();
        assert!(text.contains(&case.status.to_string()), "{text}");
        for part in [case.code, case.message, case.raw].into_iter().flatten() {
            assert!(text.contains(part), "case {i}: {text} lacks {part}");
        }
        assert!(text.contains(&request_id), "{text}");
    }
}

#[tokio::test]
async fn a_huge_error_body_is_capped() {
    let body = "x".repeat(1024 * 1024);
    let server = start(sim().fault(answer("export_workflows", 500, &body, &[]))).await;
    let err = token_client(&server.base_url())
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap_err();
    let Error::Api(api) = err else {
        panic!("{err:?}")
    };
    assert_eq!(api.raw_body().map(str::len), Some(64 * 1024));
}

#[tokio::test]
async fn the_token_never_shows_in_debug_or_errors() {
    use secmaster_client::Credentials;
    let server = start(sim().fault(answer(
        "export_workflows",
        401,
        r#"{"error_code":"APIGW.0301","error_msg":"bad token"}"#,
        &[],
    )))
    .await;
    let client = token_client(&server.base_url());
    let err = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap_err();
    for text in [
        format!("{client:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{:?}", Credentials::token(TOKEN).unwrap()),
    ] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(!text.contains("fake-token"), "token leaked: {text}");
    }
    // A token that cannot be a header value is refused without repeating it.
    let bad = Credentials::token("secret\nvalue").unwrap_err().to_string();
    assert!(!bad.contains("secret"), "{bad}");
    assert!(Credentials::token("  ").is_err());
}

#[tokio::test]
async fn connection_refused_is_a_connect_error() {
    // Bind and drop a listener: the port is then (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = token_client(&format!("http://127.0.0.1:{port}"))
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    assert!(err.to_string().starts_with("cannot connect"), "{err}");
}
