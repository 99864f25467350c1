//! Importing workflows (`POST .../soc/workflows/import`), by hand.
//!
//! progenitor 0.15 cannot generate `multipart/form-data` bodies (its issue
//! #402), so the generator skips this operation and it is built here: the
//! form is framed by hand around the file, which streams from disk (a large
//! file is never held in memory) with an exact `Content-Length`. It goes
//! through the same call path as every operation, and is signed with
//! `UNSIGNED-PAYLOAD`, as the official SDK signs multipart requests.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use tokio::io::AsyncReadExt;

use crate::args::Target;
use crate::call::{Payload, StreamedBody};
use crate::error::Error;
use crate::operation::Operation;
use crate::operations::IMPORT_WORKFLOWS;
use crate::ops::Input;
use crate::types::ImportWorkflowsResponse;
use crate::{Args, SecMasterClient};

/// Bytes read from disk per piece of the upload.
const PIECE: usize = 64 * 1024;

/// The file to import.
///
/// # Example
///
/// ```no_run
/// use secmaster_client::{ImportFile, SecMasterClient};
///
/// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
/// // From disk, streamed (a large file is never held in memory).
/// let answer = client
///     .import_workflows("<project_id>", "<workspace_id>", &ImportFile::path("workflows.zip"))
///     .await?;
/// println!("success: {:?}, request id {:?}", answer.success, answer.request_id);
///
/// // From memory, under a file name.
/// let bytes: Vec<u8> = std::fs::read("workflows.zip")?;
/// let file = ImportFile::bytes("workflows.zip", bytes);
/// client.import_workflows("<project_id>", "<workspace_id>", &file).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum ImportFile {
    /// A file on disk, streamed as it is sent.
    Path(PathBuf),
    /// Bytes in memory, under a file name.
    Bytes {
        /// The file name sent with the form.
        name: String,
        /// The content.
        bytes: Bytes,
    },
}

/// The file's name and size, not its content (it may be large, or private).
impl std::fmt::Debug for ImportFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportFile::Path(path) => f.debug_tuple("Path").field(path).finish(),
            ImportFile::Bytes { name, bytes } => f
                .debug_struct("Bytes")
                .field("name", name)
                .field("len", &bytes.len())
                .finish(),
        }
    }
}

impl ImportFile {
    /// A file on disk; its name is sent with the form.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        ImportFile::Path(path.into())
    }
    /// The same as [`ImportFile::path`].
    pub fn from_path(path: impl Into<PathBuf>) -> Self {
        ImportFile::path(path)
    }
    /// Bytes in memory under the file name `name`.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        ImportFile::Bytes {
            name: name.into(),
            bytes: bytes.into(),
        }
    }
}

impl SecMasterClient {
    /// Imports the workflows in `file` into a workspace; the service gives
    /// them new IDs. A 200 whose body says `"success": false` is an
    /// [`Error::Api`] with the body's code and message. `request_id` of the
    /// answer is the body's, else the `X-Request-Id` header.
    ///
    /// Not repeated once the upload may have reached the service: only a
    /// connection that could not be made, or a 429 (the gateway throttled
    /// it, so it was not processed), is tried again.
    ///
    /// A file on disk is sent with the length its size gives when the
    /// upload begins; one whose content turns out shorter or longer (it
    /// changed meanwhile, or it is a `/proc` file) cuts the request off
    /// before its end: [`Error::FileChanged`]. A read that fails is
    /// [`Error::Io`] naming the file.
    ///
    /// An empty `project_id` is the client's default project
    /// ([`SecMasterClientBuilder::project_id`](crate::SecMasterClientBuilder::project_id)).
    pub async fn import_workflows(
        &self,
        project_id: &str,
        workspace_id: &str,
        file: &ImportFile,
    ) -> Result<ImportWorkflowsResponse, Error> {
        let args = Args::new()
            .set("project_id", project_id)
            .set("workspace_id", workspace_id);
        self.execute_json(&IMPORT_WORKFLOWS, &args, Input::File(file.clone()))
            .await
    }

    /// Sends a multipart operation: the form framed by hand around the
    /// file, which streams from disk with an exact `Content-Length`.
    pub(super) async fn upload(
        &self,
        op: &Operation,
        target: &Target,
        field: &str,
        file: &ImportFile,
        before_retry: &(dyn Fn(&Error) + Sync),
    ) -> Result<reqwest::Response, Error> {
        let (name, length) = match file {
            ImportFile::Path(path) => {
                // Fail before sending when the file cannot be read at all.
                let opened = open(path).await?;
                (file_name(path), opened.metadata().await?.len())
            }
            ImportFile::Bytes { name, bytes } => (name.clone(), bytes.len() as u64),
        };
        let make = || {
            let boundary = boundary();
            let head = Bytes::from(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n\r\n",
                quoted(field),
                quoted(&name)
            ));
            let tail = Bytes::from(format!("\r\n--{boundary}--\r\n"));
            let total = head.len() as u64 + length + tail.len() as u64;
            let content = match file {
                ImportFile::Path(path) => disk_stream(path.clone(), length).boxed(),
                ImportFile::Bytes { bytes, .. } => {
                    stream::once(std::future::ready(Ok(bytes.clone()))).boxed()
                }
            };
            let body = stream::once(std::future::ready(Ok(head)))
                .chain(content)
                .chain(stream::once(std::future::ready(Ok(tail))));
            StreamedBody {
                content_type: format!("multipart/form-data; boundary={boundary}"),
                length: total,
                body: reqwest::Body::wrap_stream(body),
            }
        };
        self.send(op, target, &Payload::Stream(&make), before_retry)
            .await
    }
}

