//! The client callers hold.

use std::sync::Arc;
use std::time::SystemTime;

use crate::auth::Credentials;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::hooks::Clock;
use crate::retry::RetryPolicy;
use crate::transport::{Timeouts, http_client};

/// A client for SecMaster's workflow API. Cheap to clone; clones share one
/// connection pool.
#[derive(Clone)]
pub struct SecMasterClient {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: Endpoint,
    pub(crate) credentials: Arc<Credentials>,
    project_id: Option<String>,
    pub(crate) timeouts: Timeouts,
    pub(crate) retry: RetryPolicy,
    pub(crate) clock: Clock,
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
}
