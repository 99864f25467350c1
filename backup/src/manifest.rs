//! `manifest.json`: what a backup holds, read and written. The format is
//! described for other tools in docs/backup-format.md.
//!
//! A manifest is outside input (anyone may have edited it), so reading one
//! checks every invariant the rest of the crate relies on: the format and
//! its version, paths that stay inside the backup, well-formed digests, no
//! file named twice, and counts that add up.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::paths;

/// The manifest's file name, at the top of a backup.
pub const MANIFEST: &str = "manifest.json";
/// The `format` of every manifest.
pub const FORMAT: &str = "secmaster-backup";
/// The version this crate writes and reads. Readers ignore fields they do
/// not know; a change that older readers would misread raises it.
pub const FORMAT_VERSION: u64 = 1;
/// The largest manifest read: a million workflows take about 600 MB, far
/// past what the API can list from one workspace (10,100).
pub const MAX_MANIFEST_BYTES: u64 = 64 * 1024 * 1024;

/// What a backup holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`].
    pub format_version: u64,
    /// What wrote the backup.
    pub tool: Tool,
    /// When the backup was made: RFC 3339, UTC (`2026-01-31T12:00:00Z`).
    pub created_at: String,
    /// Where the workflows came from.
    pub source: Source,
    /// Totals over every workspace.
    pub counts: Counts,
    /// One entry per workspace backed up: one, or every workspace of the
    /// project.
    pub workspaces: Vec<WorkspaceEntry>,
}

/// The program that wrote a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tool {
    /// `secmaster-backup`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Where a backup's workflows came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Source {
    /// The service's base URL (scheme, host, port, path prefix; never
    /// credentials).
    pub endpoint: String,
    /// The region whose public endpoint that is, when it is one.
    pub region: Option<String>,
    /// The project.
    pub project_id: String,
    /// Whether every workspace of the project was backed up.
    pub all_workspaces: bool,
}

/// Totals of a whole backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Counts {
    /// Workspaces.
    pub workspaces: u64,
    /// Workflows.
    pub workflows: u64,
    /// Bytes of the export files.
    pub bytes: u64,
}

/// Totals of one workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkspaceCounts {
    /// Workflows.
    pub workflows: u64,
    /// Bytes of the export files.
    pub bytes: u64,
}

/// One workspace of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkspaceEntry {
    /// The workspace's id.
    pub id: String,
    /// Its name, when the service gave one.
    pub name: Option<String>,
    /// Its totals.
    pub counts: WorkspaceCounts,
    /// Its workflows, in the order the service listed them.
    pub workflows: Vec<WorkflowEntry>,
}

/// One workflow of a backup: what the list said of it, and its two files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WorkflowEntry {
    /// Its id in the source workspace.
    pub id: String,
    /// Its name: what a restore matches on.
    pub name: String,
    /// `NORMAL`, `SURVEY`, `HEMOSTASIS`, `EASE`, or what the service sent.
    pub aop_type: Option<String>,
    /// Whether it was enabled.
    pub enabled: Option<bool>,
    /// Its current version.
    pub version_id: Option<String>,
    /// The version waiting for approval.
    pub current_approval_version_id: Option<String>,
    /// The version last rejected.
    pub current_rejected_version_id: Option<String>,
    /// The export file (relative to the backup, `/`-separated).
    pub file: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, 64 lower-case hex digits.
    pub sha256: String,
    /// The workflow's record as the list returned it, in JSON.
    pub record: FileEntry,
}

/// A file of a backup, with its size and digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileEntry {
    /// Relative to the backup, `/`-separated.
    pub file: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256, 64 lower-case hex digits.
    pub sha256: String,
}

/// A file the manifest lists, whichever kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'a> {
    /// Relative to the backup.
    pub file: &'a str,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256.
    pub sha256: &'a str,
}

