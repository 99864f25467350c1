//! The recording server's lifecycle: `spec-checks/recorder.py` on
//! 127.0.0.1, answering from `cases.json` for one scenario and writing one
//! JSON line per request. It stops when its standard input closes; it is
//! killed if it lingers, and when the handle is dropped (so a failing check
//! never leaves one behind).

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use super::Layout;
use super::cases::{Scenario, cases_path};
use super::installs::VENV_CLIENTS;
use crate::process::local_command;

const START_LIMIT: Duration = Duration::from_secs(30);
const STOP_LIMIT: Duration = Duration::from_secs(10);

struct Recorder {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

impl Recorder {
    fn start(layout: &Layout, scenario: Scenario, record: &Path) -> Result<Recorder, String> {
        let _ = fs::remove_file(record);
        let log = record.with_extension("recorder.log");
        let log_file = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut child = local_command(layout.py(VENV_CLIENTS))
            .arg("-u")
            .arg(layout.script("recorder.py"))
            .arg("--cases")
            .arg(cases_path(layout))
            .arg("--scenario")
            .arg(scenario.name())
            .arg("--record")
            .arg(record)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .map_err(|e| format!("cannot start the recorder: {e}"))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            if let Some(out) = stdout {
                let mut reader = BufReader::new(out);
                let _ = reader.read_line(&mut line);
                let _ = tx.send(line);
                // keep draining until the recorder exits
                let _ = std::io::copy(&mut reader, &mut std::io::sink());
            }
        });
        let mut recorder = Recorder {
            child,
            stdin,
            port: 0,
        };
        let line = rx.recv_timeout(START_LIMIT).unwrap_or_default();
        match line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
        {
            Some(port) => {
                recorder.port = port;
                Ok(recorder)
            }
            None => {
                recorder.kill();
                Err(format!(
                    "the recorder did not start (got {line:?}); its log:\n{}",
                    fs::read_to_string(&log).unwrap_or_default()
                ))
            }
        }
    }

    /// Closing its stdin tells the recorder to stop; kill it if it lingers.
    fn stop(mut self) {
        drop(self.stdin.take());
        let started = Instant::now();
        while started.elapsed() < STOP_LIMIT {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// Starts a recorder for `scenario` that records into the file of `label`,
/// runs `calls` with its base URL, and stops it (the recording is complete
/// once it has stopped).
pub fn with_recorder<T>(
    layout: &Layout,
    label: &str,
    scenario: Scenario,
    calls: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, String> {
    let recorder = Recorder::start(layout, scenario, &layout.record(label, scenario))?;
    let result = calls(&format!("http://127.0.0.1:{}", recorder.port));
    recorder.stop();
    result
}
