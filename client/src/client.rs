//! The client callers hold.

use std::sync::Arc;

use crate::auth::Credentials;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::retry::RetryPolicy;
use crate::transport::{Timeouts, http_client};

/// A client for SecMaster's workflow API. Cheap to clone; clones share one
/// connection pool.
///
/// Made with [`SecMasterClient::builder`]. Each operation is one method:
/// [`export_workflows`](Self::export_workflows),
/// [`import_workflows`](Self::import_workflows),
/// [`list_workflows`](Self::list_workflows),
/// [`list_all_workflows`](Self::list_all_workflows),
/// [`show_workflow`](Self::show_workflow), and for workspaces
/// [`list_workspaces`](Self::list_workspaces),
/// [`list_all_workspaces`](Self::list_all_workspaces) and
/// [`show_workspace`](Self::show_workspace); [`execute`](Self::execute)
/// sends any operation of the document. Every one signs each attempt
/// afresh, applies the [`Timeouts`] and [`RetryPolicy`], and fails with one
/// [`Error`]. [`workspace`](Self::workspace) gives the workflow operations
/// of one workspace without repeating its IDs.
///
/// # The project
///
/// A project given to an operation is used as given. One left out (an
/// empty `project_id` for a typed method, none in the [`Args`](crate::Args)
/// of [`execute`](Self::execute) or [`list_all`](Self::list_all)) is the
/// client's default, set with [`SecMasterClientBuilder::project_id`] or
/// `HUAWEICLOUD_SDK_PROJECT_ID`. With neither, the operation is refused
/// before anything is sent: [`Error::InvalidInput`] naming `project_id`.
///
/// # Example
///
/// ```no_run
/// use secmaster_client::{ListAllOptions, ListQuery, SecMasterClient};
///
/// # async fn run() -> Result<(), secmaster_client::Error> {
/// // Region, credentials and project from HUAWEICLOUD_SDK_* variables.
/// let client = SecMasterClient::builder().from_env()?.build()?;
/// let workspace = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
///
/// // "": the client's default project.
/// let all = client
///     .list_all_workflows("", workspace, &ListQuery::new().enabled(true), ListAllOptions::default())
///     .await?;
/// for workflow in &all.items {
///     println!("{} {}", workflow.id.as_deref().unwrap_or("-"), workflow.name.as_deref().unwrap_or("-"));
/// }
/// // A project of its own.
/// if let Some(id) = all.items.first().and_then(|w| w.id.as_deref()) {
///     let shown = client.show_workflow("0123456789abcdef0123456789abcdef", workspace, id).await?;
///     println!("{:?}", shown.data);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SecMasterClient {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: Endpoint,
    pub(crate) credentials: Arc<Credentials>,
    project_id: Option<String>,
    pub(crate) timeouts: Timeouts,
    pub(crate) retry: RetryPolicy,
    pub(crate) retry_observer: Option<RetryObserver>,
}

/// Hears of each error about to be retried.
pub(crate) type RetryObserver = Arc<dyn Fn(&Error) + Send + Sync>;

/// Builds a [`SecMasterClient`]. An endpoint (region or URL) and credentials
/// are required; everything else has a default.
///
/// # Example
///
/// ```
/// use std::time::Duration;
///
/// use secmaster_client::{Credentials, RetryPolicy, SecMasterClient, Timeouts};
///
/// # fn main() -> Result<(), secmaster_client::Error> {
/// let client = SecMasterClient::builder()
///     // Or .region("cn-north-4")?, or .from_env()?
///     .endpoint("http://127.0.0.1:8080")?
///     .credentials(Credentials::access_key("<AK>", "<SK>")?)
///     .project_id("0123456789abcdef0123456789abcdef")
///     .timeouts(Timeouts::default().first_byte(Duration::from_secs(300)))
///     .retry(RetryPolicy::none())
///     .build()?;
/// assert_eq!(client.endpoint().as_str(), "http://127.0.0.1:8080");
///
/// assert_eq!(client.project_id(), Some("0123456789abcdef0123456789abcdef"));
///
/// // Text that is not an endpoint is an error at once; missing settings are
/// // an error when building, not when calling.
/// assert!(SecMasterClient::builder().endpoint("127.0.0.1:8080").is_err());
/// assert!(SecMasterClient::builder().region("mars-1").is_err());
/// let missing = SecMasterClient::builder().region("cn-north-4")?.build();
/// assert!(matches!(missing, Err(secmaster_client::Error::Config(_))));
/// # Ok(())
/// # }
/// ```
#[derive(Default)]
pub struct SecMasterClientBuilder {
    endpoint: Option<Endpoint>,
    credentials: Option<Credentials>,
    project_id: Option<String>,
    timeouts: Timeouts,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
}