/// Opens the file to upload; an error names it.
async fn open(path: &std::path::Path) -> Result<tokio::fs::File, Error> {
    tokio::fs::File::open(path).await.map_err(|e| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("cannot open {}: {e}", path.display()),
        ))
    })
}

/// Why an upload's body ended early. It travels inside the transport's
/// error, and [`upload_failure`] finds it there again.
#[derive(Debug)]
struct UploadFailure(Error);

impl std::fmt::Display for UploadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for UploadFailure {}

/// The upload failure behind a transport error, when its body stream
/// failed: the caller hears that the file changed, not of a network error.
pub(crate) fn upload_failure(e: &reqwest::Error) -> Option<Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(UploadFailure(failure)) = s.downcast_ref::<UploadFailure>() {
            return Some(match failure {
                Error::FileChanged { path, expected } => Error::FileChanged {
                    path: path.clone(),
                    expected: *expected,
                },
                Error::Io(io) => Error::Io(std::io::Error::new(io.kind(), io.to_string())),
                other => Error::Unexpected(other.to_string()),
            });
        }
        source = s.source();
    }
    None
}

/// The file at `path`, `PIECE` bytes at a time, opened when the body is
/// first polled. When it cannot be read, or is not `length` bytes long,
/// the body ends with an [`UploadFailure`], which cuts the request off
/// before its end.
fn disk_stream(
    path: PathBuf,
    length: u64,
) -> impl Stream<Item = Result<Bytes, UploadFailure>> + Send {
    stream::try_unfold((None, 0u64), move |(file, sent)| {
        let path = path.clone();
        async move {
            let mut file = match file {
                Some(file) => file,
                None => open(&path).await.map_err(UploadFailure)?,
            };
            let mut piece = vec![0; PIECE];
            let failure = match file.read(&mut piece).await {
                Ok(0) if sent == length => return Ok(None),
                Ok(n) if n > 0 && sent + n as u64 <= length => {
                    piece.truncate(n);
                    return Ok(Some((Bytes::from(piece), (Some(file), sent + n as u64))));
                }
                Ok(_) => Error::FileChanged {
                    path,
                    expected: length,
                },
                Err(e) => Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("cannot read {}: {e}", path.display()),
                )),
            };
            Err(UploadFailure(failure))
        }
    })
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || "workflows".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// A file name inside the form's quoted string: `"`, CR and LF written as
/// `%22`, `%0D`, `%0A`, as browsers and the official SDK write them.
fn quoted(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// 32 random hex digits; a file is as likely to hold them as to guess them.
fn boundary() -> String {
    use std::hash::{BuildHasher, RandomState};
    let a = RandomState::new().hash_one(std::time::SystemTime::now());
    let b = RandomState::new().hash_one(a);
    format!("{a:016x}{b:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // A file rewritten during the upload (shorter or longer than its size
    // said, or a `/proc` file, size 0) failed the body with a plain error,
    // which the transport reported as a network failure.
    #[tokio::test]
    async fn a_file_that_is_not_its_size_cuts_the_body_off_and_says_why() {
        let size = PIECE as u64 + 10;
        let path = std::env::temp_dir().join(format!("secmaster-resized-{}", std::process::id()));
        std::fs::write(&path, vec![7; size as usize]).unwrap();
        for length in [size, size - 1, size + 1, PIECE as u64, 0] {
            let pieces: Vec<_> = disk_stream(path.clone(), length).collect().await;
            if length == size {
                let sent: usize = pieces.iter().map(|p| p.as_ref().unwrap().len()).sum();
                assert_eq!(sent as u64, size);
                continue;
            }
            let sent: u64 = pieces.iter().flatten().map(|p| p.len() as u64).sum();
            assert!(sent <= length, "{sent} bytes sent of {length}");
            match pieces.last() {
                Some(Err(UploadFailure(Error::FileChanged { path: p, expected }))) => {
                    assert_eq!((p, *expected), (&path, length));
                }
                other => panic!("{length}: {other:?}"),
            }
        }
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn names_are_quoted_like_the_official_sdk() {
        assert_eq!(quoted("a\"b\r\nc é.zip"), "a%22b%0D%0Ac é.zip");
        let b = boundary();
        assert_eq!(b.len(), 32);
        assert!(b.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(b, boundary());
    }
}
