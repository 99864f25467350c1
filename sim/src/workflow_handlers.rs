//! What the four workflow operations do: list, show, export and import,
//! answered from the store.

use std::collections::HashSet;
use std::time::SystemTime;

use http::Response;
use serde_json::{Value, json};

use crate::answer::{OK_MESSAGE, error, file, success};
use crate::body::SimBody;
use crate::call::Call;
use crate::listing::WorkflowQuery;
use crate::state::Shared;
use crate::workflow::{EXPORT_FORMAT, ExportFile, iso_time};

pub fn list(shared: &Shared, call: &Call<'_>) -> Response<SimBody> {
    let (project, workspace) = (call.path_value(0), call.path_value(1));
    let text = |name: &str| call.query(name).map(str::to_owned);
    let number = |name: &str, fallback: usize| {
        call.query(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(fallback)
    };
    let query = WorkflowQuery {
        offset: number("offset", 0),
        limit: number("limit", 10).max(1),
        ascending: call
            .query("order")
            .is_some_and(|o| o.eq_ignore_ascii_case("ASC")),
        by_update_time: call.query("sortby") == Some("update_time"),
        enabled: call.query("enabled").map(|e| e == "true"),
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

pub fn show(shared: &Shared, call: &Call<'_>) -> Response<SimBody> {
    let (project, workspace, id) = (call.path_value(0), call.path_value(1), call.path_value(2));
    match shared.store().find(project, workspace, id) {
        Some(workflow) => success(call.request_id, OK_MESSAGE, json!({ "data": workflow })),
        None => call.not_found(&format!(
            "workflow {id} does not exist in workspace {workspace}"
        )),
    }
}

pub fn export(shared: &Shared, call: &Call<'_>) -> Response<SimBody> {
    let (project, workspace) = (call.path_value(0), call.path_value(1));
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
    let found = shared.store().find_all(project, workspace, &ids);
    let workflows = match found {
        Ok(workflows) => workflows,
        Err(missing) => {
            return call.not_found(&format!(
                "no such workflow in workspace {workspace}: {}",
                missing.join(", ")
            ));
        }
    };
    let exported = ExportFile {
        format: EXPORT_FORMAT.to_owned(),
        workflows,
    };
    let bytes = serde_json::to_vec_pretty(&exported).expect("workflows serialise");
    file(SimBody::bytes(bytes), "workflows.json")
}

pub fn import(shared: &Shared, call: &Call<'_>) -> Response<SimBody> {
    let (project, workspace) = (call.path_value(0), call.path_value(1));
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
    let imported = shared
        .store()
        .import(project, workspace, parsed.workflows, &now);
    let ids = match imported {
        Ok(ids) => ids,
        Err(why) => return error(400, "SecMaster.Sim.StoreFull", &why),
    };
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
