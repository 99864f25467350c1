//! A workflow as the API shows it (AopWorkflowInfo), the deterministic seed
//! data, and the simulator's own export file format.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The `format` field of every file the simulator exports. The real
/// service's export format is not public; this one is the simulator's own.
pub const EXPORT_FORMAT: &str = "secmaster-sim-export/1";

/// AopWorkflowInfo: every field the list and show operations return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub project_id: String,
    pub owner_id: String,
    pub creator_id: String,
    pub creator_name: String,
    pub create_time: String,
    pub modifier_id: String,
    pub modifier_name: String,
    pub update_time: String,
    pub edit_role: String,
    pub use_role: String,
    pub approve_role: String,
    pub workspace_id: String,
    pub version_id: String,
    pub current_approval_version_id: String,
    pub current_rejected_version_id: String,
    pub dataclass_id: String,
    pub dataclass_name: String,
    pub version: String,
    pub enabled: bool,
    /// NORMAL, SURVEY, HEMOSTASIS or EASE.
    pub aop_type: String,
    /// Always `public_engine`.
    pub engine_type: String,
    /// IP, ACCOUNT or DOMAIN.
    pub labels: String,
}

/// What export writes and import reads: JSON,
/// `{"format": "secmaster-sim-export/1", "workflows": [Workflow, ...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFile {
    pub format: String,
    pub workflows: Vec<Workflow>,
}

const AOP_TYPES: [&str; 4] = ["NORMAL", "SURVEY", "HEMOSTASIS", "EASE"];
const LABELS: [&str; 3] = ["IP", "ACCOUNT", "DOMAIN"];
const DATACLASSES: [&str; 3] = ["Alert", "Incident", "Vulnerability"];
const USERS: [&str; 2] = ["alice", "bob"];
/// 2025-01-01T00:00:00Z: seeded workflows (and numbered workspaces) are
/// created an hour apart from here.
pub(crate) const SEED_EPOCH: u64 = 1_735_689_600;

/// The most workflows one seed may ask for. A seeded workflow takes about
/// 1.7 KiB (measured: a million of them, 1.7 GiB), so a full seed stays
/// under 2 GiB, and a typo (`--workflows 99999999999`) is refused rather
/// than aborting the process for want of memory.
pub const MAX_SEEDED: u64 = 1_000_000;

/// Refuses a seed of more than [`MAX_SEEDED`] workflows, naming it.
pub fn check_seed(project_id: &str, workspace_id: &str, count: u64) -> Result<(), String> {
    if count > MAX_SEEDED {
        return Err(format!(
            "cannot seed {count} workflows into {project_id}/{workspace_id}: at most {MAX_SEEDED}"
        ));
    }
    Ok(())
}

/// Workflow number `index` (1-based) of a seeded workspace. Ids are derived
/// from the workspace and the index, so a seed is the same on every run and
/// two seeded workspaces never share an id.
pub fn seeded(project_id: &str, workspace_id: &str, index: u64) -> Workflow {
    let tag = fnv32(&format!("{project_id}/{workspace_id}"));
    let i = index as usize;
    let user = |k: usize| USERS[(i + k) % USERS.len()];
    let user_id = |k: usize| format!("{:032x}", (i + k) % USERS.len() + 1);
    let dataclass = (i % DATACLASSES.len()) + 1;
    let created = SEED_EPOCH + index * 3600;
    // A scrambled offset, so that update order differs from create order.
    let updated = created + (index * 7919 % 1000) * 60;
    let (aop_type, labels) = (AOP_TYPES[i % 4], LABELS[i % 3]);
    Workflow {
        id: format!("{tag:08x}-0000-4000-8000-{index:012x}"),
        name: format!("workflow-{index:04}"),
        description: format!("Seeded workflow {index}: {aop_type} on {labels}"),
        project_id: project_id.to_owned(),
        owner_id: user_id(0),
        creator_id: user_id(0),
        creator_name: user(0).to_owned(),
        create_time: iso_time(UNIX_EPOCH + Duration::from_secs(created)),
        modifier_id: user_id(1),
        modifier_name: user(1).to_owned(),
        update_time: iso_time(UNIX_EPOCH + Duration::from_secs(updated)),
        edit_role: "admin".to_owned(),
        use_role: "operator".to_owned(),
        approve_role: "approver".to_owned(),
        workspace_id: workspace_id.to_owned(),
        version_id: format!("{tag:08x}-0000-4000-9000-{index:012x}"),
        current_approval_version_id: format!("{tag:08x}-0000-4000-9000-{index:012x}"),
        current_rejected_version_id: format!("{tag:08x}-0000-4000-a000-{index:012x}"),
        dataclass_id: format!("00000000-0000-4000-b000-{dataclass:012x}"),
        dataclass_name: DATACLASSES[dataclass - 1].to_owned(),
        version: format!("v{}", 1 + index % 3),
        enabled: index % 2 == 1,
        aop_type: aop_type.to_owned(),
        engine_type: "public_engine".to_owned(),
        labels: labels.to_owned(),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ`, so that times sort as text. Times outside
/// 1970..=9999, which humantime cannot write, are written as the nearer end.
pub fn iso_time(at: SystemTime) -> String {
    const LAST: Duration = Duration::from_secs(253_402_300_799); // 9999-12-31T23:59:59Z
    let since = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    humantime::format_rfc3339_seconds(UNIX_EPOCH + since.min(LAST)).to_string()
}

/// A short tag of `text` for deterministic ids (FNV-1a, 32 bits).
pub(crate) fn fnv32(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h: u32, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_stable_and_distinct_per_workspace() {
        let a = seeded("p", "w", 1);
        assert_eq!(a, seeded("p", "w", 1));
        assert_ne!(a.id, seeded("p", "w2", 1).id);
        assert_eq!(a.create_time, "2025-01-01T01:00:00Z");
        assert!(a.update_time > a.create_time);
        assert_eq!(iso_time(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }

    /// The first seeded workflows, as sim/README.md describes them: the
    /// README must hold this table, so that the two cannot drift apart.
    #[test]
    fn the_readme_describes_the_seeded_workflows() {
        let first = [
            (1, "SURVEY", "ACCOUNT", "Incident", true),
            (2, "HEMOSTASIS", "DOMAIN", "Vulnerability", false),
            (3, "EASE", "IP", "Alert", true),
            (4, "NORMAL", "ACCOUNT", "Incident", false),
            (5, "SURVEY", "DOMAIN", "Vulnerability", true),
        ];
        let readme = include_str!("../README.md");
        for (n, aop_type, labels, dataclass, enabled) in first {
            let w = seeded("p", "w", n);
            assert_eq!(
                (&*w.aop_type, &*w.labels, &*w.dataclass_name, w.enabled),
                (aop_type, labels, dataclass, enabled),
                "workflow {n}"
            );
            let row = format!("| {n} | {aop_type} | {labels} | {dataclass} | {enabled} |");
            assert!(readme.contains(&row), "sim/README.md lacks the row {row}");
        }
    }
}
