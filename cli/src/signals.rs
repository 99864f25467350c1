//! The signals that stop a download to a file, a backup or a restore.
//! While a part file or directory exists they are caught, so that dropping
//! the work removes it; the exit code is then 128 plus the signal's number.

use crate::exit::Failure;

#[cfg(unix)]
pub struct Signals {
    interrupt: Option<tokio::signal::unix::Signal>,
    terminate: Option<tokio::signal::unix::Signal>,
    hangup: Option<tokio::signal::unix::Signal>,
}

#[cfg(unix)]
impl Signals {
    /// Catches SIGINT, SIGTERM and SIGHUP, except those the parent set to
    /// be ignored: `nohup` (SIGHUP) and a shell's background jobs (SIGINT)
    /// rely on that, and a handler would override it.
    pub fn new() -> Result<Self, Failure> {
        use tokio::signal::unix::{SignalKind, signal};
        let ignored = ignored_at_start();
        let listen = |number: i32, kind| {
            if ignored & (1 << (number - 1)) != 0 {
                return Ok(None);
            }
            signal(kind)
                .map(Some)
                .map_err(|e| Failure::io("cannot set up signal handling", &e))
        };
        Ok(Signals {
            interrupt: listen(2, SignalKind::interrupt())?,
            terminate: listen(15, SignalKind::terminate())?,
            hangup: listen(1, SignalKind::hangup())?,
        })
    }

    /// Waits for the first signal; returns its number.
    pub async fn recv(&mut self) -> i32 {
        tokio::select! {
            () = next(&mut self.interrupt) => 2,
            () = next(&mut self.terminate) => 15,
            () = next(&mut self.hangup) => 1,
        }
    }
}

/// The next delivery of `signal`; never, when it is not caught.
#[cfg(unix)]
async fn next(signal: &mut Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(signal) => {
            signal.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// The signals ignored when the process started, as a mask (bit N-1 for
/// signal N), read from `/proc/self/status` before any handler exists.
/// Linux only; elsewhere none are taken to be ignored.
#[cfg(unix)]
fn ignored_at_start() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let mask = status.lines().find_map(|l| l.strip_prefix("SigIgn:"))?;
            u64::from_str_radix(mask.trim(), 16).ok()
        })
        .unwrap_or(0)
}

#[cfg(not(unix))]
pub struct Signals;

#[cfg(not(unix))]
impl Signals {
    pub fn new() -> Result<Self, Failure> {
        Ok(Signals)
    }

    pub async fn recv(&mut self) -> i32 {
        let _ = tokio::signal::ctrl_c().await;
        2
    }
}
