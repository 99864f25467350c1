//! The one call path every operation takes: the request built from its
//! table entry, signed afresh for each attempt, sent within the first-byte
//! time limit; a refusal read whole; retries with back-off. Each attempt's
//! outcome is its return value.
//!
//! # When an attempt is repeated
//!
//! - No connection could be made (nothing was sent): always.
//! - 429 (throttled by the gateway, so the request was not processed):
//!   always.
//! - 502, 503, 504: only for operations that are safe to repeat
//!   ([`Repeat::Safe`]: listing, showing and exporting change nothing). An
//!   import is not repeated: a gateway can answer these after the service
//!   has taken the upload.
//! - Never: other 4xx (the request is wrong or not allowed), 500 (the
//!   service failed on this request; the official SDK does not retry it
//!   either), a first-byte time-out (the service may still be working on
//!   it), and anything after a 2xx began to arrive.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Response, StatusCode};

use crate::SecMasterClient;
use crate::args::Target;
use crate::error::{ApiError, Error, MAX_ERROR_BODY, TimeoutPhase};
use crate::operation::{Operation, Repeat};
use crate::retry::{is_retryable_status, jitter, retry_after};
use crate::untrusted;

/// The longest URL the HTTP stack takes (`http::Uri` refuses 65,534 bytes
/// and more); past it the transport would fail with the whole URL in its
/// message.
const MAX_URL: usize = 65_533;

/// A request body, made anew for each attempt.
pub(crate) enum Payload<'a> {
    None,
    /// Bytes sent with this content type.
    Bytes {
        content_type: &'a str,
        bytes: Bytes,
    },
    /// A body too large to hold (an upload), streamed.
    Stream(&'a (dyn Fn() -> StreamedBody + Sync)),
}

/// One attempt's streamed body.
pub(crate) struct StreamedBody {
    pub content_type: String,
    pub length: u64,
    pub body: reqwest::Body,
}

/// Why one attempt did not give a 2xx.
enum Failure {
    /// A non-2xx answer: status, headers and up to 64 KiB of its body.
    Refused {
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    },
    Local(Error),
}

