//! Reading the files a manifest lists, and checking them against it.
//!
//! A listed path is opened only through plain directories to a regular
//! file: a symbolic link inside a backup could otherwise make a restore
//! upload, or a check read, a file from anywhere on the machine.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::manifest::Listed;

/// The SHA-256 of `bytes`, as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A digest as lower-case hex.
pub fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Opens `relative` (a path the manifest check accepted) below `dir`,
/// refusing symbolic links and anything but a regular file at the end.
pub fn open_listed(dir: &Path, relative: &str) -> io::Result<File> {
    let mut path = dir.to_path_buf();
    let components: Vec<&str> = relative.split('/').collect();
    for (i, component) in components.iter().enumerate() {
        path.push(component);
        let meta = std::fs::symlink_metadata(&path)?;
        let last = i + 1 == components.len();
        let fine = if last {
            meta.file_type().is_file()
        } else {
            meta.file_type().is_dir()
        };
        if !fine {
            let what = if meta.file_type().is_symlink() {
                "a symbolic link"
            } else if last {
                "not a regular file"
            } else {
                "not a directory"
            };
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is {what}", path.display()),
            ));
        }
    }
    File::open(path)
}

/// Checks one listed file: present, its size, its SHA-256. The error says
/// what is wrong, without the path (the caller names the file).
pub fn check(dir: &Path, listed: &Listed<'_>) -> Result<(), String> {
    let mut file = open_listed(dir, listed.file).map_err(|e| describe(&e))?;
    let mut hasher = Sha256::new();
    let mut piece = vec![0; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut piece).map_err(|e| describe(&e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        // Past the listed size the digest cannot match: stop reading.
        if size > listed.bytes {
            break;
        }
        hasher.update(&piece[..n]);
    }
    compare(listed, size, &hex(&hasher.finalize()))
}

/// Reads one listed file whole and checks it, so that what the caller uses
/// is exactly what was checked. `limit` bounds what is read.
pub fn read(dir: &Path, listed: &Listed<'_>, limit: u64) -> Result<Vec<u8>, String> {
    if listed.bytes > limit {
        return Err(format!(
            "the manifest lists {} bytes, more than the {limit} this reads",
            listed.bytes
        ));
    }
    let file = open_listed(dir, listed.file).map_err(|e| describe(&e))?;
    let mut bytes = Vec::with_capacity(listed.bytes as usize);
    // One byte past the listed size tells a longer file.
    file.take(listed.bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| describe(&e))?;
    compare(listed, bytes.len() as u64, &sha256_hex(&bytes))?;
    Ok(bytes)
}

fn compare(listed: &Listed<'_>, size: u64, sha256: &str) -> Result<(), String> {
    if size != listed.bytes {
        let size = if size > listed.bytes {
            "more".to_owned()
        } else {
            size.to_string()
        };
        return Err(format!(
            "{size} bytes where the manifest lists {}",
            listed.bytes
        ));
    }
    if sha256 != listed.sha256 {
        return Err(format!(
            "its SHA-256 is {sha256}, the manifest lists {}",
            listed.sha256
        ));
    }
    Ok(())
}

/// An I/O error as the end of a problem's line.
pub fn describe(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "missing".to_owned(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "secmaster-backup-files-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("w")).unwrap();
        dir
    }

    #[test]
    fn files_are_checked_for_size_and_digest() {
        let dir = scratch("check");
        std::fs::write(dir.join("w/a"), b"hello").unwrap();
        let sha = sha256_hex(b"hello");
        assert_eq!(
            sha,
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        let listed = |file, bytes, sha256| Listed {
            file,
            bytes,
            sha256,
        };
        assert_eq!(check(&dir, &listed("w/a", 5, &sha)), Ok(()));
        assert_eq!(
            read(&dir, &listed("w/a", 5, &sha), 5),
            Ok(b"hello".to_vec())
        );
        let err = check(&dir, &listed("w/a", 4, &sha)).unwrap_err();
        assert!(
            err.contains("more bytes where the manifest lists 4"),
            "{err}"
        );
        let err = read(&dir, &listed("w/a", 6, &sha), 10).unwrap_err();
        assert!(err.contains("5 bytes where the manifest lists 6"), "{err}");
        let other = sha256_hex(b"hellp");
        let err = check(&dir, &listed("w/a", 5, &other)).unwrap_err();
        assert!(err.contains("SHA-256"), "{err}");
        assert_eq!(
            check(&dir, &listed("w/b", 5, &sha)),
            Err("missing".to_owned())
        );
        assert!(read(&dir, &listed("w/a", 5, &sha), 4).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_refused() {
        let dir = scratch("links");
        std::fs::write(dir.join("secret"), b"hello").unwrap();
        std::os::unix::fs::symlink(dir.join("secret"), dir.join("w/a")).unwrap();
        std::os::unix::fs::symlink(dir.join("w"), dir.join("v")).unwrap();
        let sha = sha256_hex(b"hello");
        for (file, what) in [
            ("w/a", "symbolic link"),
            ("v/secret", "symbolic link"),
            ("w", "not a regular file"),
        ] {
            let listed = Listed {
                file,
                bytes: 5,
                sha256: &sha,
            };
            let err = check(&dir, &listed).unwrap_err();
            assert!(err.contains(what), "{file}: {err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
