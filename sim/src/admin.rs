//! The control endpoints under `/_sim/`: not part of the document, never
//! logged. They let a test in any language script faults and read what the
//! simulator saw. Open to anyone who can connect when the simulator listens
//! on loopback; with an admin token, only to requests that carry it; off
//! when the simulator listens beyond loopback without one.
//!
//! - `GET /_sim/faults`: the active rules.
//! - `POST /_sim/faults`: add rules: one JSON rule, an array of them, or
//!   `{"spec": "OPERATION=ACTION,..."}` in the command-line form; all of
//!   them or, on a 400, none.
//! - `DELETE /_sim/faults`: remove every rule.
//! - `GET /_sim/settings`, `PUT /_sim/settings`: `{"latency_ms": N,
//!   "export_size": N or null}`; fields left out stay as they are.
//! - `GET /_sim/requests`: the request log as a JSON array.

use http::{Method, Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use serde_json::{Value, json};

use crate::AdminAccess;
use crate::api::error;
use crate::body::SimBody;
use crate::contract::Contract;
use crate::faults::Fault;
use crate::secret::Secret;
use crate::server::{Shared, json_ok};

/// Who may use the endpoints; see [`AdminAccess`].
#[derive(Debug)]
pub enum Gate {
    Open,
    Token(Secret),
    Off,
}

impl Gate {
    pub fn access(&self) -> AdminAccess {
        match self {
            Gate::Open => AdminAccess::Open,
            Gate::Token(_) => AdminAccess::Token,
            Gate::Off => AdminAccess::Off,
        }
    }

    /// The refusal, when the request may not come in. Checked before the
    /// body is read.
    fn refusal(&self, headers: &http::HeaderMap) -> Option<Response<SimBody>> {
        match self {
            Gate::Open => None,
            Gate::Off => Some(error(
                404,
                "SIM.Admin",
                "the admin endpoints are off: the simulator listens beyond loopback without an admin token",
            )),
            Gate::Token(token) => {
                let given = headers
                    .get(http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "));
                match given {
                    Some(given) if token.matches(given) => None,
                    _ => Some(error(
                        401,
                        "SIM.Admin",
                        "the admin endpoints need Authorization: Bearer <admin token>",
                    )),
                }
            }
        }
    }
}

/// Admin bodies are small; anything bigger is a mistake.
const MAX_ADMIN_BODY: usize = 1024 * 1024;

pub async fn handle(shared: &Shared, request: Request<Incoming>) -> Response<SimBody> {
    let (head, incoming) = request.into_parts();
    if let Some(refused) = shared.admin.refusal(&head.headers) {
        return refused;
    }
    let body = match http_body_util::Limited::new(incoming, MAX_ADMIN_BODY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return error(400, "SIM.Admin", &format!("cannot read the body: {e}")),
    };
    let result = match (&head.method, head.uri.path()) {
        (&Method::GET, "/_sim/faults") => Ok(json_ok(&shared.faults().active())),
        (&Method::POST, "/_sim/faults") => add_faults(shared, &body),
        (&Method::DELETE, "/_sim/faults") => {
            shared.faults().clear();
            Ok(json_ok(&shared.faults().active()))
        }
        (&Method::GET, "/_sim/settings") => Ok(settings(shared)),
        (&Method::PUT, "/_sim/settings") => change_settings(shared, &body),
        (&Method::GET, "/_sim/requests") => Ok(json_ok(&shared.log.records())),
        (method, path) => Err((404, format!("no admin endpoint {method} {path}"))),
    };
    result.unwrap_or_else(|(status, message)| error(status, "SIM.Admin", &message))
}

/// All or nothing: every rule is read and checked before any is added, so
/// a 400 leaves the rules as they were.
fn add_faults(shared: &Shared, body: &[u8]) -> Result<Response<SimBody>, (u16, String)> {
    let value: Value = serde_json::from_slice(body).map_err(|e| (400, format!("not JSON: {e}")))?;
    let faults = new_faults(&shared.contract, &value).map_err(|e| (400, e))?;
    // One lock: a request never sees some of the rules without the others.
    let mut set = shared.faults();
    for fault in faults {
        set.add(fault);
    }
    Ok(json_ok(&set.active()))
}

/// One JSON rule, an array of them, or `{"spec": "..."}`, checked against
/// the document. In an array, the error names the rule.
fn new_faults(contract: &Contract, value: &Value) -> Result<Vec<Fault>, String> {
    match value {
        Value::Array(rules) => rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                Fault::from_json(rule)
                    .and_then(|fault| fault.resolve(contract))
                    .map_err(|e| format!("rule {} of {}: {e}", i + 1, rules.len()))
            })
            .collect(),
        Value::Object(object) if object.contains_key("spec") => {
            if let Some(key) = object.keys().find(|k| *k != "spec") {
                return Err(format!("unknown key {key:?} beside \"spec\""));
            }
            let spec = object["spec"]
                .as_str()
                .ok_or_else(|| format!("\"spec\" must be a string, not {}", object["spec"]))?;
            Ok(vec![Fault::parse(spec)?.resolve(contract)?])
        }
        rule => Ok(vec![Fault::from_json(rule)?.resolve(contract)?]),
    }
}

fn settings(shared: &Shared) -> Response<SimBody> {
    let s = shared.settings();
    json_ok(&json!({
        "latency_ms": s.latency.as_millis() as u64,
        "export_size": s.export_size,
    }))
}

fn change_settings(shared: &Shared, body: &[u8]) -> Result<Response<SimBody>, (u16, String)> {
    let value: Value = serde_json::from_slice(body).map_err(|e| (400, format!("not JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or((400, "expected a JSON object".to_owned()))?;
    let mut latency = None;
    let mut export_size = None;
    for (key, v) in object {
        match key.as_str() {
            "latency_ms" => {
                latency = Some(
                    v.as_u64()
                        .ok_or((400, "latency_ms must be a whole number".to_owned()))?,
                )
            }
            // `null` switches synthetic exports off.
            "export_size" if v.is_null() => export_size = Some(None),
            "export_size" => {
                export_size = Some(Some(
                    v.as_u64()
                        .ok_or((400, "export_size must be a whole number or null".to_owned()))?,
                ))
            }
            other => return Err((400, format!("unknown setting {other:?}"))),
        }
    }
    shared.set_settings(|s| {
        if let Some(ms) = latency {
            s.latency = std::time::Duration::from_millis(ms);
        }
        if let Some(size) = export_size {
            s.export_size = size;
        }
    });
    Ok(settings(shared))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::AUTHORIZATION;
    use proptest::prelude::*;

    proptest! {
        /// Any Authorization value: no panic, and only the exact
        /// `Bearer <admin token>` opens the endpoints.
        #[test]
        fn only_the_exact_bearer_token_opens_the_admin_endpoints(
            value in any::<String>(),
            exact in any::<bool>(),
        ) {
            let gate = Gate::Token(Secret::new("admin-secret"));
            let value = if exact { "Bearer admin-secret".to_owned() } else { value };
            let mut headers = http::HeaderMap::new();
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert(AUTHORIZATION, value);
            }
            let open = gate.refusal(&headers).is_none();
            prop_assert_eq!(
                open,
                headers.get(AUTHORIZATION).is_some_and(|v| v == "Bearer admin-secret")
            );
        }
    }
}
