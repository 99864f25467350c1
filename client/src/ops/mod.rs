//! Every operation, from its table entry: [`SecMasterClient::execute`]
//! serves any of them with no code of its own; the files beside this one
//! add only what the document cannot say (typed arguments, the streamed
//! file, the upload, the pager).

mod export;
mod import;
mod list;
mod list_all;
mod show;
mod workspaces;

pub use import::ImportFile;
pub(crate) use import::upload_failure;
pub use list::{ListQuery, MAX_LIMIT, MAX_OFFSET};
pub use list_all::{DEFAULT_PAGE_SIZE, ListAll, ListAllOptions};
pub use workspaces::WorkspaceQuery;

use std::borrow::Cow;

use bytes::Bytes;
use reqwest::Response;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::SecMasterClient;
use crate::args::{self, Args};
use crate::call::Payload;
use crate::download::WorkflowFile;
use crate::error::{ApiError, Error};
use crate::operation::{Answer, Body, Operation};

/// The request body of [`SecMasterClient::execute`], as the operation's
/// table entry asks ([`Operation::body`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Input {
    /// No body.
    None,
    /// A JSON body.
    Json(Value),
    /// The file of a multipart form.
    File(ImportFile),
}

/// What [`SecMasterClient::execute`] got back, as the operation's table
/// entry says ([`Operation::answer`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Answered {
    /// A JSON answer, checked: one in the service's envelope that says
    /// `"success": false` is an [`Error::Api`] instead; its `request_id`
    /// is the body's, else the `X-Request-Id` header.
    Json(Value),
    /// A file, not read yet.
    File(WorkflowFile),
    /// No body.
    Empty,
}

/// The parameter that takes the client's default project when a call gives none.
const PROJECT_ID: &str = "project_id";

/// A JSON answer (or a part of one) as `T`.
pub(crate) fn decode<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_json::from_value(value).map_err(|e| {
        Error::Unexpected(format!(
            "the service's answer does not match the API document: {e}"
        ))
    })
}

impl SecMasterClient {
    /// Sends any documented operation: its arguments are checked against
    /// the table first (names, types, documented values and ranges,
    /// required ones), then it takes the same path as every other call
    /// (signing, time limits, retries as [`Operation::repeat`] allows).
    ///
    /// Arguments without a `project_id` (or with an empty one) take the
    /// client's default project ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id));
    /// with no default either, the call is refused with
    /// [`Error::InvalidInput`] naming `project_id`.
    ///
    /// ```no_run
    /// use secmaster_client::{Answered, Args, Input, SecMasterClient, operations};
    ///
    /// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
    /// // No project_id: the client's default.
    /// let args = Args::new()
    ///     .set("workspace_id", "<workspace_id>")
    ///     .set("limit", 5);
    /// if let Answered::Json(page) = client.execute(&operations::LIST_WORKFLOWS, &args, Input::None).await? {
    ///     println!("{}", page["total"]);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn execute(
        &self,
        op: &Operation,
        args: &Args,
        input: Input,
    ) -> Result<Answered, Error> {
        self.execute_observed(op, args, input, &|_| {}).await
    }

    /// [`Self::execute`] for a JSON answer, decoded as `T` (one of
    /// [`crate::types`], or anything that deserialises).
    pub async fn execute_json<T: DeserializeOwned>(
        &self,
        op: &Operation,
        args: &Args,
        input: Input,
    ) -> Result<T, Error> {
        self.json_observed(op, args, input, &|_| {}).await
    }

    pub(crate) async fn json_observed<T: DeserializeOwned>(
        &self,
        op: &Operation,
        args: &Args,
        input: Input,
        before_retry: &(dyn Fn(&Error) + Sync),
    ) -> Result<T, Error> {
        // Checked before sending: a call made for nothing may still have
        // changed something.
        if !matches!(op.answer, Answer::Json { .. }) {
            return Err(Error::InvalidInput(format!(
                "{} does not answer in JSON: use execute",
                op.id
            )));
        }
        match self.execute_observed(op, args, input, before_retry).await? {
            Answered::Json(value) => decode(value),
            _ => Err(Error::Unexpected(format!(
                "{} did not answer in JSON",
                op.id
            ))),
        }
    }

    async fn execute_observed(
        &self,
        op: &Operation,
        args: &Args,
        input: Input,
        before_retry: &(dyn Fn(&Error) + Sync),
    ) -> Result<Answered, Error> {
        let args = self.with_default_project(op, args)?;
        let target = args::check(op, &args)?;
        let response = match (op.body, input) {
            (Body::None, Input::None) => {
                self.send(op, &target, &Payload::None, before_retry).await?
            }
            (Body::Json { content_type }, Input::Json(value)) => {
                let bytes =
                    Bytes::from(serde_json::to_vec(&value).expect("a JSON value serialises"));
                let payload = Payload::Bytes {
                    content_type,
                    bytes,
                };
                self.send(op, &target, &payload, before_retry).await?
            }
            (Body::Multipart { file_field }, Input::File(file)) => {
                self.upload(op, &target, file_field, &file, before_retry)
                    .await?
            }
            (body, _) => {
                let wanted = match body {
                    Body::None => "no body",
                    Body::Json { .. } => "a JSON body",
                    Body::Multipart { .. } => "a file",
                };
                return Err(Error::InvalidInput(format!("{} takes {wanted}", op.id)));
            }
        };
        self.answered(op, response).await
    }

    /// `args`, with the client's default project when the operation takes
    /// a `project_id` and they give none, or an empty one.
    fn with_default_project<'a>(
        &self,
        op: &Operation,
        args: &'a Args,
    ) -> Result<Cow<'a, Args>, Error> {
        let given = args.get(PROJECT_ID).is_some_and(|p| !p.is_empty());
        if given || op.parameter(PROJECT_ID).is_none() {
            return Ok(Cow::Borrowed(args));
        }
        match self.project_id() {
            Some(default) => Ok(Cow::Owned(args.clone().set(PROJECT_ID, default))),
            None => Err(Error::InvalidInput(format!(
                "{}: parameter {PROJECT_ID} is required: give one, or set the client's \
                 default (SecMasterClientBuilder::project_id, or {})",
                op.id,
                crate::env::PROJECT_ID
            ))),
        }
    }

    /// The answer read as the table says.
    async fn answered(&self, op: &Operation, response: Response) -> Result<Answered, Error> {
        let status = response.status();
        match op.answer {
            Answer::File => Ok(Answered::File(
                WorkflowFile::new(response, self.timeouts.idle)
                    .refuse_json_failure(status)
                    .await?,
            )),
            Answer::Empty => Ok(Answered::Empty),
            Answer::Json { envelope } => {
                let headers = response.headers().clone();
                let bytes = crate::call::read_answer(
                    response,
                    self.timeouts.idle,
                    self.timeouts.first_byte,
                )
                .await?;
                let mut value: Value = serde_json::from_slice(&bytes).map_err(|e| {
                    Error::Unexpected(format!(
                        "the service's answer is not the JSON the API document describes: {e}"
                    ))
                })?;
                if envelope {
                    if value.get("success") == Some(&Value::Bool(false)) {
                        return Err(Error::Api(ApiError::from_response_parts(
                            status, &headers, &bytes,
                        )));
                    }
                    let header = crate::untrusted::header_text(&headers, "x-request-id");
                    if let (Some(object), Some(header)) = (value.as_object_mut(), header) {
                        let id = object.entry("request_id").or_insert(Value::Null);
                        if id.is_null() {
                            *id = Value::String(header.to_owned());
                        }
                    }
                }
                Ok(Answered::Json(value))
            }
        }
    }
}
