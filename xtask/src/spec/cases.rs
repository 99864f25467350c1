//! What every client is asked to do, and what it must get back from the
//! simulator (`sim`): list twice (with filters that need encoding, then a
//! page of the seeded workflows), show a seeded workflow, export two seeded
//! workflows into a file, and import that file, in that order; first against
//! the simulator's real answers (scenario `ok`), then with every operation
//! answering 400 (scenario `error`, where the file to import is a binary
//! one written here, since no export precedes it). Written to
//! `.tools/run/cases.json` for the drivers (Python, TypeScript, official
//! SDK) and validate.py, and turned into `secmaster` command lines for the
//! Rust client, so that every client gets the same inputs from this one
//! place.
//!
//! Values that need encoding on purpose: `/` and a space in the project id,
//! a non-ASCII letter in the workspace id, a list filter holding a space,
//! non-ASCII letters, `+`, `&`, `=` and parentheses (which
//! `encodeURIComponent` leaves alone and RFC 3986 encoding does not), and a
//! space and a non-ASCII letter in the name of the file to import.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use super::Layout;

pub const PROJECT_ID: &str = "p/1 x";
pub const WORKSPACE_ID: &str = "w\u{15b}-1"; // "wś-1"
pub const TOKEN: &str = "FAKE-spec-checks-token.MIIexample+/=";
pub const FAKE_AK: &str = "HPUAFAKEAK0SPECCHECK1";
pub const FAKE_SK: &str = "FAKEsecretKEY0specchecks00000000000000001";

/// The first list call's filters, as the document names them; the order is
/// irrelevant (clients may send them in any order). No workflow matches.
pub const LIST_NAME: &str = "nightly triage (\u{15b}/\u{e9}) +1&x=2";
pub const LIST_ENABLED: bool = true;
pub const LIST_AOP_TYPE: &str = "SURVEY";
pub const LIST_SORTBY: &str = "update_time";
/// The document's spelling; the CLI's `--order` takes it in lower case.
pub const LIST_ORDER: &str = "ASC";
pub const LIST_LIMIT: u32 = 50;
pub const LIST_OFFSET: u32 = 20;

/// The second list call: the first page, oldest first, which holds every
/// seeded workflow (they are created an hour apart, in the order of their
/// numbers). Every paging parameter is given, so that no client sends a
/// default of its own.
pub const PAGE_SORTBY: &str = "create_time";
pub const PAGE_ORDER: &str = "ASC";
pub const PAGE_LIMIT: u32 = 10;
pub const PAGE_OFFSET: u32 = 0;

/// How many deterministic workflows the simulator is seeded with.
pub const SEEDED: u64 = 2;
/// The `format` of the simulator's export files (sim/README.md).
pub const EXPORT_FORMAT: &str = "secmaster-sim-export/1";
/// The file the export writes and the import reads, in the run's `files/`.
pub const IMPORT_FILE_NAME: &str = "flows \u{15b} 1.json";
/// Where the Rust client is told to export in the error scenario: it must
/// not appear.
pub const UNWRITTEN_EXPORT: &str = "export-on-400.json";

/// The error scenario: every operation answers 400 with the simulator's
/// injected-fault body (sim/README.md, Faults).
pub const ERROR_FAULT: &str = "*=400";
pub const ERROR_STATUS: u16 = 400;
pub const ERROR_CODE: &str = "SecMaster.Sim.Fault";
pub const ERROR_MESSAGE: &str = "injected fault";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// The simulator answers as the service does: 200s.
    Ok,
    /// Every operation answers 400 with `{"code", "message"}` (a fault).
    Error,
}

impl Scenario {
    pub const BOTH: [Scenario; 2] = [Scenario::Ok, Scenario::Error];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Ok => "ok",
            Scenario::Error => "error",
        }
    }
}

