//! `secmaster`: a command-line client for Huawei Cloud SecMaster's workflow
//! API, on top of the `secmaster-client` library.
// Denied rather than forbidden: closed_at_start.rs and reader_gone.rs,
// alone, allow it (fcntl and poll calls).
#![deny(unsafe_code)]
// Standard error goes through `stderr::line` (a failed write must not
// panic), standard output through `output::stdout_file` (which checks that
// it can be written before any request).
#![deny(clippy::print_stderr, clippy::print_stdout)]

mod api;
mod backup;
mod backup_cli;
mod cli;
mod closed_at_start;
mod config;
mod config_file;
mod diff;
mod exit;
mod export;
mod fields;
mod file_answer;
mod filename;
mod format;
mod ids;
mod import;
mod list;
mod man;
mod output;
mod progress;
mod query;
#[cfg(unix)]
mod reader_gone;
mod restore;
mod session;
mod settings;
mod show;
mod signals;
mod spool;
mod stderr;
mod summary;
mod workspaces;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::backup_cli::{Backup, ReportFormat};
use crate::cli::{Cli, Command, Config, Format, ServiceArgs, Workflows, Workspaces};
use crate::exit::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Usage errors: clap prints them on standard error and exits 2.
        Err(e) if e.use_stderr() => e.exit(),
        // Help and version: through the checked standard output, so that a
        // full, closed or read-only one fails as it does for any output.
        Err(e) => {
            let text = e.render();
            let text = match std::io::stdout().is_terminal() {
                true => text.ansi().to_string(),
                false => text.to_string(),
            };
            return exit_code(print_stdout(text.as_bytes()), false);
        }
    };
    let json = json_errors(&cli.command);
    exit_code(run(cli), json)
}

/// The exit code of `outcome`, after the one report of a failure.
fn exit_code(outcome: Result<(), Failure>, json: bool) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::from(exit::OK),
        Err(failure) => {
            exit::report(&failure, json);
            ExitCode::from(failure.exit_code())
        }
    }
}

