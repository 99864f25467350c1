//! The one error type callers see.

use std::fmt;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Everything that can go wrong in a call.
///
/// `Display` gives one line fit to show a person (server text escaped); the
/// accessors give the facts for code: [`Error::kind`] for a broad class,
/// [`Error::api_error`] for the service's answer (also after retries), and
/// [`Error::attempts`].
///
/// # Example
///
/// ```no_run
/// use secmaster_client::{Error, ErrorKind, SecMasterClient};
///
/// # async fn run(client: SecMasterClient) {
/// match client.show_workflow("<project_id>", "<workspace_id>", "<workflow_id>").await {
///     Ok(shown) => println!("{:?}", shown.data),
///     Err(e) if e.kind() == ErrorKind::Auth => eprintln!("check the credentials: {e}"),
///     Err(e) => {
///         if let Some(api) = e.api_error() {
///             // Quote the request id to Huawei Cloud support.
///             eprintln!(
///                 "HTTP {} {:?} {:?} request id {:?}",
///                 api.status(),
///                 api.code(),
///                 api.message(),
///                 api.request_id()
///             );
///         }
///         if let Error::GaveUp { attempts, .. } = &e {
///             eprintln!("after {attempts} attempts");
///         }
///         eprintln!("error: {e}");
///     }
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An argument was refused before anything was sent.
    InvalidInput(String),
    /// The client could not be set up (unknown region, bad URL, bad credentials).
    Config(String),
    /// The service or its API gateway answered with a status other than 2xx.
    Api(ApiError),
    /// No connection could be made.
    Connect(reqwest::Error),
    /// A time limit ran out; see [`crate::Timeouts`].
    Timeout(TimeoutPhase),
    /// The connection broke while sending the request or receiving the body.
    Transport(reqwest::Error),
    /// The body ended, or the connection broke, before the length the
    /// server announced (`Content-Length`) had arrived.
    Truncated {
        /// `Content-Length` of the response.
        expected: u64,
        /// Bytes that arrived.
        received: u64,
    },
    /// Reading or writing a local file failed.
    Io(std::io::Error),
    /// A file being uploaded was not as long as its size said when the
    /// upload began: it changed while it was read (rewritten, truncated,
    /// grown), or its size is not its length (files in `/proc` report 0).
    /// The request was cut off before its end.
    FileChanged {
        /// The file.
        path: std::path::PathBuf,
        /// Its size when the upload began.
        expected: u64,
    },
    /// The service answered something the client cannot use (it does not
    /// match the API document, or has a content coding nobody asked for);
    /// the text says what.
    Unexpected(String),
    /// More items match than the API can page to (the workflow list takes
    /// no offset past 10,000): listing them all would be a silent partial
    /// list.
    ListTooLong {
        /// What was listed: `workflows`, `workspaces` (the operation's id
        /// without its `list_`).
        what: &'static str,
        /// How many match, when the service said.
        total: Option<u64>,
        /// How many the API can list.
        reachable: u64,
    },
    /// Every allowed attempt failed; `last` is the last attempt's error.
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// What the last attempt ran into.
        last: Box<Error>,
    },
}

/// Broad classes of [`Error`], for callers that map errors to exit codes or
/// alerts. More may come: match with a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A bad argument, refused before sending; or a request the API cannot
    /// serve as asked ([`Error::ListTooLong`], after the first page).
    InvalidInput,
    /// Bad configuration (region, endpoint, credentials).
    Config,
    /// The service refused the credentials or the permission (401, 403).
    Auth,
    /// Any other non-2xx answer, or an answer the client cannot use.
    Api,
    /// Connecting, a time limit, a broken or short transfer.
    Network,
    /// Reading or writing a local file, or one that changed while it was
    /// uploaded.
    Io,
}

/// Which time limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Opening the connection (TCP and TLS).
    Connect,
    /// Waiting for the response's status line and headers.
    FirstByte,
    /// Waiting for the next piece of the body.
    Idle,
}

/// A non-2xx answer, with everything it said about itself.
///
/// The accessors return the text as the server sent it. `Display` shows it
/// escaped ([`crate::untrusted::escape`]): a server's words cannot move the
/// cursor, recolour or reorder a terminal.
///
/// # Example
///
/// ```
/// use secmaster_client::ApiError;
/// use secmaster_client::reqwest::StatusCode;
/// use secmaster_client::reqwest::header::HeaderMap;
///
/// let mut headers = HeaderMap::new();
/// headers.insert("x-request-id", "5c1a7b0d".parse().unwrap());
/// let body = br#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#;
/// let error = ApiError::from_response_parts(StatusCode::UNAUTHORIZED, &headers, body);
/// assert_eq!(error.code(), Some("APIGW.0301"));
/// assert_eq!(error.request_id(), Some("5c1a7b0d"));
/// assert_eq!(
///     error.to_string(),
///     "HTTP 401 Unauthorized, code APIGW.0301: Incorrect IAM authentication information (request id 5c1a7b0d)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    body: Option<String>,
}

