//! Comparing two sets of workflow records by name: two workspaces, or a
//! workspace and a backup.

use std::collections::BTreeMap;
use std::path::Path;

use secmaster_client::{ListAllOptions, ListQuery, SecMasterClient};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Problem};
use crate::files;
use crate::manifest::WorkspaceEntry;

/// Fields that differ between two copies of one workflow whatever was
/// done to it: which object it is (its id and version ids), when it was
/// made and changed, and where it lives. Everything else is compared.
pub const IGNORED_FIELDS: [&str; 9] = [
    "id",
    "version_id",
    "current_approval_version_id",
    "current_rejected_version_id",
    "current_rejected_versoin_id",
    "create_time",
    "update_time",
    "workspace_id",
    "project_id",
];

/// The largest record file read from a backup.
const MAX_RECORD: u64 = 1024 * 1024;

/// How two sets of workflows differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diff {
    /// Names found only in the first set, once per copy, sorted.
    pub only_in_a: Vec<String>,
    /// Names found only in the second set, once per copy, sorted.
    pub only_in_b: Vec<String>,
    /// Workflows in both whose fields differ, sorted by name.
    pub changed: Vec<Changed>,
}

/// A workflow in both sets whose fields differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Changed {
    /// Its name.
    pub name: String,
    /// Each field that differs, sorted by field name.
    pub fields: Vec<FieldChange>,
}

/// One field that differs; `None` where a side lacks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field.
    pub field: String,
    /// Its value in the first set.
    pub a: Option<Value>,
    /// Its value in the second set.
    pub b: Option<Value>,
}

impl Diff {
    /// Whether the two sets hold the same workflows.
    pub fn is_empty(&self) -> bool {
        self.only_in_a.is_empty() && self.only_in_b.is_empty() && self.changed.is_empty()
    }
}

/// A record without the [`IGNORED_FIELDS`].
pub fn normalise(record: &Value) -> Value {
    match record {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !IGNORED_FIELDS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Compares `a` and `b` (workflow records as JSON) by name. Copies of one
/// name are paired in a fixed order; copies one side lacks count as only
/// in the other.
pub fn compare(a: &[Value], b: &[Value]) -> Diff {
    let mut names: BTreeMap<String, (Vec<Value>, Vec<Value>)> = BTreeMap::new();
    for (side, records) in [(0, a), (1, b)] {
        for record in records {
            let name = record
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let slot = names.entry(name).or_default();
            let copies = if side == 0 { &mut slot.0 } else { &mut slot.1 };
            copies.push(normalise(record));
        }
    }
    let mut diff = Diff::default();
    for (name, (mut left, mut right)) in names {
        for copies in [&mut left, &mut right] {
            copies.sort_by_cached_key(Value::to_string);
        }
        // Equal copies pair off first; what remains is paired in order.
        let mut unmatched_right = Vec::new();
        for r in right {
            match left.iter().position(|l| *l == r) {
                Some(i) => drop(left.remove(i)),
                None => unmatched_right.push(r),
            }
        }
        let pairs = left.len().min(unmatched_right.len());
        for (l, r) in left.iter().zip(&unmatched_right) {
            diff.changed.push(Changed {
                name: name.clone(),
                fields: fields(l, r),
            });
        }
        diff.only_in_a
            .extend(std::iter::repeat_n(name.clone(), left.len() - pairs));
        diff.only_in_b
            .extend(std::iter::repeat_n(name, unmatched_right.len() - pairs));
    }
    diff
}

/// The fields of two records that differ.
fn fields(a: &Value, b: &Value) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let (a, b) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            a: a.get(k).cloned(),
            b: b.get(k).cloned(),
        })
        .collect()
}

/// The records of a workspace as the service lists them now (every page).
pub async fn listed_records(
    client: &SecMasterClient,
    project_id: &str,
    workspace: &str,
) -> Result<Vec<Value>, Error> {
    let all = client
        .list_all_workflows(
            project_id,
            workspace,
            &ListQuery::new(),
            ListAllOptions::default(),
        )
        .await?;
    Ok(all
        .items
        .iter()
        .map(|w| serde_json::to_value(w).expect("a workflow serialises"))
        .collect())
}

