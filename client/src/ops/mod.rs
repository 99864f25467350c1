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

use reqwest::header::HeaderMap;

/// The `X-Request-Id` response header.
fn header_request_id(headers: &HeaderMap) -> Option<String> {
    crate::untrusted::header_text(headers, "x-request-id").map(str::to_owned)
}
