//! Making a backup: list, export each workflow by its own id, write every
//! file into a part directory beside the target, the manifest last, then
//! give the directory its name.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use futures_util::{StreamExt, TryStreamExt, stream};
use secmaster_client::save::PartDir;
use secmaster_client::types::AopWorkflowInfo;
use secmaster_client::{Endpoint, Gate, ListAllOptions, ListQuery, SecMasterClient};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::files::{hex, sha256_hex};
use crate::manifest::{
    Counts, FORMAT, FORMAT_VERSION, FileEntry, MANIFEST, Manifest, Source, Tool, WorkflowEntry,
    WorkspaceCounts, WorkspaceEntry,
};
use crate::workspaces::{self, Workspace};
use crate::{Progress, blocking, paths};

/// Which workspaces a backup takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One workspace, by id.
    Workspace(String),
    /// Every workspace of the project, each in a directory of its own.
    AllWorkspaces,
}

/// How a backup is made.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateOptions {
    /// Which workflows of each workspace: the list's filters (`name`,
    /// `enabled`, `aop_type`, ...); `offset` and `limit` are not used.
    pub query: ListQuery,
    /// Requests in flight at once; one at a time once the service answers
    /// 429. Default 4.
    pub concurrency: usize,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            query: ListQuery::new(),
            concurrency: 4,
        }
    }
}

impl CreateOptions {
    /// Sets [`CreateOptions::query`].
    pub fn query(mut self, query: ListQuery) -> Self {
        self.query = query;
        self
    }
    /// Sets [`CreateOptions::concurrency`].
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency;
        self
    }
}

/// One workflow to save, and where.
struct Job<'a> {
    workspace: &'a str,
    workflow: &'a AopWorkflowInfo,
    export_file: String,
    record_file: String,
}

/// Backs up the workflows of `scope` into `dir`, which must not exist or
/// be an empty directory (checked before any request), and returns the
/// manifest written.
///
/// Every file is written into a hidden part directory beside `dir`,
/// flushed to disk, and the directory gets its name only once the
/// manifest, written last, is complete: a backup that fails, or a process
/// killed half-way, leaves `dir` as it was, and the next backup to the same
/// `dir` removes what a killed one left. One failed export fails the
/// backup ([`Error::Export`], naming the workflow).
pub async fn create(
    client: &SecMasterClient,
    project_id: &str,
    scope: &Scope,
    dir: &Path,
    options: &CreateOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Manifest, Error> {
    check_target(dir)?;
    let target = dir.to_path_buf();
    let part = blocking(move || PartDir::create_beside(&target))
        .await
        .map_err(|e| Error::io("create a directory beside", dir, e))?;
    let created_at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
    let gate = Arc::new(Gate::new(options.concurrency));
    let observed = Arc::clone(&gate);
    let client = client.observing_retries(move |e| observed.observe(e));

    let sources = list(&client, project_id, scope, options).await?;
    progress(Progress::Total(sources.iter().map(|(_, w)| w.len()).sum()));
    let all_workspaces = *scope == Scope::AllWorkspaces;
    let mut jobs = Vec::new();
    for (w, (workspace, workflows)) in sources.iter().enumerate() {
        let name = workspace.name.as_deref().unwrap_or(&workspace.id);
        let prefix = paths::workspace_prefix(all_workspaces, w, name);
        for (i, workflow) in workflows.iter().enumerate() {
            let name = workflow.name.as_deref().unwrap_or_default();
            let (export_file, record_file) = paths::workflow_files(&prefix, i, name);
            jobs.push(Job {
                workspace: &workspace.id,
                workflow,
                export_file,
                record_file,
            });
        }
    }
    // Unordered, so that one slow export does not hold up the others; put
    // back in the list's order afterwards.
    let mut saved: Vec<(usize, WorkflowEntry)> = stream::iter(jobs.into_iter().enumerate())
        .map(|(i, job)| {
            let saving = save(&client, project_id, &gate, &part, job, progress);
            async move { Ok::<_, Error>((i, saving.await?)) }
        })
        .buffer_unordered(gate.width())
        .try_collect()
        .await?;
    saved.sort_by_key(|(i, _)| *i);

    let mut saved = saved.into_iter().map(|(_, entry)| entry);
    let entries = sources
        .into_iter()
        .map(|(Workspace { id, name }, workflows)| {
            let workflows: Vec<WorkflowEntry> = saved.by_ref().take(workflows.len()).collect();
            WorkspaceEntry {
                id,
                name,
                counts: WorkspaceCounts {
                    workflows: workflows.len() as u64,
                    bytes: workflows.iter().map(|f| f.bytes).sum(),
                },
                workflows,
            }
        })
        .collect();
    let source = Source {
        endpoint: client.endpoint().as_str().to_owned(),
        region: region_of(client.endpoint()),
        project_id: project_id.to_owned(),
        all_workspaces,
    };
    let manifest = manifest(created_at, source, entries)?;
    write(&part, MANIFEST, &manifest.to_json())?;
    let target = dir.to_path_buf();
    blocking(move || part.finish(&target))
        .await
        .map_err(|e| Error::io("name the backup", dir, e))?;
    Ok(manifest)
}

/// The workspaces of `scope`, each with its workflows that the options'
/// filters match.
async fn list(
    client: &SecMasterClient,
    project_id: &str,
    scope: &Scope,
    options: &CreateOptions,
) -> Result<Vec<(Workspace, Vec<AopWorkflowInfo>)>, Error> {
    let listing = ListAllOptions::default().concurrency(options.concurrency);
    let workspaces = match scope {
        Scope::Workspace(id) => vec![workspaces::one(client, project_id, id).await?],
        Scope::AllWorkspaces => workspaces::all(client, project_id, listing).await?,
    };
    let mut listed = Vec::with_capacity(workspaces.len());
    for workspace in workspaces {
        let workflows = client
            .list_all_workflows(project_id, &workspace.id, &options.query, listing)
            .await?
            .items;
        listed.push((workspace, workflows));
    }
    Ok(listed)
}

/// The manifest of what was saved, checked: never one that would not read
/// back (the service may list two workspaces under one id, say).
fn manifest(
    created_at: String,
    source: Source,
    workspaces: Vec<WorkspaceEntry>,
) -> Result<Manifest, Error> {
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        format_version: FORMAT_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        created_at,
        source,
        counts: Counts {
            workspaces: workspaces.len() as u64,
            workflows: workspaces.iter().map(|w| w.counts.workflows).sum(),
            bytes: workspaces.iter().map(|w| w.counts.bytes).sum(),
        },
        workspaces,
    };
    manifest.check().map_err(|e| {
        Error::InvalidInput(format!(
            "the service's answers make no usable manifest: {e}"
        ))
    })?;
    Ok(manifest)
}

