//! A local SecMaster workflow service, for people trying the tools and for
//! every test that needs a server.
//!
//! It answers the operations of `openapi/secmaster.yaml` (list, show,
//! export and import workflows; list and show workspaces) from memory, and
//! any other operation of the document it serves with an answer made from
//! that document. It checks every request against the document, refuses
//! workspaces that do not exist, authenticates as the API gateway does (IAM
//! token or SDK-HMAC-SHA256 signature), logs each request, and misbehaves
//! on demand (error statuses, stalls, cut bodies, closed connections,
//! latency).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use secmaster_sim::{Fault, Simulator};
//!
//! let sim = Simulator::builder()
//!     .token("test-token")
//!     .seed("project-1", "workspace-1", 25)
//!     .start()
//!     .await?;
//! sim.add_fault(Fault::parse("export_workflows=503,retry-after=1,times=1")?)?;
//! let url = format!("{}/v1/project-1/workspaces/workspace-1/soc/workflows", sim.base_url());
//! // ... point the code under test at `url` ...
//! for request in sim.requests() {
//!     println!("{} {} -> {:?}", request.method, request.path, request.status);
//! }
//! # Ok(()) }
//! ```
//!
//! The simulator stops when its [`Simulator`] is dropped. It is the
//! workspace's one test server; [`testing`] holds the fake credentials and
//! IDs that its tests, the command's and the integration tests share.
#![forbid(unsafe_code)]

mod admin;
mod answer;
mod auth;
mod body;
mod call;
mod connections;
pub mod contract;
pub mod faults;
mod gate;
mod listing;
mod log;
mod media;
pub mod multipart;
mod openapi;
mod operation;
mod pipeline;
mod routes;
mod secret;
mod server;
mod shape;
mod state;
mod store;
mod synth;
pub mod testing;
mod validate;
pub mod workflow;
mod workflow_handlers;
pub mod workspace;
mod workspace_handlers;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secmaster_signer::SecretKey;
use tokio::sync::oneshot;

pub use auth::{GATEWAY_CLOCK_SKEW, authorization_fields};
pub use body::PERIOD as EXPORT_PATTERN_PERIOD;
pub use contract::{Contract, ContractError, EMBEDDED_DOCUMENT, Operation};
pub use faults::{Fault, FaultAction, MAX_FAULT_BYTES, MAX_FAULTS};
pub use gate::AdminAccess;
pub use log::{KEPT_BYTES, KEPT_IN_MEMORY, RequestRecord};
pub use routes::has_behaviour;
pub use store::{MAX_WORKSPACES, STORE_BYTES};
pub use synth::{ExampleRequest, example_request};
pub use workflow::{EXPORT_FORMAT, ExportFile, MAX_SEEDED, Workflow};
pub use workspace::{MAX_NUMBERED_WORKSPACES, Workspace};

use auth::AuthConfig;
use gate::Gate;
use secret::Secret;
use state::{Limits, Settings, Shared};

/// The default [`SimulatorBuilder::idle_timeout`].
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// The default [`SimulatorBuilder::max_connections`].
pub const MAX_CONNECTIONS: usize = 128;

/// Why the simulator could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StartError {}

/// How to start a [`Simulator`]; every setting has a default.
#[derive(Debug, Clone)]
pub struct SimulatorBuilder {
    listen: SocketAddr,
    document: Option<String>,
    token: Option<Secret>,
    access_key: Option<(String, Secret)>,
    security_token: Option<Secret>,
    admin_token: Option<Secret>,
    strict: bool,
    seeds: Vec<(String, String, u64)>,
    numbered_workspaces: Vec<(String, u64)>,
    auto_create_workspaces: bool,
    settings_latency: Duration,
    export_size: Option<u64>,
    drain_imports: bool,
    faults: Vec<Fault>,
    log_file: Option<PathBuf>,
    log_bodies: bool,
    max_clock_skew: Option<Duration>,
    max_store_bytes: u64,
    limits: Limits,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            document: None,
            token: None,
            access_key: None,
            security_token: None,
            admin_token: None,
            strict: false,
            seeds: Vec::new(),
            numbered_workspaces: Vec::new(),
            auto_create_workspaces: false,
            settings_latency: Duration::ZERO,
            export_size: None,
            drain_imports: false,
            faults: Vec::new(),
            log_file: None,
            log_bodies: false,
            max_clock_skew: Some(auth::GATEWAY_CLOCK_SKEW),
            max_store_bytes: STORE_BYTES,
            limits: Limits {
                idle_timeout: IDLE_TIMEOUT,
                max_connections: MAX_CONNECTIONS,
            },
        }
    }
}

