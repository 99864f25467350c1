//! What every request goes through before and after it is sent, generated
//! or hand-written alike.
//!
//! progenitor calls [`prepare`] (as its `pre` hook) once the request is built
//! and [`execute`] (as `exec`) to send it; the hand-written operations call
//! the same two functions. The order inside [`prepare`] matters: the request
//! is final before credentials are applied, so that a signature covers
//! exactly what leaves.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue,
};

use crate::auth::Credentials;
use crate::error::{Error, MAX_ERROR_BODY, TimeoutPhase};
use crate::generated::Client;
use crate::untrusted;

/// The content type the API reference requires for JSON bodies. progenitor
/// drops the `;charset=UTF-8` parameter of the document's media type, so it
/// is set here.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// progenitor adds `api-version: <info.version>` to every request; the API
/// does not define that header, so it is removed.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

/// The largest JSON answer read: a page of 100 workflows is a few hundred
/// KiB. A larger one is refused rather than allowed to fill memory.
const MAX_ANSWER: usize = 16 * 1024 * 1024;

/// State for one attempt of one operation (the generated client's "inner"
/// value). A generated client is built per attempt, so `failure` belongs to
/// exactly one request.
#[doc(hidden)]
#[derive(Clone)]
pub struct CallContext {
    credentials: Arc<Credentials>,
    project_id: Arc<str>,
    attempt: u32,
    idle: Duration,
    failure: Arc<Mutex<Option<AttemptFailure>>>,
    /// Set once the response headers are in: from then on the idle limit,
    /// not the first-byte one, bounds the attempt.
    headers_in: Arc<AtomicBool>,
}

/// Why an attempt did not give a usable response, as the hooks saw it.
#[derive(Debug)]
pub(crate) enum AttemptFailure {
    /// A non-2xx response (its body as far as it was read).
    Response(RawResponse),
    /// The request could not be prepared, or the answer is unusable.
    Local(Error),
}

/// A non-2xx response, kept before the generated code decodes it:
/// progenitor loses the status and headers of a declared error status whose
/// body is not JSON, and reads undeclared ones differently.
#[derive(Debug, Clone)]
pub(crate) struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// At most the first 64 KiB of the body.
    pub body: Bytes,
}

impl CallContext {
    pub(crate) fn new(
        credentials: Arc<Credentials>,
        project_id: &str,
        attempt: u32,
        idle: Duration,
    ) -> Self {
        CallContext {
            credentials,
            project_id: project_id.into(),
            attempt,
            idle,
            failure: Arc::default(),
            headers_in: Arc::default(),
        }
    }

    /// Whether the response headers of this attempt have arrived.
    pub(crate) fn headers_in(&self) -> bool {
        self.headers_in.load(Ordering::SeqCst)
    }

    /// The idle limit between pieces of a body.
    pub(crate) fn idle(&self) -> Duration {
        self.idle
    }

    /// What went wrong in this attempt, if the hooks saw it.
    pub(crate) fn take_failure(&self) -> Option<AttemptFailure> {
        self.failure.lock().ok()?.take()
    }

    /// Records why this attempt failed; the call path reports it in place
    /// of the transport's error.
    pub(crate) fn keep(&self, failure: AttemptFailure) {
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
        prepare(context, request).map_err(|e| {
            let text = e.to_string();
            context.keep(AttemptFailure::Local(e));
            progenitor_client::Error::Custom(text)
        })
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        execute(self.inner(), self.client(), request).await
    }
}

/// Makes a built request ready to leave, then authenticates it (last, so the
/// signature covers the request as it is sent):
/// - the `api-version` header progenitor adds is removed;
/// - a JSON body gets the documented `application/json;charset=UTF-8`, and a
///   request without a body gets no content type at all;
/// - the query is rewritten in the canonical form the signer uses (sorted,
///   RFC 3986: a space is `%20`, never `+`), so what is sent is exactly what
///   is signed, as the official SDK does;
/// - `Accept-Encoding: identity` (not signed): the file must arrive as it is.
pub(crate) fn prepare(context: &CallContext, request: &mut reqwest::Request) -> Result<(), Error> {
    let has_body = request.body().is_some();
    let headers = request.headers_mut();
    headers.remove(HeaderName::from_static(PROGENITOR_VERSION_HEADER));
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !has_body {
        headers.remove(CONTENT_TYPE);
    } else if is_json {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    }
    canonicalise_query(request.url_mut());
    context
        .credentials
        .authorize(request, &context.project_id, SystemTime::now())?;
    // After signing, as the official SDK's transport adds its own: a proxy
    // that rewrites this header must not break the signature.
    request
        .headers_mut()
        .insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
    Ok(())
}

