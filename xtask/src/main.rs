//! Workspace tasks: `cargo xtask <task>`.
//!
//! - `gen`: regenerate the checked-in code from `openapi/secmaster.yaml`.
//! - `gen --check`: write nothing; fail with a diff if the checked-in code is
//!   not what the document produces now.
#![forbid(unsafe_code)]

mod bench;
mod gen_task;
mod process;
mod spec;
mod venv;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <task>

tasks:
  gen            regenerate client/src/generated.rs and client/src/regions.rs from
                 openapi/secmaster.yaml
  gen --check    write nothing; exit 1 with a diff if the checked-in files are stale
  bench          benchmarks against curl and the official SDK, served by secmaster-sim
                 (see docs/benchmarks.md)
  bench --quick  the same harness, small and fast (CI: checks it still works)
  spec           check the document with standard OpenAPI tools, and every operation with
                 generated Python and TypeScript clients and the official SDK against the
                 Rust client's requests (installs pinned tools into .tools/ on first use)
  spec --spec F  the same for another copy of the document (to see a check fail)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["gen"] => gen_task::run(&workspace_root(), gen_task::Mode::Write),
        ["gen", "--check"] => gen_task::run(&workspace_root(), gen_task::Mode::Check),
        ["spec"] => spec::run(&workspace_root(), &workspace_root().join(gen_task::SPEC)),
        ["spec", "--spec", path] => spec::run(&workspace_root(), std::path::Path::new(path)),
        ["bench"] => bench::run(&workspace_root(), false),
        ["bench", "--quick"] => bench::run(&workspace_root(), true),
        ["help" | "--help" | "-h"] => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprint!("error: unknown arguments {args:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask lives one level below it.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}