/// Runs one command. Every failure comes back to `main`, to the one
/// printer, [`exit::report`].
fn run(cli: Cli) -> Result<(), Failure> {
    let service = match &cli.command {
        Command::Completions { shell } => {
            // Into memory first: `generate` panics on a write error.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "secmaster", &mut script);
            return print_stdout(&script);
        }
        Command::Man { command } => return print_stdout(&man::page(command)?),
        command => service_args(command),
    };
    if let Some(service) = service {
        if service.dry_run && !matches!(cli.command, Command::Restore(_)) {
            return Err(no_dry_run(&cli.command));
        }
        if service.verbose {
            init_tracing();
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::io("cannot start the async runtime", &e))?;
    let env = &settings::process_env;
    runtime.block_on(async {
        match cli.command {
            Command::Workflows(workflows) => match *workflows {
                Workflows::List(args) => list::run(args, env).await,
                Workflows::Show(args) => show::run(args, env).await,
                Workflows::Import(args) => import::run(args, env).await,
                Workflows::Export(args) => export::run(args, env).await,
                Workflows::Diff(args) => diff::run(args, env).await,
            },
            Command::Workspaces(workspaces) => match *workspaces {
                Workspaces::List(args) => workspaces::list(args, env).await,
                Workspaces::Show(args) => workspaces::show(args, env).await,
            },
            Command::Api(args) => api::run(*args, env).await,
            Command::Config(config) => match *config {
                Config::List(args) => config::list(args, env),
            },
            Command::Backup(backup) => match *backup {
                Backup::Create(args) => backup::create(args, env).await,
                Backup::Describe(args) => backup::describe(args),
                Backup::Verify(args) => backup::verify(args),
            },
            Command::Restore(args) => restore::run(*args, env).await,
            // Printed above, with no runtime.
            Command::Completions { .. } | Command::Man { .. } => Ok(()),
        }
    })
}

/// The connection flags of a command that calls the service.
fn service_args(command: &Command) -> Option<&ServiceArgs> {
    Some(match command {
        Command::Workflows(workflows) => match workflows.as_ref() {
            Workflows::List(a) => &a.connection.service,
            Workflows::Show(a) => &a.connection.service,
            Workflows::Import(a) => &a.connection.service,
            Workflows::Export(a) => &a.connection.service,
            Workflows::Diff(a) => &a.connection.service,
        },
        Command::Workspaces(workspaces) => match workspaces.as_ref() {
            Workspaces::List(a) => &a.connection.service,
            Workspaces::Show(a) => &a.connection.service,
        },
        Command::Api(a) => &a.connection.service,
        Command::Config(config) => match config.as_ref() {
            Config::List(a) => &a.service,
        },
        Command::Backup(backup) => match backup.as_ref() {
            Backup::Create(a) => &a.connection.service,
            Backup::Describe(_) | Backup::Verify(_) => return None,
        },
        Command::Restore(a) => &a.connection.service,
        Command::Completions { .. } | Command::Man { .. } => return None,
    })
}

/// Whether a failure is also reported as a JSON object: under `--format
/// json`.
fn json_errors(command: &Command) -> bool {
    let format = match command {
        Command::Workflows(workflows) => match workflows.as_ref() {
            Workflows::List(a) => a.format,
            Workflows::Show(a) => a.format.into(),
            Workflows::Import(a) => a.format.into(),
            Workflows::Export(_) => return false,
            Workflows::Diff(a) => return a.format == ReportFormat::Json,
        },
        Command::Workspaces(workspaces) => match workspaces.as_ref() {
            Workspaces::List(a) => a.format,
            Workspaces::Show(a) => a.format.into(),
        },
        Command::Backup(backup) => match backup.as_ref() {
            Backup::Describe(a) => return a.format == ReportFormat::Json,
            Backup::Create(_) | Backup::Verify(_) => return false,
        },
        Command::Restore(a) => return a.format == ReportFormat::Json,
        Command::Api(_)
        | Command::Config(_)
        | Command::Completions { .. }
        | Command::Man { .. } => return false,
    };
    format == Format::Json
}

/// `--dry-run`, which no command has: what each command does instead.
fn no_dry_run(command: &Command) -> Failure {
    let instead = match command {
        Command::Workflows(workflows) => match workflows.as_ref() {
            Workflows::Import(_) => {
                "import checks the file before anything is sent (it must be readable, not empty \
                 and not a listing); secmaster workflows list shows what a workspace holds"
            }
            Workflows::Export(_) => {
                "secmaster workflows list --all, with the same filters, lists what export --all \
                 would export"
            }
            _ => "this command only reads, and changes nothing",
        },
        Command::Api(_) => {
            "secmaster api checks every argument against the API document before sending, and \
             refuses with exit 2 what the document does not allow"
        }
        Command::Backup(_) => {
            "a backup changes nothing on the service, and writes only into a directory that was \
             new or empty; restore --dry-run shows what a restore would do"
        }
        _ => "this command only reads, and changes nothing",
    };
    Failure::Usage(format!("there is no --dry-run option: {instead}"))
}

/// Writes `bytes` to the checked standard output.
fn print_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = output::stdout_file()?;
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

/// `--verbose`: the library's events (one per attempt, retries, the
/// response) and this program's, at debug level, on standard error. Neither
/// ever logs credentials or headers that carry them; server text in them is
/// escaped.
fn init_tracing() {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = Targets::new()
        .with_target("secmaster_client", tracing::Level::DEBUG)
        .with_target("secmaster", tracing::Level::DEBUG);
    // Without `log_internal_errors`, the subscriber reports a failed write
    // with `eprintln!`, which panics when standard error is broken too.
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .log_internal_errors(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish()
        .with(filter);
    let _ = subscriber.try_init();
}
