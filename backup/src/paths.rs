//! The relative paths a manifest may name, and the names a backup gives
//! its files.
//!
//! A manifest is read from disk and may have been edited by anyone, so a
//! path in it must stay inside the backup: plain names joined by `/`, none
//! of them `.` or `..`, nothing a terminal or another system would read
//! differently.

/// The longest path a manifest may name, in bytes.
pub const MAX_PATH: usize = 1024;
/// The longest name of one path component, in bytes (most file systems'
/// limit).
const MAX_COMPONENT: usize = 255;
/// How much of a workflow's name goes into its file names.
const SLUG_LENGTH: usize = 40;

/// Checks that `path` is a relative path of plain names inside the backup.
pub fn check_relative(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.len() > MAX_PATH {
        return Err(format!("the path is longer than {MAX_PATH} bytes"));
    }
    if let Some(c) = path
        .chars()
        .find(|&c| c == '\\' || secmaster_client::untrusted::is_unsafe(c))
    {
        return Err(format!("the path holds the character {c:?}"));
    }
    for component in path.split('/') {
        match component {
            "" => return Err("the path is absolute or holds an empty component".into()),
            "." | ".." => return Err(format!("the path holds the component {component:?}")),
            c if c.len() > MAX_COMPONENT => {
                return Err(format!(
                    "a component of the path is longer than {MAX_COMPONENT} bytes"
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// A workflow's name as a piece of a file name: ASCII letters, digits,
/// `-`, `_` and `.` kept, anything else `_`, at most 40 bytes, never
/// starting with `.`. The number in front of it keeps file names apart,
/// so this only has to help a person find a file.
pub fn slug(name: &str) -> String {
    let mut slug: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => c,
            _ => '_',
        })
        .take(SLUG_LENGTH)
        .collect();
    while slug.starts_with('.') {
        slug.replace_range(..1, "_");
    }
    if slug.is_empty() {
        slug.push_str("workflow");
    }
    slug
}

/// The directory of workspace number `index` in a backup of every
/// workspace (`workspaces/001-name/`); empty for a backup of one.
pub fn workspace_prefix(all_workspaces: bool, index: usize, name: &str) -> String {
    if all_workspaces {
        format!("workspaces/{:03}-{}/", index + 1, slug(name))
    } else {
        String::new()
    }
}

/// The export file and the record file of workflow number `index` of a
/// workspace whose directory is `prefix`.
pub fn workflow_files(prefix: &str, index: usize, name: &str) -> (String, String) {
    let stem = format!("{prefix}workflows/{:04}-{}", index + 1, slug(name));
    (format!("{stem}.export"), format!("{stem}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn only_plain_relative_paths_pass() {
        for good in ["manifest.json", "workflows/0001-a.export", "a/b/c"] {
            assert_eq!(check_relative(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "a/",
            "./a",
            "a\\b",
            "a\u{1b}b",
            "a\u{202e}b",
            "a\nb",
        ] {
            assert!(check_relative(bad).is_err(), "{bad:?}");
        }
        assert!(check_relative(&"a/".repeat(600)).is_err());
        assert!(check_relative(&"a".repeat(256)).is_err());
    }

    #[test]
    fn slugs_are_safe_and_short() {
        assert_eq!(slug("workflow-0001"), "workflow-0001");
        assert_eq!(slug("../etc/passwd"), "_._etc_passwd");
        assert_eq!(slug(".hidden"), "_hidden");
        assert_eq!(slug(""), "workflow");
        assert_eq!(slug("安全 flow"), "___flow");
        assert_eq!(slug(&"x".repeat(100)).len(), 40);
        assert_eq!(
            workflow_files("", 0, "a b"),
            (
                "workflows/0001-a_b.export".into(),
                "workflows/0001-a_b.json".into()
            )
        );
        assert_eq!(workspace_prefix(true, 1, "SOC"), "workspaces/002-SOC/");
        assert_eq!(workspace_prefix(false, 1, "SOC"), "");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Whatever a workflow or workspace is called, the files a backup
        /// names for it are paths the manifest check accepts.
        #[test]
        fn every_name_gives_acceptable_paths(
            name in any::<String>(),
            workspace in any::<String>(),
            index in 0usize..1_000_000,
            all in any::<bool>(),
        ) {
            let prefix = workspace_prefix(all, index, &workspace);
            let (export, record) = workflow_files(&prefix, index, &name);
            prop_assert_eq!(check_relative(&export), Ok(()));
            prop_assert_eq!(check_relative(&record), Ok(()));
            prop_assert_ne!(export, record);
        }

        /// Any text: no panic, and what passes has no `..` and no root.
        #[test]
        fn accepted_paths_stay_inside(path in "[a./\\\\\u{0}-\u{7f}é]{0,40}") {
            if check_relative(&path).is_ok() {
                prop_assert!(!path.starts_with('/'));
                prop_assert!(path.split('/').all(|c| !c.is_empty() && c != "." && c != ".."));
            }
        }
    }
}
