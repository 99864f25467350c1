//! `cargo xtask spec [--spec <path>]`: check the OpenAPI document with
//! standard tools and with clients in other languages.
//!
//! 1. Validate and lint it: openapi-spec-validator, Redocly, Spectral (no
//!    errors, no warnings; configs in `spec-checks/`).
//! 2. Probe that it rejects malformed requests (openapi-core).
//! 3. Generate a Python client (openapi-python-client) and a TypeScript client
//!    (openapi-typescript + openapi-fetch, `tsc --noEmit` under strict
//!    settings), call a local recording server with each (a 200 with binary
//!    bytes, a 400 with a JSON error), and validate what they sent.
//! 4. Do the same with Huawei's official Python SDK (AK/SK, fake keys) and
//!    with the Rust client's example; compare the Python and TypeScript
//!    requests with the Rust client's, which is the reference.
//!
//! Tools are installed, pinned, into `.tools/` (ignored by git) on first use
//! and reused while the stamp files say the pinned set is unchanged. A tool
//! that cannot be installed is a failure, never a skip. Every check prints
//! PASS or FAIL with its time; a failing check does not stop the others.
//!
//! Only the standard library is used here: every tool runs as a child
//! process (`std::process::Command`), and the recording server is
//! `spec-checks/recorder.py`, started and stopped by this module.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Inputs of every client call. Values that need percent-encoding on purpose:
// `/` and a space in the project id, a non-ASCII letter in the workspace id.
const PROJECT_ID: &str = "p/1 x";
const WORKSPACE_ID: &str = "w\u{15b}-1"; // "wś-1"
const WORKFLOW_IDS: [&str; 2] = [
    "c19470f3-5eaf-4572-82e8-2ff094495919",
    "0b1c2d3e-4f50-4617-8a9b-c0d1e2f3a4b5",
];
const TOKEN: &str = "FAKE-spec-checks-token.MIIexample+/=";
const FAKE_AK: &str = "HPUAFAKEAK0SPECCHECK1";
const FAKE_SK: &str = "FAKEsecretKEY0specchecks00000000000000001";
const ERROR_CODE: &str = "SecMaster.00000001";
const ERROR_MESSAGE: &str = "bad id";

/// The exact bytes the recorder answers a 200 with: not UTF-8, every byte value.
fn file_bytes() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04 exported workflows \xe2\x9c\x93\r\n".to_vec();
    bytes.extend(0u8..=255);
    bytes
}

