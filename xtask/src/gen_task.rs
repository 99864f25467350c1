//! `cargo xtask gen` and `cargo xtask gen --check`.

use std::fs;
use std::io::Write;
use std::path::Path;

use secmaster_codegen::GeneratedFile;

/// The document, relative to the workspace root.
pub const SPEC: &str = "openapi/secmaster.yaml";

pub enum Mode {
    Write,
    Check,
}

pub fn run(root: &Path, mode: Mode) -> Result<(), String> {
    // Everything is generated in memory first: a document that fails to
    // generate leaves every checked-in file as it was.
    let files = secmaster_codegen::generate(&root.join(SPEC), SPEC).map_err(|e| e.to_string())?;
    match mode {
        Mode::Write => {
            for file in &files {
                let path = root.join(file.path);
                if fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
                    println!("unchanged {}", file.path);
                    continue;
                }
                write_atomically(&path, &file.contents)
                    .map_err(|e| format!("{}: cannot write: {e}", file.path))?;
                println!("wrote {} ({} bytes)", file.path, file.contents.len());
            }
            Ok(())
        }
        Mode::Check => check(root, &files),
    }
}

fn check(root: &Path, files: &[GeneratedFile]) -> Result<(), String> {
    let mut stale = Vec::new();
    for file in files {
        let current = match fs::read_to_string(root.join(file.path)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("{}: cannot read: {e}", file.path)),
        };
        if current != file.contents {
            let diff = similar::TextDiff::from_lines(&current, &file.contents);
            print!(
                "{}",
                diff.unified_diff().context_radius(3).header(
                    &format!("a/{} (checked in)", file.path),
                    &format!("b/{} (from {SPEC})", file.path)
                )
            );
            stale.push(file.path);
        }
    }
    if stale.is_empty() {
        println!("generated code is up to date with {SPEC}");
        Ok(())
    } else {
        Err(format!(
            "stale generated code: {} (diff above); run `cargo xtask gen` and commit the result",
            stale.join(", ")
        ))
    }
}

/// Writes all or nothing: a temporary file beside the target, flushed, then
/// renamed over it; a failure leaves the old file. Standard library only, so
/// that xtask builds whatever state the crates it generates into are in (a
/// renamed operation must not stop `cargo xtask gen` from running).
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let name = path.file_name().expect("a file name").to_string_lossy();
    let temporary = path.with_file_name(format!(".{name}.xtask-{}", std::process::id()));
    let written = fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(contents.as_bytes())
                .and_then(|()| file.sync_all())
        })
        .and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch workspace holding a copy of the document and the output dirs.
    fn scratch(document: &str) -> std::path::PathBuf {
        let root = std::env::temp_dir().join(format!(
            "xtask-gen-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        for dir in ["openapi", "client/src", "tests/src"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        fs::write(root.join(SPEC), document).unwrap();
        root
    }

    fn real_document() -> String {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        fs::read_to_string(root.join(SPEC)).unwrap()
    }

    #[test]
    fn gen_writes_then_check_passes_and_a_second_gen_changes_nothing() {
        let root = scratch(&real_document());
        run(&root, Mode::Write).unwrap();
        let first = fs::read(root.join(secmaster_codegen::CLIENT_OUTPUT)).unwrap();
        run(&root, Mode::Check).unwrap();
        run(&root, Mode::Write).unwrap();
        assert_eq!(
            fs::read(root.join(secmaster_codegen::CLIENT_OUTPUT)).unwrap(),
            first
        );
        let mut names: Vec<_> = fs::read_dir(root.join("client/src"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["generated.rs", "operations.rs", "regions.rs"],
            "no temporary file is left"
        );
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn check_fails_on_stale_code_and_writes_nothing() {
        let root = scratch(&real_document());
        run(&root, Mode::Write).unwrap();
        let edited = real_document().replace("ID of the SecMaster workspace.", "Workspace.");
        fs::write(root.join(SPEC), edited).unwrap();
        let before = fs::read(root.join(secmaster_codegen::OPERATIONS_OUTPUT)).unwrap();
        let err = run(&root, Mode::Check).unwrap_err();
        assert!(
            err.contains("stale generated code: client/src/operations.rs"),
            "{err}"
        );
        assert_eq!(
            fs::read(root.join(secmaster_codegen::OPERATIONS_OUTPUT)).unwrap(),
            before
        );
        run(&root, Mode::Write).unwrap();
        run(&root, Mode::Check).unwrap();
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_bad_document_leaves_checked_in_files_untouched() {
        let root = scratch(&real_document());
        run(&root, Mode::Write).unwrap();
        let before = fs::read(root.join(secmaster_codegen::CLIENT_OUTPUT)).unwrap();
        for (bad, expected) in [
            ("openapi: 3.0.3\npaths: [\n", "openapi/secmaster.yaml:"),
            ("openapi: 3.1.0\n", "not an OpenAPI 3.0.x document"),
        ] {
            fs::write(root.join(SPEC), bad).unwrap();
            let err = run(&root, Mode::Write).unwrap_err();
            assert!(err.contains(expected), "{err}");
            assert_eq!(
                fs::read(root.join(secmaster_codegen::CLIENT_OUTPUT)).unwrap(),
                before
            );
        }
        fs::remove_file(root.join(SPEC)).unwrap();
        let err = run(&root, Mode::Write).unwrap_err();
        assert!(
            err.starts_with("openapi/secmaster.yaml: cannot read"),
            "{err}"
        );
        fs::remove_dir_all(root).unwrap();
    }
}
