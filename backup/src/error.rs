//! The one error type of the crate.

use std::fmt;
use std::path::{Path, PathBuf};

use secmaster_client::untrusted::escape;

/// A file of a backup that is not as its manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, relative to the backup (`manifest.json` for the manifest).
    pub file: String,
    /// What is wrong: `missing`, `1234 bytes where the manifest lists
    /// 1235`, `its SHA-256 is ...`.
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", escape(&self.file), escape(&self.what))
    }
}

/// Everything that can stop a backup, a check, a restore or a comparison.
/// `Display` is one line, fit to show (server text and names escaped).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A request failed.
    Client(secmaster_client::Error),
    /// Exporting one workflow failed; the backup was not made.
    Export {
        /// The workflow's name.
        name: String,
        /// Its id.
        id: String,
        /// Why.
        error: Box<secmaster_client::Error>,
    },
    /// A local file or directory could not be read or written.
    Io {
        /// What was being done, naming the path.
        what: String,
        /// Why.
        error: std::io::Error,
    },
    /// The backup's directory exists and is not an empty directory.
    NotEmpty(PathBuf),
    /// The backup is damaged: its manifest cannot be read, or files are
    /// missing or differ from what it lists. Every problem is named.
    Damaged(Vec<Problem>),
    /// `Existing::Fail`: workflows of these names exist in the target
    /// already; nothing was imported.
    Conflicts(Vec<String>),
    /// The options cannot be used as given (an unknown source workspace,
    /// a bad glob, ...).
    InvalidInput(String),
}

impl Error {
    /// An I/O error while doing `what` to `path`.
    pub(crate) fn io(what: &str, path: &Path, error: std::io::Error) -> Self {
        Error::Io {
            what: format!("cannot {what} {}", path.display()),
            error,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Client(e) => write!(f, "{e}"),
            Error::Export { name, id, error } => write!(
                f,
                "cannot export the workflow \"{}\" ({}): {error}; no backup was made",
                escape(name),
                escape(id)
            ),
            Error::Io { what, error } => write!(f, "{}: {error}", escape(what)),
            Error::NotEmpty(path) => write!(
                f,
                "{} exists and is not an empty directory; a backup goes into a new or empty one",
                escape(&path.display().to_string())
            ),
            Error::Damaged(problems) => {
                let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "the backup is damaged ({} bad file{}): {}",
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" },
                    shown.join("; ")
                )
            }
            Error::Conflicts(names) => {
                let shown: Vec<String> =
                    names.iter().map(|n| format!("\"{}\"", escape(n))).collect();
                write!(
                    f,
                    "{} workflow name{} of the backup exist{} in the target already: {}; \
                     nothing was imported (--existing skip restores the others)",
                    names.len(),
                    if names.len() == 1 { "" } else { "s" },
                    if names.len() == 1 { "s" } else { "" },
                    shown.join(", ")
                )
            }
            Error::InvalidInput(m) => write!(f, "{}", escape(m)),
        }
    }
}

impl std::error::Error for Error {}

impl From<secmaster_client::Error> for Error {
    fn from(e: secmaster_client::Error) -> Self {
        Error::Client(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_is_one_escaped_line() {
        let errors = [
            Error::Damaged(vec![
                Problem {
                    file: "workflows/0001-a.export".into(),
                    what: "missing".into(),
                },
                Problem {
                    file: "w/\u{1b}[2J".into(),
                    what: "x".into(),
                },
            ]),
            Error::Conflicts(vec!["a\nb".into()]),
            Error::NotEmpty(PathBuf::from("back\u{202e}up")),
        ];
        for e in errors {
            let text = e.to_string();
            assert!(
                !text.chars().any(secmaster_client::untrusted::is_unsafe),
                "{text:?}"
            );
        }
        let text = Error::Damaged(vec![Problem {
            file: "f".into(),
            what: "missing".into(),
        }])
        .to_string();
        assert_eq!(text, "the backup is damaged (1 bad file): f: missing");
    }
}
