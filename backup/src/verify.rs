//! Checking a backup against its manifest.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Problem};
use crate::files;
use crate::manifest::{MANIFEST, MAX_MANIFEST_BYTES, Manifest};

/// Reads and checks a backup's manifest alone (not the files it lists).
/// A missing or unreadable manifest is [`Error::Damaged`] naming it.
pub fn read_manifest(dir: &Path) -> Result<Manifest, Error> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io("read the backup", dir, e))?;
    if !meta.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{} is not a directory; a backup is one",
            dir.display()
        )));
    }
    let damaged = |what: String| {
        Error::Damaged(vec![Problem {
            file: MANIFEST.to_owned(),
            what,
        }])
    };
    let mut bytes = Vec::new();
    files::open_listed(dir, MANIFEST)
        .and_then(|f| f.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| damaged(files::describe(&e)))?;
    Manifest::from_json(&bytes).map_err(damaged)
}

/// Checks a whole backup: the manifest, then every file it lists (present,
/// a regular file, its size and SHA-256). Returns the manifest, or
/// [`Error::Damaged`] naming every bad file. Reads everything: call it off
/// an async runtime's threads.
pub fn verify(dir: &Path) -> Result<Manifest, Error> {
    let manifest = read_manifest(dir)?;
    let problems: Vec<Problem> = manifest
        .files()
        .filter_map(|listed| {
            files::check(dir, &listed).err().map(|what| Problem {
                file: listed.file.to_owned(),
                what,
            })
        })
        .collect();
    if problems.is_empty() {
        Ok(manifest)
    } else {
        Err(Error::Damaged(problems))
    }
}
