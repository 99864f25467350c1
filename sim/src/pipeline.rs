//! One API request, in the order the real gateway and service take it:
//! read it whole, route it (404), authenticate (401), apply a fault, validate
//! (400), answer; and log it on the way out. The body goes into the log
//! only when bodies are logged and the request was not refused.

use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use http::{HeaderValue, Request, Response, header};
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::answer::{error, gateway_error};
use crate::auth::Received;
use crate::body::{End, SimBody};
use crate::call::Call;
use crate::connections::Busy;
use crate::faults::{Fault, FaultAction};
use crate::log::{RequestRecord, redact};
use crate::state::Shared;
use crate::workflow::iso_time;
use crate::{routes, validate, workflow_handlers};

/// The gateway refuses request bodies over 12 MB (APIGW.0201; docs/official-sdk.md).
/// Read as 12 MiB, the larger reading, so nothing the gateway takes is refused here.
const MAX_BODY: usize = 12 * 1024 * 1024;

/// Returned instead of a response to make hyper close the connection.
#[derive(Debug)]
pub struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by a fault")
    }
}

impl std::error::Error for CloseConnection {}

pub async fn api_request(
    shared: &Shared,
    request: Request<Incoming>,
    request_id: &str,
    busy: &Busy,
) -> Result<Response<SimBody>, CloseConnection> {
    let received_at = Instant::now();
    let (head, mut incoming) = request.into_parts();
    let headers: Vec<(String, String)> = head
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut record = RequestRecord {
        request_id: request_id.to_owned(),
        time: iso_time(SystemTime::now()),
        method: head.method.to_string(),
        path: head.uri.path().to_owned(),
        query: head.uri.query().unwrap_or_default().to_owned(),
        headers: redact(&headers),
        body_length: 0,
        operation: None,
        auth: "not run".into(),
        validation: "not run".into(),
        warnings: Vec::new(),
        fault: None,
        status: None,
        synthesised: false,
        body: Vec::new(),
        received_at,
        answered_at: None,
    };
    // With `drain_imports`, an import's body is counted and dropped.
    let drain = shared.settings().drain_imports
        && validate::route(&shared.contract, &head.method, &record.path)
            .is_some_and(|r| r.op.id == "import_workflows");
    let limit = if drain { None } else { Some(MAX_BODY) };
    let (body, length) =
        match read_body(&mut incoming, limit, shared.limits.idle_timeout, busy).await {
            Ok(read) => read,
            Err(ReadError::TooLarge) => {
                let response = gateway_error(413, "APIGW.0201", "Request entity too large");
                return Ok(finish(shared, record, response));
            }
            // The client went away or fell silent while sending: nobody to answer.
            Err(ReadError::Gone) => return Err(CloseConnection),
        };
    record.body_length = usize::try_from(length).unwrap_or(usize::MAX);
    let drained = drain.then_some(length);

    let latency = shared.settings().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let Some(route) = validate::route(&shared.contract, &head.method, &record.path) else {
        let message = format!(
            "no operation {} {} in the document",
            record.method, record.path
        );
        return Ok(finish(shared, record, error(404, "APIGW.0101", &message)));
    };
    record.operation = Some(route.op.id.clone());

    let received = Received {
        method: head.method.as_str(),
        path: &record.path,
        query: &record.query,
        headers: &headers,
        body: &body,
        drained,
    };
    match shared.auth.check(&received) {
        Ok(how) => {
            record.auth = format!("ok: {how}");
            record.body = shared.log.keep(&body);
        }
        Err(why) => {
            record.auth = format!("failed: {why}");
            let message = format!("Incorrect IAM authentication information: {why}");
            return Ok(finish(
                shared,
                record,
                gateway_error(401, "APIGW.0301", &message),
            ));
        }
    }

    let rule = shared.faults().take(&route.op.id);
    record.fault = rule.as_ref().map(|r| {
        Fault {
            times: None,
            ..r.clone()
        }
        .to_string()
    });
    let extra = rule.as_ref().map(|r| r.headers.clone()).unwrap_or_default();
    let mut cut = None;
    match rule.map(|r| r.action) {
        None | Some(FaultAction::Pass) => {}
        Some(FaultAction::Status {
            status,
            retry_after,
            body,
        }) => {
            let mut response = fault_status(status, body);
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            return Ok(with_headers(finish(shared, record, response), &extra));
        }
        Some(FaultAction::Latency { ms }) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Some(FaultAction::StallHeaders) => {
            shared.log.push(record);
            // Never resolves: the connection task ends when the client
            // gives up or the simulator stops.
            return std::future::pending().await;
        }
        Some(FaultAction::Close) => {
            shared.log.push(record);
            return Err(CloseConnection);
        }
        Some(FaultAction::StallBody { after }) => cut = Some((after, End::Stall)),
        Some(FaultAction::Cut { after }) => cut = Some((after, End::Close)),
    }

    if let Some(n) = drained {
        record.warnings = vec!["body drained, not checked (drain_imports)".into()];
        let response = routes::workspace_refusal(shared, route.op, &route.path_params)
            .unwrap_or_else(|| workflow_handlers::drained_import(request_id, n));
        return Ok(with_headers(finish(shared, record, response), &extra));
    }

    let checked = match validate::check(&route, &record.query, &head.headers, &body, shared.strict)
    {
        Ok(checked) => checked,
        Err(why) => {
            record.validation = format!("rejected: {why}");
            // Refused: its body is not kept.
            record.body = Vec::new();
            return Ok(finish(
                shared,
                record,
                error(400, "SecMaster.Sim.InvalidRequest", &why),
            ));
        }
    };
    record.validation = "ok".into();
    record.warnings = checked.warnings.clone();
    let call = Call {
        op: route.op,
        path_params: &route.path_params,
        checked: &checked,
        request_id,
    };
    let answered = routes::answer(shared, &call);
    record.synthesised = answered.from_document;
    let mut response = answered.response;
    if let Some((after, end)) = cut {
        response = response.map(|body| body.cut(after, end));
    }
    Ok(with_headers(finish(shared, record, response), &extra))
}

