//! Running the contenders: every child goes through `crate::process`;
//! timed ones run under `/usr/bin/time` for their peak RSS, and their wall
//! time is taken around the whole run (start to exit, as a user sees it).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::process::{capture, capture_stderr, describe, require_success};

/// GNU time: peak RSS (`%M`, KiB).
pub const TIME: &str = "/usr/bin/time";
/// No single contender run takes this long, even a 1 GiB export by the SDK
/// on a loaded machine; one that does is stopped and fails the run.
pub const RUN_LIMIT: Duration = Duration::from_secs(10 * 60);
/// A cold release build of the workspace on 2 busy cores.
pub const BUILD_LIMIT: Duration = Duration::from_secs(60 * 60);

/// One timed run of a contender.
pub struct Measured {
    pub secs: f64,
    pub rss_kib: f64,
    /// What it printed, standard output then standard error.
    pub text: String,
}

/// Runs `cmd` under `/usr/bin/time` (its peak RSS is written to
/// `rss_file`), standard output to /dev/null when `quiet_stdout` (a 1 GiB
/// export on stdout) or captured. It must succeed.
pub fn measured(cmd: &Command, quiet_stdout: bool, rss_file: &Path) -> Result<Measured, String> {
    let _ = fs::remove_file(rss_file);
    let mut timed = under_time(cmd, rss_file);
    let what = describe(cmd);
    let started = Instant::now();
    let out = if quiet_stdout {
        capture_stderr(&mut timed, devnull()?, RUN_LIMIT)?
    } else {
        capture(&mut timed, RUN_LIMIT)?
    };
    let secs = started.elapsed().as_secs_f64();
    let out = require_success(out, &what)?;
    let rss = fs::read_to_string(rss_file).unwrap_or_default();
    // GNU time writes "Command exited with non-zero status" first when it
    // does; the number is the last line.
    let rss_kib = rss
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| format!("`{what}`: no peak RSS from {TIME}: {rss:?}"))?;
    Ok(Measured {
        secs,
        rss_kib,
        text: out.combined(),
    })
}

/// `/usr/bin/time -f %M -o FILE` followed by `cmd`, with `cmd`'s
/// environment changes and directory.
fn under_time(cmd: &Command, rss_file: &Path) -> Command {
    let mut timed = Command::new(TIME);
    timed
        .args(["-f", "%M", "-o"])
        .arg(rss_file)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => timed.env(key, v),
            None => timed.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        timed.current_dir(dir);
    }
    timed
}

pub fn devnull() -> Result<fs::File, String> {
    fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .map_err(|e| format!("cannot open /dev/null: {e}"))
}

/// `cargo` (the one running xtask), in the workspace root. Not a local
/// command: a build may have to fetch crates through a proxy.
pub fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root);
    cmd
}

/// The tools the harness needs, with a hint for each missing one.
pub fn preflight() -> Result<(), String> {
    if !Path::new(TIME).exists() {
        return Err(format!(
            "{TIME} (GNU time) is missing; it measures peak memory. Install it: apt-get install -y time"
        ));
    }
    for (tool, hint) in [
        ("curl", "apt-get install -y curl"),
        ("python3", "a Python 3 interpreter with venv"),
    ] {
        let found = capture(Command::new(tool).arg("--version"), Duration::from_secs(30))
            .is_ok_and(|o| o.status.success());
        if !found {
            return Err(format!("{tool} is missing ({hint})"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_a_command_with_its_environment() {
        let mut cmd = Command::new("prog");
        cmd.arg("a")
            .env("X", "1")
            .env_remove("Y")
            .current_dir("/tmp");
        let timed = under_time(&cmd, Path::new("/r"));
        let args: Vec<_> = timed
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(timed.get_program(), TIME);
        assert_eq!(args, ["-f", "%M", "-o", "/r", "prog", "a"]);
        let envs: Vec<_> = timed.get_envs().collect();
        assert!(envs.contains(&("X".as_ref(), Some("1".as_ref()))));
        assert!(envs.contains(&("Y".as_ref(), None)));
        assert_eq!(timed.get_current_dir(), Some(Path::new("/tmp")));
    }

    #[test]
    fn measures_time_and_memory() {
        if !Path::new(TIME).exists() {
            return;
        }
        let rss = std::env::temp_dir().join(format!("xtask-rss-{}", std::process::id()));
        let m = measured(Command::new("sh").args(["-c", "echo hi"]), false, &rss).unwrap();
        assert_eq!(m.text, "hi");
        assert!(m.rss_kib > 0.0 && m.secs > 0.0);
        let err = measured(Command::new("sh").args(["-c", "exit 3"]), true, &rss)
            .err()
            .unwrap();
        assert!(err.contains("failed"), "{err}");
        let _ = fs::remove_file(&rss);
    }
}
