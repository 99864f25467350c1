//! The servers of the benchmarks, on free ports of 127.0.0.1, each killed
//! when its handle is dropped:
//!
//! - `secmaster-sim` (sim/), one per setting, taking the harness's token
//!   and fake access key (it checks every request against the document and
//!   every signature);
//! - `bench-server` (bench/), a byte pump for the large exports of section
//!   1, where the simulator's extra work per byte would show in what is
//!   measured (docs/benchmarks.md, "The server").

use std::fs;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use super::{AK, PROJECT, SK, TOKEN, WORKSPACE, note};
use crate::process::{Background, local_command};

const START_LIMIT: Duration = Duration::from_secs(30);

/// How a simulator is started.
#[derive(Default)]
pub struct SimSettings {
    /// `--export-size`: every export answers that many pattern bytes.
    pub export_size: Option<u64>,
    /// `--latency` in milliseconds, before every answer.
    pub latency_ms: u64,
    /// `--workflows`: seeded into PROJECT / WORKSPACE.
    pub workflows: u64,
    /// `--drain-imports`: import bodies are read and dropped, of any size.
    pub drain_imports: bool,
    /// `--auto-create-workspaces`: any workspace exists from its first use.
    pub auto_create_workspaces: bool,
}

/// A running server.
pub struct Server {
    _process: Background,
    pub url: String,
}

impl Server {
    /// Starts the simulator `exe` with `settings`; its output goes to a log
    /// in `scratch`.
    pub fn sim(exe: &Path, scratch: &Path, settings: &SimSettings) -> Result<Server, String> {
        let port_file = scratch.join("sim.port");
        let _ = fs::remove_file(&port_file);
        let mut cmd = local_command(exe);
        cmd.args(["--listen", "127.0.0.1:0", "--port-file"])
            .arg(&port_file)
            .args(["--token", TOKEN, "--ak", AK, "--sk", SK])
            .args(["--project-id", PROJECT, "--workspace-id", WORKSPACE])
            .arg("--workflows")
            .arg(settings.workflows.to_string())
            .arg("--latency")
            .arg(settings.latency_ms.to_string());
        if let Some(size) = settings.export_size {
            cmd.arg("--export-size").arg(size.to_string());
        }
        if settings.drain_imports {
            cmd.arg("--drain-imports");
        }
        if settings.auto_create_workspaces {
            cmd.arg("--auto-create-workspaces");
        }
        let log = scratch.join("sim.log");
        let mut process = Background::start(&mut cmd, &log)?;
        let started = Instant::now();
        let port = loop {
            if let Some(port) = fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.trim().parse::<u16>().ok())
            {
                break port;
            }
            let why = match process.check_running() {
                Err(e) => e,
                Ok(()) if started.elapsed() > START_LIMIT => {
                    format!("no port after {START_LIMIT:?}")
                }
                Ok(()) => {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            let said = fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("secmaster-sim did not start: {why}\n{said}"));
        };
        let url = format!("http://127.0.0.1:{port}");
        note(&format!(
            "secmaster-sim on {url} (export size {:?}, latency {} ms, {} workflows{})",
            settings.export_size,
            settings.latency_ms,
            settings.workflows,
            if settings.drain_imports {
                ", draining imports"
            } else {
                ""
            }
        ));
        Ok(Server {
            _process: process,
            url,
        })
    }

    /// Starts `bench-server` (`exe`): `POST .../workspaces/size-N/soc/workflows/export`
    /// answers N pattern bytes.
    pub fn bench_server(exe: &Path, scratch: &Path) -> Result<Server, String> {
        let log = scratch.join("bench-server.log");
        let mut process = Background::start(&mut local_command(exe), &log)?;
        let started = Instant::now();
        loop {
            let said = fs::read_to_string(&log).unwrap_or_default();
            if let Some(address) = said
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("listening on "))
            {
                let url = format!("http://{}", address.trim());
                note(&format!("bench-server on {url}"));
                return Ok(Server {
                    _process: process,
                    url,
                });
            }
            let why = match process.check_running() {
                Err(e) => e,
                Ok(()) if started.elapsed() > START_LIMIT => {
                    format!("no address after {START_LIMIT:?}")
                }
                Ok(()) => {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            return Err(format!("bench-server did not start: {why}\n{said}"));
        }
    }
}
