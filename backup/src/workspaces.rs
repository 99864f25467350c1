//! The workspaces a backup comes from: one, named, or every one of the
//! project.

use secmaster_client::{ListAllOptions, SecMasterClient, WorkspaceQuery};

use crate::error::Error;

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
    let shown = client.show_workspace(project, id).await?;
    Ok(Workspace {
        id: id.to_owned(),
        name: shown.workspace.and_then(|w| w.name),
    })
}

/// Every workspace of the project, views left out (a view shows other
/// workspaces' data; it holds no workflows of its own).
pub async fn all(
    client: &SecMasterClient,
    project: &str,
    options: ListAllOptions,
) -> Result<Vec<Workspace>, Error> {
    let query = WorkspaceQuery::new().is_view(false);
    let listed = client.list_all_workspaces(project, &query, options).await?;
    listed
        .items
        .into_iter()
        .filter(|w| w.is_view != Some(true))
        .map(|w| match w.id.filter(|id| !id.is_empty()) {
            Some(id) => Ok(Workspace { id, name: w.name }),
            None => Err(Error::InvalidInput(
                "the service listed a workspace without an id".into(),
            )),
        })
        .collect()
}
