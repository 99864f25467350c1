//! The Python client that openapi-python-client generates from the
//! document: generate it as a whole project, check the project is
//! installable, and drive it (`spec-checks/drive_python.py`) against the
//! simulator. The generator makes no AK/SK signing (the `aksk` scheme is
//! not supported), so it runs with the token only.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::Layout;
use super::installs::VENV_CLIENTS;
use super::lint::TOOL_LIMIT;
use super::report::join_notes;
use super::requests::{Client, read_notes, validate};
use super::sim::{Auth, drive_each_scenario};
use crate::process::{capture_success, local_command};

/// Names fixed by spec-checks/openapi-python-client.yaml.
const PY_PROJECT: &str = "secmaster-workflows-client";
const PY_PACKAGE: &str = "secmaster_workflows_client";
const CALL_LIMIT: Duration = Duration::from_secs(90);

/// The generated project (pyproject.toml + the package folder).
fn project_dir(layout: &Layout) -> PathBuf {
    layout.tools.join("gen").join("python").join(PY_PROJECT)
}

pub fn generate(layout: &Layout) -> Result<String, String> {
    let base = layout.tools.join("gen").join("python");
    let _ = fs::remove_dir_all(&base);
    fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
    // ruff (in the same venv) formats the output; it must be on PATH or the
    // generator warns, and warnings fail here.
    let path = std::env::join_paths(
        std::iter::once(layout.tools.join(VENV_CLIENTS).join("bin")).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .map_err(|e| e.to_string())?;
    // `--meta uv`: a whole project (pyproject.toml), as a user would generate it.
    let out = capture_success(
        local_command(layout.venv_bin(VENV_CLIENTS, "openapi-python-client"))
            .args([
                "generate",
                "--meta",
                "uv",
                "--overwrite",
                "--fail-on-warning",
            ])
            .arg("--config")
            .arg(layout.script("openapi-python-client.yaml"))
            .arg("--path")
            .arg(&layout.spec)
            .arg("--output-path")
            .arg(project_dir(layout))
            .env("PATH", path)
            .current_dir(&base),
        TOOL_LIMIT,
    )?;
    let api = project_dir(layout).join(PY_PACKAGE).join("api");
    if !api.is_dir() {
        return Err(format!(
            "the generator wrote no {PY_PACKAGE}/api package:\n{}",
            out.combined()
        ));
    }
    Ok(format!("generated {}", layout.rel(&project_dir(layout))))
}

pub fn check_project(layout: &Layout) -> Result<String, String> {
    let out = capture_success(
        local_command(layout.py(VENV_CLIENTS))
            .arg(layout.script("validate.py"))
            .arg("pyproject")
            .arg("--pyproject")
            .arg(project_dir(layout).join("pyproject.toml")),
        TOOL_LIMIT,
    )?;
    Ok(read_notes(&out))
}

pub fn calls(layout: &Layout, sim: &Path) -> Result<String, String> {
    let mut notes =
        drive_each_scenario(layout, sim, "python", Auth::Token, CALL_LIMIT, |base_url| {
            let mut cmd = local_command(layout.py(VENV_CLIENTS));
            cmd.arg(layout.script("drive_python.py"))
                .arg("--client-dir")
                .arg(project_dir(layout))
                .arg("--package")
                .arg(PY_PACKAGE)
                .arg("--base-url")
                .arg(base_url);
            cmd
        })?;
    notes.push(validate(
        layout,
        "python-token",
        Auth::Token,
        Client::Generated,
    )?);
    Ok(join_notes(&notes))
}
