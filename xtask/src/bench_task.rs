//! `cargo xtask bench` and `cargo xtask bench --quick`.
//!
//! Starts `bench-server` (bench/) on 127.0.0.1 and measures, each contender
//! in turn (A B C A B C ...), after a warm-up round:
//!
//! 1. one export of 1 MiB, 64 MiB and 1 GiB, to a file (flushed to disk) and
//!    to /dev/null: `secmaster workflows export` (release build) against curl
//!    (the reference; `sync FILE` after it, as the CLI fsyncs) and the
//!    official Python SDK. Wall time, and peak RSS from `/usr/bin/time`;
//! 2. 200 sequential 1 KiB exports in one process through one client
//!    (keep-alive): `bench-loop` against the official SDK, requests/s;
//! 3. signing one export request: `cargo bench -p secmaster-client --bench
//!    signing` against the SDK's `Signer.sign`;
//! 4. `xtask gen` on a warm build (this binary);
//! 5. a clean release build of secmaster-client against bench/bare-reqwest
//!    (the same call with bare reqwest), each in its own empty target
//!    directory, and the number of crates each pulls in.
//!
//! It prints Markdown tables (also saved as `target/bench-report.md`) and
//! fails when a contender fails or delivers a wrong byte count; timings are
//! reported against the targets but never fail the run.
//!
//! `--quick` (what CI runs, so the harness cannot rot): 1 MiB only, one run
//! of each and no warm-up, no clean builds, and the SDK only if its venv
//! exists or can be made within a few minutes.
//!
//! The SDK lives in a venv made on first use at `.tools/bench-venv`
//! (git-ignored); it runs with HOME pointing at a scratch directory because
//! importing it writes `$HOME/.huaweicloud`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const TIME: &str = "/usr/bin/time";
const SDK_VERSION: &str = "3.1.219";
const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const TOKEN: &str = "bench-fake-iam-token";
const MIB: u64 = 1 << 20;
const PERIOD: u64 = 251; // bench-server's body: byte i is i % 251
const LOOP_COUNT: u32 = 200;
const LOOP_SIZE: u64 = 1024;
/// How long quick mode waits for the SDK's venv to be made.
const QUICK_VENV_LIMIT: Duration = Duration::from_secs(180);

/// Run counts and sizes.
struct Plan {
    quick: bool,
    warmups: usize,
    runs: usize,
    sizes: Vec<u64>,
}

impl Plan {
    /// (warm-up rounds, counted rounds).
    fn rounds(&self) -> (usize, usize) {
        (self.warmups, self.runs)
    }

    fn new(quick: bool) -> Self {
        if quick {
            Plan {
                quick,
                warmups: 0,
                runs: 1,
                sizes: vec![MIB],
            }
        } else {
            Plan {
                quick,
                warmups: 1,
                runs: 5,
                sizes: vec![MIB, 64 * MIB, 1024 * MIB],
            }
        }
    }
}

/// What the measurements need to know.
struct Ctx {
    root: PathBuf,
    target: PathBuf,
    scratch: PathBuf,
    url: String,
    python: Option<PathBuf>,
    plan: Plan,
}

pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let plan = Plan::new(quick);
    let started = Instant::now();
    note(if quick {
        "quick mode: 1 MiB, one run each, no clean builds"
    } else {
        "full run: about 25 minutes on 2 cores, most of it ten clean builds"
    });
    preflight()?;
    let load_before = loadavg();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let scratch = target.join("bench-scratch");
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(scratch.join("home"))
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;

    // The SDK's venv (pip, mostly waiting on the network) is made while the
    // release build runs.
    let venv_root = root.to_path_buf();
    let venv_job = std::thread::spawn(move || sdk_python(&venv_root, quick));

    note("building the release binaries (secmaster, bench-server, bench-loop)");
    let build_started = Instant::now();
    run_ok(
        cargo(root).args([
            "build",
            "--release",
            "-p",
            "secmaster-cli",
            "-p",
            "secmaster-bench",
        ]),
        "cargo build --release",
    )?;
    let build_secs = build_started.elapsed().as_secs_f64();

    let python = venv_job
        .join()
        .map_err(|_| "making the SDK's venv panicked".to_string())??;
    let server = Server::start(&target.join("release/bench-server"))?;
    let ctx = Ctx {
        root: root.to_path_buf(),
        target,
        scratch,
        url: server.url.clone(),
        python,
        plan,
    };

    let mut out = String::new();
    let mut verdicts = Vec::new();
    let _ = writeln!(
        out,
        "# cargo xtask bench{}\n",
        if quick { " --quick" } else { "" }
    );
    let _ = writeln!(out, "- date: {}", date());
    let _ = writeln!(out, "- machine: {}", machine());
    let _ = writeln!(out, "- load average before: {load_before}");
    let _ = writeln!(
        out,
        "- runs: {} counted after {} warm-up round(s), contenders alternating; median (min–max)",
        ctx.plan.runs, ctx.plan.warmups
    );
    if ctx.python.is_none() {
        let _ = writeln!(
            out,
            "- the official SDK was skipped: its venv could not be made"
        );
    }
    out.push('\n');

    export_bench(&ctx, &mut out, &mut verdicts)?;
    loop_bench(&ctx, &mut out, &mut verdicts)?;
    signing_bench(&ctx, &mut out, &mut verdicts)?;
    gen_bench(&ctx, &mut out, &mut verdicts)?;
    build_bench(&ctx, &mut out, &mut verdicts)?;
    drop(server);

    let _ = writeln!(
        out,
        "## Targets{}\n",
        if quick {
            " (quick mode: indicative only, small sizes and one run)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "| target | measured | holds |\n|---|---|---|");
    for (target, measured, holds) in &verdicts {
        let _ = writeln!(
            out,
            "| {target} | {measured} | {} |",
            match holds {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "n/a",
            }
        );
    }
    let _ = writeln!(
        out,
        "\n- load average after: {}\n- release build before measuring: {build_secs:.0} s; whole run: {:.0} s",
        loadavg(),
        started.elapsed().as_secs_f64()
    );

    let _ = fs::remove_dir_all(&ctx.scratch);
    let report = ctx.target.join("bench-report.md");
    let _ = fs::write(&report, &out);
    println!("{out}");
    note(&format!("report saved as {}", report.display()));
    Ok(())
}

type Verdicts = Vec<(String, String, Option<bool>)>;

// ---------------------------------------------------------------------------
// 1. Export throughput and memory

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

/// One timed run: wall seconds and peak RSS in KiB.
struct Sample {
    secs: f64,
    rss_kib: u64,
}

fn export_bench(ctx: &Ctx, out: &mut String, verdicts: &mut Verdicts) -> Result<(), String> {
    let load = loadavg();
    let mut tools = vec![Tool::Curl, Tool::Cli];
    if ctx.python.is_some() {
        tools.push(Tool::Sdk);
    }
    let _ = writeln!(
        out,
        "## 1. One export: wall time and peak RSS\n\n\
         Wall time from start to exit (curl: plus `sync FILE`); file outputs are flushed to disk \
         by every contender. Peak RSS: the largest of the counted runs (`/usr/bin/time`). \
         Load average at the start: {load}.\n"
    );
    let _ = writeln!(
        out,
        "| size | output | contender | median | min | max | × curl | peak RSS |\n|---|---|---|---|---|---|---|---|"
    );
    let mut worst_rss = 0u64;
    for &size in &ctx.plan.sizes {
        for to_file in [true, false] {
            let label = format!(
                "export {} to {}",
                size_name(size),
                if to_file { "a file" } else { "/dev/null" }
            );
            let samples = alternate(ctx.plan.rounds(), &label, &tools, |tool, last| {
                export_once(ctx, tool, size, to_file, last)
            })?;
            let reference = median(&secs(&samples[0]));
            for (tool, runs) in tools.iter().zip(&samples) {
                let s = secs(runs);
                let rss = runs.iter().map(|r| r.rss_kib).max().unwrap_or(0);
                let m = median(&s);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {:.2} | {} |",
                    size_name(size),
                    if to_file { "file" } else { "/dev/null" },
                    tool.name(to_file),
                    seconds(m),
                    seconds(min(&s)),
                    seconds(max(&s)),
                    m / reference,
                    kib(rss),
                );
                if *tool == Tool::Cli {
                    worst_rss = worst_rss.max(rss);
                    if size == *ctx.plan.sizes.last().unwrap_or(&MIB) {
                        verdicts.push((
                            format!(
                                "(1) secmaster ≤ 1.1× curl, {} to {}",
                                size_name(size),
                                if to_file { "a file" } else { "/dev/null" }
                            ),
                            format!("{:.2}×", m / reference),
                            Some(m / reference <= 1.1),
                        ));
                    }
                }
            }
        }
    }
    out.push('\n');
    verdicts.push((
        "(1) secmaster peak RSS ≤ 16 MiB at every size".into(),
        kib(worst_rss),
        Some(worst_rss <= 16 * 1024),
    ));
    Ok(())
}

