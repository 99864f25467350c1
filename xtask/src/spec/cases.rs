//! What every client is asked to do, and what the recorder answers: one
//! list, show, import and export call each, in that order, first against
//! answers that succeed, then against 400s. Written to `.tools/run/cases.json`
//! for the recorder and the drivers (Python, TypeScript, official SDK) and
//! turned into `secmaster` command lines for the Rust client, so that every
//! client gets the same inputs from this one place.
//!
//! Values that need encoding on purpose: `/` and a space in the project id,
//! a non-ASCII letter in the workspace id, and a list filter holding a
//! space, non-ASCII letters, `+`, `&`, `=` and parentheses (which
//! `encodeURIComponent` leaves alone and RFC 3986 encoding does not).

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use super::Layout;

pub const PROJECT_ID: &str = "p/1 x";
pub const WORKSPACE_ID: &str = "w\u{15b}-1"; // "wś-1"
pub const TOKEN: &str = "FAKE-spec-checks-token.MIIexample+/=";
pub const FAKE_AK: &str = "HPUAFAKEAK0SPECCHECK1";
pub const FAKE_SK: &str = "FAKEsecretKEY0specchecks00000000000000001";

/// The list call's filters, as the document names them; the order is
/// irrelevant (clients may send them in any order).
pub const LIST_NAME: &str = "nightly triage (\u{15b}/\u{e9}) +1&x=2";
pub const LIST_ENABLED: bool = true;
pub const LIST_AOP_TYPE: &str = "SURVEY";
pub const LIST_SORTBY: &str = "update_time";
/// The document's spelling; the CLI's `--order` takes it in lower case.
pub const LIST_ORDER: &str = "ASC";
pub const LIST_LIMIT: u32 = 50;
pub const LIST_OFFSET: u32 = 20;

pub const SHOW_ID: &str = "c19470f3-5eaf-4572-82e8-2ff094495919";
pub const EXPORT_IDS: [&str; 2] = [SHOW_ID, "0b1c2d3e-4f50-4617-8a9b-c0d1e2f3a4b5"];
/// The name the file to import has on disk, and so in the form.
pub const IMPORT_FILE_NAME: &str = "flows \u{15b} 1.zip";

pub const ERROR_CODE: &str = "SecMaster.00000001";
pub const ERROR_MESSAGE: &str = "bad request";
pub const IMPORT_REQUEST_ID: &str = "import-request-7f3a";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Every operation answers its documented 200.
    Ok,
    /// Every operation answers 400 with `{"code", "message"}`.
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

/// The exact bytes of an export answer: not UTF-8, every byte value.
pub fn export_bytes() -> Vec<u8> {
    let mut bytes = b"PK\x03\x04 exported workflows \xe2\x9c\x93\r\n".to_vec();
    bytes.extend(0u8..=255);
    bytes
}

