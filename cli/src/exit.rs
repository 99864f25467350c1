//! Exit codes, and the one line printed for each failure.

use std::fmt;
use std::path::Path;

use secmaster_client::reqwest::StatusCode;
use secmaster_client::untrusted::escape;
use secmaster_client::{ApiError, Error, ErrorKind};

use crate::stderr;

/// The command succeeded.
pub const OK: u8 = 0;
/// `workflows diff`: the two sides differ (as diff(1) says it).
pub const DIFFERENT: u8 = 1;
/// `restore`: a workflow could not be restored, or names of the backup
/// exist in the target and `--existing fail` refused them all.
pub const SOME_FAILED: u8 = 1;
/// Bad arguments (clap's own code) or configuration the command cannot use.
pub const USAGE: u8 = 2;
/// The service refused the credentials or the permission (HTTP 401, 403).
pub const AUTH: u8 = 3;
/// The service answered with any other non-2xx status.
pub const API: u8 = 4;
/// No connection, a time limit, a broken connection or a short body.
pub const NETWORK: u8 = 5;
/// An input file cannot be read or used, writing the output failed, or the
/// output exists.
pub const IO: u8 = 6;
/// The reader of standard output (or of a named pipe) closed it early: 128
/// plus SIGPIPE's number, what a shell reports for a program that signal
/// stopped.
pub const CLOSED_PIPE: u8 = 141;

/// The exit-code table, shown by each command's `--help` and
/// repeated in cli/README.md (a unit test keeps the two in step). A macro, so
/// that `concat!` can put it into the help text.
macro_rules! exit_code_table {
    () => {
        "\
Exit codes:
  0    success
  1    workflows diff: the two differ; restore: a workflow could not be restored, or
       --existing fail found names of the backup in the target
  2    usage error: bad arguments (for api: a parameter or value the API document does not
       allow), missing settings (credentials, project id, workspace id, region or endpoint), no
       workflow ids, a list longer than the API can page through, an id that --format ids cannot
       print as one line, an unknown region or a bad endpoint URL, an unknown profile, a config
       file whose text cannot be used (an unknown key, a bad value) or that holds secrets others
       can read
  3    authentication or authorisation refused (HTTP 401 or 403, which is also the answer for a
       workspace that does not exist)
  4    any other error answer from the service (HTTP 400, 404, 429, 5xx, ...)
  5    network error: cannot connect, timed out, connection broken, body shorter than announced
  6    local I/O error: an input file is missing, unreadable or unusable (not a regular file,
       over its size limit, not UTF-8, changed while it was uploaded), a backup is damaged, the
       output cannot be written, or the output exists (a backup's directory is not empty; a
       file without --force)
  130  interrupted by Ctrl-C (SIGINT); 143 for SIGTERM, 129 for SIGHUP
  141  the reader closed the output pipe early (`... | head`), as when stopped by SIGPIPE;
       nothing is printed"
    };
}
pub(crate) use exit_code_table;

/// Why the command failed: what decides the exit code and the message.
#[derive(Debug)]
pub enum Failure {
    /// The command line or environment cannot be used.
    Usage(String),
    /// A local file could not be read or written; the text says which.
    Io(String),
    /// The client library failed (the service answered, the network, ...).
    Client(Error),
    /// The service answered that the workspace the command named does not
    /// exist (for these credentials).
    NoSuchWorkspace {
        workspace_id: String,
        error: Box<Error>,
    },
    /// A signal stopped the command; the number is the signal's, the text
    /// says what was left (`the partial download was removed ...`).
    Interrupted(i32, &'static str),
    /// A backup, restore or comparison failed.
    Backup(secmaster_backup::Error),
    /// The command ran to its end, but not everything it was asked to do
    /// was done; the text says what (a restore's failed workflows).
    Unfinished(String),
    /// `workflows diff` found differences: printed already, no error line.
    Different,
    /// The output pipe's reader went away (`| head`): ends quietly, as
    /// programs stopped by SIGPIPE do.
    ClosedPipe,
}

/// The service's code for a workspace that does not exist (the document's
/// Forbidden answer).
const NO_SUCH_WORKSPACE: &str = "SecMaster.20010001";

impl Failure {
    /// This failure, said of `workspace_id` when the service answered that
    /// there is no such workspace: its own message may not name it.
    pub fn of_workspace(self, workspace_id: &str) -> Failure {
        match self {
            Failure::Client(error)
                if error.api_error().and_then(|a| a.code()) == Some(NO_SUCH_WORKSPACE) =>
            {
                Failure::NoSuchWorkspace {
                    workspace_id: workspace_id.to_owned(),
                    error: Box::new(error),
                }
            }
            other => other,
        }
    }

