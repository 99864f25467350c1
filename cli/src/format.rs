//! Printing what the service answered: aligned columns for people, JSON
//! with every field for programs, or bare ids for pipes. Every string from
//! the service is escaped on the way out (JSON stays valid: the escapes are
//! JSON's own).

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};

use secmaster_client::operation::Operation;
use secmaster_client::types::{AopWorkflowInfo, Workspace};
use secmaster_client::untrusted::{escape, is_unsafe};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::cli::{Format, ObjectFormat};
use crate::exit::Failure;

/// A table column: its header, and how to read its value from a row.
pub type Column<T> = (&'static str, fn(&T) -> String);

/// `workflows list`'s columns.
pub const WORKFLOWS: [Column<AopWorkflowInfo>; 6] = [
    ("ID", |w| text(&w.id)),
    ("NAME", |w| text(&w.name)),
    ("ENABLED", |w| {
        w.enabled.map_or_else(|| "-".into(), |e| e.to_string())
    }),
    ("TYPE", |w| text(&w.aop_type)),
    ("VERSION", |w| text(&w.version)),
    ("UPDATED", |w| text(&w.update_time)),
];

/// `workspaces list`'s columns; the description, of any length, last.
pub const WORKSPACES: [Column<Workspace>; 4] = [
    ("ID", |w| text(&w.id)),
    ("NAME", |w| text(&w.name)),
    ("CREATED", |w| text(&w.create_time)),
    ("DESCRIPTION", |w| text(&w.description)),
];

/// `api --list`'s columns (the document's own text, but escaped all the
/// same: it is printed like any other).
pub const OPERATIONS: [Column<&Operation>; 4] = [
    ("OPERATION", |op| escape(op.id).into_owned()),
    ("METHOD", |op| op.method.as_str().to_owned()),
    ("PATH", |op| escape(op.path).into_owned()),
    ("SUMMARY", |op| escape(op.summary).into_owned()),
];

fn text(value: &Option<String>) -> String {
    value
        .as_deref()
        .map_or_else(|| "-".into(), |v| escape(v).into_owned())
}

/// `rows` as aligned `columns`, a header first.
pub fn table<T>(out: &mut impl Write, columns: &[Column<T>], rows: &[T]) -> std::io::Result<()> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| columns.iter().map(|(_, read)| read(row)).collect())
        .collect();
    let headers: Vec<String> = columns.iter().map(|(h, _)| (*h).to_owned()).collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            std::iter::once(&headers)
                .chain(&rows)
                .map(|r| r[i].width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&headers).chain(&rows) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(widths[i] - cell.width() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// One object (a workflow, a workspace) as `field  value` lines, every
/// field the service sent.
pub fn fields(out: &mut impl Write, object: &impl Serialize) -> std::io::Result<()> {
    let value = serde_json::to_value(object).map_err(std::io::Error::other)?;
    let Some(object) = value.as_object() else {
        return Ok(());
    };
    // Widths of the keys as shown: escaped, in terminal cells.
    let keys: Vec<String> = object.keys().map(|k| escape(k).into_owned()).collect();
    let width = keys.iter().map(|k| k.width()).max().unwrap_or(0);
    for (key, value) in keys.iter().zip(object.values()) {
        let shown = match value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let pad = " ".repeat(width - key.width() + 2);
        writeln!(out, "{key}{pad}{}", escape(&shown))?;
    }
    Ok(())
}

/// Prints `items` on standard output (`out`) in `format`: the table's
/// `columns`, a JSON array, or the ids `id` reads (`what` names the
/// objects in a refusal; see [`crate::ids::listable`]).
pub fn print_list<T: Serialize>(
    out: File,
    items: &[T],
    format: Format,
    columns: &[Column<T>],
    what: &str,
    id: fn(&T) -> Option<&str>,
) -> Result<(), Failure> {
    let terminal = out.is_terminal();
    let mut out = BufWriter::new(out);
    let written = match format {
        Format::Table => table(&mut out, columns, items),
        Format::Json => json(&mut out, &items),
        Format::Ids => ids(
            &mut out,
            &crate::ids::listable(what, items.iter().map(id))?,
            terminal,
        ),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

/// Prints one object on standard output (`out`) in `format`.
pub fn print_object(
    out: File,
    object: &impl Serialize,
    format: ObjectFormat,
) -> Result<(), Failure> {
    let mut out = BufWriter::new(out);
    let written = match format {
        ObjectFormat::Table => fields(&mut out, object),
        ObjectFormat::Json => json(&mut out, object),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

/// `value` as pretty JSON and a line break.
pub fn json(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    writeln!(out, "{}", json_safe(&text))
}

/// Ids, one per line, from [`crate::ids::listable`]: as they are, for
/// `--ids-file -` to read back exactly; `escaped` for a terminal, where
/// they are read by a person and may not drive it.
pub fn ids(out: &mut impl Write, ids: &[&str], escaped: bool) -> std::io::Result<()> {
    for id in ids {
        if escaped {
            writeln!(out, "{}", escape(id))?;
        } else {
            writeln!(out, "{id}")?;
        }
    }
    Ok(())
}

/// JSON text with the characters a terminal must not receive written as
/// `\uXXXX`. serde_json escapes C0 controls already; DEL, C1 and the
/// bidirectional controls can only stand inside strings, where the escape
/// means the same character.
fn json_safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        // Line breaks outside strings are pretty-printing; inside strings
        // serde_json has written them as `\n` already.
        if c != '\n' && is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workflow(id: &str, name: &str) -> AopWorkflowInfo {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "enabled": true, "aop_type": "NORMAL",
            "version": "v1", "update_time": "2026-11-28T00:00:00Z", "new_field": [1, 2]
        }))
        .unwrap()
    }

    #[test]
    fn tables_align_and_escape() {
        let mut out = Vec::new();
        table(
            &mut out,
            &WORKFLOWS,
            &[workflow("a", "short"), workflow("bb", "x\u{1b}[2J\u{202e}")],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[2].starts_with("bb  x\\u{1b}[2J\\u{202e}  true "),
            "{text}"
        );
        // Every column starts at the same place on every line.
        let column = |line: &str, word: &str| line.find(word).unwrap();
        assert_eq!(column(lines[0], "ENABLED"), column(lines[1], "true"));
        assert_eq!(column(lines[0], "ENABLED"), column(lines[2], "true"));
        assert_eq!(column(lines[0], "UPDATED"), column(lines[2], "2026"));
    }

    #[test]
    fn wide_and_combining_characters_keep_columns_aligned() {
        let mut out = Vec::new();
        let names = ["plain", "安全工作流", "e\u{301}e\u{301}"];
        let rows: Vec<_> = names.iter().map(|n| workflow("id", n)).collect();
        table(&mut out, &WORKFLOWS, &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        // Where ENABLED starts as a terminal shows it, in cells.
        let lines: Vec<&str> = text.lines().collect();
        let cells = |line: &str, word: &str| line[..line.find(word).unwrap()].width();
        let header = cells(lines[0], "ENABLED");
        assert!(
            lines[1..].iter().all(|l| cells(l, "true") == header),
            "{text}"
        );
    }

    // Keys were padded by their length before escaping, so an escaped key
    // pushed its value out of line.
    #[test]
    fn fields_align_after_escaping() {
        let mut out = Vec::new();
        let workflow: AopWorkflowInfo = serde_json::from_value(serde_json::json!({
            "id": "a", "x\u{1b}[1mkey": "v", "名前": "n"
        }))
        .unwrap();
        fields(&mut out, &workflow).unwrap();
        let text = String::from_utf8(out).unwrap();
        let value_at = |line: &str| {
            let (key, _) = line.split_once("  ").unwrap();
            key.width() + line[key.len()..].len() - line[key.len()..].trim_start().len()
        };
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines.iter().all(|l| value_at(l) == value_at(lines[0])),
            "{text}"
        );
    }

    #[test]
    fn ids_are_escaped_only_for_a_terminal() {
        let ids = ["a\u{202e}b", "c\u{1b}[2J"];
        let printed = |escaped| {
            let mut out = Vec::new();
            super::ids(&mut out, &ids, escaped).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(printed(false), "a\u{202e}b\nc\u{1b}[2J\n");
        assert_eq!(printed(true), "a\\u{202e}b\nc\\u{1b}[2J\n");
    }

    #[test]
    fn json_keeps_unknown_fields_and_stays_valid() {
        let mut out = Vec::new();
        json(&mut out, &[workflow("a", "\u{202e}\u{7f}\u{1b}")]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back[0]["name"], "\u{202e}\u{7f}\u{1b}");
        assert_eq!(back[0]["new_field"], serde_json::json!([1, 2]));
    }
}
