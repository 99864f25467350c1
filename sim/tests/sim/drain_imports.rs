//! `drain_imports`: an import body of any size is read to its end and
//! dropped; the answer says how many bytes came, nothing is imported, and
//! other operations are untouched.

use crate::support::{AK, PROJECT, SK, TOKEN, WORKSPACE, client, send_signed, sim, upload, url};
use serde_json::Value;

#[tokio::test]
async fn an_import_over_the_body_limit_is_drained_and_counted() {
    let sim = sim()
        .token(TOKEN)
        .drain_imports(true)
        .seed(PROJECT, WORKSPACE, 2)
        .start()
        .await
        .unwrap();
    // 20 MiB: over the 12 MiB the gateway (and the simulator otherwise) takes.
    let file = vec![7u8; 20 << 20];
    let (content_type, body) = upload(&file);
    let length = body.len();
    let response = client()
        .post(url(&sim, WORKSPACE, "/import"))
        .header("x-auth-token", TOKEN)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["success"], true);
    assert_eq!(
        answer["message"],
        format!("drained {length} bytes; nothing imported")
    );
    assert_eq!(sim.workflows(PROJECT, WORKSPACE).len(), 2);
    let record = sim.requests().pop().unwrap();
    assert_eq!(record.body_length, length);
    assert!(record.body.is_empty());
    assert_eq!(record.auth, "ok: token");

    // Authentication still applies; other operations are as always.
    let refused = client()
        .post(url(&sim, WORKSPACE, "/import"))
        .header("content-type", "multipart/form-data; boundary=x")
        .body(vec![0u8; 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let listed = client()
        .get(url(&sim, WORKSPACE, "?limit=0"))
        .header("x-auth-token", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status().as_u16(), 400);
}

#[tokio::test]
async fn a_signed_drained_import_must_leave_the_body_unsigned() {
    let sim = sim()
        .access_key(AK, SK)
        .drain_imports(true)
        .start()
        .await
        .unwrap();
    let (content_type, body) = upload(b"any file");
    let import = url(&sim, WORKSPACE, "/import");
    // What the client and the official SDK send for a form: UNSIGNED-PAYLOAD.
    let response = send_signed(
        "POST",
        &import,
        &[("Content-Type", &content_type)],
        body.clone(),
        SK,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(sim.requests()[0].auth, format!("ok: signature by {AK}"));

    // A body hash cannot be checked on a body that is not kept: refused.
    let hash = secmaster_signer::payload_hash(&body);
    let response = send_signed(
        "POST",
        &import,
        &[
            ("Content-Type", &content_type),
            ("X-Sdk-Content-Sha256", &hash),
        ],
        body,
        SK,
    )
    .await;
    assert_eq!(response.status(), 401);
    let answer: Value = response.json().await.unwrap();
    assert!(
        answer["error_msg"]
            .as_str()
            .unwrap()
            .contains("UNSIGNED-PAYLOAD"),
        "{answer}"
    );
}
