//! The document's own tests: the documentation-conformance checker (the
//! document against the facts transcribed from the API reference) and the
//! files it reads.
#![forbid(unsafe_code)]

pub mod conformance;

use std::path::PathBuf;

/// The workspace root (this crate lives one level below it).
pub fn workspace_root() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The text of `openapi/secmaster.yaml`.
pub fn load_document_text() -> String {
    std::fs::read_to_string(workspace_root().join("openapi/secmaster.yaml"))
        .expect("openapi/secmaster.yaml is readable")
}

/// The text of `tests/data/<name>`.
pub fn read_data(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join("tests/data").join(name))
        .unwrap_or_else(|e| panic!("tests/data/{name}: {e}"))
}

/// The workspace README's Rust example, compiled (not run) as a doctest so
/// that it cannot drift from the library.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct WorkspaceReadme;
