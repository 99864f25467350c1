//! What the clients sent, as the simulator logged it, checked by
//! `spec-checks/validate.py`: each client's requests against the document,
//! the cases and the simulator's verdicts (`validate`), and against the
//! Rust client's requests (`compare`).

use std::time::Duration;

use super::Layout;
use super::cases::cases_path;
use super::installs::VENV_CLIENTS;
use super::sim::Auth;
use crate::process::{Captured, capture_success, local_command};

const VALIDATE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// Which client sent the requests, for what is allowed of it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// The Rust client: a warning of the simulator (what `--strict` would
    /// refuse) fails.
    Reference,
    /// A generated client: warnings are listed as known differences.
    Generated,
    /// The official SDK: warnings are listed, and its documented wire
    /// habits (`Content-Type: application/json` on every request) allowed.
    OfficialSdk,
}

/// `validate.py requests` over both scenarios of `recording`
/// (`<client>-<credential>`).
pub fn validate(
    layout: &Layout,
    recording: &str,
    auth: Auth,
    client: Client,
) -> Result<String, String> {
    let mut cmd = local_command(layout.py(VENV_CLIENTS));
    cmd.arg(layout.script("validate.py"))
        .arg("requests")
        .arg("--spec")
        .arg(&layout.spec)
        .arg("--cases")
        .arg(cases_path(layout))
        .arg("--records-dir")
        .arg(&layout.run)
        .arg("--label")
        .arg(recording)
        .arg("--auth")
        .arg(auth.name());
    match client {
        Client::Reference => cmd.arg("--warnings-fail"),
        Client::Generated => &mut cmd,
        Client::OfficialSdk => cmd.arg("--official-sdk"),
    };
    Ok(read_notes(&capture_success(&mut cmd, VALIDATE_LIMIT)?))
}

/// `validate.py compare`: the requests of `recordings` against those of
/// `reference` (the Rust client's, with the same credential). With
/// `same_query_bytes`, the list query must also be the same bytes (the Rust
/// client sends the official SDK's canonical query).
pub fn compare(
    layout: &Layout,
    reference: &str,
    recordings: &[&str],
    same_query_bytes: bool,
) -> Result<String, String> {
    let mut cmd = local_command(layout.py(VENV_CLIENTS));
    cmd.arg(layout.script("validate.py"))
        .arg("compare")
        .arg("--cases")
        .arg(cases_path(layout))
        .arg("--records-dir")
        .arg(&layout.run)
        .arg("--reference")
        .arg(reference);
    for label in recordings {
        cmd.arg("--label").arg(label);
    }
    if same_query_bytes {
        cmd.arg("--same-query-bytes");
    }
    Ok(read_notes(&capture_success(&mut cmd, VALIDATE_LIMIT)?))
}

/// The lines of a driver's or validator's output worth showing in the
/// report.
pub fn read_notes(out: &Captured) -> String {
    out.stdout
        .lines()
        .filter(|l| l.starts_with("NOTE:") || l.starts_with("KNOWN DIFFERENCE:"))
        .collect::<Vec<_>>()
        .join("\n")
}
