//! `secmaster api`: any operation of the API document, sent from its entry
//! in the operation table. Nothing here knows one operation from another:
//! the table says what each takes and answers, and the client checks the
//! arguments against it before anything is sent.

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use secmaster_client::env::PROJECT_ID;
use secmaster_client::operation::{self, Answer, Body, Operation};
use secmaster_client::operations::OPERATIONS;
use secmaster_client::{Answered, Args, Error, ImportFile, Input, SecMasterClient};

use crate::cli::ApiArgs;
use crate::exit::{Failure, shown};
use crate::file_answer::{self, Destination};
use crate::format;
use crate::output::{names_standard_input, stdout_file};
use crate::session;
use crate::settings::{Lookup, Settings, WORKSPACE_VARIABLE};

/// The most read into memory from `--body` or an upload from standard
/// input; an upload from a file is streamed instead.
const MAX_IN_MEMORY: u64 = 64 * 1024 * 1024;

/// Where an upload's file comes from (`FIELD=@PATH`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Upload {
    Path(PathBuf),
    Stdin,
}

pub async fn run(args: ApiArgs, env: Lookup<'_>) -> Result<(), Failure> {
    if args.list {
        return print_operations();
    }
    // clap took the name from the table; a name it let through that the
    // table lacks cannot happen, but is refused all the same.
    let name = args.operation.as_deref().unwrap_or_default();
    let op = operation::find(name).ok_or_else(|| {
        Failure::Usage(format!(
            "no operation {name:?} (secmaster api --list shows them)"
        ))
    })?;
    let (mut call, upload) = parse_params(op, &args.params)?;
    refuse_misplaced(op, &args, upload.as_ref())?;
    let input = input(op, args.body.as_deref(), upload)?;
    let settings = Settings::for_workspace(&args.connection, env)?;
    let defaults = defaults(op, &call, &args, &settings)?;
    let (client, [project, workspace]) = session::connect(&settings, env, defaults)?;
    for (name, value) in [("project_id", project), ("workspace_id", workspace)] {
        if let Some(value) = value {
            call.insert(name, value);
        }
    }
    // Before the output is touched or anything is sent.
    call.check(op)?;
    if let Some(project) = call.get("project_id") {
        session::check_project_id(project, &settings);
    }
    let sent = send(&client, op, &call, input, &args).await;
    match call.get("workspace_id") {
        Some(workspace_id) => sent.map_err(|f| f.of_workspace(workspace_id)),
        None => sent,
    }
}

