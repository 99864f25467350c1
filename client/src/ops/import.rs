//! Importing workflows (`POST .../soc/workflows/import`), by hand.
//!
//! progenitor 0.15 cannot generate `multipart/form-data` bodies (its issue
//! #402), so the generator skips this operation and it is built here: the
//! form is framed by hand around the file, which streams from disk (a large
//! file is never held in memory) with an exact `Content-Length`. It goes
//! through the same hooks and call path as every generated operation, and
//! is signed with `UNSIGNED-PAYLOAD`, as the official SDK signs multipart
//! requests.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use tokio::io::AsyncReadExt;

use crate::call::Repeat;
use crate::error::Error;
use crate::hooks::{self, AttemptFailure, CallContext};
use crate::types::ImportWorkflowsResponse;
use crate::{SecMasterClient, path_value};

/// The form field the API reads the file from.
const FIELD: &str = "uploadFile";
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
    /// [`Error::Api`] with the body's code and message. `request_id` of the answer is the body's, else the
    /// `X-Request-Id` header.
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
    pub async fn import_workflows(
        &self,
        project_id: &str,
        workspace_id: &str,
        file: &ImportFile,
    ) -> Result<ImportWorkflowsResponse, Error> {
        let url = format!(
            "{}/v1/{}/workspaces/{}/soc/workflows/import",
            self.endpoint.as_str(),
            path_value::encode("project_id", project_id)?,
            path_value::encode("workspace_id", workspace_id)?,
        );
        let url = reqwest::Url::parse(&url).map_err(|e| Error::InvalidInput(e.to_string()))?;
        if let ImportFile::Path(path) = file {
            // Fail before sending when the file cannot be read at all.
            open(path).await?;
        }
        self.call(project_id, Repeat::OnlyIfUnprocessed, |context| {
            self.import_once(context, url.clone(), file)
        })
        .await
    }

    async fn import_once(
        &self,
        context: CallContext,
        url: reqwest::Url,
        file: &ImportFile,
    ) -> Result<ImportWorkflowsResponse, Error> {
        let boundary = boundary();
        let (name, length, content) = match file {
            ImportFile::Path(path) => {
                let opened = open(path).await?;
                let length = opened.metadata().await?.len();
                let content = disk_stream(opened, path.clone(), length, context.clone());
                (file_name(path), length, content.boxed())
            }
            ImportFile::Bytes { name, bytes } => (
                name.clone(),
                bytes.len() as u64,
                stream::once(std::future::ready(Ok(bytes.clone()))).boxed(),
            ),
        };
        let head = Bytes::from(format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{FIELD}\"; filename=\"{}\"\r\n\r\n",
            quoted(&name)
        ));
        let tail = Bytes::from(format!("\r\n--{boundary}--\r\n"));
        let total = head.len() as u64 + length + tail.len() as u64;
        let body = stream::once(std::future::ready(Ok(head)))
            .chain(content)
            .chain(stream::once(std::future::ready(Ok(tail))));

        let mut request = reqwest::Request::new(reqwest::Method::POST, url);
        let headers = request.headers_mut();
        let content_type = format!("multipart/form-data; boundary={boundary}");
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_str(&content_type).expect("ASCII"),
        );
        headers.insert(CONTENT_LENGTH, HeaderValue::from(total));
        *request.body_mut() = Some(reqwest::Body::wrap_stream(body));
        hooks::prepare(&context, &mut request)?;
        let response = hooks::execute(&context, &self.http, request)
            .await
            .map_err(Error::from_reqwest)?;
        if !response.status().is_success() {
            // The hooks kept this answer; the call path reports it.
            return Err(Error::Unexpected("error answer".into()));
        }
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = hooks::read_answer(response, context.idle()).await?;
        let answer: ImportWorkflowsResponse = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Unexpected(format!(
                "the service's answer does not match the API document: {e}"
            ))
        })?;
        super::checked(status, &headers, answer, Some(&bytes))
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

/// The file at `path`, `PIECE` bytes at a time. When it cannot be read, or
/// is not `length` bytes long, the body ends with an error, which cuts the
/// request off before its end; the error is kept in `context` too, since
/// the transport would report it as a network failure.
fn disk_stream(
    file: tokio::fs::File,
    path: PathBuf,
    length: u64,
    context: CallContext,
) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    stream::try_unfold((file, 0u64), move |(mut file, sent)| {
        let (path, context) = (path.clone(), context.clone());
        async move {
            let mut piece = vec![0; PIECE];
            let failure = match file.read(&mut piece).await {
                Ok(0) if sent == length => return Ok(None),
                Ok(n) if n > 0 && sent + n as u64 <= length => {
                    piece.truncate(n);
                    return Ok(Some((Bytes::from(piece), (file, sent + n as u64))));
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
            let text = failure.to_string();
            context.keep(AttemptFailure::Local(failure));
            Err(std::io::Error::other(text))
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
    use std::sync::Arc;
    use std::time::Duration;

    // A file rewritten during the upload (shorter or longer than its size
    // said, or a `/proc` file, size 0) failed the body with a plain error,
    // which the transport reported as a network failure.
    #[tokio::test]
    async fn a_file_that_is_not_its_size_cuts_the_body_off_and_says_why() {
        let size = PIECE as u64 + 10;
        let path = std::env::temp_dir().join(format!("secmaster-resized-{}", std::process::id()));
        std::fs::write(&path, vec![7; size as usize]).unwrap();
        for length in [size, size - 1, size + 1, PIECE as u64, 0] {
            let credentials = crate::auth::Credentials::token("t").unwrap();
            let context = CallContext::new(Arc::new(credentials), "p", 1, Duration::from_secs(1));
            let file = tokio::fs::File::open(&path).await.unwrap();
            let pieces: Vec<_> = disk_stream(file, path.clone(), length, context.clone())
                .collect()
                .await;
            let kept = context.take_failure();
            if length == size {
                let sent: usize = pieces.iter().map(|p| p.as_ref().unwrap().len()).sum();
                assert_eq!((sent as u64, kept.is_none()), (size, true));
                continue;
            }
            assert!(pieces.last().unwrap().is_err(), "{length}");
            let sent: u64 = pieces.iter().flatten().map(|p| p.len() as u64).sum();
            assert!(sent <= length, "{sent} bytes sent of {length}");
            match kept {
                Some(AttemptFailure::Local(Error::FileChanged { path: p, expected })) => {
                    assert_eq!((p, expected), (path.clone(), length));
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
