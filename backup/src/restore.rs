//! Restoring a backup into a workspace: check it, plan by name, import
//! what the plan says, and make sure that an import whose answer was lost
//! is never sent twice.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use futures_util::{StreamExt, stream};
use secmaster_client::{
    Error as ClientError, ErrorKind, Gate, ImportFile, ListAllOptions, ListQuery, SecMasterClient,
    TimeoutPhase,
};
use serde::Serialize;

use crate::error::Error;
use crate::manifest::WorkflowEntry;
use crate::plan::{self, Action, Existing, Selection};
use crate::{Progress, blocking, files, verify};

/// The largest export file a restore uploads: the API gateway refuses
/// request bodies over 12 MB.
const MAX_IMPORT: u64 = 12 * 1024 * 1024;
/// Times one workflow is sent, at most, when answers keep getting lost.
const MAX_SENDS: u32 = 3;

/// How a restore runs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RestoreOptions {
    /// What happens to names the target has already. Default: skip them.
    pub existing: Existing,
    /// Which workflows of the backup, by name. Default: all.
    pub selection: Selection,
    /// The workspace of a backup of every workspace to restore from, by id
    /// or name; needed only when the backup holds more than one.
    pub from_workspace: Option<String>,
    /// Send only reads, and report what would be imported (`Planned`).
    pub dry_run: bool,
    /// Imports in flight at once; one at a time once the service answers
    /// 429. Default 4.
    pub concurrency: usize,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions {
            existing: Existing::Skip,
            selection: Selection::all(),
            from_workspace: None,
            dry_run: false,
            concurrency: 4,
        }
    }
}

impl RestoreOptions {
    /// Sets [`RestoreOptions::existing`].
    pub fn existing(mut self, existing: Existing) -> Self {
        self.existing = existing;
        self
    }
    /// Sets [`RestoreOptions::selection`].
    pub fn selection(mut self, selection: Selection) -> Self {
        self.selection = selection;
        self
    }
    /// Sets [`RestoreOptions::from_workspace`].
    pub fn from_workspace(mut self, workspace: impl Into<String>) -> Self {
        self.from_workspace = Some(workspace.into());
        self
    }
    /// Sets [`RestoreOptions::dry_run`].
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }
    /// Sets [`RestoreOptions::concurrency`].
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }
}

/// What became of one workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Imported into the target.
    Restored,
    /// Left out; the reason says why.
    Skipped,
    /// Not imported; the reason says why.
    Failed,
    /// A dry run's: it would be imported.
    Planned,
}

/// One workflow of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReportLine {
    /// Its name.
    pub name: String,
    /// Its id in the backup's source workspace.
    pub source_id: String,
    /// What became of it.
    pub outcome: Outcome,
    /// Why, for a skip or a failure; for a restore, how its arrival was
    /// confirmed when the answer was lost.
    pub reason: Option<String>,
}

/// What a restore did, one line per workflow of the backup's workspace, in
/// the backup's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The workflows.
    pub workflows: Vec<ReportLine>,
}

impl Report {
    /// How many lines have `outcome`.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.workflows
            .iter()
            .filter(|l| l.outcome == outcome)
            .count()
    }
}

