//! Section 8: backing up and restoring many workflows against a service
//! 30 ms away. `secmaster backup create` and `secmaster restore` (4
//! requests in flight) beside two references: the ideal, every request
//! taking the latency and nothing else, 4 at a time (requests ÷ 4 ×
//! latency); and the official SDK doing the same work one request at a
//! time (`bench/sdk_bench.py backup|restore`).

use std::fs;
use std::path::{Path, PathBuf};

use super::report::Report;
use super::runs::measured;
use super::server::{Server, SimSettings};
use super::stats::{Summary, alternate, field, mib, number_after, seconds};
use super::{Ctx, PROJECT, TOKEN, WORKSPACE};
use crate::process::{capture_success, local_command};

const LATENCY_MS: u64 = 30;
/// The CLI's default, and what the ideal is computed for.
const CONCURRENCY: u64 = 4;
const PAGE: u64 = 100;
/// Targets: within this many times the ideal, and this peak RSS (KiB).
const IDEAL_TARGET: f64 = 1.5;
const RSS_TARGET_KIB: f64 = 64.0 * 1024.0;

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Cli,
    Sdk,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Cli => "secmaster (release), 4 at a time",
            Tool::Sdk => "official Python SDK, one at a time",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Tool::Cli => "cli",
            Tool::Sdk => "sdk",
        }
    }
}

/// One run: (wall seconds, peak RSS in KiB).
type Run = (f64, f64);