fn export_once(
    ctx: &Ctx,
    tool: Tool,
    size: u64,
    to_file: bool,
    verify: bool,
) -> Result<Sample, String> {
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
    let workspace = format!("size-{size}");
    let url = format!(
        "{}/v1/{PROJECT}/workspaces/{workspace}/soc/workflows/export",
        ctx.url
    );
    let rss_file = ctx.scratch.join("rss.txt");
    let mut cmd = Command::new(TIME);
    cmd.arg("-f").arg("%M").arg("-o").arg(&rss_file);
    clean_env(&mut cmd);
    match tool {
        Tool::Curl => {
            cmd.args([
                "curl",
                "-sS",
                "-X",
                "POST",
                "-H",
                "content-type: application/json;charset=UTF-8",
                "-d",
                r#"{"id":["x"]}"#,
                "-w",
                "%{http_code} %{size_download}",
                "-o",
            ])
            .arg(&dest)
            .arg(&url);
        }
        Tool::Cli => {
            cmd.arg(ctx.target.join("release/secmaster"))
                .args(["workflows", "export", "--endpoint", &ctx.url])
                .args(["--project-id", PROJECT, "--workspace-id", &workspace])
                .args(["--id", "x", "--output"])
                .env("SECMASTER_AUTH_TOKEN", TOKEN);
            if to_file {
                cmd.arg(&file);
            } else {
                cmd.arg("-").stdout(devnull()?);
            }
        }
        Tool::Sdk => {
            let python = ctx
                .python
                .as_ref()
                .expect("the SDK runs only with its venv");
            cmd.arg(python)
                .arg(ctx.root.join("bench/sdk_bench.py"))
                .args(["export", "--endpoint", &ctx.url, "--size"])
                .arg(size.to_string())
                .arg("--output")
                .arg(&dest)
                .env("HOME", ctx.scratch.join("home"));
        }
    }
    let started = Instant::now();
    let output = cmd
        .output()
        .map_err(|e| format!("cannot start {TIME}: {e}"))?;
    if tool == Tool::Curl && to_file && output.status.success() {
        run_ok(Command::new("sync").arg(&file), "sync FILE")?;
    }
    let secs = started.elapsed().as_secs_f64();
    let what = format!(
        "{} ({} to {})",
        tool.name(to_file),
        size_name(size),
        dest.display()
    );
    check_status(&output, &what)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The byte count each tool reports, then the file itself.
    let reported = match tool {
        Tool::Curl => {
            let mut words = stdout.split_whitespace();
            if words.next() != Some("200") {
                return Err(format!("{what}: HTTP status was not 200: {stdout}"));
            }
            words.next().and_then(|n| n.parse::<u64>().ok())
        }
        Tool::Cli => number_after(&stderr, if to_file { "saved " } else { "wrote " }),
        Tool::Sdk => number_after(&stdout, "bytes="),
    };
    if reported != Some(size) {
        return Err(format!(
            "{what}: reported {reported:?} bytes, expected {size}\nstdout: {stdout}\nstderr: {stderr}"
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
    let rss_text = fs::read_to_string(&rss_file).unwrap_or_default();
    let rss_kib = rss_text
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .ok_or_else(|| format!("{what}: no peak RSS from {TIME}: {rss_text:?}"))?;
    Ok(Sample { secs, rss_kib })
}

/// Checks that `path` holds bench-server's pattern.
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

// ---------------------------------------------------------------------------
// 2. Sequential small requests

fn loop_bench(ctx: &Ctx, out: &mut String, verdicts: &mut Verdicts) -> Result<(), String> {
    let load = loadavg();
    // (name, AK/SK?) for bench-loop; the SDK last.
    let mut names = vec![
        "secmaster-client, token (bench-loop)",
        "secmaster-client, AK/SK signed (bench-loop)",
    ];
    if ctx.python.is_some() {
        names.push("official Python SDK, AK/SK signed");
    }
    let indices: Vec<usize> = (0..names.len()).collect();
    let samples = alternate(
        ctx.plan.rounds(),
        "200 sequential 1 KiB exports",
        &indices,
        |i, _| {
            let mut cmd;
            if i < 2 {
                cmd = Command::new(ctx.target.join("release/bench-loop"));
                if i == 1 {
                    cmd.arg("--aksk");
                }
            } else {
                cmd = Command::new(ctx.python.as_ref().expect("SDK present"));
                cmd.arg(ctx.root.join("bench/sdk_bench.py"))
                    .arg("loop")
                    .env("HOME", ctx.scratch.join("home"));
            }
            clean_env(&mut cmd);
            cmd.args(["--endpoint", &ctx.url, "--count"])
                .arg(LOOP_COUNT.to_string())
                .arg("--size")
                .arg(LOOP_SIZE.to_string());
            let output = cmd
                .output()
                .map_err(|e| format!("cannot start {}: {e}", names[i]))?;
            check_status(&output, names[i])?;
            let text = String::from_utf8_lossy(&output.stdout);
            let bytes = number_after(&text, "bytes=");
            if bytes != Some(u64::from(LOOP_COUNT) * LOOP_SIZE) {
                return Err(format!("{}: wrong byte count: {text}", names[i]));
            }
            let secs: f64 = text
                .split("seconds=")
                .nth(1)
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| format!("{}: no time in {text:?}", names[i]))?;
            Ok(f64::from(LOOP_COUNT) / secs)
        },
    )?;
    let _ = writeln!(
        out,
        "## 2. {LOOP_COUNT} sequential {LOOP_SIZE}-byte exports, one process, one client\n\n\
         Requests per second over the loop alone (client set-up and interpreter start not counted); \
         the connection is kept alive. Load average at the start: {load}.\n"
    );
    let reference = samples.last().map(|s| median(s));
    let _ = writeln!(
        out,
        "| contender | median req/s | min | max | × SDK |\n|---|---|---|---|---|"
    );
    for (name, runs) in names.iter().zip(&samples) {
        let m = median(runs);
        let ratio = match (ctx.python.is_some(), reference) {
            (true, Some(r)) => format!("{:.1}", m / r),
            _ => "–".into(),
        };
        let _ = writeln!(
            out,
            "| {name} | {m:.0} | {:.0} | {:.0} | {ratio} |",
            min(runs),
            max(runs)
        );
    }
    out.push('\n');
    let ours = median(&samples[0]);
    verdicts.push(match (ctx.python.is_some(), reference) {
        (true, Some(r)) => (
            "(2) ≥ 5× the official SDK's requests/s".into(),
            format!("{:.1}× ({ours:.0} vs {r:.0} req/s)", ours / r),
            Some(ours / r >= 5.0),
        ),
        _ => (
            "(2) ≥ 5× the official SDK's requests/s".into(),
            format!("{ours:.0} req/s; SDK not run"),
            None,
        ),
    });
    Ok(())
}

// ---------------------------------------------------------------------------
// 3. Signing

fn signing_bench(ctx: &Ctx, out: &mut String, verdicts: &mut Verdicts) -> Result<(), String> {
    let load = loadavg();
    note("signing: cargo bench -p secmaster-client --bench signing");
    let mut cmd = cargo(&ctx.root);
    // The CLI's packages are selected too, only so that features resolve as
    // in the release build above and its artifacts are reused (with the
    // client alone, tokio's features differ and half the tree is rebuilt).
    cmd.args([
        "bench",
        "-p",
        "secmaster-client",
        "-p",
        "secmaster-cli",
        "-p",
        "secmaster-bench",
        "--bench",
        "signing",
    ]);
    if ctx.plan.quick {
        cmd.args(["--", "--quick"]);
    }
    let rust = run_ok(&mut cmd, "cargo bench --bench signing")?;
    let rust = parse_sign_line(&String::from_utf8_lossy(&rust.stdout))
        .ok_or("cargo bench --bench signing printed no median line")?;
    let _ = writeln!(
        out,
        "## 3. Signing one export request (SDK-HMAC-SHA256)\n\n\
         Median time per signature over batches (min–max of the batch means). \
         Load average at the start: {load}.\n\n\
         | signer | median | min | max |\n|---|---|---|---|"
    );
    let _ = writeln!(
        out,
        "| secmaster-client `signer::sign` (`cargo bench -p secmaster-client --bench signing`) | {} ns | {} ns | {} ns |",
        rust.0, rust.1, rust.2
    );
    if let Some(python) = &ctx.python {
        note("signing: the official SDK's Signer.sign");
        let mut cmd = Command::new(python);
        clean_env(&mut cmd);
        cmd.arg(ctx.root.join("bench/sdk_bench.py"))
            .arg("sign")
            .env("HOME", ctx.scratch.join("home"));
        if ctx.plan.quick {
            cmd.args(["--batches", "3", "--per-batch", "200"]);
        }
        let sdk = run_ok(&mut cmd, "sdk_bench.py sign")?;
        let sdk = parse_sign_line(&String::from_utf8_lossy(&sdk.stdout))
            .ok_or("sdk_bench.py sign printed no median line")?;
        let _ = writeln!(
            out,
            "| official Python SDK `Signer.sign` (fresh `SdkRequest` per call) | {} ns | {} ns | {} ns |",
            sdk.0, sdk.1, sdk.2
        );
    }
    out.push('\n');
    verdicts.push((
        "(3) ≤ 5 µs per signature".into(),
        format!("{:.1} µs", rust.0 as f64 / 1000.0),
        Some(rust.0 <= 5000),
    ));
    Ok(())
}

/// `... median N ns (min N ns, max N ns) ...` → (median, min, max).
fn parse_sign_line(text: &str) -> Option<(u64, u64, u64)> {
    let line = text.lines().find(|l| l.contains("median "))?;
    Some((
        number_after(line, "median ")?,
        number_after(line, "min ")?,
        number_after(line, "max ")?,
    ))
}

// ---------------------------------------------------------------------------
// 4. Generation

fn gen_bench(ctx: &Ctx, out: &mut String, verdicts: &mut Verdicts) -> Result<(), String> {
    let load = loadavg();
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let samples = alternate(ctx.plan.rounds(), "xtask gen", &[0], |_, _| {
        let started = Instant::now();
        let output = Command::new(&exe)
            .arg("gen")
            .current_dir(&ctx.root)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let secs = started.elapsed().as_secs_f64();
        check_status(&output, "xtask gen")?;
        Ok(secs)
    })?;
    let s = &samples[0];
    let m = median(s);
    let _ = writeln!(
        out,
        "## 4. `cargo xtask gen` on a warm build\n\n\
         The built binary ({}) run directly. Load average at the start: {load}.\n\n\
         | command | median | min | max |\n|---|---|---|---|\n\
         | xtask gen | {} | {} | {} |\n",
        exe.strip_prefix(&ctx.root).unwrap_or(&exe).display(),
        seconds(m),
        seconds(min(s)),
        seconds(max(s))
    );
    verdicts.push(("(4) gen ≤ 0.5 s".into(), seconds(m), Some(m <= 0.5)));
    Ok(())
}

// ---------------------------------------------------------------------------
// 5. Build cost

fn build_bench(ctx: &Ctx, out: &mut String, verdicts: &mut Verdicts) -> Result<(), String> {
    let load = loadavg();
    let bare = ctx.root.join("bench/bare-reqwest/Cargo.toml");
    let crates_ours = count_crates(
        cargo(&ctx.root).args(["tree", "-p", "secmaster-client"]),
        "secmaster-client",
    )?;
    let crates_bare = count_crates(
        cargo(&ctx.root)
            .args(["tree", "--locked", "--manifest-path"])
            .arg(&bare),
        "bare-reqwest",
    )?;
    let _ = writeln!(
        out,
        "## 5. Clean release build and crate count\n\n\
         `cargo build --release --locked` into an empty target directory each time (sources already \
         downloaded); crates: distinct lines of `cargo tree -e normal --prefix none --no-dedupe`, \
         the crate itself included. Load average at the start: {load}.\n"
    );
    let names = ["secmaster-client", "bench/bare-reqwest (reference)"];
    let counts = [crates_ours, crates_bare];
    if ctx.plan.quick {
        let _ = writeln!(
            out,
            "| crate | crates |\n|---|---|\n| {} | {} |\n| {} | {} |\n\nClean builds are skipped in quick mode.\n",
            names[0], counts[0], names[1], counts[1]
        );
        verdicts.push((
            "(5) at most 5 more crates than bare reqwest".into(),
            format!("{crates_ours} vs {crates_bare}"),
            Some(crates_ours <= crates_bare + 5),
        ));
        return Ok(());
    }
    run_ok(cargo(&ctx.root).args(["fetch", "--locked"]), "cargo fetch")?;
    run_ok(
        cargo(&ctx.root)
            .args(["fetch", "--locked", "--manifest-path"])
            .arg(&bare),
        "cargo fetch (bare-reqwest)",
    )?;
    // No warm-up: nothing is left warm between clean builds but the
    // downloaded sources, fetched above.
    let rounds = (0, ctx.plan.runs);
    let samples = alternate(rounds, "clean release build", &[0, 1], |i, _| {
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
        run_ok(&mut cmd, names[i])?;
        let secs = started.elapsed().as_secs_f64();
        let _ = fs::remove_dir_all(&dir);
        Ok(secs)
    })?;
    let reference = median(&samples[1]);
    let _ = writeln!(
        out,
        "| crate | median | min | max | × bare | crates |\n|---|---|---|---|---|---|"
    );
    for i in 0..2 {
        let s = &samples[i];
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.2} | {} |",
            names[i],
            seconds(median(s)),
            seconds(min(s)),
            seconds(max(s)),
            median(s) / reference,
            counts[i]
        );
    }
    out.push('\n');
    let ratio = median(&samples[0]) / reference;
    verdicts.push((
        "(5) clean build ≤ 1.1× bare reqwest".into(),
        format!("{ratio:.2}×"),
        Some(ratio <= 1.1),
    ));
    verdicts.push((
        "(5) at most 5 more crates than bare reqwest".into(),
        format!("{crates_ours} vs {crates_bare}"),
        Some(crates_ours <= crates_bare + 5),
    ));
    Ok(())
}

