//! Lines on standard error: warnings, summaries and the error line.
//!
//! The exit code is the command's outcome; a message about it is a
//! courtesy. `eprintln!` panics when it cannot write (a reader that went
//! away, `2>/dev/full`), which turned a saved file or an exit 4 into a
//! crash with exit 101. Here a failed write is ignored, and the crate
//! denies `eprintln!` and `println!` (main.rs) so that every line comes
//! through this function.

use std::fmt::Display;
use std::io::Write;

/// Writes `text` and a line break, in one write so that another process's
/// output cannot split the line; a failure is ignored.
pub fn line(text: impl Display) {
    let line = format!("{text}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}
