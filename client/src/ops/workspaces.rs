//! The project's workspaces (`GET /v1/{project_id}/workspaces`, and one by
//! id): thin typed calls over [`SecMasterClient::execute_json`] and the
//! pager.

use crate::error::Error;
use crate::operations::{LIST_WORKSPACES, SHOW_WORKSPACE};
use crate::ops::{Input, ListAll, ListAllOptions};
use crate::types::{ListWorkspacesResponse, ShowWorkspaceResponse, Workspace};
use crate::{Args, SecMasterClient};

/// Filters and paging of a workspace list. The API requires `offset` and
/// `limit`; by default they are 0 and 10. The document's other filters
/// (`region_id`, `ids`, `create_time_start`, ...) are sent with
/// [`SecMasterClient::execute`] or [`SecMasterClient::list_all`] and
/// [`Args`].
///
/// # Example
///
/// ```no_run
/// use secmaster_client::{SecMasterClient, WorkspaceQuery};
///
/// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
/// let query = WorkspaceQuery::new().name("prod").offset(0).limit(50);
/// let page = client.list_workspaces("<project_id>", &query).await?;
/// println!("{} of {:?}", page.workspaces.len(), page.count);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkspaceQuery {
    /// Workspaces whose name matches (as the service matches names).
    pub name: Option<String>,
    /// Workspaces whose description matches.
    pub description: Option<String>,
    /// Workspace views (`true`) or workspaces (`false`).
    pub is_view: Option<bool>,
    /// Workspaces to skip.
    pub offset: u32,
    /// Page size.
    pub limit: u32,
}

impl Default for WorkspaceQuery {
    fn default() -> Self {
        WorkspaceQuery {
            name: None,
            description: None,
            is_view: None,
            offset: 0,
            limit: 10,
        }
    }
}

impl WorkspaceQuery {
    /// No filters, the first 10.
    pub fn new() -> Self {
        WorkspaceQuery::default()
    }
    /// Sets [`WorkspaceQuery::name`].
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Sets [`WorkspaceQuery::description`].
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
    /// Sets [`WorkspaceQuery::is_view`].
    pub fn is_view(mut self, is_view: bool) -> Self {
        self.is_view = Some(is_view);
        self
    }
    /// Sets [`WorkspaceQuery::offset`].
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = offset;
        self
    }
    /// Sets [`WorkspaceQuery::limit`].
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = limit;
        self
    }

    /// The query as the operation's arguments.
    fn args(&self, project_id: &str) -> Args {
        let mut args = Args::new()
            .set("project_id", project_id)
            .set("offset", self.offset)
            .set("limit", self.limit);
        if let Some(name) = &self.name {
            args.insert("name", name);
        }
        if let Some(description) = &self.description {
            args.insert("description", description);
        }
        if let Some(is_view) = self.is_view {
            args.insert("is_view", is_view);
        }
        args
    }
}

impl SecMasterClient {
    /// One page of the project's workspaces. Safe to retry. Fields the
    /// document does not name are kept in each object's `extra`.
    ///
    /// An empty `project_id` is the client's default project
    /// ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    ///
    /// To fetch every page, see [`SecMasterClient::list_all_workspaces`].
    pub async fn list_workspaces(
        &self,
        project_id: &str,
        query: &WorkspaceQuery,
    ) -> Result<ListWorkspacesResponse, Error> {
        self.execute_json(&LIST_WORKSPACES, &query.args(project_id), Input::None)
            .await
    }

    /// Every workspace of the project that matches `query` (its `offset`
    /// is where listing starts; its `limit` is ignored in favour of
    /// `options.page_size`), through [`SecMasterClient::list_all`]. Fails
    /// with [`Error::Unexpected`] when the pages hold fewer workspaces than
    /// the service's `count` promised.
    ///
    /// An empty `project_id` is the client's default project
    /// ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    pub async fn list_all_workspaces(
        &self,
        project_id: &str,
        query: &WorkspaceQuery,
        options: ListAllOptions,
    ) -> Result<ListAll<Workspace>, Error> {
        self.list_all(&LIST_WORKSPACES, &query.args(project_id), options)
            .await
    }

    /// One workspace, by ID; the workspace is the answer's `workspace`. A
    /// workspace that does not exist is answered with HTTP 403 and code
    /// `SecMaster.20010001` ([`Error::Api`]).
    ///
    /// An empty `project_id` is the client's default project
    /// ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    pub async fn show_workspace(
        &self,
        project_id: &str,
        workspace_id: &str,
    ) -> Result<ShowWorkspaceResponse, Error> {
        let args = Args::new()
            .set("project_id", project_id)
            .set("workspace_id", workspace_id);
        self.execute_json(&SHOW_WORKSPACE, &args, Input::None).await
    }
}