/// Distinct crates in `cargo tree -e normal --prefix none --no-dedupe`
/// (without `--no-dedupe` a crate seen twice is listed once more with a
/// ` (*)` suffix, and `sort -u` would count it twice).
fn count_crates(cmd: &mut Command, what: &str) -> Result<usize, String> {
    cmd.args(["-e", "normal", "--prefix", "none", "--no-dedupe"]);
    let output = run_ok(cmd, &format!("cargo tree ({what})"))?;
    let lines: BTreeSet<&str> = std::str::from_utf8(&output.stdout)
        .map_err(|_| "cargo tree printed non-UTF-8")?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    Ok(lines.len())
}

// ---------------------------------------------------------------------------
// The official SDK's venv

/// The venv's interpreter, made first if need be; `None` in quick mode when
/// it cannot be had (full mode fails instead).
fn sdk_python(root: &Path, quick: bool) -> Result<Option<PathBuf>, String> {
    let venv = root.join(".tools/bench-venv");
    let python = venv.join("bin/python");
    let has_sdk = || {
        Command::new(&python)
            .args([
                "-c",
                "import importlib.metadata as m; print(m.version('huaweicloudsdkcore'), m.version('huaweicloudsdksecmaster'))",
            ])
            .output()
            .is_ok_and(|o| {
                o.status.success()
                    && String::from_utf8_lossy(&o.stdout).trim()
                        == format!("{SDK_VERSION} {SDK_VERSION}")
            })
    };
    if has_sdk() {
        return Ok(Some(python));
    }
    note(&format!(
        "making the official SDK's venv at {} (huaweicloudsdkcore=={SDK_VERSION}, huaweicloudsdksecmaster=={SDK_VERSION})",
        venv.display()
    ));
    let _ = fs::remove_dir_all(&venv);
    let started = Instant::now();
    let limit = if quick { Some(QUICK_VENV_LIMIT) } else { None };
    let made = run_with_limit(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        limit,
    )
    .and_then(|()| {
        let left = limit.map(|l| l.saturating_sub(started.elapsed()));
        run_with_limit(
            Command::new(venv.join("bin/pip")).args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("huaweicloudsdkcore=={SDK_VERSION}"),
                &format!("huaweicloudsdksecmaster=={SDK_VERSION}"),
            ]),
            left,
        )
    });
    match made {
        Ok(()) if has_sdk() => Ok(Some(python)),
        Ok(()) => Err("the SDK's venv was made but does not import the SDK".into()),
        Err(e) if quick => {
            note(&format!("skipping the official SDK: {e}"));
            let _ = fs::remove_dir_all(&venv);
            Ok(None)
        }
        Err(e) => Err(format!("cannot make the SDK's venv: {e}")),
    }
}