    /// An I/O error with what was being done, for example
    /// `cannot create the temporary file in /tmp`.
    pub fn io(what: impl fmt::Display, e: &std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure::ClosedPipe;
        }
        Failure::Io(format!("{what}: {e}"))
    }

    /// Whether `main` prints this failure (all but a closed pipe, whose
    /// reader has what it wanted, and differences, printed already).
    pub fn is_shown(&self) -> bool {
        !matches!(self, Failure::ClosedPipe | Failure::Different)
    }

    /// The service's answer, when it refused.
    fn api_error(&self) -> Option<&ApiError> {
        match self {
            Failure::Client(error) => error.api_error(),
            Failure::NoSuchWorkspace { error, .. } => error.api_error(),
            Failure::Backup(secmaster_backup::Error::Export { error, .. }) => error.api_error(),
            _ => None,
        }
    }

    /// What to do about a refusal whose cause the gateway's code tells
    /// (docs/official-sdk.md lists the codes).
    pub fn hint(&self) -> Option<&'static str> {
        let api = self.api_error()?;
        if api.status() != StatusCode::UNAUTHORIZED {
            return None;
        }
        let message = api.message().unwrap_or_default().to_ascii_lowercase();
        let says = |words: &[&str]| words.iter().any(|w| message.contains(w));
        Some(match api.code() {
            Some("APIGW.0307") => TOKEN_EXPIRED,
            Some("APIGW.0301") if says(&["x-sdk-date", "signature expired", "clock"]) => CLOCK_SKEW,
            Some("APIGW.0301") if says(&["token expire", "expired token"]) => TOKEN_EXPIRED,
            Some("APIGW.0301") if says(&["token"]) => TOKEN_WRONG,
            Some("APIGW.0301")
                if says(&[
                    "aksk",
                    "access key",
                    "secretkey",
                    "ak not exist",
                    "signature",
                ]) =>
            {
                KEY_WRONG
            }
            Some("APIGW.0301") => CREDENTIALS_WRONG,
            _ => return None,
        })
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => USAGE,
            Failure::Io(_) => IO,
            Failure::Interrupted(signal, _) => u8::try_from(128 + signal).unwrap_or(130),
            Failure::Backup(e) => backup_exit_code(e),
            Failure::Unfinished(_) => SOME_FAILED,
            Failure::Different => DIFFERENT,
            Failure::ClosedPipe => CLOSED_PIPE,
            Failure::Client(e) => client_exit_code(e),
            Failure::NoSuchWorkspace { error, .. } => client_exit_code(error),
        }
    }
}

fn client_exit_code(e: &Error) -> u8 {
    match e.kind() {
        ErrorKind::InvalidInput | ErrorKind::Config => USAGE,
        ErrorKind::Auth => AUTH,
        ErrorKind::Api => API,
        ErrorKind::Network => NETWORK,
        ErrorKind::Io => IO,
        // A kind added to the library later: the service's side.
        _ => API,
    }
}

fn backup_exit_code(e: &secmaster_backup::Error) -> u8 {
    use secmaster_backup::Error as E;
    match e {
        E::Client(e) => client_exit_code(e),
        E::Export { error, .. } => client_exit_code(error),
        E::Io { .. } | E::NotEmpty(_) | E::Damaged(_) => IO,
        E::Conflicts(_) => SOME_FAILED,
        E::InvalidInput(_) => USAGE,
        // An error added to the library later: the service's side.
        _ => API,
    }
}

/// A request's failure as the library's own, so that a missing workspace
/// is named (`of_workspace`) like any command's.
impl From<secmaster_backup::Error> for Failure {
    fn from(e: secmaster_backup::Error) -> Self {
        match e {
            secmaster_backup::Error::Client(e) => Failure::Client(e),
            other => Failure::Backup(other),
        }
    }
}

const TOKEN_EXPIRED: &str = "the IAM token has expired (tokens last 24 hours): get a new one, or use \
     an access key pair (HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK), which does not expire";
const TOKEN_WRONG: &str = "the IAM token was not accepted: it may have expired (tokens last 24 \
     hours), be cut short, or belong to another account or region";
const KEY_WRONG: &str = "check HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK: the secret key must be the \
     one of that access key, with no stray spaces (after 5 failures in a row the gateway locks a key \
     for 5 minutes); signatures also fail when this machine's clock is more than 15 minutes off";
