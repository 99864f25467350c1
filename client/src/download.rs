//! The exported file, as it streams in.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::error::{Error, TimeoutPhase};
use crate::save::{Overwrite, PartFile, parent_dir};

type Body = std::pin::Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send + Sync>>;

/// A successful export whose body has not been read yet.
///
/// Reading it checks the idle limit between pieces and, when the server
/// announced a `Content-Length`, that exactly that many bytes arrived: a
/// short body is an error, never a short file.
///
/// # Example
///
/// ```no_run
/// use secmaster_client::{Overwrite, SecMasterClient};
///
/// # async fn run(client: SecMasterClient) -> Result<(), secmaster_client::Error> {
/// let (project, workspace) = ("0123456789abcdef0123456789abcdef", "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
/// let ids = ["c19470f3-5eaf-4572-82e8-2ff094495919"];
///
/// // Saved all or nothing.
/// let file = client.export_workflows(project, workspace, &ids).await?;
/// println!("{:?} bytes, request id {:?}", file.content_length(), file.request_id());
/// file.save_to_path("workflows.zip", Overwrite::Replace).await?;
///
/// // Or piece by piece, with bounded memory.
/// let mut file = client.export_workflows(project, workspace, &ids).await?;
/// let mut digest = 0u64;
/// while let Some(piece) = file.next_chunk().await? {
///     digest = piece.iter().fold(digest, |d, b| d.wrapping_mul(31).wrapping_add(u64::from(*b)));
/// }
/// println!("{} bytes, checksum {digest:x}", file.bytes_received());
/// # Ok(())
/// # }
/// ```
pub struct WorkflowFile {
    headers: HeaderMap,
    body: Body,
    idle: Duration,
    expected: Option<u64>,
    received: u64,
    finished: bool,
}

