//! The summary line a list prints on standard error, and the warning when
//! a page leaves items unread.

use crate::cli::Format;
use crate::stderr;

/// Says on standard error what a list printed: the summary under a table
/// (not with `--quiet`); with another format, only a warning when pages
/// were left unread, since a pipe would take the page for the whole list.
pub fn say(note: &str, format: Format, quiet: bool, unread: bool) {
    match format {
        Format::Table if !quiet => stderr::line(note),
        Format::Table => {}
        _ if unread => stderr::line(format_args!("warning: {note}")),
        _ => {}
    }
}

/// `1 workflow`, `2 workflows`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `28408` as `28,408`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// What one page showed: `workflows 1-10 of 15; --all lists every page`
/// when pages are left unread, else how many there are. `noun` is
/// singular; the page started at `start` and held `shown`.
pub fn page(noun: &str, start: u64, shown: u64, total: Option<u64>) -> String {
    let (first, last) = (start + 1, start + shown);
    match total {
        Some(total) if left_unread(start, shown, Some(total)) => {
            let which = if first == last {
                format!("{noun} {first}")
            } else {
                format!("{noun}s {first}-{last}")
            };
            format!("{which} of {total}; --all lists every page")
        }
        Some(total) => format!("{shown} of {}", count(total, noun)),
        None => count(shown, noun),
    }
}

/// Whether a page that started at `start` and held `shown` leaves items
/// of the `total` unread after it.
pub fn left_unread(start: u64, shown: u64, total: Option<u64>) -> bool {
    total.is_some_and(|total| shown > 0 && start + shown < total)
}

/// What `--all` listed: `150 workspaces (2 pages)`.
pub fn all(noun: &str, listed: u64, pages: u32) -> String {
    format!(
        "{} ({})",
        count(listed, noun),
        count(u64::from(pages), "page")
    )
}

/// A size as people read it, in decimal units: `512 B`, `1.2 MB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["kB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 999.95 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_in_words() {
        assert_eq!(
            page("workspace", 0, 10, Some(150)),
            "workspaces 1-10 of 150; --all lists every page"
        );
        assert_eq!(
            page("workflow", 23, 1, Some(25)),
            "workflow 24 of 25; --all lists every page"
        );
        assert_eq!(page("workflow", 30, 0, Some(25)), "0 of 25 workflows");
        assert_eq!(page("workspace", 0, 3, Some(3)), "3 of 3 workspaces");
        assert_eq!(page("workspace", 0, 1, None), "1 workspace");
        assert_eq!(all("workspace", 150, 2), "150 workspaces (2 pages)");
        assert_eq!(all("workflow", 1, 1), "1 workflow (1 page)");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(1_234_567), "1.2 MB");
        assert_eq!(size(999_999), "1.0 MB");
        assert_eq!(size(u64::MAX), "18446.7 PB");
        assert!(left_unread(0, 10, Some(11)));
        assert!(!left_unread(0, 10, Some(10)) && !left_unread(10, 0, Some(11)));
        assert!(!left_unread(0, 10, None));
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (28408, "28,408"),
            (1234567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ] {
            assert_eq!(thousands(n), text);
        }
    }
}
