//! The pinned tools under `.tools/`: three Python virtual environments from
//! `spec-checks/requirements-*.txt` (made by `crate::venv`, which `cargo
//! xtask bench` shares) and the Node tools from `spec-checks/package-lock.json`.
//!
//! Each one is reused while its stamp file (`.tools/stamps/<name>.txt`) holds
//! exactly the pins and tool versions it was made from; see `crate::venv`
//! for the venvs. A failed install is a failed check, never a skip.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;

use super::Layout;
use crate::process::{capture, capture_success};
use crate::venv::{self, Places};

pub const VENV_LINT: &str = "venv-lint";
pub const VENV_CLIENTS: &str = "venv-clients";
/// Shared with tests/oracle/ and `cargo xtask bench`.
pub const VENV_SDK: &str = venv::SDK_VENV;
/// (venv folder under .tools/, requirements file in spec-checks/)
const VENVS: [(&str, &str); 3] = [
    (VENV_LINT, "requirements-lint.txt"),
    (VENV_CLIENTS, "requirements-clients.txt"),
    (VENV_SDK, venv::SDK_REQUIREMENTS),
];
/// Left behind by earlier versions of these checks; removed when seen.
const OBSOLETE: [&str; 2] = ["venv-sdk", "stamps/python.txt"];
const NODE_BINS: [&str; 4] = ["redocly", "spectral", "openapi-typescript", "tsc"];

const INSTALL_LIMIT: Duration = Duration::from_secs(15 * 60);
const PROBE_LIMIT: Duration = Duration::from_secs(60);

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn stamp_matches(stamp: &Path, want: &str) -> bool {
    fs::read_to_string(stamp).is_ok_and(|have| have == want)
}

pub fn install_python(layout: &Layout) -> Result<String, String> {
    let (python, version) = venv::find_python()?;
    let places = Places {
        tools: &layout.tools,
        checks: &layout.checks,
    };
    let mut notes = Vec::new();
    for old in OBSOLETE {
        let path = layout.tools.join(old);
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path).is_ok()
        } else {
            path.is_file() && fs::remove_file(&path).is_ok()
        };
        if removed {
            notes.push(format!("removed the obsolete .tools/{old}"));
        }
    }
    // In parallel: pip spends much of its time waiting on the network.
    let results: Vec<Result<String, String>> = thread::scope(|s| {
        let handles: Vec<_> = VENVS
            .iter()
            .map(|(name, req)| {
                let (python, version, places) = (&python, &version, &places);
                s.spawn(move || venv::ensure(places, (python, version), name, req, INSTALL_LIMIT))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("panicked".into())))
            .collect()
    });
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(note) => notes.push(note),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(notes.join("\n"))
    } else {
        Err(errors.join("\n"))
    }
}

fn tool_version(program: &str) -> Result<String, String> {
    let out = capture(Command::new(program).arg("--version"), PROBE_LIMIT)
        .map_err(|e| format!("{program} is needed: {e}"))?;
    if !out.status.success() {
        return Err(format!("{program} --version failed: {}", out.combined()));
    }
    Ok(out.stdout.trim().to_string())
}

pub fn install_node(layout: &Layout) -> Result<String, String> {
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
    let package = read(&layout.checks.join("package.json"))?;
    let lock = read(&layout.checks.join("package-lock.json"))?;
    let mut want = format!("node {node} npm {npm}\n");
    let _ = write!(
        want,
        "== package.json\n{package}== package-lock.json\n{lock}"
    );
    let stamp = layout.tools.join("stamps").join("node.txt");
    if stamp_matches(&stamp, &want) && NODE_BINS.iter().all(|b| layout.node_bin(b).exists()) {
        return Ok(".tools/node: reused (stamp matches)".into());
    }
    let _ = fs::remove_file(&stamp);
    let stamps = layout.tools.join("stamps");
    fs::create_dir_all(&stamps).map_err(|e| format!("{}: {e}", stamps.display()))?;
    let dir = layout.node_dir();
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for f in ["package.json", "package-lock.json"] {
        fs::copy(layout.checks.join(f), dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    // --ignore-scripts: none of these tools needs an install script (the only
    // one in the tree is an analytics ping).
    capture_success(
        Command::new("npm")
            .args([
                "ci",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
            ])
            .current_dir(&dir),
        INSTALL_LIMIT,
    )
    .map_err(|e| format!("cannot install spec-checks/package-lock.json into .tools/node: {e}"))?;
    let missing: Vec<&str> = NODE_BINS
        .iter()
        .copied()
        .filter(|b| !layout.node_bin(b).exists())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "npm ci finished but these tools are missing: {missing:?}"
        ));
    }
    fs::write(&stamp, want).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(format!(
        ".tools/node: installed with node {node}, npm {npm} from spec-checks/package-lock.json"
    ))
}
