//! The in-memory state: projects → workspaces → workflows. A workspace
//! exists when it was made (seeded, numbered, added through `/_sim/`, or
//! given a workflow); with `auto_create`, any workspace a request names
//! comes into being on first use.
//!
//! Memory is bounded in bytes: every workspace and workflow is counted
//! ([`workflow_size`], [`workspace_size`]), and what requests add (an
//! import, a workspace made on first use or through `/_sim/workspaces`) is
//! refused whole when the store would pass its budget ([`STORE_BYTES`] by
//! default) or hold more than [`MAX_WORKSPACES`] workspaces. What the
//! builder and the handle put in is counted and not refused.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::listing::{self, WorkflowQuery, WorkspaceQuery};
use crate::workflow::{Workflow, seeded};
use crate::workspace::Workspace;

/// The default budget of the store: what its workspaces and workflows may
/// take in all, as the simulator counts them (the text of each and a fixed
/// overhead measured once; see
/// [`SimulatorBuilder::max_store_bytes`](crate::SimulatorBuilder::max_store_bytes)).
/// Room for twice the largest seed (`MAX_SEEDED` workflows take about 1.7
/// GiB) and then some.
pub const STORE_BYTES: u64 = 4 << 30;
/// The most workspaces the store holds, in all projects together.
pub const MAX_WORKSPACES: usize = 100_000;

/// What a workflow takes beyond the text of its fields, in bytes: the
/// struct (24 `String`s and a `bool`: 584 bytes), the allocator's header
/// and rounding for each of its strings, and whatever else seeding keeps.
/// Measured once (debug build, glibc): `--workflows 1000000` took
/// 1,696,964 kB more RSS than `--workflows 0`, 1,738 bytes a workflow, of
/// which 502 are the text of its fields (the mean over a seed). A `Vec`
/// grown by doubling may hold spare slots, up to 584 bytes a workflow at
/// worst, which are not counted.
const WORKFLOW_OVERHEAD: u64 = 1_236;
/// What a workspace takes beyond the text of its fields and of its key
/// (project and id again), in bytes: the struct (464 bytes), its empty
/// list of workflows, its entry in the map with the map's spare room, and
/// the allocator's share of its strings. Measured once: `--workspaces
/// 10000` took 14,312 kB more RSS than `--workspaces 0`, 1,466 bytes a
/// workspace, of which 337 are text.
const WORKSPACE_OVERHEAD: u64 = 1_128;

/// Roughly what `w` takes in memory: its text plus [`WORKFLOW_OVERHEAD`].
pub fn workflow_size(w: &Workflow) -> u64 {
    let text = [
        &w.id,
        &w.name,
        &w.description,
        &w.project_id,
        &w.owner_id,
        &w.creator_id,
        &w.creator_name,
        &w.create_time,
        &w.modifier_id,
        &w.modifier_name,
        &w.update_time,
        &w.edit_role,
        &w.use_role,
        &w.approve_role,
        &w.workspace_id,
        &w.version_id,
        &w.current_approval_version_id,
        &w.current_rejected_version_id,
        &w.dataclass_id,
        &w.dataclass_name,
        &w.version,
        &w.aop_type,
        &w.engine_type,
        &w.labels,
    ]
    .iter()
    .map(|s| s.len() as u64)
    .sum::<u64>();
    WORKFLOW_OVERHEAD + text
}

/// Roughly what `ws` takes in the store: its text, its key's (project and
/// id, held twice), its agencies as JSON, plus [`WORKSPACE_OVERHEAD`].
pub fn workspace_size(ws: &Workspace) -> u64 {
    let text = [
        &ws.id,
        &ws.create_time,
        &ws.update_time,
        &ws.name,
        &ws.description,
        &ws.creator_id,
        &ws.creator_name,
        &ws.modifier_id,
        &ws.modifier_name,
        &ws.project_id,
        &ws.project_name,
        &ws.domain_id,
        &ws.domain_name,
        &ws.enterprise_project_id,
        &ws.enterprise_project_name,
        &ws.region_id,
        &ws.view_bind_id,
        &ws.view_bind_name,
    ]
    .iter()
    .map(|s| s.len() as u64)
    .sum::<u64>();
    let key = (ws.project_id.len() + ws.id.len()) as u64;
    let agencies = ws
        .workspace_agency_list
        .iter()
        .map(|v| v.to_string().len() as u64)
        .sum::<u64>();
    WORKSPACE_OVERHEAD + text + key + agencies
}

