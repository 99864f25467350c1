//! Time limits, and the HTTP client that carries them.
//!
//! A single limit on the whole exchange (progenitor's default is 15 s) would
//! cut off a large export that is still arriving steadily, so the limits are
//! per phase: connecting, waiting for the response headers, and the longest
//! silence while the body streams.

use std::time::Duration;

use crate::endpoint::Endpoint;
use crate::error::Error;

/// Per-phase time limits. Each one that runs out gives its own
/// [`Error::Timeout`] phase.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
///
/// use secmaster_client::{Credentials, SecMasterClient, Timeouts};
///
/// # fn main() -> Result<(), secmaster_client::Error> {
/// // A slow link: wait longer for each piece of a large export.
/// let timeouts = Timeouts::default().idle(Duration::from_secs(180));
/// let client = SecMasterClient::builder()
///     .region("cn-north-4")?
///     .credentials(Credentials::token("<IAM token>")?)
///     .timeouts(timeouts)
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Opening the TCP connection (and TLS). Default 10 s.
    pub connect: Duration,
    /// From sending the request until the response headers have arrived,
    /// connecting included. The service builds the file before it answers,
    /// so this is generous. Default 120 s.
    pub first_byte: Duration,
    /// The longest wait for the next piece of the body. There is no limit on
    /// the whole download: a large file that keeps arriving is never cut off.
    /// Default 60 s.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_secs(120),
            idle: Duration::from_secs(60),
        }
    }
}

impl Timeouts {
    /// Sets [`Timeouts::connect`].
    pub fn connect(mut self, limit: Duration) -> Self {
        self.connect = limit;
        self
    }
    /// Sets [`Timeouts::first_byte`].
    pub fn first_byte(mut self, limit: Duration) -> Self {
        self.first_byte = limit;
        self
    }
    /// Sets [`Timeouts::idle`].
    pub fn idle(mut self, limit: Duration) -> Self {
        self.idle = limit;
        self
    }
}

/// `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("secmaster-client/", env!("CARGO_PKG_VERSION"));

/// Whether this build can speak HTTPS (the `rustls` or `native-tls`
/// feature).
pub const TLS: bool = cfg!(any(feature = "rustls", feature = "native-tls"));

/// The HTTP client: connect limit here, the other two are applied per call
/// (so that each has its own error). Redirects are not followed: a redirect
/// would carry credentials to another place, and the API does not redirect.
///
/// Proxies: the standard variables (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`
/// and their lower-case forms) apply, except to the hosts that `NO_PROXY`
/// names. A loopback endpoint (a local simulator or tunnel) never goes
/// through a proxy: a proxy there would only receive the credentials.
pub(crate) fn http_client(
    timeouts: &Timeouts,
    endpoint: &Endpoint,
) -> Result<reqwest::Client, Error> {
    if endpoint.is_https() && !TLS {
        return Err(Error::Config(format!(
            "{endpoint} is an https endpoint, but secmaster-client was built without TLS: \
             enable its `rustls` (default) or `native-tls` feature, or pass a \
             reqwest::Client of your own with `http_client`"
        )));
    }
    let mut builder = reqwest::Client::builder()
        .connect_timeout(timeouts.connect)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT)
        // The file is passed on byte for byte, with its Content-Length
        // checked: no decompression, even when another crate in the build
        // enables one of reqwest's compression features.
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .no_deflate();
    if endpoint.is_loopback() {
        builder = builder.no_proxy();
    }
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    if !endpoint.is_https() {
        // The client only ever talks to its endpoint, so a plain-HTTP one
        // needs no trust store; loading the system's costs 4-6 ms per client
        // (docs/benchmarks.md, finding 1). Without a TLS feature there is no
        // trust store to skip.
        builder = builder.tls_certs_only([]);
    }
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot set up the HTTP client: {e}")))
}