/// How much of an error body is kept.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

impl ApiError {
    /// Builds the error from the raw response. The code and message are read
    /// from any of the spellings Huawei Cloud uses: `code`/`message` (the
    /// documented 400 body), `error_code`/`error_msg` (the API gateway) and
    /// `errorCode`/`errorMsg`. A body that is not a JSON object is kept as text.
    pub fn from_response_parts(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let request_id = crate::untrusted::header_text(headers, "x-request-id").map(str::to_owned);
        let json = serde_json::from_slice::<serde_json::Value>(body).ok();
        let field = |names: &[&str]| {
            let object = json.as_ref()?.as_object()?;
            names.iter().find_map(|name| match object.get(*name)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            })
        };
        let code = field(&["code", "error_code", "errorCode"]);
        let message = field(&["message", "error_msg", "errorMsg"]);
        let is_object = json.as_ref().is_some_and(serde_json::Value::is_object);
        let body =
            (!is_object && !body.is_empty()).then(|| String::from_utf8_lossy(body).into_owned());
        ApiError {
            status,
            code,
            message,
            request_id,
            body,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The error code (for example `SecMaster.20010001` or `APIGW.0301`).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }
    /// The error description.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }
    /// The `X-Request-Id` response header: quote it to Huawei Cloud support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// The body as text, when it was not a JSON object (at most 64 KiB).
    pub fn raw_body(&self) -> Option<&str> {
        self.body.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::untrusted::escape;
        write!(f, "HTTP {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, ", code {}", escape(code))?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {}", escape(message))?;
        } else if let Some(body) = &self.body {
            let body = body.trim();
            let short: String = body.chars().take(200).collect();
            let ellipsis = if short.len() < body.len() { "..." } else { "" };
            write!(f, ": {}{ellipsis}", escape(&short))?;
        }
        match &self.request_id {
            Some(id) => write!(f, " (request id {})", escape(id)),
            None => write!(f, " (no request id)"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::untrusted::escape;
        match self {
            Error::InvalidInput(m) => write!(f, "invalid input: {}", escape(m)),
            Error::Config(m) => write!(f, "configuration error: {}", escape(m)),
            Error::Api(e) => write!(f, "{e}"),
            Error::Connect(e) => write!(f, "cannot connect: {}", escape(&chain(e))),
            Error::Timeout(TimeoutPhase::Connect) => f.write_str("timed out while connecting"),
            Error::Timeout(TimeoutPhase::FirstByte) => {
                f.write_str("timed out waiting for the response headers")
            }
            Error::Timeout(TimeoutPhase::Idle) => {
                f.write_str("timed out waiting for more of the response body")
            }
            Error::Transport(e) => write!(f, "transport error: {}", escape(&chain(e))),
            Error::Truncated { expected, received } => write!(
                f,
                "the response body ended after {received} of {expected} bytes"
            ),
            Error::Io(e) => write!(f, "local I/O error: {e}"),
            Error::FileChanged { path, expected } => write!(
                f,
                "cannot upload {}: its content did not match its size \
                 ({expected} bytes) as it was read: it changed during the upload, or it reports \
                 no true size, as files in /proc do; the upload was cut off",
                path.display()
            ),
            Error::Unexpected(m) => write!(f, "unexpected: {}", escape(m)),
            Error::ListTooLong {
                what,
                total,
                reachable,
            } => {
                match total {
                    Some(total) => write!(f, "{total} {what} match")?,
                    None => write!(f, "more than {reachable} {what} match")?,
                }
                write!(
                    f,
                    ", but the API pages no further than the first {reachable}; narrow the list with filters"
                )
            }
            Error::GaveUp { attempts, last } => {
                write!(f, "{last} (gave up after {attempts} attempts)")
            }
        }
    }
}

// No `source()`: `Display` already includes the inner error's text (one
// line for the command line), so a source would print it twice in a chain
// (anyhow's `{:#}`). The inner errors stay reachable through the variants.
impl std::error::Error for Error {}

impl Error {
    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.api_error().map(ApiError::status)
    }

