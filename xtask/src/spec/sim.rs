//! The server of the checks: `secmaster-sim` (`sim/`), the local SecMaster
//! service, serving the document under check (`--document`), started once
//! per client, credential and scenario.
//!
//! Each run has a folder `.tools/run/<client>-<credential>-<scenario>/`:
//! the simulator writes `port` once it listens (`--port-file`, the
//! readiness signal), `requests.jsonl` (`--log --log-bodies`: one JSON line
//! per request with method, raw path and query, headers with secrets
//! redacted, the body in base64, and the simulator's own auth and
//! validation outcomes), `sim.out` and `sim.err`; the client reads and
//! writes its files in `files/`. The simulator is seeded with
//! [`cases::SEEDED`] workflows in the cases' project and workspace; in the
//! error scenario every operation answers 400 (`--fault '*=400'`). It is
//! stopped with SIGTERM and must exit 0; it is killed if it lingers, and
//! when the handle is dropped (a failing check never leaves one behind).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::Layout;
use super::cases::{self, Scenario};
use crate::process::local_command;

const START_LIMIT: Duration = Duration::from_secs(30);
const STOP_LIMIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(10);

/// The credential the simulator requires, and the client uses.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// An IAM token in `X-Auth-Token` (`--token`).
    Token,
    /// An SDK-HMAC-SHA256 signature with the fake key pair (`--ak --sk`).
    AccessKey,
}

impl Auth {
    pub fn name(self) -> &'static str {
        match self {
            Auth::Token => "token",
            Auth::AccessKey => "aksk",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Auth::Token => "X-Auth-Token",
            Auth::AccessKey => "AK/SK signature",
        }
    }
}

/// One client's run with one credential in one scenario.
pub struct Run<'a> {
    pub layout: &'a Layout,
    pub label: &'a str,
    pub auth: Auth,
    pub scenario: Scenario,
}

impl Run<'_> {
    /// `<client>-<credential>`: what validate.py calls the recordings.
    pub fn recording(&self) -> String {
        format!("{}-{}", self.label, self.auth.name())
    }

    pub fn dir(&self) -> PathBuf {
        self.layout
            .run
            .join(format!("{}-{}", self.recording(), self.scenario.name()))
    }

    /// Where the client reads the file to import and writes the export.
    pub fn files(&self) -> PathBuf {
        self.dir().join("files")
    }
}

