//! The Rust client, the reference: its command-line tool `secmaster`
//! (`cli/`), built once with the simulator (`secmaster-sim`), then run once
//! per operation, credential and scenario against the simulator: with the
//! token in `SECMASTER_AUTH_TOKEN`, and with the fake key pair in
//! `HUAWEICLOUD_SDK_AK` / `HUAWEICLOUD_SDK_SK` (requests signed). Each
//! case becomes a command line by the operation's entry in [`COMMANDS`], or,
//! for a simple JSON GET without one, by `secmaster api` ([`generic_get`]);
//! any other operation without an entry fails the check before anything is
//! run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::Layout;
use super::cases::{self, Case, Json, Scenario};
use super::coverage::{self, Operation};
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

/// Builds `secmaster` and `secmaster-sim` (debug) in one cargo run, and
/// starts the simulator once to learn its seeded workflow ids.
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

/// `secmaster <args>` against `base_url`, for the project and workspace of
/// the case's path, with the credential in the environment.
fn secmaster(exe: &Path, base_url: &str, auth: Auth, case: &Case, args: &[String]) -> Command {
    let mut cmd = local_command(exe);
    cmd.args(args).arg("--endpoint").arg(base_url);
    for (name, flag) in [
        ("project_id", "--project-id"),
        ("workspace_id", "--workspace-id"),
    ] {
        if let Some(value) = case.path_value(name) {
            cmd.arg(flag).arg(value);
        }
    }
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
    /// Output that contains each of these texts.
    PrintsAll(Vec<String>),
    /// Output that contains this text.
    Prints(String),
    /// The export file, with these ids in the simulator's format.
    Exported(PathBuf, Vec<String>),
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

/// How `secmaster` makes a case's call: its arguments (after the program)
/// and what a successful one must show, given the run's `files` folder.
type CommandLine = fn(&Case, &Path, Scenario) -> (Vec<String>, Expect);

/// The operations `secmaster` has a command for; an operation of the
/// document or the cases missing here fails the check, naming it.
const COMMANDS: &[(&str, CommandLine)] = &[
    ("list_workflows", list_workflows),
    ("show_workflow", show_workflow),
    ("export_workflows", export_workflows),
    ("import_workflows", import_workflows),
    ("list_workspaces", list_workspaces),
    ("show_workspace", show_workspace),
];

/// `workflows list` with the case's query as options (`--order` takes the
/// document's values in lower case).
fn list_workflows(case: &Case, _: &Path, _: Scenario) -> (Vec<String>, Expect) {
    let mut args = strings(&["workflows", "list", "--format", "json"]);
    for (name, value) in &case.query {
        let value = value.scalar();
        match *name {
            "sortby" => args.extend(["--sort-by".into(), value]),
            "order" => args.extend(["--order".into(), value.to_ascii_lowercase()]),
            name => args.extend([format!("--{}", name.replace('_', "-")), value]),
        }
    }
    (args, Expect::Listed(listed_ids(case, "data")))
}

/// The ids of the items the case expects in the answer's array `items`.
fn listed_ids(case: &Case, items: &str) -> Vec<String> {
    match case.expect.get(items) {
        Some(Json::Arr(items)) => items
            .iter()
            .filter_map(|item| item.get("id").map(Json::scalar))
            .collect(),
        _ => Vec::new(),
    }
}

fn show_workflow(case: &Case, _: &Path, _: Scenario) -> (Vec<String>, Expect) {
    let id = case.path_value("workflow_id").unwrap_or_default();
    let args = strings(&["workflows", "show", id, "--format", "json"]);
    (args, Expect::Prints(format!("\"{id}\"")))
}

/// Into `files` (in the error scenario under a name that must not appear).
fn export_workflows(case: &Case, files: &Path, scenario: Scenario) -> (Vec<String>, Expect) {
    let to = match scenario {
        Scenario::Ok => files.join(case.file.unwrap_or_default()),
        Scenario::Error => files.join(cases::UNWRITTEN_EXPORT),
    };
    let mut args = strings(&["workflows", "export"]);
    for id in &case.ids {
        args.extend(["--id".into(), id.clone()]);
    }
    args.extend(["--output".into(), to.to_string_lossy().into_owned()]);
    args.push("--quiet".into());
    (args, Expect::Exported(to, case.ids.clone()))
}

fn import_workflows(case: &Case, files: &Path, _: Scenario) -> (Vec<String>, Expect) {
    let file = files.join(case.file.unwrap_or_default());
    let args = vec![
        "workflows".into(),
        "import".into(),
        file.to_string_lossy().into_owned(),
        "--format".into(),
        "json".into(),
    ];
    let message = case
        .expect
        .get("message")
        .map(Json::scalar)
        .unwrap_or_default();
    (args, Expect::Prints(message))
}

/// `api list_workspaces` with the case's query as `NAME=VALUE` (`workspaces
/// list` has no flag for every filter, such as `is_view`).
fn list_workspaces(case: &Case, _: &Path, _: Scenario) -> (Vec<String>, Expect) {
    let mut args = strings(&["api", "list_workspaces"]);
    args.extend(
        case.query
            .iter()
            .map(|(name, value)| format!("{name}={}", value.scalar())),
    );
    (args, Expect::Listed(listed_ids(case, "workspaces")))
}

/// `api show_workspace`, which takes the workspace from `--workspace-id`
/// as every case's call is given it.
fn show_workspace(case: &Case, _: &Path, _: Scenario) -> (Vec<String>, Expect) {
    let id = case.path_value("workspace_id").unwrap_or_default();
    let args = strings(&["api", "show_workspace"]);
    (args, Expect::Prints(format!("\"{id}\"")))
}

/// Any simple JSON GET, with no code for it: `api OPERATION` with the
/// case's path values (but the project and workspace, which go as flags)
/// and query as `NAME=VALUE`; the answer must print every text and number
/// the case expects, as JSON writes them.
fn generic_get(case: &Case, _: &Path, _: Scenario) -> (Vec<String>, Expect) {
    let mut args = strings(&["api", case.operation]);
    let path = case
        .path
        .iter()
        .filter(|(name, _)| !matches!(*name, "project_id" | "workspace_id"))
        .map(|(name, value)| format!("{name}={value}"));
    let query = case
        .query
        .iter()
        .map(|(name, value)| format!("{name}={}", value.scalar()));
    args.extend(path.chain(query));
    let mut texts = Vec::new();
    leaves(&case.expect, &mut texts);
    (args, Expect::PrintsAll(texts))
}

fn leaves(json: &Json, out: &mut Vec<String>) {
    match json {
        Json::Str(s) => out.push(cases::json_string(s)),
        Json::Int(n) => out.push(n.to_string()),
        Json::Bool(b) => out.push(b.to_string()),
        Json::Arr(items) => items.iter().for_each(|item| leaves(item, out)),
        Json::Obj(fields) => fields.iter().for_each(|(_, value)| leaves(value, out)),
    }
}

/// How `secmaster` calls `operation`: its entry in [`COMMANDS`], else
/// [`generic_get`] when the document says it is a simple JSON GET.
fn command_for(operation: &str, simple_gets: &[&str]) -> Option<CommandLine> {
    COMMANDS
        .iter()
        .find(|(name, _)| *name == operation)
        .map(|(_, command)| *command)
        .or_else(|| {
            simple_gets
                .contains(&operation)
                .then_some(generic_get as CommandLine)
        })
}

/// One line per operation (of `needed`) `secmaster` has no way to call.
fn no_way(needed: &[&str], simple_gets: &[&str]) -> Vec<String> {
    needed
        .iter()
        .filter(|op| command_for(op, simple_gets).is_none())
        .map(|op| {
            format!("rust_cli.rs: no way to call {op} (no secmaster command for it in COMMANDS)")
        })
        .collect()
}

pub fn calls(
    layout: &Layout,
    built: &Built,
    operations: &[Operation],
    auth: Auth,
) -> Result<String, String> {
    let all = cases::cases(&built.seeded);
    let simple_gets: Vec<&str> = operations
        .iter()
        .filter(|op| op.simple_get)
        .map(|op| op.id.as_str())
        .collect();
    let missing = no_way(
        &coverage::needed(operations, &cases::operations()),
        &simple_gets,
    );
    if !missing.is_empty() {
        return Err(missing.join("\n"));
    }
    let mut notes = Vec::new();
    for scenario in Scenario::BOTH {
        let run = Run {
            layout,
            label: "rust",
            auth,
            scenario,
        };
        let done = with_sim(&built.sim, &run, |base_url| {
            let mut done = Vec::new();
            for case in &all {
                let command_line = command_for(case.operation, &simple_gets)
                    .ok_or_else(|| format!("rust_cli.rs: no way to call {}", case.operation))?;
                let (args, expect) = command_line(case, &run.files(), scenario);
                let mut cmd = secmaster(&built.cli, base_url, auth, case, &args);
                let what = describe(&cmd);
                let out = capture(&mut cmd, CALL_LIMIT)?;
                match scenario {
                    Scenario::Ok => expect_success(&what, &out, &expect)?,
                    Scenario::Error => expect_error(&what, &out, &expect)?,
                }
                done.push(case.operation);
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
        Expect::PrintsAll(texts) => {
            if let Some(text) = texts.iter().find(|t| !out.stdout.contains(t.as_str())) {
                return Err(format!("`{what}` printed no {text}:\n{}", out.combined()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_without_a_command_fails_naming_it_and_the_driver() {
        let document = [
            "list_workflows",
            "show_workflow",
            "export_workflows",
            "import_workflows",
            "list_workspaces",
            "show_workspace",
        ];
        assert_eq!(no_way(&document, &[]), Vec::<String>::new());
        let found = no_way(&["list_workflows", "list_extra_things"], &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("rust_cli.rs: no way to call list_extra_things"),
            "{found:?}"
        );
        // A simple JSON GET is called through `secmaster api`.
        assert!(no_way(&["list_extra_things"], &["list_extra_things"]).is_empty());
        let case = Case {
            query: vec![("limit", Json::Int(5))],
            ..Case::new_for_tests(
                "list_extra_things",
                &[("project_id", "p"), ("thing_id", "t 1")],
                Json::Obj(vec![("name", Json::text("a\"b")), ("count", Json::Int(3))]),
            )
        };
        let (args, expect) = generic_get(&case, Path::new("."), Scenario::Ok);
        assert_eq!(
            args,
            ["api", "list_extra_things", "thing_id=t 1", "limit=5"]
        );
        match expect {
            Expect::PrintsAll(texts) => assert_eq!(texts, ["\"a\\\"b\"", "3"]),
            _ => panic!("a generic call expects texts"),
        }
    }
}
