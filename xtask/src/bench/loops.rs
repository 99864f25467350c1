//! Section 2: many small exports in one process through one client, the
//! connection kept alive: `bench-loop` (token, then AK/SK) against the
//! official SDK; requests per second over the loop alone.

use super::report::Report;
use super::runs::RUN_LIMIT;
use super::server::{Server, SimSettings};
use super::stats::{Summary, alternate, field};
use super::{Ctx, WORKSPACE};
use crate::process::{capture_success, local_command};

const COUNT: u32 = 200;
const SIZE: u64 = 1024;

pub fn bench(ctx: &Ctx, report: &mut Report) -> Result<(), String> {
    let sim = Server::sim(
        &ctx.bin("secmaster-sim"),
        &ctx.scratch,
        &SimSettings {
            export_size: Some(SIZE),
            ..SimSettings::default()
        },
    )?;
    let mut names = vec![
        "secmaster-client, token (`bench-loop`)",
        "secmaster-client, AK/SK signed (`bench-loop --aksk`)",
    ];
    if ctx.python.is_some() {
        names.push("official Python SDK, AK/SK signed");
    }
    let indices: Vec<usize> = (0..names.len()).collect();
    let label = format!("{COUNT} sequential {SIZE}-byte exports");
    let samples = alternate(ctx.plan.rounds(), &label, &indices, |i, _| {
        let mut cmd = if i < 2 {
            let mut cmd = local_command(ctx.bin("bench-loop"));
            if i == 1 {
                cmd.arg("--aksk");
            }
            cmd
        } else {
            let mut cmd = local_command(ctx.python.as_ref().expect("SDK present"));
            cmd.arg(ctx.root.join("bench/sdk_bench.py"))
                .arg("loop")
                .env("HOME", ctx.scratch.join("home"));
            cmd
        };
        cmd.args(["--endpoint", &sim.url, "--workspace", WORKSPACE, "--count"])
            .arg(COUNT.to_string())
            .arg("--size")
            .arg(SIZE.to_string());
        let text = capture_success(&mut cmd, RUN_LIMIT)?.stdout;
        if field(&text, "bytes") != Some((u64::from(COUNT) * SIZE) as f64) {
            return Err(format!("{}: wrong byte count: {text}", names[i]));
        }
        let secs =
            field(&text, "seconds").ok_or_else(|| format!("{}: no time in {text:?}", names[i]))?;
        Ok(f64::from(COUNT) / secs)
    })?;
    report.section(
        &format!("2. {COUNT} sequential {SIZE}-byte exports, one process, one client"),
        "Requests per second over the loop alone (client set-up and interpreter start not \
         counted); the connection is kept alive. The server: `secmaster-sim --export-size 1024`, \
         which checks each request against the document and each signature.",
    );
    report.head(&["contender", "median req/s", "min", "max", "× SDK"]);
    let sdk = ctx.python.as_ref().map(|_| Summary::of(&samples[2]).median);
    for (name, runs) in names.iter().zip(&samples) {
        let s = Summary::of(runs);
        let ratio = sdk.map_or("–".into(), |r| format!("{:.1}", s.median / r));
        report.line(format!(
            "| {name} | {} | {ratio} |",
            s.cells(|v| format!("{v:.0}"))
        ));
    }
    report.line("");
    let ours = Summary::of(&samples[0]).median;
    let target = "(2) ≥ 5× the official SDK's requests/s";
    match sdk {
        Some(r) => report.verdict(
            target,
            format!("{:.1}× ({ours:.0} vs {r:.0} req/s)", ours / r),
            Some(ours / r >= 5.0),
        ),
        None => report.verdict(target, format!("{ours:.0} req/s; SDK not run"), None),
    }
    Ok(())
}
