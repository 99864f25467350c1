//! Saving a file or a directory all or nothing: the one implementation
//! behind [`WorkflowFile::save_to_path`](crate::WorkflowFile::save_to_path),
//! [`PartFile`] for callers that write a file themselves (the `secmaster`
//! command is one), and [`PartDir`] for a directory of files written
//! together (a backup).
//!
//! The bytes go to a hidden part file or directory beside the target
//! (`.<name>.<pid>.<n>.secmaster-part`), which is flushed to disk and only
//! then given the target's name; the directory holding it is flushed too.
//! On any error, and when a [`PartFile`] or [`PartDir`] is dropped
//! unfinished, the part is removed. A part that a killed process left
//! behind is removed by the next save to the same name.

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

/// A directory being filled, all or nothing: made beside its target, filled
/// with files through [`PartDir::create_file`], and given the target's name
/// by [`PartDir::finish`] once every file is written. Until then the target
/// is untouched, so a process killed half-way leaves no directory that
/// looks complete; the next `PartDir` for the same target removes the
/// leftover. Dropping it unfinished removes it.
///
/// ```no_run
/// use std::io::Write;
/// use std::path::Path;
///
/// use secmaster_client::save::PartDir;
///
/// # fn main() -> std::io::Result<()> {
/// let target = Path::new("backup-2026-01-01");
/// let part = PartDir::create_beside(target)?;
/// part.create_file(Path::new("workflows/one.json"))?.write_all(b"{}")?;
/// part.create_file(Path::new("manifest.json"))?.write_all(b"{}")?;
/// // Every file and directory reaches the disk, then the name changes.
/// part.finish(target)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct PartDir {
    path: PathBuf,
    done: bool,
}

impl PartDir {
    /// Creates a hidden part directory beside `target` (in its parent, so
    /// that the final rename stays on one file system), after removing the
    /// part directories of `target` whose process is gone.
    pub fn create_beside(target: &Path) -> io::Result<Self> {
        let name = target
            .file_name()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{} does not name a directory", target.display()),
                )
            })?
            .to_string_lossy()
            .into_owned();
        let name = shortened(&name);
        let dir = parent_dir(target);
        remove_stale(&dir, name);
        let pid = std::process::id();
        for n in 0..100u32 {
            let path = dir.join(format!(".{name}.{pid}.{n}{SUFFIX}"));
            match fs::create_dir(&path) {
                Ok(()) => return Ok(PartDir { path, done: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "100 part directories of this name exist already",
        ))
    }

    /// Where the part directory is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the new file `relative` inside, with the directories that
    /// lead to it. `relative` must be a relative path of plain names (no
    /// `..`, no root); an existing file is an error.
    pub fn create_file(&self, relative: &Path) -> io::Result<File> {
        use std::path::Component;
        let plain = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !plain || relative.as_os_str().is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a plain relative path", relative.display()),
            ));
        }
        let path = self.path.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        OpenOptions::new().write(true).create_new(true).open(path)
    }

    /// Flushes every file and directory inside to disk, then gives the part
    /// directory the name `target`, which must not exist or be an empty
    /// directory (replaced in the same step); anything else is an error and
    /// the part directory is removed. Blocks: call it off an async
    /// runtime's threads.
    pub fn finish(mut self, target: &Path) -> io::Result<()> {
        sync_tree(&self.path)?;
        // rename(2) replaces an empty directory and refuses any other.
        fs::rename(&self.path, target).map_err(|e| match e.kind() {
            io::ErrorKind::DirectoryNotEmpty | io::ErrorKind::AlreadyExists => io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists and is not empty", target.display()),
            ),
            _ => e,
        })?;
        self.done = true;
        sync_dir(&parent_dir(target));
        Ok(())
    }
}

impl Drop for PartDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Flushes every file below `dir`, then each directory after what it holds
/// (best effort, as for a single file's directory).
fn sync_tree(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_tree(&entry.path())?;
        } else {
            File::open(entry.path())?.sync_all()?;
        }
    }
    sync_dir(dir);
    Ok(())
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

/// Removes `.<name>.<pid>.<n>.secmaster-part` files and directories in
/// `dir` whose process is gone. Only where a process table can be read (`/proc`); elsewhere they
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
            match entry.file_type() {
                Ok(t) if t.is_dir() => drop(fs::remove_dir_all(entry.path())),
                _ => drop(fs::remove_file(entry.path())),
            }
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
    #[test]
    fn a_part_dir_gets_its_name_only_when_finished() {
        let dir = scratch("partdir");
        let target = dir.join("backup");
        let part = PartDir::create_beside(&target).unwrap();
        part.create_file(Path::new("a/b.json"))
            .unwrap()
            .write_all(b"{}")
            .unwrap();
        assert!(!target.exists());
        for bad in ["../x", "/etc/x", "", "a/../../x"] {
            let err = part.create_file(Path::new(bad)).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad}");
        }
        part.finish(&target).unwrap();
        assert_eq!(fs::read(target.join("a/b.json")).unwrap(), b"{}");
        assert_eq!(names(&dir), ["backup"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_part_dir_replaces_only_an_empty_directory() {
        let dir = scratch("partdir-target");
        let target = dir.join("backup");
        fs::create_dir(&target).unwrap();
        let part = PartDir::create_beside(&target).unwrap();
        part.create_file(Path::new("one")).unwrap();
        part.finish(&target).unwrap();
        assert_eq!(names(&target), ["one"]);
        // Now it holds a file: the next one is refused and removed.
        let part = PartDir::create_beside(&target).unwrap();
        let err = part.finish(&target).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists, "{err}");
        assert_eq!(names(&dir), ["backup"]);
        assert_eq!(names(&target), ["one"]);
        // Dropped unfinished: removed.
        drop(PartDir::create_beside(&target).unwrap());
        assert_eq!(names(&dir), ["backup"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn part_dirs_of_dead_processes_are_removed() {
        let dir = scratch("stale-dir");
        let stale = dir.join(".backup.4999999.0.secmaster-part");
        fs::create_dir_all(stale.join("workflows")).unwrap();
        fs::write(stale.join("workflows/x"), b"x").unwrap();
        let part = PartDir::create_beside(&dir.join("backup")).unwrap();
        assert!(!stale.exists());
        drop(part);
        assert!(names(&dir).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }
}
