//! Showing one workflow (`GET .../soc/workflows/{workflow_id}`).

use crate::call::{Repeat, generated_result};
use crate::error::Error;
use crate::types::ShowWorkflowResponse;
use crate::{SecMasterClient, path_value};

impl SecMasterClient {
    /// One workflow, by ID; the workflow is the answer's `data`. Safe to
    /// retry. `request_id` is the body's, else the `X-Request-Id` header.
    pub async fn show_workflow(
        &self,
        project_id: &str,
        workspace_id: &str,
        workflow_id: &str,
    ) -> Result<ShowWorkflowResponse, Error> {
        path_value::check("project_id", project_id)?;
        path_value::check("workspace_id", workspace_id)?;
        path_value::check("workflow_id", workflow_id)?;
        let response = self
            .call(project_id, Repeat::Safe, |context| {
                let api = self.generated(context);
                async move {
                    let call = api
                        .show_workflow()
                        .project_id(project_id)
                        .workspace_id(workspace_id)
                        .workflow_id(workflow_id)
                        .send();
                    generated_result(call).await
                }
            })
            .await?;
        let (status, headers) = (response.status(), response.headers().clone());
        super::checked(status, &headers, response.into_inner(), None)
    }
}
