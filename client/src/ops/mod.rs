//! The operations, one file each: input checks, then the generated builder
//! (or, where progenitor cannot generate one, a hand-built request) sent
//! through the one call path (`call.rs`).

mod export;
mod import;
mod list;
mod list_all;
mod show;

pub use import::ImportFile;
pub use list::{ListQuery, MAX_LIMIT, MAX_OFFSET};
pub use list_all::{ListAll, ListAllOptions};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::{ApiError, Error};

/// A 2xx whose body says `"success": false` is a refusal, not a result: its
/// code and message become an [`Error::Api`], as an error status's would.
/// `body` gives the answer's bytes, only when needed.
fn check_success(
    success: Option<bool>,
    status: StatusCode,
    headers: &HeaderMap,
    body: impl FnOnce() -> Vec<u8>,
) -> Result<(), Error> {
    match success {
        Some(false) => Err(Error::Api(ApiError::from_response_parts(
            status,
            headers,
            &body(),
        ))),
        _ => Ok(()),
    }
}

/// The `X-Request-Id` response header.
fn header_request_id(headers: &HeaderMap) -> Option<String> {
    crate::untrusted::header_text(headers, "x-request-id").map(str::to_owned)
}
