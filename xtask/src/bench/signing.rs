//! Section 3: signing one export request (SDK-HMAC-SHA256):
//! `cargo bench -p secmaster-signer --bench signing` against the official
//! SDK's `Signer.sign`.

use super::Ctx;
use super::report::Report;
use super::runs::{BUILD_LIMIT, RUN_LIMIT, cargo};
use super::stats::number_after;
use crate::process::{capture_success, local_command};

const TARGET_NS: u64 = 5000;

pub fn bench(ctx: &Ctx, report: &mut Report) -> Result<(), String> {
    super::note("signing: cargo bench -p secmaster-signer --bench signing");
    let mut cmd = cargo(&ctx.root);
    // The CLI's and the other benchmark packages are selected too, only so
    // that features resolve as in the release build and its artifacts are
    // reused (with the client alone, tokio's features differ and half the
    // tree is rebuilt).
    cmd.args(["bench", "-p", "secmaster-signer"])
        .args(super::RELEASE_PACKAGES)
        .args(["--bench", "signing"]);
    if ctx.plan.quick {
        cmd.args(["--", "--quick"]);
    }
    let out = capture_success(&mut cmd, BUILD_LIMIT)?;
    let rust =
        parse_sign_line(&out.stdout).ok_or("cargo bench --bench signing printed no median line")?;
    report.section(
        "3. Signing one export request (SDK-HMAC-SHA256)",
        "Median time per signature over batches (min–max of the batch means).",
    );
    report.head(&["signer", "median", "min", "max"]);
    report.line(format!(
        "| secmaster-signer `sign` (`cargo bench -p secmaster-signer --bench signing`) | {} ns | {} ns | {} ns |",
        rust.0, rust.1, rust.2
    ));
    if let Some(python) = &ctx.python {
        super::note("signing: the official SDK's Signer.sign");
        let mut cmd = local_command(python);
        cmd.arg(ctx.root.join("bench/sdk_bench.py"))
            .arg("sign")
            .env("HOME", ctx.scratch.join("home"));
        if ctx.plan.quick {
            cmd.args(["--batches", "3", "--per-batch", "200"]);
        }
        let out = capture_success(&mut cmd, RUN_LIMIT)?;
        let sdk = parse_sign_line(&out.stdout).ok_or("sdk_bench.py sign printed no median line")?;
        report.line(format!(
            "| official Python SDK `Signer.sign` (fresh `SdkRequest` per call) | {} ns | {} ns | {} ns |",
            sdk.0, sdk.1, sdk.2
        ));
    }
    report.line("");
    report.verdict(
        "(3) ≤ 5 µs per signature",
        format!("{:.1} µs", rust.0 as f64 / 1000.0),
        Some(rust.0 <= TARGET_NS),
    );
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

#[cfg(test)]
mod tests {
    use super::parse_sign_line;

    #[test]
    fn reads_the_median_line() {
        let line = "sign one export request: median 4431 ns (min 4430 ns, max 4762 ns) over 31 batches of 20000";
        assert_eq!(parse_sign_line(line), Some((4431, 4430, 4762)));
        assert_eq!(parse_sign_line("no such line"), None);
    }
}
