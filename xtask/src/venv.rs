//! Python virtual environments under `.tools/`, each made from one pinned
//! requirements file in `spec-checks/`; used by `cargo xtask spec` and
//! `cargo xtask bench` (which share [`SDK_VENV`], the official SDK's).
//!
//! A venv is reused while its stamp file (`.tools/stamps/<name>.txt`) holds
//! exactly the Python version and the pins it was made from. A venv without
//! a matching stamp whose `pip freeze` is exactly the pinned set (one made by
//! hand as `tests/oracle/README.md` says, for instance) is adopted rather
//! than rebuilt. Anything else is made afresh.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process::capture_success;

/// The official Python SDK (shared with tests/oracle/, whose README makes
/// the same venv by hand).
pub const SDK_VENV: &str = "sdk-venv";
/// Its pins, in `spec-checks/`.
pub const SDK_REQUIREMENTS: &str = "requirements-sdk.txt";

const PROBE_LIMIT: Duration = Duration::from_secs(60);

/// The venvs' folders: `.tools/` (made on demand) and `spec-checks/` (the
/// requirements files).
pub struct Places<'a> {
    pub tools: &'a Path,
    pub checks: &'a Path,
}

/// The interpreter of venv `name` under `tools`.
pub fn python_of(tools: &Path, name: &str) -> PathBuf {
    tools.join(name).join("bin").join("python")
}

/// A Python >= 3.10 (3.11 is what the pins were resolved with):
/// $SPEC_CHECKS_PYTHON, python3.11, python3. Answers (program, version).
pub fn find_python() -> Result<(String, String), String> {
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

/// Makes sure `.tools/<venv>` holds exactly `spec-checks/<requirements>`
/// for `python` (found by [`find_python`]); making it may take up to
/// `limit` per step. Answers a note saying what was done.
pub fn ensure(
    places: &Places<'_>,
    (python, version): (&str, &str),
    venv: &str,
    requirements: &str,
    limit: Duration,
) -> Result<String, String> {
    let req_path = places.checks.join(requirements);
    let pins = fs::read_to_string(&req_path).map_err(|e| format!("{}: {e}", req_path.display()))?;
    let want = format!("python {version}\n== spec-checks/{requirements}\n{pins}");
    let stamps = places.tools.join("stamps");
    let stamp = stamps.join(format!("{venv}.txt"));
    let venv_python = python_of(places.tools, venv);
    if fs::read_to_string(&stamp).is_ok_and(|have| have == want) && venv_python.is_file() {
        return Ok(format!(".tools/{venv}: reused (stamp matches)"));
    }
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
        format!(".tools/{venv}: adopted (pip freeze is exactly spec-checks/{requirements})")
    } else {
        make(places, python, venv, requirements, limit)?;
        format!(".tools/{venv}: installed with {python} {version} from spec-checks/{requirements}")
    };
    fs::write(&stamp, want).map_err(|e| format!("{}: {e}", stamp.display()))?;
    Ok(note)
}

fn make(
    places: &Places<'_>,
    python: &str,
    venv: &str,
    requirements: &str,
    limit: Duration,
) -> Result<(), String> {
    let dir = places.tools.join(venv);
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    capture_success(Command::new(python).arg("-m").arg("venv").arg(&dir), limit).map_err(|e| {
        format!(
            "cannot create {}: {e}\n(Debian: apt-get install python3-venv)",
            dir.display()
        )
    })?;
    capture_success(
        Command::new(python_of(places.tools, venv))
            .args([
                "-m",
                "pip",
                "install",
                "--no-input",
                "--disable-pip-version-check",
                "-q",
                "-r",
            ])
            .arg(places.checks.join(requirements))
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        limit,
    )
    .map_err(|e| format!("cannot install spec-checks/{requirements} into .tools/{venv}: {e}"))?;
    Ok(())
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
