//! What a restore will do with each workflow of the backup, decided from
//! names alone before anything is sent.

use std::collections::HashMap;

use crate::error::Error;
use crate::manifest::WorkflowEntry;

/// What a restore does when the target has a workflow of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Existing {
    /// Restore only what the target lacks, counting copies: a backup with
    /// two workflows of one name and a target with one restores one more.
    /// A restore run again restores nothing twice.
    #[default]
    Skip,
    /// Refuse the whole restore, before importing anything, when any name
    /// exists in the target.
    Fail,
    /// Import everything, whatever the target holds.
    Duplicate,
}

/// Which workflows of a backup a restore takes: names matching any
/// `include` pattern (all, when there is none) and no `exclude` pattern.
/// Patterns are shell globs (`*`, `?`, `[abc]`), matched against the whole
/// name.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    include: Vec<glob::Pattern>,
    exclude: Vec<glob::Pattern>,
}

impl Selection {
    /// Every workflow.
    pub fn all() -> Self {
        Selection::default()
    }

    /// From glob patterns; a pattern that is not a glob is
    /// [`Error::InvalidInput`] naming it.
    pub fn new<S: AsRef<str>>(include: &[S], exclude: &[S]) -> Result<Self, Error> {
        let parse = |patterns: &[S]| {
            patterns
                .iter()
                .map(|p| {
                    // Names are not paths: `*` already matches `/`, so
                    // `**` means no more than `*` and is read as it.
                    glob::Pattern::new(&p.as_ref().replace("**", "*")).map_err(|e| {
                        Error::InvalidInput(format!("{:?} is not a glob pattern: {e}", p.as_ref()))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Selection {
            include: parse(include)?,
            exclude: parse(exclude)?,
        })
    }

    /// Whether the workflow called `name` is taken.
    pub fn takes(&self, name: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|p| p.matches(name)))
            && !self.exclude.iter().any(|p| p.matches(name))
    }
}

/// What happens to one workflow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// It is imported.
    Import,
    /// It is left out, for this reason.
    Skip(&'static str),
}

pub const NOT_SELECTED: &str = "not selected by the include and exclude patterns";
pub const IN_TARGET: &str = "a workflow of this name is in the target already";

/// One action per entry, in order. `in_target` counts the target's
/// workflows by name. With [`Existing::Fail`], any selected name in the
/// target is [`Error::Conflicts`] naming each once.
pub fn plan(
    entries: &[WorkflowEntry],
    selection: &Selection,
    existing: Existing,
    in_target: &HashMap<&str, usize>,
) -> Result<Vec<Action>, Error> {
    let mut matched: HashMap<&str, usize> = HashMap::new();
    let mut conflicts: Vec<String> = Vec::new();
    let actions = entries
        .iter()
        .map(|entry| {
            let name = entry.name.as_str();
            if !selection.takes(name) {
                return Action::Skip(NOT_SELECTED);
            }
            let present = in_target.get(name).copied().unwrap_or(0);
            match existing {
                Existing::Duplicate => Action::Import,
                Existing::Fail => {
                    if present > 0 && !conflicts.iter().any(|c| c == name) {
                        conflicts.push(name.to_owned());
                    }
                    Action::Import
                }
                Existing::Skip => {
                    // The first `present` copies of a name are the ones
                    // the target holds already.
                    let seen = matched.entry(name).or_default();
                    *seen += 1;
                    if *seen <= present {
                        Action::Skip(IN_TARGET)
                    } else {
                        Action::Import
                    }
                }
            }
        })
        .collect();
    if conflicts.is_empty() {
        Ok(actions)
    } else {
        Err(Error::Conflicts(conflicts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::tests::sample;

    fn entries(names: &[&str]) -> Vec<WorkflowEntry> {
        let template = sample(1, 1).workspaces[0].workflows[0].clone();
        names
            .iter()
            .map(|n| WorkflowEntry {
                name: (*n).to_owned(),
                ..template.clone()
            })
            .collect()
    }

    fn target<'a>(names: &[&'a str]) -> HashMap<&'a str, usize> {
        let mut counts = HashMap::new();
        for n in names {
            *counts.entry(*n).or_default() += 1;
        }
        counts
    }

    #[test]
    fn skip_counts_copies() {
        let backup = entries(&["a", "b", "b", "c"]);
        let actions = plan(
            &backup,
            &Selection::all(),
            Existing::Skip,
            &target(&["b", "c", "x"]),
        )
        .unwrap();
        use Action::*;
        assert_eq!(actions, [Import, Skip(IN_TARGET), Import, Skip(IN_TARGET)]);
        // Run again after it all arrived: nothing more.
        let after = target(&["a", "b", "b", "c", "x"]);
        let again = plan(&backup, &Selection::all(), Existing::Skip, &after).unwrap();
        assert!(again.iter().all(|a| *a == Skip(IN_TARGET)), "{again:?}");
    }

    #[test]
    fn fail_names_every_conflict_once_and_duplicate_takes_all() {
        let backup = entries(&["a", "b", "b", "c"]);
        let in_target = target(&["b", "c"]);
        match plan(&backup, &Selection::all(), Existing::Fail, &in_target) {
            Err(Error::Conflicts(names)) => assert_eq!(names, ["b", "c"]),
            other => panic!("{other:?}"),
        }
        assert!(plan(&backup, &Selection::all(), Existing::Fail, &target(&["x"])).is_ok());
        let all = plan(&backup, &Selection::all(), Existing::Duplicate, &in_target).unwrap();
        assert!(all.iter().all(|a| *a == Action::Import));
    }

    #[test]
    fn globs_pick_by_whole_name() {
        let s = Selection::new(&["flow-*", "x?"], &["*-2"]).unwrap();
        assert!(s.takes("flow-1") && s.takes("xy"));
        assert!(!s.takes("flow-2") && !s.takes("a-flow-1") && !s.takes("xyz"));
        let only_out = Selection::new(&[] as &[&str], &["secret*"]).unwrap();
        assert!(only_out.takes("public") && !only_out.takes("secret-1"));
        // A conflict with a name that is not selected does not count.
        let backup = entries(&["keep", "drop"]);
        let actions = plan(
            &backup,
            &Selection::new(&["keep"], &[]).unwrap(),
            Existing::Fail,
            &target(&["drop"]),
        )
        .unwrap();
        assert_eq!(actions, [Action::Import, Action::Skip(NOT_SELECTED)]);
        match Selection::new(&["[a"], &[]) {
            Err(Error::InvalidInput(m)) => assert!(m.contains("\"[a\""), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    // `a**` was refused with the glob crate's rule about path components.
    #[test]
    fn a_double_star_is_a_star_in_a_name() {
        let selection = Selection::new(&["a**"], &[] as &[&str]).unwrap();
        assert!(selection.takes("a/b c"));
        assert!(!selection.takes("b"));
    }
}
