//! Checks of the document alone: openapi-spec-validator, Redocly and
//! Spectral must report nothing at all (no errors, no warnings), and
//! openapi-core must accept well-formed requests of every operation and
//! reject malformed ones (`spec-checks/probes.py`).

use std::process::Command;
use std::time::Duration;

use super::Layout;
use super::installs::{VENV_CLIENTS, VENV_LINT};
use super::requests::read_notes;
use crate::process::{capture, capture_success, local_command};

pub const TOOL_LIMIT: Duration = Duration::from_secs(5 * 60);

pub fn spec_validator(layout: &Layout) -> Result<String, String> {
    let out = capture_success(
        local_command(layout.venv_bin(VENV_LINT, "openapi-spec-validator")).arg(&layout.spec),
        TOOL_LIMIT,
    )?;
    if !out.stdout.trim_end().ends_with(": OK") || !out.stderr.trim().is_empty() {
        return Err(format!(
            "unexpected output (errors or warnings):\n{}",
            out.combined()
        ));
    }
    Ok(String::new())
}

/// A Node tool from `.tools/node`, with telemetry, update notices and colour
/// off.
pub fn node_tool(layout: &Layout, program: &str) -> Command {
    let mut cmd = local_command(layout.node_bin(program));
    cmd.env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
        .env("NO_UPDATE_NOTIFIER", "1")
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0");
    cmd
}

pub fn redocly(layout: &Layout) -> Result<String, String> {
    let out = capture(
        node_tool(layout, "redocly")
            .arg("lint")
            .arg("--config")
            .arg(layout.script("redocly.yaml"))
            .arg("--lint-config")
            .arg("error")
            .arg(&layout.spec)
            .current_dir(&layout.checks),
        TOOL_LIMIT,
    )?;
    let text = without_banner(&out.combined());
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

pub fn spectral(layout: &Layout) -> Result<String, String> {
    let out = capture(
        node_tool(layout, "spectral")
            .arg("lint")
            .arg("--ruleset")
            .arg(layout.script(".spectral.yaml"))
            .arg("--fail-severity")
            .arg("hint")
            .arg(&layout.spec)
            .current_dir(&layout.checks),
        TOOL_LIMIT,
    )?;
    if !out.status.success()
        || !out
            .stdout
            .contains("No results with a severity of 'hint' or higher found")
    {
        return Err(out.combined());
    }
    Ok(String::new())
}

pub fn probes(layout: &Layout) -> Result<String, String> {
    let out = capture_success(
        local_command(layout.py(VENV_CLIENTS))
            .arg(layout.script("probes.py"))
            .arg("--spec")
            .arg(&layout.spec),
        TOOL_LIMIT,
    )?;
    Ok(read_notes(&out))
}
