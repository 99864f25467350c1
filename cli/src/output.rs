//! Writing the exported file: to a temporary file that becomes the output
//! only once the whole body has arrived and is on disk, or to standard
//! output.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use secmaster_client::WorkflowFile;

use crate::exit::Failure;
use crate::progress::Progress;

/// Bytes gathered before a write: fewer system calls for small pieces,
/// constant memory whatever the size of the file. Smaller than the pieces
/// hyper usually hands over (about 145 KiB), so those go straight to the
/// file instead of being copied into the buffer first (BENCHMARKS.md,
/// finding 2).
const WRITE_BUFFER: usize = 64 * 1024;

/// A temporary file beside the output. It is removed when dropped, unless it
/// was [`persist`]ed: an error, a panic or an interrupt that drops the
/// download never leaves it behind.
pub struct TempFile {
    path: PathBuf,
    file: Option<File>,
    keep: bool,
}

impl TempFile {
    /// Creates `.<name>.<pid>.<n>.secmaster-part` in `dir` (never an
    /// existing file). `dir` must be the output's directory, so that the
    /// final rename stays on one file system.
    pub fn create_in(dir: &Path, name: &str) -> Result<Self, Failure> {
        // Short enough that the decorated name fits in 255 bytes.
        let mut end = name.len().min(150);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let name = &name[..end];
        let mut n = 0u32;
        loop {
            let path = dir.join(format!(".{name}.{}.{n}.secmaster-part", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file: Some(file),
                        keep: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && n < 100 => n += 1,
                Err(e) => {
                    return Err(Failure::io(
                        format!("cannot create a temporary file in {}", dir.display()),
                        &e,
                    ));
                }
            }
        }
    }

    /// Where the temporary file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The directory a path is in (`.` for a bare name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// True when something (a file, a directory, even a dangling link) has the
/// name `path`.
pub fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// The refusal when the output exists and `--force` was not given.
pub fn exists_failure(path: &Path) -> Failure {
    Failure::Io(format!(
        "{} already exists; nothing was changed (use --force to replace it)",
        path.display()
    ))
}

/// Streams `file` into `temp`, flushes it to disk and puts it at `output`.
/// Returns the byte count. On error `temp` is dropped, and so removed.
pub async fn save(
    mut file: WorkflowFile,
    mut temp: TempFile,
    output: &Path,
    force: bool,
    progress: &Progress,
) -> Result<u64, Failure> {
    let handle = temp.file.take().expect("a new temporary file is open");
    let shown = temp.path.display().to_string();
    let what = || format!("cannot write {shown}");
    let mut writer = BufWriter::with_capacity(WRITE_BUFFER, handle);
    // Plain blocking writes: the runtime has this one task, and a write to
    // the page cache costs less than handing each piece to another thread.
    while let Some(chunk) = file.next_chunk().await? {
        writer
            .write_all(&chunk)
            .map_err(|e| Failure::io(what(), &e))?;
        progress.advance(chunk.len());
    }
    let handle = writer
        .into_inner()
        .map_err(|e| Failure::io(what(), e.error()))?;
    let received = file.bytes_received();
    progress.syncing();
    // The flush to disk can take seconds for a large file: off the runtime's
    // thread, so that an interrupt is still handled meanwhile.
    let synced = tokio::task::spawn_blocking(move || handle.sync_all().map(|()| handle)).await;
    let handle = match synced {
        Ok(result) => result.map_err(|e| Failure::io(format!("cannot flush {shown}"), &e))?,
        Err(e) => return Err(Failure::Io(format!("flushing the file failed: {e}"))),
    };
    drop(handle);
    persist(&mut temp, output, force)?;
    sync_dir(&parent_dir(output));
    Ok(received)
}

/// Gives the complete temporary file the output's name.
///
/// With `--force`, `rename` replaces whatever is there in one step.
///
/// Without it, the name must not be taken, and checking first and renaming
/// after would let a file created in between be overwritten. `rename` always
/// replaces, so a hard link is made instead: `link(2)` fails with `EEXIST`
/// when the name exists, atomically, in the kernel. The temporary name is
/// then removed, leaving the one file under the output's name. Where the file
/// system has no hard links (some network and FAT file systems), the check
/// and the rename are done separately: the only fallback std offers without
/// platform-specific code, with a race window of microseconds.
fn persist(temp: &mut TempFile, output: &Path, force: bool) -> Result<(), Failure> {
    let failed = |e: &io::Error| {
        Failure::io(
            format!(
                "cannot move {} to {}",
                temp.path.display(),
                output.display()
            ),
            e,
        )
    };
    if force {
        fs::rename(&temp.path, output).map_err(|e| failed(&e))?;
        temp.keep = true;
        return Ok(());
    }
    match fs::hard_link(&temp.path, output) {
        Ok(()) => {
            // The output is in place; the temporary name goes, as it would
            // on drop, but an error here must not fail a saved export.
            let _ = fs::remove_file(&temp.path);
            temp.keep = true;
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists_failure(output)),
        Err(e) if links_unsupported(&e) => {
            if exists(output) {
                return Err(exists_failure(output));
            }
            fs::rename(&temp.path, output).map_err(|e| failed(&e))?;
            temp.keep = true;
            Ok(())
        }
        Err(e) => Err(failed(&e)),
    }
}

/// `link(2)` errors that mean "this file system has no hard links".
fn links_unsupported(e: &io::Error) -> bool {
    // EPERM (FAT, some FUSE), EMLINK, ENOSYS, EOPNOTSUPP on Linux.
    e.kind() == io::ErrorKind::Unsupported
        || (cfg!(target_os = "linux") && matches!(e.raw_os_error(), Some(1 | 31 | 38 | 95)))
}

/// Makes the rename durable: the directory entry is on disk too. Best
/// effort: some platforms and file systems cannot sync a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Streams `file` into `out` (standard output, a device, a pipe), which
/// `what` names in errors. Returns the byte count.
pub async fn stream_to(
    mut file: WorkflowFile,
    out: impl Write,
    what: &str,
    progress: &Progress,
) -> Result<u64, Failure> {
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, out);
    let failed = |e: &io::Error| Failure::io(format!("cannot write to {what}"), e);
    while let Some(chunk) = file.next_chunk().await? {
        out.write_all(&chunk).map_err(|e| failed(&e))?;
        progress.advance(chunk.len());
    }
    out.flush().map_err(|e| failed(&e))?;
    Ok(file.bytes_received())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("secmaster-cli-unit-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn temp_file_is_removed_on_drop() {
        let dir = scratch("drop");
        let temp = TempFile::create_in(&dir, "out.bin").unwrap();
        let path = temp.path().to_owned();
        assert!(path.exists());
        assert!(
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".out.bin.")
        );
        drop(temp);
        assert!(!path.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn persist_without_force_never_replaces() {
        let dir = scratch("persist");
        let output = dir.join("out.bin");
        fs::write(&output, b"old").unwrap();
        let mut temp = TempFile::create_in(&dir, "out.bin").unwrap();
        fs::write(temp.path(), b"new").unwrap();
        let err = persist(&mut temp, &output, false).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        assert_eq!(fs::read(&output).unwrap(), b"old");
        persist(&mut temp, &output, true).unwrap();
        assert_eq!(fs::read(&output).unwrap(), b"new");
        drop(temp);
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
