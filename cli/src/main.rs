//! `secmaster`: a command-line client for Huawei Cloud SecMaster's workflow
//! API, on top of the `secmaster-client` library.
// Denied rather than forbidden: closed_at_start.rs, alone, allows it.
#![deny(unsafe_code)]
// Standard error goes through `stderr::line` (a failed write must not
// panic), standard output through `output::stdout_file` (which checks that
// it can be written before any request).
#![deny(clippy::print_stderr, clippy::print_stdout)]

mod api;
mod cli;
mod closed_at_start;
mod config;
mod config_file;
mod exit;
mod export;
mod file_answer;
mod filename;
mod format;
mod ids;
mod import;
mod list;
mod man;
mod output;
mod progress;
mod session;
mod settings;
mod show;
mod signals;
mod stderr;
mod summary;
mod workspaces;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command, Config, Workflows, Workspaces};
use crate::exit::Failure;

fn main() -> ExitCode {
    let outcome = match Cli::try_parse() {
        Ok(cli) => run(cli),
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
            print_stdout(text.as_bytes())
        }
    };
    match outcome {
        Ok(()) => ExitCode::from(exit::OK),
        Err(failure) => {
            if failure.is_shown() {
                stderr::line(format_args!("error: {failure}"));
            }
            ExitCode::from(failure.exit_code())
        }
    }
}

/// Runs one command. Every failure comes back here, to the one printer in
/// `main`.
fn run(cli: Cli) -> Result<(), Failure> {
    let verbose = match &cli.command {
        Command::Completions { shell } => {
            // Into memory first: `generate` panics on a write error.
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "secmaster", &mut script);
            return print_stdout(&script);
        }
        Command::Man { command } => return print_stdout(&man::page(command)?),
        Command::Workflows(workflows) => match workflows.as_ref() {
            Workflows::List(a) => a.connection.service.verbose,
            Workflows::Show(a) => a.connection.service.verbose,
            Workflows::Import(a) => a.connection.service.verbose,
            Workflows::Export(a) => a.connection.service.verbose,
        },
        Command::Workspaces(workspaces) => match workspaces.as_ref() {
            Workspaces::List(a) => a.connection.service.verbose,
            Workspaces::Show(a) => a.connection.service.verbose,
        },
        Command::Api(a) => a.connection.service.verbose,
        Command::Config(config) => match config.as_ref() {
            Config::List(a) => a.service.verbose,
        },
    };
    if verbose {
        init_tracing();
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
            },
            Command::Workspaces(workspaces) => match *workspaces {
                Workspaces::List(args) => workspaces::list(args, env).await,
                Workspaces::Show(args) => workspaces::show(args, env).await,
            },
            Command::Api(args) => api::run(*args, env).await,
            Command::Config(config) => match *config {
                Config::List(args) => config::list(args, env),
            },
            // Printed above, with no runtime.
            Command::Completions { .. } | Command::Man { .. } => Ok(()),
        }
    })
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
