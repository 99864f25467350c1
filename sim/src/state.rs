//! Everything the connections share: the document, the credentials, the
//! stored workspaces and workflows, the fault rules, the settings, the
//! request log and the limits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::auth::AuthConfig;
use crate::contract::Contract;
use crate::faults::{Fault, FaultSet};
use crate::gate::Gate;
use crate::log::RequestLog;
use crate::store::Store;

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
    pub admin: Gate,
    /// One permit: at most one `GET /_sim/requests` answer is built or
    /// held at a time (a copy of up to [`KEPT_BYTES`] of records and its
    /// JSON; see `admin::request_log`).
    ///
    /// [`KEPT_BYTES`]: crate::log::KEPT_BYTES
    pub log_answer: Arc<tokio::sync::Semaphore>,
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
        admin: Gate,
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
            log_answer: Arc::new(tokio::sync::Semaphore::new(1)),
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
    pub fn next_request_id(&self) -> String {
        let n = self.request_ids.fetch_add(1, Ordering::Relaxed) + 1;
        format!("{:016x}{n:016x}", self.id_prefix)
    }
}
