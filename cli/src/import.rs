//! `secmaster workflows import`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::Path;

use secmaster_client::ImportFile;
use secmaster_client::types::ImportWorkflowsResponse;
use secmaster_client::untrusted::escape;
use serde::de::IgnoredAny;

use crate::cli::{ImportArgs, ObjectFormat};
use crate::exit::{Failure, shown};
use crate::fields;
use crate::format;
use crate::output::{names_standard_input, stdout_file};
use crate::query::Query;
use crate::session::Session;
use crate::settings::Lookup;
use crate::signals::Signals;
use crate::spool::Spool;
use crate::stderr;
use crate::summary;

pub async fn run(args: ImportArgs, env: Lookup<'_>) -> Result<(), Failure> {
    if args.query.is_some() && args.format == ObjectFormat::Table {
        return Err(Failure::Usage(
            "--query applies to the answer printed with --format json, yaml, tsv or csv; the \
             table format prints a summary line only"
                .into(),
        ));
    }
    let query = Query::given(args.query.as_deref())?;
    let stdin = names_standard_input(&args.file);
    if stdin {
        if (args.connection.service.token_file.as_deref()).is_some_and(names_standard_input) {
            return Err(Failure::Usage(
                "the file to import and --token-file cannot both read standard input".into(),
            ));
        }
        if std::io::stdin().is_terminal() {
            return Err(Failure::Usage(
                "standard input is a terminal: pipe an export into it (secmaster workflows \
                 export ... -o - | secmaster workflows import - ...), or name the file"
                    .into(),
            ));
        }
    }
    let session = Session::resolve(&args.connection, env)?;
    // Before the upload: a refusal afterwards would report a failed import
    // that happened, and a caller that retries would import twice.
    let out = match args.format {
        ObjectFormat::Table => None,
        _ => Some(stdout_file()?),
    };
    let to = Answer {
        out,
        format: args.format,
        query,
        quiet: args.connection.service.quiet,
        check: !args.no_check,
    };
    let imported = if stdin {
        // Caught before the copy exists, so that no signal can end the
        // process with the copy left behind.
        let mut signals = Signals::new()?;
        let work = async {
            let spool = Spool::stdin().await?;
            import(&session, spool.path(), "standard input", to).await
        };
        tokio::select! {
            result = work => result,
            signal = signals.recv() => Err(Failure::Interrupted(signal, INTERRUPTED)),
        }
    } else {
        uploadable(&args.file)?;
        import(&session, &args.file, &shown(&args.file), to).await
    };
    imported.map_err(|f| f.of_workspace(&session.workspace_id))
}

/// What an interrupted import from standard input says.
const INTERRUPTED: &str = "interrupted; the copy of standard input was removed. If the upload \
     had begun, the service may have imported the workflows: secmaster workflows list shows them";

/// How the service's answer is printed.
struct Answer {
    /// Standard output, checked before the upload; `None` for the table
    /// format, which prints a summary on standard error.
    out: Option<File>,
    format: ObjectFormat,
    query: Option<Query>,
    quiet: bool,
    /// Whether a file clearly not an export is refused before the upload
    /// (not with `--no-check`).
    check: bool,
}

/// Checks the file at `path` (`name` in messages), uploads it, and says
/// what the service answered.
async fn import(session: &Session, path: &Path, name: &str, to: Answer) -> Result<(), Failure> {
    if to.check {
        refuse_non_export(path, name)?;
    }
    let answer = session
        .client
        .import_workflows(
            &session.project_id,
            &session.workspace_id,
            &ImportFile::path(path),
        )
        .await?;
    let Some(out) = to.out else {
        if !to.quiet {
            stderr::line(summary_line(&answer, name, &session.workspace_id));
        }
        return Ok(());
    };
    // The import happened: a query that cannot be applied to the answer
    // must not look like a failed import, which a caller would retry.
    let mut value = serde_json::to_value(&answer).map_err(|e| {
        Failure::Client(secmaster_client::Error::Unexpected(format!(
            "the service's answer cannot be shown as JSON: {e}"
        )))
    })?;
    if let Some(query) = &to.query {
        match query.apply(value.clone()) {
            Ok(found) => value = found,
            Err(why) => stderr::line(format_args!(
                "warning: the import was done, but {why}; the whole answer follows"
            )),
        }
    }
    format::print_object(out, &value, (to.format.into(), None), &[])
}