#[derive(Debug)]
pub struct Store {
    /// By project and workspace id.
    workspaces: HashMap<(String, String), Space>,
    /// Any workspace a request names exists (made on first use).
    auto_create: bool,
    /// Mixed into new ids so that two runs do not hand out the same ones.
    nonce: u64,
    issued: u64,
    /// What the workspaces and their workflows take, as counted by
    /// [`workspace_size`] and [`workflow_size`].
    bytes: u64,
    /// Past this, what requests would add is refused.
    max_bytes: u64,
    /// Past this many workspaces, new ones from requests are refused.
    max_workspaces: usize,
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
            bytes: 0,
            max_bytes: STORE_BYTES,
            max_workspaces: MAX_WORKSPACES,
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

    /// The budget in bytes past which requests may add nothing.
    pub fn set_max_bytes(&mut self, max: u64) {
        self.max_bytes = max;
    }

    /// What the workspaces and workflows take, as counted.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Refuses, naming the limit, when `bytes` more and `workspaces` more
    /// would pass the store's budget or its number of workspaces.
    pub fn room_for(&self, bytes: u64, workspaces: usize) -> Result<(), String> {
        let held = self.workspaces.len();
        if workspaces > 0 && held + workspaces > self.max_workspaces {
            return Err(format!(
                "the simulator holds {held} workspaces, at most {} (MAX_WORKSPACES)",
                self.max_workspaces
            ));
        }
        let total = self.bytes.saturating_add(bytes);
        if total > self.max_bytes {
            return Err(format!(
                "the store would take {total} bytes, more than its limit of {} \
                 (--max-store-bytes, builder max_store_bytes)",
                self.max_bytes
            ));
        }
        Ok(())
    }

    /// Whether the store is within its limits (what the builder put in
    /// must be).
    pub fn check_limits(&self) -> Result<(), String> {
        self.room_for(0, 0)?;
        if self.workspaces.len() > self.max_workspaces {
            return Err(format!(
                "{} workspaces, more than {} (MAX_WORKSPACES)",
                self.workspaces.len(),
                self.max_workspaces
            ));
        }
        Ok(())
    }

    pub fn has_workspace(&self, project: &str, workspace: &str) -> bool {
        self.workspaces.contains_key(&key(project, workspace))
    }

    /// Adds a workspace; refused when its project already has one with
    /// that id. Counted, not bounded: see [`room_for`](Self::room_for).
    pub fn add_workspace(&mut self, workspace: Workspace) -> Result<(), String> {
        let key = key(&workspace.project_id, &workspace.id);
        if self.workspaces.contains_key(&key) {
            return Err(format!(
                "workspace {} already exists in project {}",
                key.1, key.0
            ));
        }
        self.bytes += workspace_size(&workspace);
        let space = Space {
            workspace,
            workflows: Vec::new(),
        };
        self.workspaces.insert(key, space);
        Ok(())
    }

