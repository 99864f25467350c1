//! `secmaster workflows export`.

use std::path::PathBuf;

use secmaster_client::ListAllOptions;

use crate::cli::ExportArgs;
use crate::exit::Failure;
use crate::file_answer::{self, Destination};
use crate::filename;
use crate::ids;
use crate::session::Session;
use crate::settings::Lookup;

pub async fn run(args: ExportArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let stdin = |p: &Option<PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
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
    let ids = if args.all {
        Vec::new()
    } else {
        ids::collect(&args.ids, args.ids_file.as_deref())?
    };
    let session = Session::resolve(&args.connection, env)?;
    let (client, project, workspace) =
        (&session.client, &session.project_id, &session.workspace_id);
    tracing::debug!(target: "secmaster", ids = ids.len(), all = args.all, "exporting workflows");
    let destination = Destination {
        output: args.output.as_deref(),
        force: args.force,
        quiet: args.connection.service.quiet,
        fallback_name: filename::default_name(workspace),
    };
    let request = async {
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
        Ok(client.export_workflows(project, workspace, &ids).await?)
    };
    file_answer::save(destination, request)
        .await
        .map_err(|f| f.of_workspace(workspace))
}
