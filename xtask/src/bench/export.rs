//! Section 1: one export of each size, to a file (flushed to disk) and to
//! /dev/null, by curl (the reference), the CLI and the official SDK; wall
//! time and peak RSS. Served by `bench-server`: at 1 GiB to /dev/null the
//! server's own cost per byte is what limits every contender, and the
//! simulator's is higher (docs/benchmarks.md, "The server"). Every byte count is
//! checked, and in the last round each saved file is read back against the
//! pattern.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::report::Report;
use super::runs::{RUN_LIMIT, measured};
use super::server::Server;
use super::stats::{Summary, alternate, mib, number_after, seconds, size_name};
use super::{Ctx, PROJECT, TOKEN};
use crate::process::{capture_success, local_command};

/// Byte `i` of an export is `i % PERIOD` (bench-server, and secmaster-sim
/// with `--export-size`).
const PERIOD: u64 = 251;
/// The CLI's peak RSS target, in KiB.
const RSS_TARGET_KIB: f64 = 16.0 * 1024.0;

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Curl,
    Cli,
    Sdk,
}

impl Tool {
    fn name(self, to_file: bool) -> &'static str {
        match self {
            Tool::Curl if to_file => "curl + sync (reference)",
            Tool::Curl => "curl (reference)",
            Tool::Cli => "secmaster (release)",
            Tool::Sdk => "official Python SDK",
        }
    }
}

pub fn bench(ctx: &Ctx, report: &mut Report) -> Result<(), String> {
    let mut tools = vec![Tool::Curl, Tool::Cli];
    if ctx.python.is_some() {
        tools.push(Tool::Sdk);
    }
    report.section(
        "1. One export: wall time and peak RSS",
        "Wall time from start to exit (curl: plus `sync FILE`); file outputs are flushed to disk \
         by every contender. Peak RSS: the largest of the counted runs (`/usr/bin/time`). The \
         server: `bench-server` (bench/), which answers workspace `size-N` with N bytes.",
    );
    report.head(&[
        "size",
        "output",
        "contender",
        "median",
        "min",
        "max",
        "× curl",
        "peak RSS",
    ]);
    let mut worst_rss = 0.0f64;
    let last_size = ctx.plan.sizes.last().copied().unwrap_or_default();
    let server = Server::bench_server(&ctx.bin("bench-server"), &ctx.scratch)?;
    for &size in &ctx.plan.sizes {
        for to_file in [true, false] {
            let output = if to_file { "file" } else { "/dev/null" };
            let label = format!("export {} to {output}", size_name(size));
            let samples = alternate(ctx.plan.rounds(), &label, &tools, |tool, last| {
                once(ctx, &server, tool, size, to_file, last)
            })?;
            let reference = Summary::of(&times(&samples[0])).median;
            for (tool, runs) in tools.iter().zip(&samples) {
                let s = Summary::of(&times(runs));
                let rss = runs.iter().map(|r| r.1).fold(0.0, f64::max);
                report.line(format!(
                    "| {} | {output} | {} | {} | {:.2} | {} |",
                    size_name(size),
                    tool.name(to_file),
                    s.cells(seconds),
                    s.median / reference,
                    mib(rss),
                ));
                if *tool == Tool::Cli {
                    worst_rss = worst_rss.max(rss);
                    if size == last_size {
                        let ratio = s.median / reference;
                        report.verdict(
                            format!("(1) secmaster ≤ 1.1× curl, {} to {output}", size_name(size)),
                            format!("{ratio:.2}×"),
                            Some(ratio <= 1.1),
                        );
                    }
                }
            }
        }
    }
    report.line("");
    report.verdict(
        "(1) secmaster peak RSS ≤ 16 MiB at every size",
        mib(worst_rss),
        Some(worst_rss <= RSS_TARGET_KIB),
    );
    Ok(())
}

fn times(samples: &[(f64, f64)]) -> Vec<f64> {
    samples.iter().map(|s| s.0).collect()
}

