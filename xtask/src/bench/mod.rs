//! `cargo xtask bench` and `cargo xtask bench --quick`.
//!
//! Builds the release binaries, then measures against local servers
//! (`server`: `bench-server` for the exports, `secmaster-sim` for the rest),
//! each contender in turn (A B C A B C ...), after a warm-up round:
//!
//! 1. one export of 1 MiB, 64 MiB and 1 GiB, to a file (flushed to disk) and
//!    to /dev/null: `secmaster workflows export` against curl (the
//!    reference) and the official Python SDK; wall time and peak RSS
//!    (`export`);
//! 2. 200 sequential 1 KiB exports in one process through one client
//!    (keep-alive): `bench-loop` against the official SDK (`loops`);
//! 3. signing one export request: `cargo bench --bench signing` against the
//!    SDK's `Signer.sign` (`signing`);
//! 4. `xtask gen` on a warm build, and 5. a clean release build of
//!    secmaster-client against bench/bare-reqwest with their crate counts
//!    (`builds`);
//! 6. listing 1,000 workflows at 30 ms per page, one page at a time against
//!    the pager's default concurrency (`paging`);
//! 7. the peak RSS of importing a 16 MiB and a 1 GiB file (`import`);
//! 8. `secmaster backup create` and `secmaster restore` of 1,000 workflows
//!    at 30 ms a request, beside the ideal (requests ÷ 4 × latency) and the
//!    official SDK doing the same one request at a time (`backup`).
//!
//! It prints Markdown tables (also saved as `target/bench-report.md`,
//! `report`) and fails when a contender fails or delivers a wrong byte
//! count; timings are reported against the targets but never fail the run.
//!
//! `--quick` (what CI runs, so the harness cannot rot): 1 MiB exports, a
//! 16 MiB import and a backup and restore of 50 workflows only, one run of
//! each and no warm-up, no clean builds, and the SDK only if its venv
//! exists or can be made within a few minutes.
//!
//! The SDK is the one venv of the workspace, `.tools/sdk-venv` from
//! `spec-checks/requirements-sdk.txt` (`crate::venv`, shared with `cargo
//! xtask spec`); it runs with HOME pointing at a scratch directory because
//! importing it writes `$HOME/.huaweicloud`. Every child process goes
//! through `crate::process` (`runs`).

mod backup;
mod builds;
mod export;
mod import;
mod loops;
mod paging;
mod report;
mod runs;
mod server;
mod signing;
mod stats;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::process::capture_success;
use crate::venv::{self, Places};
use report::{Report, date, loadavg, machine};
use runs::{BUILD_LIMIT, cargo};

pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
pub const WORKSPACE: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
pub const TOKEN: &str = "bench-fake-iam-token";
pub const AK: &str = "HPUAFAKEAK0EXAMPLE01";
pub const SK: &str = "FAKEsecretKEY0example0000000000000000000001";
const MIB: u64 = 1 << 20;
/// Built together, so that the signing benchmark (which selects them too)
/// reuses every artifact.
pub const RELEASE_PACKAGES: [&str; 6] = [
    "-p",
    "secmaster-cli",
    "-p",
    "secmaster-bench",
    "-p",
    "secmaster-sim",
];
/// How long quick mode waits for the SDK's venv to be made.
const QUICK_VENV_LIMIT: Duration = Duration::from_secs(180);
const VENV_LIMIT: Duration = Duration::from_secs(15 * 60);
/// The venv of earlier versions of this harness; removed when seen.
const OLD_VENV: &str = "bench-venv";

/// Run counts and sizes.
pub struct Plan {
    pub quick: bool,
    pub warmups: usize,
    pub runs: usize,
    pub sizes: Vec<u64>,
    pub import_sizes: Vec<u64>,
    /// Workflows backed up and restored (section 8).
    pub backup_workflows: u64,
}

impl Plan {
    fn new(quick: bool) -> Self {
        if quick {
            Plan {
                quick,
                warmups: 0,
                runs: 1,
                sizes: vec![MIB],
                import_sizes: vec![16 * MIB],
                backup_workflows: 50,
            }
        } else {
            Plan {
                quick,
                warmups: 1,
                runs: 5,
                sizes: vec![MIB, 64 * MIB, 1024 * MIB],
                import_sizes: vec![16 * MIB, 1024 * MIB],
                backup_workflows: 1000,
            }
        }
    }

    /// (warm-up rounds, counted rounds).
    pub fn rounds(&self) -> (usize, usize) {
        (self.warmups, self.runs)
    }
}