/// Restores the backup in `dir` into the workspace `target`.
///
/// The whole backup is checked first ([`crate::verify`]): a damaged one is
/// [`Error::Damaged`] and nothing is imported. The target's workflows are
/// then listed, and each workflow of the backup planned by name (see
/// [`Existing`] and [`Selection`]); a dry run stops there. Each import
/// uploads the file's bytes as read and checked again just before.
///
/// When an import's answer never arrives (a time-out, a connection broken
/// after sending, a gateway's 502/503/504), the service may have taken it:
/// the target is listed again, by name, and only when the workflow is not
/// there is it sent again (at most three sends in all). Run again after an
/// interruption, a restore with [`Existing::Skip`] imports only what is
/// missing, so every workflow ends up in the target once. This holds while
/// nobody else imports workflows of the same names into the target at the
/// same time.
pub async fn restore(
    client: &SecMasterClient,
    project_id: &str,
    target: &str,
    dir: &Path,
    options: &RestoreOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report, Error> {
    let checked = dir.to_path_buf();
    let manifest = blocking(move || verify::verify(&checked)).await?;
    let workspace = manifest.workspace(options.from_workspace.as_deref())?;
    let gate = Arc::new(Gate::new(options.concurrency));
    let observed = Arc::clone(&gate);
    let client = client.observing_retries(move |e| observed.observe(e));

    let listing = ListAllOptions::default().concurrency(options.concurrency);
    let present = client
        .list_all_workflows(project_id, target, &ListQuery::new(), listing)
        .await?
        .items;
    let in_target = count_names(present.iter().filter_map(|w| w.name.as_deref()));
    let entries = &workspace.workflows;
    let actions = plan::plan(entries, &options.selection, options.existing, &in_target)?;
    let line = |entry: &WorkflowEntry, outcome, reason: Option<String>| ReportLine {
        name: entry.name.clone(),
        source_id: entry.id.clone(),
        outcome,
        reason,
    };
    let mut lines: Vec<Option<ReportLine>> = entries
        .iter()
        .zip(&actions)
        .map(|(entry, action)| match action {
            Action::Skip(why) => Some(line(entry, Outcome::Skipped, Some((*why).to_owned()))),
            Action::Import if options.dry_run => Some(line(entry, Outcome::Planned, None)),
            Action::Import => None,
        })
        .collect();

    // Imports of one name go one after the other, so that a lost answer
    // can be told from another import of the same name by counting.
    let to_import = lines.iter().enumerate().filter(|(_, l)| l.is_none());
    let groups = by_name(entries, to_import.map(|(i, _)| i));
    progress(Progress::Total(groups.iter().map(|(_, m)| m.len()).sum()));
    let importer = Importer {
        client: &client,
        gate: &gate,
        project_id,
        target,
        dir,
        progress,
    };
    let done: Vec<Vec<(usize, Outcome, Option<String>)>> = stream::iter(groups)
        .map(|(name, members)| {
            let before = in_target.get(name).copied().unwrap_or(0);
            importer.group(entries, members, before)
        })
        .buffer_unordered(gate.width())
        .collect()
        .await;
    for (i, outcome, reason) in done.into_iter().flatten() {
        lines[i] = Some(line(&entries[i], outcome, reason));
    }
    if lines
        .iter()
        .flatten()
        .any(|l| l.outcome == Outcome::Restored)
    {
        let after = client
            .list_all_workflows(project_id, target, &ListQuery::new(), listing)
            .await?
            .items;
        let after = count_names(after.iter().filter_map(|w| w.name.as_deref()));
        check_names(&mut lines, &in_target, &after);
    }
    Ok(Report {
        workflows: lines.into_iter().flatten().collect(),
    })
}

/// The plan matches by the manifest's names, so every workflow it imported
/// must now be in the target under that name: an export file that holds a
/// workflow of another name (changed by hand, or renamed between the list
/// and the export), or a service that renames on import, would otherwise be
/// imported again by every run. Where a name has fewer copies than were
/// there before plus those imported, its imports are failures.
fn check_names(
    lines: &mut [Option<ReportLine>],
    before: &HashMap<&str, usize>,
    after: &HashMap<&str, usize>,
) {
    let mut imported: HashMap<String, usize> = HashMap::new();
    for l in lines
        .iter()
        .flatten()
        .filter(|l| l.outcome == Outcome::Restored)
    {
        *imported.entry(l.name.clone()).or_default() += 1;
    }
    for l in lines.iter_mut().flatten() {
        let Some(&n) = imported
            .get(&l.name)
            .filter(|_| l.outcome == Outcome::Restored)
        else {
            continue;
        };
        let was = before.get(l.name.as_str()).copied().unwrap_or(0);
        let now = after.get(l.name.as_str()).copied().unwrap_or(0);
        if now < was + n {
            l.outcome = Outcome::Failed;
            l.reason = Some(format!(
                "imported, but the target holds {now} named so where {} were expected: the file \
                 holds a workflow of another name, or the service renamed it",
                was + n
            ));
        }
    }
}

/// How many times each name occurs.
fn count_names<'a>(names: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut counts = HashMap::new();
    for name in names {
        *counts.entry(name).or_default() += 1;
    }
    counts
}

