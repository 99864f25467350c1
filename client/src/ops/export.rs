//! Exporting workflows (`POST .../soc/workflows/export`).

use crate::download::WorkflowFile;
use crate::error::Error;
use crate::operations::EXPORT_WORKFLOWS;
use crate::ops::{Answered, Input};
use crate::types::ExportWorkflowsRequest;
use crate::{Args, SecMasterClient};

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
    /// workspace ID that cannot be sent as one path segment (`.`, `..`, an
    /// empty workspace). Any other characters are percent-encoded and stay
    /// inside their segment.
    ///
    /// An empty `project_id` is the client's default project
    /// ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    pub async fn export_workflows<S: AsRef<str>>(
        &self,
        project_id: &str,
        workspace_id: &str,
        ids: &[S],
    ) -> Result<WorkflowFile, Error> {
        if ids.is_empty() {
            return Err(Error::InvalidInput("no workflow IDs to export".into()));
        }
        if let Some(i) = ids.iter().position(|id| id.as_ref().is_empty()) {
            return Err(Error::InvalidInput(format!(
                "workflow ID #{} is empty",
                i + 1
            )));
        }
        let args = Args::new()
            .set("project_id", project_id)
            .set("workspace_id", workspace_id);
        let body = ExportWorkflowsRequest {
            id: ids.iter().map(|id| id.as_ref().to_owned()).collect(),
        };
        let body = serde_json::to_value(body).expect("the request serialises");
        match self
            .execute(&EXPORT_WORKFLOWS, &args, Input::Json(body))
            .await?
        {
            Answered::File(file) => Ok(file),
            _ => Err(Error::Unexpected(
                "export_workflows did not answer with a file".into(),
            )),
        }
    }
}
