//! The report: Markdown sections and tables as they are measured, the
//! targets with their verdicts, and what the machine was doing.

use std::fmt::Write as _;
use std::fs;
use std::process::Command;
use std::time::Duration;

use crate::process::capture;

/// The Markdown text, and (target, measured, holds) rows for the end.
#[derive(Default)]
pub struct Report {
    text: String,
    verdicts: Vec<(String, String, Option<bool>)>,
}

impl Report {
    /// A line (or several) of Markdown.
    pub fn line(&mut self, text: impl AsRef<str>) {
        let _ = writeln!(self.text, "{}", text.as_ref());
    }

    /// `## title`, an introduction that ends with the load average now,
    /// and a blank line.
    pub fn section(&mut self, title: &str, intro: &str) {
        let _ = writeln!(
            self.text,
            "## {title}\n\n{intro} Load average at the start: {}.\n",
            loadavg()
        );
    }

    /// A table head: `| a | b |` and its `|---|---|` rule.
    pub fn head(&mut self, columns: &[&str]) {
        let _ = writeln!(
            self.text,
            "| {} |\n|{}",
            columns.join(" | "),
            "---|".repeat(columns.len())
        );
    }

    /// A target and how it fared (`None`: not judged in this run).
    pub fn verdict(
        &mut self,
        target: impl Into<String>,
        measured: impl Into<String>,
        holds: Option<bool>,
    ) {
        self.verdicts.push((target.into(), measured.into(), holds));
    }

    /// The targets table, then the whole text.
    pub fn finish(mut self, quick: bool, footer: &str) -> String {
        let _ = writeln!(
            self.text,
            "## Targets{}\n",
            if quick {
                " (quick mode: indicative only, small sizes and one run)"
            } else {
                ""
            }
        );
        self.head(&["target", "measured", "holds"]);
        for (target, measured, holds) in std::mem::take(&mut self.verdicts) {
            let holds = match holds {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "n/a",
            };
            let _ = writeln!(self.text, "| {target} | {measured} | {holds} |");
        }
        let _ = writeln!(self.text, "\n{footer}");
        self.text
    }
}

/// The 1-, 5- and 15-minute load averages.
pub fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

pub fn date() -> String {
    capture(
        Command::new("date").args(["-u", "+%Y-%m-%d %H:%M UTC"]),
        Duration::from_secs(10),
    )
    .map(|o| o.stdout.trim().to_string())
    .unwrap_or_else(|_| "unknown".into())
}

/// Cores, memory and CPU model.
pub fn machine() -> String {
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
    fn tables_and_targets() {
        let mut r = Report::default();
        r.head(&["a", "b"]);
        r.line("| 1 | 2 |");
        r.verdict("(1) fast", "1.0×", Some(true));
        r.verdict("(2) small", "9 MiB", Some(false));
        r.verdict("(3) other", "–", None);
        let text = r.finish(false, "- end");
        assert!(
            text.starts_with("| a | b |\n|---|---|\n| 1 | 2 |\n"),
            "{text}"
        );
        assert!(text.contains("| (1) fast | 1.0× | yes |"), "{text}");
        assert!(text.contains("| (2) small | 9 MiB | **no** |"), "{text}");
        assert!(text.contains("| (3) other | – | n/a |"), "{text}");
        assert!(text.ends_with("- end\n"), "{text}");
    }
}
