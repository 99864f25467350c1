//! `secmaster-sim`: the simulator as a command. See `sim/README.md`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use secmaster_sim::workflow::seeded;
use secmaster_sim::workspace::numbered;
use secmaster_sim::{
    AdminAccess, Contract, EMBEDDED_DOCUMENT, Fault, IDLE_TIMEOUT, MAX_CONNECTIONS,
    MAX_NUMBERED_WORKSPACES, MAX_SEEDED, STORE_BYTES, Simulator, has_behaviour,
};

/// A local SecMaster service (workflows: list, show, export, import;
/// workspaces: list, show), checked against openapi/secmaster.yaml, for
/// trying the tools and for tests.
#[derive(Parser, Debug)]
#[command(name = "secmaster-sim", version)]
struct Args {
    /// Address to listen on (port 0: any free port). Any address but
    /// loopback needs --token or --ak/--sk, and there the /_sim/ endpoints
    /// need --admin-token or are off.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Write the port to this file once listening.
    #[arg(long, value_name = "FILE")]
    port_file: Option<PathBuf>,
    /// Seed the workspace with N deterministic workflows (at most 1,000,000,
    /// which take about 1.7 GiB of memory).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        value_parser = clap::value_parser!(u64).range(0..=MAX_SEEDED)
    )]
    workflows: u64,
    /// Project of the seeded workspace.
    #[arg(
        long,
        value_name = "P",
        default_value = "0123456789abcdef0123456789abcdef"
    )]
    project_id: String,
    /// The seeded workspace (it exists even with no workflows).
    #[arg(
        long,
        value_name = "W",
        default_value = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
    )]
    workspace_id: String,
    /// Also make N empty workspaces in the project, numbered from 1 (ids
    /// and names the same on every run; at most 10,000).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 0,
        value_parser = clap::value_parser!(u64).range(0..=MAX_NUMBERED_WORKSPACES)
    )]
    workspaces: u64,
    /// Let any workspace id a request names exist, made on first use
    /// (otherwise a workspace that was not made is refused with 403).
    #[arg(long)]
    auto_create_workspaces: bool,
    /// Require this X-Auth-Token (with --ak/--sk, either is accepted).
    #[arg(long, value_name = "T")]
    token: Option<String>,
    /// Access key ID whose SDK-HMAC-SHA256 signatures are accepted.
    #[arg(long, value_name = "AK", requires = "sk")]
    ak: Option<String>,
    /// Secret access key for --ak.
    #[arg(long, value_name = "SK", requires = "ak")]
    sk: Option<String>,
    /// Require `Authorization: Bearer T` on the /_sim/ endpoints (otherwise
    /// open on loopback, off on any other address). T: printable ASCII,
    /// not empty, no space or tab at either end.
    #[arg(long, value_name = "T")]
    admin_token: Option<String>,
    /// Close a connection that sends nothing it owes for MS milliseconds: a
    /// request's complete headers (from when it opens or from its previous
    /// answer), or the next bytes of a body; or that reads none of its
    /// answer for MS.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = IDLE_TIMEOUT.as_millis() as u64,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    idle_timeout: u64,
    /// Keep at most N connections open; past that, or when out of file
    /// descriptors, the one idle the longest is closed.
    #[arg(
        long,
        value_name = "N",
        default_value_t = MAX_CONNECTIONS as u64,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000)
    )]
    max_connections: u64,
    /// What the stored workspaces and workflows may take, in bytes (as
    /// counted: their text plus a measured overhead each); an import or a
    /// new workspace that would pass it is refused. The seed must fit.
    #[arg(long, value_name = "BYTES", default_value_t = STORE_BYTES)]
    max_store_bytes: u64,
    /// Also refuse what the document does not allow but the real service
    /// probably tolerates (e.g. export without ;charset=UTF-8).
    #[arg(long)]
    strict: bool,
    /// Answer every export with BYTES synthetic bytes (byte i is i % 251).
    #[arg(long, value_name = "BYTES")]
    export_size: Option<u64>,
    /// Read import bodies to their end and keep none of them, of any size
    /// (nothing is imported; for measuring a client's memory).
    #[arg(long)]
    drain_imports: bool,
    /// Refuse a signed request whose X-Sdk-Date is more than SECONDS from this machine's clock,
    /// as the API gateway does (0: accept any date).
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    max_clock_skew: u64,
    /// Wait this many milliseconds before every answer.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,
    /// OPERATION=STATUS[,retry-after=S][,times=N][,header=NAME:VALUE], or ACTION latency,ms=MS |
    /// stall | stall-body[,after=BYTES] | cut[,after=BYTES] | close | pass. OPERATION
    /// is an operationId, its short name (list, show, import, export) or *;
    /// N is at least 1. Repeatable.
    #[arg(long, value_name = "SPEC", value_parser = fault_arg)]
    fault: Vec<FaultArg>,
    /// Append one JSON line per request to FILE.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Also write each request's body, base64-encoded, into the --log lines
    /// (not for requests refused with 404, 413, 401 or a validation 400).
    #[arg(long, requires = "log")]
    log_bodies: bool,
    /// Serve this OpenAPI document instead of the one built in.
    #[arg(long, value_name = "FILE")]
    document: Option<PathBuf>,
}

/// A `--fault` value: as typed, for messages, and as read.
#[derive(Debug, Clone)]
struct FaultArg {
    spec: String,
    fault: Fault,
}