fn error_body() -> String {
    format!(r#"{{"code":"{ERROR_CODE}","message":"{ERROR_MESSAGE}"}}"#)
}

#[derive(Clone, Copy)]
enum Scenario {
    /// 200, application/octet-stream, `file_bytes()`.
    File,
    /// 400, application/json, `error_body()`.
    Error,
}

impl Scenario {
    const BOTH: [Scenario; 2] = [Scenario::File, Scenario::Error];

    fn name(self) -> &'static str {
        match self {
            Scenario::File => "200",
            Scenario::Error => "400",
        }
    }

    fn recorder_args(self) -> Vec<String> {
        match self {
            Scenario::File => vec![
                "--status".into(),
                "200".into(),
                "--content-type".into(),
                "application/octet-stream".into(),
                "--body-hex".into(),
                hex(&file_bytes()),
            ],
            Scenario::Error => vec![
                "--status".into(),
                "400".into(),
                "--content-type".into(),
                "application/json".into(),
                "--body-text".into(),
                error_body(),
            ],
        }
    }

    /// What the drivers must get back (they all take the same flags).
    fn expect_args(self) -> Vec<String> {
        match self {
            Scenario::File => vec![
                "--expect-status".into(),
                "200".into(),
                "--expect-body-hex".into(),
                hex(&file_bytes()),
            ],
            Scenario::Error => vec![
                "--expect-status".into(),
                "400".into(),
                "--expect-code".into(),
                ERROR_CODE.into(),
                "--expect-message".into(),
                ERROR_MESSAGE.into(),
            ],
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn call_args() -> Vec<String> {
    let mut args = vec![
        "--project-id".to_string(),
        PROJECT_ID.to_string(),
        "--workspace-id".to_string(),
        WORKSPACE_ID.to_string(),
    ];
    for id in WORKFLOW_IDS {
        args.push("--id".into());
        args.push(id.into());
    }
    args
}

// ---------------------------------------------------------------------------
// Layout

const VENV_LINT: &str = "venv-lint";
const VENV_CLIENTS: &str = "venv-clients";
const VENV_SDK: &str = "venv-sdk";
/// (venv folder, requirements file in spec-checks/)
const VENVS: [(&str, &str); 3] = [
    (VENV_LINT, "requirements-lint.txt"),
    (VENV_CLIENTS, "requirements-clients.txt"),
    (VENV_SDK, "requirements-sdk.txt"),
];
const NODE_BINS: [&str; 4] = ["redocly", "spectral", "openapi-typescript", "tsc"];
/// Names fixed by spec-checks/openapi-python-client.yaml.
const PY_PROJECT: &str = "secmaster-export-client";
const PY_PACKAGE: &str = "secmaster_export_client";
const RUST_EXAMPLE: &str = "client/examples/export.rs";

const INSTALL_TIMEOUT: Duration = Duration::from_secs(15 * 60);
const TOOL_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const CALL_TIMEOUT: Duration = Duration::from_secs(90);
const CARGO_TIMEOUT: Duration = Duration::from_secs(30 * 60);

struct Ctx {
    root: PathBuf,
    spec: PathBuf,
    checks: PathBuf,
    tools: PathBuf,
    run: PathBuf,
}

impl Ctx {
    fn venv_bin(&self, venv: &str, program: &str) -> PathBuf {
        self.tools.join(venv).join("bin").join(program)
    }
    fn py(&self, venv: &str) -> PathBuf {
        self.venv_bin(venv, "python")
    }
    fn node_dir(&self) -> PathBuf {
        self.tools.join("node")
    }
    fn node_bin(&self, program: &str) -> PathBuf {
        self.node_dir()
            .join("node_modules")
            .join(".bin")
            .join(program)
    }
    fn script(&self, name: &str) -> PathBuf {
        self.checks.join(name)
    }
    fn record(&self, label: &str, scenario: Scenario) -> PathBuf {
        self.run.join(format!("{label}-{}.jsonl", scenario.name()))
    }
}

// ---------------------------------------------------------------------------
// Entry point

pub fn run(root: &Path, spec: &Path) -> Result<(), String> {
    let started = Instant::now();
    let spec = if spec.is_absolute() {
        spec.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?
            .join(spec)
    };
    if !spec.is_file() {
        return Err(format!("{}: no such file", spec.display()));
    }
    let ctx = Ctx {
        root: root.to_path_buf(),
        spec,
        checks: root.join("spec-checks"),
        tools: root.join(".tools"),
        run: root.join(".tools").join("run"),
    };
    println!("spec checks for {}", ctx.spec.display());
    let _ = fs::remove_dir_all(&ctx.run);
    fs::create_dir_all(&ctx.run).map_err(|e| format!("{}: {e}", ctx.run.display()))?;

    let mut report = Report::default();

    // The two installs are independent and mostly wait on the network: run
    // them side by side.
    let (python, node) = thread::scope(|s| {
        let p = s.spawn(|| timed(|| install_python(&ctx)));
        let n = s.spawn(|| timed(|| install_node(&ctx)));
        (
            p.join().unwrap_or_else(|_| (Err("panicked".into()), 0.0)),
            n.join().unwrap_or_else(|_| (Err("panicked".into()), 0.0)),
        )
    });
    let py_ok = report.add("install: Python tools (.tools/venv-*)", python);
    let node_ok = report.add("install: Node tools (.tools/node)", node);

    let need_py = [("install: Python tools", py_ok)];
    let need_node = [("install: Node tools", node_ok)];

    report.check("validate: openapi-spec-validator 0.9.0", &need_py, || {
        check_spec_validator(&ctx)
    });
    report.check(
        "lint: redocly 2.77.0 (spec-checks/redocly.yaml)",
        &need_node,
        || check_redocly(&ctx),
    );
    report.check(
        "lint: spectral 6.16.3 (spec-checks/.spectral.yaml)",
        &need_node,
        || check_spectral(&ctx),
    );
    report.check(
        "document: rejects malformed requests (openapi-core)",
        &need_py,
        || check_probes(&ctx),
    );
    let rust_ok = report.check("rust client: example's request validates", &need_py, || {
        check_rust(&ctx)
    });
    let py_gen_ok = report.check(
        "python client: generate (openapi-python-client 0.29.1)",
        &need_py,
        || generate_python(&ctx),
    );
    report.check(
        "python client: generated project is installable (version, dependencies)",
        &[("python client: generate", py_gen_ok)],
        || check_python_project(&ctx),
    );
    let py_calls_ok = report.check(
        "python client: 200 bytes + 400 error, requests validate",
        &[("python client: generate", py_gen_ok)],
        || calls_python(&ctx),
    );
    let ts_gen_ok = report.check(
        "typescript client: generate + tsc --noEmit (strict) + compile",
        &[("install: Node tools", node_ok)],
        || generate_typescript(&ctx),
    );
    let ts_calls_ok = report.check(
        "typescript client: 200 bytes + 400 error, requests validate",
        &[
            ("typescript client: generate", ts_gen_ok),
            ("install: Python tools", py_ok),
        ],
        || calls_typescript(&ctx),
    );
    report.check(
        "official SDK: 200 bytes + 400 error, request validates",
        &need_py,
        || calls_sdk(&ctx),
    );
    report.check(
        "compare: python and typescript requests equal the Rust client's",
        &[
            ("rust client", rust_ok),
            ("python client calls", py_calls_ok),
            ("typescript client calls", ts_calls_ok),
        ],
        || compare_with_rust(&ctx),
    );

    report.finish(started)
}

// ---------------------------------------------------------------------------
// Reporting

#[derive(Default)]
struct Report {
    passed: Vec<String>,
    failed: Vec<String>,
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let r = f();
    (r, t.elapsed().as_secs_f64())
}

impl Report {
    /// Runs `f` unless a check it depends on failed (which is a failure too).
    fn check(
        &mut self,
        name: &str,
        needs: &[(&str, bool)],
        f: impl FnOnce() -> Result<String, String>,
    ) -> bool {
        let missing: Vec<&str> = needs
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            let why = format!("not run: needs {}, which failed", missing.join(", "));
            return self.add(name, (Err(why), 0.0));
        }
        let result = timed(f);
        self.add(name, result)
    }

    fn add(&mut self, name: &str, (result, secs): (Result<String, String>, f64)) -> bool {
        match result {
            Ok(notes) => {
                println!("PASS  {name}  ({secs:.1}s)");
                print_indented(&notes);
                self.passed.push(name.to_string());
                true
            }
            Err(detail) => {
                println!("FAIL  {name}  ({secs:.1}s)");
                print_indented(&detail);
                self.failed.push(name.to_string());
                false
            }
        }
    }

    fn finish(self, started: Instant) -> Result<(), String> {
        let total = started.elapsed().as_secs_f64();
        println!();
        println!("total time {total:.1}s");
        println!(
            "spec: {} passed, {} failed",
            self.passed.len(),
            self.failed.len()
        );
        if self.failed.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{} spec check(s) failed:\n  - {}",
                self.failed.len(),
                self.failed.join("\n  - ")
            ))
        }
    }
}

