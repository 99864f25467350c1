//! Shared code of the workspace's tests: the documentation-conformance
//! checker and the typed httpmock helpers generated from the document.
#![forbid(unsafe_code)]

pub mod conformance;
pub mod server;
pub mod support;
#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
pub mod generated_mocks;
