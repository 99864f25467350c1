//! `secmaster workflows show`.

use crate::cli::ShowArgs;
use crate::exit::Failure;
use crate::format;
use crate::output::stdout_file;
use crate::query::Query;
use crate::session::Session;
use crate::settings::Lookup;

pub async fn run(args: ShowArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let query = Query::given(args.query.as_deref())?;
    let session = Session::resolve(&args.connection, env)?;
    let out = stdout_file()?;
    let answer = session
        .client
        .show_workflow(
            &session.project_id,
            &session.workspace_id,
            args.workflow_id.trim(),
        )
        .await
        .map_err(|e| Failure::from(e).of_workspace(&session.workspace_id))?;
    let Some(workflow) = answer.data else {
        return Err(Failure::Client(secmaster_client::Error::Unexpected(
            "the service's answer holds no workflow".into(),
        )));
    };
    format::print_object(
        out,
        &workflow,
        (args.format.into(), query.as_ref()),
        crate::fields::WORKFLOW,
    )
}
