//! `cargo xtask spec [--spec <path>]`: check the OpenAPI document with
//! standard tools and with clients in other languages, for every operation.
//!
//! 0. The cases follow the document (`coverage`): each of its operations
//!    has a case, and no case names an operation it lacks.
//! 1. Validate and lint it: openapi-spec-validator, Redocly, Spectral (no
//!    errors, no warnings; configs in `spec-checks/`).
//! 2. Probe that it accepts well-formed requests and rejects malformed ones
//!    (openapi-core).
//! 3. Generate a Python client (openapi-python-client) and a TypeScript client
//!    (openapi-typescript + openapi-fetch, type-checked by `tsc` under strict
//!    settings). Each of them, the official Python SDK and the Rust client's
//!    command-line tool `secmaster` make the cases' calls against the
//!    simulator `secmaster-sim` (`sim/`, the one server of the checks:
//!    seeded workflows are listed, shown and exported, and the exported file
//!    is imported), with each credential the client supports (token, AK/SK),
//!    each driver first failing on any operation it has no way to call,
//!    then fail cleanly when every operation answers 400. What each sent,
//!    as the simulator logged it, must have passed the simulator's
//!    authentication and validation and is validated again against the
//!    document (openapi-core).
//! 4. Compare the Python, TypeScript and SDK requests with the Rust client's,
//!    which is the reference: semantically (method, decoded path, query
//!    pairs, JSON body, multipart fields), listing byte-level differences as
//!    `KNOWN DIFFERENCE` lines.
//!
//! The checks of one stage run side by side; see `report`. Tools are
//! installed, pinned, into `.tools/` on first use (`installs`). Every tool
//! runs as a child process (`crate::process`).

mod cases;
mod coverage;
mod installs;
mod lint;
mod python;
mod report;
mod requests;
mod rust_cli;
mod sdk;
mod sim;
mod typescript;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use report::{Check, Report};
use sim::Auth;

/// Where the inputs, tools and outputs of the checks are.
pub struct Layout {
    pub root: PathBuf,
    /// The document checked.
    pub spec: PathBuf,
    /// `spec-checks/`: configs, drivers, pins.
    pub checks: PathBuf,
    /// `.tools/`: installed tools and everything generated.
    pub tools: PathBuf,
    /// `.tools/run/`: the cases, and one folder per client, credential and
    /// scenario (the simulator's log, the client's files).
    pub run: PathBuf,
}

