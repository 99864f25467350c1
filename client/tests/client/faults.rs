//! The fault matrix: retries, back-off, `Retry-After`, time limits, broken
//! bodies, against the simulator (which verifies every signature). Time
//! limits are milliseconds so that the suite stays fast.

use std::time::{Duration, Instant};

use crate::support::{
    ID, PROJECT, WORKSPACE, aksk_builder, answer, assert_all_signed, exported_ids, fault, sim,
    start,
};
use secmaster_client::{
    Error, ErrorKind, Overwrite, RetryPolicy, SecMasterClient, TimeoutPhase, Timeouts,
};
use secmaster_sim::{Fault, Simulator};

fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(max_attempts)
        .initial_backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(40))
        .max_retry_after(Duration::from_secs(2))
        .deadline(Duration::from_secs(10))
}

fn fast_timeouts() -> Timeouts {
    Timeouts::default()
        .connect(Duration::from_millis(500))
        .first_byte(Duration::from_millis(300))
        .idle(Duration::from_millis(300))
}

fn aksk_client(base_url: &str, retry: RetryPolicy) -> SecMasterClient {
    aksk_builder(base_url)
        .timeouts(fast_timeouts())
        .retry(retry)
        .build()
        .unwrap()
}

/// A simulator with these rules, and workflow [`ID`] to export.
async fn sim_with(rules: &[&str]) -> Simulator {
    let sim = start(sim()).await;
    for rule in rules {
        sim.add_fault(fault(rule)).unwrap();
    }
    sim
}

async fn export(client: &SecMasterClient) -> Result<Vec<u8>, Error> {
    let file = client.export_workflows(PROJECT, WORKSPACE, &[ID]).await?;
    let mut out = Vec::new();
    file.write_to(&mut out).await?;
    Ok(out)
}

#[tokio::test]
async fn throttled_then_ok_honours_retry_after_and_signs_afresh() {
    let server = sim_with(&["export_workflows=429,retry-after=1,times=1"]).await;
    let body = export(&aksk_client(&server.base_url(), fast_retries(3)))
        .await
        .unwrap();
    assert_eq!(exported_ids(&body), [ID]);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one retry");
    assert_eq!(requests[0].status, Some(429));
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
    assert_all_signed(&server);
}

#[tokio::test]
async fn a_long_retry_after_is_capped() {
    let server = sim_with(&["export_workflows=503,retry-after=3600,times=1"]).await;
    let policy = fast_retries(2).max_retry_after(Duration::from_millis(50));
    let started = Instant::now();
    export(&aksk_client(&server.base_url(), policy))
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
    let server = start(sim().fault(answer(
        "export_workflows",
        503,
        r#"{"error_code":"APIGW.0203","error_msg":"busy"}"#,
        &[("X-Request-Id", "r-503")],
    )))
    .await;
    let err = export(&aksk_client(&server.base_url(), fast_retries(3)))
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
        let server = start(sim().fault(answer("export_workflows", status, "{}", &[]))).await;
        let err = export(&aksk_client(&server.base_url(), fast_retries(2)))
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
    let server = sim_with(&["export_workflows=503"]).await;
    let err = export(&aksk_client(&server.base_url(), RetryPolicy::none()))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert!(matches!(err, Error::Api(_)), "{err:?}");
}

#[tokio::test]
async fn the_deadline_stops_retries() {
    let server = sim_with(&["export_workflows=429,retry-after=1"]).await;
    let policy = fast_retries(5).deadline(Duration::from_millis(200));
    let started = Instant::now();
    let err = export(&aksk_client(&server.base_url(), policy))
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
    let server = sim_with(&["export_workflows=stall"]).await;
    let started = Instant::now();
    let err = export(&aksk_client(&server.base_url(), fast_retries(3)))
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
    let server = start(sim().export_size(100_000)).await;
    server
        .add_fault(fault("export_workflows=stall-body,after=40000"))
        .unwrap();
    let client = aksk_client(&server.base_url(), fast_retries(3));
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
    let server = start(sim().export_size(100_000)).await;
    server
        .add_fault(fault("export_workflows=cut,after=40000"))
        .unwrap();
    let err = export(&aksk_client(&server.base_url(), fast_retries(3)))
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
    assert_eq!(
        server.requests().len(),
        1,
        "a started body is never retried"
    );
}

