//! One request that passed routing, authentication and validation, as the
//! handlers see it, and the refusals every handler may give.

use std::collections::BTreeMap;

use http::Response;

use crate::answer::error;
use crate::body::SimBody;
use crate::operation::Operation;
use crate::validate::Checked;

/// The code SecMaster answers for a workspace that does not exist (see the
/// document's Forbidden response).
pub const NO_SUCH_WORKSPACE: &str = "SecMaster.20010001";

pub struct Call<'a> {
    pub op: &'a Operation,
    pub path_params: &'a BTreeMap<String, String>,
    pub checked: &'a Checked,
    pub request_id: &'a str,
}

impl Call<'_> {
    /// Path parameter `i` in template order (0: project, 1: workspace, ...);
    /// empty when the template has fewer.
    pub fn path_value(&self, i: usize) -> &str {
        self.op
            .path_values(self.path_params)
            .get(i)
            .copied()
            .unwrap_or_default()
    }

    /// A query parameter as received (or its documented default).
    pub fn query(&self, name: &str) -> Option<&str> {
        self.checked.query.get(name).map(String::as_str)
    }

    /// 404 when the document lists one for the operation, else 400.
    pub fn not_found(&self, message: &str) -> Response<SimBody> {
        let status = if self.op.statuses.contains(&404) {
            404
        } else {
            400
        };
        error(status, "SecMaster.Sim.WorkflowNotFound", message)
    }
}

/// The refusal of an operation on a workspace that does not exist: the
/// documented 403 with [`NO_SUCH_WORKSPACE`], or a 400 when the operation
/// documents no 403. `full`: why it could not be made on first use.
pub fn no_such_workspace(
    op: &Operation,
    project: &str,
    workspace: &str,
    full: Option<&str>,
) -> Response<SimBody> {
    let status = if op.statuses.contains(&403) { 403 } else { 400 };
    let mut message = format!("workspace {workspace} does not exist in project {project}");
    if let Some(why) = full {
        message.push_str(&format!(" and cannot be made: {why}"));
    }
    error(status, NO_SUCH_WORKSPACE, &message)
}