/// `imported 25 workflows from flows.json into workspace W (request id
/// ...)`: the count is the service's, from its message (`imported N
/// workflows`); without one, only what was sent and where.
fn summary_line(answer: &ImportWorkflowsResponse, name: &str, workspace: &str) -> String {
    let request_id = answer
        .request_id
        .as_deref()
        .map(escape)
        .unwrap_or("-".into());
    let what = match answer.message.as_deref().and_then(imported_count) {
        Some(n) => format!("{} from {name}", summary::count(n, "workflow")),
        None => name.to_owned(),
    };
    format!(
        "imported {what} into workspace \"{}\" (request id {request_id})",
        escape(workspace)
    )
}

/// The number in the service's `imported N workflows` (also `1
/// workflow`, in any case, with surrounding blanks), else `None`.
fn imported_count(message: &str) -> Option<u64> {
    let words: Vec<&str> = message.split_whitespace().collect();
    match words.as_slice() {
        [imported, n, workflows]
            if imported.eq_ignore_ascii_case("imported")
                && (workflows.eq_ignore_ascii_case("workflows")
                    || workflows.eq_ignore_ascii_case("workflow")) =>
        {
            n.parse().ok()
        }
        _ => None,
    }
}

/// Refuses, before anything is sent, a file the upload cannot stream: one
/// that is missing or unreadable, or not a regular file (the upload needs
/// its size).
pub fn uploadable(path: &Path) -> Result<(), Failure> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(Failure::Io(format!(
            "cannot read {}: not a regular file (the upload needs its size)",
            shown(path)
        ))),
        Err(e) => Err(Failure::io(format!("cannot read {}", shown(path)), &e)),
    }
}

/// Refuses, before anything is sent, a file that is clearly not an
/// export (see [`not_an_export`]); `name` names it.
fn refuse_non_export(path: &Path, name: &str) -> Result<(), Failure> {
    let read = File::open(path).and_then(|f| not_an_export(BufReader::new(f)));
    match read.map_err(|e| Failure::io(format!("cannot read {name}"), &e))? {
        None => Ok(()),
        Some(what) => Err(Failure::Io(format!(
            "{name} is not an export file: it {what}; import takes a file that secmaster \
             workflows export wrote"
        ))),
    }
}

/// The keys of the API's answer around a listing (`secmaster api`
/// prints it): its envelope and its paging.
const ENVELOPE: &[&str] = &[
    "code",
    "message",
    "success",
    "request_id",
    "total",
    "offset",
    "limit",
    "size",
    "page",
    "data",
];

/// What a file clearly not an export holds, said after "it": nothing (or
/// only white space); a JSON array of workflows with ids, each of only the
/// fields the API document gives a workflow ([`fields::WORKFLOW`]), as
/// `list --format json` prints; a JSON answer of the API, an object with
/// `data` and `request_id` and no key but those of the answer
/// ([`ENVELOPE`]), as `secmaster api` prints. The service's export format
/// is not documented, so anything else (a record with any other key, say)
/// is for the service to judge. Read as a stream: only the keys are kept.
pub fn not_an_export(mut reader: impl BufRead) -> std::io::Result<Option<String>> {
    /// An object's keys; its values are skipped.
    type Keys = HashMap<String, IgnoredAny>;
    let only = |keys: &Keys, allowed: &[&str]| keys.keys().all(|k| allowed.contains(&k.as_str()));
    Ok(match first_character(&mut reader)? {
        None => Some("is empty".to_owned()),
        Some(b'[') => serde_json::from_reader::<_, Vec<Keys>>(reader)
            .ok()
            .filter(|records| {
                records
                    .iter()
                    .all(|r| r.contains_key("id") && only(r, fields::WORKFLOW))
            })
            .map(|records| match records.len() {
                0 => "holds an empty JSON array, as secmaster workflows list --format json \
                      prints for no workflows"
                    .to_owned(),
                n => format!(
                    "holds a JSON array of {}, as secmaster workflows list --format json \
                     prints them",
                    summary::count(n as u64, "record")
                ),
            }),
        Some(b'{') => serde_json::from_reader::<_, Keys>(reader)
            .ok()
            .filter(|keys| {
                keys.contains_key("data") && keys.contains_key("request_id") && only(keys, ENVELOPE)
            })
            .map(|_| {
                "holds an answer of the API (an object with data and request_id), as secmaster \
                 api prints them"
                    .to_owned()
            }),
        Some(_) => None,
    })
}

