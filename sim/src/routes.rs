//! The handler table: which hand-written behaviour answers which operation.
//! Routes are keyed by method and path shape (the template with parameter
//! names blanked, `/v1/{}/workspaces/{}`), not by `operationId`, so that
//! renaming an operation or a parameter in the document does not change
//! behaviour. A documented operation with no route is answered from the
//! document ([`crate::synth`]).

use std::collections::BTreeMap;

use http::Response;

use crate::answer::raw;
use crate::body::SimBody;
use crate::call::{Call, no_such_workspace};
use crate::operation::Operation;
use crate::state::Shared;
use crate::synth;
use crate::{workflow_handlers as workflows, workspace_handlers as workspaces};

/// What one operation does.
type Handler = fn(&Shared, &Call<'_>) -> Response<SimBody>;

struct Route {
    method: &'static str,
    shape: &'static str,
    handler: Handler,
}

const ROUTES: [Route; 6] = [
    route("GET", "/v1/{}/workspaces", workspaces::list),
    route("GET", "/v1/{}/workspaces/{}", workspaces::show),
    route("GET", "/v1/{}/workspaces/{}/soc/workflows", workflows::list),
    route(
        "GET",
        "/v1/{}/workspaces/{}/soc/workflows/{}",
        workflows::show,
    ),
    route(
        "POST",
        "/v1/{}/workspaces/{}/soc/workflows/export",
        workflows::export,
    ),
    route(
        "POST",
        "/v1/{}/workspaces/{}/soc/workflows/import",
        workflows::import,
    ),
];

const fn route(method: &'static str, shape: &'static str, handler: Handler) -> Route {
    Route {
        method,
        shape,
        handler,
    }
}

/// Operations at or below this shape act on one workspace, which must exist.
const ONE_WORKSPACE: &str = "/v1/{}/workspaces/{}";

/// An answer, and whether it was made from the document rather than by a
/// handler.
pub struct Answered {
    pub response: Response<SimBody>,
    pub from_document: bool,
}

fn handler(op: &Operation) -> Option<Handler> {
    let shape = op.shape_key();
    ROUTES
        .iter()
        .find(|r| r.method == op.method.as_str() && r.shape == shape)
        .map(|r| r.handler)
}

/// Whether a hand-written handler answers the operation (otherwise its
/// answers are made from the document).
pub fn has_behaviour(op: &Operation) -> bool {
    handler(op).is_some()
}

/// The refusal of a request naming a workspace that does not exist; with
/// `auto_create_workspaces`, the workspace is made instead.
pub fn workspace_refusal(
    shared: &Shared,
    op: &Operation,
    path_params: &BTreeMap<String, String>,
) -> Option<Response<SimBody>> {
    let shape = op.shape_key();
    let in_one = shape
        .strip_prefix(ONE_WORKSPACE)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    if !in_one {
        return None;
    }
    let values = op.path_values(path_params);
    let [project, workspace, ..] = values.as_slice() else {
        return None;
    };
    let admitted = shared.store().admit_workspace(project, workspace);
    admitted
        .err()
        .map(|full| no_such_workspace(op, project, workspace, full.as_deref()))
}

/// The answer to a request that passed every check.
pub fn answer(shared: &Shared, call: &Call<'_>) -> Answered {
    if let Some(refusal) = workspace_refusal(shared, call.op, call.path_params) {
        return Answered {
            response: refusal,
            from_document: false,
        };
    }
    match handler(call.op) {
        Some(handler) => Answered {
            response: handler(shared, call),
            from_document: false,
        },
        None => {
            let made = synth::answer(call.op);
            Answered {
                response: raw(made.status, made.media_type.as_deref(), made.body),
                from_document: true,
            }
        }
    }
}