/// What the measurements need to know.
pub struct Ctx {
    pub root: PathBuf,
    /// `target/release`.
    pub release: PathBuf,
    pub scratch: PathBuf,
    /// The SDK venv's interpreter; `None` when quick mode skips the SDK.
    pub python: Option<PathBuf>,
    pub plan: Plan,
}

impl Ctx {
    /// A release binary of the workspace.
    pub fn bin(&self, name: &str) -> PathBuf {
        self.release.join(name)
    }
}

pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let started = Instant::now();
    note(if quick {
        "quick mode: 1 MiB exports, a 16 MiB import, 50 workflows backed up and restored, one run each, no clean builds"
    } else {
        "full run: about 30 minutes on 2 cores, most of it ten clean builds"
    });
    runs::preflight()?;
    let load_before = loadavg();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let scratch = target.join("bench-scratch");
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(scratch.join("home"))
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;

    // The SDK's venv (pip, mostly waiting on the network) is made while the
    // release build runs.
    let venv_root = root.to_path_buf();
    let venv_job = std::thread::spawn(move || sdk_python(&venv_root, quick));
    note(
        "building the release binaries (secmaster, secmaster-sim, bench-server, bench-loop, bench-paging)",
    );
    let build_started = Instant::now();
    capture_success(
        cargo(root)
            .args(["build", "--release"])
            .args(RELEASE_PACKAGES),
        BUILD_LIMIT,
    )?;
    let build_secs = build_started.elapsed().as_secs_f64();
    let python = venv_job
        .join()
        .map_err(|_| "making the SDK's venv panicked".to_string())??;

    let ctx = Ctx {
        root: root.to_path_buf(),
        release: target.join("release"),
        scratch,
        python,
        plan: Plan::new(quick),
    };
    let mut report = Report::default();
    report.line(format!(
        "# cargo xtask bench{}\n",
        if quick { " --quick" } else { "" }
    ));
    report.line(format!("- date: {}", date()));
    report.line(format!("- machine: {}", machine()));
    report.line(format!("- load average before: {load_before}"));
    report.line(format!(
        "- runs: {} counted after {} warm-up round(s), contenders alternating; median (min–max)",
        ctx.plan.runs, ctx.plan.warmups
    ));
    if ctx.python.is_none() {
        report.line("- the official SDK was skipped: its venv could not be made");
    }
    report.line("");

    export::bench(&ctx, &mut report)?;
    loops::bench(&ctx, &mut report)?;
    signing::bench(&ctx, &mut report)?;
    builds::gen_bench(&ctx, &mut report)?;
    builds::build_bench(&ctx, &mut report)?;
    paging::bench(&ctx, &mut report)?;
    import::bench(&ctx, &mut report)?;
    backup::bench(&ctx, &mut report)?;

    let footer = format!(
        "- load average after: {}\n- release build before measuring: {build_secs:.0} s; whole run: {:.0} s",
        loadavg(),
        started.elapsed().as_secs_f64()
    );
    let text = report.finish(quick, &footer);
    let _ = fs::remove_dir_all(&ctx.scratch);
    let saved = target.join("bench-report.md");
    let _ = fs::write(&saved, &text);
    println!("{text}");
    note(&format!("report saved as {}", saved.display()));
    Ok(())
}

/// The SDK venv's interpreter, made first if need be; `None` in quick mode
/// when it cannot be had in time (a full run fails instead).
fn sdk_python(root: &Path, quick: bool) -> Result<Option<PathBuf>, String> {
    let tools = root.join(".tools");
    let old = tools.join(OLD_VENV);
    if old.is_dir() && fs::remove_dir_all(&old).is_ok() {
        note(&format!("removed the obsolete .tools/{OLD_VENV}"));
    }
    let places = Places {
        tools: &tools,
        checks: &root.join("spec-checks"),
    };
    let limit = if quick { QUICK_VENV_LIMIT } else { VENV_LIMIT };
    let made = venv::find_python().and_then(|(python, version)| {
        venv::ensure(
            &places,
            (&python, &version),
            venv::SDK_VENV,
            venv::SDK_REQUIREMENTS,
            limit,
        )
    });
    match made {
        Ok(how) => {
            note(&how);
            Ok(Some(venv::python_of(&tools, venv::SDK_VENV)))
        }
        Err(e) if quick => {
            note(&format!("skipping the official SDK: {e}"));
            Ok(None)
        }
        Err(e) => Err(format!("cannot make the SDK's venv: {e}")),
    }
}

/// A progress line on standard error, with the time since the start.
pub fn note(message: &str) {
    static START: OnceLock<Instant> = OnceLock::new();
    let elapsed = START.get_or_init(Instant::now).elapsed().as_secs_f64();
    eprintln!("bench [{elapsed:6.1} s]: {message}");
}
