//! The one call path every operation takes: a fresh context and signature
//! per attempt, the first-byte time limit, error normalisation, and retries
//! with back-off.
//!
//! # When an attempt is repeated
//!
//! - No connection could be made (nothing was sent): always.
//! - 429 (throttled by the gateway, so the request was not processed):
//!   always.
//! - 502, 503, 504: only for operations that are safe to repeat (listing,
//!   showing and exporting change nothing). An import is not repeated: a
//!   gateway can answer these after the service has taken the upload.
//! - Never: other 4xx (the request is wrong or not allowed), 500 (the
//!   service failed on this request; the official SDK does not retry it
//!   either), a first-byte time-out (the service may still be working on
//!   it), and anything after a 200 began to arrive.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::SecMasterClient;
use crate::error::{ApiError, Error, TimeoutPhase};
use crate::generated;
use crate::hooks::{AttemptFailure, CallContext};
use crate::retry::{is_retryable_status, jitter, retry_after};

/// Whether an operation may be sent again after it may have reached the
/// service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Changes nothing on the service (list, show, export).
    Safe,
    /// Changes state (import): repeated only when the answer proves it was
    /// not processed.
    OnlyIfUnprocessed,
}

/// What one attempt came to.
enum Outcome<T> {
    Done(Result<T, Error>),
    /// Worth another try; the server may have said when.
    Again(Error, Option<Duration>),
}

impl SecMasterClient {
    /// Runs `attempt` until it succeeds, fails for good, or the retry policy
    /// says stop. `attempt` gets a fresh [`CallContext`] each time and sends
    /// the request through the hooks.
    pub(crate) async fn call<T, F, Fut>(
        &self,
        project_id: &str,
        repeat: Repeat,
        attempt: F,
    ) -> Result<T, Error>
    where
        F: Fn(CallContext) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        self.call_observed(project_id, repeat, &|_| {}, attempt)
            .await
    }

    /// [`Self::call`], telling `before_retry` of each error that is about to
    /// be retried (the pager slows down on a 429).
    pub(crate) async fn call_observed<T, F, Fut>(
        &self,
        project_id: &str,
        repeat: Repeat,
        before_retry: &(dyn Fn(&Error) + Sync),
        attempt: F,
    ) -> Result<T, Error>
    where
        F: Fn(CallContext) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let started = Instant::now();
        let mut number = 1;
        loop {
            let context = CallContext::new(
                Arc::clone(&self.credentials),
                project_id,
                number,
                self.timeouts.idle,
            );
            let (error, server_wait) =
                match self.once(&context, repeat, attempt(context.clone())).await {
                    Outcome::Done(result) => return result,
                    Outcome::Again(error, wait) => (error, wait),
                };
            let delay = self.retry.delay(number, server_wait, jitter());
            let out_of_time = started.elapsed().saturating_add(delay) > self.retry.deadline;
            if number >= self.retry.max_attempts || out_of_time {
                return Err(if number == 1 {
                    error
                } else {
                    Error::GaveUp {
                        attempts: number,
                        last: Box::new(error),
                    }
                });
            }
            before_retry(&error);
            tracing::info!(
                target: "secmaster_client",
                attempt = number, delay_ms = delay.as_millis() as u64, error = %error,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            number += 1;
        }
    }

    async fn once<T>(
        &self,
        context: &CallContext,
        repeat: Repeat,
        sent: impl Future<Output = Result<T, Error>>,
    ) -> Outcome<T> {
        // The first-byte limit runs until the headers are in. A body read
        // here (an error page, a JSON answer; never the streamed file) then
        // gets as long again in all, besides the idle limit on each piece,
        // so that a trickle cannot hold the call for ever.
        let mut sent = std::pin::pin!(sent);
        let outcome = match tokio::time::timeout(self.timeouts.first_byte, &mut sent).await {
            Err(_) if context.headers_in() => {
                match tokio::time::timeout(self.timeouts.first_byte, sent).await {
                    Ok(done) => Ok(done),
                    Err(_) => Ok(Err(Error::Timeout(TimeoutPhase::Idle))),
                }
            }
            other => other,
        };
        // What the hooks kept wins: it is the full story (the status of an
        // error body that stalled, a refused content coding).
        let error = match (context.take_failure(), outcome) {
            (Some(AttemptFailure::Local(e)), _) => e,
            (Some(AttemptFailure::Response(raw)), _) => {
                let api = ApiError::from_response_parts(raw.status, &raw.headers, &raw.body);
                let status = raw.status.as_u16();
                let proven_unprocessed = status == 429;
                if is_retryable_status(raw.status) && (repeat == Repeat::Safe || proven_unprocessed)
                {
                    let wait = retry_after(&raw.headers, std::time::SystemTime::now());
                    return Outcome::Again(Error::Api(api), wait);
                }
                Error::Api(api)
            }
            (None, Ok(Ok(value))) => return Outcome::Done(Ok(value)),
            (None, Ok(Err(e))) => e,
            (None, Err(_)) => Error::Timeout(TimeoutPhase::FirstByte),
        };
        match error {
            Error::Connect(_) | Error::Timeout(TimeoutPhase::Connect) => {
                Outcome::Again(error, None)
            }
            other => Outcome::Done(Err(other)),
        }
    }

    /// A generated client for one attempt.
    pub(crate) fn generated(&self, context: CallContext) -> generated::Client {
        generated::Client::new_with_client(self.endpoint.as_str(), self.http.clone(), context)
    }
}

/// The result of a generated `send()`, with progenitor's errors in this
/// crate's terms. The hooks keep every non-2xx answer and every local
/// failure, and [`SecMasterClient::call`] prefers those; what is left here
/// is transport errors and 2xx answers the document does not declare.
pub(crate) async fn generated_result<T>(
    sent: impl Future<Output = Result<T, generated::Error<generated::types::ErrorBody>>>,
) -> Result<T, Error> {
    use progenitor_client::Error as E;
    match sent.await {
        Ok(value) => Ok(value),
        Err(E::InvalidRequest(m)) => Err(Error::InvalidInput(m)),
        Err(E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e)) => {
            Err(Error::from_reqwest(e))
        }
        Err(E::UnexpectedResponse(response)) => {
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap_or_default();
            Err(Error::Api(ApiError::from_response_parts(
                status, &headers, &body,
            )))
        }
        Err(E::InvalidResponsePayload(_, e)) => Err(Error::Unexpected(format!(
            "the service's answer does not match the API document: {e}"
        ))),
        Err(e @ (E::ErrorResponse(_) | E::Custom(_))) => Err(Error::Unexpected(e.to_string())),
    }
}
