//! `secmaster workspaces list` and `secmaster workspaces show`: the
//! project's workspaces, to find the id the workflow commands take.

use secmaster_client::{Error, ListAllOptions, SecMasterClient, WorkspaceQuery};

use crate::cli::{ProjectArgs, WorkspacesListArgs, WorkspacesShowArgs};
use crate::exit::Failure;
use crate::format;
use crate::output::stdout_file;
use crate::query::Query;
use crate::session;
use crate::settings::{Lookup, Settings};
use crate::summary;

pub async fn list(args: WorkspacesListArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let query = Query::given(args.query.as_deref())?;
    let (client, project_id) = connect(&args.connection, env)?;
    let out = stdout_file()?;
    let mut request = WorkspaceQuery::new();
    request.name = args.name.clone();
    request.offset = args.offset.unwrap_or(0);
    let (workspaces, note, unread) = if args.all {
        let mut options = ListAllOptions::default();
        options.page_size = args.limit;
        let all = client
            .list_all_workspaces(&project_id, &request, options)
            .await?;
        let note = summary::all("workspace", all.items.len() as u64, all.pages);
        (all.items, note, false)
    } else {
        if let Some(limit) = args.limit {
            request.limit = limit;
        }
        let page = client.list_workspaces(&project_id, &request).await?;
        // The document types the count as a number.
        let total = page
            .count
            .filter(|c| *c >= 0.0 && c.fract() == 0.0)
            .map(|c| c as u64);
        let (start, shown) = (u64::from(request.offset), page.workspaces.len() as u64);
        let note = summary::page("workspace", start, shown, total);
        (
            page.workspaces,
            note,
            summary::left_unread(start, shown, total),
        )
    };
    format::print_list(
        out,
        &workspaces,
        (args.format, query.as_ref()),
        (&format::WORKSPACES, crate::fields::WORKSPACE),
        "workspace",
        |w| w.id.as_deref(),
    )?;
    summary::say(&note, args.format, args.connection.service.quiet, unread);
    Ok(())
}

pub async fn show(args: WorkspacesShowArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let query = Query::given(args.query.as_deref())?;
    let (client, project_id) = connect(&args.connection, env)?;
    let out = stdout_file()?;
    let workspace_id = args.workspace_id.trim();
    let answer = client
        .show_workspace(&project_id, workspace_id)
        .await
        .map_err(|e| Failure::from(e).of_workspace(workspace_id))?;
    let Some(workspace) = answer.workspace else {
        return Err(Failure::Client(Error::Unexpected(
            "the service's answer holds no workspace".into(),
        )));
    };
    format::print_object(
        out,
        &workspace,
        (args.format.into(), query.as_ref()),
        crate::fields::WORKSPACE,
    )
}

/// A client and the project: these commands need no workspace.
fn connect(args: &ProjectArgs, env: Lookup<'_>) -> Result<(SecMasterClient, String), Failure> {
    let settings = Settings::for_project(args, env)?;
    let (client, [project_id]) = session::connect(&settings, env, [settings.project_id()])?;
    session::check_project_id(&project_id, &settings);
    Ok((client, project_id))
}
