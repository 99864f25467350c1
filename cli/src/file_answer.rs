//! A file answer (`workflows export`, `api` for an operation that answers
//! with a file) saved where `--output` says: the output made ready and the
//! signals caught before the request is sent, the body streamed in, one
//! summary line. The one save path of the command.

use std::future::Future;
use std::path::{Path, PathBuf};

use secmaster_client::WorkflowFile;
use secmaster_client::untrusted::escape;

use crate::exit::{Failure, shown};
use crate::filename;
use crate::output::{self, Empty, Output};
use crate::progress::Progress;
use crate::signals::Signals;
use crate::stderr;
use crate::summary;

/// What an interrupted download says.
const INTERRUPTED: &str = "interrupted; the partial download was removed and nothing was saved";

/// Where the file goes, as the command line said.
pub struct Destination<'a> {
    /// `--output`.
    pub output: Option<&'a Path>,
    /// `--force`.
    pub force: bool,
    /// `--quiet`: no progress bar, no summary.
    pub quiet: bool,
    /// The file name when the service suggests none that can be used.
    pub fallback_name: String,
}

/// Sends `request` once `to` is ready, and saves or prints the file it
/// answers with. The request also says how many workflows it asked for,
/// when it knows: the summary line counts them.
pub async fn save(
    to: Destination<'_>,
    request: impl Future<Output = Result<(WorkflowFile, Option<usize>), Failure>>,
) -> Result<(), Failure> {
    // Listen before the temporary file exists, so that no signal can end the
    // process with the file left behind. Standard output and devices have
    // nothing to clean up: there an interrupt ends the process as usual.
    let signals = if output::is_stream(to.output) {
        None
    } else {
        Some(Signals::new()?)
    };
    // Before sending anything: refuse when the answer could not be saved
    // (the output exists, the directory is not writable).
    let output = Output::prepare(to.output, to.force)?;
    let work = async {
        let (file, workflows) = request.await?;
        tracing::debug!(
            target: "secmaster",
            request_id = %escape(file.request_id().unwrap_or("-")),
            content_length = file.content_length(),
            content_disposition = %escape(file.content_disposition().unwrap_or("-")),
            "the file is arriving"
        );
        receive(file, workflows, output, &to).await
    };
    let Some(mut signals) = signals else {
        return work.await;
    };
    tokio::select! {
        result = work => result,
        // Dropping `work` drops the temporary file, which removes it.
        signal = signals.recv() => Err(Failure::Interrupted(signal, INTERRUPTED)),
    }
}

/// Saves or prints the body, then says what was done: `exported 25
/// workflows (28,408 bytes) to backup.json` when the number of `workflows`
/// asked for is known, else `saved 28408 bytes to backup.json`.
async fn receive(
    mut file: WorkflowFile,
    workflows: Option<usize>,
    output: Output,
    to: &Destination<'_>,
) -> Result<(), Failure> {
    let request_id = file
        .request_id()
        .map(|id| format!(" (request id {})", escape(id)))
        .unwrap_or_default();
    let progress = Progress::new(!to.quiet, file.content_length());
    // An export always holds something; an operation of `api` may mean an
    // empty file.
    let empty = if workflows.is_some() {
        Empty::Refused
    } else {
        Empty::Allowed
    };
    let (verb, bytes, place) = match output {
        Output::Stdout(out) => {
            let what = "standard output";
            let bytes = output::stream_to(&mut file, out, what, &progress).await?;
            empty.check(bytes)?;
            ("wrote", bytes, what.to_owned())
        }
        Output::Device(path, out) => {
            let what = shown(&path);
            let bytes = output::stream_to(&mut file, out, &what, &progress).await?;
            empty.check(bytes)?;
            ("wrote", bytes, what)
        }
        Output::File(path, part) => {
            let bytes = output::save(file, part, &path, to.force, empty, &progress).await?;
            ("saved", bytes, shown(&path))
        }
        Output::Directory(dir, part) => {
            let name = file_name(&file, &to.fallback_name);
            let path = dir.map_or_else(|| PathBuf::from(&name), |d| d.join(&name));
            if !to.force && std::fs::symlink_metadata(&path).is_ok() {
                return Err(output::exists_failure(&path));
            }
            let bytes = output::save(file, part, &path, to.force, empty, &progress).await?;
            ("saved", bytes, shown(&path))
        }
    };
    drop(progress);
    tracing::debug!(target: "secmaster", bytes, "done");
    if !to.quiet {
        let what = match workflows {
            Some(n) => format!(
                "exported {} ({} bytes) to {place}",
                summary::count(n as u64, "workflow"),
                summary::thousands(bytes)
            ),
            None => format!("{verb} {bytes} bytes to {place}"),
        };
        stderr::line(format_args!("{what}{request_id}"));
    }
    Ok(())
}

/// The name the service suggests, made safe, else `fallback`.
fn file_name(file: &WorkflowFile, fallback: &str) -> String {
    let suggested = file
        .content_disposition()
        .and_then(filename::from_content_disposition);
    let Some(suggested) = suggested else {
        return fallback.to_owned();
    };
    match filename::sanitise(&suggested) {
        Some(safe) => {
            if safe != suggested {
                stderr::line(format_args!(
                    "warning: the service suggested the file name \"{}\"; saving as \"{}\"",
                    escape(&suggested),
                    escape(&safe)
                ));
            }
            safe
        }
        None => {
            stderr::line(format_args!(
                "warning: the service suggested the unusable file name \"{}\"; saving as \"{}\"",
                escape(&suggested),
                escape(fallback)
            ));
            fallback.to_owned()
        }
    }
}
