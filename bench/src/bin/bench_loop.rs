//! Sequential small exports through one `SecMasterClient` (one connection
//! pool, so the connection is kept alive between requests).
//!
//! `bench-loop --endpoint URL [--workspace W] [--count 200] [--size 1024] [--aksk]`
//!
//! Asks the server (`secmaster-sim --export-size SIZE`) for `--count`
//! exports of workspace W (default: the simulator's seeded one), one after
//! the other, reads every body to its end, checks it has `--size` bytes,
//! and prints
//! `requests=N bytes=B seconds=S` (the loop alone: building the client is
//! not counted). Token credentials by default, as a caller with an IAM token
//! would; `--aksk` signs every request with a fake access key pair instead.
//! Exits non-zero if any export fails or has the wrong size.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Instant;

use secmaster_client::{Credentials, RetryPolicy, SecMasterClient};

const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const WORKSPACE: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

fn main() -> ExitCode {
    let mut endpoint = None;
    let mut workspace = WORKSPACE.to_owned();
    let mut count = Some(200u32);
    let mut size = Some(1024u64);
    let mut aksk = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_default();
        match arg.as_str() {
            "--endpoint" => endpoint = Some(value()),
            "--workspace" => workspace = value(),
            "--count" => count = value().parse().ok().filter(|n| *n > 0),
            "--size" => size = value().parse().ok(),
            "--aksk" => aksk = true,
            _ => endpoint = None,
        }
    }
    let (Some(endpoint), Some(count), Some(size)) = (endpoint, count, size) else {
        eprintln!(
            "usage: bench-loop --endpoint URL [--workspace W] [--count N] [--size BYTES] [--aksk]"
        );
        return ExitCode::from(2);
    };
    secmaster_bench::report(run(&endpoint, &workspace, count, size, aksk))
}

async fn run(
    endpoint: &str,
    workspace: &str,
    count: u32,
    size: u64,
    aksk: bool,
) -> Result<String, String> {
    let credentials = if aksk {
        Credentials::access_key(
            "HPUAFAKEAK0EXAMPLE01",
            "FAKEsecretKEY0example0000000000000000000001",
        )
    } else {
        Credentials::token("bench-fake-iam-token")
    }
    .map_err(|e| e.to_string())?;
    let client = SecMasterClient::builder()
        .endpoint(endpoint)
        .map_err(|e| e.to_string())?
        .credentials(credentials)
        .retry(RetryPolicy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let ids = ["c19470f3-5eaf-4572-82e8-2ff094495919"];

    let started = Instant::now();
    let mut total = 0u64;
    for i in 0..count {
        let mut file = client
            .export_workflows(PROJECT, workspace, &ids)
            .await
            .map_err(|e| format!("request {i}: {e}"))?;
        while let Some(chunk) = file
            .next_chunk()
            .await
            .map_err(|e| format!("request {i}: {e}"))?
        {
            total += chunk.len() as u64;
        }
        if file.bytes_received() != size {
            return Err(format!(
                "request {i}: {} bytes, expected {size}",
                file.bytes_received()
            ));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(format!(
        "requests={count} bytes={total} seconds={seconds:.6}"
    ))
}
