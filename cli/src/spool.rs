//! `workflows import -`: standard input copied to a private temporary
//! file first, since an upload needs its length before it begins.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::exit::Failure;

/// The most copied from standard input. The API gateway refuses request
/// bodies over 12 MB; a private endpoint may take more.
pub const MAX_SPOOL: u64 = 64 * 1024 * 1024;

/// The name of the copy, which the upload sends as the file's name.
const NAME: &str = "standard-input";

/// A copy of standard input in a directory of its own, readable by this
/// user alone, in the temporary directory (`TMPDIR`, else `/tmp`). Both are
/// removed when it is dropped: after the import, on an error, and when a
/// signal stops the command (the caller catches them). Only a process
/// killed outright (SIGKILL) leaves them behind.
pub struct Spool {
    dir: PathBuf,
    file: PathBuf,
}

impl Spool {
    /// Copies standard input, at most [`MAX_SPOOL`] bytes. The copy runs on
    /// a thread of its own, so that a signal is handled while standard
    /// input has nothing to read yet.
    pub async fn stdin() -> Result<Spool, Failure> {
        let spool = Spool::create()?;
        let file = spool.create_file()?;
        let (done, copied) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let mut file = file;
            let mut input = std::io::stdin().lock().take(MAX_SPOOL + 1);
            let _ = done.send(std::io::copy(&mut input, &mut file));
        });
        let failed = |e: &std::io::Error| Failure::io("cannot read standard input", e);
        let copied = copied
            .await
            .map_err(|_| Failure::Io("cannot read standard input: the copy stopped".into()))?
            .map_err(|e| failed(&e))?;
        if copied > MAX_SPOOL {
            return Err(Failure::Io(format!(
                "standard input holds more than the limit of {} MiB",
                MAX_SPOOL / (1024 * 1024)
            )));
        }
        Ok(spool)
    }

    /// The copy.
    pub fn path(&self) -> &Path {
        &self.file
    }

    /// A new directory, `secmaster-import.<pid>.<n>`: a name taken already
    /// (by anyone) is skipped, never reused.
    fn create() -> Result<Spool, Failure> {
        let temp = std::env::temp_dir();
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        let mut last = None;
        for n in 0..100 {
            let dir = temp.join(format!("secmaster-import.{}.{n}", std::process::id()));
            match builder.create(&dir) {
                Ok(()) => {
                    let file = dir.join(NAME);
                    return Ok(Spool { dir, file });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                Err(e) => return Err(Self::failed(&temp, &e)),
            }
        }
        let e = last.unwrap_or_else(|| std::io::ErrorKind::AlreadyExists.into());
        Err(Self::failed(&temp, &e))
    }

    fn create_file(&self) -> Result<File, Failure> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&self.file)
            .map_err(|e| Self::failed(&self.dir, &e))
    }

    fn failed(dir: &Path, e: &std::io::Error) -> Failure {
        Failure::io(
            format!(
                "cannot copy standard input to a temporary file in {}",
                crate::exit::shown(dir)
            ),
            e,
        )
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
        let _ = std::fs::remove_dir(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_private_and_goes_away() {
        let spool = Spool::create().unwrap();
        let file = spool.create_file().unwrap();
        drop(file);
        let dir = spool.dir.clone();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o700);
            assert_eq!(mode(spool.path()), 0o600);
        }
        // A second one gets a directory of its own.
        let other = Spool::create().unwrap();
        assert_ne!(other.dir, dir);
        drop(spool);
        assert!(!dir.exists());
    }
}