fn print_indented(text: &str) {
    const MAX_LINES: usize = 120;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let skip = lines.len().saturating_sub(MAX_LINES);
    if skip > 0 {
        println!("      ... ({skip} earlier lines not shown)");
    }
    for line in &lines[skip..] {
        println!("      {line}");
    }
}

// ---------------------------------------------------------------------------
// Processes

struct Output {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Output {
    fn both(&self) -> String {
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

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.len() > 80 {
            let _ = write!(
                s,
                " {}...",
                &a[..a.char_indices().nth(60).map_or(a.len(), |(i, _)| i)]
            );
        } else if a.contains(' ') || a.is_empty() {
            let _ = write!(s, " '{a}'");
        } else {
            let _ = write!(s, " {a}");
        }
    }
    s
}

/// Runs a command to completion (stdin closed, output captured), killing it
/// after `timeout`.
fn run_cmd(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
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
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                let text = format!("{}{}", join(out), join(err));
                return Err(format!(
                    "`{what}` did not finish within {}s and was stopped\n{text}",
                    timeout.as_secs()
                ));
            }
            Ok(None) => thread::sleep(Duration::from_millis(25)),
            Err(e) => return Err(format!("`{what}`: {e}")),
        }
    };
    Ok(Output {
        status,
        stdout: join(out),
        stderr: join(err),
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> Option<thread::JoinHandle<Vec<u8>>> {
    pipe.map(|mut p| {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = p.read_to_end(&mut buf);
            buf
        })
    })
}

fn join(handle: Option<thread::JoinHandle<Vec<u8>>>) -> String {
    handle
        .and_then(|h| h.join().ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// Runs a command and requires exit status 0.
fn run_ok(cmd: &mut Command, timeout: Duration) -> Result<Output, String> {
    let what = describe(cmd);
    let out = run_cmd(cmd, timeout)?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!("`{what}` failed ({}):\n{}", out.status, out.both()))
    }
}

/// A command for traffic to 127.0.0.1 only: no proxies, no stray SDK
/// configuration, no bytecode files written next to spec-checks/*.py.
fn local_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
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
    cmd
}