impl SecMasterClientBuilder {
    /// Sends requests to the public endpoint of `region` (for example
    /// `cn-north-4`). An unknown region is [`Error::Config`], listing the
    /// known ones.
    ///
    /// Like [`Self::endpoint`], it checks its text at once, trimmed: the two
    /// take a string and return a `Result` alike.
    pub fn region(mut self, region: &str) -> Result<Self, Error> {
        self.endpoint = Some(Endpoint::region(region)?);
        Ok(self)
    }

    /// Sends requests to `url`: scheme, host, optional port and path prefix
    /// (a private endpoint, a tunnel, a local `secmaster-sim` at
    /// `http://127.0.0.1:8080`). A URL that is not one is [`Error::Config`]
    /// (see [`Endpoint::url`]). To reuse an [`Endpoint`] already made, pass
    /// [`Endpoint::as_str`].
    pub fn endpoint(mut self, url: &str) -> Result<Self, Error> {
        self.endpoint = Some(Endpoint::url(url)?);
        Ok(self)
    }

    /// The former name of [`Self::endpoint`].
    #[deprecated(note = "renamed to `endpoint`, which takes the URL as text")]
    pub fn endpoint_url(self, url: &str) -> Result<Self, Error> {
        self.endpoint(url)
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

    /// The project every operation uses when its caller names none: a typed
    /// method given an empty `project_id`, [`SecMasterClient::execute`] and
    /// [`SecMasterClient::list_all`] given [`Args`](crate::Args) without
    /// one, and [`SecMasterClient::workspace`]. `from_env` sets it from
    /// `HUAWEICLOUD_SDK_PROJECT_ID`; [`SecMasterClient::project_id`] reads it
    /// back. With access-key credentials every request carries the project
    /// of its path as `X-Project-Id`.
    ///
    /// Surrounding white space is trimmed, as credentials' is.
    /// [`Self::build`] refuses one that cannot be sent as a path segment
    /// (blank, `.` or `..`) with [`Error::Config`].
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.project_id = Some(project_id.trim().to_owned());
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

    /// Sends requests through `client` instead of one the library builds:
    /// to share a connection pool with the rest of a program, or to set up
    /// TLS (a trust store, client certificates, another crypto provider),
    /// proxies or DNS in ways the builder does not offer.
    ///
    /// The library can configure only the clients it builds. With a client of
    /// your own:
    ///
    /// - **It must not follow redirects**
    ///   (`.redirect(reqwest::redirect::Policy::none())`). reqwest follows up
    ///   to 10 by default, and a followed redirect would send the signed
    ///   request, or the IAM token, to wherever the `Location` header points.
    ///   The API never redirects. The library cannot read a client's redirect
    ///   policy, so it cannot check this for you.
    /// - **The connect limit is yours** (`.connect_timeout(..)`):
    ///   [`Timeouts::connect`] is not applied. The other two limits,
    ///   [`Timeouts::first_byte`] and [`Timeouts::idle`], are applied by the
    ///   library on every call as usual, so the client should have no
    ///   whole-request `.timeout(..)`: one would cut off a large export
    ///   that is still arriving.
    /// - **Proxies are yours.** The library's own client skips proxies for a
    ///   loopback endpoint; yours does whatever it was built to do.
    /// - **TLS is yours.** Without the `rustls` or `native-tls` feature the
    ///   library builds plain-HTTP clients only, but it accepts an https
    ///   endpoint with a client of your own: reqwest's TLS features are then
    ///   the ones your `Cargo.toml` enables.
    /// - The `User-Agent` is your client's; set
    ///   `.user_agent(secmaster_client::USER_AGENT)` to keep the
    ///   library's.
    /// - **No automatic decompression** (`.no_gzip().no_brotli().no_zstd()
    ///   .no_deflate()`, which exist whatever reqwest's features): the
    ///   library asks for the file uncompressed and checks its
    ///   `Content-Length`, and reqwest removes that header when it
    ///   decompresses. Decompression is off unless reqwest's `gzip`,
    ///   `brotli`, `zstd` or `deflate` feature is enabled somewhere in your
    ///   build.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// // The same reqwest as the library's.
    /// use secmaster_client::reqwest;
    /// use secmaster_client::{Credentials, SecMasterClient};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let http = reqwest::Client::builder()
    ///     .redirect(reqwest::redirect::Policy::none()) // required
    ///     .no_gzip()
    ///     .no_brotli()
    ///     .no_zstd()
    ///     .no_deflate()
    ///     .connect_timeout(Duration::from_secs(5))
    ///     .user_agent(secmaster_client::USER_AGENT)
    ///     .build()?;
    /// let client = SecMasterClient::builder()
    ///     .region("cn-north-4")?
    ///     .credentials(Credentials::token("<IAM token>")?)
    ///     .http_client(http.clone()) // clones share one connection pool
    ///     .build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// [`Error::Config`] when the endpoint or the credentials are missing,
    /// when the default project cannot be sent (empty, `.` or `..`), when
    /// the retry policy allows no attempt, and when the endpoint is
    /// `https` but the crate was built without a TLS feature (`rustls`,
    /// `native-tls`) and no client of your own was given
    /// ([`Self::http_client`]).
    pub fn build(self) -> Result<SecMasterClient, Error> {
        let endpoint = self.endpoint.ok_or_else(|| {
            Error::Config("no endpoint: call .region(..) or .endpoint(..)".into())
        })?;
        let credentials = self
            .credentials
            .ok_or_else(|| Error::Config("no credentials: call .credentials(..)".into()))?;
        if let Some(project_id) = &self.project_id
            && let Err(Error::InvalidInput(why)) =
                crate::path_value::check("project_id", project_id)
        {
            return Err(Error::Config(format!("the default project: {why}")));
        }
        if self.retry.max_attempts == 0 {
            return Err(Error::Config(
                "the retry policy allows no attempt at all".into(),
            ));
        }
        let http = match self.http {
            Some(client) => client,
            None => http_client(&self.timeouts, &endpoint)?,
        };
        Ok(SecMasterClient {
            http,
            endpoint,
            credentials: Arc::new(credentials),
            project_id: self.project_id,
            timeouts: self.timeouts,
            retry: self.retry,
            retry_observer: None,
        })
    }
}

impl std::fmt::Debug for SecMasterClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecMasterClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("project_id", &self.project_id)
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("own_http_client", &self.http.is_some())
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SecMasterClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecMasterClient")
            .field("endpoint", &self.endpoint)
            .field("credentials", &self.credentials)
            .field("project_id", &self.project_id)
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

