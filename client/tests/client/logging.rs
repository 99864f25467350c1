//! The client's log events: one per attempt with what an operator needs,
//! and no secret ever.
//!
//! The subscriber is global, not scoped with `set_default`: tracing caches
//! per call site whether anyone listens, and tests running beside this one
//! on other threads (with no subscriber) could make that cache say "no
//! one". It writes only what the capturing thread logs.

use std::cell::RefCell;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use crate::support::{
    AK, ID, PROJECT, SECURITY_TOKEN, SK, TOKEN, WORKSPACE, answer, fault, sim, start,
};
use secmaster_client::{Credentials, RetryPolicy, SecMasterClient};

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

thread_local! {
    /// Where this thread's events go; nowhere when `None`.
    static CAPTURE: RefCell<Option<Captured>> = const { RefCell::new(None) };
}

/// Writes into the current thread's [`CAPTURE`].
struct ThisThread;

impl Write for ThisThread {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURE.with_borrow(|capture| {
            if let Some(captured) = capture {
                captured.0.lock().unwrap().extend_from_slice(buf);
            }
        });
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures what the current thread logs, from now on.
fn capture_this_thread() -> Captured {
    static GLOBAL: Once = Once::new();
    GLOBAL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(|| ThisThread)
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
    });
    let log = Captured::default();
    CAPTURE.set(Some(log.clone()));
    log
}

#[tokio::test(flavor = "current_thread")]
async fn secrets_never_appear_in_debug_errors_or_logs() {
    let log = capture_this_thread();

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
        .endpoint(&server.base_url())
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
