//! The version that `secmaster --version` prints (`SECMASTER_VERSION`): the
//! package's, followed by the git commit it was built from when it was built
//! from a git checkout and git is there to ask, for example `0.1.0 (2c7f6ec)`.
//! A packaged crate (`cargo package`, a registry) is no checkout, even when
//! unpacked inside one: it builds with the package's version alone.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let version = match git_commit(&dir) {
        Some((commit, watched)) => {
            for path in watched {
                println!("cargo::rerun-if-changed={}", path.display());
            }
            format!("{version} ({commit})")
        }
        None => version,
    };
    println!("cargo::rustc-env=SECMASTER_VERSION={version}");
}

/// The checkout's commit, abbreviated, and the files whose change means a
/// new one: `HEAD`, the branch it names and `packed-refs`. The branch's
/// own file is watched even when it does not exist (its commit is then in
/// `packed-refs`): the next commit writes it.
pub fn git_commit(dir: &Path) -> Option<(String, Vec<PathBuf>)> {
    // Cargo writes this file into every package it makes.
    if dir.join(".cargo_vcs_info.json").exists() {
        return None;
    }
    let commit = git(dir, &["rev-parse", "--short", "HEAD"])?;
    let branch = git(dir, &["symbolic-ref", "-q", "HEAD"]);
    let watched = ["HEAD", "packed-refs"]
        .into_iter()
        .chain(branch.as_deref())
        .filter_map(|name| git(dir, &["rev-parse", "--git-path", name]))
        .map(|path| dir.join(path))
        .collect();
    Some((commit, watched))
}

/// What `git ARGS` prints in `dir`, trimmed; `None` when git is missing,
/// fails or prints nothing.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (output.status.success() && !text.is_empty()).then(|| text.to_owned())
}
