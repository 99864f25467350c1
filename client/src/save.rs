//! Saving a file all or nothing: the one implementation behind
//! [`WorkflowFile::save_to_path`](crate::WorkflowFile::save_to_path), and
//! [`PartFile`] for callers that write the file themselves (the `secmaster`
//! command is one).
//!
//! The bytes go to a hidden part file in the target's directory
//! (`.<name>.<pid>.<n>.secmaster-part`), which is flushed to disk and only
//! then given the target's name; the directory is flushed too. On any error,
//! and when a [`PartFile`] is dropped unfinished, the part file is removed.
//! A part file that a killed process left behind is removed by the next save
//! to the same name.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

/// What happens when the target exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Overwrite {
    /// Fail with [`io::ErrorKind::AlreadyExists`]; the check and the naming
    /// are one atomic step (a hard link), so a file created meanwhile is
    /// never replaced.
    Never,
    /// Replace it in one step (`rename`), keeping its permissions and, where
    /// the process may, its owner.
    #[doc(alias = "Always")]
    Replace,
}

const SUFFIX: &str = ".secmaster-part";

/// A part file being written, for savers that
/// [`WorkflowFile::save_to_path`](crate::WorkflowFile::save_to_path) does not
/// fit: made before the request is sent, so that a directory that cannot be
/// written costs no request; filled as the caller likes (showing progress,
/// say); given its name at the end. Dropping it unfinished removes it.
///
/// ```no_run
/// use std::io::Write;
/// use std::path::Path;
///
/// use secmaster_client::SecMasterClient;
/// use secmaster_client::save::{Overwrite, PartFile};
///
/// # async fn run(client: SecMasterClient) -> Result<(), Box<dyn std::error::Error>> {
/// // Before sending: a directory that cannot be written fails here.
/// let mut part = PartFile::create_in(Path::new("backups"), "flows.zip")?;
/// let mut file = client
///     .export_workflows("<project_id>", "<workspace_id>", &["<workflow_id>"])
///     .await?;
/// while let Some(chunk) = file.next_chunk().await? {
///     part.file().write_all(&chunk)?;
///     eprintln!("{} bytes", file.bytes_received());
/// }
/// // Blocks while the file reaches the disk.
/// part.finish(Path::new("backups/flows.zip"), Overwrite::Never)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct PartFile {
    path: PathBuf,
    file: Option<File>,
    done: bool,
}

