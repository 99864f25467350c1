//! The shared state, and the HTTP side: accepting connections within their
//! limits, handing `/_sim/` requests to `admin` and the rest to `pipeline`,
//! and stamping every answer with `X-Request-Id`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::api;
use crate::auth::AuthConfig;
use crate::body::SimBody;
use crate::connections::{Busy, Connections};
use crate::contract::Contract;
use crate::faults::{Fault, FaultSet};
use crate::log::RequestLog;
use crate::store::Store;
use crate::{admin, pipeline};

/// Settings that can change while running.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Added before every API answer.
    pub latency: Duration,
    /// When set, every export answers this many synthetic bytes.
    pub export_size: Option<u64>,
    /// Import bodies are read to their end and dropped, of any size.
    pub drain_imports: bool,
}

/// Fixed at start: see `SimulatorBuilder::idle_timeout` and
/// `max_connections`.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// Everything the connections share.
pub struct Shared {
    pub contract: Contract,
    pub auth: AuthConfig,
    pub strict: bool,
    pub store: Mutex<Store>,
    pub faults: Mutex<FaultSet>,
    pub settings: Mutex<Settings>,
    pub log: RequestLog,
    pub limits: Limits,
    pub admin: admin::Gate,
    request_ids: AtomicU64,
    id_prefix: u64,
}

/// The simulator's locks guard plain data; a panic elsewhere leaves it usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(
        contract: Contract,
        auth: AuthConfig,
        strict: bool,
        settings: Settings,
        log: RequestLog,
        limits: Limits,
        admin: admin::Gate,
    ) -> Shared {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Shared {
            contract,
            auth,
            strict,
            store: Mutex::default(),
            faults: Mutex::default(),
            settings: Mutex::new(settings),
            log,
            limits,
            admin,
            request_ids: AtomicU64::new(0),
            id_prefix: nanos,
        }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultSet> {
        lock(&self.faults)
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub fn set_settings(&self, change: impl FnOnce(&mut Settings)) {
        change(&mut lock(&self.settings));
    }

    /// Refuses rules for operations the document does not have, and rules
    /// the server could not carry out; short names become operationIds.
    pub fn add_fault(&self, fault: Fault) -> Result<(), String> {
        let fault = fault.resolve(&self.contract)?;
        self.faults().add(fault);
        Ok(())
    }

    /// 32 hex digits, like the real service's, unique per simulator.
    fn next_request_id(&self) -> String {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{:016x}{n:016x}", self.id_prefix)
    }
}

/// The pause after a failed `accept`, so that the loop does not spin while
/// no descriptor can be had.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// Serves until the future is dropped; dropping it drops every connection.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let connections = Connections::new(shared.limits.max_connections);
    let mut tasks = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, most likely: free one for the
                // connection waiting in the backlog.
                connections.shed_idle();
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        // Every connection is in the middle of a request: this one is
        // closed at once (dropped).
        let Some(slot) = connections.admit() else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        tasks.spawn(async move {
            let close = slot.close_signal();
            // hyper's header-read limit does nothing without a timer. It
            // starts when the connection opens and again after each answer,
            // so it also ends connections left idle between requests.
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(shared.limits.idle_timeout);
            let service =
                service_fn(move |request| handle(Arc::clone(&shared), request, slot.busy()));
            tokio::select! {
                // A client going away mid-answer is normal here.
                _ = builder.serve_connection(TokioIo::new(stream), service) => {}
                () = close.notified() => {}
            }
        });
        while tasks.try_join_next().is_some() {}
    }
}

/// Returned instead of a response to make hyper close the connection.
#[derive(Debug)]
pub struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by a fault")
    }
}

impl std::error::Error for CloseConnection {}

/// `busy` goes with the answer's body, so that the connection counts as
/// busy until that body is sent.
async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
    busy: Busy,
) -> Result<Response<SimBody>, CloseConnection> {
    let request_id = shared.next_request_id();
    let mut response = if request.uri().path().starts_with("/_sim/") {
        admin::handle(&shared, request).await
    } else {
        pipeline::api_request(&shared, request, &request_id).await?
    };
    // A fault may have set its own.
    response
        .headers_mut()
        .entry("x-request-id")
        .or_insert_with(|| HeaderValue::from_str(&request_id).expect("hex is a valid header"));
    Ok(response.map(|body| body.holding(busy)))
}

/// Used by `admin` for its own answers.
pub fn json_ok<T: serde::Serialize>(value: &T) -> Response<SimBody> {
    api::json_response(
        http::StatusCode::OK,
        &serde_json::to_value(value).expect("serialisable"),
    )
}
