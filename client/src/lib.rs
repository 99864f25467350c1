#![doc = include_str!("../README.md")]
//!
//! # How the crate is laid out
//!
//! Everything most callers need is at the top level: [`SecMasterClient`]
//! and its [`SecMasterClientBuilder`], [`WorkspaceClient`] (one workspace's
//! workflows), [`Credentials`], [`Endpoint`],
//! [`RetryPolicy`] and [`Timeouts`], the operations' inputs
//! ([`ListQuery`], [`WorkspaceQuery`], [`ListAllOptions`], [`ImportFile`]) and outputs
//! ([`WorkflowFile`], [`ListAll`], [`types`]), and the one error type,
//! [`Error`] (with [`ApiError`] for answers other than 2xx).
//!
//! Every operation of the document, typed method or not, can be sent with
//! [`SecMasterClient::execute`]: [`operations`] is the table generated
//! from the document ([`operation`] says what an entry holds), and
//! [`Args`] its arguments, checked against it before sending.
//!
//! Credentials are never shown in `Debug`, errors or logs; [`Timeouts`]
//! limits each phase of a call (connect, first byte, idle between pieces)
//! so that a large download is not cut off; [`RetryPolicy`] says what is
//! retried and when ([`is_retryable_status`], [`retry_after`]); a [`Gate`]
//! bounds how many requests are in flight and narrows when the service
//! throttles.
//!
//! The modules hold the rest, for callers who need a piece on its own:
//!
//! - [`signer`]: SDK-HMAC-SHA256 request signing (the `secmaster-signer`
//!   crate), pure and checked against vectors from the official SDK (a
//!   server can use it to check signatures);
//! - [`mod@env`]: the official SDK's environment variables;
//! - [`save`]: all-or-nothing saving of a file or a directory;
//! - [`untrusted`]: server text made safe to show.
//!
//! Internal, and not part of the API: the request path every operation
//! takes (the request built from the table, signed, sent within the time
//! limits, retried; a refusal kept whole).
//!
//! Runnable examples that read their settings from the environment:
//! `cargo run -p secmaster-client --example export -- <project_id>
//! <workspace_id> <output_path> <workflow_id>...` (`examples/export.rs`),
//! and `cargo run -p secmaster-client --example workspaces --
//! <project_id>` (`examples/workspaces.rs`: the typed pager and
//! `execute`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod auth;
mod call;
mod client;
mod download;
mod endpoint;
pub mod env;
mod error;
mod gate;
// The progenitor output (types only), unedited; `types` re-exports it.
#[rustfmt::skip]
#[allow(missing_docs, dead_code, unused_imports, clippy::all, clippy::pedantic)]
mod generated;
pub mod operation;
/// The operation table, generated from the document by `cargo xtask gen`.
#[rustfmt::skip]
#[allow(missing_docs)]
pub mod operations;
mod ops;
mod path_value;
#[rustfmt::skip]
mod regions;
mod retry;
pub mod save;
/// SDK-HMAC-SHA256 request signing: the `secmaster-signer` crate, which the
/// client uses for every access-key request.
pub use secmaster_signer as signer;
mod transport;
pub mod untrusted;
mod workspace;

pub use args::Args;
pub use auth::{Credentials, Secret};
pub use client::{SecMasterClient, SecMasterClientBuilder};
pub use download::WorkflowFile;
pub use endpoint::Endpoint;
pub use error::{ApiError, Error, ErrorKind, TimeoutPhase};
pub use gate::{Gate, GatePass};
pub use ops::{
    Answered, DEFAULT_PAGE_SIZE, ImportFile, Input, ListAll, ListAllOptions, ListQuery, MAX_LIMIT,
    MAX_OFFSET, WorkspaceQuery,
};
pub use retry::{RetryPolicy, is_retryable_status, retry_after};
pub use save::Overwrite;
pub use workspace::WorkspaceClient;

/// The reqwest this crate is built on. Its types are part of this API
/// ([`SecMasterClientBuilder::http_client`] takes a `reqwest::Client`,
/// [`ApiError::status`] is a `StatusCode`, [`Error::Connect`] holds a
/// `reqwest::Error`); use them from here to be sure of the same version.
pub use reqwest;

/// The `Bytes` that [`WorkflowFile::next_chunk`] gives, re-exported so that
/// a caller can name it without depending on the `bytes` crate.
pub use bytes::Bytes;

/// The request and response types of the operations, generated from the
/// document. Fields the document does not name are kept in `extra`.
///
/// # Example
///
/// ```no_run
/// use secmaster_client::types::{AopType, AopWorkflowInfo, Order, SortBy};
/// use secmaster_client::{ListQuery, SecMasterClient};
///
/// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
/// let query = ListQuery::new()
///     .aop_type(AopType::Normal)
///     .sort_by(SortBy::UpdateTime)
///     .order(Order::Desc)
///     .limit(20);
/// let page = client.list_workflows("<project_id>", "<workspace_id>", &query).await?;
/// for workflow in &page.data {
///     let AopWorkflowInfo { id, name, enabled, .. } = workflow;
///     println!("{id:?} {name:?} enabled={enabled:?}");
///     // Fields the document does not name are kept, as JSON:
///     if let Some(value) = workflow.extra.get("workflow_type") {
///         println!("  workflow_type = {value}");
///     }
/// }
/// # Ok(())
/// # }
/// ```
pub mod types {
    /// `aop_type` filter values.
    pub use crate::generated::types::ListWorkflowsAopType as AopType;
    /// Sort direction.
    pub use crate::generated::types::ListWorkflowsOrder as Order;
    /// Sort fields.
    pub use crate::generated::types::ListWorkflowsSortby as SortBy;
    // Every request and response type of the document, so that a new
    // operation's types need no edit here.
    pub use crate::generated::types::*;
}
pub use transport::{Timeouts, USER_AGENT};
