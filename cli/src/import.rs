//! `secmaster workflows import`.

use std::io::Write;
use std::path::Path;

use secmaster_client::ImportFile;
use secmaster_client::untrusted::escape;

use crate::cli::{ImportArgs, ObjectFormat};
use crate::exit::{Failure, shown};
use crate::format;
use crate::output::stdout_file;
use crate::session::Session;
use crate::settings::Lookup;
use crate::stderr;

pub async fn run(args: ImportArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let session = Session::resolve(&args.connection, env)?;
    // Before the upload: a refusal afterwards would report a failed import
    // that happened, and a caller that retries would import twice.
    let out = match args.format {
        ObjectFormat::Json => Some(stdout_file()?),
        ObjectFormat::Table => None,
    };
    uploadable(&args.file)?;
    let answer = session
        .client
        .import_workflows(
            &session.project_id,
            &session.workspace_id,
            &ImportFile::path(&args.file),
        )
        .await
        .map_err(|e| Failure::from(e).of_workspace(&session.workspace_id))?;
    let request_id = answer
        .request_id
        .as_deref()
        .map(escape)
        .unwrap_or("-".into());
    match out {
        Some(out) => {
            let mut out = std::io::BufWriter::new(out);
            format::json(&mut out, &answer)
                .and_then(|()| out.flush())
                .map_err(|e| Failure::io("cannot write to standard output", &e))?;
        }
        None if !args.connection.service.quiet => {
            stderr::line(format_args!(
                "imported {} (request id {request_id})",
                shown(&args.file)
            ));
        }
        None => {}
    }
    Ok(())
}

/// Refuses, before anything is sent, a file the upload cannot stream: one
/// that is missing or unreadable, or not a regular file (the upload needs
/// its size).
pub fn uploadable(path: &Path) -> Result<(), Failure> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(Failure::Io(format!(
            "cannot read {}: not a regular file (the upload needs its size)",
            shown(path)
        ))),
        Err(e) => Err(Failure::io(format!("cannot read {}", shown(path)), &e)),
    }
}
