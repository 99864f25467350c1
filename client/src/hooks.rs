//! What every generated request goes through before and after it is sent.
//!
//! progenitor calls these hooks from the generated `send()`: `pre` once the
//! request is built, `exec` to send it. The order inside `pre` matters: the
//! content type is final before credentials are applied, so that a signature
//! covers the headers that actually leave.

use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::auth::Credentials;
use crate::error::{Error, MAX_ERROR_BODY};
use crate::generated::Client;

/// The content type the API reference requires. progenitor drops the
/// `;charset=UTF-8` parameter of the document's media type, so it is set here.
pub const REQUEST_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// progenitor adds `api-version: <info.version>` to every request; the API
/// does not define that header, so it is removed.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

/// Where signatures get the time from; tests put a clock of their own here.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// State for one attempt of a generated operation (the generated client's
/// "inner" value). A generated client is built per attempt, so `failure`
/// belongs to exactly one request.
#[derive(Clone)]
pub struct CallContext {
    credentials: Arc<Credentials>,
    project_id: Arc<str>,
    clock: Clock,
    attempt: u32,
    failure: Arc<Mutex<Option<Failure>>>,
}

/// Why an attempt did not produce a usable response, kept by the hooks.
#[derive(Debug)]
pub(crate) enum Failure {
    /// A non-2xx response.
    Response(RawResponse),
    /// The request could not be prepared (for example, not signable).
    Local(Error),
}

/// A non-2xx response, read before the generated code decodes it: progenitor
/// loses the status and headers of a declared error status whose body is
/// not JSON, and reads undeclared ones differently; this keeps all of them.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// At most the first 64 KiB of the body.
    pub body: Bytes,
}

impl CallContext {
    pub(crate) fn new(
        credentials: Arc<Credentials>,
        project_id: &str,
        clock: Clock,
        attempt: u32,
    ) -> Self {
        CallContext {
            credentials,
            project_id: project_id.into(),
            clock,
            attempt,
            failure: Arc::default(),
        }
    }

    /// What went wrong in this attempt, if the hooks saw it.
    pub(crate) fn take_failure(&self) -> Option<Failure> {
        self.failure.lock().ok()?.take()
    }

    fn keep(&self, failure: Failure) {
        if let Ok(mut slot) = self.failure.lock() {
            *slot = Some(failure);
        }
    }
}

impl std::fmt::Debug for CallContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallContext")
            .field("credentials", &self.credentials)
            .field("attempt", &self.attempt)
            .finish_non_exhaustive()
    }
}

impl ClientHooks<CallContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let context = self.inner();
        let headers = request.headers_mut();
        headers.remove(HeaderName::from_static(PROGENITOR_VERSION_HEADER));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(REQUEST_CONTENT_TYPE));
        // Last: the signature covers the request as it now is.
        if let Err(e) =
            context
                .credentials
                .authorize(request, &context.project_id, (context.clock)())
        {
            let text = e.to_string();
            context.keep(Failure::Local(e));
            return Err(progenitor_client::Error::Custom(text));
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let context = self.inner();
        let method = request.method().clone();
        let path = request.url().path().to_owned();
        let started = Instant::now();
        let response = match self.client().execute(request).await {
            Ok(response) => response,
            Err(e) => {
                tracing::debug!(
                    target: "secmaster_client",
                    %method, %path, attempt = context.attempt,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    error = %e, "request failed"
                );
                return Err(e);
            }
        };
        let status = response.status();
        tracing::debug!(
            target: "secmaster_client",
            %method, %path, status = status.as_u16(), attempt = context.attempt,
            elapsed_ms = started.elapsed().as_millis() as u64,
            request_id = %response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-"),
            "response"
        );
        if status.is_success() {
            return Ok(response);
        }
        let headers = response.headers().clone();
        let body = read_capped(response, MAX_ERROR_BODY).await?;
        context.keep(Failure::Response(RawResponse {
            status,
            headers: headers.clone(),
            body: body.clone(),
        }));
        // Hand the generated code an equivalent response to decode as it will;
        // the caller-facing error is built from the copy kept above.
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.headers_mut() = headers;
        Ok(reqwest::Response::from(rebuilt))
    }
}

/// Reads at most `limit` bytes of a body: an error page should not be able
/// to exhaust memory.
async fn read_capped(mut response: reqwest::Response, limit: usize) -> reqwest::Result<Bytes> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == limit {
            break;
        }
    }
    Ok(Bytes::from(body))
}