/// The content of the file to import: binary, with CR LF and `--` in it
/// (which a multipart encoder must not take for a boundary).
pub fn import_bytes() -> Vec<u8> {
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

/// Where the file to import is written (its name is `IMPORT_FILE_NAME`).
pub fn import_file(layout: &Layout) -> PathBuf {
    layout.run.join("upload").join(IMPORT_FILE_NAME)
}

/// A JSON value, written by hand: xtask uses the standard library only.
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

fn workflow() -> Json {
    Json::Obj(vec![
        ("id", Json::text(SHOW_ID)),
        ("name", Json::text("nightly triage (\u{15b}/\u{e9})")),
        ("description", Json::text("spec-checks canned workflow")),
        ("project_id", Json::text(PROJECT_ID)),
        ("workspace_id", Json::text(WORKSPACE_ID)),
        ("enabled", Json::Bool(true)),
        ("aop_type", Json::text(LIST_AOP_TYPE)),
        ("engine_type", Json::text("public_engine")),
        ("version", Json::text("v1.0.2")),
        ("create_time", Json::text("2025-12-18T10:00:00Z+0800")),
        // Not in the document: clients must keep or ignore it, not fail.
        ("field_the_document_does_not_name", Json::text("kept")),
    ])
}

fn answer(status: i64, content_type: &str, body: (&'static str, Json)) -> Json {
    Json::Obj(vec![
        ("status", Json::Int(status)),
        ("content_type", Json::text(content_type)),
        body,
    ])
}

fn ok_answers() -> Json {
    let envelope = |rest: Vec<(&'static str, Json)>| {
        let mut fields = vec![
            ("code", Json::text("00000000")),
            ("message", Json::text("")),
            ("success", Json::Bool(true)),
        ];
        fields.extend(rest);
        Json::Obj(fields)
    };
    Json::Obj(vec![
        (
            "list_workflows",
            answer(
                200,
                "application/json",
                (
                    "json",
                    envelope(vec![
                        ("request_id", Json::text("list-request-1c2d")),
                        ("total", Json::Int(21)),
                        ("offset", Json::Int(LIST_OFFSET.into())),
                        ("limit", Json::Int(LIST_LIMIT.into())),
                        ("size", Json::Int(1)),
                        ("page", Json::Int(1)),
                        ("data", Json::Arr(vec![workflow()])),
                    ]),
                ),
            ),
        ),
        (
            "show_workflow",
            answer(
                200,
                "application/json",
                (
                    "json",
                    envelope(vec![
                        ("request_id", Json::text("show-request-9e8f")),
                        ("data", workflow()),
                    ]),
                ),
            ),
        ),
        (
            "import_workflows",
            answer(
                200,
                "application/json",
                (
                    "json",
                    envelope(vec![("request_id", Json::text(IMPORT_REQUEST_ID))]),
                ),
            ),
        ),
        (
            "export_workflows",
            answer(
                200,
                "application/octet-stream",
                ("hex", Json::Str(hex(&export_bytes()))),
            ),
        ),
    ])
}

fn error_answers() -> Json {
    let error = || {
        answer(
            400,
            "application/json",
            (
                "json",
                Json::Obj(vec![
                    ("code", Json::text(ERROR_CODE)),
                    ("message", Json::text(ERROR_MESSAGE)),
                ]),
            ),
        )
    };
    Json::Obj(vec![
        ("list_workflows", error()),
        ("show_workflow", error()),
        ("import_workflows", error()),
        ("export_workflows", error()),
    ])
}

fn calls(layout: &Layout) -> Json {
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
                    ("limit", Json::Int(LIST_LIMIT.into())),
                    ("offset", Json::Int(LIST_OFFSET.into())),
                ]),
            ),
        ]),
        Json::Obj(vec![
            ("operation", Json::text("show_workflow")),
            ("workflow_id", Json::text(SHOW_ID)),
        ]),
        Json::Obj(vec![
            ("operation", Json::text("import_workflows")),
            (
                "file",
                Json::Str(import_file(layout).to_string_lossy().into_owned()),
            ),
            ("file_name", Json::text(IMPORT_FILE_NAME)),
            ("content_hex", Json::Str(hex(&import_bytes()))),
        ]),
        Json::Obj(vec![
            ("operation", Json::text("export_workflows")),
            (
                "ids",
                Json::Arr(EXPORT_IDS.iter().map(|i| Json::text(i)).collect()),
            ),
        ]),
    ])
}

/// Writes `cases.json` and the file to import under `layout.run`.
pub fn write(layout: &Layout) -> Result<(), String> {
    let file = import_file(layout);
    let dir = file.parent().unwrap_or(&layout.run);
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    fs::write(&file, import_bytes()).map_err(|e| format!("{}: {e}", file.display()))?;
    let cases = Json::Obj(vec![
        ("project_id", Json::text(PROJECT_ID)),
        ("workspace_id", Json::text(WORKSPACE_ID)),
        ("token", Json::text(TOKEN)),
        ("ak", Json::text(FAKE_AK)),
        ("sk", Json::text(FAKE_SK)),
        ("calls", calls(layout)),
        (
            "answers",
            Json::Obj(vec![("ok", ok_answers()), ("error", error_answers())]),
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
