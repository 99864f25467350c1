//! Every page of a workflow list through the library's pager, timed.
//!
//! `bench-paging --endpoint URL --project P --workspace W --concurrency N
//! [--page-size 100]`
//!
//! Calls `SecMasterClient::list_all_workflows` once (token credentials, no
//! retries) with `ListAllOptions::default().concurrency(N)` and prints
//! `workflows=W pages=P seconds=S`, the call alone (building the client is
//! not counted). Exits non-zero if the call fails.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Instant;

use secmaster_client::{Credentials, ListAllOptions, ListQuery, RetryPolicy, SecMasterClient};

const TOKEN: &str = "bench-fake-iam-token";

struct Args {
    endpoint: String,
    project: String,
    workspace: String,
    concurrency: usize,
    page_size: u32,
}

fn parse() -> Option<Args> {
    let (mut endpoint, mut project, mut workspace) = (None, None, None);
    let (mut concurrency, mut page_size) = (None, Some(100));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next()?;
        match arg.as_str() {
            "--endpoint" => endpoint = Some(value),
            "--project" => project = Some(value),
            "--workspace" => workspace = Some(value),
            "--concurrency" => concurrency = value.parse().ok().filter(|n| *n > 0),
            "--page-size" => page_size = value.parse().ok(),
            _ => return None,
        }
    }
    Some(Args {
        endpoint: endpoint?,
        project: project?,
        workspace: workspace?,
        concurrency: concurrency?,
        page_size: page_size?,
    })
}

fn main() -> ExitCode {
    let Some(args) = parse() else {
        eprintln!(
            "usage: bench-paging --endpoint URL --project P --workspace W --concurrency N [--page-size N]"
        );
        return ExitCode::from(2);
    };
    secmaster_bench::report(run(&args))
}

async fn run(args: &Args) -> Result<String, String> {
    let client = SecMasterClient::builder()
        .endpoint(&args.endpoint)
        .map_err(|e| e.to_string())?
        .credentials(Credentials::token(TOKEN).map_err(|e| e.to_string())?)
        .retry(RetryPolicy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let options = ListAllOptions::default()
        .concurrency(args.concurrency)
        .page_size(args.page_size);
    let started = Instant::now();
    let all = client
        .list_all_workflows(&args.project, &args.workspace, &ListQuery::new(), options)
        .await
        .map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(format!(
        "workflows={} pages={} seconds={seconds:.6}",
        all.items.len(),
        all.pages
    ))
}