/// The file imported in the error scenario: binary, with CR LF and `--`
/// in it (which a multipart encoder must not take for a boundary).
pub fn error_import_bytes() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04 workflows to import\r\n--\r\n-- \xc5\x9b\r\n".to_vec();
    bytes.extend((0u8..=255).rev());
    bytes
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A JSON value, written by hand (xtask has no JSON library).
pub enum Json {
    Bool(bool),
    Int(i64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(&'static str, Json)>),
}

impl Json {
    pub fn text(s: &str) -> Json {
        Json::Str(s.to_string())
    }

    pub fn write(&self, out: &mut String) {
        match self {
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Json::Str(s) => out.push_str(&json_string(s)),
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&json_string(key));
                    out.push_str(": ");
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A JSON string literal (non-ASCII written as is: the file is UTF-8).
pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn strings(items: &[String]) -> Json {
    Json::Arr(items.iter().map(|i| Json::text(i)).collect())
}

/// The calls in order, each with what its 200 must hold (`expect`).
fn calls(seeded: &[String]) -> Json {
    let first = seeded.first().cloned().unwrap_or_default();
    let int = |n: u32| Json::Int(n.into());
    Json::Arr(vec![
        Json::Obj(vec![
            ("operation", Json::text("list_workflows")),
            (
                "query",
                Json::Obj(vec![
                    ("name", Json::text(LIST_NAME)),
                    ("enabled", Json::Bool(LIST_ENABLED)),
                    ("aop_type", Json::text(LIST_AOP_TYPE)),
                    ("sortby", Json::text(LIST_SORTBY)),
                    ("order", Json::text(LIST_ORDER)),
                    ("limit", int(LIST_LIMIT)),
                    ("offset", int(LIST_OFFSET)),
                ]),
            ),
            (
                "expect",
                Json::Obj(vec![("total", Json::Int(0)), ("ids", Json::Arr(vec![]))]),
            ),
        ]),
        Json::Obj(vec![
            ("operation", Json::text("list_workflows")),
            (
                "query",
                Json::Obj(vec![
                    ("sortby", Json::text(PAGE_SORTBY)),
                    ("order", Json::text(PAGE_ORDER)),
                    ("limit", int(PAGE_LIMIT)),
                    ("offset", int(PAGE_OFFSET)),
                ]),
            ),
            (
                "expect",
                Json::Obj(vec![
                    ("total", Json::Int(seeded.len() as i64)),
                    ("ids", strings(seeded)),
                ]),
            ),
        ]),
        Json::Obj(vec![
            ("operation", Json::text("show_workflow")),
            ("workflow_id", Json::text(&first)),
            ("expect", Json::Obj(vec![("id", Json::text(&first))])),
        ]),
        Json::Obj(vec![
            ("operation", Json::text("export_workflows")),
            ("ids", strings(seeded)),
            ("output", Json::text(IMPORT_FILE_NAME)),
            (
                "expect",
                Json::Obj(vec![
                    ("format", Json::text(EXPORT_FORMAT)),
                    ("ids", strings(seeded)),
                ]),
            ),
        ]),
        Json::Obj(vec![
            ("operation", Json::text("import_workflows")),
            ("file", Json::text(IMPORT_FILE_NAME)),
            (
                "expect",
                Json::Obj(vec![(
                    "message",
                    Json::Str(format!("imported {} workflows", seeded.len())),
                )]),
            ),
        ]),
    ])
}

/// Writes `cases.json` under `layout.run`, for the simulator's seeded
/// workflow ids.
pub fn write(layout: &Layout, seeded: &[String]) -> Result<(), String> {
    let cases = Json::Obj(vec![
        ("project_id", Json::text(PROJECT_ID)),
        ("workspace_id", Json::text(WORKSPACE_ID)),
        ("token", Json::text(TOKEN)),
        ("ak", Json::text(FAKE_AK)),
        ("sk", Json::text(FAKE_SK)),
        ("seeded", strings(seeded)),
        ("calls", calls(seeded)),
        (
            "error",
            Json::Obj(vec![
                ("status", Json::Int(ERROR_STATUS.into())),
                ("code", Json::text(ERROR_CODE)),
                ("message", Json::text(ERROR_MESSAGE)),
                ("file_hex", Json::Str(hex(&error_import_bytes()))),
            ]),
        ),
    ]);
    let mut text = String::new();
    cases.write(&mut text);
    text.push('\n');
    let path = cases_path(layout);
    fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn cases_path(layout: &Layout) -> PathBuf {
    layout.run.join("cases.json")
}
