//! Section 6: listing every workflow of a workspace through the library's
//! pager (`list_all_workflows`, in `bench-paging`), one page at a time
//! against the library's default of several in flight, with the simulator
//! answering each page after a fixed latency, as a distant service would.

use super::report::Report;
use super::runs::RUN_LIMIT;
use super::server::{Server, SimSettings};
use super::stats::{Summary, alternate, field, seconds};
use super::{Ctx, PROJECT, WORKSPACE};
use crate::process::{capture_success, local_command};

const WORKFLOWS: u64 = 1000;
const PAGE_SIZE: u64 = 100;
const LATENCY_MS: u64 = 30;
/// (label, concurrency): sequential, then `ListAllOptions::default()`'s.
const CONTENDERS: [(&str, usize); 2] = [
    ("sequential (concurrency 1)", 1),
    ("default (concurrency 4)", 4),
];

pub fn bench(ctx: &Ctx, report: &mut Report) -> Result<(), String> {
    let sim = Server::sim(
        &ctx.bin("secmaster-sim"),
        &ctx.scratch,
        &SimSettings {
            workflows: WORKFLOWS,
            latency_ms: LATENCY_MS,
            ..SimSettings::default()
        },
    )?;
    let label = format!("paging {WORKFLOWS} workflows");
    let samples = alternate(ctx.plan.rounds(), &label, &CONTENDERS, |(name, n), _| {
        let out = capture_success(
            local_command(ctx.bin("bench-paging"))
                .args([
                    "--endpoint",
                    &sim.url,
                    "--project",
                    PROJECT,
                    "--workspace",
                    WORKSPACE,
                ])
                .arg("--concurrency")
                .arg(n.to_string())
                .arg("--page-size")
                .arg(PAGE_SIZE.to_string()),
            RUN_LIMIT,
        )?;
        let text = out.stdout;
        let pages = WORKFLOWS.div_ceil(PAGE_SIZE) as f64;
        if field(&text, "workflows") != Some(WORKFLOWS as f64)
            || field(&text, "pages") != Some(pages)
        {
            return Err(format!(
                "bench-paging, {name}: expected {WORKFLOWS} workflows in {pages} pages: {text}"
            ));
        }
        field(&text, "seconds").ok_or_else(|| format!("bench-paging, {name}: no time in {text:?}"))
    })?;
    report.section(
        &format!("6. Listing {WORKFLOWS} workflows, {LATENCY_MS} ms per page"),
        &format!(
            "`SecMasterClient::list_all_workflows` with `ListAllOptions::default().concurrency(n)` \
             (pages of {PAGE_SIZE}: the first, then the other {} once `total` is known), timed in \
             `bench-paging` around the call alone. The server: `secmaster-sim --workflows \
             {WORKFLOWS} --latency {LATENCY_MS}` (every answer waits {LATENCY_MS} ms).",
            WORKFLOWS.div_ceil(PAGE_SIZE) - 1
        ),
    );
    report.head(&["pager", "median", "min", "max", "× sequential"]);
    let sequential = Summary::of(&samples[0]).median;
    for ((name, _), runs) in CONTENDERS.iter().zip(&samples) {
        let s = Summary::of(runs);
        report.line(format!(
            "| {name} | {} | {:.2} |",
            s.cells(seconds),
            s.median / sequential
        ));
    }
    report.line("");
    Ok(())
}