impl PartFile {
    /// Creates a new part file for a target named `name` in `dir` (the
    /// target's own directory, so that the final rename stays on one file
    /// system). Part files of `name` left by processes that no longer run
    /// are removed first.
    pub fn create_in(dir: &Path, name: &str) -> io::Result<Self> {
        let name = shortened(name);
        remove_stale(dir, name);
        let pid = std::process::id();
        for n in 0..100u32 {
            let path = dir.join(format!(".{name}.{pid}.{n}{SUFFIX}"));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(PartFile {
                        path,
                        file: Some(file),
                        done: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "100 part files of this name exist already",
        ))
    }

    /// Where the part file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open file, to write to.
    pub fn file(&mut self) -> &mut File {
        self.file.as_mut().expect("open until finished")
    }

    /// Flushes the part file to disk and gives it the name `target`. This
    /// blocks (a large file can take seconds to reach the disk): call it off
    /// an async runtime's threads.
    pub fn finish(mut self, target: &Path, overwrite: Overwrite) -> io::Result<()> {
        let file = self.file.take().expect("open until finished");
        file.sync_all()?;
        if overwrite == Overwrite::Replace {
            keep_owner_and_mode(&file, target);
        }
        drop(file);
        match overwrite {
            Overwrite::Replace => fs::rename(&self.path, target)?,
            Overwrite::Never => match fs::hard_link(&self.path, target) {
                // The target is in place; the part name goes (as on drop).
                Ok(()) => {}
                // Some file systems (FAT, some network ones) have no hard
                // links: check, then rename. The only fallback std offers;
                // its race window is microseconds.
                Err(e) if links_unsupported(&e) => {
                    if fs::symlink_metadata(target).is_ok() {
                        return Err(io::ErrorKind::AlreadyExists.into());
                    }
                    fs::rename(&self.path, target)?;
                }
                Err(e) => return Err(e),
            },
        }
        self.done = overwrite == Overwrite::Replace;
        sync_dir(&parent_dir(target));
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        drop(self.file.take());
        if !self.done {
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

/// Part names stay short enough that the decorated name fits in 255 bytes.
fn shortened(name: &str) -> &str {
    let mut end = name.len().min(150);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// A replacement keeps the permissions of the file it replaces (a 0600 file
/// stays 0600) and, where the process may, its owner and group.
fn keep_owner_and_mode(part: &File, target: &Path) {
    let Ok(old) = fs::metadata(target) else {
        return; // nothing to replace: the part file keeps the umask's mode
    };
    if !old.is_file() {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Only root may give a file away; for others this fails, harmlessly.
        let _ = std::os::unix::fs::fchown(part, Some(old.uid()), Some(old.gid()));
    }
    let _ = part.set_permissions(old.permissions());
}

/// Removes `.<name>.<pid>.<n>.secmaster-part` files in `dir` whose process
/// is gone. Only where a process table can be read (`/proc`); elsewhere they
/// stay, and their names say what they are.
fn remove_stale(dir: &Path, name: &str) {
    let proc_root = Path::new("/proc/self");
    if !proc_root.exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(SUFFIX))
        else {
            continue;
        };
        let Some((pid, n)) = rest.split_once('.') else {
            continue;
        };
        let (Ok(pid), Ok(_)) = (pid.parse::<u32>(), n.parse::<u32>()) else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// `link(2)` errors that mean "this file system has no hard links".
fn links_unsupported(e: &io::Error) -> bool {
    // EPERM (FAT, some FUSE), EMLINK, ENOSYS, EOPNOTSUPP on Linux.
    e.kind() == io::ErrorKind::Unsupported
        || (cfg!(target_os = "linux") && matches!(e.raw_os_error(), Some(1 | 31 | 38 | 95)))
}

/// Makes the new name durable. Best effort: some platforms and file systems
/// cannot sync a directory.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("secmaster-save-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn dropped_part_files_are_removed() {
        let dir = scratch("drop");
        let part = PartFile::create_in(&dir, "out.bin").unwrap();
        assert!(part.path().exists());
        drop(part);
        assert!(names(&dir).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn never_overwrite_keeps_the_old_file() {
        let dir = scratch("never");
        let target = dir.join("out.bin");
        fs::write(&target, b"old").unwrap();
        let mut part = PartFile::create_in(&dir, "out.bin").unwrap();
        part.file().write_all(b"new").unwrap();
        let err = part.finish(&target, Overwrite::Never).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(names(&dir), ["out.bin"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_replacement_keeps_the_mode_of_the_file_it_replaces() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let target = dir.join("secret.bin");
        fs::write(&target, b"old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        let mut part = PartFile::create_in(&dir, "secret.bin").unwrap();
        part.file().write_all(b"new").unwrap();
        part.finish(&target, Overwrite::Replace).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(names(&dir), ["secret.bin"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn part_files_of_dead_processes_are_removed() {
        let dir = scratch("stale");
        // PIDs above the kernel's maximum (4194304) never run.
        let stale = dir.join(".out.bin.4999999.0.secmaster-part");
        let other_name = dir.join(".other.bin.4999999.0.secmaster-part");
        let live = dir.join(format!(".out.bin.{}.7.secmaster-part", std::process::id()));
        for p in [&stale, &other_name, &live] {
            fs::write(p, b"x").unwrap();
        }
        let part = PartFile::create_in(&dir, "out.bin").unwrap();
        assert!(!stale.exists());
        assert!(other_name.exists() && live.exists());
        drop(part);
        fs::remove_dir_all(&dir).unwrap();
    }
}