/// The first byte after a UTF-8 byte-order mark and white space, left
/// unread; `None` when there is none.
fn first_character(reader: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    if reader.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
    }
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(None);
        }
        match buffer.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let first = buffer[i];
                reader.consume(i);
                return Ok(Some(first));
            }
            None => {
                let n = buffer.len();
                reader.consume(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn judged(text: &str) -> Option<String> {
        not_an_export(text.as_bytes()).unwrap()
    }

    #[test]
    fn listings_and_answers_are_not_exports() {
        assert_eq!(judged("").as_deref(), Some("is empty"));
        assert_eq!(judged(" \n\t\r\n").as_deref(), Some("is empty"));
        assert_eq!(judged("\u{feff}\n").as_deref(), Some("is empty"));
        let listing = r#"[{"id": "a", "name": "x"}, {"id": "b", "labels": [1, {"y": null}]}]"#;
        assert!(
            judged(listing)
                .unwrap()
                .contains("a JSON array of 2 records"),
            "{listing}"
        );
        assert!(
            judged("\u{feff} [ ]")
                .unwrap()
                .contains("an empty JSON array")
        );
        let answer = r#"{"code": "0", "data": [], "request_id": "r", "total": 0}"#;
        assert!(judged(answer).unwrap().contains("an answer of the API"));
        let every_field: serde_json::Map<String, serde_json::Value> = fields::WORKFLOW
            .iter()
            .map(|f| (f.to_string(), serde_json::Value::Null))
            .collect();
        let listing = serde_json::to_string(&[every_field]).unwrap();
        assert!(
            judged(&listing)
                .unwrap()
                .contains("a JSON array of 1 record")
        );
    }

    #[test]
    fn anything_else_is_for_the_service_to_judge() {
        for text in [
            r#"{"format": "secmaster-sim-export/1", "workflows": [{"id": "a"}]}"#,
            "PK\u{3}\u{4} a zip",
            "[1, 2]",
            r#"[{"id": "a"}, {"name": "no id"}]"#,
            r#"[{"id": "a"}] trailing"#,
            r#"{"data": []}"#,
            // Records of an export may carry what a listing does not.
            r#"[{"id":"c1","name":"Phish","topology":{"nodes":[]},"versions":[{"v":1}]}]"#,
            r#"{"data": [], "request_id": "r", "workflows": []}"#,
            "- id: a\n  name: yaml\n",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\
             [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        ] {
            assert_eq!(judged(text), None, "{text}");
        }
    }

    #[test]
    fn counts_from_the_services_message() {
        assert_eq!(imported_count("imported 25 workflows"), Some(25));
        assert_eq!(imported_count(" Imported 1 workflow "), Some(1));
        for other in [
            "imported",
            "imported x workflows",
            "imported -1 workflows",
            "done",
            "",
        ] {
            assert_eq!(imported_count(other), None, "{other}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Any bytes: judged without a panic, an export or one of the
        /// three things said.
        #[test]
        fn any_file_is_judged(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            if let Some(what) = not_an_export(bytes.as_slice()).unwrap() {
                prop_assert!(
                    what == "is empty" || what.starts_with("holds "),
                    "{}", what
                );
            }
        }

        /// JSON-like text made of the characters that matter: never a panic.
        #[test]
        fn json_like_text_is_judged(text in "[ \\[\\]{}\":,a-z0-9\u{feff}]{0,80}") {
            let _ = not_an_export(text.as_bytes()).unwrap();
        }

        /// Any listing of records with ids is refused, whatever they hold.
        #[test]
        fn any_listing_is_refused(ids in prop::collection::vec(any::<String>(), 0..5)) {
            let records: Vec<serde_json::Value> =
                ids.iter().map(|id| serde_json::json!({"id": id, "name": id})).collect();
            let text = serde_json::to_string_pretty(&records).unwrap();
            prop_assert!(judged(&text).is_some());
        }

        /// Any message: a count only from `imported N workflows`.
        #[test]
        fn any_message_gives_a_count_or_none(message in any::<String>(), n in any::<u64>()) {
            if let Some(count) = imported_count(&message) {
                prop_assert!(message.to_ascii_lowercase().contains("imported"));
                prop_assert!(message.contains(&count.to_string()));
            }
            prop_assert_eq!(imported_count(&format!("imported {n} workflows")), Some(n));
        }
    }
}
