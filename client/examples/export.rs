//! Exports workflows to a file.
//!
//! ```text
//! cargo run -p secmaster-client --example export -- \
//!     <project_id> <workspace_id> <output_path> <workflow_id>...
//! ```
//!
//! The region and credentials come from the environment (see the crate
//! docs); `HUAWEICLOUD_SDK_REGION_SECMASTER_<REGION>` points it at any
//! endpoint, a local test server included.

use std::process::ExitCode;

use secmaster_client::{Error, SecMasterClient};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [project_id, workspace_id, output, ids @ ..] = args.as_slice() else {
        eprintln!("usage: export <project_id> <workspace_id> <output_path> <workflow_id>...");
        return ExitCode::from(2);
    };
    match run(project_id, workspace_id, output, ids).await {
        Ok(bytes) => {
            println!("wrote {bytes} bytes to {output}");
            ExitCode::SUCCESS
        }
        Err(Error::Api(e)) => {
            eprintln!(
                "error: HTTP {} code={} message={} request_id={}",
                e.status().as_u16(),
                e.code().unwrap_or("-"),
                e.message().or(e.raw_body()).unwrap_or("-"),
                e.request_id().unwrap_or("-"),
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(
    project_id: &str,
    workspace_id: &str,
    output: &str,
    ids: &[String],
) -> Result<u64, Error> {
    let client = SecMasterClient::builder().from_env()?.build()?;
    let file = client
        .export_workflows(project_id, workspace_id, ids)
        .await?;
    file.save_to_path(output, secmaster_client::Overwrite::Replace)
        .await
}
