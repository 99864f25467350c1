//! Where the exported file goes: decided and made ready before the request
//! is sent, then written as it streams in.
//!
//! A file is saved all or nothing through the library's
//! [`PartFile`](secmaster_client::save::PartFile); standard output and
//! devices are written directly, and every write error on them is reported.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use secmaster_client::WorkflowFile;
use secmaster_client::save::{Overwrite, PartFile, parent_dir};

use crate::exit::{Failure, shown};
use crate::progress::Progress;

/// Bytes gathered before a write: fewer system calls for small pieces,
/// constant memory whatever the size of the file. Smaller than the pieces
/// hyper usually hands over (about 145 KiB), so those go straight to the
/// file instead of being copied into the buffer first (docs/benchmarks.md,
/// finding 2).
const WRITE_BUFFER: usize = 64 * 1024;

/// The output, ready to receive the body.
pub enum Output {
    /// `--output -`.
    Stdout(File),
    /// `--output` names something that is neither a regular file nor a
    /// directory (`/dev/null`, a named pipe): written to directly, as there
    /// is nothing to replace atomically.
    Device(PathBuf, File),
    /// A regular file, new or replaced all at once.
    File(PathBuf, PartFile),
    /// An existing directory (or the current one without `--output`): the
    /// name comes from the response.
    Directory(Option<PathBuf>, PartFile),
}

impl Output {
    /// Opens what `--output` names, before anything is sent: a refusal (the
    /// file exists without `--force`, the directory is not writable) costs
    /// no request.
    pub fn prepare(output: Option<&Path>, force: bool) -> Result<Self, Failure> {
        let Some(path) = output else {
            return Output::directory(None);
        };
        if names_stdout(path) {
            // The file is the service's bytes: on a terminal they could move
            // the cursor or retitle the window, so only when asked twice.
            if io::stdout().is_terminal() && !force {
                return Err(Failure::Usage(
                    "standard output is a terminal, and the exported file is the service's raw \
                     bytes: redirect it (-o - > FILE, or into a pipe), or add --force to print it"
                        .into(),
                ));
            }
            return Ok(Output::Stdout(stdout_file()?));
        }
        // `Path` drops a trailing `/`, so `newdir/` would otherwise become a
        // file named `newdir`: a trailing separator always means a directory.
        if names_directory(path) && !path.is_dir() {
            // `exists` on `file/` is false (ENOTDIR): ask about `file`.
            let why = if path.components().as_path().exists() {
                "not a directory"
            } else {
                "no such directory"
            };
            return Err(Failure::Io(format!(
                "cannot save to {}: {why}",
                shown(path)
            )));
        }
        // `metadata` follows links: a link to a directory is a directory.
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Output::directory(Some(path.to_owned())),
            Ok(m) if !m.is_file() => {
                if names_closed_stream(path) {
                    return Err(Failure::Io(format!(
                        "cannot write to {}: it was closed when secmaster started",
                        shown(path)
                    )));
                }
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| Failure::io(format!("cannot open {}", shown(path)), &e))?;
                // A terminal by another name (/dev/tty, /dev/stderr) gets the
                // same rule as standard output.
                if file.is_terminal() && !force {
                    return Err(Failure::Usage(format!(
                        "{} is a terminal, and the exported file is the service's raw bytes: \
                         name a file, or add --force to print it",
                        shown(path)
                    )));
                }
                // A write of no bytes fails where a real one would (/dev/full),
                // so that the refusal costs no request.
                #[allow(clippy::unused_io_amount)]
                file.write(&[])
                    .map_err(|e| Failure::io(format!("cannot write to {}", shown(path)), &e))?;
                Ok(Output::Device(path.to_owned(), file))
            }
            found => {
                if found.is_ok() && !force {
                    return Err(exists_failure(path));
                }
                // A link: the file it points to is written (replaced with
                // --force), never the link, even when it points nowhere yet.
                let path = link_target(path)?;
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let part = create_part(&parent_dir(&path), name.as_deref().unwrap_or("export"))?;
                Ok(Output::File(path, part))
            }
        }
    }

    fn directory(dir: Option<PathBuf>) -> Result<Self, Failure> {
        let part = create_part(dir.as_deref().unwrap_or(Path::new(".")), "secmaster-export")?;
        Ok(Output::Directory(dir, part))
    }
}

