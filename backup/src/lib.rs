#![doc = include_str!("../README.md")]
//!
//! # How the crate is laid out
//!
//! - [`create`] makes a backup ([`Scope`], [`CreateOptions`]);
//! - [`verify`] checks one against its [`Manifest`] ([`read_manifest`]
//!   reads the manifest alone);
//! - [`restore`] puts one back ([`RestoreOptions`], [`Existing`],
//!   [`Selection`]) and says what became of each workflow ([`Report`]);
//! - [`diff`] compares two workspaces, or a workspace and a backup.
//!
//! Every step that takes a while reports [`Progress`]; everything fails
//! with one [`Error`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod create;
pub mod diff;
mod error;
mod files;
pub mod manifest;
mod paths;
mod plan;
mod restore;
mod verify;
mod workspaces;

pub use create::{CreateOptions, Scope, create};
pub use error::{Error, Problem};
pub use manifest::Manifest;
pub use plan::{Existing, Selection};
pub use restore::{Outcome, Report, ReportLine, RestoreOptions, restore};
pub use verify::{read_manifest, verify};

/// How far a backup or a restore has got, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// This many workflows will be exported or imported.
    Total(usize),
    /// One more is done; its export file has this many bytes.
    Done {
        /// Bytes of its export file.
        bytes: u64,
    },
}

/// Runs file-system work that may block off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}
