//! The in-memory state: projects → workspaces → workflows. A workspace
//! nobody has written to is simply empty, as if it had been created on
//! first use.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::workflow::{Workflow, seeded};

/// What the list operation asks for, already checked and defaulted.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
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

#[derive(Debug)]
pub struct Store {
    workspaces: HashMap<(String, String), Vec<Workflow>>,
    /// Mixed into imported ids so that two runs do not hand out the same ones.
    nonce: u64,
    issued: u64,
}

impl Default for Store {
    fn default() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Store {
            workspaces: HashMap::new(),
            nonce: nanos ^ u64::from(std::process::id()).rotate_left(32),
            issued: 0,
        }
    }
}

impl Store {
    fn workspace(&mut self, project: &str, workspace: &str) -> &mut Vec<Workflow> {
        self.workspaces
            .entry((project.to_owned(), workspace.to_owned()))
            .or_default()
    }

    /// Adds workflows 1..=count of the deterministic seed; returns their ids.
    pub fn seed(&mut self, project: &str, workspace: &str, count: u64) -> Vec<String> {
        let flows: Vec<Workflow> = (1..=count).map(|i| seeded(project, workspace, i)).collect();
        let ids = flows.iter().map(|w| w.id.clone()).collect();
        let ws = self.workspace(project, workspace);
        ws.retain(|w| !flows.iter().any(|f| f.id == w.id));
        if ws.is_empty() {
            // Moved, not copied: a big seed would briefly need room for both.
            *ws = flows;
        } else {
            ws.extend(flows);
        }
        ids
    }

    /// Adds or replaces (by id) one workflow, in its own project and workspace.
    pub fn insert(&mut self, workflow: Workflow) {
        let ws = self.workspace(&workflow.project_id, &workflow.workspace_id);
        ws.retain(|w| w.id != workflow.id);
        ws.push(workflow);
    }

    pub fn workflows(&self, project: &str, workspace: &str) -> Vec<Workflow> {
        self.workspaces
            .get(&(project.to_owned(), workspace.to_owned()))
            .cloned()
            .unwrap_or_default()
    }

    pub fn find(&self, project: &str, workspace: &str, id: &str) -> Option<Workflow> {
        self.workspaces
            .get(&(project.to_owned(), workspace.to_owned()))?
            .iter()
            .find(|w| w.id == id)
            .cloned()
    }

    /// The total number of matches and the page asked for.
    pub fn list(&self, project: &str, workspace: &str, q: &ListQuery) -> (usize, Vec<Workflow>) {
        let contains = |field: &str, wanted: &Option<String>| {
            wanted
                .as_ref()
                .is_none_or(|w| field.to_lowercase().contains(&w.to_lowercase()))
        };
        let equals =
            |field: &str, wanted: &Option<String>| wanted.as_ref().is_none_or(|w| field == w);
        // By reference: only the page asked for is copied (a list of a
        // big workspace is paged through many times).
        let mut matches: Vec<&Workflow> = self
            .workspaces
            .get(&(project.to_owned(), workspace.to_owned()))
            .into_iter()
            .flatten()
            .filter(|w| q.enabled.is_none_or(|e| w.enabled == e))
            .filter(|w| contains(&w.name, &q.name) && contains(&w.description, &q.description))
            .filter(|w| {
                equals(&w.dataclass_id, &q.dataclass_id)
                    && equals(&w.dataclass_name, &q.dataclass_name)
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
        let total = matches.len();
        let page = matches
            .into_iter()
            .skip(q.offset)
            .take(q.limit)
            .cloned()
            .collect();
        (total, page)
    }

    /// Copies `workflows` into the workspace under new ids and version ids;
    /// returns the new ids.
    pub fn import(
        &mut self,
        project: &str,
        workspace: &str,
        workflows: Vec<Workflow>,
        now: &str,
    ) -> Vec<String> {
        let mut ids = Vec::new();
        let mut fresh = Vec::new();
        for mut w in workflows {
            w.id = self.new_id();
            self.renew_version_ids(&mut w);
            w.project_id = project.to_owned();
            w.workspace_id = workspace.to_owned();
            w.create_time = now.to_owned();
            w.update_time = now.to_owned();
            ids.push(w.id.clone());
            fresh.push(w);
        }
        self.workspace(project, workspace).extend(fresh);
        ids
    }

    /// Gives every version id field a new id. Fields that held the same id
    /// get the same new one (the approved version may be the current one),
    /// and an empty field (no such version) stays empty. The misspelt
    /// `current_rejected_versoin_id` is not kept on input, so it cannot
    /// carry an old id over.
    fn renew_version_ids(&mut self, w: &mut Workflow) {
        let mut renewed: Vec<(String, String)> = Vec::new();
        for field in [
            &mut w.version_id,
            &mut w.current_approval_version_id,
            &mut w.current_rejected_version_id,
        ] {
            if field.is_empty() {
                continue;
            }
            let new = match renewed.iter().find(|(old, _)| old == field) {
                Some((_, new)) => new.clone(),
                None => {
                    let new = self.new_id();
                    renewed.push((field.clone(), new.clone()));
                    new
                }
            };
            *field = new;
        }
    }

    /// UUID-shaped: the run's nonce, then a counter.
    fn new_id(&mut self) -> String {
        self.issued += 1;
        let (n, c) = (self.nonce, self.issued);
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            n >> 32,
            (n >> 16) & 0xffff,
            n & 0xfff,
            (c >> 48) & 0xfff,
            c & 0xffff_ffff_ffff
        )
    }
}