/// True for `-` and the names of standard output itself (`/dev/stdout`,
/// `/dev/fd/1`, `/proc/self/fd/1`, however spelt or linked to; see
/// [`standard_descriptor`]): all are written as standard output is, with
/// its checks. Opening `/dev/stdout` after a closed standard output would
/// otherwise open the `/dev/null` put in its place.
fn names_stdout(path: &Path) -> bool {
    path.as_os_str() == "-" || standard_descriptor(path) == Some(1)
}

/// True for `-` and the other names of standard input (`/dev/stdin`,
/// `/dev/fd/0`, `/proc/self/fd/0`, however spelt or linked to): what
/// reads it, so that two options cannot both read it.
pub fn names_standard_input(path: &Path) -> bool {
    path.as_os_str() == "-" || standard_descriptor(path) == Some(0)
}

/// True for a name of standard input or error (`/dev/stderr`, `/dev/fd/2`,
/// `/proc/self/fd/2`, and the same for 0) when that descriptor was closed
/// at start-up: the name then opens the `/dev/null` put in its place, and
/// the file would be thrown away (Linux; see [`crate::closed_at_start`]).
fn names_closed_stream(path: &Path) -> bool {
    standard_descriptor(path).is_some_and(crate::closed_at_start::descriptor)
}

/// The standard descriptor (0, 1 or 2) that `path` names: `/dev/stdin`,
/// `/dev/stdout`, `/dev/stderr`, or `N` in `/dev/fd/`, `/proc/self/fd/`,
/// `/proc/thread-self/fd/` or this process's `/proc/<pid>/fd/`, spelt with
/// any `//` or `/./` (`/dev/./stderr`), or reached through symbolic links
/// (at most 40, the kernel's limit). Each name in the chain is compared,
/// not only the last, which is the file the descriptor holds.
fn standard_descriptor(path: &Path) -> Option<usize> {
    let pid = std::process::id().to_string();
    link_chain(path)?.iter().find_map(|name| {
        let plain: PathBuf = name.components().collect();
        let names: Vec<&str> = plain.iter().filter_map(|c| c.to_str()).collect();
        let number = match names.as_slice() {
            ["/", "dev", "stdin"] => "0",
            ["/", "dev", "stdout"] => "1",
            ["/", "dev", "stderr"] => "2",
            ["/", "dev", "fd", n] => n,
            ["/", "proc", owner, "fd", n]
                if *owner == "self" || *owner == "thread-self" || *owner == pid =>
            {
                n
            }
            _ => return None,
        };
        // Exactly these: the kernel reads no `01` as descriptor 1.
        ["0", "1", "2"].iter().position(|d| *d == number)
    })
}

/// True when `path` ends in a separator (`dir/`).
fn names_directory(path: &Path) -> bool {
    path.as_os_str()
        .as_encoded_bytes()
        .last()
        .is_some_and(|b| std::path::is_separator(char::from(*b)))
}

/// Where a chain of symbolic links ends, whether or not that exists;
/// `path` itself when it is no link. More than 40 links (the kernel's own
/// limit), a loop among them, is an error.
fn link_target(path: &Path) -> Result<PathBuf, Failure> {
    let mut chain = link_chain(path).ok_or_else(|| {
        Failure::Io(format!(
            "cannot save to {}: too many levels of symbolic links",
            shown(path)
        ))
    })?;
    Ok(chain.pop().expect("a chain starts with its path"))
}

