#![doc = include_str!("../README.md")]
//!
//! # How the crate is laid out
//!
//! Everything most callers need is at the top level: [`SecMasterClient`]
//! and its [`SecMasterClientBuilder`], [`Credentials`], [`Endpoint`],
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
//! The modules hold the rest, for callers who need a piece on its own:
//!
//! - [`auth`]: credentials (access keys, temporary credentials or an IAM
//!   token), never shown in `Debug`, errors or logs;
//! - [`signer`]: SDK-HMAC-SHA256 request signing (the `secmaster-signer`
//!   crate), pure and checked against vectors from the official SDK (a
//!   server can use it to check signatures);
//! - [`endpoint`] and [`mod@env`]: the regional endpoints, any URL of your
//!   own, and the official SDK's environment variables;
//! - [`retry`] and [`transport`]: which failures are retried and when, and
//!   per-phase time limits that suit a large download;
//! - [`save`]: all-or-nothing saving of a file;
//! - [`untrusted`]: server text made safe to show;
//! - [`error`]: one error type that keeps status, code, message and request
//!   id.
//!
//! Internal, and not part of the API: the request path every operation
//! takes (the request built from the table, signed, sent within the time
//! limits, retried; a refusal kept whole).
//!
//! A runnable example that reads its settings from the environment:
//! `cargo run -p secmaster-client --example export -- <project_id>
//! <workspace_id> <output_path> <workflow_id>...` (`examples/export.rs`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
pub mod auth;
mod call;
mod client;
pub mod download;
pub mod endpoint;
pub mod env;
pub mod error;
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
pub mod retry;
pub mod save;
/// SDK-HMAC-SHA256 request signing: the `secmaster-signer` crate, which the
/// client uses for every access-key request.
pub use secmaster_signer as signer;
pub mod transport;
pub mod untrusted;

pub use args::Args;
pub use auth::Credentials;
pub use client::{SecMasterClient, SecMasterClientBuilder};
pub use download::WorkflowFile;
pub use endpoint::Endpoint;
pub use error::{ApiError, Error, ErrorKind, TimeoutPhase};
pub use ops::{
    Answered, DEFAULT_PAGE_SIZE, ImportFile, Input, ListAll, ListAllOptions, ListQuery, MAX_LIMIT,
    MAX_OFFSET, WorkspaceQuery,
};
pub use retry::RetryPolicy;
pub use save::Overwrite;

/// The reqwest this crate is built on. Its types are part of this API
/// ([`SecMasterClientBuilder::http_client`] takes a `reqwest::Client`,
/// [`ApiError::status`] is a `StatusCode`, [`Error::Connect`] holds a
/// `reqwest::Error`); use them from here to be sure of the same version.
pub use reqwest;

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
pub use transport::Timeouts;
