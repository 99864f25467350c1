//! cli/build.rs: which files make `--version` be worked out again.

use std::path::Path;
use std::process::Command;

#[path = "../../build.rs"]
#[allow(dead_code, reason = "the build script's main is not called here")]
mod build;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// After `git pack-refs` the branch has no file of its own until the next
/// commit writes one: that file is watched all the same, so the next commit
/// is the one `--version` shows.
#[test]
fn the_branch_file_is_watched_even_when_packed() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("note: no git here: the build script's watched files are not tested");
        return;
    }
    let dir = std::env::temp_dir().join(format!("secmaster-build-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["commit", "-q", "--allow-empty", "-m", "one"]);
    git(&dir, &["pack-refs", "--all"]);
    let branch = dir.join(".git/refs/heads/main");
    assert!(!branch.exists());
    let (commit, watched) = build::git_commit(&dir).unwrap();
    assert!(!commit.is_empty());
    for path in [dir.join(".git/HEAD"), dir.join(".git/packed-refs"), branch] {
        assert!(watched.contains(&path), "{path:?} not in {watched:?}");
    }
    // A package is no checkout.
    std::fs::write(dir.join(".cargo_vcs_info.json"), "{}").unwrap();
    assert_eq!(build::git_commit(&dir), None);
    let _ = std::fs::remove_dir_all(&dir);
}
