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
//! - `GET /_sim/requests`: the request log as a JSON array, one answer
//!   at a time.
//! - `POST /_sim/workspaces`: add a workspace, `{"project_id": P, "name":
//!   N, "id": I}` (`id` optional: one is made up); 409 when the project
//!   has one with that id; 400 when the store has no room for it.

use std::sync::Arc;
use std::time::SystemTime;

use http::{Method, Request, Response};
use hyper::body::Incoming;
use serde_json::{Value, json};

use crate::answer::{error, json_ok};
use crate::body::SimBody;
use crate::connections::Busy;
use crate::contract::Contract;
use crate::faults::Fault;
use crate::pipeline::{CloseConnection, ReadError, read_body};
use crate::state::Shared;
use crate::store::workspace_size;
use crate::workflow::iso_time;
use crate::workspace::Workspace;

/// Admin bodies are small; anything bigger is a mistake.
const MAX_ADMIN_BODY: usize = 1024 * 1024;

/// `Err` closes the connection: the client went away or fell silent in
/// the middle of its body.
pub async fn handle(
    shared: &Shared,
    request: Request<Incoming>,
    busy: &Busy,
) -> Result<Response<SimBody>, CloseConnection> {
    let (head, mut incoming) = request.into_parts();
    if let Some(refused) = shared.admin.refusal(&head.headers) {
        return Ok(refused);
    }
    let body = match read_body(
        &mut incoming,
        Some(MAX_ADMIN_BODY),
        shared.limits.idle_timeout,
        busy,
    )
    .await
    {
        Ok((body, _)) => body,
        Err(ReadError::TooLarge) => {
            let message = format!("the body is larger than {MAX_ADMIN_BODY} bytes");
            return Ok(error(400, "SIM.Admin", &message));
        }
        Err(ReadError::Gone) => return Err(CloseConnection),
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
        (&Method::GET, "/_sim/requests") => Ok(request_log(shared, busy).await),
        (&Method::POST, "/_sim/workspaces") => add_workspace(shared, &body),
        (method, path) => Err((404, format!("no admin endpoint {method} {path}"))),
    };
    Ok(result.unwrap_or_else(|(status, message)| error(status, "SIM.Admin", &message)))
}

/// The request log as a JSON array, one answer at a time: the copy of the
/// records (up to `KEPT_BYTES`, 64 MiB) and its JSON are made while
/// holding the one permit of `Shared::log_answer`, and the body keeps it
/// until it is sent or dropped. Concurrent calls wait their turn, so the
/// log's answers take at most one copy and one JSON text at a time (the
/// connection's idle timeout ends a client that reads none of it). While
/// a call waits, its connection may be closed to make room (see
/// [`Busy::waiting`]): waiting calls do not hold the connection cap.
async fn request_log(shared: &Shared, busy: &Busy) -> Response<SimBody> {
    busy.waiting();
    let permit = Arc::clone(&shared.log_answer)
        .acquire_owned()
        .await
        .expect("the semaphore is never closed");
    busy.received();
    // Straight to bytes: a `serde_json::Value` of the records would take
    // several times their size.
    let json = serde_json::to_vec(&shared.log.records()).expect("records serialise");
    Response::builder()
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(SimBody::bytes(json).holding_permit(permit))
        .expect("static headers are valid")
}

/// All or nothing: every rule is read and checked before any is added, so
/// a 400 leaves the rules as they were.
fn add_faults(shared: &Shared, body: &[u8]) -> Result<Response<SimBody>, (u16, String)> {
    let value: Value = serde_json::from_slice(body).map_err(|e| (400, format!("not JSON: {e}")))?;
    let faults = new_faults(&shared.contract, &value).map_err(|e| (400, e))?;
    // One lock: a request never sees some of the rules without the others.
    let mut set = shared.faults();
    set.add_all(faults).map_err(|e| (400, e))?;
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

/// What `POST /_sim/workspaces` takes.
#[derive(Debug, PartialEq, Eq)]
struct NewWorkspace {
    project_id: String,
    id: Option<String>,
    name: String,
}

const WORKSPACE_KEYS: [&str; 3] = ["project_id", "name", "id"];

/// Strict: anything but an object of [`WORKSPACE_KEYS`] holding non-empty
/// strings (`id` may be absent or null) is refused, naming the key.
fn new_workspace(body: &[u8]) -> Result<NewWorkspace, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let object = value
        .as_object()
        .ok_or("expected a JSON object with project_id, name and optionally id")?;
    if let Some(key) = object
        .keys()
        .find(|k| !WORKSPACE_KEYS.contains(&k.as_str()))
    {
        return Err(format!(
            "unknown key {key:?} (a workspace takes project_id, name, id)"
        ));
    }
    let text = |key: &str| match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(other) => Err(format!("{key} must be a non-empty string, not {other}")),
    };
    let needed = |key: &str| text(key)?.ok_or_else(|| format!("{key} is required"));
    Ok(NewWorkspace {
        project_id: needed("project_id")?,
        id: text("id")?,
        name: needed("name")?,
    })
}

