//! The progress bar on standard error.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

/// Bytes received, the rate, and (when the size is known) a bar and the time
/// left; or, for a backup or a restore, workflows done out of how many.
/// Drawn only when asked for and standard error is a terminal;
/// otherwise every method does nothing. Cleared when dropped, so that an
/// error line is never printed after a half-drawn bar. indicatif ignores a
/// failed draw (a terminal that hung up), as `stderr::line` does.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// A bar for a download of `total` bytes (unknown when `None`).
    pub fn new(wanted: bool, total: Option<u64>) -> Self {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let (bar, template) = match total {
            Some(total) => (
                ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
                "{spinner} [{bar:30}] {bytes}/{total_bytes}  {binary_bytes_per_sec}  ETA {eta} {msg}",
            ),
            None => (
                ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                "{spinner} {bytes}  {binary_bytes_per_sec}  {elapsed} {msg}",
            ),
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        Progress(Some(
            bar.with_style(style).with_finish(ProgressFinish::AndClear),
        ))
    }

    /// A bar counting workflows, whose number is told later
    /// ([`Progress::set_total`]).
    pub fn counting(wanted: bool) -> Self {
        if !wanted || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let style = ProgressStyle::with_template(
            "{spinner} [{bar:30}] {pos}/{len} workflows  {elapsed}  ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        Progress(Some(
            bar.with_style(style).with_finish(ProgressFinish::AndClear),
        ))
    }

    /// What a counting bar counts to.
    pub fn set_total(&self, total: u64) {
        if let Some(bar) = &self.0 {
            bar.set_length(total);
        }
    }

    /// `n` more bytes arrived, or workflows were done.
    pub fn advance(&self, n: usize) {
        if let Some(bar) = &self.0 {
            bar.inc(n as u64);
        }
    }

    /// The body is complete; it is being flushed to disk.
    pub fn syncing(&self) {
        if let Some(bar) = &self.0 {
            bar.set_message("(flushing to disk)");
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}
