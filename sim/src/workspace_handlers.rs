//! What the two workspace operations do: list and show, answered from the
//! store. Their answers have no success envelope, as the reference shows.

use http::Response;
use serde_json::json;

use crate::answer::json_ok;
use crate::body::SimBody;
use crate::call::{Call, no_such_workspace};
use crate::listing::WorkspaceQuery;
use crate::state::Shared;

pub fn list(shared: &Shared, call: &Call<'_>) -> Response<SimBody> {
    let project = call.path_value(0);
    let text = |name: &str| call.query(name).map(str::to_owned);
    // Both are required and checked against the document.
    let number = |name: &str| call.query(name).and_then(|v| v.parse().ok()).unwrap_or(0);
    let query = WorkspaceQuery {
        offset: number("offset"),
        limit: number("limit"),
        name: text("name"),
        description: text("description"),
        ids: call.query("ids").map(|ids| {
            ids.split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect()
        }),
        is_view: call.query("is_view").map(|v| v == "true"),
        region_id: text("region_id"),
    };
    let (count, page) = shared.store().list_workspaces(project, &query);
    json_ok(&json!({ "workspaces": page, "count": count }))
}

pub fn show(shared: &Shared, call: &Call<'_>) -> Response<SimBody> {
    let (project, id) = (call.path_value(0), call.path_value(1));
    match shared.store().workspace(project, id) {
        Some(workspace) => json_ok(&json!({ "workspace": workspace })),
        None => no_such_workspace(call.op, project, id, None),
    }
}
