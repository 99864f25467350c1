//! Helpers for the command's tests: the simulator (secmaster-sim) as the
//! service, and the command run with a clean environment in a scratch
//! directory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use assert_cmd::Command;
use secmaster_sim::{Simulator, SimulatorBuilder};

/// The fake credentials the simulator's users share ([`TOKEN`] is the one
/// every test sends unless it says otherwise), the bytes of a synthetic
/// export, and fault rules from their spec form.
pub use secmaster_sim::testing::{AK, SECURITY_TOKEN, SK, TOKEN, export_pattern, fault};

/// Short IDs: they stand in the messages the tests expect.
pub const PROJECT: &str = "P";
pub const WORKSPACE: &str = "W";

/// The workspaces the tests' simulator has, empty until a test fills them:
/// [`WORKSPACE`], `W2` (where imports go) and `empty` (that stays so).
pub const WORKSPACES: [&str; 3] = [WORKSPACE, "W2", "empty"];

/// A simulator that accepts [`TOKEN`] and nothing else, and refuses any
/// request the document does not allow (`strict`: not even with a warning).
/// It keeps the bodies it accepts, for the tests that check what was sent.
pub fn sim() -> SimulatorBuilder {
    WORKSPACES.into_iter().fold(
        Simulator::builder()
            .token(TOKEN)
            .strict(true)
            .log_bodies(true),
        |sim, workspace| sim.seed(PROJECT, workspace, 0),
    )
}

/// Starts `builder` on a thread of its own.
pub fn start(builder: SimulatorBuilder) -> Simulator {
    builder.start_blocking().expect("the simulator starts")
}

/// A simulator whose exports answer `size` pattern bytes, whatever the ids.
pub fn file_sim(size: u64) -> Simulator {
    start(sim().export_size(size))
}

/// Every request reached the service, passed its authentication (`how`
/// is the simulator's account of it) and its validation, without a warning.
pub fn assert_authenticated(sim: &Simulator, how: &str) {
    let requests = sim.requests();
    assert!(!requests.is_empty(), "no request reached the simulator");
    for r in &requests {
        assert_eq!(r.auth, format!("ok: {how}"), "{} {}", r.method, r.path);
        assert_eq!(r.validation, "ok", "{} {}", r.method, r.path);
        assert!(
            r.warnings.is_empty(),
            "{} {}: {:?}",
            r.method,
            r.path,
            r.warnings
        );
    }
}

/// The request ids the simulator answered, in order.
pub fn request_ids(sim: &Simulator) -> Vec<String> {
    sim.requests().into_iter().map(|r| r.request_id).collect()
}

/// A scratch directory, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "secmaster-cli-test-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Every entry name in the directory, hidden ones included, sorted.
    pub fn entries(&self) -> Vec<String> {
        entries(&self.0)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The caller's variables that the command would read: credentials,
/// project, region and endpoint overrides, the config file, the profile and
/// the workspace. The simulator accepts only the credentials a test gives,
/// so none may leak in.
pub fn settings_variables() -> Vec<String> {
    std::env::vars()
        .map(|(name, _)| name)
        .filter(|name| name.starts_with("HUAWEICLOUD_SDK_") || name.starts_with("SECMASTER_"))
        .collect()
}

/// Where the tests' commands look for the config file: nowhere that
/// exists, so that the caller's profiles stay out ([`profiles`](crate::profiles)
/// tests point it at their own).
pub const NO_CONFIG_HOME: &str = "/nonexistent/secmaster-cli-tests";

/// A process (`sh`, the binary itself) without [`settings_variables`] and
/// without the caller's config file.
pub fn process(program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    for name in settings_variables() {
        cmd.env_remove(name);
    }
    cmd.env("XDG_CONFIG_HOME", NO_CONFIG_HOME);
    cmd
}

/// `sh -c SCRIPT` in `dir`, `$0` being the `secmaster` binary, without
/// [`settings_variables`] and with nothing on standard input.
pub fn shell(dir: &Path, script: &str) -> std::process::Command {
    let mut cmd = process("sh");
    cmd.arg("-c")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin("secmaster"))
        .current_dir(dir)
        .stdin(std::process::Stdio::null());
    cmd
}

/// `secmaster` with none of the credential or region variables of the
/// caller's environment, no colours, run in `dir`.
pub fn secmaster(dir: &Path) -> Command {
    with_time_limit(secmaster_process(dir))
}

/// [`secmaster`] as a plain process, for tests that choose its standard
/// streams.
pub fn secmaster_process(dir: &Path) -> std::process::Command {
    let mut cmd = process(assert_cmd::cargo::cargo_bin("secmaster"));
    cmd.env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .current_dir(dir);
    cmd
}

fn with_time_limit(cmd: std::process::Command) -> Command {
    let mut cmd = Command::from_std(cmd);
    cmd.timeout(Duration::from_secs(60));
    cmd
}

/// `secmaster workflows COMMAND` against `sim`, with [`TOKEN`], project P
/// and workspace W.
pub fn workflows(dir: &Path, sim: &Simulator, command: &str) -> Command {
    workflows_in(dir, sim, command, WORKSPACE)
}

/// [`workflows`] in another workspace of project P.
pub fn workflows_in(dir: &Path, sim: &Simulator, command: &str, workspace: &str) -> Command {
    with_time_limit(workflows_process_in(dir, sim, command, workspace))
}

/// [`workflows`] as a plain process, for tests that choose its standard
/// streams.
pub fn workflows_process(dir: &Path, sim: &Simulator, command: &str) -> std::process::Command {
    workflows_process_in(dir, sim, command, WORKSPACE)
}

