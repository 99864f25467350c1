//! What each workflow operation does once a request has passed routing,
//! authentication and validation. Handlers are chosen by the path's shape
//! and method, not by `operationId`, so that renaming an operation or a
//! parameter in the document does not change behaviour.

use std::collections::{BTreeMap, HashSet};
use std::time::SystemTime;

use http::{Response, StatusCode, header};
use serde_json::{Value, json};

use crate::body::SimBody;
use crate::contract::{Operation, Segment};
use crate::server::Shared;
use crate::store::ListQuery;
use crate::validate::Checked;
use crate::workflow::{EXPORT_FORMAT, ExportFile, iso_time};

const WORKFLOWS: &str = "/v1/{}/workspaces/{}/soc/workflows";
/// `code` and `message` of a success; the real values are not documented.
const OK_CODE: &str = "00000000";
const OK_MESSAGE: &str = "success";

/// One request that passed every check.
pub struct Call<'a> {
    pub op: &'a Operation,
    pub path_params: &'a BTreeMap<String, String>,
    pub checked: &'a Checked,
    pub request_id: &'a str,
}

impl Call<'_> {
    /// Path parameter values in template order (project, workspace, ...).
    fn path_values(&self) -> Vec<&str> {
        self.op
            .segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(name) => self.path_params.get(name).map(String::as_str),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// 404 when the document lists one for the operation, else 400.
    fn not_found(&self, message: String) -> Response<SimBody> {
        let status = if self.op.statuses.contains(&404) {
            404
        } else {
            400
        };
        error(status, "SecMaster.Sim.WorkflowNotFound", &message)
    }
}

pub fn answer(shared: &Shared, call: &Call<'_>) -> Response<SimBody> {
    let key = call.op.shape_key();
    let values = call.path_values();
    let (Some(project), Some(workspace)) = (values.first().copied(), values.get(1).copied()) else {
        return not_implemented(call.op);
    };
    match (call.op.method.as_str(), key.strip_prefix(WORKFLOWS)) {
        ("GET", Some("")) => list(shared, call, project, workspace),
        ("GET", Some("/{}")) => show(
            shared,
            call,
            project,
            workspace,
            values.get(2).copied().unwrap_or_default(),
        ),
        ("POST", Some("/export")) => export(shared, call, project, workspace),
        ("POST", Some("/import")) => import(shared, call, project, workspace),
        _ => not_implemented(call.op),
    }
}

fn list(shared: &Shared, call: &Call<'_>, project: &str, workspace: &str) -> Response<SimBody> {
    let q = &call.checked.query;
    let text = |name: &str| q.get(name).cloned();
    let number =
        |name: &str, fallback: usize| q.get(name).and_then(|v| v.parse().ok()).unwrap_or(fallback);
    let query = ListQuery {
        offset: number("offset", 0),
        limit: number("limit", 10).max(1),
        ascending: q
            .get("order")
            .is_some_and(|o| o.eq_ignore_ascii_case("ASC")),
        by_update_time: q.get("sortby").is_some_and(|s| s == "update_time"),
        enabled: q.get("enabled").map(|e| e == "true"),
        name: text("name"),
        description: text("description"),
        dataclass_id: text("dataclass_id"),
        dataclass_name: text("dataclass_name"),
        aop_type: text("aop_type"),
    };
    let (total, page) = shared.store().list(project, workspace, &query);
    success(
        call.request_id,
        OK_MESSAGE,
        json!({
            "total": total,
            "offset": query.offset,
            "limit": query.limit,
            "size": page.len(),
            // The document: "Number of pages".
            "page": total.div_ceil(query.limit),
            "data": page,
        }),
    )
}

fn show(
    shared: &Shared,
    call: &Call<'_>,
    project: &str,
    workspace: &str,
    id: &str,
) -> Response<SimBody> {
    match shared.store().find(project, workspace, id) {
        Some(workflow) => success(call.request_id, OK_MESSAGE, json!({ "data": workflow })),
        None => call.not_found(format!(
            "workflow {id} does not exist in workspace {workspace}"
        )),
    }
}

