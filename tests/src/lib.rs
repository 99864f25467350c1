//! Shared code of the workspace's tests: the documentation-conformance
//! checker, the typed httpmock helpers generated from the document, and the
//! support every test uses (fake keys, files, clients, the simulator).
#![forbid(unsafe_code)]

pub mod conformance;
pub mod support;
#[rustfmt::skip]
#[allow(clippy::all, unused_imports)]
pub mod generated_mocks;

/// The workspace README's Rust example, compiled (not run) as a doctest so
/// that it cannot drift from the library.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadme;
