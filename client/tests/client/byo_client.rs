//! A `reqwest::Client` of the caller's own (`SecMasterClientBuilder::
//! http_client`): requests go through it, and the library still applies what
//! it applies per request (authentication, the documented headers) and per
//! call (the first-byte and idle limits, retries).

use std::time::Duration;

use crate::support::{
    ID, PROJECT, WORKSPACE, aksk_builder, assert_all_signed, export_pattern, exported_ids, fault,
    sim, start,
};
use secmaster_client::reqwest;
use secmaster_client::{Error, SecMasterClient, TimeoutPhase, Timeouts};

/// A client as the `http_client` docs ask for: no redirects, no
/// decompression; with a marker header and user agent of its own, so that
/// the test can tell it carried the request.
fn own_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-own-client", "yes".parse().unwrap());
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .no_deflate()
        .connect_timeout(Duration::from_secs(5))
        .user_agent("byo-test/1.0")
        .default_headers(headers)
        .build()
        .unwrap()
}

fn client_through(http: reqwest::Client, base_url: &str, timeouts: Timeouts) -> SecMasterClient {
    aksk_builder(base_url)
        .timeouts(timeouts)
        .http_client(http)
        .build()
        .unwrap()
}

#[tokio::test]
async fn an_export_goes_through_the_callers_client() {
    let file = export_pattern(300_000);
    let server = start(sim().export_size(300_000)).await;
    server
        .add_fault(fault("export_workflows=pass,header=X-Request-Id:byo-1"))
        .unwrap();
    let client = client_through(own_client(), &server.base_url(), Timeouts::default());

    let exported = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap();
    assert_eq!(exported.request_id(), Some("byo-1"));
    let mut out = Vec::new();
    let written = exported.write_to(&mut out).await.unwrap();
    assert_eq!(written, file.len() as u64);
    assert!(out == file, "the file arrived changed");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    // The caller's client sent it...
    assert_eq!(request.header("x-own-client"), Some("yes"));
    assert_eq!(request.header("user-agent"), Some("byo-test/1.0"));
    // ...and the library's per-request work was done all the same.
    assert_eq!(
        request.header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(request.header("accept-encoding"), Some("identity"));
    assert_eq!(request.header("x-project-id"), Some(PROJECT));
    assert_all_signed(&server);
}

/// The first-byte limit is the library's, whatever client carries the call.
#[tokio::test]
async fn the_library_still_applies_the_first_byte_limit() {
    let server = start(sim().fault(fault("export_workflows=stall"))).await;
    let timeouts = Timeouts::default().first_byte(Duration::from_millis(300));
    let client = client_through(own_client(), &server.base_url(), timeouts);
    let started = std::time::Instant::now();
    let err = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout(TimeoutPhase::FirstByte)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// So does the idle limit while the body streams.
#[tokio::test]
async fn the_library_still_applies_the_idle_limit() {
    let server = start(
        sim()
            .export_size(1000)
            .fault(fault("export_workflows=stall-body,after=10")),
    )
    .await;
    let timeouts = Timeouts::default().idle(Duration::from_millis(300));
    let client = client_through(own_client(), &server.base_url(), timeouts);
    let mut file = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap();
    let mut received = 0;
    let err = loop {
        match file.next_chunk().await {
            Ok(Some(piece)) => received += piece.len(),
            Ok(None) => panic!("a stalled body ended"),
            Err(e) => break e,
        }
    };
    assert_eq!(received, 10, "the ten bytes sent before the stall");
    assert!(matches!(err, Error::Timeout(TimeoutPhase::Idle)), "{err:?}");
}

/// Clones of one client share it: both SecMaster clients and the caller's
/// other code use one connection pool.
#[tokio::test]
async fn one_client_serves_several() {
    let server = start(sim()).await;
    let http = own_client();
    let first = client_through(http.clone(), &server.base_url(), Timeouts::default());
    let second = client_through(http, &server.base_url(), Timeouts::default());
    for client in [&first, &second] {
        let mut out = Vec::new();
        client
            .export_workflows(PROJECT, WORKSPACE, &[ID])
            .await
            .unwrap()
            .write_to(&mut out)
            .await
            .unwrap();
        assert_eq!(exported_ids(&out), [ID]);
    }
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("x-own-client") == Some("yes"))
    );
    assert_all_signed(&server);
}
