//! The workspaces a backup comes from: one, named, or every one of the
//! project.

use secmaster_client::operations::{LIST_WORKSPACES, SHOW_WORKSPACE};
use secmaster_client::types::{ListWorkspacesResponse, ShowWorkspaceResponse};
use secmaster_client::{Args, Input, SecMasterClient};

use crate::error::Error;

/// Workspaces asked for per page.
const PAGE: usize = 100;

/// A workspace: its id and, when the service gave one, its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
}

/// The workspace `id`, with its name. A workspace that does not exist is
/// the service's refusal (403).
pub async fn one(client: &SecMasterClient, project: &str, id: &str) -> Result<Workspace, Error> {
    let args = Args::new()
        .set("project_id", project)
        .set("workspace_id", id);
    let shown: ShowWorkspaceResponse = client
        .execute_json(&SHOW_WORKSPACE, &args, Input::None)
        .await?;
    Ok(Workspace {
        id: id.to_owned(),
        name: shown.workspace.and_then(|w| w.name),
    })
}

/// Every workspace of the project, views left out (a view shows other
/// workspaces' data; it holds no workflows of its own).
pub async fn all(client: &SecMasterClient, project: &str) -> Result<Vec<Workspace>, Error> {
    let mut found = Vec::new();
    let mut offset = 0usize;
    loop {
        let args = Args::new()
            .set("project_id", project)
            .set("offset", offset)
            .set("limit", PAGE);
        let page: ListWorkspacesResponse = client
            .execute_json(&LIST_WORKSPACES, &args, Input::None)
            .await?;
        let held = page.workspaces.len();
        offset += held;
        for w in page.workspaces {
            if w.is_view == Some(true) {
                continue;
            }
            let id = w.id.filter(|id| !id.is_empty()).ok_or_else(|| {
                Error::InvalidInput("the service listed a workspace without an id".into())
            })?;
            found.push(Workspace { id, name: w.name });
        }
        let total = page.count.map_or(usize::MAX, |c| c as usize);
        if held == 0 || offset >= total {
            return Ok(found);
        }
    }
}