impl WorkflowEntry {
    /// The export file.
    pub fn export(&self) -> Listed<'_> {
        Listed {
            file: &self.file,
            bytes: self.bytes,
            sha256: &self.sha256,
        }
    }

    /// The record file.
    pub fn record(&self) -> Listed<'_> {
        Listed {
            file: &self.record.file,
            bytes: self.record.bytes,
            sha256: &self.record.sha256,
        }
    }
}

impl Manifest {
    /// Reads a manifest, checking everything [`Manifest::check`] checks.
    /// The error says what is wrong and where (`workspaces[0].workflows[3].file: ...`).
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, String> {
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(format!(
                "it is larger than {} MiB",
                MAX_MANIFEST_BYTES >> 20
            ));
        }
        // The format and version first: a later version may have another
        // shape, and "made by a newer tool" says more than a missing field.
        #[derive(Deserialize)]
        struct Head {
            format: Option<serde_json::Value>,
            format_version: Option<serde_json::Value>,
        }
        let head: Head =
            serde_json::from_slice(bytes).map_err(|e| format!("it is not a JSON object: {e}"))?;
        if head.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(format!(
                "its format is not {FORMAT:?}: not a backup manifest"
            ));
        }
        match head
            .format_version
            .as_ref()
            .and_then(serde_json::Value::as_u64)
        {
            Some(FORMAT_VERSION) => {}
            Some(v) if v > FORMAT_VERSION => {
                return Err(format!(
                    "it is format version {v}, made by a newer tool; this one reads version {FORMAT_VERSION}"
                ));
            }
            _ => {
                return Err(format!(
                    "its format_version is not {FORMAT_VERSION}, the one this tool reads"
                ));
            }
        }
        let manifest: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| format!("it does not match the format: {e}"))?;
        manifest.check()?;
        Ok(manifest)
    }

    /// The manifest as written to disk: pretty JSON and a line break.
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Every invariant a manifest read from disk must keep.
    pub fn check(&self) -> Result<(), String> {
        if self.format != FORMAT || self.format_version != FORMAT_VERSION {
            return Err(format!("not {FORMAT} version {FORMAT_VERSION}"));
        }
        humantime::parse_rfc3339(&self.created_at).map_err(|e| {
            format!(
                "created_at {:?} is not an RFC 3339 time: {e}",
                self.created_at
            )
        })?;
        if !self.source.all_workspaces && self.workspaces.len() != 1 {
            return Err(format!(
                "a backup of one workspace lists {} workspaces",
                self.workspaces.len()
            ));
        }
        let mut files = HashSet::new();
        let mut workspace_ids = HashSet::new();
        let mut total = Counts {
            workspaces: self.workspaces.len() as u64,
            workflows: 0,
            bytes: 0,
        };
        for (w, workspace) in self.workspaces.iter().enumerate() {
            let at = format!("workspaces[{w}]");
            if workspace.id.is_empty() {
                return Err(format!("{at}.id is empty"));
            }
            if !workspace_ids.insert(workspace.id.as_str()) {
                return Err(format!("{at}.id {:?} is listed twice", workspace.id));
            }
            let mut counted = WorkspaceCounts {
                workflows: 0,
                bytes: 0,
            };
            for (f, workflow) in workspace.workflows.iter().enumerate() {
                let at = format!("{at}.workflows[{f}]");
                if workflow.id.is_empty() {
                    return Err(format!("{at}.id is empty"));
                }
                for (field, listed) in [("", workflow.export()), ("record.", workflow.record())] {
                    check_listed(&listed).map_err(|e| format!("{at}.{field}{e}"))?;
                    if !files.insert(listed.file) {
                        return Err(format!(
                            "{at}.{field}file {:?} is listed twice",
                            listed.file
                        ));
                    }
                }
                counted.workflows += 1;
                counted.bytes = counted
                    .bytes
                    .checked_add(workflow.bytes)
                    .ok_or_else(|| format!("{at}.bytes: the sizes add up past 2^64"))?;
            }
            if counted != workspace.counts {
                return Err(format!(
                    "{at}.counts says {} workflows of {} bytes, but its entries hold {} of {}",
                    workspace.counts.workflows,
                    workspace.counts.bytes,
                    counted.workflows,
                    counted.bytes
                ));
            }
            total.workflows += counted.workflows;
            total.bytes = total
                .bytes
                .checked_add(counted.bytes)
                .ok_or("the sizes add up past 2^64")?;
        }
        if total != self.counts {
            return Err(format!(
                "counts says {} workspaces, {} workflows of {} bytes, but the entries hold {}, {} of {}",
                self.counts.workspaces,
                self.counts.workflows,
                self.counts.bytes,
                total.workspaces,
                total.workflows,
                total.bytes
            ));
        }
        Ok(())
    }

    /// One workspace of the backup, by id or name; without `wanted`, the
    /// only one there is. [`Error::InvalidInput`] lists the workspaces when
    /// none, or several, fit.
    pub fn workspace(&self, wanted: Option<&str>) -> Result<&WorkspaceEntry, Error> {
        let listed = || {
            self.workspaces
                .iter()
                .map(|w| match &w.name {
                    Some(name) => format!("{} ({name})", w.id),
                    None => w.id.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(wanted) = wanted else {
            return match self.workspaces.as_slice() {
                [one] => Ok(one),
                _ => Err(Error::InvalidInput(format!(
                    "the backup holds {} workspaces; choose one: {}",
                    self.workspaces.len(),
                    listed()
                ))),
            };
        };
        let by_id = self.workspaces.iter().find(|w| w.id == wanted);
        let mut by_name = self
            .workspaces
            .iter()
            .filter(|w| w.name.as_deref() == Some(wanted));
        match (by_id, by_name.next(), by_name.next()) {
            (Some(w), _, _) | (None, Some(w), None) => Ok(w),
            (None, Some(_), Some(_)) => Err(Error::InvalidInput(format!(
                "several workspaces of the backup are called {wanted:?}; choose one by id: {}",
                listed()
            ))),
            (None, None, _) => Err(Error::InvalidInput(format!(
                "the backup holds no workspace {wanted:?}; it holds: {}",
                listed()
            ))),
        }
    }

    /// Every file listed, exports and records, in manifest order.
    pub fn files(&self) -> impl Iterator<Item = Listed<'_>> {
        self.workspaces
            .iter()
            .flat_map(|w| &w.workflows)
            .flat_map(|f| [f.export(), f.record()])
    }
}

/// A listed file's path and digest are usable.
fn check_listed(listed: &Listed<'_>) -> Result<(), String> {
    paths::check_relative(listed.file).map_err(|e| format!("file {:?}: {e}", listed.file))?;
    if listed.file == MANIFEST {
        return Err(format!("file {MANIFEST:?} is the manifest itself"));
    }
    let hex = listed.sha256.len() == 64
        && listed
            .sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !hex {
        return Err(format!(
            "sha256 {:?} is not 64 lower-case hex digits",
            listed.sha256
        ));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// A valid manifest of `workflows` workflows per workspace.
    pub fn sample(workspaces: usize, workflows: usize) -> Manifest {
        let all = workspaces != 1;
        let entries: Vec<WorkspaceEntry> = (0..workspaces)
            .map(|w| {
                let prefix = paths::workspace_prefix(all, w, "ws");
                let flows: Vec<WorkflowEntry> = (0..workflows)
                    .map(|i| {
                        let (file, record) = paths::workflow_files(&prefix, i, "flow");
                        WorkflowEntry {
                            id: format!("id-{w}-{i}"),
                            name: format!("flow-{i}"),
                            aop_type: Some("NORMAL".into()),
                            enabled: Some(i % 2 == 0),
                            version_id: Some("v".into()),
                            current_approval_version_id: None,
                            current_rejected_version_id: None,
                            file,
                            bytes: 10 + i as u64,
                            sha256: "0".repeat(64),
                            record: FileEntry {
                                file: record,
                                bytes: 5,
                                sha256: "a".repeat(64),
                            },
                        }
                    })
                    .collect();
                let bytes = flows.iter().map(|f| f.bytes).sum();
                WorkspaceEntry {
                    id: format!("ws-{w}"),
                    name: Some(format!("Workspace {w}")),
                    counts: WorkspaceCounts {
                        workflows: flows.len() as u64,
                        bytes,
                    },
                    workflows: flows,
                }
            })
            .collect();
        Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            tool: Tool {
                name: "secmaster-backup".into(),
                version: "0.1.0".into(),
            },
            created_at: "2026-01-31T12:00:00Z".into(),
            source: Source {
                endpoint: "http://127.0.0.1:8080".into(),
                region: None,
                project_id: "p".into(),
                all_workspaces: all,
            },
            counts: Counts {
                workspaces: entries.len() as u64,
                workflows: entries.iter().map(|w| w.counts.workflows).sum(),
                bytes: entries.iter().map(|w| w.counts.bytes).sum(),
            },
            workspaces: entries,
        }
    }

    /// A change to a manifest's JSON.
    type Edit = Box<dyn FnOnce(&mut Value)>;

    fn edited(edit: impl FnOnce(&mut Value)) -> Result<Manifest, String> {
        let mut value = serde_json::to_value(sample(1, 3)).unwrap();
        edit(&mut value);
        Manifest::from_json(&serde_json::to_vec(&value).unwrap())
    }

    #[test]
    fn a_written_manifest_reads_back() {
        for (w, f) in [(1, 0), (1, 3), (3, 2), (0, 0)] {
            let m = sample(w, f);
            assert_eq!(Manifest::from_json(&m.to_json()), Ok(m));
        }
    }

    #[test]
    fn every_broken_invariant_is_named() {
        let cases: Vec<(&str, Edit)> = vec![
            (
                "not a backup manifest",
                Box::new(|v| v["format"] = json!("zip")),
            ),
            ("newer tool", Box::new(|v| v["format_version"] = json!(2))),
            (
                "format_version is not 1",
                Box::new(|v| v["format_version"] = json!("1")),
            ),
            (
                "RFC 3339",
                Box::new(|v| v["created_at"] = json!("yesterday")),
            ),
            (
                "workspaces[0].workflows[1].file \"../../etc/passwd\"",
                Box::new(|v| {
                    v["workspaces"][0]["workflows"][1]["file"] = json!("../../etc/passwd")
                }),
            ),
            (
                "workspaces[0].workflows[0].record.file \"/etc/passwd\"",
                Box::new(|v| {
                    v["workspaces"][0]["workflows"][0]["record"]["file"] = json!("/etc/passwd")
                }),
            ),
            (
                "sha256 \"ABC\"",
                Box::new(|v| v["workspaces"][0]["workflows"][0]["sha256"] = json!("ABC")),
            ),
            (
                "listed twice",
                Box::new(|v| {
                    let first = v["workspaces"][0]["workflows"][0]["file"].clone();
                    v["workspaces"][0]["workflows"][2]["file"] = first;
                }),
            ),
            (
                "its entries hold",
                Box::new(|v| v["workspaces"][0]["counts"]["bytes"] = json!(1)),
            ),
            (
                "the entries hold",
                Box::new(|v| v["counts"]["workflows"] = json!(99)),
            ),
            (
                "does not match the format",
                Box::new(|v| v["workspaces"] = json!({})),
            ),
            (
                "lists 0 workspaces",
                Box::new(|v| v["workspaces"] = json!([])),
            ),
            (
                "the manifest itself",
                Box::new(|v| v["workspaces"][0]["workflows"][0]["file"] = json!("manifest.json")),
            ),
        ];
        for (expected, edit) in cases {
            let err = edited(edit).unwrap_err();
            assert!(err.contains(expected), "expected {expected:?} in {err:?}");
        }
        assert!(
            Manifest::from_json(b"[]")
                .unwrap_err()
                .contains("not a JSON object")
        );
    }

    #[test]
    fn the_source_workspace_is_picked_by_id_or_name() {
        let one = sample(1, 1);
        assert_eq!(one.workspace(None).unwrap().id, "ws-0");
        assert!(one.workspace(Some("nope")).is_err());
        let three = sample(3, 1);
        let err = three.workspace(None).unwrap_err().to_string();
        assert!(
            err.contains("3 workspaces") && err.contains("ws-2 (Workspace 2)"),
            "{err}"
        );
        assert_eq!(three.workspace(Some("ws-1")).unwrap().id, "ws-1");
        assert_eq!(three.workspace(Some("Workspace 2")).unwrap().id, "ws-2");
        let err = three.workspace(Some("ws-9")).unwrap_err().to_string();
        assert!(err.contains("no workspace \"ws-9\""), "{err}");
    }

    /// A JSON value of any shape, small.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            "[a-z0-9./\\\\]{0,12}".prop_map(Value::String),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Every object and array in `value`, as a path of keys and indices.
    fn places(value: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(at.clone());
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let mut next = at.clone();
                    next.push(json!(k));
                    places(v, next, out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    let mut next = at.clone();
                    next.push(json!(i));
                    places(v, next, out);
                }
            }
            _ => {}
        }
    }

    fn place_mut<'a>(value: &'a mut Value, at: &[Value]) -> &'a mut Value {
        at.iter().fold(value, |v, key| match key {
            Value::String(k) => &mut v[k.as_str()],
            key => &mut v[key.as_u64().unwrap() as usize],
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Any bytes: an answer, never a panic.
        #[test]
        fn any_bytes_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = Manifest::from_json(&bytes);
        }

        /// Valid manifests of any size read back as written.
        #[test]
        fn valid_manifests_round_trip(workspaces in 0usize..4, workflows in 0usize..6) {
            let m = sample(workspaces, workflows);
            prop_assert_eq!(Manifest::from_json(&m.to_json()), Ok(m));
        }

        /// A valid manifest with any one value replaced by anything: never
        /// a panic, and whatever is accepted keeps every invariant (checked
        /// here independently of `check`).
        #[test]
        fn edited_manifests_keep_the_invariants(
            workspaces in 1usize..3,
            workflows in 1usize..4,
            pick in any::<prop::sample::Index>(),
            replacement in any_json(),
        ) {
            let mut value = serde_json::to_value(sample(workspaces, workflows)).unwrap();
            let mut all = Vec::new();
            places(&value, Vec::new(), &mut all);
            let at = pick.get(&all).clone();
            *place_mut(&mut value, &at) = replacement;
            let bytes = serde_json::to_vec(&value).unwrap();
            if let Ok(m) = Manifest::from_json(&bytes) {
                let mut seen = HashSet::new();
                for listed in m.files() {
                    prop_assert!(!listed.file.starts_with('/') && !listed.file.contains('\\'));
                    prop_assert!(listed.file.split('/').all(|c| !c.is_empty() && c != ".." && c != "."));
                    prop_assert!(listed.sha256.len() == 64);
                    prop_assert!(seen.insert(listed.file.to_owned()));
                }
                let workflows: u64 = m.workspaces.iter().map(|w| w.workflows.len() as u64).sum();
                prop_assert_eq!(m.counts.workflows, workflows);
                prop_assert_eq!(m.counts.workspaces, m.workspaces.len() as u64);
                // What was accepted writes back to the same manifest.
                prop_assert_eq!(Manifest::from_json(&m.to_json()), Ok(m));
            }
        }
    }
}