impl WorkflowFile {
    pub(crate) fn new(response: reqwest::Response, idle: Duration) -> Self {
        let headers = response.headers().clone();
        let expected = header_str(&headers, CONTENT_LENGTH.as_str()).and_then(|v| v.parse().ok());
        WorkflowFile {
            headers,
            body: Box::pin(response.bytes_stream()),
            idle,
            expected,
            received: 0,
            finished: false,
        }
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// `Content-Length`, when the server sent one.
    pub fn content_length(&self) -> Option<u64> {
        self.expected
    }
    /// `Content-Type`, when the server sent one.
    pub fn content_type(&self) -> Option<&str> {
        header_str(&self.headers, CONTENT_TYPE.as_str())
    }
    /// `Content-Disposition` as sent (it may name the file); not sanitised.
    pub fn content_disposition(&self) -> Option<&str> {
        header_str(&self.headers, CONTENT_DISPOSITION.as_str())
    }
    /// The `X-Request-Id` response header.
    pub fn request_id(&self) -> Option<&str> {
        header_str(&self.headers, "x-request-id")
    }
    /// Bytes received so far.
    pub fn bytes_received(&self) -> u64 {
        self.received
    }

    /// The next piece of the file, or `None` once it has arrived whole.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        if self.finished {
            return Ok(None);
        }
        let next = tokio::time::timeout(self.idle, self.body.next()).await;
        let result = match next {
            Err(_) => Err(Error::Timeout(TimeoutPhase::Idle)),
            Ok(Some(Ok(chunk))) => {
                self.received += chunk.len() as u64;
                return Ok(Some(chunk));
            }
            // A break before the announced length is a short body, however
            // the connection ended.
            Ok(Some(Err(_))) if self.expected.is_some_and(|n| n > self.received) => {
                Err(Error::Truncated {
                    expected: self.expected.unwrap_or_default(),
                    received: self.received,
                })
            }
            Ok(Some(Err(e))) => Err(Error::from_reqwest(e)),
            Ok(None) => match self.expected {
                Some(expected) if expected != self.received => Err(Error::Truncated {
                    expected,
                    received: self.received,
                }),
                _ => Ok(None),
            },
        };
        self.finished = true;
        result
    }

    /// The file as a stream of pieces; it ends after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send {
        futures_util::stream::unfold(Some(self), |state| async move {
            let mut file = state?;
            match file.next_chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), Some(file))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
    }

    /// The most [`Self::bytes`] reads into memory: 64 MiB. An export of a
    /// few hundred workflows is a few hundred KiB.
    pub const MAX_IN_MEMORY: u64 = 64 * 1024 * 1024;

    /// The whole file, in memory: for small files. One larger than
    /// [`Self::MAX_IN_MEMORY`] is refused with [`Error::Unexpected`] (kind
    /// [`ErrorKind::Api`](crate::ErrorKind::Api): the request was sent and
    /// answered, so it is no input refused before sending), before reading
    /// when its `Content-Length` says so, else once that much has arrived;
    /// stream it instead ([`Self::save_to_path`], [`Self::write_to`],
    /// [`Self::next_chunk`]). Like them it checks the idle limit and the
    /// length, and refuses a file already partly read.
    ///
    /// ```no_run
    /// # async fn run(client: secmaster_client::SecMasterClient) -> Result<(), secmaster_client::Error> {
    /// let file = client.export_workflows("<project_id>", "<workspace_id>", &["<workflow_id>"]).await?;
    /// let bytes = file.bytes().await?;
    /// println!("{} bytes", bytes.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn bytes(self) -> Result<Bytes, Error> {
        self.bytes_up_to(Self::MAX_IN_MEMORY).await
    }

    /// [`Self::bytes`] with a cap of `limit` bytes.
    async fn bytes_up_to(mut self, limit: u64) -> Result<Bytes, Error> {
        self.check_unread()?;
        let too_large = |size: Option<u64>| {
            let size = size.map_or_else(String::new, |n| format!("{n} bytes, "));
            Error::Unexpected(format!(
                "the file is {size}more than bytes() holds in memory ({limit} bytes); \
                 stream it with save_to_path, write_to or next_chunk"
            ))
        };
        if let Some(expected) = self.expected.filter(|&n| n > limit) {
            return Err(too_large(Some(expected)));
        }
        let mut whole = Vec::new();
        while let Some(chunk) = self.next_chunk().await? {
            if (whole.len() + chunk.len()) as u64 > limit {
                return Err(too_large(None));
            }
            whole.extend_from_slice(&chunk);
        }
        Ok(Bytes::from(whole))
    }

    /// Writes the whole file to `out` and flushes it. Returns the byte count.
    /// A file already partly read with [`Self::next_chunk`] is refused: what
    /// is left would not be the file.
    pub async fn write_to<W: AsyncWrite + Unpin + ?Sized>(
        mut self,
        out: &mut W,
    ) -> Result<u64, Error> {
        self.check_unread()?;
        while let Some(chunk) = self.next_chunk().await? {
            out.write_all(&chunk).await?;
        }
        out.flush().await?;
        Ok(self.received)
    }

    /// Saves the file at `path`, all or nothing: it is written to a part
    /// file beside `path`, flushed to disk, and given its name only once the
    /// whole body has arrived; the directory is flushed too. On any error the
    /// part file is removed and `path` is left as it was.
    ///
    /// With [`Overwrite::Never`] an existing `path` is an error
    /// ([`Error::Io`] of kind `AlreadyExists`), checked atomically. With
    /// [`Overwrite::Replace`] it is replaced in one step, keeping its
    /// permissions and, where the process may, its owner.
    pub async fn save_to_path(
        self,
        path: impl AsRef<Path>,
        overwrite: Overwrite,
    ) -> Result<u64, Error> {
        self.check_unread()?;
        let path = path.as_ref().to_owned();
        let name = path
            .file_name()
            .ok_or_else(|| Error::InvalidInput(format!("{} does not name a file", path.display())))?
            .to_string_lossy()
            .into_owned();
        let naming = |what: &'static str| {
            let path = path.clone();
            move |e: Error| match e {
                Error::Io(e) => Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("cannot {what} {}: {e}", path.display()),
                )),
                other => other,
            }
        };
        // Before the download, not only after it: an existing file would
        // otherwise cost the whole transfer. The final step checks again,
        // atomically.
        if overwrite == Overwrite::Never && std::fs::symlink_metadata(&path).is_ok() {
            return Err(naming("save")(Error::Io(
                std::io::ErrorKind::AlreadyExists.into(),
            )));
        }
        let dir = parent_dir(&path);
        let mut part = blocking(move || PartFile::create_in(&dir, &name))
            .await
            .map_err(naming("save"))?;
        let mut out = tokio::fs::File::from_std(part.file().try_clone()?);
        let written = self.write_to(&mut out).await.map_err(naming("write"))?;
        drop(out);
        let target = path.clone();
        blocking(move || part.finish(&target, overwrite))
            .await
            .map_err(naming("save"))?;
        Ok(written)
    }

    /// Whole-file writers need every byte: none may have been read yet.
    fn check_unread(&self) -> Result<(), Error> {
        if self.received > 0 || self.finished {
            return Err(Error::InvalidInput(format!(
                "{} bytes of the file were already read with next_chunk; \
                 write_to, save_to_path and bytes need it unread",
                self.received
            )));
        }
        Ok(())
    }
}

