//! The in-memory state: projects → workspaces → workflows. A workspace
//! exists when it was made (seeded, numbered, added through `/_sim/`, or
//! given a workflow); with `auto_create`, any workspace a request names
//! comes into being on first use.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::listing::{self, WorkflowQuery, WorkspaceQuery};
use crate::workflow::{Workflow, seeded};
use crate::workspace::Workspace;

#[derive(Debug)]
pub struct Store {
    /// By project and workspace id.
    workspaces: HashMap<(String, String), Space>,
    /// Any workspace a request names exists (made on first use).
    auto_create: bool,
    /// Mixed into new ids so that two runs do not hand out the same ones.
    nonce: u64,
    issued: u64,
}

/// One workspace and its workflows.
#[derive(Debug)]
struct Space {
    workspace: Workspace,
    workflows: Vec<Workflow>,
}

impl Default for Store {
    fn default() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Store {
            workspaces: HashMap::new(),
            auto_create: false,
            nonce: nanos ^ u64::from(std::process::id()).rotate_left(32),
            issued: 0,
        }
    }
}

fn key(project: &str, workspace: &str) -> (String, String) {
    (project.to_owned(), workspace.to_owned())
}

impl Store {
    /// With `true`, any workspace a request names exists from then on.
    pub fn set_auto_create(&mut self, on: bool) {
        self.auto_create = on;
    }

    /// Adds a workspace; refused when its project already has one with
    /// that id.
    pub fn add_workspace(&mut self, workspace: Workspace) -> Result<(), String> {
        let key = key(&workspace.project_id, &workspace.id);
        if self.workspaces.contains_key(&key) {
            return Err(format!(
                "workspace {} already exists in project {}",
                key.1, key.0
            ));
        }
        let space = Space {
            workspace,
            workflows: Vec::new(),
        };
        self.workspaces.insert(key, space);
        Ok(())
    }

    /// Whether requests may use the workspace: it exists, or it is made now
    /// because workspaces are made on first use.
    pub fn admit_workspace(&mut self, project: &str, workspace: &str) -> bool {
        if self.auto_create {
            self.space_mut(project, workspace);
        }
        self.workspaces.contains_key(&key(project, workspace))
    }

    pub fn workspace(&self, project: &str, workspace: &str) -> Option<Workspace> {
        self.space(project, workspace).map(|s| s.workspace.clone())
    }

    /// The project's workspaces, oldest first.
    pub fn workspaces(&self, project: &str) -> Vec<Workspace> {
        let all = WorkspaceQuery {
            limit: usize::MAX,
            ..WorkspaceQuery::default()
        };
        self.list_workspaces(project, &all).1
    }

    /// The total number of matches and the page asked for.
    pub fn list_workspaces(&self, project: &str, q: &WorkspaceQuery) -> (usize, Vec<Workspace>) {
        let of_project = self
            .workspaces
            .iter()
            .filter(|((p, _), _)| p == project)
            .map(|(_, space)| &space.workspace);
        listing::workspaces_page(of_project, q)
    }

    fn space(&self, project: &str, workspace: &str) -> Option<&Space> {
        self.workspaces.get(&key(project, workspace))
    }

    /// The workspace, made as a seed makes it when it does not exist.
    fn space_mut(&mut self, project: &str, workspace: &str) -> &mut Space {
        self.workspaces
            .entry(key(project, workspace))
            .or_insert_with(|| Space {
                workspace: Workspace::seeded(project, workspace),
                workflows: Vec::new(),
            })
    }

    /// Adds workflows 1..=count of the deterministic seed, making the
    /// workspace if need be; returns their ids.
    pub fn seed(&mut self, project: &str, workspace: &str, count: u64) -> Vec<String> {
        let flows: Vec<Workflow> = (1..=count).map(|i| seeded(project, workspace, i)).collect();
        let ids = flows.iter().map(|w| w.id.clone()).collect();
        let ws = &mut self.space_mut(project, workspace).workflows;
        ws.retain(|w| !flows.iter().any(|f| f.id == w.id));
        if ws.is_empty() {
            // Moved, not copied: a big seed would briefly need room for both.
            *ws = flows;
        } else {
            ws.extend(flows);
        }
        ids
    }

    /// Adds or replaces (by id) one workflow, in its own project and
    /// workspace, making the workspace if need be.
    pub fn insert(&mut self, workflow: Workflow) {
        let ws = &mut self
            .space_mut(&workflow.project_id, &workflow.workspace_id)
            .workflows;
        ws.retain(|w| w.id != workflow.id);
        ws.push(workflow);
    }

    pub fn workflows(&self, project: &str, workspace: &str) -> Vec<Workflow> {
        self.space(project, workspace)
            .map(|s| s.workflows.clone())
            .unwrap_or_default()
    }

    pub fn find(&self, project: &str, workspace: &str, id: &str) -> Option<Workflow> {
        self.space(project, workspace)?
            .workflows
            .iter()
            .find(|w| w.id == id)
            .cloned()
    }

    /// The workflows of these ids, in that order; or the ids that name none.
    /// One pass over the workspace whatever the number of ids.
    pub fn find_all<'a>(
        &self,
        project: &str,
        workspace: &str,
        ids: &[&'a str],
    ) -> Result<Vec<Workflow>, Vec<&'a str>> {
        let by_id: HashMap<&str, &Workflow> = self
            .space(project, workspace)
            .map(|s| s.workflows.iter().map(|w| (w.id.as_str(), w)).collect())
            .unwrap_or_default();
        let missing: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !by_id.contains_key(id))
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(ids.iter().map(|id| by_id[id].clone()).collect())
    }

    /// The total number of matches and the page asked for.
    pub fn list(
        &self,
        project: &str,
        workspace: &str,
        q: &WorkflowQuery,
    ) -> (usize, Vec<Workflow>) {
        let flows = self
            .space(project, workspace)
            .into_iter()
            .flat_map(|s| &s.workflows);
        listing::workflows_page(flows, q)
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
        self.space_mut(project, workspace).workflows.extend(fresh);
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
    pub fn new_id(&mut self) -> String {
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
