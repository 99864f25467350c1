//! `secmaster restore`: a thin layer over the secmaster-backup library.

use std::io::{BufWriter, Write};

use secmaster_backup::{Outcome, Progress as Step, ReportLine, RestoreOptions, Selection};
use secmaster_client::untrusted::escape;

use crate::backup_cli::{Existing, ReportFormat, RestoreArgs};
use crate::exit::Failure;
use crate::format::{self, Column};
use crate::output::stdout_file;
use crate::progress::Progress;
use crate::session::Session;
use crate::settings::Lookup;
use crate::signals::Signals;
use crate::stderr;

/// The report's columns; the reason, of any length, last.
const REPORT: [Column<ReportLine>; 4] = [
    ("NAME", |l| escape(&l.name).into_owned()),
    ("SOURCE ID", |l| escape(&l.source_id).into_owned()),
    ("OUTCOME", |l| outcome(l.outcome).to_owned()),
    ("REASON", |l| {
        l.reason
            .as_deref()
            .map_or_else(|| "-".into(), |r| escape(r).into_owned())
    }),
];

fn outcome(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Restored => "restored",
        Outcome::Skipped => "skipped",
        Outcome::Failed => "failed",
        Outcome::Planned => "planned",
    }
}

pub async fn run(args: RestoreArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let session = Session::resolve(&args.connection, env)?;
    // Before anything is sent: the report must have somewhere to go.
    let out = stdout_file()?;
    let selection = Selection::new(&args.include, &args.exclude)?;
    let mut options = RestoreOptions::default()
        .existing(match args.existing {
            Existing::Skip => secmaster_backup::Existing::Skip,
            Existing::Fail => secmaster_backup::Existing::Fail,
            Existing::Duplicate => secmaster_backup::Existing::Duplicate,
        })
        .selection(selection)
        .dry_run(args.connection.service.dry_run)
        .concurrency(usize::from(args.concurrency));
    if let Some(source) = &args.from_workspace {
        options = options.from_workspace(source);
    }
    let quiet = args.connection.service.quiet;
    let target = &session.workspace_id;
    let mut signals = Signals::new()?;
    let bar = Progress::counting(!quiet && !args.connection.service.dry_run);
    let hear = |step: Step| match step {
        Step::Total(n) => bar.set_total(n as u64),
        _ => bar.advance(1),
    };
    let client = &session.client;
    let work = secmaster_backup::restore(
        client,
        &session.project_id,
        target,
        &args.dir,
        &options,
        &hear,
    );
    let report = tokio::select! {
        done = work => done.map_err(|e| Failure::from(e).of_workspace(target))?,
        signal = signals.recv() => {
            return Err(Failure::Interrupted(
                signal,
                "interrupted; what was imported so far stays in the target, and the same \
                 restore run again imports the rest",
            ));
        }
    };
    drop(bar);

    let mut out = BufWriter::new(out);
    let written = match args.format {
        ReportFormat::Table => format::table(&mut out, &REPORT, &report.workflows),
        ReportFormat::Json => format::json(&mut out, &report),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))?;

    let [restored, skipped, failed, planned] = [
        Outcome::Restored,
        Outcome::Skipped,
        Outcome::Failed,
        Outcome::Planned,
    ]
    .map(|o| report.count(o));
    if !quiet {
        let target = escape(target);
        if args.connection.service.dry_run {
            stderr::line(format_args!(
                "dry run: {planned} to restore into {target}, {skipped} skipped; nothing was imported"
            ));
        } else {
            stderr::line(format_args!(
                "restored {restored}, skipped {skipped}, failed {failed} into {target}"
            ));
        }
    }
    if failed > 0 {
        return Err(Failure::Unfinished(format!(
            "{failed} of {} workflows could not be restored (see the report); the same restore run \
             again retries them and skips what arrived",
            report.workflows.len()
        )));
    }
    Ok(())
}
