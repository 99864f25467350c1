//! `secmaster workflows diff`: two workspaces, or a workspace and a
//! backup, compared by name.

use std::io::{BufWriter, Write};

use secmaster_backup::diff::{Diff, compare, listed_records, records};
use secmaster_client::untrusted::escape;
use serde::Serialize;
use serde_json::Value;

use crate::backup_cli::{DiffArgs, ReportFormat};
use crate::exit::{Failure, shown};
use crate::format;
use crate::output::stdout_file;
use crate::session::Session;
use crate::settings::Lookup;
use crate::stderr;

/// The JSON form: what was compared, then how it differs.
#[derive(Serialize)]
struct Compared<'a> {
    a: &'a str,
    b: &'a str,
    #[serde(flatten)]
    diff: &'a Diff,
}

pub async fn run(args: DiffArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let session = Session::resolve(&args.connection, env)?;
    let out = stdout_file()?;
    let (client, project) = (&session.client, session.project_id.as_str());
    let a_id = session.workspace_id.as_str();
    let a = listed_records(client, project, a_id)
        .await
        .map_err(|e| Failure::from(e).of_workspace(a_id))?;
    let (b, b_label) = match (&args.to_workspace_id, &args.backup) {
        (Some(b_id), _) => {
            let b = listed_records(client, project, b_id)
                .await
                .map_err(|e| Failure::from(e).of_workspace(b_id))?;
            (b, b_id.clone())
        }
        (None, Some(dir)) => {
            let manifest = secmaster_backup::read_manifest(dir)?;
            // The backup of this very workspace, when it holds several.
            let own = manifest.workspaces.iter().any(|w| w.id == a_id);
            let wanted = args
                .from_workspace
                .as_deref()
                .or((own && manifest.workspaces.len() > 1).then_some(a_id));
            let workspace = manifest.workspace(wanted)?;
            (records(dir, workspace)?, format!("backup {}", shown(dir)))
        }
        (None, None) => unreachable!("clap requires --to-workspace-id or --backup"),
    };
    let diff = compare(&a, &b);

    let mut out = BufWriter::new(out);
    let written = match args.format {
        ReportFormat::Json => format::json(
            &mut out,
            &Compared {
                a: a_id,
                b: &b_label,
                diff: &diff,
            },
        ),
        ReportFormat::Table => print(&mut out, &diff, &escape(a_id), &escape(&b_label)),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))?;
    if diff.is_empty() {
        if !args.connection.service.quiet {
            stderr::line(format_args!(
                "{} and {} hold the same {} workflows",
                escape(a_id),
                escape(&b_label),
                a.len()
            ));
        }
        Ok(())
    } else {
        Err(Failure::Different)
    }
}

/// The differences as lines for people; nothing when there are none.
fn print(out: &mut impl Write, diff: &Diff, a: &str, b: &str) -> std::io::Result<()> {
    for (side, names) in [(a, &diff.only_in_a), (b, &diff.only_in_b)] {
        if !names.is_empty() {
            writeln!(out, "only in {side}: {}", names.len())?;
            for name in names {
                writeln!(out, "  {}", escape(name))?;
            }
        }
    }
    if !diff.changed.is_empty() {
        writeln!(out, "changed: {}", diff.changed.len())?;
        for changed in &diff.changed {
            writeln!(out, "  {}", escape(&changed.name))?;
            for field in &changed.fields {
                writeln!(
                    out,
                    "    {}: {} -> {}",
                    escape(&field.field),
                    value(field.a.as_ref()),
                    value(field.b.as_ref())
                )?;
            }
        }
    }
    Ok(())
}

/// A field's value as JSON, escaped; `(none)` where the side lacks it.
fn value(value: Option<&Value>) -> String {
    value.map_or_else(
        || "(none)".to_owned(),
        |v| escape(&v.to_string()).into_owned(),
    )
}