/// Runs `cmd` to its end, or kills it once `limit` has passed.
fn run_with_limit(cmd: &mut Command, limit: Option<Duration>) -> Result<(), String> {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {shown}: {e}"))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(|e| format!("waiting for {shown}: {e}"))?
        {
            return exit_ok(status, &shown);
        }
        if limit.is_some_and(|l| started.elapsed() > l) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{shown} took longer than {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ---------------------------------------------------------------------------
// The server

struct Server {
    child: Child,
    /// Held open: the server exits when it closes, however this process ends.
    _lifeline: ChildStdin,
    url: String,
}

impl Server {
    fn start(exe: &Path) -> Result<Server, String> {
        let mut child = Command::new(exe)
            .arg("--until-stdin-closes")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
        let lifeline = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let Some(address) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("bench-server did not start: {line:?}"));
        };
        note(&format!("bench-server listening on {address}"));
        Ok(Server {
            url: format!("http://{address}"),
            child,
            _lifeline: lifeline,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------
// Helpers

/// Runs `one(contender, is_last_round)` for every contender in turn, round
/// after round (warm-up rounds first, not kept). Returns the kept values per
/// contender, in the order given.
fn alternate<C: Copy, T>(
    (warmups, runs): (usize, usize),
    label: &str,
    contenders: &[C],
    mut one: impl FnMut(C, bool) -> Result<T, String>,
) -> Result<Vec<Vec<T>>, String> {
    let rounds = warmups + runs;
    let mut kept: Vec<Vec<T>> = contenders.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        note(&format!(
            "{label}: round {}/{rounds}{}",
            round + 1,
            if round < warmups { " (warm-up)" } else { "" }
        ));
        for (i, &c) in contenders.iter().enumerate() {
            let value = one(c, round + 1 == rounds)?;
            if round >= warmups {
                kept[i].push(value);
            }
        }
    }
    Ok(kept)
}

fn preflight() -> Result<(), String> {
    if !Path::new(TIME).exists() {
        return Err(format!(
            "{TIME} (GNU time) is missing; it measures peak memory. Install it: apt-get install -y time"
        ));
    }
    for (tool, hint) in [
        ("curl", "apt-get install -y curl"),
        ("python3", "a Python 3 interpreter with venv"),
    ] {
        let found = Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            return Err(format!("{tool} is missing ({hint})"));
        }
    }
    Ok(())
}

fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root);
    cmd
}

