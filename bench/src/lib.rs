//! What the client-side benchmark binaries share.

use std::future::Future;
use std::process::ExitCode;

/// Runs one measurement on a current-thread runtime (as the CLI does) and
/// reports it: its one result line on standard output, or the error on
/// standard error with a failing exit code.
pub fn report(measurement: impl Future<Output = Result<String, String>>) -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    match runtime.block_on(measurement) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
