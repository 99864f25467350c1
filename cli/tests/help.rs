//! Help texts, compared with the files under tests/snapshots/ byte for byte.
//!
//! After changing a help text on purpose:
//! `UPDATE_SNAPSHOTS=1 cargo test -p secmaster-cli --test help`.

mod common;

use std::path::PathBuf;

use common::{Scratch, secmaster};

const CASES: [(&str, &[&str]); 10] = [
    ("secmaster.txt", &["--help"]),
    ("secmaster-short.txt", &["-h"]),
    ("workflows.txt", &["workflows", "--help"]),
    ("workflows-list.txt", &["workflows", "list", "--help"]),
    ("workflows-show.txt", &["workflows", "show", "--help"]),
    ("workflows-import.txt", &["workflows", "import", "--help"]),
    ("workflows-export.txt", &["workflows", "export", "--help"]),
    ("workflows-export-short.txt", &["workflows", "export", "-h"]),
    ("completions.txt", &["completions", "--help"]),
    ("help-subcommand.txt", &["help", "workflows", "export"]),
];

fn snapshot(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name)
}

fn help(args: &[&str], columns: &str) -> String {
    let dir = Scratch::new("help");
    let output = secmaster(dir.path())
        .env("COLUMNS", columns)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{args:?}");
    assert!(output.stderr.is_empty(), "{args:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn help_matches_the_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v != "0");
    let mut stale = Vec::new();
    for (name, args) in CASES {
        let actual = help(args, "100");
        let path = snapshot(name);
        if update {
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_SNAPSHOTS=1 creates it)", path.display()));
        if actual != expected {
            stale.push(format!(
                "--- {name} (expected)\n{expected}\n--- {args:?} (actual)\n{actual}"
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "help differs; if intended, run UPDATE_SNAPSHOTS=1 cargo test -p secmaster-cli --test help\n{}",
        stale.join("\n")
    );
}

#[test]
fn help_does_not_depend_on_the_terminal_width() {
    for (_, args) in CASES {
        let wide = help(args, "250");
        assert_eq!(help(args, "40"), wide, "{args:?}");
        assert_eq!(help(args, "100"), wide, "{args:?}");
    }
}

#[test]
fn export_help_lists_the_exit_codes() {
    let text = help(&["workflows", "export", "--help"], "100");
    for line in [
        "  2    usage error",
        "  3    authentication or authorisation refused",
        "  4    any other error answer",
        "  5    network error",
        "  6    local I/O error",
    ] {
        assert!(text.contains(line), "{line:?} missing");
    }
}

#[test]
fn version() {
    let dir = Scratch::new("version");
    let output = secmaster(dir.path()).arg("--version").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("secmaster {}\n", env!("CARGO_PKG_VERSION"))
    );
}
