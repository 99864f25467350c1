//! The fault matrix: retries, back-off, `Retry-After`, time limits, broken
//! bodies. Time limits are milliseconds so that the suite stays fast.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use secmaster_client::{
    Credentials, Error, ErrorKind, Overwrite, RetryPolicy, SecMasterClient, TimeoutPhase, Timeouts,
};
use secmaster_tests::server::{Reply, ScriptedServer, verify_signature};
use secmaster_tests::support::{ID, PROJECT, WORKSPACE, pseudo_random_bytes};

const AK: &str = "HPUAFAKEAK0EXAMPLE01";
const SK: &str = "FAKEsecretKEY0example0000000000000000000001";

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(2),
        deadline: Duration::from_secs(10),
    }
}

fn fast_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_millis(500),
        first_byte: Duration::from_millis(300),
        idle: Duration::from_millis(300),
    }
}

/// A clock that moves one second on every reading, so that each signature
/// gets its own `X-Sdk-Date` without the test waiting for the real clock.
fn stepping_clock() -> Arc<dyn Fn() -> SystemTime + Send + Sync> {
    let ticks = Arc::new(AtomicU64::new(0));
    Arc::new(move || {
        SystemTime::UNIX_EPOCH
            + Duration::from_secs(1_795_870_072 + ticks.fetch_add(1, Ordering::SeqCst))
    })
}

fn aksk_client(base_url: &str, retry: RetryPolicy) -> SecMasterClient {
    SecMasterClient::builder()
        .endpoint_url(base_url)
        .unwrap()
        .credentials(Credentials::access_key(AK, SK).unwrap())
        .timeouts(fast_timeouts())
        .retry(retry)
        .clock(stepping_clock())
        .build()
        .unwrap()
}

async fn export(client: &SecMasterClient) -> Result<Vec<u8>, Error> {
    let file = client.export_workflows(PROJECT, WORKSPACE, &[ID]).await?;
    let mut out = Vec::new();
    file.write_to(&mut out).await?;
    Ok(out)
}

#[tokio::test]
async fn throttled_then_ok_honours_retry_after_and_signs_afresh() {
    let server = ScriptedServer::start(|_, n| match n {
        0 => Reply::status(
            429,
            r#"{"error_code":"APIGW.0308","error_msg":"throttled"}"#,
            &[("retry-after", "1")],
        ),
        _ => Reply::status(200, "the file", &[]),
    })
    .await;
    let body = export(&aksk_client(&server.base_url, fast_retries(3)))
        .await
        .unwrap();
    assert_eq!(body, b"the file");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one retry");
    let gap = requests[1].received_at - requests[0].received_at;
    assert!(
        gap >= Duration::from_millis(1000),
        "Retry-After: 1 was not honoured ({gap:?})"
    );
    assert!(
        gap < Duration::from_millis(1800),
        "waited too long ({gap:?})"
    );
    let dates: Vec<_> = requests
        .iter()
        .map(|r| r.header("x-sdk-date").unwrap().to_owned())
        .collect();
    assert_ne!(
        dates[0], dates[1],
        "each attempt has its own signature date"
    );
    for request in &requests {
        verify_signature(request, AK, SK).unwrap();
    }
}

#[tokio::test]
async fn a_long_retry_after_is_capped() {
    let server = ScriptedServer::start(|_, n| match n {
        0 => Reply::status(503, "", &[("retry-after", "3600")]),
        _ => Reply::status(200, "ok", &[]),
    })
    .await;
    let policy = RetryPolicy {
        max_retry_after: Duration::from_millis(50),
        ..fast_retries(2)
    };
    let started = Instant::now();
    export(&aksk_client(&server.base_url, policy))
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn server_errors_past_the_cap_say_how_many_attempts() {
    let server = ScriptedServer::start(|_, _| {
        Reply::status(
            503,
            r#"{"error_code":"APIGW.0203","error_msg":"busy"}"#,
            &[("x-request-id", "r-503")],
        )
    })
    .await;
    let err = export(&aksk_client(&server.base_url, fast_retries(3)))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 3);
    assert_eq!(err.attempts(), 3);
    assert!(
        err.to_string().contains("gave up after 3 attempts"),
        "{err}"
    );
    let api = err.api_error().expect("the last answer is kept");
    assert_eq!(
        (api.status().as_u16(), api.code(), api.request_id()),
        (503, Some("APIGW.0203"), Some("r-503"))
    );
    assert_eq!(err.kind(), ErrorKind::Api);
}

