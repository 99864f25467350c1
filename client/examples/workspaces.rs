//! Lists every workspace of a project with how many workflows each holds.
//!
//! ```text
//! cargo run -p secmaster-client --example workspaces -- <project_id>
//! ```
//!
//! The region and credentials come from the environment (see the crate
//! docs); `HUAWEICLOUD_SDK_REGION_SECMASTER_<REGION>` points it at any
//! endpoint, a local test server included. The workspaces come from the
//! typed pager; the counts from `execute`, which sends any operation of the
//! document from its table entry.

use std::process::ExitCode;

use secmaster_client::{
    Answered, Args, Error, Input, ListAllOptions, SecMasterClient, WorkspaceQuery, operations,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [project_id] = args.as_slice() else {
        eprintln!("usage: workspaces <project_id>");
        return ExitCode::from(2);
    };
    match run(project_id).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(project_id: &str) -> Result<(), Error> {
    let client = SecMasterClient::builder().from_env()?.build()?;
    let all = client
        .list_all_workspaces(
            project_id,
            &WorkspaceQuery::new(),
            ListAllOptions::default(),
        )
        .await?;
    for workspace in &all.items {
        let id = workspace.id.as_deref().unwrap_or_default();
        let args = Args::new()
            .set("project_id", project_id)
            .set("workspace_id", id)
            .set("limit", 1);
        let total = match client
            .execute(&operations::LIST_WORKFLOWS, &args, Input::None)
            .await?
        {
            Answered::Json(page) => page["total"].to_string(),
            _ => "-".to_owned(),
        };
        // Text from the service, escaped before it reaches a terminal.
        let name = workspace.name.as_deref().unwrap_or("-");
        println!(
            "{}  {}  {total} workflows",
            secmaster_client::untrusted::escape(id),
            secmaster_client::untrusted::escape(name)
        );
    }
    Ok(())
}
