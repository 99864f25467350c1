//! `secmaster workflows export`.

use std::path::PathBuf;

use secmaster_client::untrusted::escape;
use secmaster_client::{ListAllOptions, WorkflowFile};

use crate::cli::ExportArgs;
use crate::exit::{Failure, shown};
use crate::filename;
use crate::ids;
use crate::output::{self, Output};
use crate::progress::Progress;
use crate::session::Session;
use crate::settings::Lookup;
use crate::signals::Signals;
use crate::stderr;

pub async fn run(args: ExportArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let stdin = |p: &Option<PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if stdin(&args.ids_file) && stdin(&args.connection.token_file) {
        return Err(Failure::Usage(
            "--ids-file and --token-file cannot both read standard input".into(),
        ));
    }
    let filters = args.filters.given();
    if !args.all && !filters.is_empty() {
        let verb = if filters.len() == 1 {
            "applies"
        } else {
            "apply"
        };
        return Err(Failure::Usage(format!(
            "{} {verb} only with --all (filters choose which workflows to list and export)",
            filters.join(", ")
        )));
    }
    if !args.all && args.ids.is_empty() && args.ids_file.is_none() {
        return Err(Failure::Usage(
            "no workflow ids: pass --id ID (repeatable), --ids-file FILE or --all".into(),
        ));
    }
    let ids = if args.all {
        Vec::new()
    } else {
        ids::collect(&args.ids, args.ids_file.as_deref())?
    };
    let session = Session::resolve(&args.connection, env)?;
    let (client, project, workspace) =
        (&session.client, &session.project_id, &session.workspace_id);
    tracing::debug!(target: "secmaster", ids = ids.len(), all = args.all, "exporting workflows");
    // Listen before the temporary file exists, so that no signal can end the
    // process with the file left behind. Standard output and devices have
    // nothing to clean up: there an interrupt ends the process as usual.
    let signals = if output::is_stream(args.output.as_deref()) {
        None
    } else {
        Some(Signals::new()?)
    };
    // Before sending anything: refuse when the answer could not be saved
    // (the output exists, the directory is not writable).
    let output = Output::prepare(args.output.as_deref(), args.force)?;

    let work = async {
        let ids = if args.all {
            let query = crate::list::query(&args.filters);
            let all = client
                .list_all_workflows(project, workspace, &query, ListAllOptions::default())
                .await?;
            let ids: Vec<String> = all.items.into_iter().filter_map(|w| w.id).collect();
            if ids.is_empty() {
                let why = if filters.is_empty() {
                    "the workspace has no workflows".to_owned()
                } else {
                    format!("no workflow matches {}", filters.join(", "))
                };
                return Err(Failure::Usage(format!("{why}; nothing was written")));
            }
            tracing::debug!(target: "secmaster", ids = ids.len(), "exporting every listed workflow");
            ids
        } else {
            ids
        };
        let file = client.export_workflows(project, workspace, &ids).await?;
        tracing::debug!(
            target: "secmaster",
            request_id = %escape(file.request_id().unwrap_or("-")),
            content_length = file.content_length(),
            content_disposition = %escape(file.content_disposition().unwrap_or("-")),
            "the file is arriving"
        );
        receive(file, output, &args, workspace).await
    };

    let Some(mut signals) = signals else {
        return work.await;
    };
    tokio::select! {
        result = work => result,
        // Dropping `work` drops the temporary file, which removes it.
        signal = signals.recv() => Err(Failure::Interrupted(signal)),
    }
}

/// Saves or prints the body, then says what was done.
async fn receive(
    mut file: WorkflowFile,
    output: Output,
    args: &ExportArgs,
    workspace_id: &str,
) -> Result<(), Failure> {
    let request_id = file
        .request_id()
        .map(|id| format!(" (request id {})", escape(id)))
        .unwrap_or_default();
    let progress = Progress::new(!args.connection.quiet, file.content_length());
    let (what, bytes) = match output {
        Output::Stdout(out) => {
            let what = "standard output";
            let bytes = output::stream_to(&mut file, out, what, &progress).await?;
            (format!("wrote {bytes} bytes to {what}"), bytes)
        }
        Output::Device(path, out) => {
            let what = shown(&path);
            let bytes = output::stream_to(&mut file, out, &what, &progress).await?;
            (format!("wrote {bytes} bytes to {what}"), bytes)
        }
        Output::File(path, part) => {
            let bytes = output::save(file, part, &path, args.force, &progress).await?;
            (format!("saved {bytes} bytes to {}", shown(&path)), bytes)
        }
        Output::Directory(dir, part) => {
            let name = file_name(&file, workspace_id);
            let path = dir.map_or_else(|| PathBuf::from(&name), |d| d.join(&name));
            if !args.force && std::fs::symlink_metadata(&path).is_ok() {
                return Err(output::exists_failure(&path));
            }
            let bytes = output::save(file, part, &path, args.force, &progress).await?;
            (format!("saved {bytes} bytes to {}", shown(&path)), bytes)
        }
    };
    drop(progress);
    tracing::debug!(target: "secmaster", bytes, "done");
    if !args.connection.quiet {
        stderr::line(format_args!("{what}{request_id}"));
    }
    Ok(())
}

/// The name the service suggests, made safe, else the default.
fn file_name(file: &WorkflowFile, workspace_id: &str) -> String {
    let suggested = file
        .content_disposition()
        .and_then(filename::from_content_disposition);
    let Some(suggested) = suggested else {
        return filename::default_name(workspace_id);
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
            let default = filename::default_name(workspace_id);
            stderr::line(format_args!(
                "warning: the service suggested the unusable file name \"{}\"; saving as \"{}\"",
                escape(&suggested),
                escape(&default)
            ));
            default
        }
    }
}
