//! The client callers hold.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use crate::auth::Credentials;
use crate::download::WorkflowFile;
use crate::endpoint::Endpoint;
use crate::error::{ApiError, Error, TimeoutPhase};
use crate::generated;
use crate::hooks::{CallContext, Clock, Failure};
use crate::retry::{RetryPolicy, is_retryable_status, jitter, retry_after};
use crate::transport::{Timeouts, http_client};

/// A client for the workflow export API. Cheap to clone; clones share one
/// connection pool.
#[derive(Clone)]
pub struct SecMasterClient {
    http: reqwest::Client,
    endpoint: Endpoint,
    credentials: Arc<Credentials>,
    project_id: Option<String>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    clock: Clock,
}

/// Builds a [`SecMasterClient`]. An endpoint (region or URL) and credentials
/// are required.
pub struct SecMasterClientBuilder {
    endpoint: Option<Endpoint>,
    credentials: Option<Credentials>,
    project_id: Option<String>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    clock: Clock,
}

impl Default for SecMasterClientBuilder {
    fn default() -> Self {
        SecMasterClientBuilder {
            endpoint: None,
            credentials: None,
            project_id: None,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemTime::now),
        }
    }
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

    /// Takes the endpoint, credentials and project ID from the environment:
    /// see [`crate::env`] for the variables.
    pub fn from_env(self) -> Result<Self, Error> {
        self.from_lookup(&|name| std::env::var(name).ok())
    }

    /// Like [`Self::from_env`], reading variables through `lookup`.
    pub fn from_lookup(mut self, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let settings = crate::env::read(lookup)?;
        self.endpoint = Some(settings.endpoint);
        self.credentials = Some(settings.credentials);
        if settings.project_id.is_some() {
            self.project_id = settings.project_id;
        }
        Ok(self)
    }

    /// How requests authenticate.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The default project: used by callers that do not name one (see
    /// [`SecMasterClient::project_id`]). With access-key credentials every
    /// request carries the project of its path as `X-Project-Id`.
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.project_id = Some(project_id.to_owned());
        self
    }

    /// Replaces the default time limits.
    pub fn timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Replaces the default retry policy; [`RetryPolicy::none`] switches
    /// retries off.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces the clock that signatures take their date from (for tests).
    #[doc(hidden)]
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
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
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "the retry policy allows no attempt at all".into(),
            ));
        }
        Ok(SecMasterClient {
            http: http_client(&self.timeouts, &endpoint)?,
            endpoint,
            credentials: Arc::new(credentials),
            project_id: self.project_id,
            timeouts: self.timeouts,
            retry: self.retry,
            clock: self.clock,
        })
    }
}

impl std::fmt::Debug for SecMasterClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecMasterClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SecMasterClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecMasterClient")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// What one attempt came to.
enum Attempt {
    Done(Result<WorkflowFile, Error>),
    /// Worth another try; the server may have said when.
    Retry(Error, Option<std::time::Duration>),
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

    /// The default project set with the builder or `HUAWEICLOUD_SDK_PROJECT_ID`.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// Exports the workflows `ids` of a workspace. On success the file has
    /// not been read yet: stream it with [`WorkflowFile::next_chunk`], or
    /// write it with [`WorkflowFile::write_to`] or
    /// [`WorkflowFile::save_to_path`].
    ///
    /// Failed attempts are retried as the [`RetryPolicy`] says; every attempt
    /// is signed afresh.
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

        let started = Instant::now();
        let mut attempt = 1;
        loop {
            let (error, server_wait) =
                match self.attempt(project_id, workspace_id, &body, attempt).await {
                    Attempt::Done(result) => return result,
                    Attempt::Retry(error, server_wait) => (error, server_wait),
                };
            let delay = self.retry.delay(attempt, server_wait, jitter());
            let out_of_time = started.elapsed() + delay > self.retry.deadline;
            if attempt >= self.retry.max_attempts || out_of_time {
                return Err(if attempt == 1 {
                    error
                } else {
                    Error::GaveUp {
                        attempts: attempt,
                        last: Box::new(error),
                    }
                });
            }
            tracing::info!(
                target: "secmaster_client",
                attempt, delay_ms = delay.as_millis() as u64, error = %error,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        project_id: &str,
        workspace_id: &str,
        body: &generated::types::ExportWorkflowsRequest,
        attempt: u32,
    ) -> Attempt {
        let context = CallContext::new(
            Arc::clone(&self.credentials),
            project_id,
            Arc::clone(&self.clock),
            attempt,
        );
        let api = generated::Client::new_with_client(
            self.endpoint.as_str(),
            self.http.clone(),
            context.clone(),
        );
        let call = api
            .export_workflows()
            .project_id(project_id)
            .workspace_id(workspace_id)
            .body(body.clone())
            .send();
        let outcome = match tokio::time::timeout(self.timeouts.first_byte, call).await {
            Ok(outcome) => outcome,
            Err(_) => return Attempt::Done(Err(Error::Timeout(TimeoutPhase::FirstByte))),
        };
        let error = match outcome {
            Ok(response) => {
                return Attempt::Done(Ok(WorkflowFile::new(response, self.timeouts.idle)));
            }
            Err(e) => match context.take_failure() {
                Some(Failure::Response(raw)) => {
                    let api = ApiError::from_response_parts(raw.status, &raw.headers, &raw.body);
                    if is_retryable_status(raw.status) {
                        let wait = retry_after(&raw.headers, (self.clock)());
                        return Attempt::Retry(Error::Api(api), wait);
                    }
                    Error::Api(api)
                }
                Some(Failure::Local(e)) => e,
                None => from_generated(e).await,
            },
        };
        match error {
            Error::Connect(_) | Error::Timeout(TimeoutPhase::Connect) => {
                Attempt::Retry(error, None)
            }
            other => Attempt::Done(Err(other)),
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

/// Errors the generated code reports on its own (the hooks kept no failure).
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
            // The hooks keep every non-2xx response and every local failure,
            // so these do not occur; say so plainly rather than invent a status.
            Error::Unexpected(e.to_string())
        }
    }
}