impl Layout {
    pub fn venv_bin(&self, venv: &str, program: &str) -> PathBuf {
        self.tools.join(venv).join("bin").join(program)
    }
    pub fn py(&self, venv: &str) -> PathBuf {
        self.venv_bin(venv, "python")
    }
    pub fn node_dir(&self) -> PathBuf {
        self.tools.join("node")
    }
    pub fn node_bin(&self, program: &str) -> PathBuf {
        self.node_dir()
            .join("node_modules")
            .join(".bin")
            .join(program)
    }
    pub fn script(&self, name: &str) -> PathBuf {
        self.checks.join(name)
    }
    /// `path` relative to the workspace root, for messages.
    pub fn rel(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// Runs every check; prints the report (always ending with the
/// `spec: N passed, M failed` line, even when the run cannot be set up).
pub fn run(root: &Path, spec: &Path) -> Result<(), String> {
    let started = Instant::now();
    let mut report = Report::default();
    let layout = match set_up(root, spec) {
        Ok(layout) => layout,
        Err(why) => {
            report.fail("set up the run", why);
            return report.finish(started);
        }
    };
    checks(&mut report, &layout);
    report.finish(started)
}

/// The layout and a fresh `.tools/run/` (the cases are written once the
/// simulator is built: they name its seeded workflows).
fn set_up(root: &Path, spec: &Path) -> Result<Layout, String> {
    let spec = if spec.is_absolute() {
        spec.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?
            .join(spec)
    };
    println!("spec checks for {}", spec.display());
    if !spec.is_file() {
        return Err(format!("{}: no such file", spec.display()));
    }
    let layout = Layout {
        root: root.to_path_buf(),
        spec,
        checks: root.join("spec-checks"),
        tools: root.join(".tools"),
        run: root.join(".tools").join("run"),
    };
    let _ = fs::remove_dir_all(&layout.run);
    fs::create_dir_all(&layout.run).map_err(|e| format!("{}: {e}", layout.run.display()))?;
    Ok(layout)
}

fn checks(report: &mut Report, layout: &Layout) {
    let operations = coverage::read(&layout.spec);
    for (name, result) in coverage::check(&operations) {
        report.record(&name, result);
    }
    let operations = &operations;
    let built = OnceLock::new();
    let built_ref = &built;
    let [py, node, bins] = stage(
        report,
        vec![
            Check::new(
                "install: Python tools (.tools/venv-lint, venv-clients, sdk-venv)",
                || installs::install_python(layout),
            ),
            Check::new("install: Node tools (.tools/node)", || {
                installs::install_node(layout)
            }),
            Check::new(
                "build: the secmaster CLI and the simulator secmaster-sim; the cases for its seeded workflows",
                move || {
                    let (bins, note) = rust_cli::build(layout)?;
                    let ops = operations
                        .as_ref()
                        .map_err(|e| format!("the cases cannot be written: {e}"))?;
                    cases::write(layout, &bins.seeded, ops)?;
                    let _ = built_ref.set(bins);
                    Ok(note)
                },
            ),
        ],
    );

    let [_, _, _, _, py_gen, ts_gen] = stage(
        report,
        vec![
            Check::new("validate: openapi-spec-validator 0.9.0", || {
                lint::spec_validator(layout)
            })
            .needs("install: Python tools", py),
            Check::new("lint: redocly 2.77.0 (spec-checks/redocly.yaml)", || {
                lint::redocly(layout)
            })
            .needs("install: Node tools", node),
            Check::new("lint: spectral 6.16.3 (spec-checks/.spectral.yaml)", || {
                lint::spectral(layout)
            })
            .needs("install: Node tools", node),
            Check::new(
                "document: accepts well-formed and rejects malformed requests (openapi-core)",
                || lint::probes(layout),
            )
            .needs("install: Python tools", py),
            Check::new(
                "python client: generate (openapi-python-client 0.29.1)",
                || python::generate(layout),
            )
            .needs("install: Python tools", py),
            Check::new(
                "typescript client: generate + tsc (strict type check, compile)",
                || typescript::generate(layout),
            )
            .needs("install: Node tools", node),
        ],
    );

    let bins = bins.then(|| built.get()).flatten();
    let sim = move || {
        bins.map(|b| b.sim.as_path())
            .ok_or_else(|| "secmaster-sim was not built".to_string())
    };
    let rust = move |auth: Auth| match (bins, operations) {
        (Some(b), Ok(ops)) => rust_cli::calls(layout, b, ops, auth),
        _ => Err("the secmaster and secmaster-sim binaries were not built".into()),
    };
    let built_ok = bins.is_some();
    let [_, rust_token, rust_aksk, py_calls, ts_calls, sdk_calls] = stage(
        report,
        vec![
            Check::new(
                "python client: generated project is installable (version, dependencies)",
                || python::check_project(layout),
            )
            .needs("python client: generate", py_gen),
            Check::new(
                "rust client, token (rust_cli.rs): secmaster makes every case's call against secmaster-sim; 400s; requests validate",
                move || rust(Auth::Token),
            )
            .needs("build", built_ok)
            .needs("install: Python tools", py),
            Check::new(
                "rust client, AK/SK (rust_cli.rs): secmaster makes every case's call against secmaster-sim; 400s; requests validate",
                move || rust(Auth::AccessKey),
            )
            .needs("build", built_ok)
            .needs("install: Python tools", py),
            Check::new(
                "python client, token (no AK/SK signing generated; drive_python.py): every case's call against secmaster-sim; 400s; requests validate",
                move || python::calls(layout, sim()?),
            )
            .needs("python client: generate", py_gen)
            .needs("build", built_ok),
            Check::new(
                "typescript client, token (no AK/SK signing generated; drive.ts): every case's call against secmaster-sim; 400s; requests validate",
                move || typescript::calls(layout, sim()?),
            )
            .needs("typescript client: generate", ts_gen)
            .needs("install: Python tools", py)
            .needs("build", built_ok),
            Check::new(
                "official SDK, AK/SK (it cannot send a token; drive_sdk.py): every case's call against secmaster-sim; 400s; requests validate",
                move || sdk::calls(layout, sim()?),
            )
            .needs("install: Python tools", py)
            .needs("build", built_ok),
        ],
    );

    stage::<2>(
        report,
        vec![
            Check::new(
                "compare: python and typescript requests vs the Rust client's, token (same meaning)",
                || requests::compare(layout, "rust-token", &["python-token", "typescript-token"], false),
            )
            .needs("rust client calls (token)", rust_token)
            .needs("python client calls", py_calls)
            .needs("typescript client calls", ts_calls),
            Check::new(
                "compare: official SDK requests vs the Rust client's, AK/SK (same meaning, same query bytes)",
                || requests::compare(layout, "rust-aksk", &["sdk-aksk"], true),
            )
            .needs("rust client calls (AK/SK)", rust_aksk)
            .needs("official SDK calls", sdk_calls),
        ],
    );
}

/// One stage of `N` checks; their results in order.
fn stage<const N: usize>(report: &mut Report, checks: Vec<Check<'_>>) -> [bool; N] {
    let results = report.stage(checks);
    let mut out = [false; N];
    assert_eq!(results.len(), N, "a stage lists {N} checks");
    out.copy_from_slice(&results);
    out
}
