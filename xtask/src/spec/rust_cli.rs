//! The Rust client, the reference: its command-line tool `secmaster`
//! (`cli/`), built once with the simulator (`secmaster-sim`), then run once
//! per operation, credential and scenario against the simulator: with the
//! token in `SECMASTER_AUTH_TOKEN`, and with the fake key pair in
//! `HUAWEICLOUD_SDK_AK` / `HUAWEICLOUD_SDK_SK` (requests signed).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::Layout;
use super::cases::{self, Scenario};
use super::report::join_notes;
use super::requests::{Client, validate};
use super::sim::{self, Auth, Run, with_sim};
use crate::process::{Captured, capture, capture_success, describe, local_command};

/// A cold build of the CLI, the simulator and their dependencies.
const BUILD_LIMIT: Duration = Duration::from_secs(30 * 60);
const CALL_LIMIT: Duration = Duration::from_secs(60);

/// What the build check makes: both binaries, and the ids of the
/// workflows the simulator is seeded with.
pub struct Built {
    pub cli: PathBuf,
    pub sim: PathBuf,
    pub seeded: Vec<String>,
}

/// Builds `secmaster` and `secmaster-sim` (debug) in one cargo run, starts
/// the simulator once to learn its seeded workflow ids, and writes the
/// cases for them.
pub fn build(layout: &Layout) -> Result<(Built, String), String> {
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
                "-p",
                "secmaster-sim",
                "--bin",
                "secmaster-sim",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(&layout.root),
        BUILD_LIMIT,
    )?;
    let built = |name: &str| {
        out.stdout
            .lines()
            .filter(|l| l.contains("\"reason\":\"compiler-artifact\""))
            .filter_map(executable)
            .find(|p| p.file_name().is_some_and(|n| n == name))
            .ok_or_else(|| format!("cargo built no {name} binary:\n{}", out.combined()))
    };
    let (cli, sim) = (built("secmaster")?, built("secmaster-sim")?);
    let seeded = sim::seeded_ids(layout, &sim)?;
    cases::write(layout, &seeded)?;
    let note = format!(
        "built {} and {}; the simulator seeds workflows {}",
        layout.rel(&cli),
        layout.rel(&sim),
        seeded.join(", ")
    );
    Ok((Built { cli, sim, seeded }, note))
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
/// workspace of the cases, with the credential in the environment.
fn secmaster(exe: &Path, base_url: &str, auth: Auth, args: &[String]) -> Command {
    let mut cmd = local_command(exe);
    cmd.arg("workflows")
        .args(args)
        .arg("--endpoint")
        .arg(base_url)
        .arg("--project-id")
        .arg(cases::PROJECT_ID)
        .arg("--workspace-id")
        .arg(cases::WORKSPACE_ID);
    match auth {
        Auth::Token => cmd.env("SECMASTER_AUTH_TOKEN", cases::TOKEN),
        Auth::AccessKey => cmd
            .env("HUAWEICLOUD_SDK_AK", cases::FAKE_AK)
            .env("HUAWEICLOUD_SDK_SK", cases::FAKE_SK),
    };
    cmd
}