fn read_notes(out: &Output) -> String {
    out.stdout
        .lines()
        .filter(|l| l.starts_with("NOTE:") || l.starts_with("KNOWN DIFFERENCE:"))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// Recording server

struct Recorder {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

impl Recorder {
    fn start(ctx: &Ctx, scenario: Scenario, record: &Path) -> Result<Recorder, String> {
        let _ = fs::remove_file(record);
        let log = record.with_extension("recorder.log");
        let log_file = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut cmd = local_command(ctx.py(VENV_CLIENTS));
        cmd.arg("-u")
            .arg(ctx.script("recorder.py"))
            .arg("--record")
            .arg(record)
            .args(scenario.recorder_args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file));
        let mut child = cmd
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
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
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

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Closing its stdin tells the recorder to stop; kill it if it lingers.
    fn stop(mut self) {
        drop(self.stdin.take());
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
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

/// Starts a recorder for `scenario`, runs the command that `make` builds for
/// its base URL, stops the recorder. Returns the command's NOTE lines.
fn call_recorded(
    ctx: &Ctx,
    scenario: Scenario,
    record: &Path,
    make: impl FnOnce(&str) -> Command,
) -> Result<String, String> {
    let recorder = Recorder::start(ctx, scenario, record)?;
    let mut cmd = make(&recorder.base_url());
    let result = run_ok(&mut cmd, CALL_TIMEOUT);
    recorder.stop();
    let out = result?;
    Ok(read_notes(&out))
}

/// Like `call_recorded`, but any exit status is returned to the caller.
fn call_recorded_raw(
    ctx: &Ctx,
    scenario: Scenario,
    record: &Path,
    make: impl FnOnce(&str) -> Command,
) -> Result<(String, Output), String> {
    let recorder = Recorder::start(ctx, scenario, record)?;
    let mut cmd = make(&recorder.base_url());
    let what = describe(&cmd);
    let result = run_cmd(&mut cmd, CALL_TIMEOUT);
    recorder.stop();
    Ok((what, result?))
}

// ---------------------------------------------------------------------------
// Installs

fn stamp_matches(stamp: &Path, want: &str) -> bool {
    fs::read_to_string(stamp).is_ok_and(|have| have == want)
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Finds a Python >= 3.10 (3.11 is what the pins were resolved with):
/// $SPEC_CHECKS_PYTHON, python3.11, python3.
fn find_python() -> Result<(String, String), String> {
    let mut candidates = Vec::new();
    if let Ok(p) = std::env::var("SPEC_CHECKS_PYTHON") {
        candidates.push(p);
    }
    candidates.push("python3.11".into());
    candidates.push("python3".into());
    let mut tried = Vec::new();
    for c in &candidates {
        let out = Command::new(c)
            .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
            .output();
        match out {
            Ok(o) if o.status.success() => {
                let version = String::from_utf8_lossy(&o.stdout).trim().to_string();
                let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
                let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
                if (major, minor) >= (3, 10) {
                    return Ok((c.clone(), version));
                }
                tried.push(format!("{c} is {version}"));
            }
            Ok(o) => tried.push(format!("{c}: {}", o.status)),
            Err(e) => tried.push(format!("{c}: {e}")),
        }
    }
    Err(format!(
        "no Python >= 3.10 found ({}). Install Python 3.11 with venv support \
         (Debian: apt-get install python3 python3-venv) or set SPEC_CHECKS_PYTHON.",
        tried.join("; ")
    ))
}

fn install_python(ctx: &Ctx) -> Result<String, String> {
    let (python, version) = find_python()?;
    let mut want = format!("python {version}\n");
    for (venv, req) in VENVS {
        let _ = write!(want, "== {venv} <- {req}\n{}", read(&ctx.checks.join(req))?);
    }
    let stamp = ctx.tools.join("stamps").join("python.txt");
    if stamp_matches(&stamp, &want) && VENVS.iter().all(|(v, _)| ctx.py(v).is_file()) {
        return Ok(format!(
            "reused (pins unchanged; stamp {})",
            rel(ctx, &stamp)
        ));
    }
    let _ = fs::remove_file(&stamp);
    fs::create_dir_all(stamp.parent().unwrap_or(&ctx.tools)).map_err(|e| e.to_string())?;
    // Three venvs in parallel: pip spends much of its time waiting.
    let results: Vec<Result<(), String>> = thread::scope(|s| {
        let handles: Vec<_> = VENVS
            .iter()
            .map(|(venv, req)| {
                let python = python.clone();
                s.spawn(move || make_venv(ctx, &python, venv, req))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
            .collect()
    });
    let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    fs::write(&stamp, want).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(format!(
        "installed with {python} {version}: {}",
        VENVS
            .iter()
            .map(|(v, r)| format!(".tools/{v} <- spec-checks/{r}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn make_venv(ctx: &Ctx, python: &str, venv: &str, req: &str) -> Result<(), String> {
    let dir = ctx.tools.join(venv);
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    run_ok(
        Command::new(python).arg("-m").arg("venv").arg(&dir),
        INSTALL_TIMEOUT,
    )
    .map_err(|e| {
        format!(
            "cannot create {}: {e}\n(Debian: apt-get install python3-venv)",
            dir.display()
        )
    })?;
    run_ok(
        Command::new(ctx.py(venv))
            .args([
                "-m",
                "pip",
                "install",
                "--no-input",
                "--disable-pip-version-check",
                "-q",
                "-r",
            ])
            .arg(ctx.checks.join(req))
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        INSTALL_TIMEOUT,
    )
    .map_err(|e| format!("cannot install spec-checks/{req} into .tools/{venv}: {e}"))?;
    Ok(())
}

fn tool_version(program: &str) -> Result<String, String> {
    let out = run_ok(Command::new(program).arg("--version"), TOOL_TIMEOUT)
        .map_err(|e| format!("{program} is needed: {e}"))?;
    Ok(out.stdout.trim().to_string())
}

fn install_node(ctx: &Ctx) -> Result<String, String> {
    let node = tool_version("node")?;
    let major: u32 = node
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 20 {
        return Err(format!("Node.js >= 20 is needed, found {node}"));
    }
    let npm = tool_version("npm")?;
    let package = read(&ctx.checks.join("package.json"))?;
    let lock = read(&ctx.checks.join("package-lock.json"))?;
    let want =
        format!("node {node} npm {npm}\n== package.json\n{package}== package-lock.json\n{lock}");
    let stamp = ctx.tools.join("stamps").join("node.txt");
    if stamp_matches(&stamp, &want) && NODE_BINS.iter().all(|b| ctx.node_bin(b).exists()) {
        return Ok(format!(
            "reused (lockfile unchanged; stamp {})",
            rel(ctx, &stamp)
        ));
    }
    let _ = fs::remove_file(&stamp);
    fs::create_dir_all(stamp.parent().unwrap_or(&ctx.tools)).map_err(|e| e.to_string())?;
    let dir = ctx.node_dir();
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for f in ["package.json", "package-lock.json"] {
        fs::copy(ctx.checks.join(f), dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    // --ignore-scripts: none of these tools needs an install script (the only
    // one in the tree is an analytics ping).
    run_ok(
        Command::new("npm")
            .args([
                "ci",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ])
            .current_dir(&dir),
        INSTALL_TIMEOUT,
    )
    .map_err(|e| format!("cannot install spec-checks/package-lock.json into .tools/node: {e}"))?;
    let missing: Vec<&str> = NODE_BINS
        .iter()
        .copied()
        .filter(|b| !ctx.node_bin(b).exists())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "npm ci finished but these tools are missing: {missing:?}"
        ));
    }
    fs::write(&stamp, want).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(format!(
        "installed with node {node}, npm {npm}: .tools/node <- spec-checks/package-lock.json"
    ))
}

fn rel(ctx: &Ctx, path: &Path) -> String {
    path.strip_prefix(&ctx.root)
        .unwrap_or(path)
        .display()
        .to_string()
}

// ---------------------------------------------------------------------------
// Validate and lint

fn check_spec_validator(ctx: &Ctx) -> Result<String, String> {
    let out = run_ok(
        local_command(ctx.venv_bin(VENV_LINT, "openapi-spec-validator")).arg(&ctx.spec),
        TOOL_TIMEOUT,
    )?;
    if !out.stdout.trim_end().ends_with(": OK") || !out.stderr.trim().is_empty() {
        return Err(format!(
            "unexpected output (errors or warnings):\n{}",
            out.both()
        ));
    }
    Ok(String::new())
}

fn node_tool(ctx: &Ctx, program: &str) -> Command {
    let mut cmd = local_command(ctx.node_bin(program));
    cmd.env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .env("NO_UPDATE_NOTIFIER", "1")
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0");
    cmd
}

fn check_redocly(ctx: &Ctx) -> Result<String, String> {
    let out = run_cmd(
        node_tool(ctx, "redocly")
            .arg("lint")
            .arg("--config")
            .arg(ctx.script("redocly.yaml"))
            .arg("--lint-config")
            .arg("error")
            .arg(&ctx.spec)
            .current_dir(&ctx.checks),
        TOOL_TIMEOUT,
    )?;
    let text = without_banner(&out.both());
    // Every rule is an error in this config, but a warning must fail even if
    // someone sets one to `warn`: Redocly exits 0 on warnings and then says
    // "You have N warning(s)" or "... with N errors and N warnings".
    let warned = text.lines().any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words.windows(2).any(|w| {
            w[0].chars().all(|c| c.is_ascii_digit())
                && w[1].to_ascii_lowercase().starts_with("warning")
        })
    });
    if !out.status.success() || warned || !text.contains("Your API description is valid") {
        return Err(text);
    }
    Ok(String::new())
}

/// Redocly 2.77 prints a boxed "Node.js 20 support is ending" banner on
/// every run; it is about the runtime, not the document.
fn without_banner(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains('║') && !l.contains('╔') && !l.contains('╚'))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_spectral(ctx: &Ctx) -> Result<String, String> {
    let out = run_cmd(
        node_tool(ctx, "spectral")
            .arg("lint")
            .arg("--ruleset")
            .arg(ctx.script(".spectral.yaml"))
            .arg("--fail-severity")
            .arg("hint")
            .arg(&ctx.spec)
            .current_dir(&ctx.checks),
        TOOL_TIMEOUT,
    )?;
    if !out.status.success()
        || !out
            .stdout
            .contains("No results with a severity of 'hint' or higher found")
    {
        return Err(out.both());
    }
    Ok(String::new())
}

fn check_probes(ctx: &Ctx) -> Result<String, String> {
    let out = run_ok(
        local_command(ctx.py(VENV_CLIENTS))
            .arg(ctx.script("validate.py"))
            .arg("probes")
            .arg("--spec")
            .arg(&ctx.spec),
        TOOL_TIMEOUT,
    )?;
    Ok(read_notes(&out))
}

/// `validate.py requests` over the recordings of one client.
fn validate_requests(
    ctx: &Ctx,
    label: &str,
    auth: &[&str],
    extra: &[&str],
) -> Result<String, String> {
    let mut cmd = local_command(ctx.py(VENV_CLIENTS));
    cmd.arg(ctx.script("validate.py"))
        .arg("requests")
        .arg("--spec")
        .arg(&ctx.spec)
        .arg("--label")
        .arg(label);
    for scenario in Scenario::BOTH {
        let record = ctx.record(label, scenario);
        if record.exists() {
            cmd.arg("--record").arg(record);
        }
    }
    cmd.args(call_args()).args(auth).args(extra);
    let out = run_ok(&mut cmd, TOOL_TIMEOUT)?;
    Ok(read_notes(&out))
}

fn join_notes(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------
// Python client

/// The generated project (pyproject.toml + the package folder).
fn py_project_dir(ctx: &Ctx) -> PathBuf {
    ctx.tools.join("gen").join("python").join(PY_PROJECT)
}

fn generate_python(ctx: &Ctx) -> Result<String, String> {
    let base = ctx.tools.join("gen").join("python");
    let _ = fs::remove_dir_all(&base);
    fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
    // ruff (in the same venv) formats the output; it must be on PATH or the
    // generator warns, and warnings fail here.
    let path = std::env::join_paths(
        std::iter::once(ctx.tools.join(VENV_CLIENTS).join("bin")).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .map_err(|e| e.to_string())?;
    // `--meta uv`: a whole project (pyproject.toml), as a user would generate it.
    run_ok(
        local_command(ctx.venv_bin(VENV_CLIENTS, "openapi-python-client"))
            .args([
                "generate",
                "--meta",
                "uv",
                "--overwrite",
                "--fail-on-warning",
            ])
            .arg("--config")
            .arg(ctx.script("openapi-python-client.yaml"))
            .arg("--path")
            .arg(&ctx.spec)
            .arg("--output-path")
            .arg(py_project_dir(ctx))
            .env("PATH", path)
            .current_dir(&base),
        TOOL_TIMEOUT,
    )?;
    if !py_project_dir(ctx).join(PY_PACKAGE).is_dir() {
        return Err(format!("the generator wrote no {PY_PACKAGE} package"));
    }
    Ok(format!("generated {}", rel(ctx, &py_project_dir(ctx))))
}

fn check_python_project(ctx: &Ctx) -> Result<String, String> {
    let out = run_ok(
        local_command(ctx.py(VENV_CLIENTS))
            .arg(ctx.script("validate.py"))
            .arg("pyproject")
            .arg("--pyproject")
            .arg(py_project_dir(ctx).join("pyproject.toml")),
        TOOL_TIMEOUT,
    )?;
    Ok(read_notes(&out))
}

fn calls_python(ctx: &Ctx) -> Result<String, String> {
    let mut notes = Vec::new();
    for scenario in Scenario::BOTH {
        notes.push(call_recorded(
            ctx,
            scenario,
            &ctx.record("python", scenario),
            |base_url| {
                let mut cmd = local_command(ctx.py(VENV_CLIENTS));
                cmd.arg(ctx.script("drive_python.py"))
                    .arg("--client-dir")
                    .arg(py_project_dir(ctx))
                    .arg("--package")
                    .arg(PY_PACKAGE)
                    .arg("--base-url")
                    .arg(base_url)
                    .arg("--token")
                    .arg(TOKEN)
                    .args(call_args())
                    .args(scenario.expect_args());
                cmd
            },
        )?);
    }
    notes.push(validate_requests(ctx, "python", &["--token", TOKEN], &[])?);
    Ok(join_notes(&notes))
}

// ---------------------------------------------------------------------------
// TypeScript client

fn ts_dir(ctx: &Ctx) -> PathBuf {
    // Inside .tools/node so that both tsc and node resolve node_modules.
    ctx.node_dir().join("gen")
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn generate_typescript(ctx: &Ctx) -> Result<String, String> {
    let dir = ts_dir(ctx);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let write = |name: &str, text: &str| {
        fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"))
    };
    write(
        "package.json",
        "{ \"private\": true, \"type\": \"module\" }\n",
    )?;
    write(
        "tsconfig.json",
        &format!(
            "{{\n  \"extends\": {},\n  \"files\": [\"export.ts\"],\n  \"compilerOptions\": {{ \"rootDir\": \".\", \"outDir\": \"out\" }}\n}}\n",
            json_string(&ctx.script("tsconfig.json").to_string_lossy())
        ),
    )?;
    fs::copy(
        ctx.checks.join("ts").join("export.ts"),
        dir.join("export.ts"),
    )
    .map_err(|e| format!("spec-checks/ts/export.ts: {e}"))?;
    run_ok(
        node_tool(ctx, "openapi-typescript")
            .arg(&ctx.spec)
            .arg("--output")
            .arg(dir.join("schema.d.ts"))
            .current_dir(&dir),
        TOOL_TIMEOUT,
    )?;
    run_ok(
        node_tool(ctx, "tsc")
            .args(["--project", "tsconfig.json", "--noEmit"])
            .current_dir(&dir),
        TOOL_TIMEOUT,
    )
    .map_err(|e| format!("type check failed: {e}"))?;
    // Types were checked just above: emit without checking them again.
    run_ok(
        node_tool(ctx, "tsc")
            .args(["--project", "tsconfig.json", "--noCheck"])
            .current_dir(&dir),
        TOOL_TIMEOUT,
    )?;
    if !dir.join("out").join("export.js").is_file() {
        return Err("tsc wrote no out/export.js".into());
    }
    Ok(format!(
        "generated {}/schema.d.ts; spec-checks/ts/export.ts type-checks under spec-checks/tsconfig.json",
        rel(ctx, &dir)
    ))
}

fn calls_typescript(ctx: &Ctx) -> Result<String, String> {
    let script = ts_dir(ctx).join("out").join("export.js");
    let mut notes = Vec::new();
    for scenario in Scenario::BOTH {
        notes.push(call_recorded(
            ctx,
            scenario,
            &ctx.record("typescript", scenario),
            |base_url| {
                let mut cmd = local_command("node");
                cmd.arg(&script)
                    .arg("--base-url")
                    .arg(base_url)
                    .arg("--token")
                    .arg(TOKEN)
                    .args(call_args())
                    .args(scenario.expect_args());
                cmd
            },
        )?);
    }
    notes.push(validate_requests(
        ctx,
        "typescript",
        &["--token", TOKEN],
        &[],
    )?);
    Ok(join_notes(&notes))
}

// ---------------------------------------------------------------------------
// Official SDK

fn calls_sdk(ctx: &Ctx) -> Result<String, String> {
    // Importing the SDK writes $HOME/.huaweicloud/: give it a throw-away HOME.
    let home = std::env::temp_dir().join(format!("secmaster-spec-sdk-home-{}", std::process::id()));
    let _ = fs::remove_dir_all(&home);
    fs::create_dir_all(&home).map_err(|e| format!("{}: {e}", home.display()))?;
    let result = (|| {
        let mut notes = Vec::new();
        for scenario in Scenario::BOTH {
            notes.push(call_recorded(
                ctx,
                scenario,
                &ctx.record("sdk", scenario),
                |base_url| {
                    let mut cmd = local_command(ctx.py(VENV_SDK));
                    cmd.arg(ctx.script("drive_sdk.py"))
                        .arg("--endpoint")
                        .arg(base_url)
                        .args(["--ak", FAKE_AK, "--sk", FAKE_SK])
                        .args(call_args())
                        .args(scenario.expect_args())
                        .env("HOME", &home)
                        .env("SPEC_CHECKS_THROWAWAY_HOME", &home);
                    cmd
                },
            )?);
        }
        notes.push(validate_requests(
            ctx,
            "sdk",
            &["--aksk-access", FAKE_AK],
            &["--sdk-content-type-known-difference"],
        )?);
        Ok(join_notes(&notes))
    })();
    let _ = fs::remove_dir_all(&home);
    result
}

// ---------------------------------------------------------------------------
// Rust client (the reference)

fn check_rust(ctx: &Ctx) -> Result<String, String> {
    if !ctx.root.join(RUST_EXAMPLE).is_file() {
        return Err(format!(
            "{RUST_EXAMPLE} does not exist, so the Rust client's request cannot be captured"
        ));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Build first, with a timeout that allows for a cold build; the recorded
    // `cargo run` calls below then only run the example.
    // (Not `local_command`: a cold build may have to fetch crates through a
    // proxy.)
    run_ok(
        Command::new(&cargo)
            .args([
                "build",
                "-q",
                "-p",
                "secmaster-client",
                "--example",
                "export",
            ])
            .current_dir(&ctx.root),
        CARGO_TIMEOUT,
    )?;
    let mut notes = Vec::new();
    for scenario in Scenario::BOTH {
        let output = ctx.run.join(format!("rust-export-{}.bin", scenario.name()));
        let _ = fs::remove_file(&output);
        let (what, out) =
            call_recorded_raw(ctx, scenario, &ctx.record("rust", scenario), |base_url| {
                let mut cmd = local_command(&cargo);
                cmd.args([
                    "run",
                    "-q",
                    "-p",
                    "secmaster-client",
                    "--example",
                    "export",
                    "--",
                ])
                .arg(PROJECT_ID)
                .arg(WORKSPACE_ID)
                .arg(&output)
                .args(WORKFLOW_IDS)
                .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
                .env("HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4", base_url)
                .env("SECMASTER_AUTH_TOKEN", TOKEN)
                .current_dir(&ctx.root);
                cmd
            })?;
        match scenario {
            Scenario::File => {
                if !out.status.success() {
                    return Err(format!(
                        "`{what}` failed ({}) on a 200:\n{}",
                        out.status,
                        out.both()
                    ));
                }
                let got = fs::read(&output)
                    .map_err(|e| format!("the example wrote no {}: {e}", output.display()))?;
                if got != file_bytes() {
                    return Err(format!(
                        "the example wrote {} bytes that differ from the {} bytes served",
                        got.len(),
                        file_bytes().len()
                    ));
                }
                notes.push(format!(
                    "NOTE: the example wrote the {} exact bytes served",
                    got.len()
                ));
            }
            Scenario::Error => {
                if out.status.success()
                    || !out.stderr.contains(ERROR_CODE)
                    || !out.stderr.contains(ERROR_MESSAGE)
                {
                    return Err(format!(
                        "on a 400 the example must fail and report code {ERROR_CODE} and message {ERROR_MESSAGE:?}; \
                         it exited with {}:\n{}",
                        out.status,
                        out.both()
                    ));
                }
                if output.exists() {
                    return Err(format!("the example wrote {} on a 400", output.display()));
                }
                notes.push(format!(
                    "NOTE: the example failed on the 400 with: {}",
                    out.stderr.trim()
                ));
            }
        }
    }
    notes.push(validate_requests(ctx, "rust", &["--token", TOKEN], &[])?);
    Ok(join_notes(&notes))
}

fn compare_with_rust(ctx: &Ctx) -> Result<String, String> {
    // The Rust client's request from the 200 call is the reference; it
    // makes the same request in its 400 call (both validated in check_rust).
    let reference = ctx.record("rust", Scenario::File);
    let reference = reference.to_string_lossy();
    let mut notes = Vec::new();
    for label in ["python", "typescript"] {
        notes.push(validate_requests(
            ctx,
            label,
            &["--token", TOKEN],
            &["--reference", &reference],
        )?);
    }
    Ok(join_notes(&notes))
}
