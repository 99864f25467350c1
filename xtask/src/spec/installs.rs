//! The pinned tools under `.tools/`: three Python virtual environments from
//! `spec-checks/requirements-*.txt` and the Node tools from
//! `spec-checks/package-lock.json`.
//!
//! Each one is reused while its stamp file (`.tools/stamps/<name>.txt`) holds
//! exactly the pins and tool versions it was made from. A venv without a
//! matching stamp whose `pip freeze` is exactly the pinned set (one made by
//! hand as `tests/oracle/README.md` says, for instance) is adopted rather
//! than rebuilt. Anything else is made afresh. A failed install is a failed
//! check, never a skip.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;

use super::Layout;
use crate::process::{capture, capture_success};

pub const VENV_LINT: &str = "venv-lint";
pub const VENV_CLIENTS: &str = "venv-clients";
/// Shared with tests/oracle/ (its README makes the same venv by hand).
pub const VENV_SDK: &str = "sdk-venv";
/// (venv folder under .tools/, requirements file in spec-checks/)
const VENVS: [(&str, &str); 3] = [
    (VENV_LINT, "requirements-lint.txt"),
    (VENV_CLIENTS, "requirements-clients.txt"),
    (VENV_SDK, "requirements-sdk.txt"),
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

/// A Python >= 3.10 (3.11 is what the pins were resolved with):
/// $SPEC_CHECKS_PYTHON, python3.11, python3. Answers (program, version).
fn find_python() -> Result<(String, String), String> {
    let mut candidates = Vec::new();
    if let Ok(p) = std::env::var("SPEC_CHECKS_PYTHON") {
        candidates.push(p);
    }
    candidates.push("python3.11".into());
    candidates.push("python3".into());
    let mut tried = Vec::new();
    for c in &candidates {
        match python_version(Path::new(c)) {
            Ok(version) => {
                let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
                let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
                if (major, minor) >= (3, 10) {
                    return Ok((c.clone(), version));
                }
                tried.push(format!("{c} is {version}"));
            }
            Err(e) => tried.push(format!("{c}: {e}")),
        }
    }
    Err(format!(
        "no Python >= 3.10 found ({}). Install Python 3.11 with venv support \
         (Debian: apt-get install python3 python3-venv) or set SPEC_CHECKS_PYTHON.",
        tried.join("; ")
    ))
}

fn python_version(python: &Path) -> Result<String, String> {
    let out = capture_success(
        Command::new(python).args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]),
        PROBE_LIMIT,
    )?;
    Ok(out.stdout.trim().to_string())
}

/// `name==version` lines, names normalized (PEP 503), sorted.
fn pin_set(text: &str) -> Vec<String> {
    let mut pins: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once("==") {
            Some((name, version)) => format!(
                "{}=={}",
                name.trim().to_ascii_lowercase().replace(['_', '.'], "-"),
                version.trim()
            ),
            None => l.to_string(),
        })
        .collect();
    pins.sort();
    pins
}

pub fn install_python(layout: &Layout) -> Result<String, String> {
    let (python, version) = find_python()?;
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
            .map(|(venv, req)| {
                let (python, version) = (&python, &version);
                s.spawn(move || ensure_venv(layout, python, version, venv, req))
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

fn ensure_venv(
    layout: &Layout,
    python: &str,
    version: &str,
    venv: &str,
    req: &str,
) -> Result<String, String> {
    let pins = read(&layout.checks.join(req))?;
    let want = format!("python {version}\n== spec-checks/{req}\n{pins}");
    let stamp = layout.tools.join("stamps").join(format!("{venv}.txt"));
    let venv_python = layout.py(venv);
    if stamp_matches(&stamp, &want) && venv_python.is_file() {
        return Ok(format!(".tools/{venv}: reused (stamp matches)"));
    }
    let stamps = layout.tools.join("stamps");
    fs::create_dir_all(&stamps).map_err(|e| format!("{}: {e}", stamps.display()))?;
    let _ = fs::remove_file(&stamp);
    let adopt = venv_python.is_file()
        && python_version(&venv_python).is_ok_and(|v| v == version)
        && capture_success(
            Command::new(&venv_python).args(["-m", "pip", "freeze"]),
            PROBE_LIMIT,
        )
        .is_ok_and(|out| pin_set(&out.stdout) == pin_set(&pins));
    let note = if adopt {
        format!(".tools/{venv}: adopted (pip freeze is exactly spec-checks/{req})")
    } else {
        make_venv(layout, python, venv, req)?;
        format!(".tools/{venv}: installed with {python} {version} from spec-checks/{req}")
    };
    fs::write(&stamp, want).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(note)
}

fn make_venv(layout: &Layout, python: &str, venv: &str, req: &str) -> Result<(), String> {
    let dir = layout.tools.join(venv);
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    capture_success(
        Command::new(python).arg("-m").arg("venv").arg(&dir),
        INSTALL_LIMIT,
    )
    .map_err(|e| {
        format!(
            "cannot create {}: {e}\n(Debian: apt-get install python3-venv)",
            dir.display()
        )
    })?;
    capture_success(
        Command::new(layout.py(venv))
            .args([
                "-m",
                "pip",
                "install",
                "--no-input",
                "--disable-pip-version-check",
                "-q",
                "-r",
            ])
            .arg(layout.checks.join(req))
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        INSTALL_LIMIT,
    )
    .map_err(|e| format!("cannot install spec-checks/{req} into .tools/{venv}: {e}"))?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::pin_set;

    #[test]
    fn pins_compare_by_normalized_name() {
        let file = "# comment\nPyYAML==6.0.4\npydantic_core==2.50.5\n\nsix==1.17.0\n";
        let freeze = "six==1.17.0\npyyaml==6.0.4\npydantic-core==2.50.5\n";
        assert_eq!(pin_set(file), pin_set(freeze));
        assert_ne!(pin_set(file), pin_set("six==1.17.0\n"));
    }
}
