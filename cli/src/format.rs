//! Printing what the service answered: aligned columns for people; JSON
//! or YAML with every field, or a line per record (TSV, CSV), for programs;
//! bare ids for pipes; in any of them, what `--query` made of the JSON.
//! Every string from the service is escaped on the way out (JSON and YAML
//! stay valid: the escapes are their own).

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};

use secmaster_client::operation::Operation;
use secmaster_client::types::{AopWorkflowInfo, Workspace};
use secmaster_client::untrusted::{escape, is_unsafe};
use serde::Serialize;
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::cli::Format;
use crate::exit::Failure;
use crate::query::Query;

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
    aligned(out, Some(&headers), &rows)
}

/// Cells (escaped already) in aligned columns, after the header if any.
fn aligned(
    out: &mut impl Write,
    headers: Option<&Vec<String>>,
    rows: &[Vec<String>],
) -> std::io::Result<()> {
    let columns = headers.into_iter().chain(rows).map(Vec::len).max();
    let widths: Vec<usize> = (0..columns.unwrap_or(0))
        .map(|i| {
            headers
                .into_iter()
                .chain(rows)
                .filter_map(|r| r.get(i).map(|cell| cell.width()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in headers.into_iter().chain(rows) {
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
/// `columns`, a JSON array, TSV or CSV under the record's documented
/// `fields` (see [`rows`]), or the ids `id` reads (`what` names the objects
/// in a refusal; see [`crate::ids::listable`]); with a `query`, what it
/// makes of the JSON array.
pub fn print_list<T: Serialize>(
    out: File,
    items: &[T],
    (format, query): (Format, Option<&Query>),
    (columns, fields): (&[Column<T>], &[&str]),
    what: &str,
    id: fn(&T) -> Option<&str>,
) -> Result<(), Failure> {
    let terminal = out.is_terminal();
    let mut out = BufWriter::new(out);
    let written = match (format, query) {
        (Format::Table, None) => table(&mut out, columns, items),
        (Format::Json, None) => json(&mut out, &items),
        (Format::Ids, None) => ids(
            &mut out,
            &crate::ids::listable(what, items.iter().map(id))?,
            terminal,
        ),
        (format, None) => print_value(&mut out, &to_value(&items)?, format, Records::Many(fields)),
        (format, Some(query)) => {
            let value = query.apply(to_value(&items)?)?;
            if format == Format::Ids {
                let listed = crate::ids::listable(what, ids_in(&value)?)?;
                ids(&mut out, &listed, terminal)
            } else {
                print_value(&mut out, &value, format, Records::Many(&[]))
            }
        }
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

/// Prints one object on standard output (`out`) in `format` (not
/// [`Format::Ids`]): TSV and CSV under its documented `fields` (see
/// [`rows`]); with a `query`, what it makes of the object's JSON.
pub fn print_object(
    out: File,
    object: &impl Serialize,
    (format, query): (Format, Option<&Query>),
    documented: &[&str],
) -> Result<(), Failure> {
    let mut out = BufWriter::new(out);
    let written = match (format, query) {
        (Format::Table, None) => fields(&mut out, object),
        (Format::Json, None) => json(&mut out, object),
        (format, None) => print_value(
            &mut out,
            &to_value(object)?,
            format,
            Records::One(documented),
        ),
        (format, Some(query)) => {
            let value = query.apply(to_value(object)?)?;
            print_value(&mut out, &value, format, Records::One(&[]))
        }
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

fn to_value(object: &impl Serialize) -> Result<Value, Failure> {
    serde_json::to_value(object).map_err(|e| {
        Failure::Client(secmaster_client::Error::Unexpected(format!(
            "the service's answer cannot be shown as JSON: {e}"
        )))
    })
}

/// Whether a JSON value is one record (what `show` prints, and what a
/// query made of it) or a list of them (what `list` prints, and what a
/// query made of that), and the fields the API document gives such a
/// record, in its order (none for what a query made): TSV and CSV columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Records<'a> {
    One(&'a [&'a str]),
    Many(&'a [&'a str]),
}

/// Any JSON value in `format`. For a table, TSV and CSV, the value is
/// taken as [`rows`] of `records`; a table shows an object as `field
/// value` lines.
pub fn print_value(
    out: &mut impl Write,
    value: &Value,
    format: Format,
    records: Records,
) -> std::io::Result<()> {
    match format {
        Format::Json => json(out, value),
        Format::Yaml => yaml(out, value),
        Format::Table if value.is_object() => fields(out, value),
        Format::Table => {
            let (headers, rows) = rows(value, records);
            let cell = |v: &Value| match v {
                Value::Null => "-".to_owned(),
                v => escape(&text_of(v)).into_owned(),
            };
            let rows: Vec<Vec<String>> =
                rows.iter().map(|r| r.iter().map(cell).collect()).collect();
            let headers = headers.map(|h| h.iter().map(|k| escape(k).into_owned()).collect());
            aligned(out, headers.as_ref(), &rows)
        }
        Format::Tsv => {
            let (_, rows) = rows(value, records);
            lines(out, None, &rows, '\t', tsv_cell)
        }
        Format::Csv => {
            let (headers, rows) = rows(value, records);
            lines(out, headers.as_deref(), &rows, ',', csv_cell)
        }
        // `print_list` prints ids itself; an object has none to print.
        Format::Ids => Ok(()),
    }
}

/// JSON as rows, and the header when the values have names. An object
/// is one record, under its [`keys`]. One record that is an array is a
/// row of its items. Many records, an array: of objects, a row per object,
/// under the [`keys`] of them all (one an object lacks is null); else a
/// row per item, of the item's own items when it is an array, of the item
/// alone otherwise. A scalar is a row of one value; null is no row.
pub fn rows(value: &Value, records: Records) -> (Option<Vec<String>>, Vec<Vec<Value>>) {
    let (Records::One(documented) | Records::Many(documented)) = records;
    let row = |object: &Value, keys: &[String]| keys.iter().map(|k| object[k].clone()).collect();
    match value {
        Value::Null => (None, Vec::new()),
        Value::Object(_) => {
            let keys = keys(documented, std::slice::from_ref(value));
            let row = row(value, &keys);
            (Some(keys), vec![row])
        }
        Value::Array(items) if matches!(records, Records::One(_)) => (None, vec![items.clone()]),
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_object) => {
            let keys = keys(documented, items);
            let rows = items.iter().map(|item| row(item, &keys)).collect();
            (Some(keys), rows)
        }
        Value::Array(items) => {
            let rows = items
                .iter()
                .map(|item| match item {
                    Value::Array(cells) => cells.clone(),
                    other => vec![other.clone()],
                })
                .collect();
            (None, rows)
        }
        scalar => (None, vec![vec![scalar.clone()]]),
    }
}

/// The columns of `objects`: the `documented` fields of the record, in
/// the document's order, then every other key of any of them, sorted, so
/// that records of any shape (another page) get the same columns. Without
/// documented fields (what a query made), every key of any of them in the
/// order first met.
fn keys(documented: &[&str], objects: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = documented.iter().map(|f| (*f).to_owned()).collect();
    let mut others: Vec<String> = Vec::new();
    for key in objects
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|o| o.keys())
    {
        if !keys.contains(key) && !others.contains(key) {
            others.push(key.clone());
        }
    }
    if !documented.is_empty() {
        others.sort();
    }
    keys.extend(others);
    keys
}

/// A value as a cell's text: a string as it is, null as nothing, anything
/// else (numbers, booleans, arrays, objects) as compact JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A TSV cell: `\\`, `\t`, `\n` and `\r` for a backslash, a tab and line
/// breaks, so that the cell reads back exactly; other characters a terminal
/// must not receive as `\u{1b}`.
fn tsv_cell(value: &Value) -> String {
    escaped(&text_of(value))
}

/// Text with a backslash doubled and what a terminal must not receive
/// escaped (`\n`, `\u{1b}`): distinct texts stay distinct.
fn escaped(text: &str) -> String {
    escape(&text.replace('\\', "\\\\")).into_owned()
}

/// The characters that make a spreadsheet take a cell for a formula when
/// they start it (OWASP's list for CSV injection).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell. A string is escaped as a TSV cell is ([`escaped`]), and
/// gets a leading `'` when it starts with one of [`FORMULA_START`], so that
/// a spreadsheet shows it as text; a list or an object is compact JSON with
/// JSON's own escapes (`\u202e`), so that it parses as JSON. Then it is
/// quoted as RFC 4180 says: in double quotes, doubled inside, when it holds
/// a comma, a double quote or surrounding blanks.
fn csv_cell(value: &Value) -> String {
    let text = match value {
        Value::String(s) if s.starts_with(FORMULA_START) => format!("'{}", escaped(s)),
        Value::String(s) => escaped(s),
        Value::Array(_) | Value::Object(_) => json_safe(&value.to_string()),
        other => text_of(other),
    };
    if text.contains([',', '"']) || text.trim() != text {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// One line per row, its cells separated by `separator`, after the header
/// if there is one.
fn lines(
    out: &mut impl Write,
    headers: Option<&[String]>,
    rows: &[Vec<Value>],
    separator: char,
    cell: fn(&Value) -> String,
) -> std::io::Result<()> {
    let separator = separator.to_string();
    if let Some(headers) = headers {
        let headers: Vec<String> = headers
            .iter()
            .map(|h| cell(&Value::String(h.clone())))
            .collect();
        writeln!(out, "{}", headers.join(&separator))?;
    }
    for row in rows {
        let cells: Vec<String> = row.iter().map(cell).collect();
        writeln!(out, "{}", cells.join(&separator))?;
    }
    Ok(())
}

/// The ids in a query's result for `--format ids`: a list's strings, and
/// the `id` of its objects (an item without one is left out, as one
/// without an id is left out of a listing). Anything but a list cannot be
/// printed as ids.
fn ids_in(value: &Value) -> Result<Vec<Option<&str>>, Failure> {
    let Value::Array(items) = value else {
        return Err(Failure::Usage(format!(
            "--format ids prints a list, and --query made {}",
            kind_of(value)
        )));
    };
    Ok(items
        .iter()
        .map(|item| match item {
            Value::String(id) => Some(id.as_str()),
            other => other.get("id").and_then(Value::as_str),
        })
        .collect())
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `value` as YAML. YAML escapes a character a terminal must not receive
/// only inside double quotes, and serde_yaml leaves some (the bidirectional
/// controls) unquoted: a document that holds one is written in YAML's JSON
/// style instead ([`json`], which YAML reads as the same document).
pub fn yaml(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    let text = serde_yaml::to_string(value).map_err(std::io::Error::other)?;
    if text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return json(out, value);
    }
    out.write_all(text.as_bytes())
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
pub fn json_safe(text: &str) -> String {
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
    fn json_values_as_rows() {
        use serde_json::json;
        let many = |v: Value| rows(&v, Records::Many(&[]));
        assert_eq!(
            many(json!([{"b": 1, "a": 2}, {"c": [3]}])),
            (
                Some(vec!["a".into(), "b".into(), "c".into()]),
                vec![
                    vec![json!(2), json!(1), Value::Null],
                    vec![Value::Null, Value::Null, json!([3])]
                ]
            )
        );
        assert_eq!(
            many(json!(["x", ["y", 1], {"z": 2}])),
            (
                None,
                vec![
                    vec![json!("x")],
                    vec![json!("y"), json!(1)],
                    vec![json!({"z": 2})]
                ]
            )
        );
        assert_eq!(many(json!([])), (None, vec![]));
        assert_eq!(many(Value::Null), (None, vec![]));
        assert_eq!(many(json!(7)), (None, vec![vec![json!(7)]]));
        assert_eq!(
            rows(&json!(["x", 1]), Records::One(&[])),
            (None, vec![vec![json!("x"), json!(1)]])
        );
    }

    /// Two pages whose records have different fields (one lacks some, in
    /// one a field is null everywhere) get the same columns: the
    /// documented ones in the document's order, then the others sorted.
    #[test]
    fn pages_of_any_shape_get_the_same_columns() {
        use serde_json::json;
        let documented = crate::fields::WORKFLOW;
        let first = json!([{"id": "a", "name": "one", "enabled": true, "zz": 1, "aa": 2}]);
        let second = json!([
            {"id": "b", "description": null, "name": "two", "aa": 3},
            {"name": "three", "zz": null, "version": "v2"}
        ]);
        let tsv = |page: &Value| {
            let mut out = Vec::new();
            print_value(&mut out, page, Format::Tsv, Records::Many(documented)).unwrap();
            String::from_utf8(out).unwrap()
        };
        let (first_keys, _) = rows(&first, Records::Many(documented));
        let (second_keys, _) = rows(&second, Records::Many(documented));
        assert_eq!(first_keys, second_keys);
        let mut expected: Vec<&str> = documented.to_vec();
        expected.extend(["aa", "zz"]);
        assert_eq!(first_keys.unwrap(), expected);
        // The second field is the name on every line of either page.
        for (page, names) in [(&first, vec!["one"]), (&second, vec!["two", "three"])] {
            let text = tsv(page);
            let cut: Vec<&str> = text
                .lines()
                .map(|l| l.split('\t').nth(1).unwrap())
                .collect();
            assert_eq!(cut, names, "{text}");
            assert!(
                text.lines()
                    .all(|l| l.split('\t').count() == expected.len())
            );
        }
        // One record (show) too, and CSV's header.
        let (one, _) = rows(&json!({"name": "x", "zz": 1}), Records::One(documented));
        assert_eq!(one.unwrap(), [documented, &["zz"]].concat());
        let mut out = Vec::new();
        print_value(&mut out, &first, Format::Csv, Records::Many(documented)).unwrap();
        let header = String::from_utf8(out).unwrap();
        assert!(
            header.starts_with("id,name,description,project_id,"),
            "{header}"
        );
    }

    #[test]
    fn yaml_writes_what_it_cannot_escape_in_its_json_style() {
        let mut out = Vec::new();
        yaml(&mut out, &serde_json::json!({"name": "plain", "n": [1]})).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "n:\n- 1\nname: plain\n");
        let hostile = serde_json::json!({"name": "a\u{202e}b\u{1b}[2J"});
        let mut out = Vec::new();
        yaml(&mut out, &hostile).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text}");
        let read: Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(read, hostile);
    }

    /// A TSV cell read back: the escapes [`tsv_cell`] writes undone.
    fn unescape_tsv(cell: &str) -> String {
        let mut out = String::new();
        let mut chars = cell.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('\\') => out.push('\\'),
                Some('u') => {
                    let code: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                    out.push(char::from_u32(u32::from_str_radix(&code, 16).unwrap()).unwrap());
                }
                other => panic!("unexpected escape {other:?} in {cell:?}"),
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// Any text: a TSV cell is one safe cell that reads back exactly;
        /// a CSV cell is one safe RFC 4180 field.
        #[test]
        fn cells_are_one_safe_field(text in "\\PC*|[a,\"\\\\ \t\r\n\u{1b}\u{202e}\u{85}]{0,12}") {
            let value = Value::String(text.clone());
            let tsv = tsv_cell(&value);
            proptest::prop_assert!(!tsv.chars().any(is_unsafe), "{}", tsv);
            proptest::prop_assert_eq!(unescape_tsv(&tsv), text.clone());
            let csv = csv_cell(&value);
            proptest::prop_assert!(!csv.chars().any(is_unsafe), "{}", csv);
            match csv.strip_prefix('"').and_then(|c| c.strip_suffix('"')) {
                Some(inner) => proptest::prop_assert!(!inner.replace("\"\"", "").contains('"')),
                None => proptest::prop_assert!(!csv.contains([',', '"'])),
            }
        }
    }

    /// The fields of RFC 4180 text: its records, each a list of fields
    /// with the quotes taken off.
    fn read_csv(text: &str) -> Vec<Vec<String>> {
        let mut records = Vec::new();
        let (mut record, mut field) = (Vec::new(), String::new());
        let (mut quoted, mut chars) = (false, text.chars().peekable());
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => record.push(std::mem::take(&mut field)),
                (false, '\n') => {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                (false, c) => field.push(c),
            }
        }
        assert!(
            field.is_empty() && record.is_empty(),
            "{text:?} ends in a line break"
        );
        records
    }

    fn csv_of(value: &Value) -> String {
        let mut out = Vec::new();
        print_value(&mut out, value, Format::Csv, Records::Many(&[])).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// A spreadsheet takes a cell that starts with one of these for a
    /// formula: each gets a leading `'`.
    #[test]
    fn csv_cells_that_look_like_formulas_start_with_a_quote() {
        let cells = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+2",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
        ];
        let value = Value::Array(cells.iter().map(|c| serde_json::json!([c])).collect());
        let text = csv_of(&value);
        let read = read_csv(&text);
        assert_eq!(read.len(), cells.len(), "{text}");
        for (row, cell) in read.iter().zip(cells) {
            assert!(row[0].starts_with('\''), "{cell:?} as {:?}", row[0]);
        }
        assert_eq!(read[0][0], "'=HYPERLINK(\"http://x\",\"y\")");
        assert_eq!(read[4][0], "'\\t=1");
        // Not a formula: as it is.
        assert_eq!(csv_of(&serde_json::json!([["a=1", -1]])), "a=1,-1\n");
    }

    /// Read back by a CSV parser, distinct values stay distinct, and a
    /// list or an object is JSON with the same value.
    #[test]
    fn csv_reads_back_distinct_and_nested_cells_are_json() {
        let nested = serde_json::json!({"n": "a\u{202e}b\u{1b}[2J\\\"", "l": [1, "x\ny"]});
        let strings = [
            "a\nb",
            "a\\nb",
            "a\\\nb",
            "a\u{1b}b",
            "a\\u{1b}b",
            "a\tb",
            "a\\tb",
        ];
        let value = Value::Array(
            strings
                .iter()
                .map(|s| serde_json::json!({"s": s, "nested": nested}))
                .collect(),
        );
        let text = csv_of(&value);
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text}");
        let read = read_csv(&text);
        assert_eq!(read[0], ["nested", "s"]);
        let cells: Vec<&str> = read[1..].iter().map(|r| r[1].as_str()).collect();
        let mut distinct = cells.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), strings.len(), "{cells:?}");
        for row in &read[1..] {
            let parsed: Value = serde_json::from_str(&row[0]).unwrap();
            assert_eq!(parsed, nested, "{}", row[0]);
        }
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