/// The records of one workspace of a checked backup, each read and
/// checked against the manifest again. A record that is not a JSON
/// object is [`Error::Damaged`] naming it.
pub fn records(dir: &Path, workspace: &WorkspaceEntry) -> Result<Vec<Value>, Error> {
    workspace
        .workflows
        .iter()
        .map(|entry| {
            let listed = entry.record();
            let problem = |what: String| {
                Error::Damaged(vec![Problem {
                    file: listed.file.to_owned(),
                    what,
                }])
            };
            let bytes = files::read(dir, &listed, MAX_RECORD).map_err(problem)?;
            parse_record(&bytes).map_err(problem)
        })
        .collect()
}

/// A record file's content: one JSON object.
pub fn parse_record(bytes: &[u8]) -> Result<Value, String> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err("the record is not a JSON object".to_owned()),
        Err(e) => Err(format!("the record is not JSON: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn flow(name: &str, id: &str, enabled: bool) -> Value {
        json!({"name": name, "id": id, "enabled": enabled, "workspace_id": id,
               "create_time": id, "version_id": id, "description": "d"})
    }

    #[test]
    fn ids_times_and_places_do_not_count() {
        let a = [flow("x", "1", true), flow("y", "2", false)];
        let b = [flow("y", "9", false), flow("x", "8", true)];
        assert!(compare(&a, &b).is_empty());
    }

    #[test]
    fn differences_are_named_with_their_fields() {
        let mut changed = flow("x", "8", false);
        changed["new"] = json!(1);
        let a = [
            flow("x", "1", true),
            flow("only-a", "2", true),
            flow("dup", "3", true),
        ];
        let b = [
            changed,
            flow("only-b", "4", true),
            flow("dup", "5", true),
            flow("dup", "6", true),
        ];
        let diff = compare(&a, &b);
        assert_eq!(diff.only_in_a, ["only-a"]);
        assert_eq!(diff.only_in_b, ["dup", "only-b"]);
        assert_eq!(diff.changed.len(), 1);
        let fields: Vec<&str> = diff.changed[0]
            .fields
            .iter()
            .map(|f| f.field.as_str())
            .collect();
        assert_eq!(fields, ["enabled", "new"]);
        assert_eq!(diff.changed[0].fields[1].a, None);
    }

    #[test]
    fn records_must_be_objects() {
        assert!(parse_record(br#"{"name":"x"}"#).is_ok());
        assert!(
            parse_record(b"[1]")
                .unwrap_err()
                .contains("not a JSON object")
        );
        assert!(parse_record(b"{").unwrap_err().contains("not JSON"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        /// Any bytes as a record file: an answer, never a panic.
        #[test]
        fn any_record_bytes_are_read_or_refused(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_record(&bytes);
        }

        /// A set compared with itself, shuffled and with new ids, is equal;
        /// with one workflow dropped, that one is named.
        #[test]
        fn a_set_equals_itself_and_a_loss_is_named(
            names in prop::collection::vec("[a-c]{1,2}", 0..8),
            drop_at in any::<prop::sample::Index>(),
        ) {
            let a: Vec<Value> = names.iter().enumerate().map(|(i, n)| flow(n, &i.to_string(), i % 2 == 0)).collect();
            let mut b: Vec<Value> = a.iter().rev().map(|r| {
                let mut r = r.clone();
                r["id"] = json!("new");
                r
            }).collect();
            prop_assert!(compare(&a, &b).is_empty());
            if !b.is_empty() {
                let gone = b.remove(drop_at.index(b.len()));
                let diff = compare(&a, &b);
                prop_assert_eq!(diff.only_in_a, vec![gone["name"].as_str().unwrap().to_owned()]);
            }
        }
    }
}