fn export(shared: &Shared, call: &Call<'_>, project: &str, workspace: &str) -> Response<SimBody> {
    if let Some(size) = shared.settings().export_size {
        // A throughput test: the ids do not matter.
        return file(SimBody::pattern(size), "workflows.bin");
    }
    // Each workflow once, in the order first named: the document sets no
    // limit on the list, and copies would multiply the answer.
    let mut named = HashSet::new();
    let ids: Option<Vec<&str>> = call
        .checked
        .json
        .as_ref()
        .and_then(|body| body.get("id")?.as_array())
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .filter(|id| named.insert(*id))
                .collect()
        });
    let Some(ids) = ids else {
        return error(
            400,
            "SecMaster.Sim.InvalidRequest",
            "the body must be {\"id\": [workflow ids]}",
        );
    };
    let store = shared.store();
    let mut workflows = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        match store.find(project, workspace, id) {
            Some(w) => workflows.push(w),
            None => missing.push(id),
        }
    }
    drop(store);
    if !missing.is_empty() {
        return call.not_found(format!(
            "no such workflow in workspace {workspace}: {}",
            missing.join(", ")
        ));
    }
    let exported = ExportFile {
        format: EXPORT_FORMAT.to_owned(),
        workflows,
    };
    let bytes = serde_json::to_vec_pretty(&exported).expect("workflows serialise");
    file(SimBody::bytes(bytes), "workflows.json")
}

fn import(shared: &Shared, call: &Call<'_>, project: &str, workspace: &str) -> Response<SimBody> {
    let upload = call
        .checked
        .form
        .as_ref()
        .and_then(|parts| parts.iter().find(|p| p.name == "uploadFile"));
    let Some(upload) = upload else {
        return error(
            400,
            "SecMaster.Sim.InvalidRequest",
            "the form has no uploadFile field",
        );
    };
    let parsed: ExportFile = match serde_json::from_slice(&upload.data) {
        Ok(file) => file,
        Err(e) => {
            return error(
                400,
                "SecMaster.Sim.InvalidFile",
                &format!("uploadFile is not a {EXPORT_FORMAT} file: {e}"),
            );
        }
    };
    if parsed.format != EXPORT_FORMAT {
        return error(
            400,
            "SecMaster.Sim.InvalidFile",
            &format!(
                "uploadFile has format {:?}; only {EXPORT_FORMAT} is understood",
                parsed.format
            ),
        );
    }
    let now = iso_time(SystemTime::now());
    let ids = shared
        .store()
        .import(project, workspace, parsed.workflows, &now);
    success(
        call.request_id,
        &format!("imported {} workflows", ids.len()),
        json!({}),
    )
}

/// The answer to an import whose body was drained (`drain_imports`).
pub fn drained_import(request_id: &str, bytes: u64) -> Response<SimBody> {
    success(
        request_id,
        &format!("drained {bytes} bytes; nothing imported"),
        json!({}),
    )
}

fn not_implemented(op: &Operation) -> Response<SimBody> {
    let message = format!(
        "{} ({} {}) is documented but the simulator has no behaviour for it",
        op.id, op.method, op.template
    );
    error(501, "SecMaster.Sim.NotImplemented", &message)
}

fn file(body: SimBody, name: &str) -> Response<SimBody> {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .body(body)
        .expect("static headers are valid")
}

/// A 200 in the service's success shape: `code`, `message`, `success` and
/// `request_id`, then the members of `fields` (an object).
fn success(request_id: &str, message: &str, fields: Value) -> Response<SimBody> {
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

pub fn json_response(status: StatusCode, value: &Value) -> Response<SimBody> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(SimBody::bytes(value.to_string()))
        .expect("static headers are valid")
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