    /// Whether requests may use the workspace: `Ok` when it exists, or is
    /// made now because workspaces are made on first use; `Err(None)` when
    /// it does not exist, `Err(Some(why))` when it would be made but the
    /// store has no room for it.
    pub fn admit_workspace(
        &mut self,
        project: &str,
        workspace: &str,
    ) -> Result<(), Option<String>> {
        if self.has_workspace(project, workspace) {
            return Ok(());
        }
        if !self.auto_create {
            return Err(None);
        }
        let made = Workspace::seeded(project, workspace);
        self.room_for(workspace_size(&made), 1).map_err(Some)?;
        self.add_workspace(made).map_err(Some)
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

    /// The workspace, made as a seed makes it when it does not exist
    /// (counted, not bounded).
    fn space_mut(&mut self, project: &str, workspace: &str) -> &mut Space {
        if !self.has_workspace(project, workspace) {
            let _ = self.add_workspace(Workspace::seeded(project, workspace));
        }
        self.workspaces
            .get_mut(&key(project, workspace))
            .expect("made above")
    }

    /// Adds workflows 1..=count of the deterministic seed, making the
    /// workspace if need be; returns their ids.
    pub fn seed(&mut self, project: &str, workspace: &str, count: u64) -> Vec<String> {
        let flows: Vec<Workflow> = (1..=count).map(|i| seeded(project, workspace, i)).collect();
        let ids = flows.iter().map(|w| w.id.clone()).collect();
        let added: u64 = flows.iter().map(workflow_size).sum();
        let mut removed = 0;
        let ws = &mut self.space_mut(project, workspace).workflows;
        ws.retain(|w| {
            let keep = !flows.iter().any(|f| f.id == w.id);
            if !keep {
                removed += workflow_size(w);
            }
            keep
        });
        if ws.is_empty() {
            // Moved, not copied: a big seed would briefly need room for both.
            *ws = flows;
        } else {
            ws.extend(flows);
        }
        self.bytes = self.bytes + added - removed;
        ids
    }

    /// Adds or replaces (by id) one workflow, in its own project and
    /// workspace, making the workspace if need be.
    pub fn insert(&mut self, workflow: Workflow) {
        let added = workflow_size(&workflow);
        let mut removed = 0;
        let ws = &mut self
            .space_mut(&workflow.project_id, &workflow.workspace_id)
            .workflows;
        ws.retain(|w| {
            let keep = w.id != workflow.id;
            if !keep {
                removed += workflow_size(w);
            }
            keep
        });
        ws.push(workflow);
        self.bytes = self.bytes + added - removed;
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
    /// returns the new ids. All or nothing: refused, naming the limit, when
    /// they would pass the store's budget.
    pub fn import(
        &mut self,
        project: &str,
        workspace: &str,
        workflows: Vec<Workflow>,
        now: &str,
    ) -> Result<Vec<String>, String> {
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
        let added: u64 = fresh.iter().map(workflow_size).sum();
        self.room_for(added, 0).map_err(|why| {
            format!(
                "cannot import {} workflows ({added} bytes): {why}; nothing imported",
                fresh.len()
            )
        })?;
        self.space_mut(project, workspace).workflows.extend(fresh);
        self.bytes += added;
        Ok(ids)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::numbered;

    /// The count kept is the sum of the sizes of what is stored.
    fn counted(store: &Store) -> u64 {
        store
            .workspaces
            .values()
            .map(|s| {
                workspace_size(&s.workspace) + s.workflows.iter().map(workflow_size).sum::<u64>()
            })
            .sum()
    }

    #[test]
    fn the_count_follows_what_is_stored() {
        let mut store = Store::default();
        store.seed("p", "w", 5);
        store.seed("p", "w", 3); // replaces 1..=3
        store.insert(seeded("p", "w", 2)); // replaces one
        let mut renamed = seeded("p", "x", 1);
        renamed.description = "y".repeat(1000);
        store.insert(renamed);
        store.add_workspace(numbered("p", 1)).unwrap();
        store
            .import("p", "w", vec![seeded("q", "v", 9)], "2025-01-01T00:00:00Z")
            .unwrap();
        assert_eq!(store.bytes(), counted(&store));
        assert_eq!(store.workflows("p", "w").len(), 6);
        // A seeded workflow counts about what it was measured to take.
        let one = workflow_size(&seeded("p", "w", 1));
        assert!((1_600..1_900).contains(&one), "{one}");
    }

    #[test]
    fn past_the_number_of_workspaces_none_is_made_on_first_use() {
        let mut store = Store::default();
        store.set_auto_create(true);
        store.max_workspaces = 3;
        for w in ["a", "b", "c"] {
            assert_eq!(store.admit_workspace("p", w), Ok(()));
        }
        let refused = store.admit_workspace("p", "d").unwrap_err().unwrap();
        assert!(refused.contains("at most 3 (MAX_WORKSPACES)"), "{refused}");
        assert_eq!(store.workspaces.len(), 3);
        assert_eq!(store.admit_workspace("p", "a"), Ok(()), "an existing one");
        store.set_auto_create(false);
        assert_eq!(store.admit_workspace("p", "e"), Err(None));
    }

    #[test]
    fn an_import_past_the_budget_adds_nothing() {
        let mut store = Store::default();
        store.seed("p", "w", 2);
        let before = store.bytes();
        store.set_max_bytes(before + workflow_size(&seeded("p", "w", 1)) * 3);
        let five = (1..=5).map(|i| seeded("p", "w", i)).collect();
        let refused = store.import("p", "w", five, "t").unwrap_err();
        assert!(refused.contains("nothing imported"), "{refused}");
        assert_eq!(
            (store.bytes(), store.workflows("p", "w").len()),
            (before, 2)
        );
        let two = (1..=2).map(|i| seeded("p", "w", i)).collect();
        assert_eq!(store.import("p", "w", two, "t").map(|ids| ids.len()), Ok(2));
        assert_eq!(store.bytes(), counted(&store));
    }
}