    /// The default project set with the builder or `HUAWEICLOUD_SDK_PROJECT_ID`:
    /// the one operations use when their caller names none.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    /// A clone (sharing the connection pool) that also tells `observer` of
    /// every error about to be retried: a 429, a failed connection, a 503.
    /// For callers that pace their own requests, typically through a
    /// [`Gate`](crate::Gate) that slows down when the service throttles.
    /// The observer replaces any this client had.
    pub fn observing_retries(&self, observer: impl Fn(&Error) + Send + Sync + 'static) -> Self {
        SecMasterClient {
            retry_observer: Some(Arc::new(observer)),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder(url: &str) -> SecMasterClientBuilder {
        SecMasterClient::builder()
            .endpoint(url)
            .unwrap()
            .credentials(Credentials::token("t").unwrap())
    }

    /// The project and the region are trimmed, as credentials and the
    /// endpoint are; a blank project is refused, not sent.
    #[test]
    fn settings_are_trimmed_and_a_blank_project_refused() {
        let client = builder("  http://127.0.0.1:8080 \n")
            .project_id(" P\n")
            .build()
            .unwrap();
        assert_eq!(client.project_id(), Some("P"));
        assert_eq!(client.endpoint().as_str(), "http://127.0.0.1:8080");
        for blank in [" ", "\n", "\t \r\n"] {
            match builder("http://127.0.0.1:8080").project_id(blank).build() {
                Err(Error::Config(message)) => {
                    assert_eq!(message, "the default project: project_id is empty");
                }
                other => panic!("{blank:?}: {other:?}"),
            }
        }
        // Checked without building a client: a region's endpoint is https,
        // which the build without TLS refuses.
        assert_eq!(
            Endpoint::region(" cn-north-4\n").unwrap(),
            Endpoint::region("cn-north-4").unwrap()
        );
        SecMasterClient::builder().region(" cn-north-4\n").unwrap();
    }

    #[test]
    fn plain_http_builds_in_every_configuration() {
        builder("http://127.0.0.1:8080").build().unwrap();
    }

    /// Without a TLS feature an https endpoint is refused when the client is
    /// built, with a message that says what to do, not when the first
    /// request fails.
    #[test]
    fn https_needs_a_tls_feature_or_a_client_of_ones_own() {
        let built = builder("https://secmaster.cn-north-4.myhuaweicloud.com").build();
        if crate::transport::TLS {
            built.unwrap();
        } else {
            match built {
                Err(Error::Config(message)) => {
                    assert!(message.contains("without TLS"), "{message}");
                    assert!(message.contains("`rustls`"), "{message}");
                }
                other => panic!("expected a configuration error, got {other:?}"),
            }
        }
        // A client of one's own is taken as it is: its TLS is the caller's.
        builder("https://secmaster.cn-north-4.myhuaweicloud.com")
            .http_client(reqwest::Client::new())
            .build()
            .unwrap();
    }
}
