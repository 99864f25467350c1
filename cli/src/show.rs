//! `secmaster workflows show`.

use std::io::Write;

use crate::cli::{ObjectFormat, ShowArgs};
use crate::exit::Failure;
use crate::format;
use crate::output::stdout_file;
use crate::session::Session;
use crate::settings::Lookup;

pub async fn run(args: ShowArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let session = Session::resolve(&args.connection, env)?;
    let out = stdout_file()?;
    let answer = session
        .client
        .show_workflow(
            &session.project_id,
            &session.workspace_id,
            args.workflow_id.trim(),
        )
        .await?;
    let Some(workflow) = answer.data else {
        return Err(Failure::Client(secmaster_client::Error::Unexpected(
            "the service's answer holds no workflow".into(),
        )));
    };
    let mut out = std::io::BufWriter::new(out);
    let written = match args.format {
        ObjectFormat::Table => format::fields(&mut out, &workflow),
        ObjectFormat::Json => format::json(&mut out, &workflow),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}
