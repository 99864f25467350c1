//! Client for Huawei Cloud SecMaster's "Exporting a Workflow" API.
//!
//! The request and response types and the request builder in [`generated`]
//! are produced by progenitor from `openapi/secmaster.yaml`; this crate adds a
//! small hand-written layer around them:
//!
//! - [`auth`]: credentials (access keys, temporary credentials or an IAM
//!   token), never shown in `Debug`, errors or logs;
//! - [`signer`]: SDK-HMAC-SHA256 request signing, pure and checked against
//!   vectors from the official SDK;
//! - [`endpoint`] and [`env`]: the regional endpoints, any URL of your own,
//!   and the official SDK's environment variables;
//! - `hooks` (private): what every request gets before it leaves (the
//!   documented content type, the canonical query, authentication) and how
//!   error responses are kept whole;
//! - [`retry`] and [`transport`]: which failures are retried and when, and
//!   per-phase time limits that suit a large download;
//! - [`save`]: all-or-nothing saving of a file;
//! - [`untrusted`]: server text made safe to show;
//! - [`error`]: one error type that keeps status, code, message and request id.
//!
//! # Example
//!
//! ```no_run
//! use secmaster_client::{Credentials, Overwrite, SecMasterClient};
//!
//! # async fn run() -> Result<(), secmaster_client::Error> {
//! let client = SecMasterClient::builder()
//!     .region("cn-north-4")?
//!     .credentials(Credentials::access_key("<AK>", "<SK>")?)
//!     .build()?;
//! // Or: SecMasterClient::builder().from_env()?.build()? with the official
//! // HUAWEICLOUD_SDK_* variables (see the `env` module).
//! let file = client
//!     .export_workflows(
//!         "0123456789abcdef0123456789abcdef",
//!         "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
//!         &["c19470f3-5eaf-4572-82e8-2ff094495919"],
//!     )
//!     .await?;
//! let bytes = file.save_to_path("workflows.zip", Overwrite::Never).await?;
//! println!("saved {bytes} bytes");
//! # Ok(())
//! # }
//! ```
//!
//! A runnable version that reads its settings from the environment:
//! `cargo run -p secmaster-client --example export -- <project_id>
//! <workspace_id> <output_path> <workflow_id>...` (`examples/export.rs`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
mod call;
mod client;
mod dates;
pub mod download;
pub mod endpoint;
pub mod env;
pub mod error;
#[rustfmt::skip]
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod generated;
mod hooks;
mod ops;
mod path_value;
#[rustfmt::skip]
mod regions;
pub mod retry;
pub mod save;
pub mod signer;
pub mod transport;
pub mod untrusted;

pub use auth::Credentials;
pub use client::{SecMasterClient, SecMasterClientBuilder};
pub use download::WorkflowFile;
pub use endpoint::Endpoint;
pub use error::{ApiError, Error, ErrorKind, TimeoutPhase};
pub use ops::{ImportFile, ListAll, ListAllOptions, ListQuery, MAX_LIMIT, MAX_OFFSET};
pub use retry::RetryPolicy;
pub use save::Overwrite;

/// The request and response types of the operations, generated from the
/// document. Fields the document does not name are kept in `extra`.
pub mod types {
    /// `aop_type` filter values.
    pub use crate::generated::types::ListWorkflowsAopType as AopType;
    /// Sort direction.
    pub use crate::generated::types::ListWorkflowsOrder as Order;
    /// Sort fields.
    pub use crate::generated::types::ListWorkflowsSortby as SortBy;
    pub use crate::generated::types::{
        AopWorkflowInfo, ErrorBody, ImportWorkflowsResponse, ListWorkflowsResponse,
        ShowWorkflowResponse,
    };
}
pub use transport::Timeouts;
