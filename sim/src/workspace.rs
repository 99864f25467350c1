//! A workspace as the API shows it (the document's `Workspace`), and the
//! deterministic ones the simulator can start with.

use std::time::{Duration, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::workflow::{SEED_EPOCH, fnv32, iso_time};

/// The most numbered workspaces one start may ask for: a typo
/// (`--workspaces 99999999999`) is refused rather than filling memory.
pub const MAX_NUMBERED_WORKSPACES: u64 = 10_000;

/// Every field list_workspaces and show_workspace return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub create_time: String,
    pub update_time: String,
    pub name: String,
    pub description: String,
    pub creator_id: String,
    pub creator_name: String,
    pub modifier_id: String,
    pub modifier_name: String,
    pub project_id: String,
    pub project_name: String,
    pub domain_id: String,
    pub domain_name: String,
    pub enterprise_project_id: String,
    pub enterprise_project_name: String,
    pub is_view: bool,
    pub region_id: String,
    pub view_bind_id: String,
    pub view_bind_name: String,
    /// Always empty: the simulator manages no workspaces through agencies.
    pub workspace_agency_list: Vec<Value>,
}

/// A default project is named after its region in Huawei Cloud.
const REGION: &str = "cn-north-4";

impl Workspace {
    /// A plain workspace of `project_id`, created at `created`
    /// (`YYYY-MM-DDTHH:MM:SSZ`), by the simulator's one user.
    pub fn new(project_id: &str, id: &str, name: &str, created: &str) -> Workspace {
        let user_id = format!("{:032x}", 1);
        Workspace {
            id: id.to_owned(),
            create_time: created.to_owned(),
            update_time: created.to_owned(),
            name: name.to_owned(),
            description: String::new(),
            creator_id: user_id.clone(),
            creator_name: "alice".to_owned(),
            modifier_id: user_id,
            modifier_name: "alice".to_owned(),
            project_id: project_id.to_owned(),
            project_name: REGION.to_owned(),
            domain_id: format!("{:032x}", 0xd),
            domain_name: "secmaster-sim".to_owned(),
            // Huawei Cloud's default enterprise project.
            enterprise_project_id: "0".to_owned(),
            enterprise_project_name: "default".to_owned(),
            is_view: false,
            region_id: REGION.to_owned(),
            view_bind_id: String::new(),
            view_bind_name: String::new(),
            workspace_agency_list: Vec::new(),
        }
    }

    /// The workspace a seed fills (or a workflow is put in): named by its
    /// id, created at the seed's epoch.
    pub fn seeded(project_id: &str, id: &str) -> Workspace {
        Workspace::new(
            project_id,
            id,
            id,
            &iso_time(UNIX_EPOCH + Duration::from_secs(SEED_EPOCH)),
        )
    }
}

/// Empty workspace number `index` (1-based) of a project. Ids are derived
/// from the project and the index, as seeded workflow ids are, so they are
/// the same on every run.
pub fn numbered(project_id: &str, index: u64) -> Workspace {
    let tag = fnv32(project_id);
    let created = UNIX_EPOCH + Duration::from_secs(SEED_EPOCH + index * 3600);
    Workspace::new(
        project_id,
        &format!("{tag:08x}-0000-4000-c000-{index:012x}"),
        &format!("workspace-{index:04}"),
        &iso_time(created),
    )
}

/// Refuses more than [`MAX_NUMBERED_WORKSPACES`] numbered workspaces, naming the count.
pub fn check_numbered(project_id: &str, count: u64) -> Result<(), String> {
    if count > MAX_NUMBERED_WORKSPACES {
        return Err(format!(
            "cannot create {count} workspaces in {project_id}: at most {MAX_NUMBERED_WORKSPACES}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_workspaces_are_stable_and_distinct_per_project() {
        let one = numbered("p", 1);
        assert_eq!(one, numbered("p", 1));
        assert_ne!(one.id, numbered("p", 2).id);
        assert_ne!(one.id, numbered("q", 1).id);
        assert_eq!(
            (one.name.as_str(), one.create_time.as_str()),
            ("workspace-0001", "2025-01-01T01:00:00Z")
        );
    }
}