/// The entries `chosen` grouped by name, groups and members in order.
fn by_name(
    entries: &[WorkflowEntry],
    chosen: impl Iterator<Item = usize>,
) -> Vec<(&str, Vec<usize>)> {
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut place: HashMap<&str, usize> = HashMap::new();
    for i in chosen {
        let name = entries[i].name.as_str();
        let g = *place.entry(name).or_insert_with(|| {
            groups.push((name, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push(i);
    }
    groups
}

/// Sends imports into one target.
struct Importer<'a> {
    client: &'a SecMasterClient,
    gate: &'a Gate,
    project_id: &'a str,
    target: &'a str,
    dir: &'a Path,
    progress: &'a (dyn Fn(Progress) + Sync),
}

impl Importer<'_> {
    /// Imports the entries `members` (all of one name) one after the other;
    /// the target held `before` workflows of that name.
    async fn group(
        &self,
        entries: &[WorkflowEntry],
        members: Vec<usize>,
        before: usize,
    ) -> Vec<(usize, Outcome, Option<String>)> {
        let mut arrived = 0;
        let mut done = Vec::with_capacity(members.len());
        for i in members {
            let entry = &entries[i];
            let (outcome, reason) = match self.one(entry, before + arrived).await {
                Ok(note) => {
                    arrived += 1;
                    (Outcome::Restored, note)
                }
                Err(why) => (Outcome::Failed, Some(why)),
            };
            (self.progress)(Progress::Done { bytes: entry.bytes });
            done.push((i, outcome, reason));
        }
        done
    }

    /// Imports one workflow, of which the target holds `expected` copies
    /// before. `Ok` carries a note when its arrival had to be confirmed.
    async fn one(&self, entry: &WorkflowEntry, expected: usize) -> Result<Option<String>, String> {
        let (dir, listed) = (self.dir.to_path_buf(), entry.export());
        let file = listed.file.to_owned();
        let (bytes, sha256) = (listed.bytes, listed.sha256.to_owned());
        let read = blocking(move || {
            let listed = crate::manifest::Listed {
                file: &file,
                bytes,
                sha256: &sha256,
            };
            files::read(&dir, &listed, MAX_IMPORT)
        })
        .await
        .map_err(|why| {
            format!(
                "{}: {why} (it changed after the backup was checked)",
                entry.file
            )
        })?;
        let name = entry.file.rsplit('/').next().unwrap_or("workflow.export");
        let upload = ImportFile::bytes(name, read);
        let mut lost = Vec::new();
        for _ in 0..MAX_SENDS {
            let sent = {
                let _pass = self.gate.enter().await;
                self.client
                    .import_workflows(self.project_id, self.target, &upload)
                    .await
            };
            let error = match sent {
                Ok(_) if lost.is_empty() => return Ok(None),
                Ok(_) => {
                    return Ok(Some(format!(
                        "sent again after the target's list showed that {} did not arrive",
                        lost.join("; ")
                    )));
                }
                Err(e) => e,
            };
            self.gate.observe(&error);
            if !may_have_arrived(&error) {
                return Err(error.to_string());
            }
            // The service may have taken it: look before sending again.
            match self.copies(&entry.name).await {
                Ok(n) if n > expected => {
                    return Ok(Some(format!(
                        "the answer was lost ({error}); the target's list shows it arrived"
                    )));
                }
                Ok(_) if worth_sending_again(&error) => lost.push(format!("an import ({error})")),
                Ok(_) => return Err(error.to_string()),
                Err(e) => {
                    return Err(format!(
                        "the answer was lost ({error}), and the target's list could not be read \
                         to see whether it arrived ({e}); run the restore again to finish"
                    ));
                }
            }
        }
        Err(format!(
            "sent {MAX_SENDS} times, and each answer was lost: {}",
            lost.join("; ")
        ))
    }

    /// How many workflows named exactly `name` the target holds.
    async fn copies(&self, name: &str) -> Result<usize, ClientError> {
        // The service's name filter matches parts of names: narrow by it,
        // then count exact matches.
        let query = match name.is_empty() {
            true => ListQuery::new(),
            false => ListQuery::new().name(name),
        };
        let listing = ListAllOptions::default().concurrency(self.gate.width());
        let all = self
            .client
            .list_all_workflows(self.project_id, self.target, &query, listing)
            .await?;
        Ok(all
            .items
            .iter()
            .filter(|w| w.name.as_deref().unwrap_or_default() == name)
            .count())
    }
}

/// Whether a failed import may have reached the service anyway: it was
/// sent and no answer came back whole, or a gateway answered for a
/// service that may have taken it.
fn may_have_arrived(error: &ClientError) -> bool {
    if let ClientError::GaveUp { last, .. } = error {
        return may_have_arrived(last);
    }
    match error {
        ClientError::Connect(_) | ClientError::Timeout(TimeoutPhase::Connect) => false,
        e if e.kind() == ErrorKind::Network => true,
        e => e.status().is_some_and(|s| s.is_server_error()),
    }
}

/// Whether a lost or gateway-refused import is worth sending again once
/// the list shows it did not arrive: not after the service's own 500.
fn worth_sending_again(error: &ClientError) -> bool {
    error.status().is_none_or(|s| s.as_u16() != 500)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secmaster_client::ApiError;
    use secmaster_client::reqwest::StatusCode;
    use secmaster_client::reqwest::header::HeaderMap;

    fn answered(status: u16) -> ClientError {
        let status = StatusCode::from_u16(status).unwrap();
        ClientError::Api(ApiError::from_response_parts(
            status,
            &HeaderMap::new(),
            b"",
        ))
    }

    #[test]
    fn lost_answers_are_told_from_refusals() {
        assert!(may_have_arrived(&ClientError::Timeout(
            TimeoutPhase::FirstByte
        )));
        assert!(may_have_arrived(&ClientError::Truncated {
            expected: 10,
            received: 1
        }));
        assert!(may_have_arrived(&answered(502)));
        assert!(may_have_arrived(&answered(500)));
        assert!(!worth_sending_again(&answered(500)));
        assert!(worth_sending_again(&answered(504)));
        assert!(!may_have_arrived(&ClientError::Timeout(
            TimeoutPhase::Connect
        )));
        assert!(!may_have_arrived(&answered(400)));
        assert!(!may_have_arrived(&answered(429)));
        let gave_up = ClientError::GaveUp {
            attempts: 4,
            last: Box::new(ClientError::Timeout(TimeoutPhase::Connect)),
        };
        assert!(!may_have_arrived(&gave_up));
    }

    // A file whose workflow is not the one its manifest names was reported
    // restored, and imported again by every later run.
    #[test]
    fn an_import_that_did_not_add_its_name_is_a_failure() {
        let line = |name: &str, outcome| {
            Some(ReportLine {
                name: name.into(),
                source_id: "s".into(),
                outcome,
                reason: None,
            })
        };
        let mut lines = vec![
            line("a", Outcome::Restored),
            line("b", Outcome::Restored),
            line("b", Outcome::Restored),
            line("c", Outcome::Skipped),
        ];
        let before = HashMap::from([("b", 1), ("c", 1)]);
        // "a" arrived; only one of the two "b"s did (another name came in).
        let after = HashMap::from([("a", 1), ("b", 2), ("c", 1), ("renamed", 1)]);
        check_names(&mut lines, &before, &after);
        let outcomes: Vec<Outcome> = lines.iter().flatten().map(|l| l.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Restored,
                Outcome::Failed,
                Outcome::Failed,
                Outcome::Skipped
            ]
        );
        let reason = lines[1].as_ref().unwrap().reason.as_deref().unwrap();
        assert!(
            reason.contains("holds 2 named so where 3 were expected"),
            "{reason}"
        );
    }
}