struct Sim {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Sim {
    fn start(
        exe: &Path,
        spec: &Path,
        dir: &Path,
        auth: Auth,
        scenario: Scenario,
    ) -> Result<Sim, String> {
        let file = |name: &str| {
            fs::File::create(dir.join(name)).map_err(|e| format!("{}: {e}", dir.display()))
        };
        let port_file = dir.join("port");
        let mut cmd = local_command(exe);
        cmd.args(["--listen", "127.0.0.1:0"])
            .arg("--document")
            .arg(spec)
            .arg("--port-file")
            .arg(&port_file)
            .args(["--workflows", &cases::SEEDED.to_string()])
            .args(["--project-id", cases::PROJECT_ID])
            .args(["--workspace-id", cases::WORKSPACE_ID])
            .arg("--log")
            .arg(dir.join("requests.jsonl"))
            .arg("--log-bodies");
        match auth {
            Auth::Token => cmd.args(["--token", cases::TOKEN]),
            Auth::AccessKey => cmd.args(["--ak", cases::FAKE_AK, "--sk", cases::FAKE_SK]),
        };
        if scenario == Scenario::Error {
            cmd.args(["--fault", cases::ERROR_FAULT]);
        }
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file("sim.out")?)
            .stderr(file("sim.err")?)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
        let mut sim = Sim {
            child,
            port: 0,
            dir: dir.to_path_buf(),
        };
        let started = Instant::now();
        loop {
            // Written whole (by rename) once the simulator listens.
            if let Some(port) = fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                sim.port = port;
                return Ok(sim);
            }
            let why = match sim.child.try_wait() {
                Ok(Some(status)) => format!("exited ({status}) before listening"),
                Ok(None) if started.elapsed() > START_LIMIT => {
                    format!("wrote no port file within {}s", START_LIMIT.as_secs())
                }
                Ok(None) => {
                    thread::sleep(POLL);
                    continue;
                }
                Err(e) => e.to_string(),
            };
            sim.kill();
            return Err(format!("secmaster-sim {why}{}", sim.output()));
        }
    }

    /// SIGTERM, as a user's Ctrl-C; it must exit 0 within [`STOP_LIMIT`].
    fn stop(mut self) -> Result<(), String> {
        let signalled = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !signalled {
            self.kill();
            return Err("secmaster-sim could not be sent SIGTERM; it was killed".into());
        }
        let started = Instant::now();
        while started.elapsed() < STOP_LIMIT {
            match self.child.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => {
                    return Err(format!(
                        "secmaster-sim exited with {status} on SIGTERM{}",
                        self.output()
                    ));
                }
                Ok(None) => thread::sleep(POLL),
                Err(e) => return Err(e.to_string()),
            }
        }
        self.kill();
        Err(format!(
            "secmaster-sim did not stop within {}s of SIGTERM and was killed",
            STOP_LIMIT.as_secs()
        ))
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// What it printed on standard error, for a failure message.
    fn output(&self) -> String {
        let err = fs::read_to_string(self.dir.join("sim.err")).unwrap_or_default();
        if err.trim().is_empty() {
            String::new()
        } else {
            format!(":\n{}", err.trim_end())
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// Prepares the run's folder (in the error scenario with the file to
/// import, since no export precedes it), starts the simulator, runs
/// `calls` with its base URL, and stops it. The recording is complete once
/// the simulator has stopped.
pub fn with_sim<T>(
    exe: &Path,
    run: &Run<'_>,
    calls: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, String> {
    let dir = run.dir();
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(run.files()).map_err(|e| format!("{}: {e}", dir.display()))?;
    if run.scenario == Scenario::Error {
        let file = run.files().join(cases::IMPORT_FILE_NAME);
        fs::write(&file, cases::error_import_bytes())
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let sim = Sim::start(exe, &run.layout.spec, &dir, run.auth, run.scenario)?;
    let result = calls(&format!("http://127.0.0.1:{}", sim.port));
    let stopped = sim.stop();
    let value = result?;
    stopped?;
    Ok(value)
}

/// Starts the simulator once to read the ids of its seeded workflows from
/// what it prints (`workflow ids: FIRST .. LAST`; [`cases::SEEDED`] is 2,
/// so these are all of them).
pub fn seeded_ids(layout: &Layout, exe: &Path) -> Result<Vec<String>, String> {
    let dir = layout.run.join("seed");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Sim::start(exe, &layout.spec, &dir, Auth::Token, Scenario::Ok)?.stop()?;
    let out = fs::read_to_string(dir.join("sim.out")).unwrap_or_default();
    let ids: Vec<String> = out
        .lines()
        .find_map(|l| l.strip_prefix("workflow ids: "))
        .map(|l| l.split(" .. ").map(str::to_owned).collect())
        .unwrap_or_default();
    if ids.len() as u64 != cases::SEEDED {
        return Err(format!(
            "secmaster-sim did not print the ids of its {} seeded workflows:\n{out}",
            cases::SEEDED
        ));
    }
    Ok(ids)
}

/// Runs an outside driver (a generated client's, the SDK's) once per
/// scenario, each against a fresh simulator, and collects its notes.
/// `command` gets the base URL and returns the driver's command line; the
/// arguments every driver takes (`--cases`, `--scenario`, `--work-dir`) are
/// added here.
pub fn drive_each_scenario(
    layout: &Layout,
    sim: &Path,
    label: &str,
    auth: Auth,
    limit: std::time::Duration,
    command: impl Fn(&str) -> std::process::Command,
) -> Result<Vec<String>, String> {
    use super::cases::{Scenario, cases_path};
    Scenario::BOTH
        .into_iter()
        .map(|scenario| {
            let run = Run {
                layout,
                label,
                auth,
                scenario,
            };
            with_sim(sim, &run, |base_url| {
                let out = crate::process::capture_success(
                    command(base_url)
                        .arg("--cases")
                        .arg(cases_path(layout))
                        .arg("--scenario")
                        .arg(scenario.name())
                        .arg("--work-dir")
                        .arg(run.files()),
                    limit,
                )?;
                Ok(super::requests::read_notes(&out))
            })
        })
        .collect()
}