#[tokio::test]
async fn each_retryable_status_is_retried_and_others_are_not() {
    for (status, retried) in [
        (429, true),
        (502, true),
        (503, true),
        (504, true),
        (400, false),
        (401, false),
        (403, false),
        (404, false),
        (500, false),
    ] {
        let server = ScriptedServer::start(move |_, _| Reply::status(status, "{}", &[])).await;
        let err = export(&aksk_client(&server.base_url, fast_retries(2)))
            .await
            .unwrap_err();
        let expected = if retried { 2 } else { 1 };
        assert_eq!(server.requests().len(), expected, "status {status}");
        assert_eq!(err.attempts(), expected as u32, "status {status}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
    }
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = ScriptedServer::start(|_, _| Reply::status(503, "", &[])).await;
    let err = export(&aksk_client(&server.base_url, RetryPolicy::none()))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert!(matches!(err, Error::Api(_)), "{err:?}");
}

#[tokio::test]
async fn the_deadline_stops_retries() {
    let server =
        ScriptedServer::start(|_, _| Reply::status(429, "", &[("retry-after", "1")])).await;
    let policy = RetryPolicy {
        deadline: Duration::from_millis(200),
        ..fast_retries(5)
    };
    let started = Instant::now();
    let err = export(&aksk_client(&server.base_url, policy))
        .await
        .unwrap_err();
    assert_eq!(
        server.requests().len(),
        1,
        "waiting 1 s would pass the 200 ms deadline"
    );
    assert!(started.elapsed() < Duration::from_millis(900));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = export(&aksk_client(
        &format!("http://127.0.0.1:{port}"),
        fast_retries(3),
    ))
    .await
    .unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.kind(), ErrorKind::Network);
    let Error::GaveUp { last, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**last, Error::Connect(_)), "{last:?}");
}

#[tokio::test]
async fn a_stall_before_headers_is_a_first_byte_timeout_and_not_retried() {
    let server = ScriptedServer::start(|_, _| Reply::Stall).await;
    let started = Instant::now();
    let err = export(&aksk_client(&server.base_url, fast_retries(3)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout(TimeoutPhase::FirstByte)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.kind(), ErrorKind::Network);
}

#[tokio::test]
async fn a_stall_mid_body_is_an_idle_timeout_and_no_file() {
    let server = ScriptedServer::start(|_, _| Reply::Partial {
        status: 200,
        announced: 100_000,
        sent: pseudo_random_bytes(40_000),
        then_close: false,
    })
    .await;
    let client = aksk_client(&server.base_url, fast_retries(3));
    let dir = std::env::temp_dir().join(format!("secmaster-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stalled.bin");
    let file = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap();
    let err = file
        .save_to_path(&path, Overwrite::Replace)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(TimeoutPhase::Idle)), "{err:?}");
    assert!(!path.exists(), "no short file");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "no temporary file"
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a started body is never retried"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_body_cut_short_is_an_error_never_a_short_success() {
    let server = ScriptedServer::start(|_, _| Reply::Partial {
        status: 200,
        announced: 100_000,
        sent: pseudo_random_bytes(40_000),
        then_close: true,
    })
    .await;
    let err = export(&aksk_client(&server.base_url, fast_retries(3)))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Truncated {
                expected: 100_000,
                received: 40_000
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Network);
}

#[tokio::test]
async fn a_crafted_retry_after_date_cannot_crash_the_client() {
    for hint in [
        "Sun, 06 Nov 400000000000 08:49:37 GMT",
        "Sun, 06 Nov 9999999999999 08:49:37 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "18446744073709551616",
    ] {
        let server = ScriptedServer::start(move |_, n| match n {
            0 => Reply::status(429, "", &[("retry-after", hint)]),
            _ => Reply::status(200, "ok", &[]),
        })
        .await;
        let body = export(&aksk_client(&server.base_url, fast_retries(2)))
            .await
            .unwrap_or_else(|e| panic!("{hint}: {e}"));
        assert_eq!(body, b"ok", "{hint}");
        assert_eq!(server.requests().len(), 2, "{hint}");
    }
}

#[tokio::test]
async fn retry_after_zero_or_past_never_removes_the_back_off() {
    for hint in ["0", "Thu, 01 Jan 1970 00:00:00 GMT"] {
        let server =
            ScriptedServer::start(move |_, _| Reply::status(429, "", &[("retry-after", hint)]))
                .await;
        let policy = RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..fast_retries(3)
        };
        let err = export(&aksk_client(&server.base_url, policy))
            .await
            .unwrap_err();
        assert_eq!(err.attempts(), 3);
        let times: Vec<Instant> = server.requests().iter().map(|r| r.received_at).collect();
        for pair in times.windows(2) {
            // Equal jitter: at least half the step, 50 ms for the first retry.
            let gap = pair[1] - pair[0];
            assert!(gap >= Duration::from_millis(50), "{hint}: {gap:?}");
        }
    }
}

#[tokio::test]
async fn an_error_status_survives_a_body_that_stalls() {
    let server = ScriptedServer::start(|_, _| Reply::Partial {
        status: 400,
        announced: 1000,
        sent: br#"{"code":"SecMaster.1","mess"#.to_vec(),
        then_close: false,
    })
    .await;
    let err = export(&aksk_client(&server.base_url, fast_retries(3)))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    let api = err.api_error().unwrap();
    assert_eq!(api.request_id(), Some("partial-1"));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_content_coding_the_client_did_not_ask_for_is_refused() {
    let server = ScriptedServer::start(|_, _| {
        Reply::status(200, vec![0x1f, 0x8b, 8, 0], &[("content-encoding", "gzip")])
    })
    .await;
    let err = export(&aksk_client(&server.base_url, fast_retries(3)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unexpected(_)), "{err:?}");
    assert!(err.to_string().contains("Content-Encoding"), "{err}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("accept-encoding"), Some("identity"));
    verify_signature(&requests[0], AK, SK).unwrap();
}