/// Exports one workflow into its file, digesting it as it arrives, and
/// writes its record beside it.
async fn save(
    client: &SecMasterClient,
    project_id: &str,
    gate: &Gate,
    part: &PartDir,
    job: Job<'_>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<WorkflowEntry, Error> {
    let workflow = job.workflow;
    let name = workflow.name.clone().unwrap_or_default();
    let id = workflow
        .id
        .clone()
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "the service listed the workflow \"{name}\" without an id; it cannot be exported"
            ))
        })?;
    let failed = |error| Error::Export {
        name: name.clone(),
        id: id.clone(),
        error: Box::new(error),
    };
    let (bytes, sha256) = {
        let _pass = gate.enter().await;
        let mut file = client
            .export_workflows(project_id, job.workspace, &[&id])
            .await
            .map_err(failed)?;
        let mut out = create_file(part, &job.export_file)?;
        let mut hasher = Sha256::new();
        while let Some(piece) = file.next_chunk().await.map_err(failed)? {
            hasher.update(&piece);
            out.write_all(&piece)
                .map_err(|e| Error::io("write", &part.path().join(&job.export_file), e))?;
        }
        (file.bytes_received(), hex(&hasher.finalize()))
    };
    let mut record = serde_json::to_vec_pretty(workflow).expect("a workflow serialises");
    record.push(b'\n');
    write(part, &job.record_file, &record)?;
    progress(Progress::Done { bytes });
    Ok(WorkflowEntry {
        id,
        name,
        aop_type: workflow.aop_type.clone(),
        enabled: workflow.enabled,
        version_id: workflow.version_id.clone(),
        current_approval_version_id: workflow.current_approval_version_id.clone(),
        current_rejected_version_id: workflow.current_rejected_version_id.clone(),
        file: job.export_file,
        bytes,
        sha256,
        record: FileEntry {
            file: job.record_file,
            bytes: record.len() as u64,
            sha256: sha256_hex(&record),
        },
    })
}

fn create_file(part: &PartDir, relative: &str) -> Result<std::fs::File, Error> {
    part.create_file(Path::new(relative))
        .map_err(|e| Error::io("create", &part.path().join(relative), e))
}

fn write(part: &PartDir, relative: &str, bytes: &[u8]) -> Result<(), Error> {
    create_file(part, relative)?
        .write_all(bytes)
        .map_err(|e| Error::io("write", &part.path().join(relative), e))
}

/// A backup goes into a new directory or an empty one, never over files.
fn check_target(dir: &Path) -> Result<(), Error> {
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io("look at", dir, e)),
        Ok(meta) if meta.is_dir() => {
            let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io("read", dir, e))?;
            match entries.next() {
                None => Ok(()),
                Some(_) => Err(Error::NotEmpty(PathBuf::from(dir))),
            }
        }
        Ok(_) => Err(Error::NotEmpty(PathBuf::from(dir))),
    }
}

/// The region whose public endpoint `endpoint` is, when it is one
/// (`https://secmaster.<region>.myhuaweicloud.com`): asked of the region
/// table rather than read from the host by a pattern of its own.
fn region_of(endpoint: &Endpoint) -> Option<String> {
    let host = endpoint.as_str().split("://").nth(1)?;
    let candidate = host.split('.').nth(1)?;
    let public = Endpoint::region(candidate).ok()?;
    (public == *endpoint).then(|| candidate.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_recognised_by_their_public_endpoint() {
        let public = Endpoint::region("cn-north-4").unwrap();
        assert_eq!(region_of(&public).as_deref(), Some("cn-north-4"));
        let local = Endpoint::url("http://127.0.0.1:8080").unwrap();
        assert_eq!(region_of(&local), None);
        let lookalike = Endpoint::url("http://secmaster.cn-north-4.example.com").unwrap();
        assert_eq!(region_of(&lookalike), None);
    }
}