fn add_workspace(shared: &Shared, body: &[u8]) -> Result<Response<SimBody>, (u16, String)> {
    let new = new_workspace(body).map_err(|e| (400, e))?;
    let mut store = shared.store();
    let id = new.id.unwrap_or_else(|| store.new_id());
    let workspace = Workspace::new(
        &new.project_id,
        &id,
        &new.name,
        &iso_time(SystemTime::now()),
    );
    if store.has_workspace(&new.project_id, &id) {
        let message = format!(
            "workspace {id} already exists in project {}",
            new.project_id
        );
        return Err((409, message));
    }
    store
        .room_for(workspace_size(&workspace), 1)
        .map_err(|why| (400, format!("cannot add workspace {id}: {why}")))?;
    store
        .add_workspace(workspace.clone())
        .map_err(|e| (409, e))?;
    Ok(json_ok(&workspace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Everything the connections share, with the embedded document and
    /// no credentials.
    fn shared() -> Shared {
        use crate::auth::AuthConfig;
        use crate::gate::Gate;
        use crate::log::RequestLog;
        use crate::state::{Limits, Settings};
        Shared::new(
            Contract::from_yaml(crate::contract::EMBEDDED_DOCUMENT).unwrap(),
            AuthConfig::default(),
            false,
            Settings::default(),
            RequestLog::default(),
            Limits {
                idle_timeout: std::time::Duration::from_secs(30),
                max_connections: 128,
            },
            Gate::Open,
        )
    }

    /// A second answer of the log is not built while the first is in
    /// memory, and is once the first is gone. (`timeout(ZERO, f)` polls
    /// `f` once: no waiting, no timing.)
    #[tokio::test]
    async fn one_answer_of_the_request_log_at_a_time() {
        use std::time::Duration;
        use tokio::time::timeout;
        let shared = shared();
        let slot = crate::connections::Connections::new(2).admit().unwrap();
        let (one, two) = (slot.busy(), slot.busy());
        let first = request_log(&shared, &one).await;
        assert_eq!(first.status(), 200);
        let second = request_log(&shared, &two);
        tokio::pin!(second);
        assert!(
            timeout(Duration::ZERO, &mut second).await.is_err(),
            "a second answer was built while the first was held"
        );
        drop(first);
        let second = timeout(Duration::ZERO, &mut second)
            .await
            .expect("built once the first is dropped");
        assert_eq!(second.status(), 200);
        drop(second);
        assert_eq!(shared.log_answer.available_permits(), 1);
    }

    #[test]
    fn a_workspace_needs_a_project_and_a_name_and_nothing_else() {
        let read = |text: &str| new_workspace(text.as_bytes());
        assert_eq!(
            read(r#"{"project_id":"p","name":"n"}"#),
            Ok(NewWorkspace {
                project_id: "p".into(),
                id: None,
                name: "n".into()
            })
        );
        assert_eq!(
            read(r#"{"project_id":"p","name":"n","id":"w"}"#).map(|w| w.id),
            Ok(Some("w".into()))
        );
        assert_eq!(
            read(r#"{"name":"n"}"#),
            Err("project_id is required".into())
        );
        assert_eq!(
            read(r#"{"project_id":"p","name":"","id":"w"}"#),
            Err("name must be a non-empty string, not \"\"".into())
        );
        assert!(
            read(r#"{"project_id":"p","name":"n","size":1}"#)
                .unwrap_err()
                .starts_with("unknown key \"size\"")
        );
    }

    proptest! {
        /// Any bytes: no panic, and a body is taken exactly when it is an
        /// object of non-empty strings under the known keys, with
        /// project_id and name present.
        #[test]
        fn any_workspace_body_is_read_or_refused_by_the_rules(
            raw in proptest::collection::vec(any::<u8>(), 0..64),
            keys in proptest::collection::vec(
                (prop::sample::select(vec!["project_id", "name", "id", "other"]),
                 prop_oneof![Just(json!("")), Just(json!("x")), Just(json!(1)), Just(Value::Null)]),
                0..5,
            ),
            as_json in any::<bool>(),
        ) {
            if !as_json {
                let _ = new_workspace(&raw);
                return Ok(());
            }
            let object: serde_json::Map<String, Value> =
                keys.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            let good = |key: &str| object.get(key).is_some_and(|v| v == "x");
            let optional = |key: &str| object.get(key).is_none_or(|v| v.is_null() || v == "x");
            let expected = !object.contains_key("other")
                && good("project_id")
                && good("name")
                && optional("id");
            let body = Value::Object(object).to_string();
            prop_assert_eq!(new_workspace(body.as_bytes()).is_ok(), expected);
        }
    }
}
