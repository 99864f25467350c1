//! The client's log events: one per attempt with what an operator needs,
//! and no secret ever. In its own test binary: tracing caches per call site
//! whether anyone listens, and tests running beside this one on other
//! threads (with no subscriber) would make that cache say "no one".

use std::io::Write;
use std::sync::{Arc, Mutex};

use secmaster_client::{Credentials, RetryPolicy, SecMasterClient};
use secmaster_tests::support::{
    AK, ID, PROJECT, SECURITY_TOKEN, SK, TOKEN, WORKSPACE, answer, fault, sim, start,
};

/// Collects everything the client logs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_never_appear_in_debug_errors_or_logs() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = start(
        sim()
            .security_token(SECURITY_TOKEN)
            .fault(fault("export_workflows=503,times=1"))
            .fault(answer(
                "export_workflows",
                403,
                r#"{"error_code":"APIGW.0302","error_msg":"denied"}"#,
                &[("X-Request-Id", "r-403")],
            )),
    )
    .await;
    let credentials = Credentials::access_key(AK, SK)
        .unwrap()
        .with_security_token(SECURITY_TOKEN)
        .unwrap();
    let client = SecMasterClient::builder()
        .endpoint_url(&server.base_url())
        .unwrap()
        .credentials(credentials.clone())
        .retry(RetryPolicy::default().initial_backoff(std::time::Duration::from_millis(5)))
        .build()
        .unwrap();
    let err = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap_err();
    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("attempt=1") && logged.contains("attempt=2"),
        "{logged}"
    );
    assert!(
        logged.contains("status=503") && logged.contains("status=403"),
        "{logged}"
    );
    assert!(logged.contains("request_id=r-403"), "{logged}");
    let outcomes: Vec<_> = server
        .requests()
        .into_iter()
        .map(|r| (r.status, r.auth))
        .collect();
    assert_eq!(outcomes.len(), 2);
    for (status, auth) in &outcomes {
        assert!(auth.starts_with("ok: signature"), "{status:?}: {auth}");
    }

    let token_credentials = Credentials::token(TOKEN).unwrap();
    let texts = [
        format!("{client:?}"),
        format!("{credentials:?}"),
        format!("{token_credentials:?}"),
        format!("{err:?}"),
        err.to_string(),
        logged,
    ];
    for text in &texts {
        for secret in [AK, SK, SECURITY_TOKEN, TOKEN] {
            assert!(!text.contains(secret), "{secret} leaked into: {text}");
        }
    }
}
