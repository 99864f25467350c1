//! Section 7: the peak RSS of importing a large file with `secmaster
//! workflows import FILE`, against `curl -F` (which streams a form's file
//! from disk too). The simulator runs with `--drain-imports`: it reads each
//! upload to its end and keeps none of it, so any size goes through (the
//! gateway's 12 MiB limit is lifted) and the client's memory is what shows.

use std::fs;

use super::report::Report;
use super::runs::measured;
use super::server::{Server, SimSettings};
use super::stats::{Summary, alternate, mib, number_after, seconds, size_name};
use super::{Ctx, PROJECT, TOKEN, WORKSPACE};
use crate::process::local_command;

#[derive(Clone, Copy, PartialEq)]
enum Tool {
    Curl,
    Cli,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Curl => "curl -F (reference)",
            Tool::Cli => "secmaster (release)",
        }
    }
}

/// More than a form's boundaries and part headers around the file.
const FRAMING: u64 = 4096;

pub fn bench(ctx: &Ctx, report: &mut Report) -> Result<(), String> {
    let sim = Server::sim(
        &ctx.bin("secmaster-sim"),
        &ctx.scratch,
        &SimSettings {
            drain_imports: true,
            ..SimSettings::default()
        },
    )?;
    report.section(
        "7. Importing a large file: peak RSS",
        "`secmaster workflows import FILE` and `curl -F uploadFile=@FILE`, each streaming the \
         file from disk as a multipart form; peak RSS from `/usr/bin/time` (the largest of the \
         counted runs), and the wall time. The file is sparse (its content does not matter to \
         the server, and reading it costs no disk time). The server: `secmaster-sim \
         --drain-imports`, which reads every upload to its end without keeping it.",
    );
    report.head(&["size", "contender", "median", "min", "max", "peak RSS"]);
    let tools = [Tool::Curl, Tool::Cli];
    for &size in &ctx.plan.import_sizes {
        let file = ctx.scratch.join(format!("import-{size}.bin"));
        fs::File::create(&file)
            .and_then(|f| f.set_len(size))
            .map_err(|e| format!("{}: {e}", file.display()))?;
        let label = format!("import {}", size_name(size));
        let samples = alternate(ctx.plan.rounds(), &label, &tools, |tool, _| {
            let mut cmd;
            if tool == Tool::Curl {
                let url = format!(
                    "{}/v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows/import",
                    sim.url
                );
                cmd = local_command("curl");
                cmd.args([
                    "-sS",
                    "--fail-with-body",
                    "-H",
                    &format!("x-auth-token: {TOKEN}"),
                ])
                .arg("-F")
                .arg(format!("uploadFile=@{}", file.display()))
                .arg(&url);
            } else {
                cmd = local_command(ctx.bin("secmaster"));
                cmd.args(["workflows", "import", "--endpoint", &sim.url])
                    .args(["--project-id", PROJECT, "--workspace-id", WORKSPACE])
                    .args(["--format", "json"])
                    .arg(&file)
                    .env("SECMASTER_AUTH_TOKEN", TOKEN);
            }
            let run = measured(&cmd, false, &ctx.scratch.join("rss.txt"))?;
            // The simulator says how much it drained: the file and the
            // form's framing around it.
            let drained = number_after(&run.text, "drained ");
            if !drained.is_some_and(|n| (size..size + FRAMING).contains(&n)) {
                return Err(format!(
                    "{} ({}): the server did not get the whole file: {}",
                    tool.name(),
                    size_name(size),
                    run.text
                ));
            }
            Ok((run.secs, run.rss_kib))
        })?;
        for (tool, runs) in tools.iter().zip(&samples) {
            let s = Summary::of(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
            let rss = runs.iter().map(|r| r.1).fold(0.0, f64::max);
            let name = tool.name();
            report.line(format!(
                "| {} | {name} | {} | {} |",
                size_name(size),
                s.cells(seconds),
                mib(rss)
            ));
        }
        let _ = fs::remove_file(&file);
    }
    report.line("");
    Ok(())
}