const CLOCK_SKEW: &str = "the gateway refuses signatures more than 15 minutes from its own clock: \
     set this machine's clock right (date -u shows it in UTC)";
const CREDENTIALS_WRONG: &str = "check the credentials: an IAM token lasts 24 hours; an access key's \
     secret key must be its own; signatures fail when this machine's clock is more than 15 minutes off";

/// Prints a failure: one line, `error: ...`; a line `hint: ...` when
/// there is something to do about it; and, for `--format json`, one JSON
/// object. A closed pipe prints nothing.
pub fn report(failure: &Failure, json: bool) {
    if !failure.is_shown() {
        return;
    }
    stderr::line(format_args!("error: {failure}"));
    if let Some(hint) = failure.hint() {
        stderr::line(format_args!("hint: {hint}"));
    }
    if json {
        stderr::line(failure.to_json());
    }
}

impl Failure {
    /// `{"error": {"status", "code", "message", "request_id", "exit"}}` on
    /// one line: the service's status, code and request id when it
    /// answered (else null), the error line's text, the exit code.
    pub fn to_json(&self) -> String {
        let api = self.api_error();
        let object = serde_json::json!({
            "error": {
                "status": api.map(|a| a.status().as_u16()),
                "code": api.and_then(ApiError::code),
                "message": self.to_string(),
                "request_id": api.and_then(ApiError::request_id),
                "exit": self.exit_code(),
            }
        });
        crate::format::json_safe(&object.to_string())
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Client(e)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Failure::Usage(m) | Failure::Io(m) => m.clone(),
            Failure::Interrupted(_, what) => (*what).to_owned(),
            Failure::Backup(e) => e.to_string(),
            Failure::Unfinished(m) => m.clone(),
            Failure::Different => "the two differ".to_owned(),
            Failure::ClosedPipe => "the reader closed the output pipe".to_owned(),
            // The library's text: service answers as `HTTP <status>, code
            // <code>: <message> (request id <id>)`, already escaped.
            Failure::Client(e) => e.to_string(),
            Failure::NoSuchWorkspace {
                workspace_id,
                error,
            } => format!(
                "no workspace \"{workspace_id}\" in this project (secmaster workspaces list \
                 shows them): {error}"
            ),
        };
        // Escaping is idempotent: text escaped once passes unchanged.
        f.write_str(escape(text.trim()).as_ref())
    }
}

/// A path as it may be shown: one line, no terminal escapes.
pub fn shown(path: &Path) -> String {
    escape(&path.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_one_escaped_line() {
        let failure = Failure::Usage("a\nb\r\n\x1b[31mc\u{202e}\t".into());
        assert_eq!(failure.to_string(), "a\\nb\\r\\n\\u{1b}[31mc\\u{202e}");
    }

    #[test]
    fn readme_repeats_the_table() {
        let readme = include_str!("../README.md");
        for line in exit_code_table!().lines().skip(1) {
            let line = line.trim();
            assert!(
                readme.contains(line),
                "cli/README.md lacks the exit-code line {line:?}"
            );
        }
    }

    #[test]
    fn a_missing_workspace_is_named() {
        use secmaster_client::ApiError;
        use secmaster_client::reqwest::StatusCode;
        use secmaster_client::reqwest::header::HeaderMap;

        let answer = |code: &str| {
            let body = format!(r#"{{"code":"{code}","message":"no such workspace"}}"#);
            Failure::Client(Error::Api(ApiError::from_response_parts(
                StatusCode::FORBIDDEN,
                &HeaderMap::new(),
                body.as_bytes(),
            )))
        };
        let missing = answer("SecMaster.20010001").of_workspace("W\u{1b}[2J");
        assert_eq!(missing.exit_code(), AUTH);
        let text = missing.to_string();
        assert!(
            text.starts_with("no workspace \"W\\u{1b}[2J\" in this project (secmaster")
                && text.ends_with("code SecMaster.20010001: no such workspace (no request id)"),
            "{text}"
        );
        let refused = answer("APIGW.0302").of_workspace("W");
        assert!(matches!(refused, Failure::Client(_)), "{refused:?}");
    }

    #[test]
    fn signals_map_to_128_plus_the_number() {
        assert_eq!(Failure::Interrupted(2, "").exit_code(), 130);
        assert_eq!(Failure::Interrupted(15, "").exit_code(), 143);
    }
}
