//! The request log: in memory and as JSON lines in a file, without secrets.

use crate::support::{
    AK, PROJECT, SECURITY_TOKEN, SK, TOKEN, WORKSPACE, client, decode_base64, fault, send_signed,
    sim, unread_caller, upload, url,
};
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
        .header("X-Security-Token", SECURITY_TOKEN)
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
        !text.contains(TOKEN) && !text.contains(SECURITY_TOKEN),
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

#[tokio::test]
async fn each_record_says_when_it_arrived_and_when_it_was_answered() {
    let sim = sim()
        .latency(std::time::Duration::from_millis(50))
        .start()
        .await
        .unwrap();
    sim.add_fault(fault("list_workflows=stall,times=1"))
        .unwrap();
    let stalled = client()
        .get(url(&sim, WORKSPACE, ""))
        .timeout(std::time::Duration::from_millis(150))
        .send()
        .await;
    assert!(stalled.is_err(), "the stall sends nothing");
    let list = url(&sim, WORKSPACE, "");
    let (a, b) = tokio::join!(client().get(&list).send(), client().get(&list).send());
    assert_eq!(a.unwrap().status(), 200);
    assert_eq!(b.unwrap().status(), 200);

    let records = sim.requests();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].answered_at, None, "a stall answers nothing");
    for r in &records[1..] {
        let answered = r.answered_at.expect("answered");
        assert!(answered - r.received_at >= std::time::Duration::from_millis(50));
    }
    // Sent together, each arrived before the other was answered.
    let (x, y) = (&records[1], &records[2]);
    assert!(x.received_at < y.answered_at.unwrap() && y.received_at < x.answered_at.unwrap());
}

