//! `secmaster workflows export`.

use std::io::Read;
use std::path::{Path, PathBuf};

use secmaster_client::{SecMasterClient, WorkflowFile};

use crate::cli::ExportArgs;
use crate::exit::{Failure, one_line};
use crate::filename;
use crate::ids;
use crate::output::{self, TempFile};
use crate::progress::Progress;
use crate::settings::{self, Lookup};

/// Where the file goes, as far as it is known before the response.
enum Target {
    /// `--output -`.
    Stdout,
    /// `--output FILE`: a new or regular file, replaced all at once.
    File(PathBuf),
    /// `--output` names something that is neither a regular file nor a
    /// directory (`/dev/null`, a named pipe): written to directly, as there
    /// is nothing to replace atomically.
    Special(PathBuf),
    /// `--output DIR` (an existing directory), or the current directory
    /// without `--output`: the name comes from the response.
    Directory(Option<PathBuf>),
}

impl Target {
    fn new(output: Option<PathBuf>) -> Self {
        let Some(path) = output else {
            return Target::Directory(None);
        };
        if path.as_os_str() == "-" {
            return Target::Stdout;
        }
        // `metadata` follows links: a link to a directory is a directory.
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => Target::Directory(Some(path)),
            Ok(m) if !m.is_file() => Target::Special(path),
            // A link to a regular file: the file it points to is replaced
            // (with --force), never the link.
            Ok(_) if path.is_symlink() => {
                Target::File(std::fs::canonicalize(&path).unwrap_or(path))
            }
            _ => Target::File(path),
        }
    }
}

pub async fn run(args: ExportArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let stdin = |p: &Option<PathBuf>| p.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if stdin(&args.ids_file) && stdin(&args.token_file) {
        return Err(Failure::Usage(
            "--ids-file and --token-file cannot both read standard input".into(),
        ));
    }
    let ids = workflow_ids(&args)?;
    let project = settings::project_id(args.project_id.as_deref(), env)?;
    let endpoint = settings::endpoint(args.endpoint.as_deref(), args.region.as_deref(), env)?;
    let (credentials, source) = settings::credentials(args.token_file.as_deref(), env)?;
    tracing::debug!(
        target: "secmaster",
        %endpoint,
        credentials = ?source,
        ids = ids.len(),
        "exporting workflows"
    );

    let target = Target::new(args.output.clone());
    let streaming = matches!(target, Target::Stdout | Target::Special(_));
    let client = SecMasterClient::builder()
        .endpoint(endpoint)
        .credentials(credentials)
        .project_id(&project)
        .build()?;
    // Listen before the temporary file exists, so that no signal can end the
    // process with the file left behind. Standard output and devices have
    // nothing to clean up: there an interrupt ends the process as usual.
    let signals = if streaming {
        None
    } else {
        Some(Signals::new()?)
    };
    // Before sending anything: refuse when the answer could not be saved
    // (the output exists, the directory is not writable).
    let sink = Sink::prepare(target, args.force)?;

    let work = async {
        let file = client
            .export_workflows(&project, &args.workspace_id, &ids)
            .await?;
        tracing::debug!(
            target: "secmaster",
            request_id = file.request_id().unwrap_or("-"),
            content_length = file.content_length(),
            content_disposition = file.content_disposition().unwrap_or("-"),
            "the file is arriving"
        );
        receive(file, sink, &args).await
    };

    let Some(mut signals) = signals else {
        return work.await;
    };
    tokio::select! {
        result = work => result,
        // Dropping `work` drops the temporary file, which removes it.
        signal = signals.recv() => Err(Failure::Interrupted(signal)),
    }
}

/// `--id`s then the ids file, each id once.
fn workflow_ids(args: &ExportArgs) -> Result<Vec<String>, Failure> {
    let mut all = args.ids.clone();
    if let Some(path) = &args.ids_file {
        let mut text = String::new();
        let result = if path.as_os_str() == "-" {
            std::io::stdin().read_to_string(&mut text)
        } else {
            std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
        };
        result
            .map_err(|e| Failure::io(format!("cannot read the ids file {}", path.display()), &e))?;
        all.extend(ids::parse_ids_file(&text));
    }
    let (unique, repeated) = ids::dedup(all);
    if !repeated.is_empty() {
        eprintln!(
            "warning: {} given more than once, sent once: {}",
            if repeated.len() == 1 {
                "1 workflow id was".to_owned()
            } else {
                format!("{} workflow ids were", repeated.len())
            },
            one_line(&repeated.join(", "))
        );
    }
    if unique.is_empty() {
        return Err(Failure::Usage(
            "no workflow ids: pass --id ID (repeatable) or --ids-file FILE".into(),
        ));
    }
    Ok(unique)
}

