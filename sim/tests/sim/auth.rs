//! Authentication as the API gateway does it: a token, or an SDK-HMAC-SHA256
//! signature recomputed from the request as received.

use std::time::{Duration, SystemTime};

use crate::support::{
    AK, PROJECT, SECURITY_TOKEN, SK, TOKEN, WORKSPACE, client, send_signed, signature,
    signature_at, sim, upload, url,
};
use serde_json::Value;

async fn expect_401(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "APIGW.0301");
    body["error_msg"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_token_must_be_the_configured_one() {
    let sim = sim()
        .token(TOKEN)
        .seed(PROJECT, WORKSPACE, 1)
        .start()
        .await
        .unwrap();
    let list = url(&sim, WORKSPACE, "");
    let missing = expect_401(client().get(&list).send().await.unwrap()).await;
    assert!(missing.contains("no X-Auth-Token"), "{missing}");
    expect_401(
        client()
            .get(&list)
            .header("X-Auth-Token", "wrong")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let ok = client()
        .get(&list)
        .header("X-Auth-Token", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let outcomes: Vec<String> = sim.requests().into_iter().map(|r| r.auth).collect();
    assert!(
        outcomes[0].starts_with("failed: ") && outcomes[1].starts_with("failed: "),
        "{outcomes:?}"
    );
    assert_eq!(outcomes[2], "ok: token");
}

#[tokio::test]
async fn without_credentials_configured_anything_is_accepted() {
    let sim = sim().start().await.unwrap();
    let response = client()
        .get(url(&sim, WORKSPACE, ""))
        .header("X-Auth-Token", "whatever")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn signed_requests_pass_as_the_official_sdk_sends_them() {
    let sim = sim()
        .access_key(AK, SK)
        .seed(PROJECT, WORKSPACE, 3)
        .seed(PROJECT, "copy", 0)
        .start()
        .await
        .unwrap();
    let id = sim.workflows(PROJECT, WORKSPACE)[0].id.clone();

    // List with every filter, the query in canonical order as the SDK sends it.
    let query = "?aop_type=NORMAL&dataclass_name=Alert&description=d&enabled=true&limit=100&name=my%20wf%2F%C3%A9%26x&offset=0&order=DESC&sortby=update_time";
    let json = [
        ("Content-Type", "application/json"),
        ("User-Agent", "huaweicloud-usdk-python/3.0"),
    ];
    let response = send_signed("GET", &url(&sim, WORKSPACE, query), &json, Vec::new(), SK).await;
    assert_eq!(response.status(), 200);

    // Export with plain application/json (not the documented ;charset=UTF-8).
    let body = format!("{{\"id\": [\"{id}\"]}}").into_bytes();
    let response = send_signed("POST", &url(&sim, WORKSPACE, "/export"), &json, body, SK).await;
    assert_eq!(response.status(), 200);

    // Import: multipart, so the payload is UNSIGNED-PAYLOAD.
    let exported = response.bytes().await.unwrap();
    let (content_type, body) = upload(&exported);
    let response = send_signed(
        "POST",
        &url(&sim, "copy", "/import"),
        &[("Content-Type", &content_type)],
        body,
        SK,
    )
    .await;
    assert_eq!(response.status(), 200);

    let records = sim.requests();
    assert!(
        records
            .iter()
            .all(|r| r.auth == format!("ok: signature by {AK}")),
        "{records:#?}"
    );
    let import = &records[2];
    assert_eq!(
        import.header("x-sdk-content-sha256"),
        Some("UNSIGNED-PAYLOAD")
    );
    assert!(
        import.header("host").unwrap().starts_with("127.0.0.1:"),
        "Host with the port"
    );
    assert_eq!(import.header("x-project-id"), Some(PROJECT));
}

#[tokio::test]
async fn a_bad_signature_is_a_401() {
    let sim = sim()
        .access_key(AK, SK)
        .seed(PROJECT, WORKSPACE, 1)
        .start()
        .await
        .unwrap();
    let export = url(&sim, WORKSPACE, "/export");
    let json = [("Content-Type", "application/json")];
    let body = br#"{"id": ["a"]}"#.to_vec();

    let wrong_key =
        expect_401(send_signed("POST", &export, &json, body.clone(), "another secret").await).await;
    assert!(
        wrong_key.contains("signature does not match"),
        "{wrong_key}"
    );

    // Signed for one body, sent with another.
    let mut request = client().post(&export);
    for (name, value) in signature("POST", &export, &json, &body, SK) {
        request = request.header(name, value);
    }
    expect_401(
        request
            .body(br#"{"id": ["b"]}"#.to_vec())
            .send()
            .await
            .unwrap(),
    )
    .await;

    // Signed for another query.
    let list = url(&sim, WORKSPACE, "");
    let mut request = client().get(format!("{list}?limit=5"));
    for (name, value) in signature("GET", &format!("{list}?limit=6"), &json, b"", SK) {
        request = request.header(name, value);
    }
    expect_401(request.send().await.unwrap()).await;

    // Another access key, and a signature with no Host in it.
    let mut headers = signature("GET", &list, &json, b"", SK);
    for (name, value) in &mut headers {
        if name == "Authorization" {
            *value = value.replace(AK, "SOMEONE-ELSE");
        }
    }
    let mut request = client().get(&list);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let unknown = expect_401(request.send().await.unwrap()).await;
    assert!(
        unknown.contains("unknown access key SOMEONE-ELSE"),
        "{unknown}"
    );
    let no_auth = expect_401(client().get(&list).send().await.unwrap()).await;
    assert!(no_auth.contains("Authorization"), "{no_auth}");

    let outcomes: Vec<String> = sim.requests().into_iter().map(|r| r.auth).collect();
    assert!(
        outcomes.iter().all(|o| o.starts_with("failed: ")),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn with_both_configured_either_credential_works() {
    let sim = sim().token(TOKEN).access_key(AK, SK).start().await.unwrap();
    let list = url(&sim, WORKSPACE, "");
    let by_token = client()
        .get(&list)
        .header("X-Auth-Token", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(by_token.status(), 200);
    let signed = send_signed("GET", &list, &[], Vec::new(), SK).await;
    assert_eq!(signed.status(), 200);
    let message = expect_401(client().get(&list).send().await.unwrap()).await;
    assert!(message.contains("neither"), "{message}");
}

#[tokio::test]
async fn a_temporary_key_needs_its_security_token_signed() {
    let sim = sim()
        .access_key(AK, SK)
        .security_token(SECURITY_TOKEN)
        .start()
        .await
        .unwrap();
    let list = url(&sim, WORKSPACE, "");
    let with = |token: &'static str| [("X-Security-Token", token)];

    let ok = send_signed("GET", &list, &with(SECURITY_TOKEN), Vec::new(), SK).await;
    assert_eq!(ok.status(), 200);
    let missing = expect_401(send_signed("GET", &list, &[], Vec::new(), SK).await).await;
    assert!(missing.contains("no X-Security-Token"), "{missing}");
    let wrong = expect_401(send_signed("GET", &list, &with("another"), Vec::new(), SK).await).await;
    assert!(wrong.contains("not the one configured"), "{wrong}");
    // Sent, but left out of SignedHeaders.
    let mut request = client()
        .get(&list)
        .header("X-Security-Token", SECURITY_TOKEN);
    for (name, value) in signature("GET", &list, &[], b"", SK) {
        request = request.header(name, value);
    }
    let unsigned = expect_401(request.send().await.unwrap()).await;
    assert!(unsigned.contains("not signed"), "{unsigned}");

    let outcomes: Vec<String> = sim.requests().into_iter().map(|r| r.auth).collect();
    assert_eq!(
        outcomes[0],
        format!("ok: signature by {AK} with its security token")
    );
    assert!(
        outcomes[1..].iter().all(|o| o.starts_with("failed: ")),
        "{outcomes:?}"
    );
    assert_eq!(
        sim.requests()[0].header("x-security-token"),
        Some("<redacted>")
    );
}

/// Signed `at` the given distance from now (`ahead` or behind), sent to `sim`.
async fn signed_off_by(
    sim: &secmaster_sim::Simulator,
    ahead: bool,
    by: Duration,
) -> reqwest::Response {
    let list = url(sim, WORKSPACE, "");
    let at = if ahead {
        SystemTime::now() + by
    } else {
        SystemTime::now() - by
    };
    let mut request = client().get(&list);
    for (name, value) in signature_at("GET", &list, &[], b"", SK, at) {
        request = request.header(name, value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn a_signature_dated_more_than_15_minutes_away_is_a_401() {
    let strict = sim().access_key(AK, SK).start().await.unwrap();
    let minutes = |m: u64| Duration::from_secs(m * 60);
    for ahead in [false, true] {
        let near = signed_off_by(&strict, ahead, minutes(14)).await;
        assert_eq!(near.status(), 200, "14 minutes off is within the limit");
        let far = expect_401(signed_off_by(&strict, ahead, minutes(16)).await).await;
        assert!(far.contains("more than the 900 s allowed"), "{far}");
        assert!(
            far.contains(if ahead { "ahead of" } else { "behind" }),
            "{far}"
        );
    }
    // A client with a fixed clock can be let through.
    let lenient = sim()
        .access_key(AK, SK)
        .max_clock_skew(None)
        .start()
        .await
        .unwrap();
    let old = signed_off_by(&lenient, false, Duration::from_secs(400 * 24 * 3600)).await;
    assert_eq!(old.status(), 200);
}

/// Sends `body` with exactly these headers.
async fn post_with(to: &str, headers: &[(String, String)], body: Vec<u8>) -> reqwest::Response {
    let mut request = client().post(to);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.body(body).send().await.unwrap()
}

#[tokio::test]
async fn a_signed_body_hash_must_be_the_hash_of_the_body_sent() {
    let sim = sim()
        .access_key(AK, SK)
        .seed(PROJECT, WORKSPACE, 2)
        .start()
        .await
        .unwrap();
    let workflows = sim.workflows(PROJECT, WORKSPACE);
    let export = url(&sim, WORKSPACE, "/export");
    let body = |i: usize| format!("{{\"id\": [\"{}\"]}}", workflows[i].id).into_bytes();
    let (a, b) = (body(0), body(1));
    // Signed for body A, the hash of A among the signed headers.
    let signed = |hash: &str| {
        signature(
            "POST",
            &export,
            &[
                ("Content-Type", "application/json"),
                ("X-Sdk-Content-Sha256", hash),
            ],
            &a,
            SK,
        )
    };
    let hash_a = secmaster_signer::payload_hash(&a);

    // Sent with body B: refused as the gateway refuses a bad signature.
    let why = expect_401(post_with(&export, &signed(&hash_a), b.clone()).await).await;
    assert!(
        why.contains("X-Sdk-Content-Sha256 is not the SHA-256 of the body received"),
        "{why}"
    );
    let records = sim.requests();
    assert!(records[0].auth.starts_with("failed: "), "{records:?}");

    // With body A, in either case of hex digits: accepted.
    for hash in [hash_a.clone(), hash_a.to_ascii_uppercase()] {
        let response = post_with(&export, &signed(&hash), a.clone()).await;
        assert_eq!(response.status(), 200, "{hash}");
    }
    // UNSIGNED-PAYLOAD leaves the body out of the signature, as the README says.
    let response = post_with(&export, &signed("UNSIGNED-PAYLOAD"), b.clone()).await;
    assert_eq!(response.status(), 200);
}
