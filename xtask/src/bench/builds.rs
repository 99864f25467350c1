//! Sections 4 and 5: `xtask gen` on a warm build, and a clean release
//! build of secmaster-client against bench/bare-reqwest (the same call with
//! bare reqwest), each into an empty target directory, with the number of
//! crates each pulls in.

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;
use std::time::{Duration, Instant};

use super::Ctx;
use super::report::Report;
use super::runs::{BUILD_LIMIT, cargo};
use super::stats::{Summary, alternate, seconds};
use crate::process::capture_success;

const GEN_LIMIT: Duration = Duration::from_secs(120);
const EXTRA_CRATES: usize = 5;

pub fn gen_bench(ctx: &Ctx, report: &mut Report) -> Result<(), String> {
    let mut exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    // Rebuilt while this one runs (Linux names the old file "... (deleted)"):
    // time the new one.
    if let Some(path) = exe.to_str().and_then(|p| p.strip_suffix(" (deleted)")) {
        exe = path.into();
    }
    let samples = alternate(ctx.plan.rounds(), "xtask gen", &[0], |_, _| {
        let started = Instant::now();
        capture_success(
            Command::new(&exe).arg("gen").current_dir(&ctx.root),
            GEN_LIMIT,
        )?;
        Ok(started.elapsed().as_secs_f64())
    })?;
    let s = Summary::of(&samples[0]);
    report.section(
        "4. `cargo xtask gen` on a warm build",
        &format!(
            "The built binary ({}) run directly.",
            exe.strip_prefix(&ctx.root).unwrap_or(&exe).display()
        ),
    );
    report.head(&["command", "median", "min", "max"]);
    report.line(format!("| xtask gen | {} |\n", s.cells(seconds)));
    report.verdict("(4) gen ≤ 0.5 s", seconds(s.median), Some(s.median <= 0.5));
    Ok(())
}

pub fn build_bench(ctx: &Ctx, report: &mut Report) -> Result<(), String> {
    let bare = ctx.root.join("bench/bare-reqwest/Cargo.toml");
    let ours = count_crates(cargo(&ctx.root).args(["tree", "-p", "secmaster-client"]))?;
    let theirs = count_crates(
        cargo(&ctx.root)
            .args(["tree", "--locked", "--manifest-path"])
            .arg(&bare),
    )?;
    report.section(
        "5. Clean release build and crate count",
        "`cargo build --release --locked` into an empty target directory each time (sources \
         already downloaded); crates: distinct lines of `cargo tree -e normal --prefix none \
         --no-dedupe`, the crate itself included.",
    );
    let names = ["secmaster-client", "bench/bare-reqwest (reference)"];
    let crates_verdict = |report: &mut Report| {
        report.verdict(
            format!("(5) at most {EXTRA_CRATES} more crates than bare reqwest"),
            format!("{ours} vs {theirs}"),
            Some(ours <= theirs + EXTRA_CRATES),
        );
    };
    if ctx.plan.quick {
        report.head(&["crate", "crates"]);
        report.line(format!(
            "| {} | {ours} |\n| {} | {theirs} |\n\nClean builds are skipped in quick mode.\n",
            names[0], names[1]
        ));
        crates_verdict(report);
        return Ok(());
    }
    capture_success(cargo(&ctx.root).args(["fetch", "--locked"]), BUILD_LIMIT)?;
    capture_success(
        cargo(&ctx.root)
            .args(["fetch", "--locked", "--manifest-path"])
            .arg(&bare),
        BUILD_LIMIT,
    )?;
    // No warm-up: nothing is left warm between clean builds but the
    // downloaded sources, fetched above.
    let samples = alternate(
        (0, ctx.plan.runs),
        "clean release build",
        &[0, 1],
        |i, _| {
            let dir = ctx.scratch.join(format!("clean-build-{i}"));
            let _ = fs::remove_dir_all(&dir);
            let mut cmd = cargo(&ctx.root);
            cmd.args(["build", "--release", "--locked"])
                .env("CARGO_TARGET_DIR", &dir);
            if i == 0 {
                cmd.args(["-p", "secmaster-client"]);
            } else {
                cmd.arg("--manifest-path").arg(&bare);
            }
            let started = Instant::now();
            capture_success(&mut cmd, BUILD_LIMIT)?;
            let secs = started.elapsed().as_secs_f64();
            let _ = fs::remove_dir_all(&dir);
            Ok(secs)
        },
    )?;
    let reference = Summary::of(&samples[1]).median;
    report.head(&["crate", "median", "min", "max", "× bare", "crates"]);
    for (i, runs) in samples.iter().enumerate() {
        let s = Summary::of(runs);
        report.line(format!(
            "| {} | {} | {:.2} | {} |",
            names[i],
            s.cells(seconds),
            s.median / reference,
            [ours, theirs][i]
        ));
    }
    report.line("");
    let ratio = Summary::of(&samples[0]).median / reference;
    report.verdict(
        "(5) clean build ≤ 1.1× bare reqwest",
        format!("{ratio:.2}×"),
        Some(ratio <= 1.1),
    );
    crates_verdict(report);
    Ok(())
}

/// Distinct crates in `cargo tree -e normal --prefix none --no-dedupe`
/// (without `--no-dedupe` a crate seen twice is listed once more with a
/// ` (*)` suffix, and `sort -u` would count it twice).
fn count_crates(cmd: &mut Command) -> Result<usize, String> {
    cmd.args(["-e", "normal", "--prefix", "none", "--no-dedupe"]);
    let out = capture_success(cmd, BUILD_LIMIT)?;
    let lines: BTreeSet<&str> = out
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    Ok(lines.len())
}
