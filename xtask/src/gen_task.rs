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

/// Writes through a temporary file in the same directory and renames it into
/// place, so a reader never sees half a file and a failure leaves the old one.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path.parent().expect("generated files live in a directory");
    let name = path.file_name().expect("a file name").to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(contents.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