/// `path`, then each name its chain of symbolic links leads to, in order,
/// whether or not the last exists; `None` past 40 links (the kernel's own
/// limit), a loop among them.
fn link_chain(path: &Path) -> Option<Vec<PathBuf>> {
    let mut chain = vec![path.to_owned()];
    for _ in 0..=40 {
        let at = chain.last().expect("a chain starts with its path");
        // A relative target is relative to the link's directory; `join`
        // keeps an absolute one as it is.
        let next = match std::fs::read_link(at) {
            Ok(target) => parent_dir(at).join(target),
            Err(_) => return Some(chain),
        };
        chain.push(next);
    }
    None
}

/// True when `--output` is standard output or a device: written directly,
/// so an interrupt leaves nothing behind and ends the process as usual.
pub fn is_stream(output: Option<&Path>) -> bool {
    output.is_some_and(|p| {
        names_stdout(p) || std::fs::metadata(p).is_ok_and(|m| !m.is_dir() && !m.is_file())
    })
}

/// Standard output as a file of its own (a duplicate of descriptor 1),
/// checked to be writable. Every command that prints calls it before its
/// request: output that cannot be written is refused before anything
/// changes on the service (an import retried after a late failure would be
/// made twice).
///
/// Rust's `Stdout` treats a closed descriptor as a sink that accepts
/// everything; a duplicate reports `EBADF` instead. A descriptor opened
/// read-only (`1< file`) refuses even a write of no bytes, which sends
/// nothing to anything that can be written. A closed descriptor 1 that
/// Rust's start-up code replaced with `/dev/null` is recognised by
/// [`closed_at_start`](crate::closed_at_start), and a pipe whose reader is
/// gone by [`reader_gone`](crate::reader_gone): [`Failure::ClosedPipe`], as
/// a later write would end (Linux only).
pub fn stdout_file() -> Result<File, Failure> {
    if crate::closed_at_start::stdout() {
        return Err(Failure::Io(
            "cannot write to standard output: it was closed when secmaster started".into(),
        ));
    }
    #[cfg(unix)]
    let owned = {
        use std::os::fd::AsFd;
        io::stdout().as_fd().try_clone_to_owned()
    };
    #[cfg(windows)]
    let owned = {
        use std::os::windows::io::AsHandle;
        io::stdout().as_handle().try_clone_to_owned()
    };
    let failed = |e: &io::Error| Failure::io("cannot write to standard output", e);
    let mut file = owned.map(File::from).map_err(|e| failed(&e))?;
    // No bytes, so nothing to count; `write_all` would skip the system call.
    #[allow(clippy::unused_io_amount)]
    file.write(&[]).map_err(|e| failed(&e))?;
    // A pipe nobody reads any more takes a write of no bytes: asked
    // directly, it ends the command as the first real write would, before
    // the request rather than after a change on the service.
    #[cfg(unix)]
    if crate::reader_gone::reader_gone(std::os::fd::AsFd::as_fd(&file)) {
        return Err(Failure::ClosedPipe);
    }
    Ok(file)
}

fn create_part(dir: &Path, name: &str) -> Result<PartFile, Failure> {
    PartFile::create_in(dir, name).map_err(|e| {
        Failure::io(
            format!("cannot create a temporary file in {}", shown(dir)),
            &e,
        )
    })
}

/// The refusal when the output exists and `--force` was not given.
pub fn exists_failure(path: &Path) -> Failure {
    Failure::Io(format!(
        "{} already exists; nothing was changed (use --force to replace it)",
        shown(path)
    ))
}

/// Streams `file` into `out`, which `what` names in errors, and flushes it.
/// Returns the byte count; on a write error nothing is claimed.
pub async fn stream_to(
    file: &mut WorkflowFile,
    out: impl Write,
    what: &str,
    progress: &Progress,
) -> Result<u64, Failure> {
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, out);
    let failed = |e: &io::Error| Failure::io(format!("cannot write to {what}"), e);
    // Plain blocking writes: the runtime has this one task, and a write to
    // the page cache costs less than handing each piece to another thread.
    while let Some(chunk) = file.next_chunk().await? {
        out.write_all(&chunk).map_err(|e| failed(&e))?;
        progress.advance(chunk.len());
    }
    out.flush().map_err(|e| failed(&e))?;
    Ok(file.bytes_received())
}