#[tokio::test]
async fn a_crafted_retry_after_date_cannot_crash_the_client() {
    for hint in [
        "Sun, 06 Nov 400000000000 08:49:37 GMT",
        "Sun, 06 Nov 9999999999999 08:49:37 GMT",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "18446744073709551616",
    ] {
        // The JSON form: these dates hold commas, which the spec form cannot.
        let throttled = answer("export_workflows", 429, "", &[("Retry-After", hint)]);
        let server = start(sim().fault(Fault {
            times: Some(1),
            ..throttled
        }))
        .await;
        // Each of these waits the longest wait allowed: kept short here.
        let policy = fast_retries(2).max_retry_after(Duration::from_millis(50));
        let body = export(&aksk_client(&server.base_url(), policy))
            .await
            .unwrap_or_else(|e| panic!("{hint}: {e}"));
        assert_eq!(exported_ids(&body), [ID], "{hint}");
        assert_eq!(server.requests().len(), 2, "{hint}");
    }
}

#[tokio::test]
async fn retry_after_zero_or_past_never_removes_the_back_off() {
    for hint in ["0", "Thu, 01 Jan 1970 00:00:00 GMT"] {
        let server = start(sim().fault(answer(
            "export_workflows",
            429,
            "",
            &[("Retry-After", hint)],
        )))
        .await;
        let policy = fast_retries(3)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1));
        let err = export(&aksk_client(&server.base_url(), policy))
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
    // The simulator's own 400 for an unknown workflow, its body stalled
    // after `{"code":"SecMaster.Sim.WorkflowN`.
    let server =
        sim_with(&["export_workflows=stall-body,after=32,header=X-Request-Id:partial-1"]).await;
    let err = aksk_client(&server.base_url(), fast_retries(3))
        .export_workflows(PROJECT, WORKSPACE, &["no-such-workflow"])
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err:?}");
    let api = err.api_error().unwrap();
    assert_eq!(api.request_id(), Some("partial-1"));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].status, Some(400));
}

#[tokio::test]
async fn a_content_coding_the_client_did_not_ask_for_is_refused() {
    let server = sim_with(&["export_workflows=pass,header=Content-Encoding:gzip"]).await;
    let err = export(&aksk_client(&server.base_url(), fast_retries(3)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unexpected(_)), "{err:?}");
    assert!(err.to_string().contains("Content-Encoding"), "{err}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("accept-encoding"), Some("identity"));
    assert_eq!(requests[0].status, Some(200));
    assert_all_signed(&server);
}

// A list or show body that stalled after its headers waited out the
// first-byte limit and was reported as "waiting for the response headers";
// one cut short was a transport error, not `Truncated`.
#[tokio::test]
async fn decoded_answers_get_the_idle_limit_and_truncation_as_files_do() {
    let timeouts = fast_timeouts()
        .first_byte(Duration::from_secs(5))
        .idle(Duration::from_millis(300));
    let client = |sim: &Simulator| {
        aksk_builder(&sim.base_url())
            .timeouts(timeouts)
            .retry(fast_retries(1))
            .build()
            .unwrap()
    };
    let list = |client: SecMasterClient| async move {
        client
            .list_workflows(PROJECT, WORKSPACE, &secmaster_client::ListQuery::new())
            .await
    };
    let sim = sim_with(&["list_workflows=stall-body,after=20"]).await;
    sim.seed(PROJECT, WORKSPACE, 3);
    let started = Instant::now();
    let err = list(client(&sim)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(TimeoutPhase::Idle)), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let sim = sim_with(&["list_workflows=cut,after=20"]).await;
    sim.seed(PROJECT, WORKSPACE, 3);
    let err = list(client(&sim)).await.unwrap_err();
    assert!(
        matches!(err, Error::Truncated { received: 20, .. }),
        "{err:?}"
    );
    assert_all_signed(&sim);
}
