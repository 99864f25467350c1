//! What every client is asked to do, and what it must get back from the
//! simulator (`sim`): the table of [`cases`], one call each, made in its
//! order: list the project's workspaces (filtered by the seeded one's
//! name) and show the seeded workspace, list its workflows twice (with
//! filters that need encoding, then a page of the seeded workflows), show
//! a seeded workflow, export two seeded workflows into a file, and import
//! that file; first against the simulator's real answers (scenario `ok`),
//! then with every operation answering 400 (scenario `error`, where the
//! file to import is a binary one written here, since no export precedes
//! it). Every operation of the document
//! needs a case here (`coverage` fails the run otherwise). Written to
//! `.tools/run/cases.json` for the drivers (Python, TypeScript, official
//! SDK) and validate.py, with what the document says of each operation,
//! and turned into `secmaster` command lines for the Rust client, so that
//! every client gets the same inputs from this one place.
//!
//! Values that need encoding on purpose: `/` and a space in the project id,
//! a non-ASCII letter in the workspace id (also the workspace list's name
//! filter), a workflow list filter holding a space,
//! non-ASCII letters, `+`, `&`, `=` and parentheses (which
//! `encodeURIComponent` leaves alone and RFC 3986 encoding does not), and a
//! space and a non-ASCII letter in the name of the file to import.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use super::Layout;
use super::coverage::Operation;

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
#[derive(Clone)]
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

impl Json {
    /// The value of `key`, in an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(fields) => fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A string, number or boolean as text (a command-line argument).
    pub fn scalar(&self) -> String {
        match self {
            Json::Bool(b) => b.to_string(),
            Json::Int(n) => n.to_string(),
            Json::Str(s) => s.clone(),
            Json::Arr(_) | Json::Obj(_) => String::new(),
        }
    }
}

/// One call of the cases: the operation, its parameters, and what its 200
/// must hold.
pub struct Case {
    /// The operationId.
    pub operation: &'static str,
    /// Every path parameter of the operation.
    pub path: Vec<(&'static str, String)>,
    pub query: Vec<(&'static str, Json)>,
    /// The workflows to export.
    pub ids: Vec<String>,
    /// The file the export writes or the import reads, in the run's `files/`.
    pub file: Option<&'static str>,
    /// For a JSON answer, what it must hold: every field given here, with
    /// this value (objects may hold more fields; arrays must have exactly
    /// these items). For the export, the file's `format` and workflow `ids`.
    pub expect: Json,
}

impl Case {
    fn new(operation: &'static str, path: &[(&'static str, &str)], expect: Json) -> Case {
        Case {
            operation,
            path: path.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            query: Vec::new(),
            ids: Vec::new(),
            file: None,
            expect,
        }
    }

