//! Running child processes for xtask's tasks: with a time limit, output
//! captured, failures described with the command line and what it printed,
//! and, for traffic that must stay on this machine, a scrubbed environment;
//! and servers left running in the background ([`Background`]).
//!
//! The wait with a time limit is `wait-timeout`'s: it wakes on the child's
//! exit (SIGCHLD), not at a polling interval, so [`capture`] returns within
//! microseconds of it (`cargo xtask bench` times commands with it). A child
//! that outlives its limit is killed; its output pipes are then read for at
//! most [`DRAIN_GRACE`] more, so a grandchild that keeps a pipe open cannot
//! hang the caller.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

/// How long the output of a finished or killed child is still read.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

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
    run(cmd, None, limit)
}

/// [`capture`], with standard output sent to `stdout` (a file, /dev/null)
/// instead: large output is never held in memory. `stdout` of the answer
/// is empty.
pub fn capture_stderr(
    cmd: &mut Command,
    stdout: impl Into<Stdio>,
    limit: Duration,
) -> Result<Captured, String> {
    run(cmd, Some(stdout.into()), limit)
}

fn run(cmd: &mut Command, stdout: Option<Stdio>, limit: Duration) -> Result<Captured, String> {
    let what = describe(cmd);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(stdout.unwrap_or_else(Stdio::piped))
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start `{what}`: {e}"))?;
    let mut out = Pipe::drain(child.stdout.take());
    let mut err = Pipe::drain(child.stderr.take());
    let waited = child.wait_timeout(limit);
    if !matches!(waited, Ok(Some(_))) {
        let _ = child.kill();
        let _ = child.wait();
    }
    let grace = Instant::now() + DRAIN_GRACE;
    match waited {
        Ok(Some(status)) => Ok(Captured {
            status,
            stdout: out.text(grace),
            stderr: err.text(grace),
        }),
        Ok(None) => Err(format!(
            "`{what}` did not finish within {}s and was stopped\n{}{}",
            limit.as_secs(),
            out.text(grace),
            err.text(grace)
        )),
        Err(e) => Err(format!("`{what}`: {e}")),
    }
}

/// [`capture`], and exit status 0 is required: otherwise the error holds
/// the command line, the status and everything the command printed.
pub fn capture_success(cmd: &mut Command, limit: Duration) -> Result<Captured, String> {
    let what = describe(cmd);
    require_success(capture(cmd, limit)?, &what)
}

/// `out` when its command (described by `what`) exited 0; otherwise an
/// error with the command line, the status and the end of its output.
pub fn require_success(out: Captured, what: &str) -> Result<Captured, String> {
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "`{what}` failed ({}):\n{}",
            out.status,
            tail(&out.combined())
        ))
    }
}

/// The last 4,000 characters of some output: enough to see why a command
/// failed, short enough to read.
fn tail(text: &str) -> &str {
    let start = text.char_indices().rev().nth(4000).map_or(0, |(i, _)| i);
    &text[start..]
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

/// A child left running while the caller works (a server): standard input
/// closed, its output appended to a log file. Killed when dropped, so a
/// failing caller never leaves one behind.
pub struct Background {
    child: Child,
    what: String,
}

impl Background {
    /// Starts `cmd` with its standard output and error going to `log`.
    pub fn start(cmd: &mut Command, log: &Path) -> Result<Background, String> {
        let what = describe(cmd);
        let file = fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let file2 = file
            .try_clone()
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(file2)
            .spawn()
            .map_err(|e| format!("cannot start `{what}`: {e}"))?;
        Ok(Background { child, what })
    }

    /// `Err` with the exit status when the child has ended.
    pub fn check_running(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("`{}` exited ({status})", self.what)),
            Err(e) => Err(format!("`{}`: {e}", self.what)),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One output pipe of a child, read to its end by a thread of its own.
struct Pipe(Option<mpsc::Receiver<Vec<u8>>>);

impl Pipe {
    fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> Pipe {
        Pipe(pipe.map(|mut p| {
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = p.read_to_end(&mut buf);
                let _ = tx.send(buf);
            });
            rx
        }))
    }

    /// What came through, once the pipe has ended or `deadline` has passed.
    /// A pipe a grandchild still holds is given up at `deadline` (its reader
    /// thread is left behind).
    fn text(&mut self, deadline: Instant) -> String {
        self.0
            .take()
            .and_then(|rx| {
                rx.recv_timeout(deadline.saturating_duration_since(Instant::now()))
                    .ok()
            })
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }
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
    fn sends_stdout_elsewhere_and_returns_at_once() {
        let dir = std::env::temp_dir().join(format!("xtask-process-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let file = dir.join("out.txt");
        let out = capture_stderr(
            Command::new("sh").args(["-c", "echo kept; echo said >&2"]),
            fs::File::create(&file).unwrap(),
            Duration::from_secs(10),
        )
        .unwrap();
        assert!(out.status.success());
        assert_eq!((out.stdout.as_str(), out.stderr.as_str()), ("", "said\n"));
        assert_eq!(fs::read_to_string(&file).unwrap(), "kept\n");
        // A child that exits while a grandchild holds its pipes is still
        // seen to end.
        let started = Instant::now();
        let out = capture(
            Command::new("sh").args(["-c", "sleep 5 & exit 0"]),
            Duration::from_secs(30),
        )
        .unwrap();
        assert!(out.status.success());
        assert!(started.elapsed() < Duration::from_secs(4));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_background_child_is_killed_when_dropped() {
        let log = std::env::temp_dir().join(format!("xtask-bg-{}.log", std::process::id()));
        let mut bg = Background::start(
            Command::new("sh").args(["-c", "echo up; exec sleep 60"]),
            &log,
        )
        .unwrap();
        bg.check_running().unwrap();
        let pid = bg.child.id();
        drop(bg);
        // Killed and reaped: its pid is gone (or, rarely, someone else's).
        let cmdline = fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        assert!(!cmdline.starts_with("sleep"), "{cmdline:?}");
        let mut done = Background::start(&mut Command::new("true"), &log).unwrap();
        thread::sleep(Duration::from_millis(300));
        assert!(done.check_running().is_err());
        let _ = fs::remove_file(&log);
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
