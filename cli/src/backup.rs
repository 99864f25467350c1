//! `secmaster backup create`, `backup describe` and `backup verify`: thin
//! layers over the secmaster-backup library.

use std::io::{BufWriter, Write};

use secmaster_backup::manifest::{Manifest, WorkflowEntry};
use secmaster_backup::{CreateOptions, Progress as Step, Scope};
use secmaster_client::untrusted::escape;

use crate::backup_cli::{CreateArgs, DescribeArgs, ReportFormat, VerifyArgs};
use crate::cli::FilterArgs;
use crate::exit::{Failure, shown};
use crate::format::{self, Column};
use crate::output::stdout_file;
use crate::progress::Progress;
use crate::session;
use crate::settings::{Lookup, Settings};
use crate::signals::Signals;
use crate::{stderr, summary};

pub async fn create(args: CreateArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let settings = Settings::for_workspace(&args.connection, env)?;
    let workspace = match args.all_workspaces {
        true => Ok(String::new()),
        false => settings.workspace_id().map_err(|e| {
            Failure::Usage(format!(
                "{e}; or --all-workspaces for every workspace of the project"
            ))
        }),
    };
    let wanted = [settings.project_id(), workspace];
    let (client, [project_id, workspace_id]) = session::connect(&settings, env, wanted)?;
    session::check_project_id(&project_id, &settings);
    let scope = match args.all_workspaces {
        true => Scope::AllWorkspaces,
        false => Scope::Workspace(workspace_id),
    };
    // The filters as the list takes them; --name once.
    let filters = FilterArgs {
        enabled: args.enabled,
        aop_type: args.aop_type,
        ..FilterArgs::default()
    };
    let mut query = crate::list::query(&filters);
    query.name = args.name.clone();
    let options = CreateOptions::default()
        .query(query)
        .concurrency(usize::from(args.concurrency));
    let quiet = args.connection.service.quiet;
    // Listen before the part directory exists, so that no signal can end
    // the process with it left behind.
    let mut signals = Signals::new()?;
    let bar = Progress::counting(!quiet);
    let hear = |step: Step| match step {
        Step::Total(n) => bar.set_total(n as u64),
        _ => bar.advance(1),
    };
    let work = secmaster_backup::create(&client, &project_id, &scope, &args.dir, &options, &hear);
    let manifest = tokio::select! {
        made = work => made.map_err(|e| match &scope {
            Scope::Workspace(id) => Failure::from(e).of_workspace(id),
            Scope::AllWorkspaces => Failure::from(e),
        })?,
        // Dropping `work` removes the part directory.
        signal = signals.recv() => {
            return Err(Failure::Interrupted(
                signal,
                "interrupted; the partial backup was removed and nothing was saved",
            ));
        }
    };
    drop(bar);
    if !quiet {
        stderr::line(format_args!(
            "backed up {} from {}, {}, into {}",
            summary::count(manifest.counts.workflows, "workflow"),
            source(&manifest),
            summary::size(manifest.counts.bytes),
            shown(&args.dir)
        ));
    }
    Ok(())
}

/// Where a backup's workflows came from: the workspace, or how many.
fn source(manifest: &Manifest) -> String {
    match manifest.workspaces.as_slice() {
        [one] if !manifest.source.all_workspaces => match &one.name {
            Some(name) if *name != one.id => format!("{} ({})", escape(&one.id), escape(name)),
            _ => escape(&one.id).into_owned(),
        },
        all => summary::count(all.len() as u64, "workspace"),
    }
}

pub fn describe(args: DescribeArgs) -> Result<(), Failure> {
    let out = stdout_file()?;
    let manifest = secmaster_backup::read_manifest(&args.dir)?;
    let mut out = BufWriter::new(out);
    let written = match args.format {
        ReportFormat::Json => format::json(&mut out, &manifest),
        ReportFormat::Table => described(&mut out, &args, &manifest),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

/// The table of a backup's workflows.
const WORKFLOWS: [Column<WorkflowEntry>; 6] = [
    ("NAME", |w| escape(&w.name).into_owned()),
    ("ID", |w| escape(&w.id).into_owned()),
    ("TYPE", |w| optional(&w.aop_type)),
    ("ENABLED", |w| {
        w.enabled.map_or_else(|| "-".into(), |e| e.to_string())
    }),
    ("SIZE", |w| summary::size(w.bytes)),
    ("FILE", |w| escape(&w.file).into_owned()),
];

fn optional(value: &Option<String>) -> String {
    value
        .as_deref()
        .map_or_else(|| "-".into(), |v| escape(v).into_owned())
}

/// A summary of the backup, then each workspace and its workflows. Every
/// text of the manifest is escaped: anyone may have edited it.
fn described(
    out: &mut impl Write,
    args: &DescribeArgs,
    manifest: &Manifest,
) -> std::io::Result<()> {
    let source = &manifest.source;
    let counts = &manifest.counts;
    let region = source
        .region
        .as_deref()
        .map(|r| format!(" (region {})", escape(r)))
        .unwrap_or_default();
    writeln!(out, "backup   {}", shown(&args.dir))?;
    writeln!(
        out,
        "format   {} {}, written by {} {}",
        escape(&manifest.format),
        manifest.format_version,
        escape(&manifest.tool.name),
        escape(&manifest.tool.version)
    )?;
    writeln!(out, "created  {}", escape(&manifest.created_at))?;
    writeln!(
        out,
        "source   {}{region}, project {}",
        escape(&source.endpoint),
        escape(&source.project_id)
    )?;
    writeln!(
        out,
        "holds    {}, {}, {}",
        summary::count(counts.workspaces, "workspace"),
        summary::count(counts.workflows, "workflow"),
        summary::size(counts.bytes)
    )?;
    for workspace in &manifest.workspaces {
        let name = workspace
            .name
            .as_deref()
            .filter(|n| *n != workspace.id)
            .map(|n| format!(" ({})", escape(n)))
            .unwrap_or_default();
        writeln!(
            out,
            "\nworkspace {}{name}: {}, {}",
            escape(&workspace.id),
            summary::count(workspace.counts.workflows, "workflow"),
            summary::size(workspace.counts.bytes)
        )?;
        if !workspace.workflows.is_empty() {
            format::table(out, &WORKFLOWS, &workspace.workflows)?;
        }
    }
    Ok(())
}

pub fn verify(args: VerifyArgs) -> Result<(), Failure> {
    let manifest = secmaster_backup::verify(&args.dir)?;
    if !args.quiet {
        stderr::line(format_args!(
            "{} is intact: {} files of {} match the manifest",
            shown(&args.dir),
            manifest.files().count(),
            summary::count(manifest.counts.workflows, "workflow")
        ));
    }
    Ok(())
}