/// `--list`: every operation of the table.
fn print_operations() -> Result<(), Failure> {
    let mut out = BufWriter::new(stdout_file()?);
    format::table(&mut out, &format::OPERATIONS, OPERATIONS)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

/// Refuses what the operation cannot use: more than one reader of standard
/// input, a file answer with nowhere to go, `-o` for an answer in JSON.
fn refuse_misplaced(
    op: &Operation,
    args: &ApiArgs,
    upload: Option<&Upload>,
) -> Result<(), Failure> {
    let stdin_readers = [
        (args.connection.service.token_file.as_deref()).is_some_and(names_standard_input),
        (args.body.as_deref().and_then(|b| b.strip_prefix('@')))
            .is_some_and(|p| names_standard_input(Path::new(p))),
        match upload {
            Some(Upload::Stdin) => true,
            Some(Upload::Path(p)) => names_standard_input(p),
            None => false,
        },
    ];
    if stdin_readers.iter().filter(|&&reads| reads).count() > 1 {
        return Err(Failure::Usage(
            "only one of --token-file -, --body @- and an upload from @- can read standard input"
                .into(),
        ));
    }
    match (op.answer, &args.output) {
        (Answer::File, None) => Err(Failure::Usage(format!(
            "{} answers with a file: pass -o FILE, -o DIR or -o - (standard output)",
            op.id
        ))),
        (Answer::File, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(Failure::Usage(format!(
            "-o applies to operations that answer with a file; {} answers on standard output",
            op.id
        ))),
    }
}

/// The project and the workspace the settings give (flags, environment,
/// profile), for the operation's parameters no `NAME=VALUE` gave (`None`:
/// not wanted); each missing one is a failure that [`session::connect`]
/// names with the other missing settings.
fn defaults(
    op: &Operation,
    call: &Args,
    args: &ApiArgs,
    settings: &Settings,
) -> Result<[Result<Option<String>, Failure>; 2], Failure> {
    let project_flag = args.connection.project_id.as_deref();
    let project = if wants_default(op, call, "project_id", project_flag, "--project-id")? {
        settings.project_id().map(Some).map_err(|_| {
            Failure::Usage(format!(
                "no project id: pass --project-id, set {PROJECT_ID}, give project_id in a \
                 profile, or give project_id=ID"
            ))
        })
    } else {
        Ok(None)
    };
    let workspace_flag = args.connection.workspace_id.as_deref();
    let workspace = if wants_default(op, call, "workspace_id", workspace_flag, "--workspace-id")? {
        settings.workspace_id().map(Some).map_err(|_| {
            Failure::Usage(format!(
                "no workspace id: pass --workspace-id, set {WORKSPACE_VARIABLE}, give \
                 workspace_id in a profile, or give workspace_id=ID"
            ))
        })
    } else {
        Ok(None)
    };
    Ok([project, workspace])
}

/// Sends the call; prints a JSON answer, saves a file answer.
async fn send(
    client: &SecMasterClient,
    op: &Operation,
    call: &Args,
    input: Input,
    args: &ApiArgs,
) -> Result<(), Failure> {
    if op.answer == Answer::File {
        let destination = Destination {
            output: args.output.as_deref(),
            force: args.force,
            quiet: args.connection.service.quiet,
            fallback_name: format!("{}.bin", op.id),
        };
        let request = async {
            match client.execute(op, call, input).await? {
                Answered::File(file) => Ok((file, None)),
                _ => Err(Failure::Client(Error::Unexpected(format!(
                    "{} did not answer with a file",
                    op.id
                )))),
            }
        };
        return file_answer::save(destination, request).await;
    }
    let out = stdout_file()?;
    match client.execute(op, call, input).await? {
        Answered::Json(value) => {
            let mut out = BufWriter::new(out);
            format::json(&mut out, &value)
                .and_then(|()| out.flush())
                .map_err(|e| Failure::io("cannot write to standard output", &e))
        }
        // Nothing to print: the exit code says it was done.
        _ => Ok(()),
    }
}

/// The `NAME=VALUE` arguments as the operation's arguments, and the file
/// of an upload (`FIELD=@PATH`, `FIELD=@-`). Names and values are not
/// checked here: the table check names what is wrong.
fn parse_params(op: &Operation, params: &[String]) -> Result<(Args, Option<Upload>), Failure> {
    let file_field = match op.body {
        Body::Multipart { file_field } => Some(file_field),
        _ => None,
    };
    let mut args = Args::new();
    let mut upload = None;
    for param in params {
        let Some((name, value)) = param.split_once('=').filter(|(n, _)| !n.is_empty()) else {
            return Err(Failure::Usage(format!(
                "{param:?} is not NAME=VALUE (secmaster api --help)"
            )));
        };
        if args.get(name).is_some() || (Some(name) == file_field && upload.is_some()) {
            return Err(Failure::Usage(format!("{name} is given twice")));
        }
        if Some(name) != file_field {
            args.insert(name, value);
            continue;
        }
        upload = match value.strip_prefix('@') {
            Some("-") => Some(Upload::Stdin),
            Some(path) if !path.is_empty() => Some(Upload::Path(PathBuf::from(path))),
            _ => {
                return Err(Failure::Usage(format!(
                    "{name} is the file {} uploads: give it as {name}=@PATH (or {name}=@- for \
                     standard input)",
                    op.id
                )));
            }
        };
    }
    Ok((args, upload))
}

/// Whether the parameter `name` comes from its flag `flag` (or the
/// environment, or the profile): the operation has it and no `NAME=VALUE` gave it. The
/// flag given beside `NAME=VALUE`, or to an operation without the
/// parameter, is refused.
fn wants_default(
    op: &Operation,
    call: &Args,
    name: &str,
    flag_value: Option<&str>,
    flag: &str,
) -> Result<bool, Failure> {
    let has = op.parameter(name).is_some();
    let given = call.get(name).is_some();
    match (has, given, flag_value.is_some()) {
        (false, _, true) => Err(Failure::Usage(format!(
            "{} has no parameter {name}: drop {flag}",
            op.id
        ))),
        (true, true, true) => Err(Failure::Usage(format!(
            "{name} is given twice: as {name}=... and as {flag}"
        ))),
        (has, given, _) => Ok(has && !given),
    }
}

/// The body the operation takes, from `--body` or the upload.
fn input(op: &Operation, body: Option<&str>, upload: Option<Upload>) -> Result<Input, Failure> {
    match (op.body, body, upload) {
        (Body::None, None, _) => Ok(Input::None),
        (Body::None, Some(_), _) => Err(Failure::Usage(format!(
            "{} takes no body: drop --body",
            op.id
        ))),
        (Body::Json { .. }, Some(body), _) => {
            let (text, from) = match body.strip_prefix('@') {
                Some("") => {
                    return Err(Failure::Usage(
                        "--body @ names no file: give --body @FILE or --body @-".into(),
                    ));
                }
                Some("-") => (read_text(None, "--body @-")?, "--body @-".to_owned()),
                Some(path) => (
                    read_text(Some(Path::new(path)), "--body")?,
                    format!("--body file {}", shown(Path::new(path))),
                ),
                None => (body.to_owned(), "--body".to_owned()),
            };
            // Token and ids files drop a byte-order mark; so does the body.
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if text.trim().is_empty() {
                return Err(Failure::Usage(format!(
                    "{from} is empty: a JSON body is needed"
                )));
            }
            serde_json::from_str(text)
                .map(Input::Json)
                .map_err(|e| Failure::Usage(format!("{from} is not JSON: {e}")))
        }
        (Body::Json { .. }, None, _) => Err(Failure::Usage(format!(
            "{} takes a JSON body: pass --body JSON, --body @FILE or --body @-",
            op.id
        ))),
        (Body::Multipart { file_field }, Some(_), _) => Err(Failure::Usage(format!(
            "{} uploads a file, not a JSON body: give it as {file_field}=@PATH",
            op.id
        ))),
        (Body::Multipart { file_field }, None, None) => Err(Failure::Usage(format!(
            "{} uploads a file: pass {file_field}=@PATH (or {file_field}=@- for standard input)",
            op.id
        ))),
        (Body::Multipart { .. }, None, Some(Upload::Path(path))) => {
            crate::import::uploadable(&path)?;
            Ok(Input::File(ImportFile::path(path)))
        }
        (Body::Multipart { .. }, None, Some(Upload::Stdin)) => {
            // Any bytes: an export is usually a zip file.
            let bytes = read_capped(None, "the upload from @-")?;
            Ok(Input::File(ImportFile::bytes("stdin", bytes)))
        }
        _ => Err(Failure::Usage(format!(
            "{} takes a body this command cannot send",
            op.id
        ))),
    }
}

/// [`read_capped`] as UTF-8 text.
fn read_text(path: Option<&Path>, what: &str) -> Result<String, Failure> {
    let shown_as = path.map_or_else(|| what.to_owned(), |p| format!("{what} file {}", shown(p)));
    String::from_utf8(read_capped(path, what)?)
        .map_err(|_| Failure::Io(format!("{shown_as} is not UTF-8 text")))
}

/// A file (`None`: standard input) read whole, at most
/// [`MAX_IN_MEMORY`]; `what` names it in errors.
fn read_capped(path: Option<&Path>, what: &str) -> Result<Vec<u8>, Failure> {
    let shown_as = path.map_or_else(|| what.to_owned(), |p| format!("{what} file {}", shown(p)));
    let mut bytes = Vec::new();
    let result = match path {
        None => std::io::stdin()
            .take(MAX_IN_MEMORY + 1)
            .read_to_end(&mut bytes),
        Some(path) => std::fs::File::open(path)
            .and_then(|f| f.take(MAX_IN_MEMORY + 1).read_to_end(&mut bytes)),
    };
    result.map_err(|e| Failure::io(format!("cannot read {shown_as}"), &e))?;
    if bytes.len() as u64 > MAX_IN_MEMORY {
        return Err(Failure::Io(format!(
            "{shown_as} is larger than the limit of {} MiB",
            MAX_IN_MEMORY / (1024 * 1024)
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use secmaster_client::operations::{IMPORT_WORKFLOWS, LIST_WORKFLOWS};

    fn parsed(op: &Operation, params: &[&str]) -> Result<(Args, Option<Upload>), Failure> {
        let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
        parse_params(op, &params)
    }

    #[test]
    fn names_and_values_split_at_the_first_equals_sign() {
        let (args, upload) = parsed(&LIST_WORKFLOWS, &["name=a=b", "limit=", "x=@y"]).unwrap();
        assert_eq!(args.get("name"), Some("a=b"));
        assert_eq!(args.get("limit"), Some(""));
        assert_eq!(
            args.get("x"),
            Some("@y"),
            "only an upload's field reads '@'"
        );
        assert_eq!(upload, None);
    }

    #[test]
    fn each_bad_argument_is_a_usage_error_that_names_it() {
        let cases: [(&Operation, &[&str], &str); 6] = [
            (&LIST_WORKFLOWS, &["limit"], "\"limit\" is not NAME=VALUE"),
            (&LIST_WORKFLOWS, &["=5"], "\"=5\" is not NAME=VALUE"),
            (
                &LIST_WORKFLOWS,
                &["limit=1", "limit=2"],
                "limit is given twice",
            ),
            (
                &IMPORT_WORKFLOWS,
                &["uploadFile=flows.zip"],
                "give it as uploadFile=@PATH",
            ),
            (
                &IMPORT_WORKFLOWS,
                &["uploadFile=@"],
                "give it as uploadFile=@PATH",
            ),
            (
                &IMPORT_WORKFLOWS,
                &["uploadFile=@a", "uploadFile=@b"],
                "uploadFile is given twice",
            ),
        ];
        for (op, params, expected) in cases {
            let Err(refusal) = parsed(op, params) else {
                panic!("{params:?} was accepted");
            };
            assert_eq!(refusal.exit_code(), crate::exit::USAGE);
            assert!(refusal.to_string().contains(expected), "{refusal}");
        }
        let (_, upload) = parsed(&IMPORT_WORKFLOWS, &["uploadFile=@-"]).unwrap();
        assert_eq!(upload, Some(Upload::Stdin));
    }

    #[test]
    fn bodies_are_what_the_table_says() {
        use secmaster_client::operations::EXPORT_WORKFLOWS;
        let refused = |op, body: Option<&str>| input(op, body, None).unwrap_err().to_string();
        assert!(refused(&LIST_WORKFLOWS, Some("{}")).contains("takes no body"));
        assert!(refused(&EXPORT_WORKFLOWS, None).contains("takes a JSON body"));
        assert!(refused(&EXPORT_WORKFLOWS, Some("{\"id\":")).contains("--body is not JSON"));
        assert!(refused(&IMPORT_WORKFLOWS, None).contains("pass uploadFile=@PATH"));
        assert!(refused(&IMPORT_WORKFLOWS, Some("{}")).contains("not a JSON body"));
        let sent = input(&EXPORT_WORKFLOWS, Some(r#"{"id":["a"]}"#), None).unwrap();
        assert!(matches!(sent, Input::Json(v) if v["id"][0] == "a"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Any arguments: never a panic; what is accepted holds each name
        /// once, with the text after its first `=` as the value, and only
        /// the upload's field reads a file.
        #[test]
        fn any_arguments_parse_or_are_refused_without_panic(
            params in prop::collection::vec(
                prop_oneof![any::<String>(), "[a-zA-Z_]{0,6}=@?[-a-z=@]{0,6}"],
                0..6,
            ),
        ) {
            for op in [&LIST_WORKFLOWS, &IMPORT_WORKFLOWS] {
                let Ok((args, upload)) = parse_params(op, &params) else { continue };
                let names: Vec<&str> = args.iter().map(|(n, _)| n).collect();
                let unique: std::collections::HashSet<&&str> = names.iter().collect();
                prop_assert_eq!(unique.len(), names.len());
                for (name, value) in args.iter() {
                    prop_assert!(!name.is_empty());
                    if std::ptr::eq(op, &IMPORT_WORKFLOWS) {
                        prop_assert_ne!(name, "uploadFile");
                    }
                    let pair = format!("{name}={value}");
                    prop_assert!(params.contains(&pair), "{}", pair);
                }
                if upload.is_some() {
                    prop_assert!(std::ptr::eq(op, &IMPORT_WORKFLOWS));
                }
            }
        }
    }
}