pub fn workflows_process_in(
    dir: &Path,
    sim: &Simulator,
    command: &str,
    workspace: &str,
) -> std::process::Command {
    let mut cmd = secmaster_process(dir);
    cmd.env("SECMASTER_AUTH_TOKEN", TOKEN)
        .args(["workflows", command, "--endpoint"])
        .arg(sim.base_url())
        .args(["--project-id", PROJECT, "--workspace-id", workspace]);
    cmd
}

/// `secmaster workspaces COMMAND` against `sim`, with [`TOKEN`] and
/// project P.
pub fn workspaces(dir: &Path, sim: &Simulator, command: &str) -> Command {
    let mut cmd = secmaster(dir);
    cmd.env("SECMASTER_AUTH_TOKEN", TOKEN)
        .args(["workspaces", command, "--endpoint"])
        .arg(sim.base_url())
        .args(["--project-id", PROJECT]);
    cmd
}

/// `secmaster api` against `sim`, with [`TOKEN`]; the test adds the
/// operation, its arguments and the project and workspace flags.
pub fn api(dir: &Path, sim: &Simulator) -> Command {
    let mut cmd = secmaster(dir);
    cmd.env("SECMASTER_AUTH_TOKEN", TOKEN)
        .args(["api", "--endpoint"])
        .arg(sim.base_url());
    cmd
}

/// `secmaster workflows COMMAND` against `sim` with [`TOKEN`], as `sh -c`
/// runs it after `prefix` (a `ulimit`, say); `args` may redirect. Returns
/// the output and its standard error.
#[cfg(unix)]
pub fn workflows_in_shell(
    dir: &Path,
    sim: &Simulator,
    prefix: &str,
    command: &str,
    args: &str,
) -> (std::process::Output, String) {
    let script = format!(
        "{prefix}exec \"$0\" workflows {command} --endpoint {} --project-id {PROJECT} \
         --workspace-id {WORKSPACE} {args}",
        sim.base_url()
    );
    let output = shell(dir, &script)
        .env("SECMASTER_AUTH_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    (output, stderr)
}

/// `secmaster workflows export` against `sim` (see [`workflows`]).
pub fn export(dir: &Path, sim: &Simulator) -> Command {
    workflows(dir, sim, "export")
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("standard output is UTF-8")
}

/// Runs `cmd`, asserts exit code `code` (showing standard error if not),
/// returns the output and its standard error.
pub fn run(cmd: &mut Command, code: i32) -> (std::process::Output, String) {
    let output = cmd.output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    (output, stderr)
}

/// Runs `cmd`, asserts exit code 0, returns standard output.
pub fn success(cmd: &mut Command) -> String {
    stdout_of(&run(cmd, 0).0)
}

/// The table's rows, split at runs of two or more spaces.
pub fn rows(table: &str) -> Vec<Vec<String>> {
    table
        .lines()
        .map(|line| {
            line.split("  ")
                .map(str::trim)
                .filter(|cell| !cell.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// `secmaster ARGS...` against `sim` as a plain process, with [`TOKEN`] and
/// project P; `args` name the workspace as the command takes it.
pub fn against_process(dir: &Path, sim: &Simulator, args: &[&str]) -> std::process::Command {
    let mut cmd = secmaster_process(dir);
    cmd.env("SECMASTER_AUTH_TOKEN", TOKEN)
        .args(args)
        .arg("--endpoint")
        .arg(sim.base_url())
        .args(["--project-id", PROJECT]);
    cmd
}

/// [`against_process`] with the usual time limit.
pub fn against(dir: &Path, sim: &Simulator, args: &[&str]) -> Command {
    with_time_limit(against_process(dir, sim, args))
}

/// How many requests of `operation` reached the simulator.
pub fn sent(sim: &Simulator, operation: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some(operation))
        .count()
}

/// Waits (at most 30 s) until the simulator has seen `count` requests of
/// `operation`.
pub fn wait_for(sim: &Simulator, operation: &str, count: usize) {
    let started = std::time::Instant::now();
    while sent(sim, operation) < count {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{operation}: {} of {count} requests after 30 s",
            sent(sim, operation)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The names of a workspace's workflows, sorted.
pub fn names_in(sim: &Simulator, workspace: &str) -> Vec<String> {
    let mut names: Vec<String> = sim
        .workflows(PROJECT, workspace)
        .into_iter()
        .map(|w| w.name)
        .collect();
    names.sort();
    names
}

/// `cmd` started through `env --default-signal=INT,TERM`. A test run as a
/// background job of a script inherits SIGINT ignored (POSIX shells do
/// that), and secmaster keeps a signal its parent ignored ignored: the
/// signal a test sends would be lost. Stdio settings are not carried over.
pub fn with_default_signals(cmd: &std::process::Command) -> std::process::Command {
    let mut env = std::process::Command::new("env");
    env.arg("--default-signal=INT,TERM")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (name, value) in cmd.get_envs() {
        match value {
            Some(value) => env.env(name, value),
            None => env.env_remove(name),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        env.current_dir(dir);
    }
    env
}

/// Waits (up to 30 s) until `ready`, lets `settle` pass, sends `signal`
/// (`INT`, `TERM`) to `child` and waits (up to 30 s) for it to end.
pub fn interrupt_when(
    mut child: std::process::Child,
    ready: impl Fn() -> bool,
    not_ready: &str,
    settle: Duration,
    signal: &str,
) -> std::process::Output {
    let started = std::time::Instant::now();
    while !ready() {
        assert!(started.elapsed() < Duration::from_secs(30), "{not_ready}");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(settle);
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let sent = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if sent.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("still running 30 s after SIG{signal}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}
