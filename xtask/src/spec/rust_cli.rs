//! The Rust client, the reference: its command-line tool `secmaster`
//! (`cli/`), built once, then run once per operation and scenario against
//! the recorder with the token in `SECMASTER_AUTH_TOKEN`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::Layout;
use super::cases::{self, Scenario};
use super::recorder::with_recorder;
use super::report::join_notes;
use super::requests::{Auth, validate};
use crate::process::{Captured, capture, capture_success, describe, local_command};

/// A cold build of the CLI and its dependencies.
const BUILD_LIMIT: Duration = Duration::from_secs(30 * 60);
const CALL_LIMIT: Duration = Duration::from_secs(60);

/// Builds `secmaster` (debug) and answers the path of the binary.
pub fn build(layout: &Layout) -> Result<(PathBuf, String), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Not `local_command`: a cold build may have to fetch crates through a
    // proxy.
    let out = capture_success(
        Command::new(&cargo)
            .args([
                "build",
                "-q",
                "-p",
                "secmaster-cli",
                "--bin",
                "secmaster",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(&layout.root),
        BUILD_LIMIT,
    )?;
    let exe = out
        .stdout
        .lines()
        .filter(|l| l.contains("\"reason\":\"compiler-artifact\""))
        .filter_map(executable)
        .find(|p| p.file_name().is_some_and(|n| n == "secmaster"))
        .ok_or_else(|| format!("cargo built no secmaster binary:\n{}", out.combined()))?;
    let note = format!("built {}", layout.rel(&exe));
    Ok((exe, note))
}

/// The `"executable"` of one line of cargo's JSON messages.
fn executable(line: &str) -> Option<PathBuf> {
    let start = line.find("\"executable\":\"")? + "\"executable\":\"".len();
    let mut path = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(PathBuf::from(path)),
            '\\' => path.push(chars.next()?),
            c => path.push(c),
        }
    }
    None
}

/// `secmaster workflows <args>` against `base_url`, as the project and
/// workspace of the cases, with the token in the environment.
fn secmaster(exe: &Path, base_url: &str, args: &[&str]) -> Command {
    let mut cmd = local_command(exe);
    cmd.arg("workflows")
        .args(args)
        .arg("--endpoint")
        .arg(base_url)
        .arg("--project-id")
        .arg(cases::PROJECT_ID)
        .arg("--workspace-id")
        .arg(cases::WORKSPACE_ID)
        .env("SECMASTER_AUTH_TOKEN", cases::TOKEN);
    cmd
}

/// The command lines for the cases' calls, in their order, and what the
/// output of a successful one must contain (export: the file instead).
fn command_lines(
    layout: &Layout,
    export_to: &Path,
) -> Vec<(&'static str, Vec<String>, &'static str)> {
    let list = vec![
        "list".to_string(),
        "--name".into(),
        cases::LIST_NAME.into(),
        "--enabled".into(),
        cases::LIST_ENABLED.to_string(),
        "--aop-type".into(),
        cases::LIST_AOP_TYPE.into(),
        "--sort-by".into(),
        cases::LIST_SORTBY.into(),
        "--order".into(),
        cases::LIST_ORDER.to_ascii_lowercase(),
        "--limit".into(),
        cases::LIST_LIMIT.to_string(),
        "--offset".into(),
        cases::LIST_OFFSET.to_string(),
        "--format".into(),
        "json".into(),
    ];
    let show = vec![
        "show".to_string(),
        cases::SHOW_ID.into(),
        "--format".into(),
        "json".into(),
    ];
    let import = vec![
        "import".to_string(),
        cases::import_file(layout).to_string_lossy().into_owned(),
        "--format".into(),
        "json".into(),
    ];
    let mut export = vec!["export".to_string()];
    for id in cases::EXPORT_IDS {
        export.push("--id".into());
        export.push(id.into());
    }
    export.push("--output".into());
    export.push(export_to.to_string_lossy().into_owned());
    export.push("--quiet".into());
    vec![
        ("list_workflows", list, cases::SHOW_ID),
        ("show_workflow", show, cases::SHOW_ID),
        ("import_workflows", import, cases::IMPORT_REQUEST_ID),
        ("export_workflows", export, ""),
    ]
}

pub fn calls(layout: &Layout, exe: &Path) -> Result<String, String> {
    let mut notes = Vec::new();
    for scenario in Scenario::BOTH {
        let export_to = layout
            .run
            .join(format!("rust-export-{}.bin", scenario.name()));
        let _ = fs::remove_file(&export_to);
        let lines = command_lines(layout, &export_to);
        let done = with_recorder(layout, "rust", scenario, |base_url| {
            let mut done = Vec::new();
            for (operation, args, expect) in &lines {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let mut cmd = secmaster(exe, base_url, &args);
                let what = describe(&cmd);
                let out = capture(&mut cmd, CALL_LIMIT)?;
                match scenario {
                    Scenario::Ok => expect_success(&what, &out, expect, &export_to, operation)?,
                    Scenario::Error => expect_error(&what, &out, &export_to, operation)?,
                }
                done.push(*operation);
            }
            Ok(done)
        })?;
        let outcome = match scenario {
            Scenario::Ok => "succeeded on 200s",
            Scenario::Error => "failed on 400s, naming the service's code and message",
        };
        notes.push(format!("NOTE: secmaster {outcome}: {}", done.join(", ")));
    }
    notes.push(validate(layout, "rust", Auth::Token)?);
    Ok(join_notes(&notes))
}

fn expect_success(
    what: &str,
    out: &Captured,
    expect: &str,
    export_to: &Path,
    operation: &str,
) -> Result<(), String> {
    if !out.status.success() {
        return Err(format!(
            "`{what}` failed ({}) on a 200:\n{}",
            out.status,
            out.combined()
        ));
    }
    if operation == "export_workflows" {
        let got = fs::read(export_to)
            .map_err(|e| format!("`{what}` wrote no {}: {e}", export_to.display()))?;
        if got != cases::export_bytes() {
            return Err(format!(
                "`{what}` wrote {} bytes that differ from the {} bytes served",
                got.len(),
                cases::export_bytes().len()
            ));
        }
    } else if !out.stdout.contains(expect) {
        return Err(format!(
            "`{what}` printed no {expect:?} from the answer:\n{}",
            out.combined()
        ));
    }
    Ok(())
}

fn expect_error(
    what: &str,
    out: &Captured,
    export_to: &Path,
    operation: &str,
) -> Result<(), String> {
    if out.status.success()
        || !out.stderr.contains(cases::ERROR_CODE)
        || !out.stderr.contains(cases::ERROR_MESSAGE)
    {
        return Err(format!(
            "on a 400 `{what}` must fail and report code {} and message {:?}; it exited with {}:\n{}",
            cases::ERROR_CODE,
            cases::ERROR_MESSAGE,
            out.status,
            out.combined()
        ));
    }
    if operation == "export_workflows" && export_to.exists() {
        return Err(format!("`{what}` wrote {} on a 400", export_to.display()));
    }
    Ok(())
}