/// Where the body will be written, made ready before the request is sent.
enum Sink {
    Stdout,
    Special(PathBuf, std::fs::File),
    /// The final path is known; the temporary file is beside it.
    File(PathBuf, TempFile),
    /// The final name comes from the response; the temporary file is in the
    /// directory already.
    Directory(Option<PathBuf>, TempFile),
}

impl Sink {
    fn prepare(target: Target, force: bool) -> Result<Self, Failure> {
        Ok(match target {
            Target::Stdout => Sink::Stdout,
            Target::Special(path) => {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .map_err(|e| Failure::io(format!("cannot open {}", shown(&path)), &e))?;
                Sink::Special(path, file)
            }
            Target::File(path) => {
                // Checked again, atomically, when the file is put in place.
                if !force && output::exists(&path) {
                    return Err(output::exists_failure(&path));
                }
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let temp = TempFile::create_in(
                    &output::parent_dir(&path),
                    name.as_deref().unwrap_or("export"),
                )?;
                Sink::File(path, temp)
            }
            Target::Directory(dir) => {
                let temp = TempFile::create_in(
                    dir.as_deref().unwrap_or(Path::new(".")),
                    "secmaster-export",
                )?;
                Sink::Directory(dir, temp)
            }
        })
    }
}

/// Saves or prints the body, then says what was done.
async fn receive(file: WorkflowFile, sink: Sink, args: &ExportArgs) -> Result<(), Failure> {
    let request_id = file
        .request_id()
        .map(|id| format!(" (request id {})", one_line(id)))
        .unwrap_or_default();
    let progress = Progress::new(!args.quiet, file.content_length());
    let (path, temp) = match sink {
        Sink::Stdout => {
            let stdout = std::io::stdout().lock();
            let bytes = output::stream_to(file, stdout, "standard output", &progress).await?;
            drop(progress);
            if !args.quiet {
                eprintln!("wrote {bytes} bytes to standard output{request_id}");
            }
            return Ok(());
        }
        Sink::Special(path, out) => {
            let what = shown(&path);
            let bytes = output::stream_to(file, out, &what, &progress).await?;
            drop(progress);
            if !args.quiet {
                eprintln!("wrote {bytes} bytes to {what}{request_id}");
            }
            return Ok(());
        }
        Sink::File(path, temp) => (path, temp),
        Sink::Directory(dir, temp) => {
            let name = file_name(&file, &args.workspace_id);
            let path = dir.map_or_else(|| PathBuf::from(&name), |d| d.join(&name));
            if !args.force && output::exists(&path) {
                return Err(output::exists_failure(&path));
            }
            (path, temp)
        }
    };
    tracing::debug!(target: "secmaster", temp = %temp.path().display(), "writing");
    let bytes = output::save(file, temp, &path, args.force, &progress).await?;
    drop(progress);
    if !args.quiet {
        eprintln!("saved {bytes} bytes to {}{request_id}", shown(&path));
    }
    Ok(())
}

/// The name the service suggests, made safe, else the default.
fn file_name(file: &WorkflowFile, workspace_id: &str) -> String {
    let suggested = file
        .content_disposition()
        .and_then(filename::from_content_disposition);
    let Some(suggested) = suggested else {
        return filename::default_name(workspace_id);
    };
    match filename::sanitise(&suggested) {
        Some(safe) => {
            if safe != suggested {
                eprintln!(
                    "warning: the service suggested the file name {suggested:?}; saving as {safe:?}"
                );
            }
            safe
        }
        None => {
            let default = filename::default_name(workspace_id);
            eprintln!(
                "warning: the service suggested the unusable file name {suggested:?}; saving as {default:?}"
            );
            default
        }
    }
}

fn shown(path: &Path) -> String {
    one_line(&path.display().to_string())
}

/// The signals that stop a download to a file.
#[cfg(unix)]
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> Result<Self, Failure> {
        use tokio::signal::unix::{SignalKind, signal};
        let listen =
            |kind| signal(kind).map_err(|e| Failure::io("cannot set up signal handling", &e));
        Ok(Signals {
            interrupt: listen(SignalKind::interrupt())?,
            terminate: listen(SignalKind::terminate())?,
            hangup: listen(SignalKind::hangup())?,
        })
    }

    /// Waits for the first signal; returns its number.
    async fn recv(&mut self) -> i32 {
        tokio::select! {
            _ = self.interrupt.recv() => 2,
            _ = self.terminate.recv() => 15,
            _ = self.hangup.recv() => 1,
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Result<Self, Failure> {
        Ok(Signals)
    }

    async fn recv(&mut self) -> i32 {
        let _ = tokio::signal::ctrl_c().await;
        2
    }
}
