//! Help texts (snapshots in tests/snapshots/, one `.snap` file per command
//! line), the version, the manual page and shell completions.
//!
//! After changing a help text on purpose, accept the new text and review it:
//! `INSTA_UPDATE=always cargo test -p secmaster-cli --test cli help::`, then
//! `git diff cli/tests/snapshots` (or `cargo insta review`, when installed).

use crate::common::{Scratch, secmaster, shell, stderr_of};

/// Snapshot name and command line.
const CASES: [(&str, &[&str]); 23] = [
    ("secmaster", &["--help"]),
    ("secmaster-short", &["-h"]),
    ("workflows", &["workflows", "--help"]),
    ("workflows-list", &["workflows", "list", "--help"]),
    ("workflows-show", &["workflows", "show", "--help"]),
    ("workflows-import", &["workflows", "import", "--help"]),
    ("workflows-export", &["workflows", "export", "--help"]),
    ("workflows-export-short", &["workflows", "export", "-h"]),
    ("completions", &["completions", "--help"]),
    ("help-subcommand", &["help", "workflows", "export"]),
    ("workspaces", &["workspaces", "--help"]),
    ("workspaces-list", &["workspaces", "list", "--help"]),
    ("workspaces-show", &["workspaces", "show", "--help"]),
    ("api", &["api", "--help"]),
    ("config", &["config", "--help"]),
    ("config-list", &["config", "list", "--help"]),
    ("man", &["man", "--help"]),
    ("backup", &["backup", "--help"]),
    ("backup-create", &["backup", "create", "--help"]),
    ("backup-describe", &["backup", "describe", "--help"]),
    ("backup-verify", &["backup", "verify", "--help"]),
    ("restore", &["restore", "--help"]),
    ("workflows-diff", &["workflows", "diff", "--help"]),
];

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

/// Snapshot files named after the case alone (`workflows-list.snap`), with
/// the command line as their description.
fn settings(args: &[&str]) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!("secmaster {}", args.join(" ")));
    settings
}

/// One test per help text, so that a failure names the command.
macro_rules! help_snapshots {
    ($($test:ident: $index:expr;)*) => {$(
        #[test]
        fn $test() {
            let (name, args) = CASES[$index];
            let text = help(args, "100");
            // Snapshots ignore trailing white space; the text ends in one
            // line break, no more.
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{args:?}");
            settings(args).bind(|| insta::assert_snapshot!(name, text));
        }
    )*};
}

help_snapshots! {
    root_help: 0;
    root_short_help: 1;
    workflows_help: 2;
    list_help: 3;
    show_help: 4;
    import_help: 5;
    export_help: 6;
    export_short_help: 7;
    completions_help: 8;
    help_subcommand: 9;
    workspaces_help: 10;
    workspaces_list_help: 11;
    workspaces_show_help: 12;
    api_help: 13;
    config_help: 14;
    config_list_help: 15;
    man_help: 16;
    backup_help: 17;
    backup_create_help: 18;
    backup_describe_help: 19;
    backup_verify_help: 20;
    restore_help: 21;
    diff_help: 22;
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
fn every_command_help_lists_the_exit_codes() {
    let commands: [&[&str]; 13] = [
        &["workflows", "list"],
        &["workflows", "show"],
        &["workflows", "import"],
        &["workflows", "export"],
        &["workspaces", "list"],
        &["workspaces", "show"],
        &["api"],
        &["config", "list"],
        &["backup", "create"],
        &["backup", "describe"],
        &["backup", "verify"],
        &["restore"],
        &["workflows", "diff"],
    ];
    for command in commands {
        let text = help(&[command, &["--help"]].concat(), "100");
        for line in [
            "  1    workflows diff: the two differ;",
            "  2    usage error",
            "  3    authentication or authorisation refused",
            "  4    any other error answer",
            "  5    network error",
            "  6    local I/O error",
        ] {
            assert!(text.contains(line), "{command:?}: {line:?} missing");
        }
    }
}

/// The package's version, and the commit when built from a git checkout
/// (as these tests are, when git is there to ask).
#[test]
fn version() {
    let dir = Scratch::new("version");
    let output = secmaster(dir.path()).arg("--version").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let plain = format!("secmaster {}\n", env!("CARGO_PKG_VERSION"));
    let head = std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_owned());
    let Some(head) = head else {
        assert_eq!(text, plain);
        return;
    };
    let commit = text
        .strip_prefix(&format!("secmaster {} (", env!("CARGO_PKG_VERSION")))
        .and_then(|rest| rest.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("no commit in {text:?}"));
    assert!(
        commit.len() >= 7 && head.starts_with(commit),
        "{commit} is not HEAD ({head})"
    );
}

#[test]
fn the_manual_page_is_roff_naming_every_command() {
    let dir = Scratch::new("man");
    let page = |args: &[&str]| {
        let output = secmaster(dir.path())
            .arg("man")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let root = page(&[]);
    assert!(root.contains("\n.TH secmaster 1 "), "{root}");
    assert!(
        root.contains("\n.SH NAME\nsecmaster \\- Command\\-line client"),
        "{root}"
    );
    for command in [
        "workflows",
        "workspaces",
        "api",
        "config",
        "man",
        "completions",
    ] {
        assert!(
            root.contains(&format!("\nsecmaster\\-{command}(1)\n")),
            "{command}"
        );
    }
    // A command's own page: its options, and the settings' help.
    let export = page(&["workflows", "export"]);
    assert!(
        export.contains("\n.TH secmaster-workflows-export 1 "),
        "{export}"
    );
    for text in ["\\-\\-ids\\-file", "\\-\\-profile", "SECMASTER_PROFILE"] {
        assert!(export.contains(text), "{text}: {export}");
    }
    let output = secmaster(dir.path())
        .args(["man", "workflow"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr_of(&output),
        "error: no command \"workflow\" in secmaster: there are workflows, workspaces, backup, \
         restore, api, config, man, completions\n"
    );
}

#[test]
fn completions_for_each_shell() {
    let dir = Scratch::new("completions");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = secmaster(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains("secmaster"), "{shell}");
        assert!(script.contains("ids-file"), "{shell}");
    }
}

// `generate` panicked (exit 101) when standard output refused the script.
#[cfg(target_os = "linux")]
#[test]
fn completions_report_a_write_error() {
    let dir = Scratch::new("completions-full");
    let output = shell(dir.path(), "\"$0\" completions bash > /dev/full")
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
}
