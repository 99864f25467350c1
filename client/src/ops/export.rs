//! Exporting workflows (`POST .../soc/workflows/export`).

use crate::call::{Repeat, generated_result};
use crate::download::WorkflowFile;
use crate::error::Error;
use crate::generated::types::ExportWorkflowsRequest;
use crate::{SecMasterClient, path_value};

impl SecMasterClient {
    /// Exports the workflows `ids` of a workspace. On success the file has
    /// not been read yet: stream it with [`WorkflowFile::next_chunk`], or
    /// write it with [`WorkflowFile::write_to`] or
    /// [`WorkflowFile::save_to_path`].
    ///
    /// Failed attempts are retried as the [`RetryPolicy`](crate::RetryPolicy)
    /// says; every attempt is signed afresh. A 200 answer in JSON (up to
    /// 64 KiB) that says `"success": false` is an [`Error::Api`], not a file.
    ///
    /// Refused before sending: an empty `ids`, an empty ID, and a project or
    /// workspace ID that cannot be sent as one path segment (empty, `.`,
    /// `..`, or holding a `\`). Any other characters are percent-encoded and
    /// stay inside their segment.
    pub async fn export_workflows<S: AsRef<str>>(
        &self,
        project_id: &str,
        workspace_id: &str,
        ids: &[S],
    ) -> Result<WorkflowFile, Error> {
        path_value::check("project_id", project_id)?;
        path_value::check("workspace_id", workspace_id)?;
        if ids.is_empty() {
            return Err(Error::InvalidInput("no workflow IDs to export".into()));
        }
        if let Some(i) = ids.iter().position(|id| id.as_ref().is_empty()) {
            return Err(Error::InvalidInput(format!(
                "workflow ID #{} is empty",
                i + 1
            )));
        }
        let body = ExportWorkflowsRequest {
            id: ids.iter().map(|id| id.as_ref().to_owned()).collect(),
        };
        let response = self
            .call(project_id, Repeat::Safe, |context| {
                let (api, body) = (self.generated(context), body.clone());
                async move {
                    let call = api
                        .export_workflows()
                        .project_id(project_id)
                        .workspace_id(workspace_id)
                        .body(body)
                        .send();
                    generated_result(call).await
                }
            })
            .await?;
        let status = response.status();
        WorkflowFile::new(response, self.timeouts.idle)
            .refuse_json_failure(status)
            .await
    }
}