impl SimulatorBuilder {
    /// Where to listen; default `127.0.0.1:0` (any free port). An address
    /// other than loopback needs a [`token`](Self::token) or an
    /// [`access_key`](Self::access_key), or `start` fails; there the
    /// `/_sim/` endpoints need an [`admin_token`](Self::admin_token), or
    /// are off.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The OpenAPI document to serve and check against; default: the one
    /// embedded at build time ([`EMBEDDED_DOCUMENT`]).
    pub fn document(mut self, yaml: impl Into<String>) -> Self {
        self.document = Some(yaml.into());
        self
    }

    /// Require this `X-Auth-Token`.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret::new(token));
        self
    }

    /// Accept SDK-HMAC-SHA256 signatures made with this key pair.
    pub fn access_key(mut self, ak: impl Into<String>, sk: impl Into<String>) -> Self {
        self.access_key = Some((ak.into(), Secret::new(sk)));
        self
    }

    /// Treat the access key as temporary: signed requests must also carry
    /// this `X-Security-Token`, among the signed headers.
    pub fn security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }

    /// Require `Authorization: Bearer <token>` on the `/_sim/` endpoints
    /// (401 without it); without one they are open on loopback and off
    /// elsewhere. The token must be printable ASCII, not empty, with no
    /// space or tab at either end (no header could carry another), or
    /// `start` fails.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(Secret::new(token));
        self
    }

    /// Close a connection that goes this long without sending what it owes:
    /// a request's complete headers (counted from when it opens or from its
    /// previous answer), or the next bytes of a request body; and one
    /// whose client reads none of its answer for this long. Default
    /// [`IDLE_TIMEOUT`] (30 s).
    pub fn idle_timeout(mut self, limit: Duration) -> Self {
        self.limits.idle_timeout = limit;
        self
    }

    /// Keep at most this many connections open (at least 1; default
    /// [`MAX_CONNECTIONS`]): a new one past the cap, or one the system has
    /// no file descriptor for, closes the connection idle the longest; when
    /// every connection is in the middle of a request, the new one is
    /// closed at once.
    pub fn max_connections(mut self, cap: usize) -> Self {
        self.limits.max_connections = cap.max(1);
        self
    }

    /// Also refuse what the real service probably tolerates but the
    /// document does not allow (otherwise such requests pass with a warning
    /// in the log).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Make a workspace and fill it with `count` deterministic workflows
    /// (none is fine), at most [`MAX_SEEDED`]: more makes `start` fail.
    pub fn seed(
        mut self,
        project_id: impl Into<String>,
        workspace_id: impl Into<String>,
        count: u64,
    ) -> Self {
        self.seeds
            .push((project_id.into(), workspace_id.into(), count));
        self
    }

    /// Also make `count` empty workspaces in `project_id`, numbered from 1
    /// (ids and names derived from the project and the number, the same on
    /// every run), at most [`MAX_NUMBERED_WORKSPACES`]: more makes `start`
    /// fail.
    pub fn workspaces(mut self, project_id: impl Into<String>, count: u64) -> Self {
        self.numbered_workspaces.push((project_id.into(), count));
        self
    }

    /// With `true`, any workspace a request names exists, made on first
    /// use. Off by default: a request naming a workspace that was not made
    /// (by [`seed`](Self::seed), [`workspaces`](Self::workspaces), a
    /// workflow put in it, or `POST /_sim/workspaces`) is refused with 403
    /// `SecMaster.20010001`.
    pub fn auto_create_workspaces(mut self, on: bool) -> Self {
        self.auto_create_workspaces = on;
        self
    }

    /// Wait this long before every API answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.settings_latency = latency;
        self
    }

    /// Answer every export with `size` synthetic bytes (byte `i` is
    /// `i % 251`), streamed from one fixed buffer.
    pub fn export_size(mut self, size: u64) -> Self {
        self.export_size = Some(size);
        self
    }

    /// Read every import body to its end and keep none of it, whatever its
    /// size (no 12 MiB limit, no validation of the form): the answer says
    /// how many bytes arrived and nothing is imported. For measuring a
    /// client's memory on a large upload.
    pub fn drain_imports(mut self, drain: bool) -> Self {
        self.drain_imports = drain;
        self
    }

    /// Start with this fault rule active.
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Append one JSON line per API request to this file.
    pub fn log_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.log_file = Some(path.into());
        self
    }

    /// Keep each request's body in its record ([`RequestRecord::body`]) and
    /// write it, base64-encoded, into the log file's lines (`body_base64`);
    /// off by default. Only for requests that passed routing,
    /// authentication and validation (or were answered by a fault before
    /// validation): a refused request's body is never kept. The records in
    /// memory take at most [`KEPT_BYTES`] in all, bodies included; the
    /// oldest go first. For harnesses that compare what clients sent byte
    /// for byte; headers stay redacted.
    pub fn log_bodies(mut self, bodies: bool) -> Self {
        self.log_bodies = bodies;
        self
    }

    /// How far a signed request's `X-Sdk-Date` may be from the simulator's
    /// clock; default 15 minutes, as the API gateway allows. `None` accepts
    /// any date (for a client with a fixed clock).
    pub fn max_clock_skew(mut self, limit: Option<Duration>) -> Self {
        self.max_clock_skew = limit;
        self
    }

    /// What the stored workspaces and workflows may take, in bytes, as the
    /// simulator counts them (their text and a measured overhead each);
    /// default [`STORE_BYTES`] (4 GiB). An import that would pass it is
    /// refused whole (400 `SecMaster.Sim.StoreFull`), and so is a workspace
    /// a request would make (with
    /// [`auto_create_workspaces`](Self::auto_create_workspaces), or through
    /// `POST /_sim/workspaces`), as is one past [`MAX_WORKSPACES`]. What
    /// `seed` and `workspaces` make must fit, or `start` fails; what the
    /// handle adds is counted and not refused.
    pub fn max_store_bytes(mut self, bytes: u64) -> Self {
        self.max_store_bytes = bytes;
        self
    }

    /// Binds the socket and builds the state, outside any runtime.
    fn prepare(self) -> Result<(std::net::TcpListener, Arc<Shared>), StartError> {
        let contract = match &self.document {
            Some(text) => Contract::from_yaml(text),
            None => Contract::from_yaml(EMBEDDED_DOCUMENT),
        }
        .map_err(|e| StartError(e.to_string()))?;
        for (project, workspace, count) in &self.seeds {
            workflow::check_seed(project, workspace, *count).map_err(StartError)?;
        }
        for (project, count) in &self.numbered_workspaces {
            workspace::check_numbered(project, *count).map_err(StartError)?;
        }
        let loopback = self.listen.ip().is_loopback();
        if !loopback && self.token.is_none() && self.access_key.is_none() {
            return Err(StartError(format!(
                "{} can be reached from other machines: require a token or an access key (--token or --ak/--sk), or listen on 127.0.0.1",
                self.listen
            )));
        }
        if let Some(token) = &self.admin_token {
            gate::check_admin_token(token.expose()).map_err(StartError)?;
        }
        let admin = match (self.admin_token, loopback) {
            (Some(token), _) => Gate::Token(token),
            (None, true) => Gate::Open,
            (None, false) => Gate::Off,
        };
        let auth = AuthConfig {
            token: self.token,
            access_key: self
                .access_key
                .map(|(ak, sk)| (ak, SecretKey::new(sk.expose().as_bytes()))),
            security_token: self.security_token,
            max_clock_skew: self.max_clock_skew,
        };
        let log = log::RequestLog::open(self.log_file.as_deref())
            .map_err(StartError)?
            .with_bodies(self.log_bodies);
        let settings = Settings {
            latency: self.settings_latency,
            export_size: self.export_size,
            drain_imports: self.drain_imports,
        };
        let shared = Arc::new(Shared::new(
            contract,
            auth,
            self.strict,
            settings,
            log,
            self.limits,
            admin,
        ));
        for fault in self.faults {
            shared.add_fault(fault).map_err(StartError)?;
        }
        let mut store = shared.store();
        store.set_auto_create(self.auto_create_workspaces);
        store.set_max_bytes(self.max_store_bytes);
        for (project, workspace, count) in &self.seeds {
            store.seed(project, workspace, *count);
        }
        for (project, count) in &self.numbered_workspaces {
            for index in 1..=*count {
                // Asked for twice, a number is the same workspace.
                let _ = store.add_workspace(workspace::numbered(project, index));
            }
        }
        store.check_limits().map_err(|why| {
            StartError(format!(
                "the seeded workflows and workspaces do not fit: {why}"
            ))
        })?;
        drop(store);
        let listener = std::net::TcpListener::bind(self.listen)
            .map_err(|e| StartError(format!("cannot listen on {}: {e}", self.listen)))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| StartError(e.to_string()))?;
        Ok((listener, shared))
    }

    /// Starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<Simulator, StartError> {
        let (listener, shared) = self.prepare()?;
        let addr = listener
            .local_addr()
            .map_err(|e| StartError(e.to_string()))?;
        let listener =
            tokio::net::TcpListener::from_std(listener).map_err(|e| StartError(e.to_string()))?;
        let task = tokio::spawn(server::serve(listener, Arc::clone(&shared)));
        Ok(Simulator {
            addr,
            shared,
            stop: Stop::Task(task.abort_handle()),
        })
    }

    /// Starts serving on a runtime of its own, on a thread of its own: for
    /// tests without a runtime (`#[test]`, a command under test).
    pub fn start_blocking(self) -> Result<Simulator, StartError> {
        let (listener, shared) = self.prepare()?;
        let addr = listener
            .local_addr()
            .map_err(|e| StartError(e.to_string()))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StartError(e.to_string()))?;
        let (stop, stopped) = oneshot::channel::<()>();
        let state = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("secmaster-sim".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener =
                        tokio::net::TcpListener::from_std(listener).expect("inside a runtime");
                    tokio::select! {
                        () = server::serve(listener, state) => {}
                        _ = stopped => {}
                    }
                });
            })
            .map_err(|e| StartError(e.to_string()))?;
        Ok(Simulator {
            addr,
            shared,
            stop: Stop::Thread(Some((stop, thread))),
        })
    }
}