/// Whether a file answer of no bytes is an answer (`api`: the operation
/// may mean it) or a failure (an export always holds something).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    Allowed,
    Refused,
}

impl Empty {
    /// A failure when `bytes` is 0 and that is [`Empty::Refused`]: the
    /// service's answer cannot be used (exit as for any other unusable
    /// answer).
    pub fn check(self, bytes: u64) -> Result<(), Failure> {
        if bytes == 0 && self == Empty::Refused {
            return Err(Failure::Client(secmaster_client::Error::Unexpected(
                "the service answered an empty file (0 bytes); nothing was saved".into(),
            )));
        }
        Ok(())
    }
}

/// Streams `file` into the part file and gives it the name `target`.
/// Returns the byte count. On error the part file is removed.
pub async fn save(
    mut file: WorkflowFile,
    mut part: PartFile,
    target: &Path,
    force: bool,
    empty: Empty,
    progress: &Progress,
) -> Result<u64, Failure> {
    let what = shown(part.path());
    let bytes = stream_to(&mut file, part.file(), &what, progress).await?;
    // Dropping `part` removes it: nothing is saved.
    empty.check(bytes)?;
    progress.syncing();
    let overwrite = if force {
        Overwrite::Replace
    } else {
        Overwrite::Never
    };
    let owned_target = target.to_owned();
    // The flush to disk can take seconds for a large file: off the runtime's
    // thread, so that an interrupt is still handled meanwhile.
    let finished = tokio::task::spawn_blocking(move || part.finish(&owned_target, overwrite)).await;
    match finished {
        Ok(Ok(())) => Ok(bytes),
        Ok(Err(e)) if e.kind() == io::ErrorKind::AlreadyExists => Err(exists_failure(target)),
        Ok(Err(e)) => Err(Failure::io(format!("cannot save {}", shown(target)), &e)),
        Err(e) => Err(Failure::Io(format!("saving the file failed: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A name of a standard descriptor, and the descriptor.
    fn known_name() -> impl Strategy<Value = (String, usize)> {
        prop::sample::select(vec![
            ("/dev/stdin".to_owned(), 0),
            ("/dev/stdout".to_owned(), 1),
            ("/dev/stderr".to_owned(), 2),
            ("/dev/fd/0".to_owned(), 0),
            ("/dev/fd/2".to_owned(), 2),
            ("/proc/self/fd/1".to_owned(), 1),
            ("/proc/thread-self/fd/0".to_owned(), 0),
            (format!("/proc/{}/fd/2", std::process::id()), 2),
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// However a name is spelt (`//`, `/./` between its parts), it names
        /// its descriptor.
        #[test]
        fn any_spelling_of_a_standard_name_is_read_as_its_descriptor(
            (name, fd) in known_name(),
            extra in prop::collection::vec(prop::sample::select(vec!["/", "./", ""]), 8),
        ) {
            let mut spelt = String::new();
            for (i, part) in name.split('/').enumerate() {
                if i > 0 {
                    spelt.push('/');
                    spelt.push_str(extra[i % extra.len()]);
                }
                spelt.push_str(part);
            }
            prop_assert_eq!(standard_descriptor(Path::new(&spelt)), Some(fd), "{}", spelt);
            prop_assert_eq!(names_standard_input(Path::new(&spelt)), fd == 0);
            prop_assert_eq!(names_stdout(Path::new(&spelt)), fd == 1);
        }

        /// Any other text is no standard descriptor, and never panics.
        #[test]
        fn any_other_name_is_none(text in "\\PC{0,40}", n in 3u32..1000) {
            let _ = standard_descriptor(Path::new(&text));
            for other in [format!("/dev/fd/{n}"), "/dev/fd/01".into(), "/proc/1/fd/0".into()] {
                if std::process::id() != 1 {
                    prop_assert_eq!(standard_descriptor(Path::new(&other)), None, "{}", other);
                }
            }
        }
    }
}