/// The contenders see no credentials, region or proxy settings from this
/// machine: only what the harness gives them.
fn clean_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("HUAWEICLOUD_SDK_")
            || name == "SECMASTER_AUTH_TOKEN"
            || name.to_ascii_lowercase().ends_with("_proxy")
        {
            cmd.env_remove(name);
        }
    }
    cmd.env("NO_PROXY", "127.0.0.1")
        .env("no_proxy", "127.0.0.1");
}

fn devnull() -> Result<fs::File, String> {
    fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .map_err(|e| format!("cannot open /dev/null: {e}"))
}

/// Runs `cmd` with its output captured; an error (with its standard error)
/// unless it succeeds.
fn run_ok(cmd: &mut Command, what: &str) -> Result<Output, String> {
    let output = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    check_status(&output, what)?;
    Ok(output)
}

fn check_status(output: &Output, what: &str) -> Result<(), String> {
    exit_ok(output.status, what).map_err(|e| {
        format!(
            "{e}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            tail(&output.stdout),
            tail(&output.stderr)
        )
    })
}

fn exit_ok(status: ExitStatus, what: &str) -> Result<(), String> {
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// The last 2,000 characters of some output.
fn tail(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let start = text.char_indices().rev().nth(2000).map_or(0, |(i, _)| i);
    text[start..].to_string()
}

/// The number that follows the first `prefix` in `text`.
fn number_after(text: &str, prefix: &str) -> Option<u64> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A progress line on standard error, with the time since the start.
fn note(message: &str) {
    static START: OnceLock<Instant> = OnceLock::new();
    let elapsed = START.get_or_init(Instant::now).elapsed().as_secs_f64();
    eprintln!("bench [{elapsed:6.1} s]: {message}");
}

fn secs(samples: &[Sample]) -> Vec<f64> {
    samples.iter().map(|s| s.secs).collect()
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn seconds(s: f64) -> String {
    if s < 1.0 {
        format!("{:.1} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

fn kib(k: u64) -> String {
    format!("{:.1} MiB", k as f64 / 1024.0)
}

fn size_name(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 && b % (1 << 30) == 0 => format!("{} GiB", b >> 30),
        b if b >= MIB && b % MIB == 0 => format!("{} MiB", b >> 20),
        b => format!("{b} B"),
    }
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn date() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or_else(
            || "unknown memory".into(),
            |k| format!("{:.1} GiB memory", k as f64 / 1_048_576.0),
        );
    format!("{cores} cores, {memory}, {cpu}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_from_tool_output() {
        assert_eq!(
            number_after("saved 1048576 bytes to x", "saved "),
            Some(1_048_576)
        );
        assert_eq!(number_after("wrote  bytes", "wrote "), None);
        assert_eq!(number_after("nothing", "saved "), None);
        let line = "sign one export request: median 4431 ns (min 4430 ns, max 4762 ns) over 31 batches of 20000";
        assert_eq!(parse_sign_line(line), Some((4431, 4430, 4762)));
        assert_eq!(parse_sign_line("no such line"), None);
    }

    #[test]
    fn statistics() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(min(&[3.0, 1.0, 2.0]), 1.0);
        assert_eq!(max(&[3.0, 1.0, 2.0]), 3.0);
    }

    #[test]
    fn names_sizes() {
        assert_eq!(size_name(MIB), "1 MiB");
        assert_eq!(size_name(64 * MIB), "64 MiB");
        assert_eq!(size_name(1024 * MIB), "1 GiB");
        assert_eq!(size_name(1000), "1000 B");
        assert_eq!(seconds(0.0123), "12.3 ms");
        assert_eq!(seconds(2.0), "2.00 s");
    }

    #[test]
    fn alternates_and_drops_warm_ups() {
        let mut order = Vec::new();
        let kept = alternate((1, 2), "t", &['a', 'b'], |c, last| {
            order.push((c, last));
            Ok(order.len())
        })
        .unwrap();
        assert_eq!(
            order,
            [
                ('a', false),
                ('b', false),
                ('a', false),
                ('b', false),
                ('a', true),
                ('b', true)
            ]
        );
        assert_eq!(kept, [vec![3, 5], vec![4, 6]]);
    }

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