enum Stop {
    Task(tokio::task::AbortHandle),
    Thread(Option<(oneshot::Sender<()>, std::thread::JoinHandle<()>)>),
}

/// A running simulator. Dropping it stops it and closes every connection.
pub struct Simulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Stop,
}

impl Simulator {
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Who may use the `/_sim/` endpoints.
    pub fn admin_access(&self) -> AdminAccess {
        self.shared.admin.access()
    }

    /// The document in force.
    pub fn contract(&self) -> &Contract {
        &self.shared.contract
    }

    /// Every API request so far, in order of arrival (admin calls excluded;
    /// the most recent [`KEPT_IN_MEMORY`] only, and only as many as fit in
    /// [`KEPT_BYTES`]).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.records()
    }

    /// The newest record of [`Simulator::requests`], without copying the
    /// others (for tests that send many requests one at a time).
    pub fn last_request(&self) -> Option<RequestRecord> {
        self.shared.log.last()
    }

    /// Adds a rule; refused when its operation is not in the document (a
    /// short name such as `list` stands for its operationId), or when it
    /// is not one the server can carry out ([`Fault::check`]). Not bounded
    /// by [`MAX_FAULTS`] or [`MAX_FAULT_BYTES`], which only
    /// `POST /_sim/faults` is held to, but counted towards them.
    pub fn add_fault(&self, fault: Fault) -> Result<(), String> {
        self.shared.add_fault(fault)
    }

    pub fn clear_faults(&self) {
        self.shared.faults().clear();
    }

    /// The active rules, with the times they have left.
    pub fn faults(&self) -> Vec<Fault> {
        self.shared.faults().active()
    }

    pub fn set_latency(&self, latency: Duration) {
        self.shared.set_settings(|s| s.latency = latency);
    }

    /// `Some(n)`: exports answer `n` synthetic bytes; `None`: real files.
    pub fn set_export_size(&self, size: Option<u64>) {
        self.shared.set_settings(|s| s.export_size = size);
    }

    /// Adds workflows 1..=count of the deterministic seed, making the
    /// workspace if need be; returns their ids. Counted towards the
    /// store's budget, not refused by it.
    ///
    /// # Panics
    ///
    /// When `count` is above [`MAX_SEEDED`], with a message naming it
    /// (rather than aborting for want of memory).
    pub fn seed(&self, project_id: &str, workspace_id: &str, count: u64) -> Vec<String> {
        if let Err(e) = workflow::check_seed(project_id, workspace_id, count) {
            panic!("{e}");
        }
        self.shared.store().seed(project_id, workspace_id, count)
    }

    /// Adds or replaces one workflow, in its own project and workspace
    /// (made if need be); counted towards the store's budget, not refused
    /// by it.
    pub fn insert_workflow(&self, workflow: Workflow) {
        self.shared.store().insert(workflow);
    }

    /// Adds a workspace, in its own project; refused when the project has
    /// one with that id. Counted towards the store's budget and number of
    /// workspaces, not refused by them.
    pub fn add_workspace(&self, workspace: Workspace) -> Result<(), String> {
        self.shared.store().add_workspace(workspace)
    }

    /// What the stored workspaces and workflows take, as the store counts
    /// them against [`SimulatorBuilder::max_store_bytes`].
    pub fn store_bytes(&self) -> u64 {
        self.shared.store().bytes()
    }

    /// The project's workspaces, oldest first.
    pub fn workspaces(&self, project_id: &str) -> Vec<Workspace> {
        self.shared.store().workspaces(project_id)
    }

    pub fn workflows(&self, project_id: &str, workspace_id: &str) -> Vec<Workflow> {
        self.shared.store().workflows(project_id, workspace_id)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        match &mut self.stop {
            Stop::Task(task) => task.abort(),
            Stop::Thread(running) => {
                if let Some((stop, thread)) = running.take() {
                    drop(stop);
                    let _ = thread.join();
                }
            }
        }
    }
}
