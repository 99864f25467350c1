//! `secmaster workflows export`.

use std::path::PathBuf;

use secmaster_client::ListAllOptions;
use secmaster_client::untrusted::escape;

use crate::cli::ExportArgs;
use crate::exit::Failure;
use crate::file_answer::{self, Destination};
use crate::filename;
use crate::ids;
use crate::session::Session;
use crate::settings::Lookup;

pub async fn run(args: ExportArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let stdin = |p: &Option<PathBuf>| {
        p.as_deref()
            .is_some_and(crate::output::names_standard_input)
    };
    if stdin(&args.ids_file) && stdin(&args.connection.service.token_file) {
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
    // Settings first: with no workspace, an upstream `list --format ids`
    // failed for the same reason, and its empty output would be reported
    // here as "no workflow ids".
    let session = Session::resolve(&args.connection, env)?;
    let ids = if args.all {
        Vec::new()
    } else {
        ids::collect(&args.ids, args.ids_file.as_deref())?
    };
    let (client, project, workspace) =
        (&session.client, &session.project_id, &session.workspace_id);
    let session = &session;
    tracing::debug!(target: "secmaster", ids = ids.len(), all = args.all, "exporting workflows");
    let destination = Destination {
        output: args.output.as_deref(),
        force: args.force,
        quiet: args.connection.service.quiet,
        fallback_name: filename::default_name(workspace),
    };
    let request = async {
        let ids = if args.all {
            let (all, _) =
                crate::list::list_all(session, &args.filters, None, ListAllOptions::default())
                    .await?;
            let ids: Vec<String> = all.into_iter().filter_map(|w| w.id).collect();
            if ids.is_empty() {
                let shown = escape(workspace);
                let why = if filters.is_empty() {
                    format!("workspace \"{shown}\" has no workflows")
                } else {
                    format!(
                        "no workflow of workspace \"{shown}\" matches {}",
                        filters.join(", ")
                    )
                };
                return Err(Failure::Usage(format!("{why}; nothing was written")));
            }
            tracing::debug!(target: "secmaster", ids = ids.len(), "exporting every listed workflow");
            ids
        } else {
            ids
        };
        let file = client.export_workflows(project, workspace, &ids).await?;
        Ok((file, Some(ids.len())))
    };
    file_answer::save(destination, request)
        .await
        .map_err(|f| f.of_workspace(workspace))
}
