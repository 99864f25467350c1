//! Requests checked against the document: parameters, bodies, media types,
//! --strict, and a document that changes changing what is accepted.

use crate::support::{PROJECT, TEST_DOCUMENT, WORKSPACE, client, document, sim, url};
use secmaster_sim::{EMBEDDED_DOCUMENT, Simulator};
use serde_json::Value;

/// Status and message of an answer.
async fn outcome(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or_default();
    (
        status,
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn list(sim: &Simulator, query: &str) -> (u16, String) {
    outcome(
        client()
            .get(url(sim, WORKSPACE, query))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn post(
    sim: &Simulator,
    tail: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> (u16, String) {
    let mut request = client().post(url(sim, WORKSPACE, tail)).body(body.to_vec());
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    outcome(request.send().await.unwrap()).await
}

#[tokio::test]
async fn query_parameters_are_checked_against_their_schemas() {
    // The tests' own document, so that this runs whatever state
    // openapi/secmaster.yaml is in; the embedded one is checked below too.
    for document in [TEST_DOCUMENT, document()] {
        let sim = serving(document).await;
        for (query, fragment) in [
            (
                "?limit=0",
                "query parameter limit: 0 is below the minimum 1",
            ),
            ("?limit=101", "101 is above the maximum 100"),
            ("?offset=10001", "above the maximum 10000"),
            ("?offset=-1", "below the minimum 0"),
            ("?offset=abc", "\"abc\" is not an integer"),
            ("?limit=", "\"\" is not an integer"),
            (
                "?order=desc",
                "query parameter order: \"desc\" is not one of ASC, DESC",
            ),
            ("?sortby=category", "is not one of create_time, update_time"),
            ("?enabled=yes", "\"yes\" is not a boolean"),
            (
                "?aop_type=OTHER",
                "is not one of NORMAL, SURVEY, HEMOSTASIS, EASE",
            ),
            ("?limit=5&limit=6", "query parameter limit is given 2 times"),
        ] {
            let (status, message) = list(&sim, query).await;
            assert_eq!(status, 400, "{query}: {message}");
            assert!(message.contains(fragment), "{query}: {message}");
        }
        for query in [
            "",
            "?limit=1&offset=10000&order=ASC&sortby=update_time&enabled=false&aop_type=EASE&name=x",
        ] {
            assert_eq!(list(&sim, query).await.0, 200, "{query}");
        }
        let rejected = sim
            .requests()
            .into_iter()
            .filter(|r| r.validation.starts_with("rejected: "))
            .count();
        assert_eq!(rejected, 11);
    }
}

#[tokio::test]
async fn bodies_and_media_types_are_checked() {
    let sim = sim().seed(PROJECT, WORKSPACE, 1).start().await.unwrap();
    let json = Some("application/json;charset=UTF-8");
    for (tail, content_type, body, fragment) in [
        (
            "/export",
            json,
            &b""[..],
            "export_workflows needs a request body",
        ),
        ("/export", None, br#"{"id":[]}"#, "Content-Type is missing"),
        (
            "/export",
            Some("text/plain"),
            br#"{"id":[]}"#,
            "Content-Type \"text/plain\" is not documented for export_workflows",
        ),
        (
            "/export",
            json,
            b"{not json",
            "the request body is not JSON",
        ),
        (
            "/export",
            json,
            br#"{"ids":[]}"#,
            "body lacks the required property \"id\"",
        ),
        (
            "/export",
            json,
            br#"{"id":"x"}"#,
            "body.id must be an array, got a string",
        ),
        (
            "/export",
            json,
            br#"{"id":[1]}"#,
            "body.id[0] must be a string, got a number",
        ),
        (
            "/import",
            json,
            br#"{"uploadFile":"x"}"#,
            "not documented for import_workflows",
        ),
        (
            "/import",
            Some("multipart/form-data"),
            b"--b--",
            "without a usable boundary",
        ),
        (
            "/import",
            Some("multipart/form-data; boundary=b"),
            b"garbage",
            "bad multipart body",
        ),
        (
            "/import",
            Some("multipart/form-data; boundary=b"),
            b"--b\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nx\r\n--b--\r\n",
            "lacks the required field \"uploadFile\"",
        ),
    ] {
        let (status, message) = post(&sim, tail, content_type, body).await;
        assert_eq!(status, 400, "{tail} {content_type:?}: {message}");
        assert!(
            message.contains(fragment),
            "{tail} {content_type:?}: {message}"
        );
    }
    assert_eq!(
        post(&sim, "/export", json, br#"{"id":[]}"#).await.0,
        200,
        "an empty export is a file with no workflows"
    );
}

#[tokio::test]
async fn strict_refuses_what_is_otherwise_a_warning() {
    let plain = Some("application/json");
    let body = br#"{"id":[]}"#;
    let lenient = sim().start().await.unwrap();
    assert_eq!(post(&lenient, "/export", plain, body).await.0, 200);
    assert_eq!(list(&lenient, "?undocumented=1").await.0, 200);
    let warnings: Vec<Vec<String>> = lenient.requests().into_iter().map(|r| r.warnings).collect();
    assert!(
        warnings[0][0].contains("lacks charset=UTF-8"),
        "{warnings:?}"
    );
    assert!(
        warnings[1][0].contains("\"undocumented\" is not documented"),
        "{warnings:?}"
    );

    let strict = sim().strict(true).start().await.unwrap();
    let (status, message) = post(&strict, "/export", plain, body).await;
    assert_eq!(status, 400);
    assert!(message.contains("lacks charset=UTF-8"), "{message}");
    assert_eq!(
        post(
            &strict,
            "/export",
            Some("application/json; charset=utf-8"),
            body
        )
        .await
        .0,
        200
    );
    assert_eq!(list(&strict, "?undocumented=1").await.0, 400);
    let (status, message) = outcome(
        client()
            .get(url(&strict, WORKSPACE, ""))
            .body("unexpected")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{message}");
}

/// The same request against the document and against a mutated copy.
async fn accepted(
    document: &str,
    method: &str,
    tail: &str,
    content_type: &str,
    body: &[u8],
) -> u16 {
    let sim = serving(document).await;
    let response = client()
        .request(method.parse().unwrap(), url(&sim, WORKSPACE, tail))
        .header("content-type", content_type)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn a_changed_document_changes_what_is_accepted() {
    let json = "application/json;charset=UTF-8";
    let export = br#"{"id":[]}"#;
    for original in [EMBEDDED_DOCUMENT, TEST_DOCUMENT] {
        assert_eq!(
            accepted(original, "POST", "/export", json, export).await,
            200
        );

        // The export operation taken out of the document.
        let removed = original.replace("/soc/workflows/export:", "/soc/workflows/export-old:");
        assert_ne!(removed, original);
        assert_eq!(
            accepted(&removed, "POST", "/export", json, export).await,
            404
        );

        // Its body documented as XML instead of JSON.
        let xml = original.replace("application/json;charset=UTF-8:", "application/xml:");
        assert_ne!(xml, original);
        assert_eq!(accepted(&xml, "POST", "/export", json, export).await, 400);

        // A required property added to the request body.
        let stricter = original.replace(
            "required:\n        - id",
            "required:\n        - id\n        - format",
        );
        let stricter = stricter.replace("required: [id]", "required: [id, format]");
        assert_ne!(stricter, original);
        assert_eq!(
            accepted(&stricter, "POST", "/export", json, export).await,
            400
        );

        // An enum value renamed (where the document has the list operation).
        if original.contains("- DESC") || original.contains("[ASC, DESC]") {
            assert_eq!(
                accepted(original, "GET", "?order=DESC", json, b"").await,
                200
            );
            let renamed = original
                .replace("- DESC", "- NEWEST")
                .replace("[ASC, DESC]", "[ASC, NEWEST]");
            assert_eq!(
                accepted(&renamed, "GET", "?order=DESC", json, b"").await,
                400
            );
        }
    }
}

#[tokio::test]
async fn an_unusable_document_is_refused_at_start() {
    let error = Simulator::builder()
        .document("openapi: [not a document")
        .start()
        .await
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("unusable OpenAPI document"),
        "{error}"
    );
    let dangling = TEST_DOCUMENT.replace(
        "#/components/parameters/project_id",
        "#/components/parameters/nothing",
    );
    let error = Simulator::builder()
        .document(dangling)
        .start()
        .await
        .err()
        .unwrap();
    assert!(error.to_string().contains("dangling reference"), "{error}");
    // Faults and the log name operations by id: one id for two operations
    // would make them ambiguous.
    let twice = TEST_DOCUMENT.replace("operationId: show_workflow", "operationId: list_workflows");
    assert_ne!(twice, TEST_DOCUMENT);
    let error = Simulator::builder()
        .document(twice)
        .start()
        .await
        .err()
        .unwrap();
    assert!(
        error
            .to_string()
            .contains("operationId list_workflows is used twice"),
        "{error}"
    );
}

/// A simulator serving `document`, with the tests' empty workspace.
async fn serving(document: &str) -> Simulator {
    Simulator::builder()
        .document(document)
        .seed(PROJECT, WORKSPACE, 0)
        .start()
        .await
        .unwrap()
}
