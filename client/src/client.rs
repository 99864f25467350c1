//! The client callers hold.

use std::sync::Arc;

use crate::auth::Credentials;
use crate::download::WorkflowFile;
use crate::endpoint::Endpoint;
use crate::error::{ApiError, Error, TimeoutPhase};
use crate::generated;
use crate::hooks::CallContext;
use crate::transport::{Timeouts, http_client};

/// A client for the workflow export API. Cheap to clone; clones share one
/// connection pool.
#[derive(Clone, Debug)]
pub struct SecMasterClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    credentials: Arc<Credentials>,
    timeouts: Timeouts,
}

/// Builds a [`SecMasterClient`]. An endpoint (region or URL) and credentials
/// are required.
#[derive(Debug, Default)]
pub struct SecMasterClientBuilder {
    endpoint: Option<Endpoint>,
    credentials: Option<Credentials>,
    timeouts: Timeouts,
}

impl SecMasterClientBuilder {
    /// Sends requests to the public endpoint of `region` (for example
    /// `cn-north-4`).
    pub fn region(mut self, region: &str) -> Result<Self, Error> {
        self.endpoint = Some(Endpoint::region(region)?);
        Ok(self)
    }

    /// Sends requests to `url` (scheme, host, optional port and path prefix).
    pub fn endpoint_url(mut self, url: &str) -> Result<Self, Error> {
        self.endpoint = Some(Endpoint::url(url)?);
        Ok(self)
    }

    /// Sends requests to `endpoint`.
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// Takes the endpoint and credentials from the environment: see
    /// [`crate::env`] for the variables.
    pub fn from_env(self) -> Result<Self, Error> {
        self.from_lookup(&|name| std::env::var(name).ok())
    }

    /// Like [`Self::from_env`], reading variables through `lookup`.
    pub fn from_lookup(mut self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let (endpoint, credentials) = crate::env::read(lookup)?;
        self.endpoint = Some(endpoint);
        self.credentials = Some(credentials);
        Ok(self)
    }

    /// How requests authenticate.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Replaces the default time limits.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<SecMasterClient, Error> {
        let endpoint = self.endpoint.ok_or_else(|| {
            Error::Config("no endpoint: call .region(..) or .endpoint_url(..)".into())
        })?;
        let credentials = self
            .credentials
            .ok_or_else(|| Error::Config("no credentials: call .credentials(..)".into()))?;
        Ok(SecMasterClient {
            http: http_client(&self.timeouts)?,
            endpoint,
            credentials: Arc::new(credentials),
            timeouts: self.timeouts,
        })
    }
}

impl SecMasterClient {
    /// Starts building a client.
    pub fn builder() -> SecMasterClientBuilder {
        SecMasterClientBuilder::default()
    }

    /// Where requests go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Exports the workflows `ids` of a workspace. On success the file has
    /// not been read yet: stream it with [`WorkflowFile::next_chunk`], or
    /// write it with [`WorkflowFile::write_to`] or
    /// [`WorkflowFile::save_to_path`].
    ///
    /// Refused before sending: an empty `ids`, an empty ID, and a project or
    /// workspace ID that is empty, `.` or `..` (URL rules would fold those
    /// into a different path). Any other characters are percent-encoded and
    /// stay inside their path segment.
    pub async fn export_workflows<S: AsRef<str>>(
        &self,
        project_id: &str,
        workspace_id: &str,
        ids: &[S],
    ) -> Result<WorkflowFile, Error> {
        check_path_value("project_id", project_id)?;
        check_path_value("workspace_id", workspace_id)?;
        if ids.is_empty() {
            return Err(Error::InvalidInput("no workflow IDs to export".into()));
        }
        if let Some(i) = ids.iter().position(|id| id.as_ref().is_empty()) {
            return Err(Error::InvalidInput(format!(
                "workflow ID #{} is empty",
                i + 1
            )));
        }
        let body = generated::types::ExportWorkflowsRequest {
            id: ids.iter().map(|id| id.as_ref().to_owned()).collect(),
        };

        let context = CallContext::new(Arc::clone(&self.credentials));
        let api = generated::Client::new_with_client(
            self.endpoint.as_str(),
            self.http.clone(),
            context.clone(),
        );
        let call = api
            .export_workflows()
            .project_id(project_id)
            .workspace_id(workspace_id)
            .body(body)
            .send();
        let outcome = tokio::time::timeout(self.timeouts.first_byte, call)
            .await
            .map_err(|_| Error::Timeout(TimeoutPhase::FirstByte))?;
        match outcome {
            Ok(response) => Ok(WorkflowFile::new(response, self.timeouts.idle)),
            Err(e) => Err(match context.take_failure() {
                Some(raw) => Error::Api(ApiError::from_response_parts(
                    raw.status,
                    &raw.headers,
                    &raw.body,
                )),
                None => from_generated(e).await,
            }),
        }
    }
}

fn check_path_value(name: &str, value: &str) -> Result<(), Error> {
    match value {
        "" => Err(Error::InvalidInput(format!("{name} is empty"))),
        "." | ".." => Err(Error::InvalidInput(format!(
            "{name} {value:?} would change the request path"
        ))),
        _ => Ok(()),
    }
}

/// Errors the generated code reports on its own (no non-2xx response was
/// kept by the hooks).
async fn from_generated(e: generated::Error<generated::types::ErrorBody>) -> Error {
    use progenitor_client::Error as E;
    match e {
        E::InvalidRequest(m) => Error::InvalidInput(m),
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
            Error::from_reqwest(e)
        }
        // A 2xx other than the documented 200.
        E::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap_or_default();
            Error::Api(ApiError::from_response_parts(status, &headers, &body))
        }
        e @ (E::ErrorResponse(_) | E::InvalidResponsePayload(..) | E::Custom(_)) => {
            // The hooks keep every non-2xx response, so these do not occur;
            // say so plainly rather than invent a status.
            Error::Unexpected(e.to_string())
        }
    }
}