pub fn bench(ctx: &Ctx, report: &mut Report) -> Result<(), String> {
    let count = ctx.plan.backup_workflows;
    let sim = Server::sim(
        &ctx.bin("secmaster-sim"),
        &ctx.scratch,
        &SimSettings {
            workflows: count,
            latency_ms: LATENCY_MS,
            auto_create_workspaces: true,
            ..SimSettings::default()
        },
    )?;
    let mut tools = vec![Tool::Cli];
    if ctx.python.is_some() {
        tools.push(Tool::Sdk);
    }
    // Backups: show the workspace, list it, export each workflow.
    let backup_requests = 1 + count.div_ceil(PAGE) + count;
    let mut restores = 0;
    let label = format!("backup of {count} workflows");
    let backups = alternate(ctx.plan.rounds(), &label, &tools, |tool, last| {
        backup(ctx, &sim, tool, count, last)
    })?;
    // Restores into an empty workspace each: list it (one page), import
    // each workflow.
    let restore_requests = 1 + count;
    let label = format!("restore of {count} workflows");
    let restored = alternate(ctx.plan.rounds(), &label, &tools, |tool, _| {
        restores += 1;
        restore(ctx, &sim, tool, count, &format!("restore-{restores}"))
    })?;

    report.section(
        &format!("8. Backup and restore of {count} workflows, {LATENCY_MS} ms per request"),
        &format!(
            "`secmaster backup create DIR --workspace-id W` and `secmaster restore DIR \
             --workspace-id T` (a new, empty T each run), wall time from start to exit and peak \
             RSS (`/usr/bin/time`), beside the ideal: every request taking the latency and \
             nothing else, {CONCURRENCY} at a time (requests ÷ {CONCURRENCY} × {LATENCY_MS} ms; \
             a backup sends {backup_requests} requests: the workspace, the list in pages of \
             {PAGE}, one export per workflow; a restore {restore_requests}: the target's list, \
             one import per workflow); and the official SDK doing the same one request at a time \
             (`bench/sdk_bench.py backup|restore`: every file fsynced, AK/SK signed). The \
             server: `secmaster-sim --workflows {count} --latency {LATENCY_MS} \
             --auto-create-workspaces`."
        ),
    );
    report.head(&[
        "operation",
        "contender",
        "median",
        "min",
        "max",
        "× ideal",
        "peak RSS",
    ]);
    for (operation, requests, samples) in [
        ("backup", backup_requests, &backups),
        ("restore", restore_requests, &restored),
    ] {
        let ideal = requests as f64 / CONCURRENCY as f64 * LATENCY_MS as f64 / 1000.0;
        report.line(format!(
            "| {operation} | ideal ({requests} requests ÷ {CONCURRENCY} × {LATENCY_MS} ms) | {} | – | – | 1.00 | – |",
            seconds(ideal)
        ));
        for (tool, runs) in tools.iter().zip(samples) {
            let s = Summary::of(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
            let rss = runs.iter().map(|r| r.1).fold(0.0, f64::max);
            let ratio = s.median / ideal;
            report.line(format!(
                "| {operation} | {} | {} | {ratio:.2} | {} |",
                tool.name(),
                s.cells(seconds),
                mib(rss)
            ));
            if *tool == Tool::Cli {
                report.verdict(
                    format!(
                        "(8) {operation} of {count} ≤ {IDEAL_TARGET}× the ideal at concurrency 4"
                    ),
                    format!(
                        "{ratio:.2}× ({} against {})",
                        seconds(s.median),
                        seconds(ideal)
                    ),
                    Some(ratio <= IDEAL_TARGET),
                );
                report.verdict(
                    format!("(8) {operation} peak RSS ≤ 64 MiB"),
                    mib(rss),
                    Some(rss <= RSS_TARGET_KIB),
                );
            }
        }
    }
    report.line("");
    Ok(())
}

/// Where a contender's backup goes.
fn backup_dir(ctx: &Ctx, tool: Tool) -> PathBuf {
    ctx.scratch.join(format!("backup-{}", tool.tag()))
}

/// One backup into a new directory; in the last round the CLI's is
/// checked with `backup verify`.
fn backup(ctx: &Ctx, sim: &Server, tool: Tool, count: u64, verify: bool) -> Result<Run, String> {
    let dir = backup_dir(ctx, tool);
    // Outside the timing: a backup goes into a new directory.
    let _ = fs::remove_dir_all(&dir);
    let cmd = match tool {
        Tool::Cli => {
            let mut cmd = cli(ctx, sim, &["backup", "create"]);
            cmd.arg(&dir).args(["--workspace-id", WORKSPACE]);
            cmd
        }
        Tool::Sdk => {
            let mut cmd = sdk(ctx, sim, "backup");
            cmd.args(["--workspace", WORKSPACE, "--output"]).arg(&dir);
            cmd
        }
    };
    let run = measured(&cmd, false, &ctx.scratch.join("rss.txt"))
        .map_err(|e| format!("{} backup: {e}", tool.name()))?;
    let done = match tool {
        Tool::Cli => number_after(&run.text, "backed up "),
        Tool::Sdk => field(&run.text, "workflows").map(|n| n as u64),
    };
    if done != Some(count) {
        return Err(format!(
            "{} backup: expected {count} workflows: {}",
            tool.name(),
            run.text
        ));
    }
    if verify && tool == Tool::Cli {
        capture_success(
            local_command(ctx.bin("secmaster"))
                .args(["backup", "verify"])
                .arg(&dir),
            super::runs::RUN_LIMIT,
        )?;
    }
    Ok((run.secs, run.rss_kib))
}

/// One restore of the contender's backup into the new workspace `target`.
fn restore(ctx: &Ctx, sim: &Server, tool: Tool, count: u64, target: &str) -> Result<Run, String> {
    let dir = backup_dir(ctx, tool);
    let cmd = match tool {
        Tool::Cli => {
            let mut cmd = cli(ctx, sim, &["restore"]);
            cmd.arg(&dir).args(["--workspace-id", target]);
            cmd
        }
        Tool::Sdk => {
            let mut cmd = sdk(ctx, sim, "restore");
            cmd.args(["--workspace", target, "--input"]).arg(&dir);
            cmd
        }
    };
    // The CLI's report (a line per workflow) goes to /dev/null.
    let run = measured(&cmd, tool == Tool::Cli, &ctx.scratch.join("rss.txt"))
        .map_err(|e| format!("{} restore: {e}", tool.name()))?;
    let done = match tool {
        Tool::Cli => number_after(&run.text, "restored "),
        Tool::Sdk => field(&run.text, "restored").map(|n| n as u64),
    };
    if done != Some(count) {
        return Err(format!(
            "{} restore into {target}: expected {count} restored: {}",
            tool.name(),
            run.text
        ));
    }
    Ok((run.secs, run.rss_kib))
}

/// `secmaster ARGS... --endpoint URL --project-id P` with the token.
fn cli(ctx: &Ctx, sim: &Server, args: &[&str]) -> std::process::Command {
    let mut cmd = local_command(ctx.bin("secmaster"));
    cmd.args(args)
        .args(["--endpoint", &sim.url, "--project-id", PROJECT])
        .env("SECMASTER_AUTH_TOKEN", TOKEN);
    cmd
}

/// `sdk_bench.py COMMAND --endpoint URL` in the SDK's venv.
fn sdk(ctx: &Ctx, sim: &Server, command: &str) -> std::process::Command {
    let python: &Path = ctx
        .python
        .as_ref()
        .expect("the SDK runs only with its venv");
    let mut cmd = local_command(python);
    cmd.arg(ctx.root.join("bench/sdk_bench.py"))
        .args([command, "--endpoint", &sim.url])
        .env("HOME", ctx.scratch.join("home"));
    cmd
}