impl SecMasterClient {
    /// Sends `op` until a 2xx arrives (its headers in, its body unread),
    /// it fails for good, or the retry policy says stop. `before_retry`
    /// hears of each error about to be retried (the pager slows down on a
    /// 429).
    pub(crate) async fn send(
        &self,
        op: &Operation,
        target: &Target,
        payload: &Payload<'_>,
        before_retry: &(dyn Fn(&Error) + Sync),
    ) -> Result<Response, Error> {
        let started = Instant::now();
        let mut number = 1;
        loop {
            let (error, server_wait) = match self.attempt(op, target, payload, number).await {
                Ok(response) => return Ok(response),
                Err(Failure::Refused {
                    status,
                    headers,
                    body,
                }) => {
                    let error = Error::Api(ApiError::from_response_parts(status, &headers, &body));
                    let again = is_retryable_status(status)
                        && (op.repeat == Repeat::Safe || status == StatusCode::TOO_MANY_REQUESTS);
                    if !again {
                        return Err(error);
                    }
                    (error, retry_after(&headers, SystemTime::now()))
                }
                Err(Failure::Local(
                    e @ (Error::Connect(_) | Error::Timeout(TimeoutPhase::Connect)),
                )) => (e, None),
                Err(Failure::Local(e)) => return Err(e),
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
            if let Some(observer) = &self.retry_observer {
                observer(&error);
            }
            tracing::info!(
                target: "secmaster_client",
                attempt = number, delay_ms = delay.as_millis() as u64, error = %error,
                "retrying"
            );
            tokio::time::sleep(delay).await;
            number += 1;
        }
    }

    /// One attempt, up to the answer's headers (and a refusal's body).
    async fn attempt(
        &self,
        op: &Operation,
        target: &Target,
        payload: &Payload<'_>,
        number: u32,
    ) -> Result<Response, Failure> {
        let request = self.request(op, target, payload).map_err(Failure::Local)?;
        let (method, path) = (op.method.as_str(), target.path.as_str());
        let started = Instant::now();
        let sent = tokio::time::timeout(self.timeouts.first_byte, self.http.execute(request)).await;
        let response = match sent {
            Ok(Ok(response)) => response,
            failed => {
                let error = match failed {
                    Err(_) => Error::Timeout(TimeoutPhase::FirstByte),
                    Ok(Err(e)) => {
                        crate::ops::upload_failure(&e).unwrap_or_else(|| Error::from_reqwest(e))
                    }
                    Ok(Ok(_)) => unreachable!("matched above"),
                };
                tracing::debug!(
                    target: "secmaster_client",
                    %method, %path, attempt = number,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    error = %untrusted::escape(&crate::error::chain(&error)), "request failed"
                );
                return Err(Failure::Local(error));
            }
        };
        let (status, headers) = (response.status(), response.headers().clone());
        tracing::debug!(
            target: "secmaster_client",
            %method, %path, status = status.as_u16(), attempt = number,
            elapsed_ms = started.elapsed().as_millis() as u64,
            request_id = %untrusted::escape(untrusted::header_text(&headers, "x-request-id").unwrap_or("-")),
            "response"
        );
        if !status.is_success() {
            // Within the first-byte limit again in all, each piece within
            // the idle limit; what arrived before a stall is kept.
            let body = read_capped(
                response,
                MAX_ERROR_BODY,
                self.timeouts.idle,
                self.timeouts.first_byte,
            )
            .await;
            return Err(Failure::Refused {
                status,
                headers,
                body,
            });
        }
        let coding = untrusted::header_text(&headers, CONTENT_ENCODING.as_str());
        if let Some(coding) = coding.filter(|c| !c.trim().eq_ignore_ascii_case("identity")) {
            return Err(Failure::Local(Error::Unexpected(format!(
                "the service answered with Content-Encoding {:?}, which the client did not accept",
                untrusted::escape(coding)
            ))));
        }
        Ok(response)
    }

    /// The request as it leaves: the query in the signer's canonical form
    /// (sorted, RFC 3986: a space is `%20`), so what is sent is exactly
    /// what is signed; the body's content type exactly as documented; then
    /// the credentials, last, so that a signature covers all of it; then
    /// `Accept-Encoding: identity` (not signed, as the official SDK's
    /// transport adds its own): the file must arrive as it is.
    fn request(
        &self,
        op: &Operation,
        target: &Target,
        payload: &Payload<'_>,
    ) -> Result<reqwest::Request, Error> {
        let mut url = format!("{}{}", self.endpoint.as_str(), target.path);
        if !target.query.is_empty() {
            url.push('?');
            url.push_str(&crate::signer::canonical_query_of_pairs(
                target.query.clone(),
            ));
        }
        let url = reqwest::Url::parse(&url).map_err(|e| Error::InvalidInput(e.to_string()))?;
        if url.as_str().len() > MAX_URL {
            return Err(Error::InvalidInput(format!(
                "{}: the request's URL would be {} bytes; at most {MAX_URL} can be sent",
                op.id,
                url.as_str().len()
            )));
        }
        let method = reqwest::Method::from_bytes(op.method.as_str().as_bytes())
            .expect("the table's methods are valid");
        let mut request = reqwest::Request::new(method, url);
        let content_type = match payload {
            Payload::None => None,
            Payload::Bytes {
                content_type,
                bytes,
            } => {
                *request.body_mut() = Some(bytes.clone().into());
                Some((*content_type).to_owned())
            }
            Payload::Stream(make) => {
                let streamed = make();
                request.headers_mut().insert(
                    reqwest::header::CONTENT_LENGTH,
                    HeaderValue::from(streamed.length),
                );
                *request.body_mut() = Some(streamed.body);
                Some(streamed.content_type)
            }
        };
        if let Some(value) = content_type {
            let value = HeaderValue::from_str(&value)
                .map_err(|_| Error::InvalidInput(format!("bad content type {value:?}")))?;
            request.headers_mut().insert(CONTENT_TYPE, value);
        }
        self.credentials
            .authorize(&mut request, &target.project_id, SystemTime::now())?;
        request
            .headers_mut()
            .insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        Ok(request)
    }
}

/// Reads at most `limit` bytes of a body, each piece within `idle` and all
/// within `total`: an error page must neither exhaust memory nor hold the
/// caller. What arrived before a stall or a break is kept.
async fn read_capped(
    mut response: Response,
    limit: usize,
    idle: Duration,
    total: Duration,
) -> Bytes {
    let deadline = tokio::time::Instant::now() + total;
    let mut body = Vec::new();
    loop {
        let wait = idle.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
        let Ok(Ok(Some(chunk))) = tokio::time::timeout(wait, response.chunk()).await else {
            break;
        };
        let room = limit - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() == limit {
            break;
        }
    }
    Bytes::from(body)
}

/// The largest JSON answer read: a page of 100 workflows is a few hundred
/// KiB. A larger one is refused rather than allowed to fill memory.
const MAX_ANSWER: usize = 16 * 1024 * 1024;

/// A 2xx answer that is decoded rather than streamed, read whole: each
/// piece within `idle`, all within `total`, at most 16 MiB, and exactly as
/// long as its `Content-Length` says (shorter is [`Error::Truncated`], as
/// for a file).
pub(crate) async fn read_answer(
    mut response: Response,
    idle: Duration,
    total: Duration,
) -> Result<Bytes, Error> {
    let deadline = tokio::time::Instant::now() + total;
    let expected = response.content_length();
    let mut body = Vec::new();
    let short = |received: usize| match expected {
        Some(expected) if expected > received as u64 => Some(Error::Truncated {
            expected,
            received: received as u64,
        }),
        _ => None,
    };
    loop {
        let wait = idle.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
        match tokio::time::timeout(wait, response.chunk()).await {
            Err(_) => return Err(Error::Timeout(TimeoutPhase::Idle)),
            Ok(Ok(Some(chunk))) if body.len() + chunk.len() > MAX_ANSWER => {
                return Err(Error::Unexpected(format!(
                    "the service's answer is larger than {} MiB",
                    MAX_ANSWER >> 20
                )));
            }
            Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk),
            Ok(Ok(None)) => break,
            Ok(Err(e)) => return Err(short(body.len()).unwrap_or_else(|| Error::from_reqwest(e))),
        }
    }
    match short(body.len()) {
        Some(e) => Err(e),
        None => Ok(Bytes::from(body)),
    }
}
