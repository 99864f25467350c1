//! Showing one workflow (`GET .../soc/workflows/{workflow_id}`).

use crate::error::Error;
use crate::operations::SHOW_WORKFLOW;
use crate::ops::Input;
use crate::types::ShowWorkflowResponse;
use crate::{Args, SecMasterClient};

impl SecMasterClient {
    /// One workflow, by ID; the workflow is the answer's `data`. Safe to
    /// retry. `request_id` is the body's, else the `X-Request-Id` header.
    ///
    /// An empty `project_id` is the client's default project
    /// ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    pub async fn show_workflow(
        &self,
        project_id: &str,
        workspace_id: &str,
        workflow_id: &str,
    ) -> Result<ShowWorkflowResponse, Error> {
        let args = Args::new()
            .set("project_id", project_id)
            .set("workspace_id", workspace_id)
            .set("workflow_id", workflow_id);
        self.execute_json(&SHOW_WORKFLOW, &args, Input::None).await
    }
}
