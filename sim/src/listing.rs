//! Filtering, sorting and paging the two lists: a workspace's workflows and
//! a project's workspaces. Only the page asked for is copied (a big
//! workspace is paged through many times).

use crate::workflow::Workflow;
use crate::workspace::Workspace;

/// What list_workflows asks for, already checked and defaulted.
#[derive(Debug, Clone, Default)]
pub struct WorkflowQuery {
    pub offset: usize,
    pub limit: usize,
    pub ascending: bool,
    pub by_update_time: bool,
    pub enabled: Option<bool>,
    /// Case-insensitive substring filters.
    pub name: Option<String>,
    pub description: Option<String>,
    /// Exact filters.
    pub dataclass_id: Option<String>,
    pub dataclass_name: Option<String>,
    pub aop_type: Option<String>,
}

/// What list_workspaces asks for, already checked.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceQuery {
    pub offset: usize,
    pub limit: usize,
    /// Case-insensitive substring filters.
    pub name: Option<String>,
    pub description: Option<String>,
    /// Exact filters.
    pub ids: Option<Vec<String>>,
    pub is_view: Option<bool>,
    pub region_id: Option<String>,
}

fn contains(field: &str, wanted: &Option<String>) -> bool {
    wanted
        .as_ref()
        .is_none_or(|w| field.to_lowercase().contains(&w.to_lowercase()))
}

fn equals(field: &str, wanted: &Option<String>) -> bool {
    wanted.as_ref().is_none_or(|w| field == w)
}

/// The total number of matches and the page asked for.
pub fn workflows_page<'a>(
    workflows: impl Iterator<Item = &'a Workflow>,
    q: &WorkflowQuery,
) -> (usize, Vec<Workflow>) {
    let mut matches: Vec<&Workflow> = workflows
        .filter(|w| q.enabled.is_none_or(|e| w.enabled == e))
        .filter(|w| contains(&w.name, &q.name) && contains(&w.description, &q.description))
        .filter(|w| {
            equals(&w.dataclass_id, &q.dataclass_id) && equals(&w.dataclass_name, &q.dataclass_name)
        })
        .filter(|w| equals(&w.aop_type, &q.aop_type))
        .collect();
    // Ties are broken by id so that pages never overlap.
    matches.sort_by(|a, b| {
        fn key(w: &Workflow, by_update_time: bool) -> (&str, &str) {
            let time = if by_update_time {
                &w.update_time
            } else {
                &w.create_time
            };
            (time, &w.id)
        }
        let order = key(a, q.by_update_time).cmp(&key(b, q.by_update_time));
        if q.ascending { order } else { order.reverse() }
    });
    page(matches, q.offset, q.limit)
}

/// The total number of matches and the page asked for, oldest first (the
/// reference names no order).
pub fn workspaces_page<'a>(
    workspaces: impl Iterator<Item = &'a Workspace>,
    q: &WorkspaceQuery,
) -> (usize, Vec<Workspace>) {
    let mut matches: Vec<&Workspace> = workspaces
        .filter(|w| contains(&w.name, &q.name) && contains(&w.description, &q.description))
        .filter(|w| q.ids.as_ref().is_none_or(|ids| ids.contains(&w.id)))
        .filter(|w| q.is_view.is_none_or(|v| w.is_view == v))
        .filter(|w| equals(&w.region_id, &q.region_id))
        .collect();
    matches.sort_by(|a, b| (&a.create_time, &a.id).cmp(&(&b.create_time, &b.id)));
    page(matches, q.offset, q.limit)
}

fn page<T: Clone>(matches: Vec<&T>, offset: usize, limit: usize) -> (usize, Vec<T>) {
    let total = matches.len();
    let page = matches
        .into_iter()
        .skip(offset)
        .take(limit)
        .cloned()
        .collect();
    (total, page)
}
