//! What the clients sent, checked by `spec-checks/validate.py`: each
//! client's recorded requests against the document and the cases
//! (`validate`), and against the Rust client's requests (`compare`).

use std::time::Duration;

use super::Layout;
use super::cases::cases_path;
use super::installs::VENV_CLIENTS;
use crate::process::{Captured, capture_success, local_command};

const VALIDATE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// How a client authenticates, which is what its requests must carry.
#[derive(Clone, Copy)]
pub enum Auth {
    /// `X-Auth-Token`.
    Token,
    /// The official SDK: AK/SK signing, and its documented wire habits
    /// (`Content-Type: application/json` on every request) are allowed.
    OfficialSdk,
}

/// `validate.py requests` over both recordings of `label`.
pub fn validate(layout: &Layout, label: &str, auth: Auth) -> Result<String, String> {
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
        .arg(label)
        .arg("--auth")
        .arg(match auth {
            Auth::Token => "token",
            Auth::OfficialSdk => "official-sdk",
        });
    Ok(read_notes(&capture_success(&mut cmd, VALIDATE_LIMIT)?))
}

/// `validate.py compare`: the requests of `labels` against the Rust
/// client's. With `same_query_bytes`, the list query must also be the same
/// bytes (the Rust client sends the official SDK's canonical query).
pub fn compare(layout: &Layout, labels: &[&str], same_query_bytes: bool) -> Result<String, String> {
    let mut cmd = local_command(layout.py(VENV_CLIENTS));
    cmd.arg(layout.script("validate.py"))
        .arg("compare")
        .arg("--cases")
        .arg(cases_path(layout))
        .arg("--records-dir")
        .arg(&layout.run)
        .arg("--reference")
        .arg("rust");
    for label in labels {
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