    #[cfg(test)]
    pub fn new_for_tests(
        operation: &'static str,
        path: &[(&'static str, &str)],
        expect: Json,
    ) -> Case {
        Case::new(operation, path, expect)
    }

    /// The value of path parameter `name`.
    pub fn path_value(&self, name: &str) -> Option<&str> {
        self.path
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Json {
        let path = self.path.iter().map(|(k, v)| (*k, Json::text(v))).collect();
        let query = self.query.iter().map(|(k, v)| (*k, v.clone())).collect();
        let mut fields = vec![
            ("operation", Json::text(self.operation)),
            ("path", Json::Obj(path)),
            ("query", Json::Obj(query)),
        ];
        if !self.ids.is_empty() {
            fields.push(("ids", strings(&self.ids)));
        }
        if let Some(file) = self.file {
            fields.push(("file", Json::text(file)));
        }
        fields.push(("expect", self.expect.clone()));
        Json::Obj(fields)
    }
}

/// The cases, in the order every client makes them. Every operation of the
/// document needs at least one (`coverage`); the drivers call them.
pub fn cases(seeded: &[String]) -> Vec<Case> {
    let first = seeded.first().cloned().unwrap_or_default();
    let int = |n: u32| Json::Int(n.into());
    let workspace = [("project_id", PROJECT_ID), ("workspace_id", WORKSPACE_ID)];
    let listed = |ids: &[String]| {
        Json::Obj(vec![
            ("total", Json::Int(ids.len() as i64)),
            (
                "data",
                Json::Arr(
                    ids.iter()
                        .map(|id| Json::Obj(vec![("id", Json::text(id))]))
                        .collect(),
                ),
            ),
        ])
    };
    let filtered = Case {
        query: vec![
            ("name", Json::text(LIST_NAME)),
            ("enabled", Json::Bool(LIST_ENABLED)),
            ("aop_type", Json::text(LIST_AOP_TYPE)),
            ("sortby", Json::text(LIST_SORTBY)),
            ("order", Json::text(LIST_ORDER)),
            ("limit", int(LIST_LIMIT)),
            ("offset", int(LIST_OFFSET)),
        ],
        ..Case::new("list_workflows", &workspace, listed(&[]))
    };
    let page = Case {
        query: vec![
            ("sortby", Json::text(PAGE_SORTBY)),
            ("order", Json::text(PAGE_ORDER)),
            ("limit", int(PAGE_LIMIT)),
            ("offset", int(PAGE_OFFSET)),
        ],
        ..Case::new("list_workflows", &workspace, listed(seeded))
    };
    let show = Case::new(
        "show_workflow",
        &[
            ("project_id", PROJECT_ID),
            ("workspace_id", WORKSPACE_ID),
            ("workflow_id", &first),
        ],
        Json::Obj(vec![("data", Json::Obj(vec![("id", Json::text(&first))]))]),
    );
    let export = Case {
        ids: seeded.to_vec(),
        file: Some(IMPORT_FILE_NAME),
        ..Case::new(
            "export_workflows",
            &workspace,
            Json::Obj(vec![
                ("format", Json::text(EXPORT_FORMAT)),
                ("ids", strings(seeded)),
            ]),
        )
    };
    let import = Case {
        file: Some(IMPORT_FILE_NAME),
        ..Case::new(
            "import_workflows",
            &workspace,
            Json::Obj(vec![
                ("success", Json::Bool(true)),
                (
                    "message",
                    Json::Str(format!("imported {} workflows", seeded.len())),
                ),
            ]),
        )
    };
    let workspaces = Case {
        query: vec![
            ("offset", Json::Int(0)),
            ("limit", Json::Int(10)),
            ("name", Json::text(WORKSPACE_ID)),
            ("is_view", Json::Bool(false)),
        ],
        ..Case::new(
            "list_workspaces",
            &[("project_id", PROJECT_ID)],
            Json::Obj(vec![
                ("count", Json::Int(1)),
                (
                    "workspaces",
                    Json::Arr(vec![Json::Obj(vec![
                        ("id", Json::text(WORKSPACE_ID)),
                        ("name", Json::text(WORKSPACE_ID)),
                    ])]),
                ),
            ]),
        )
    };
    let workspace = Case::new(
        "show_workspace",
        &workspace,
        Json::Obj(vec![(
            "workspace",
            Json::Obj(vec![
                ("id", Json::text(WORKSPACE_ID)),
                ("project_id", Json::text(PROJECT_ID)),
            ]),
        )]),
    );
    // The simulator has no behaviour for versions: its answer is made from
    // the document, in the service's envelope.
    let version = Case::new(
        "show_workflow_version",
        &[
            ("project_id", PROJECT_ID),
            ("workspace_id", WORKSPACE_ID),
            ("version_id", "v-1"),
        ],
        Json::Obj(vec![("success", Json::Bool(true))]),
    );
    vec![
        workspaces, workspace, filtered, page, show, version, export, import,
    ]
}

/// The operations the cases call, in their order, once each.
pub fn operations() -> Vec<&'static str> {
    let mut found: Vec<&'static str> = Vec::new();
    for case in cases(&[]) {
        if !found.contains(&case.operation) {
            found.push(case.operation);
        }
    }
    found
}

/// Writes `cases.json` under `layout.run`, for the simulator's seeded
/// workflow ids and the document's operations (what a driver needs to call
/// one: method, path template, and whether it is a simple JSON GET).
pub fn write(layout: &Layout, seeded: &[String], operations: &[Operation]) -> Result<(), String> {
    let operations = operations
        .iter()
        .map(|op| {
            Json::Obj(vec![
                ("operation", Json::text(&op.id)),
                ("method", Json::text(&op.method)),
                ("template", Json::text(&op.template)),
                ("simple_get", Json::Bool(op.simple_get)),
            ])
        })
        .collect();
    let cases = Json::Obj(vec![
        ("project_id", Json::text(PROJECT_ID)),
        ("workspace_id", Json::text(WORKSPACE_ID)),
        ("token", Json::text(TOKEN)),
        ("ak", Json::text(FAKE_AK)),
        ("sk", Json::text(FAKE_SK)),
        ("seeded", strings(seeded)),
        ("operations", Json::Arr(operations)),
        (
            "calls",
            Json::Arr(cases(seeded).iter().map(Case::json).collect()),
        ),
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
