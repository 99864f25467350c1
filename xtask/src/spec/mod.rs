//! `cargo xtask spec [--spec <path>]`: check the OpenAPI document with
//! standard tools and with clients in other languages, for every operation
//! (list, show, import, export).
//!
//! 1. Validate and lint it: openapi-spec-validator, Redocly, Spectral (no
//!    errors, no warnings; configs in `spec-checks/`).
//! 2. Probe that it accepts well-formed requests and rejects malformed ones
//!    (openapi-core).
//! 3. Generate a Python client (openapi-python-client) and a TypeScript client
//!    (openapi-typescript + openapi-fetch, type-checked by `tsc` under strict
//!    settings). Each of them, the official Python SDK and the Rust client's
//!    command-line tool `secmaster` calls a local recording server (every
//!    operation, first answered with its 200, then with a 400), and what
//!    each sent is validated against the document.
//! 4. Compare the Python, TypeScript and SDK requests with the Rust client's,
//!    which is the reference: semantically (method, decoded path, query
//!    pairs, JSON body, multipart fields), listing byte-level differences as
//!    `KNOWN DIFFERENCE` lines.
//!
//! The checks of one stage run side by side; see `report`. Tools are
//! installed, pinned, into `.tools/` on first use (`installs`). Every tool
//! runs as a child process (`crate::process`).

mod cases;
mod installs;
mod lint;
mod python;
mod recorder;
mod report;
mod requests;
mod rust_cli;
mod sdk;
mod typescript;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use cases::Scenario;
use report::{Check, Report};

/// Where the inputs, tools and outputs of the checks are.
pub struct Layout {
    pub root: PathBuf,
    /// The document checked.
    pub spec: PathBuf,
    /// `spec-checks/`: configs, drivers, pins.
    pub checks: PathBuf,
    /// `.tools/`: installed tools and everything generated.
    pub tools: PathBuf,
    /// `.tools/run/`: cases, recordings, logs of this run.
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
    /// The recording of one client's calls in one scenario.
    pub fn record(&self, label: &str, scenario: Scenario) -> PathBuf {
        self.run.join(format!("{label}-{}.jsonl", scenario.name()))
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

/// The layout, a fresh `.tools/run/` and the cases in it.
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
    cases::write(&layout)?;
    Ok(layout)
}

fn checks(report: &mut Report, layout: &Layout) {
    let cli = OnceLock::new();
    let cli_ref = &cli;
    let [py, node, built] = stage(
        report,
        vec![
            Check::new(
                "install: Python tools (.tools/venv-lint, venv-clients, sdk-venv)",
                || installs::install_python(layout),
            ),
            Check::new("install: Node tools (.tools/node)", || {
                installs::install_node(layout)
            }),
            Check::new("rust client: build the secmaster CLI", move || {
                let (path, note) = rust_cli::build(layout)?;
                let _ = cli_ref.set(path);
                Ok(note)
            }),
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

    let [_, rust_ok, py_calls, ts_calls, sdk_calls] = stage(
        report,
        vec![
            Check::new(
                "python client: generated project is installable (version, dependencies)",
                || python::check_project(layout),
            )
            .needs("python client: generate", py_gen),
            Check::new(
                "rust client: secmaster list/show/import/export, 200s + 400s, requests validate",
                || match cli.get() {
                    Some(exe) => rust_cli::calls(layout, exe),
                    None => Err("the secmaster binary was not built".into()),
                },
            )
            .needs("rust client: build", built)
            .needs("install: Python tools", py),
            Check::new(
                "python client: list/show/import/export, 200s + 400s, requests validate",
                || python::calls(layout),
            )
            .needs("python client: generate", py_gen),
            Check::new(
                "typescript client: list/show/import/export, 200s + 400s, requests validate",
                || typescript::calls(layout),
            )
            .needs("typescript client: generate", ts_gen)
            .needs("install: Python tools", py),
            Check::new(
                "official SDK: list/show/import/export, 200s + 400s, requests validate",
                || sdk::calls(layout),
            )
            .needs("install: Python tools", py),
        ],
    );

    stage::<2>(
        report,
        vec![
            Check::new(
                "compare: python and typescript requests vs the Rust client's (same meaning)",
                || requests::compare(layout, &["python", "typescript"], false),
            )
            .needs("rust client calls", rust_ok)
            .needs("python client calls", py_calls)
            .needs("typescript client calls", ts_calls),
            Check::new(
                "compare: official SDK requests vs the Rust client's (same meaning, same query bytes)",
                || requests::compare(layout, &["sdk"], true),
            )
            .needs("rust client calls", rust_ok)
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