/// Sends the request and logs one event for it. A non-2xx answer is kept
/// whole (status and headers at once, then up to 64 KiB of body, each piece
/// within the idle limit), so that the status survives a body that stalls
/// or breaks. A 2xx with a content coding the client did not ask for is
/// refused: the bytes would not be the file.
pub(crate) async fn execute(
    context: &CallContext,
    client: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let method = request.method().clone();
    let path = request.url().path().to_owned();
    // The generated code decodes such an answer from memory: it is read
    // here, within the idle limit and checked against its length.
    let decoded_as_json = request
        .headers()
        .get(reqwest::header::ACCEPT)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let started = Instant::now();
    let response = match client.execute(request).await {
        Ok(response) => response,
        Err(e) => {
            tracing::debug!(
                target: "secmaster_client",
                %method, %path, attempt = context.attempt,
                elapsed_ms = started.elapsed().as_millis() as u64,
                error = %untrusted::escape(&crate::error::chain(&e)), "request failed"
            );
            return Err(e);
        }
    };
    context.headers_in.store(true, Ordering::SeqCst);
    let status = response.status();
    let headers = response.headers().clone();
    let request_id = crate::untrusted::header_text(&headers, "x-request-id").unwrap_or("-");
    tracing::debug!(
        target: "secmaster_client",
        %method, %path, status = status.as_u16(), attempt = context.attempt,
        elapsed_ms = started.elapsed().as_millis() as u64,
        request_id = %untrusted::escape(request_id),
        "response"
    );
    if status.is_success() {
        let coding = headers
            .get(CONTENT_ENCODING)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        if let Some(coding) = coding.filter(|c| !c.trim().eq_ignore_ascii_case("identity")) {
            context.keep(AttemptFailure::Local(Error::Unexpected(format!(
                "the service answered with Content-Encoding {:?}, which the client did not accept",
                untrusted::escape(&coding)
            ))));
        }
        // Only a 200 file is streamed; any other 2xx of the export goes to
        // the generated code as unexpected, read here within the limits.
        if !decoded_as_json && status == StatusCode::OK {
            return Ok(response);
        }
        if !decoded_as_json {
            let body = read_capped(response, MAX_ERROR_BODY, context.idle).await;
            return Ok(rebuilt(status, headers, body));
        }
        let body = read_answer(response, context.idle)
            .await
            .unwrap_or_else(|e| {
                context.keep(AttemptFailure::Local(e));
                Bytes::new()
            });
        return Ok(rebuilt(status, headers, body));
    }
    let mut raw = RawResponse {
        status,
        headers,
        body: Bytes::new(),
    };
    context.keep(AttemptFailure::Response(raw.clone()));
    raw.body = read_capped(response, MAX_ERROR_BODY, context.idle).await;
    context.keep(AttemptFailure::Response(raw.clone()));
    // Hand the generated code an equivalent response to decode as it will;
    // the caller-facing error is built from the copy kept above.
    Ok(rebuilt(raw.status, raw.headers, raw.body))
}

/// A response from parts already read.
fn rebuilt(status: StatusCode, headers: HeaderMap, body: Bytes) -> reqwest::Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}

/// A 2xx answer that is decoded rather than streamed, read whole: each
/// piece within `idle`, at most 16 MiB, and exactly as long as its
/// `Content-Length` says (shorter is [`Error::Truncated`], as for a file).
pub(crate) async fn read_answer(
    mut response: reqwest::Response,
    idle: Duration,
) -> Result<Bytes, Error> {
    let expected = response.content_length();
    let mut body = Vec::new();
    let short = |received: usize| match expected {
        Some(expected) if expected > received as u64 => Some(Error::Truncated {
            expected,
            received: received as u64,
        }),
        _ => None,
    };
    loop {
        match tokio::time::timeout(idle, response.chunk()).await {
            Err(_) => return Err(Error::Timeout(TimeoutPhase::Idle)),
            Ok(Ok(Some(chunk))) if body.len() + chunk.len() > MAX_ANSWER => {
                return Err(Error::Unexpected(format!(
                    "the service's answer is larger than {} MiB",
                    MAX_ANSWER >> 20
                )));
            }
            Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
            Ok(Ok(None)) => break,
            Ok(Err(e)) => return Err(short(body.len()).unwrap_or_else(|| Error::from_reqwest(e))),
        }
    }
    match short(body.len()) {
        Some(e) => Err(e),
        None => Ok(Bytes::from(body)),
    }
}

/// Reads at most `limit` bytes of an error body, each piece within `idle`:
/// an error page must neither exhaust memory nor hold the caller. What
/// arrived before a stall or a break is kept.
async fn read_capped(mut response: reqwest::Response, limit: usize, idle: Duration) -> Bytes {
    let mut body = Vec::new();
    while let Ok(Ok(Some(chunk))) = tokio::time::timeout(idle, response.chunk()).await {
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == limit {
            break;
        }
    }
    Bytes::from(body)
}

/// Rewrites the query as the signer's canonical query. The generated code
/// writes it with `application/x-www-form-urlencoded` rules (`+` for a
/// space), so it is read back with the same rules first.
fn canonicalise_query(url: &mut reqwest::Url) {
    let Some(query) = url.query().filter(|q| !q.is_empty()) else {
        url.set_query(None);
        return;
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let canonical = crate::signer::canonical_query_of_pairs(pairs);
    url.set_query(Some(&canonical));
}
