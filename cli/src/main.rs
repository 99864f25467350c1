//! `secmaster`: a command-line client for Huawei Cloud SecMaster's workflow
//! export API, on top of the `secmaster-client` library.
#![forbid(unsafe_code)]

mod cli;
mod exit;
mod export;
mod filename;
mod ids;
mod output;
mod progress;
mod settings;
mod signals;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use crate::cli::{Cli, Command, Workflows};

fn main() -> ExitCode {
    // Help, version and usage errors: clap prints them and exits (0 or 2).
    let cli = Cli::try_parse().unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "secmaster",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Workflows(Workflows::Export(args)) => {
            if args.verbose {
                init_tracing();
            }
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            let result = match runtime {
                Ok(runtime) => runtime.block_on(export::run(args, &settings::process_env)),
                Err(e) => Err(exit::Failure::io("cannot start the async runtime", &e)),
            };
            match result {
                Ok(()) => ExitCode::from(exit::OK),
                Err(failure) => {
                    eprintln!("error: {failure}");
                    ExitCode::from(failure.exit_code())
                }
            }
        }
    }
}

/// `--verbose`: the library's events (one per attempt, retries, the
/// response) and this program's, at debug level, on standard error. Neither
/// ever logs credentials or headers that carry them.
fn init_tracing() {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = Targets::new()
        .with_target("secmaster_client", tracing::Level::DEBUG)
        .with_target("secmaster", tracing::Level::DEBUG);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::DEBUG)
        .finish()
        .with(filter);
    let _ = subscriber.try_init();
}
