//! Running child processes for xtask's tasks: with a time limit, output
//! captured, failures described with the command line and what it printed,
//! and, for traffic that must stay on this machine, a scrubbed environment.
//!
//! Standard library only. A child that outlives its limit is killed; its
//! output pipes are then read for at most [`DRAIN_GRACE`] more, so a
//! grandchild that keeps a pipe open cannot hang the caller.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long the output of a killed child is still read.
const DRAIN_GRACE: Duration = Duration::from_secs(2);
/// How often a running child is polled.
const POLL: Duration = Duration::from_millis(20);

/// What a finished child printed (as text, lossily decoded) and how it ended.
pub struct Captured {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Captured {
    /// Standard output, then standard error, trimmed; for error messages.
    pub fn combined(&self) -> String {
        let mut s = self.stdout.trim_end().to_string();
        if !self.stderr.trim().is_empty() {
            if !s.is_empty() {
                s.push('\n');
            }
            s.push_str(self.stderr.trim_end());
        }
        s
    }
}

/// The command line, shortened for messages: long arguments are cut,
/// arguments with spaces quoted.
pub fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.chars().count() > 80 {
            let cut = a.char_indices().nth(60).map_or(a.len(), |(i, _)| i);
            let _ = write!(s, " {}...", &a[..cut]);
        } else if a.contains(' ') || a.is_empty() {
            let _ = write!(s, " '{a}'");
        } else {
            let _ = write!(s, " {a}");
        }
    }
    s
}

/// Runs `cmd` to its end with standard input closed and its output captured;
/// any exit status is returned. An error when it cannot start or is still
/// running after `limit` (it is then killed).
pub fn capture(cmd: &mut Command, limit: Duration) -> Result<Captured, String> {
    let what = describe(cmd);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{what}`: {e}"))?;
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                let deadline = Instant::now() + DRAIN_GRACE;
                let text = format!("{}{}", collect(out, deadline), collect(err, deadline));
                return Err(format!(
                    "`{what}` did not finish within {}s and was stopped\n{text}",
                    limit.as_secs()
                ));
            }
            Ok(None) => thread::sleep(POLL),
            Err(e) => {
                let _ = child.kill();
                return Err(format!("`{what}`: {e}"));
            }
        }
    };
    let deadline = Instant::now() + DRAIN_GRACE;
    Ok(Captured {
        status,
        stdout: collect(out, deadline),
        stderr: collect(err, deadline),
    })
}

/// [`capture`], and exit status 0 is required: otherwise the error holds
/// the command line, the status and everything the command printed.
pub fn capture_success(cmd: &mut Command, limit: Duration) -> Result<Captured, String> {
    let what = describe(cmd);
    let out = capture(cmd, limit)?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "`{what}` failed ({}):\n{}",
            out.status,
            out.combined()
        ))
    }
}

/// A command whose traffic must stay on 127.0.0.1: no proxy settings, no
/// Huawei Cloud SDK or SecMaster settings (credentials, regions, endpoints)
/// from this machine, and Python told to write no bytecode and use UTF-8.
pub fn local_command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    scrub_env(&mut cmd);
    cmd
}

/// What [`local_command`] does, for a command built elsewhere.
pub fn scrub_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy().to_ascii_lowercase();
        if k.ends_with("_proxy") || k.starts_with("huaweicloud_sdk_") || k.starts_with("secmaster_")
        {
            cmd.env_remove(&key);
        }
    }
    cmd.env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUTF8", "1");
}

type Drained = mpsc::Receiver<Vec<u8>>;

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> Option<Drained> {
    pipe.map(|mut p| {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = p.read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
        rx
    })
}

/// The pipe's text once the child has ended. After the child exits its
/// pipes close at once unless a grandchild still holds them; such a pipe
/// is given up at `deadline` (its reader thread is left behind).
fn collect(pipe: Option<Drained>, deadline: Instant) -> String {
    pipe.and_then(|rx| {
        rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .ok()
    })
    .map(|b| String::from_utf8_lossy(&b).into_owned())
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_output_and_status() {
        let out = capture(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.combined(), "out\nerr");
        let err = capture_success(
            Command::new("sh").args(["-c", "echo why; exit 1"]),
            Duration::from_secs(10),
        )
        .err()
        .unwrap();
        assert!(err.contains("failed") && err.contains("why"), "{err}");
    }

    #[test]
    fn a_child_past_its_limit_is_stopped_even_if_a_grandchild_holds_the_pipe() {
        let started = Instant::now();
        let err = capture(
            Command::new("sh").args(["-c", "sleep 8 & sleep 8"]),
            Duration::from_millis(200),
        )
        .err()
        .unwrap();
        assert!(err.contains("did not finish"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(6));
    }

    #[test]
    fn describes_long_and_spaced_arguments() {
        let mut cmd = Command::new("prog");
        cmd.arg("a b").arg("x".repeat(100)).arg("");
        let text = describe(&cmd);
        assert!(text.starts_with("prog 'a b' xxx"), "{text}");
        assert!(text.ends_with("... ''"), "{text}");
    }
}