/// One export: (wall seconds, peak RSS in KiB).
fn once(
    ctx: &Ctx,
    server: &Server,
    tool: Tool,
    size: u64,
    to_file: bool,
    verify: bool,
) -> Result<(f64, f64), String> {
    let file = ctx.scratch.join(format!("export-{size}.bin"));
    let dest = if to_file {
        file.clone()
    } else {
        PathBuf::from("/dev/null")
    };
    if to_file {
        // Outside the timing; the CLI would refuse an existing file.
        let _ = fs::remove_file(&file);
    }
    // bench-server reads the size from the workspace id.
    let workspace = format!("size-{size}");
    let url = format!(
        "{}/v1/{PROJECT}/workspaces/{workspace}/soc/workflows/export",
        server.url
    );
    let mut cmd;
    match tool {
        Tool::Curl => {
            cmd = local_command("curl");
            cmd.args(["-sS", "-X", "POST"])
                .args(["-H", "content-type: application/json;charset=UTF-8"])
                .args(["-H", &format!("x-auth-token: {TOKEN}")])
                .args(["-d", r#"{"id":["x"]}"#])
                .args(["-w", "status=%{http_code} bytes=%{size_download}"])
                .arg("-o")
                .arg(&dest)
                .arg(&url);
        }
        Tool::Cli => {
            cmd = local_command(ctx.bin("secmaster"));
            cmd.args(["workflows", "export", "--endpoint", &server.url])
                .args(["--project-id", PROJECT, "--workspace-id", &workspace])
                .args(["--id", "x", "--output"])
                .arg(if to_file {
                    file.as_path()
                } else {
                    Path::new("-")
                })
                .env("SECMASTER_AUTH_TOKEN", TOKEN);
        }
        Tool::Sdk => {
            cmd = local_command(
                ctx.python
                    .as_ref()
                    .expect("the SDK runs only with its venv"),
            );
            cmd.arg(ctx.root.join("bench/sdk_bench.py"))
                .args([
                    "export",
                    "--endpoint",
                    &server.url,
                    "--workspace",
                    &workspace,
                ])
                .arg("--size")
                .arg(size.to_string())
                .arg("--output")
                .arg(&dest)
                .env("HOME", ctx.scratch.join("home"));
        }
    }
    let what = format!(
        "{} ({} to {})",
        tool.name(to_file),
        size_name(size),
        dest.display()
    );
    // `--output -`: the CLI's stdout goes straight to /dev/null.
    let run = measured(
        &cmd,
        tool == Tool::Cli && !to_file,
        &ctx.scratch.join("rss.txt"),
    )
    .map_err(|e| format!("{what}: {e}"))?;
    let mut secs = run.secs;
    if tool == Tool::Curl && to_file {
        let started = Instant::now();
        capture_success(local_command("sync").arg(&file), RUN_LIMIT)?;
        secs += started.elapsed().as_secs_f64();
    }
    // The byte count each tool reports, then the file itself.
    let text = &run.text;
    let reported = match tool {
        Tool::Curl if !text.contains("status=200 ") => {
            return Err(format!("{what}: HTTP status was not 200: {text}"));
        }
        Tool::Curl | Tool::Sdk => number_after(text, "bytes="),
        Tool::Cli => exported_bytes(text),
    };
    if reported != Some(size) {
        return Err(format!(
            "{what}: reported {reported:?} bytes, expected {size}\n{text}"
        ));
    }
    if to_file {
        let len = fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        if len != size {
            return Err(format!("{what}: the file has {len} bytes, expected {size}"));
        }
        if verify {
            verify_pattern(&file, size).map_err(|e| format!("{what}: {e}"))?;
        }
        let _ = fs::remove_file(&file);
    }
    Ok((secs, run.rss_kib))
}

/// Checks that `path` holds the simulator's pattern.
fn verify_pattern(path: &Path, size: u64) -> Result<(), String> {
    const CHUNK: usize = 1 << 20;
    let pattern: Vec<u8> = (0..CHUNK as u64 + PERIOD)
        .map(|i| (i % PERIOD) as u8)
        .collect();
    let mut file = fs::File::open(path).map_err(|e| format!("cannot read it back: {e}"))?;
    let mut buf = vec![0; CHUNK];
    let mut offset = 0u64;
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("cannot read it back: {e}"))?;
        if n == 0 {
            break;
        }
        let start = (offset % PERIOD) as usize;
        if buf[..n] != pattern[start..start + n] {
            return Err(format!(
                "wrong content in the {n} bytes from offset {offset}"
            ));
        }
        offset += n as u64;
    }
    if offset != size {
        return Err(format!("read back {offset} bytes, expected {size}"));
    }
    Ok(())
}

/// The byte count of the command's summary line, `exported 1 workflow
/// (1,048,576 bytes) to x.bin (request id ...)`.
fn exported_bytes(text: &str) -> Option<u64> {
    let rest = &text[text.find("exported ")?..];
    let bytes = &rest[rest.find('(')? + 1..rest.find(" bytes)")?];
    bytes.replace(',', "").parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_summary_gives_the_bytes() {
        let line = "exported 1 workflow (1,048,576 bytes) to x (request id r)";
        assert_eq!(super::exported_bytes(line), Some(1_048_576));
        assert_eq!(super::exported_bytes("saved 5 bytes"), None);
    }
    use super::*;

    #[test]
    fn checks_the_body_pattern() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("body.bin");
        let size = 3 * (1 << 20) + 17;
        let good: Vec<u8> = (0..size).map(|i| (i % PERIOD) as u8).collect();
        fs::write(&path, &good).unwrap();
        verify_pattern(&path, size).unwrap();
        assert!(verify_pattern(&path, size + 1).is_err());
        let mut bad = good;
        bad[2 * (1 << 20) + 5] ^= 1;
        fs::write(&path, &bad).unwrap();
        assert!(verify_pattern(&path, size).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