fn fault_arg(spec: &str) -> Result<FaultArg, String> {
    Ok(FaultArg {
        spec: spec.to_owned(),
        fault: Fault::parse(spec)?,
    })
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.listen.ip().is_loopback() && args.token.is_none() && args.ak.is_none() {
        Args::command()
            .error(
                ErrorKind::MissingRequiredArgument,
                format!(
                    "--listen {} can be reached from other machines, so it needs --token or --ak/--sk \
                     (or listen on 127.0.0.1)",
                    args.listen
                ),
            )
            .exit();
    }
    // Read here rather than by the builder: whether a --fault names an
    // operation depends on the document, and a bad one is a usage error
    // (exit 2, like every other bad flag value), not a failure to start.
    let document = match &args.document {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => return fail(&format!("cannot read {}: {e}", path.display())),
        },
        None => EMBEDDED_DOCUMENT.to_owned(),
    };
    let contract = match Contract::from_yaml(&document) {
        Ok(contract) => contract,
        Err(e) => return fail(&e.to_string()),
    };
    for arg in &args.fault {
        if let Err(e) = arg.fault.clone().resolve(&contract) {
            // The same words clap uses for a value its parser refuses.
            Args::command()
                .error(
                    ErrorKind::ValueValidation,
                    format!("invalid value '{}' for '--fault <SPEC>': {e}", arg.spec),
                )
                .exit();
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    match runtime.block_on(run(args, document)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("secmaster-sim: {message}");
    ExitCode::FAILURE
}

async fn run(args: Args, document: String) -> Result<(), String> {
    let mut builder = Simulator::builder()
        .document(document)
        .listen(args.listen)
        .drain_imports(args.drain_imports)
        .strict(args.strict)
        .latency(Duration::from_millis(args.latency))
        .idle_timeout(Duration::from_millis(args.idle_timeout))
        .max_connections(usize::try_from(args.max_connections).unwrap_or(usize::MAX))
        .max_clock_skew(
            Some(Duration::from_secs(args.max_clock_skew)).filter(|limit| !limit.is_zero()),
        )
        .seed(&args.project_id, &args.workspace_id, args.workflows)
        .workspaces(&args.project_id, args.workspaces)
        .auto_create_workspaces(args.auto_create_workspaces)
        .max_store_bytes(args.max_store_bytes);
    if let Some(token) = &args.token {
        builder = builder.token(token);
    }
    if let (Some(ak), Some(sk)) = (&args.ak, &args.sk) {
        builder = builder.access_key(ak, sk);
    }
    if let Some(token) = &args.admin_token {
        builder = builder.admin_token(token);
    }
    if let Some(size) = args.export_size {
        builder = builder.export_size(size);
    }
    if let Some(log) = &args.log {
        builder = builder.log_file(log).log_bodies(args.log_bodies);
    }
    for arg in &args.fault {
        builder = builder.fault(arg.fault.clone());
    }
    let sim = builder.start().await.map_err(|e| e.to_string())?;

    println!("secmaster-sim listening on {}", sim.base_url());
    if !args.listen.ip().is_loopback() {
        println!(
            "warning: {} can be reached from other machines; use test credentials only",
            args.listen
        );
    }
    let ops: Vec<String> = sim
        .contract()
        .operations()
        .iter()
        .map(|o| match has_behaviour(o) {
            true => o.id.clone(),
            false => format!("{} (from the document)", o.id),
        })
        .collect();
    println!("operations: {}", ops.join(", "));
    let auth = match (&args.token, &args.ak) {
        (None, None) => "none (every request is accepted)".to_owned(),
        (Some(_), None) => "X-Auth-Token".to_owned(),
        (None, Some(ak)) => format!("SDK-HMAC-SHA256 with access key {ak}"),
        (Some(_), Some(ak)) => format!("X-Auth-Token or SDK-HMAC-SHA256 with access key {ak}"),
    };
    println!(
        "auth: {auth}{}",
        if args.strict {
            "; strict validation"
        } else {
            ""
        }
    );
    println!(
        "admin: {}",
        match sim.admin_access() {
            AdminAccess::Open => "/_sim/ open to anyone who can connect (loopback only)",
            AdminAccess::Token => "/_sim/ requires Authorization: Bearer <--admin-token>",
            AdminAccess::Off => "/_sim/ off (listening beyond loopback without --admin-token)",
        }
    );
    println!(
        "limits: {} connections, closed after {} ms without a request or body bytes, or reading none of an answer; a store of {} bytes",
        args.max_connections, args.idle_timeout, args.max_store_bytes
    );
    // From the seed rather than from `sim.workflows`: copying a million
    // workflows to show two ids would double the memory they take.
    let (project, workspace, count) = (&args.project_id, &args.workspace_id, args.workflows);
    println!("workspace: /v1/{project}/workspaces/{workspace}/soc/workflows ({count} workflows)");
    if count > 0 {
        let (first, last) = (
            seeded(project, workspace, 1),
            seeded(project, workspace, count),
        );
        println!("workflow ids: {} .. {}", first.id, last.id);
    }
    if args.workspaces > 0 {
        let (first, last) = (numbered(project, 1), numbered(project, args.workspaces));
        println!(
            "more workspaces: {} empty, {} .. {}",
            args.workspaces, first.id, last.id
        );
    }
    if args.auto_create_workspaces {
        println!("workspaces: any id exists from its first use");
    }
    for fault in sim.faults() {
        println!("fault: {fault}");
    }
    if let Some(path) = &args.port_file {
        write_port_file(path, sim.port())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }

    wait_for_signal().await;
    drop(sim);
    Ok(())
}

/// Written whole under a temporary name and renamed, so that a reader
/// polling for the file never sees half of it.
fn write_port_file(path: &std::path::Path, port: u16) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, format!("{port}\n"))?;
    std::fs::rename(partial, path)
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
