//! What every generated request goes through before and after it is sent.
//!
//! progenitor calls these hooks from the generated `send()`: `pre` once the
//! request is built, `exec` to send it. The order inside `pre` matters: the
//! content type is final before credentials are applied, so that a signature
//! covers the headers that actually leave.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};

use crate::auth::Credentials;
use crate::error::MAX_ERROR_BODY;
use crate::generated::Client;

/// The content type the API reference requires. progenitor drops the
/// `;charset=UTF-8` parameter of the document's media type, so it is set here.
pub const REQUEST_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// progenitor adds `api-version: <info.version>` to every request; the API
/// does not define that header, so it is removed.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

/// State for one call of a generated operation (the generated client's
/// "inner" value). A generated client is built per call, so `failure` belongs
/// to exactly one request.
#[derive(Clone, Debug)]
pub struct CallContext {
    credentials: Arc<Credentials>,
    failure: Arc<Mutex<Option<RawResponse>>>,
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
    pub(crate) fn new(credentials: Arc<Credentials>) -> Self {
        CallContext {
            credentials,
            failure: Arc::default(),
        }
    }

    /// The non-2xx response of this call, if there was one.
    pub(crate) fn take_failure(&self) -> Option<RawResponse> {
        self.failure.lock().ok()?.take()
    }
}

impl ClientHooks<CallContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let headers = request.headers_mut();
        headers.remove(HeaderName::from_static(PROGENITOR_VERSION_HEADER));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(REQUEST_CONTENT_TYPE));
        self.inner().credentials.apply(request);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_capped(response, MAX_ERROR_BODY).await?;
        if let Ok(mut slot) = self.inner().failure.lock() {
            *slot = Some(RawResponse {
                status,
                headers: headers.clone(),
                body: body.clone(),
            });
        }
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
