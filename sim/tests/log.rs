//! The request log: in memory and as JSON lines in a file, without secrets.

mod common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn each_request_is_one_json_line_with_secrets_redacted() {
    let dir = std::env::temp_dir().join(format!("secmaster-sim-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("requests.jsonl");
    let _ = std::fs::remove_file(&path);
    let sim = sim()
        .token(TOKEN)
        .access_key(AK, SK)
        .log_file(&path)
        .start()
        .await
        .unwrap();

    let list = url(&sim, WORKSPACE, "?limit=5&name=a%20b");
    client()
        .get(&list)
        .header("X-Auth-Token", TOKEN)
        .send()
        .await
        .unwrap();
    let signed = send_signed(
        "POST",
        &url(&sim, WORKSPACE, "/export"),
        &[("Content-Type", "application/json")],
        br#"{"id":[]}"#.to_vec(),
        SK,
    )
    .await;
    assert_eq!(signed.status(), 200);
    client()
        .get(&list)
        .header("X-Security-Token", "SECRET-SECURITY-TOKEN")
        .send()
        .await
        .unwrap();
    client()
        .get(url(&sim, WORKSPACE, "?limit=0"))
        .header("X-Auth-Token", TOKEN)
        .send()
        .await
        .unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        !text.contains(TOKEN) && !text.contains("SECRET-SECURITY-TOKEN"),
        "{text}"
    );
    assert_eq!(
        text.matches("Signature=").count(),
        text.matches("Signature=<redacted>").count(),
        "{text}"
    );
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);

    let first = &lines[0];
    assert_eq!(
        (first["method"].as_str(), first["query"].as_str()),
        (Some("GET"), Some("limit=5&name=a%20b"))
    );
    assert_eq!(
        first["path"],
        format!("/v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows")
    );
    assert_eq!(
        (
            first["auth"].as_str(),
            first["validation"].as_str(),
            first["status"].as_u64()
        ),
        (Some("ok: token"), Some("ok"), Some(200))
    );
    assert_eq!(first["operation"], "list_workflows");
    let headers = first["headers"].as_array().unwrap();
    assert!(
        headers
            .iter()
            .any(|h| h[0] == "x-auth-token" && h[1] == "<redacted>"),
        "{headers:?}"
    );

    let second = &lines[1];
    assert_eq!(second["body_length"], 9);
    assert_eq!(second["auth"], format!("ok: signature by {AK}"));
    let authorization = second["headers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h[0] == "authorization")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        authorization.starts_with(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders="))
            && authorization.ends_with("Signature=<redacted>"),
        "{authorization}"
    );

    assert!(lines[2]["auth"].as_str().unwrap().starts_with("failed: "));
    assert_eq!(lines[2]["validation"], "not run");
    assert_eq!(lines[2]["status"], 401);
    assert!(
        lines[3]["validation"]
            .as_str()
            .unwrap()
            .starts_with("rejected: query parameter limit"),
        "{}",
        lines[3]
    );
    for line in &lines {
        assert_eq!(line["request_id"].as_str().unwrap().len(), 32);
        assert!(line["time"].as_str().unwrap().ends_with('Z'));
    }
}
