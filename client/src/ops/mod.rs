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

use crate::types::{ImportWorkflowsResponse, ListWorkflowsResponse, ShowWorkflowResponse};

/// The fields every JSON answer of the API carries.
trait Answer: serde::Serialize {
    fn success(&self) -> Option<bool>;
    fn request_id(&mut self) -> &mut Option<String>;
}

macro_rules! answer {
    ($($t:ty),*) => {$(
        impl Answer for $t {
            fn success(&self) -> Option<bool> {
                self.success
            }
            fn request_id(&mut self) -> &mut Option<String> {
                &mut self.request_id
            }
        }
    )*};
}
answer!(
    ListWorkflowsResponse,
    ShowWorkflowResponse,
    ImportWorkflowsResponse
);

/// A decoded 2xx answer, made ready for the caller. One that says
/// `"success": false` is a refusal, not a result: its code and message
/// become an [`Error::Api`], as an error status's would (`raw` is the body
/// as sent, when the caller has it). `request_id` is the body's, else the
/// `X-Request-Id` header.
fn checked<T: Answer>(
    status: StatusCode,
    headers: &HeaderMap,
    mut answer: T,
    raw: Option<&[u8]>,
) -> Result<T, Error> {
    if answer.success() == Some(false) {
        let body = raw.map_or_else(
            || serde_json::to_vec(&answer).unwrap_or_default(),
            <[u8]>::to_vec,
        );
        return Err(Error::Api(ApiError::from_response_parts(
            status, headers, &body,
        )));
    }
    let header = crate::untrusted::header_text(headers, "x-request-id").map(str::to_owned);
    let id = answer.request_id();
    *id = id.take().or(header);
    Ok(answer)
}