    /// The service's answer, when there was one (also after retries).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::GaveUp { last, .. } => last.api_error(),
            _ => None,
        }
    }

    /// How many attempts were made (1 unless the request was retried).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::GaveUp { attempts, .. } => *attempts,
            _ => 1,
        }
    }

    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput(_) | Error::ListTooLong { .. } => ErrorKind::InvalidInput,
            Error::Config(_) => ErrorKind::Config,
            Error::Api(e) if matches!(e.status().as_u16(), 401 | 403) => ErrorKind::Auth,
            // An answer the client cannot use (it does not match the
            // document, a content coding nobody asked for) is the service's.
            Error::Api(_) | Error::Unexpected(_) => ErrorKind::Api,
            Error::Connect(_)
            | Error::Timeout(_)
            | Error::Transport(_)
            | Error::Truncated { .. } => ErrorKind::Network,
            Error::Io(_) | Error::FileChanged { .. } => ErrorKind::Io,
            Error::GaveUp { last, .. } => last.kind(),
        }
    }

    /// Classifies a reqwest error by when it happened.
    pub(crate) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_connect() {
            if e.is_timeout() {
                Error::Timeout(TimeoutPhase::Connect)
            } else {
                Error::Connect(e)
            }
        } else {
            Error::Transport(e)
        }
    }
}

/// reqwest's own message is terse ("error sending request"); the cause chain
/// says what happened. URLs in it carry no secrets: credentials travel in
/// headers only.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use reqwest::header::{CONTENT_TYPE, HeaderValue};

    fn body_like() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            any::<String>().prop_map(String::into_bytes),
            (any::<String>(), any::<String>(), any::<i64>()).prop_map(|(c, m, n)| {
                serde_json::json!({"error_code": c, "error_msg": m, "code": n, "errorMsg": [m]})
                    .to_string()
                    .into_bytes()
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Any body with any content type and status: no panic, the status
        /// is kept, and what `Display` shows is one line with nothing unsafe.
        #[test]
        fn any_error_body_decodes(
            status in 100u16..1000,
            content_type in any::<Vec<u8>>(),
            request_id in "[ -~\u{80}-\u{10ffff}]{0,20}",
            body in body_like(),
        ) {
            let status = StatusCode::from_u16(status).unwrap();
            let mut headers = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_bytes(&content_type) {
                headers.insert(CONTENT_TYPE, v);
            }
            // Any printable UTF-8 is a valid header value (bytes >= 0x80 are
            // obs-text), and the request id is kept, not only ASCII ones.
            headers.insert("x-request-id", HeaderValue::from_bytes(request_id.as_bytes()).unwrap());
            let e = ApiError::from_response_parts(status, &headers, &body);
            prop_assert_eq!(e.status(), status);
            prop_assert_eq!(e.request_id(), Some(request_id.as_str()));
            let shown = Error::Api(e).to_string();
            prop_assert!(!shown.chars().any(crate::untrusted::is_unsafe), "{shown:?}");
        }
    }

    // Display and source() both carried the inner error, so a chain printer
    // showed it twice.
    #[test]
    fn a_chain_printer_shows_each_cause_once() {
        let inner = Error::Io(std::io::Error::other("disk on fire"));
        let outer = Error::GaveUp {
            attempts: 3,
            last: Box::new(inner),
        };
        let mut shown = outer.to_string();
        let mut source = std::error::Error::source(&outer);
        while let Some(s) = source {
            shown.push_str(&format!(": {s}"));
            source = s.source();
        }
        assert_eq!(shown.matches("disk on fire").count(), 1, "{shown}");
    }

    #[test]
    fn codes_and_messages_from_every_spelling() {
        let h = HeaderMap::new();
        let s = StatusCode::BAD_REQUEST;
        let e = ApiError::from_response_parts(s, &h, br#"{"code":"C","message":"M"}"#);
        assert_eq!((e.code(), e.message()), (Some("C"), Some("M")));
        let e = ApiError::from_response_parts(s, &h, br#"{"error_code":"G","error_msg":"N"}"#);
        assert_eq!((e.code(), e.message()), (Some("G"), Some("N")));
        let e = ApiError::from_response_parts(s, &h, br#"{"errorCode":"X","errorMsg":"Y"}"#);
        assert_eq!((e.code(), e.message()), (Some("X"), Some("Y")));
        let e = ApiError::from_response_parts(s, &h, b"<html>\x1b[2J</html>");
        assert_eq!(e.raw_body(), Some("<html>\x1b[2J</html>"));
        assert!(e.to_string().contains("<html>\\u{1b}[2J</html>"), "{e}");
    }
}
