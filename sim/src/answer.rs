//! How answers look on the wire: JSON bodies, the service's success and
//! error shapes, the API gateway's error shape, and files.

use http::{HeaderValue, Response, StatusCode, header};
use serde_json::{Value, json};

use crate::body::SimBody;

/// `code` and `message` of a success; the real values are not documented.
const OK_CODE: &str = "00000000";
pub const OK_MESSAGE: &str = "success";

pub fn json_response(status: StatusCode, value: &Value) -> Response<SimBody> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(SimBody::bytes(value.to_string()))
        .expect("static headers are valid")
}

/// A 200 with `value` serialised as JSON.
pub fn json_ok<T: serde::Serialize>(value: &T) -> Response<SimBody> {
    json_response(
        StatusCode::OK,
        &serde_json::to_value(value).expect("serialisable"),
    )
}

/// A 200 in the workflow operations' success shape: `code`, `message`,
/// `success` and `request_id`, then the members of `fields` (an object).
pub fn success(request_id: &str, message: &str, fields: Value) -> Response<SimBody> {
    let mut body = json!({
        "code": OK_CODE,
        "message": message,
        "success": true,
        "request_id": request_id,
    });
    if let (Some(body), Value::Object(fields)) = (body.as_object_mut(), fields) {
        body.extend(fields);
    }
    json_response(StatusCode::OK, &body)
}

/// The service's documented error shape, `{code, message}`.
pub fn error(status: u16, code: &str, message: &str) -> Response<SimBody> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &json!({ "code": code, "message": message }))
}

/// The API gateway's error shape, `{error_code, error_msg}`.
pub fn gateway_error(status: u16, code: &str, message: &str) -> Response<SimBody> {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &json!({ "error_code": code, "error_msg": message }))
}

/// A file to save as `name`.
pub fn file(body: SimBody, name: &str) -> Response<SimBody> {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .body(body)
        .expect("static headers are valid")
}

/// `status` with `bytes` of `media_type`, as an answer made from the
/// document is sent.
pub fn raw(status: u16, media_type: Option<&str>, bytes: Vec<u8>) -> Response<SimBody> {
    let mut response = Response::new(SimBody::bytes(bytes));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    // A document may name a media type that is no valid header value: the
    // bytes then go out untyped rather than not at all.
    if let Some(value) = media_type.and_then(|m| HeaderValue::from_str(m).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
}