/// What a successful call must show.
enum Expect {
    /// `--format json` output listing exactly these ids, in this order.
    Listed(Vec<String>),
    /// Output that contains this text.
    Prints(String),
    /// The export file, with these ids in the simulator's format.
    Exported(PathBuf, Vec<String>),
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// The command lines for the cases' calls, in their order, and what a
/// successful one must show. The export is written into `files` (in the
/// error scenario under a name that must not appear) and the import reads
/// the cases' file from there.
fn command_lines(
    files: &Path,
    scenario: Scenario,
    seeded: &[String],
) -> Vec<(&'static str, Vec<String>, Expect)> {
    let filtered = vec![
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
    let page = vec![
        "list".to_string(),
        "--sort-by".into(),
        cases::PAGE_SORTBY.into(),
        "--order".into(),
        cases::PAGE_ORDER.to_ascii_lowercase(),
        "--limit".into(),
        cases::PAGE_LIMIT.to_string(),
        "--offset".into(),
        cases::PAGE_OFFSET.to_string(),
        "--format".into(),
        "json".into(),
    ];
    let first = seeded.first().cloned().unwrap_or_default();
    let show = strings(&["show", &first, "--format", "json"]);
    let file = files.join(cases::IMPORT_FILE_NAME);
    let export_to = match scenario {
        Scenario::Ok => file.clone(),
        Scenario::Error => files.join(cases::UNWRITTEN_EXPORT),
    };
    let mut export = vec!["export".to_string()];
    for id in seeded {
        export.push("--id".into());
        export.push(id.clone());
    }
    export.push("--output".into());
    export.push(export_to.to_string_lossy().into_owned());
    export.push("--quiet".into());
    let import = vec![
        "import".to_string(),
        file.to_string_lossy().into_owned(),
        "--format".into(),
        "json".into(),
    ];
    vec![
        ("list_workflows", filtered, Expect::Listed(Vec::new())),
        ("list_workflows", page, Expect::Listed(seeded.to_vec())),
        (
            "show_workflow",
            show,
            Expect::Prints(format!("\"{first}\"")),
        ),
        (
            "export_workflows",
            export,
            Expect::Exported(export_to, seeded.to_vec()),
        ),
        (
            "import_workflows",
            import,
            Expect::Prints(format!("imported {} workflows", seeded.len())),
        ),
    ]
}

pub fn calls(layout: &Layout, built: &Built, auth: Auth) -> Result<String, String> {
    let mut notes = Vec::new();
    for scenario in Scenario::BOTH {
        let run = Run {
            layout,
            label: "rust",
            auth,
            scenario,
        };
        let lines = command_lines(&run.files(), scenario, &built.seeded);
        let done = with_sim(&built.sim, &run, |base_url| {
            let mut done = Vec::new();
            for (operation, args, expect) in &lines {
                let mut cmd = secmaster(&built.cli, base_url, auth, args);
                let what = describe(&cmd);
                let out = capture(&mut cmd, CALL_LIMIT)?;
                match scenario {
                    Scenario::Ok => expect_success(&what, &out, expect)?,
                    Scenario::Error => expect_error(&what, &out, expect)?,
                }
                done.push(*operation);
            }
            Ok(done)
        })?;
        let outcome = match scenario {
            Scenario::Ok => "completed against the simulator",
            Scenario::Error => "failed on 400s, naming the service's code and message",
        };
        notes.push(format!(
            "NOTE: secmaster ({}) {outcome}: {}",
            auth.describe(),
            done.join(", ")
        ));
    }
    notes.push(validate(
        layout,
        &format!("rust-{}", auth.name()),
        auth,
        Client::Reference,
    )?);
    Ok(join_notes(&notes))
}

fn expect_success(what: &str, out: &Captured, expect: &Expect) -> Result<(), String> {
    if !out.status.success() {
        return Err(format!(
            "`{what}` failed ({}) against the simulator:\n{}",
            out.status,
            out.combined()
        ));
    }
    match expect {
        Expect::Listed(ids) => {
            let at: Vec<Option<usize>> = ids
                .iter()
                .map(|id| out.stdout.find(&format!("\"{id}\"")))
                .collect();
            let in_order = at
                .windows(2)
                .all(|w| matches!(w, [Some(a), Some(b)] if a < b));
            let listed = out.stdout.matches("\"id\"").count();
            if at.iter().any(Option::is_none) || !in_order || listed != ids.len() {
                return Err(format!(
                    "`{what}` must list exactly {ids:?}, in that order:\n{}",
                    out.combined()
                ));
            }
        }
        Expect::Prints(text) => {
            if !out.stdout.contains(text.as_str()) {
                return Err(format!("`{what}` printed no {text:?}:\n{}", out.combined()));
            }
        }
        Expect::Exported(path, ids) => {
            let got = fs::read_to_string(path)
                .map_err(|e| format!("`{what}` wrote no {}: {e}", path.display()))?;
            if !got.contains(cases::EXPORT_FORMAT)
                || ids.iter().any(|id| !got.contains(&format!("\"{id}\"")))
            {
                return Err(format!(
                    "`{what}` wrote a file that is not the simulator's export of {ids:?}:\n{got}"
                ));
            }
        }
    }
    Ok(())
}

fn expect_error(what: &str, out: &Captured, expect: &Expect) -> Result<(), String> {
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
    if let Expect::Exported(path, _) = expect
        && path.exists()
    {
        return Err(format!("`{what}` wrote {} on a 400", path.display()));
    }
    Ok(())
}