/// A JSON answer no larger than this is read before it is handed over as
/// the file, to see whether it is a refusal.
const SMALL_JSON: u64 = 64 * 1024;

impl WorkflowFile {
    /// The document's export answer is `application/octet-stream`. A small
    /// `application/json` one that says `"success": false` is the service's
    /// refusal, not the file: it becomes an [`Error::Api`]. Anything else is
    /// handed over unchanged (read already, replayed from memory).
    pub(crate) async fn refuse_json_failure(
        mut self,
        status: reqwest::StatusCode,
    ) -> Result<Self, Error> {
        let is_json = self
            .content_type()
            .is_some_and(|t| t.trim_start().starts_with("application/json"));
        if !is_json || self.expected.is_some_and(|n| n > SMALL_JSON) {
            return Ok(self);
        }
        // Without a length (chunked), read until the body ends or passes
        // the limit; only a whole small body can be a refusal.
        let mut bytes = Vec::new();
        let mut whole = false;
        while bytes.len() as u64 <= SMALL_JSON {
            match self.next_chunk().await? {
                Some(chunk) => bytes.extend_from_slice(&chunk),
                None => {
                    whole = true;
                    break;
                }
            }
        }
        let refused = whole
            && serde_json::from_slice::<serde_json::Value>(&bytes)
                .is_ok_and(|v| v.get("success") == Some(&serde_json::Value::Bool(false)));
        if refused {
            return Err(Error::Api(crate::ApiError::from_response_parts(
                status,
                &self.headers,
                &bytes,
            )));
        }
        // What was read comes first again, then whatever is still to come
        // (an ended stream is not polled again).
        let read = futures_util::stream::once(async move { Ok(Bytes::from(bytes)) });
        let rest = std::mem::replace(&mut self.body, Box::pin(futures_util::stream::empty()));
        self.body = match whole {
            true => Box::pin(read),
            false => Box::pin(read.chain(rest)),
        };
        (self.received, self.finished) = (0, false);
        Ok(self)
    }
}

/// Runs file-system work that may block off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, Error> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => Ok(result?),
        Err(e) => Err(Error::Io(std::io::Error::other(format!(
            "file-system task failed: {e}"
        )))),
    }
}

impl std::fmt::Debug for WorkflowFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkflowFile")
            .field("content_length", &self.expected)
            .field("received", &self.received)
            .field("request_id", &self.request_id())
            .finish_non_exhaustive()
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    crate::untrusted::header_text(headers, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(body: &'static [u8], content_length: Option<usize>) -> WorkflowFile {
        let mut response = http::Response::builder();
        if let Some(length) = content_length {
            response = response.header(CONTENT_LENGTH, length);
        }
        let response = reqwest::Response::from(response.body(body).unwrap());
        WorkflowFile::new(response, Duration::from_secs(5))
    }

    /// A file over the cap is refused: at once when its length is
    /// announced, as soon as the cap is passed when it is not.
    #[tokio::test]
    async fn bytes_refuses_a_file_over_its_cap() {
        let body = b"0123456789a";
        let whole = file(body, Some(body.len())).bytes_up_to(11).await.unwrap();
        assert_eq!(&whole[..], body);
        let unannounced = file(body, None).bytes_up_to(11).await.unwrap();
        assert_eq!(&unannounced[..], body);

        let refused = file(body, Some(body.len())).bytes_up_to(10).await;
        // Not "refused before sending": the export was answered.
        let error = refused.unwrap_err();
        assert!(matches!(error, Error::Unexpected(_)), "{error:?}");
        assert_ne!(error.kind(), crate::ErrorKind::InvalidInput);
        let message = error.to_string();
        assert!(
            message.contains("the file is 11 bytes, more than bytes() holds in memory (10 bytes)"),
            "{message}"
        );
        let refused = file(body, None).bytes_up_to(10).await;
        let error = refused.unwrap_err();
        assert!(matches!(error, Error::Unexpected(_)), "{error:?}");
        let message = error.to_string();
        assert!(
            message.contains("the file is more than bytes() holds in memory (10 bytes)"),
            "{message}"
        );
    }
}