#[tokio::test]
async fn log_bodies_adds_each_body_in_base64_and_keeps_secrets_out() {
    let dir = std::env::temp_dir().join(format!("secmaster-sim-bodies-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (with, without) = (dir.join("with.jsonl"), dir.join("without.jsonl"));
    let mut sent_form = Vec::new();
    for path in [&with, &without] {
        let _ = std::fs::remove_file(path);
        let sim = sim()
            .token(TOKEN)
            .log_file(path)
            .log_bodies(path == &with)
            .start()
            .await
            .unwrap();
        let export = client()
            .post(url(&sim, WORKSPACE, "/export"))
            .header("X-Auth-Token", TOKEN)
            .header("Content-Type", "application/json;charset=UTF-8")
            .body(r#"{"id":[]}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(export.status(), 200);
        // Not an export file: refused by import, logged all the same.
        let (content_type, form) = upload(&[0xff, 0xfe, 0x00, b'\r', b'\n', b'-', b'-']);
        sent_form = form.clone();
        client()
            .post(url(&sim, WORKSPACE, "/import"))
            .header("X-Auth-Token", TOKEN)
            .header("Content-Type", content_type)
            .body(form)
            .send()
            .await
            .unwrap();
        client()
            .get(url(&sim, WORKSPACE, ""))
            .header("X-Auth-Token", TOKEN)
            .send()
            .await
            .unwrap();
    }
    let read = |path: &std::path::Path| -> Vec<Value> {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(!text.contains(TOKEN), "{text}");
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (lines, plain) = (read(&with), read(&without));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!((lines.len(), plain.len()), (3, 3));
    assert!(plain.iter().all(|l| l.get("body_base64").is_none()));

    assert_eq!(lines[0]["body_base64"], "eyJpZCI6W119"); // {"id":[]}
    let import = decode_base64(lines[1]["body_base64"].as_str().unwrap());
    assert_eq!(import, sent_form, "the form as sent, binary file included");
    assert_eq!(
        lines[1]["body_length"].as_u64(),
        Some(sent_form.len() as u64)
    );
    assert_eq!(lines[2]["body_base64"], "");
    for line in &lines {
        let headers = line["headers"].as_array().unwrap();
        assert!(
            headers
                .iter()
                .any(|h| h[0] == "x-auth-token" && h[1] == "<redacted>"),
            "{headers:?}"
        );
    }
}

#[tokio::test]
async fn the_last_request_is_the_newest_record() {
    let sim = sim().start().await.unwrap();
    assert!(sim.last_request().is_none());
    for limit in ["1", "2"] {
        client()
            .get(url(&sim, WORKSPACE, &format!("?limit={limit}")))
            .send()
            .await
            .unwrap();
        let last = sim.last_request().unwrap();
        assert_eq!(last.query, format!("limit={limit}"));
        assert_eq!(
            Some(last.request_id),
            sim.requests().pop().map(|r| r.request_id)
        );
    }
}

/// `GET /_sim/requests` answers one at a time (see admin.rs); calls made
/// together wait their turn and all get the whole log.
#[tokio::test]
async fn concurrent_calls_for_the_request_log_all_get_it_whole() {
    let sim = sim().start().await.unwrap();
    // Some 6 MB of records, more than the sockets hold, so that the first
    // answer is still being sent when the others are asked for.
    let big = "h".repeat(200_000);
    for limit in 1..=30 {
        client()
            .get(url(&sim, WORKSPACE, &format!("?limit={limit}")))
            .header("X-Big", &big)
            .send()
            .await
            .unwrap();
    }
    let expected: Vec<String> = sim.requests().into_iter().map(|r| r.request_id).collect();
    assert_eq!(expected.len(), 30);
    let get = || async {
        let response = client()
            .get(format!("{}/_sim/requests", sim.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json::<Vec<Value>>().await.unwrap()
    };
    let (a, b, c) = tokio::join!(get(), get(), get());
    for answer in [a, b, c] {
        let ids: Vec<&str> = answer
            .iter()
            .map(|r| r["request_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, expected);
        assert_eq!(answer[29]["headers"].to_string().matches(&big).count(), 1);
    }
}

#[test]
fn a_log_file_that_cannot_be_opened_is_named_with_the_reason() {
    let path = std::env::temp_dir()
        .join(format!("secmaster-sim-no-dir-{}", std::process::id()))
        .join("x.log");
    let error = sim().log_file(&path).start_blocking().err().unwrap();
    let expected = format!("cannot open the log file {}: ", path.display());
    assert!(error.0.starts_with(&expected), "{error}");
    assert!(
        error.0.len() > expected.len(),
        "the OS error follows: {error}"
    );
}

const MIB: usize = 1 << 20;

/// POSTs `body` as JSON to `to`, with the token when given; the status.
async fn post(to: &str, token: Option<&str>, body: Vec<u8>) -> u16 {
    let mut request = client()
        .post(to)
        .header("Content-Type", "application/json;charset=UTF-8");
    if let Some(token) = token {
        request = request.header("X-Auth-Token", token);
    }
    request.body(body).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_refused_request_never_keeps_its_body_and_others_only_when_asked() {
    for log_bodies in [false, true] {
        let sim = sim()
            .token(TOKEN)
            .log_bodies(log_bodies)
            .start()
            .await
            .unwrap();
        let big = vec![b'x'; MIB];
        let export = url(&sim, WORKSPACE, "/export");
        let nowhere = format!("{}/v1/nowhere", sim.base_url());
        let statuses = [
            post(&nowhere, None, big.clone()).await,
            post(&export, None, big.clone()).await,
            post(&export, Some(TOKEN), big.clone()).await,
            post(&export, Some(TOKEN), br#"{"id":[]}"#.to_vec()).await,
        ];
        assert_eq!(
            statuses,
            [404, 401, 400, 200],
            "no such operation, no token, not JSON, fine"
        );
        let records = sim.requests();
        for refused in &records[..3] {
            assert_eq!(refused.body_length, MIB);
            assert!(refused.body.is_empty(), "{} kept", refused.status.unwrap());
        }
        let expected: &[u8] = if log_bodies { br#"{"id":[]}"# } else { b"" };
        assert_eq!(records[3].body, expected, "log_bodies({log_bodies})");
    }
}

#[tokio::test]
async fn kept_bodies_stay_within_the_byte_budget() {
    // A fault answers before validation: each body is kept (the request was
    // not refused) without the cost of reading it as JSON.
    let sim = sim()
        .log_bodies(true)
        .fault(fault("export_workflows=503"))
        .start()
        .await
        .unwrap();
    let size = 11 * MIB;
    let sent = secmaster_sim::KEPT_BYTES / size + 2;
    for _ in 0..sent {
        let status = post(&url(&sim, WORKSPACE, "/export"), None, vec![b'x'; size]).await;
        assert_eq!(status, 503);
    }
    let records = sim.requests();
    let kept: usize = records.iter().map(|r| r.body.len()).sum();
    assert!(kept <= secmaster_sim::KEPT_BYTES, "{kept} bytes kept");
    assert!(records.len() < sent, "the oldest went first");
    assert_eq!(records.last().unwrap().body.len(), size, "the newest stays");
}

/// Two calls for the request log on one keep-alive connection, one after
/// the other and pipelined: the first answer's turn ends with its body, so
/// the second is answered (and so is a call on another connection).
#[tokio::test]
async fn calls_for_the_request_log_on_one_connection_are_each_answered() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sim = sim().start().await.unwrap();
    let get = b"GET /_sim/requests HTTP/1.1\r\nHost: sim\r\n\r\n";
    let (first, mut stream) = crate::support::raw(sim.addr(), get, Duration::from_secs(10)).await;
    assert_eq!(first.status(), Some(200), "{}", first.head());
    stream.write_all(get).await.unwrap();
    stream.write_all(get).await.unwrap();
    // Two more answers of `[]`, whole, on the same connection.
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    let answered = tokio::time::timeout(Duration::from_secs(10), async {
        while bytes.windows(4).filter(|w| w == b"\r\n\r\n").count() < 2 || !bytes.ends_with(b"[]") {
            let n = stream.read(&mut chunk).await.unwrap();
            assert!(n > 0, "closed: {}", String::from_utf8_lossy(&bytes));
            bytes.extend_from_slice(&chunk[..n]);
        }
    })
    .await;
    assert!(
        answered.is_ok(),
        "waiting: {}",
        String::from_utf8_lossy(&bytes)
    );
    let other = client()
        .get(format!("{}/_sim/requests", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
}

/// The turn of an answer of the log lasts until it is sent, not until
/// hyper has taken it: while a client reads none of a 60 MB answer, the
/// next call waits (its answer is not built, so two such texts are never
/// held at once), and is answered once that client goes. Only the absence
/// of an answer is waited for; nothing is asserted on speed.
#[tokio::test]
async fn an_unread_answer_of_the_request_log_holds_back_the_next() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    let sim = sim().start().await.unwrap();
    // Some 12 MB of records: more than twice what the simulator's send
    // buffer (at most 4 MiB here) and the caller's small one hold.
    let big = "h".repeat(200_000);
    for _ in 0..60 {
        client()
            .get(url(&sim, WORKSPACE, ""))
            .header("X-Big", &big)
            .send()
            .await
            .unwrap();
    }
    let get = b"GET /_sim/requests HTTP/1.1\r\nHost: sim\r\n\r\n";
    let mut unread = unread_caller(sim.addr(), get).await;
    // Its answer starts: the turn is taken.
    let mut byte = [0u8; 1];
    assert_eq!(unread.read(&mut byte).await.unwrap(), 1);
    let mut next = TcpStream::connect(sim.addr()).await.unwrap();
    next.write_all(get).await.unwrap();
    let early = tokio::time::timeout(Duration::from_secs(3), next.read(&mut byte)).await;
    assert!(
        early.is_err(),
        "a second answer of the log while the first is unread"
    );
    drop(unread);
    let later = tokio::time::timeout(Duration::from_secs(60), next.read(&mut byte)).await;
    assert!(matches!(later, Ok(Ok(1))), "{later:?}");
}
