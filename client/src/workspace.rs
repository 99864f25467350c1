//! One workspace's workflow operations, without repeating its project and
//! workspace on every call: each method is the client's typed method of the
//! same operation.

use crate::SecMasterClient;
use crate::download::WorkflowFile;
use crate::error::Error;
use crate::ops::{ImportFile, ListAll, ListAllOptions, ListQuery};
use crate::types::{
    AopWorkflowInfo, ImportWorkflowsResponse, ListWorkflowsResponse, ShowWorkflowResponse,
};

/// The workflows of one workspace: made with [`SecMasterClient::workspace`]
/// (in the client's default project) or [`SecMasterClient::workspace_in`].
/// Cheap to clone; it holds a clone of the client.
///
/// A workspace in the default project needs that default: without one,
/// every call is refused with [`Error::InvalidInput`] naming `project_id`.
///
/// # Example
///
/// ```no_run
/// use secmaster_client::{ImportFile, ListAllOptions, ListQuery, Overwrite, SecMasterClient};
///
/// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
/// let workspace = client.workspace("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
/// let all = workspace.list_all(&ListQuery::new(), ListAllOptions::default()).await?;
/// let ids: Vec<&str> = all.items.iter().filter_map(|w| w.id.as_deref()).collect();
/// workspace.export(&ids).await?.save_to_path("workflows.zip", Overwrite::Never).await?;
///
/// // The same file, into a workspace of another project.
/// client
///     .workspace_in("fedcba9876543210fedcba9876543210", "f0e1d2c3-b4a5-4968-8776-655443322110")
///     .import(&ImportFile::from_path("workflows.zip"))
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct WorkspaceClient {
    client: SecMasterClient,
    /// Empty for the client's default.
    project_id: String,
    workspace_id: String,
}

impl SecMasterClient {
    /// The workflows of workspace `workspace_id` in the client's default
    /// project ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    pub fn workspace(&self, workspace_id: &str) -> WorkspaceClient {
        self.workspace_in("", workspace_id)
    }

    /// The workflows of workspace `workspace_id` in project `project_id`
    /// (empty: the client's default).
    pub fn workspace_in(&self, project_id: &str, workspace_id: &str) -> WorkspaceClient {
        WorkspaceClient {
            client: self.clone(),
            project_id: project_id.to_owned(),
            workspace_id: workspace_id.to_owned(),
        }
    }
}

impl WorkspaceClient {
    /// The project: the one given, else the client's default.
    pub fn project_id(&self) -> Option<&str> {
        match self.project_id.as_str() {
            "" => self.client.project_id(),
            given => Some(given),
        }
    }

    /// The workspace.
    pub fn workspace_id(&self) -> &str {
        &self.workspace_id
    }

    /// One page of workflows: [`SecMasterClient::list_workflows`].
    pub async fn list(&self, query: &ListQuery) -> Result<ListWorkflowsResponse, Error> {
        self.client
            .list_workflows(&self.project_id, &self.workspace_id, query)
            .await
    }

    /// Every workflow that matches: [`SecMasterClient::list_all_workflows`].
    pub async fn list_all(
        &self,
        query: &ListQuery,
        options: ListAllOptions,
    ) -> Result<ListAll<AopWorkflowInfo>, Error> {
        self.client
            .list_all_workflows(&self.project_id, &self.workspace_id, query, options)
            .await
    }

    /// One workflow: [`SecMasterClient::show_workflow`].
    pub async fn show(&self, workflow_id: &str) -> Result<ShowWorkflowResponse, Error> {
        self.client
            .show_workflow(&self.project_id, &self.workspace_id, workflow_id)
            .await
    }

    /// The workflows `ids`, as a file: [`SecMasterClient::export_workflows`].
    pub async fn export<S: AsRef<str>>(&self, ids: &[S]) -> Result<WorkflowFile, Error> {
        self.client
            .export_workflows(&self.project_id, &self.workspace_id, ids)
            .await
    }

    /// The workflows in `file`, added: [`SecMasterClient::import_workflows`].
    pub async fn import(&self, file: &ImportFile) -> Result<ImportWorkflowsResponse, Error> {
        self.client
            .import_workflows(&self.project_id, &self.workspace_id, file)
            .await
    }
}