pub enum ReadError {
    /// More than the limit.
    TooLarge,
    /// The client went away, or sent nothing for the idle limit.
    Gone,
}

/// Reads a body to its end: kept when `limit` is given (more is
/// `TooLarge`), else only counted. Returns what was kept and the length.
/// `busy` hears of every frame, and of the end.
pub async fn read_body(
    body: &mut Incoming,
    limit: Option<usize>,
    idle: Duration,
    busy: &Busy,
) -> Result<(Bytes, u64), ReadError> {
    let mut kept = BytesMut::new();
    let mut length = 0u64;
    loop {
        let frame = match tokio::time::timeout(idle, body.frame()).await {
            Ok(Some(Ok(frame))) => frame,
            Ok(None) => {
                busy.received();
                return Ok((kept.freeze(), length));
            }
            Ok(Some(Err(_))) | Err(_) => return Err(ReadError::Gone),
        };
        busy.progress();
        let Some(data) = frame.data_ref() else {
            continue;
        };
        length += data.len() as u64;
        if let Some(limit) = limit {
            if kept.len() + data.len() > limit {
                return Err(ReadError::TooLarge);
            }
            kept.extend_from_slice(data);
        }
    }
}

/// A fault's headers, replacing the simulator's own of the same name.
fn with_headers(mut response: Response<SimBody>, extra: &[(String, String)]) -> Response<SimBody> {
    for (name, value) in extra {
        // Checked when the rule was added.
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// The body of an injected status: the gateway's shape for the statuses
/// the gateway answers itself, the service's otherwise.
fn fault_status(status: u16, body: Option<String>) -> Response<SimBody> {
    if let Some(body) = body {
        let mut response = Response::new(SimBody::bytes(body));
        *response.status_mut() =
            http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        return response;
    }
    match status {
        401 => gateway_error(
            401,
            "APIGW.0301",
            "Incorrect IAM authentication information (injected fault)",
        ),
        403 => gateway_error(
            403,
            "APIGW.0302",
            "The IAM user is not authorized to access the API (injected fault)",
        ),
        429 => gateway_error(
            429,
            "APIGW.0308",
            "The throttling threshold has been reached (injected fault)",
        ),
        _ => error(status, "SecMaster.Sim.Fault", "injected fault"),
    }
}

/// Logs the request with its status and fixes `Content-Length` to the
/// announced length (a cut body sends fewer bytes than that).
fn finish(
    shared: &Shared,
    mut record: RequestRecord,
    mut response: Response<SimBody>,
) -> Response<SimBody> {
    record.status = Some(response.status().as_u16());
    record.answered_at = Some(Instant::now());
    shared.log.push(record);
    let length = response.body().announced_len();
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}
