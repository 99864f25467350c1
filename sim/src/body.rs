//! Response bodies: bytes in memory, or a synthetic file streamed from one
//! fixed buffer; either may be cut short to script a broken download.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use tokio::sync::OwnedSemaphorePermit;

use crate::connections::Busy;

/// Byte `i` of a synthetic export is `i % PERIOD`: a prime, so a misplaced
/// block never lines up with a buffer size and a saved file can be checked
/// without a copy.
pub const PERIOD: u64 = 251;
/// The fixed buffer synthetic bodies are sent from: a whole number of periods.
const BLOCK: usize = PERIOD as usize * 1024;
/// The most a body in memory hands hyper at a time. hyper queues what it
/// takes and drops a body once it has taken its end: a body handed whole
/// would be dropped, and let go of what it holds (its connection's busy
/// mark, a permit), before any of it was sent.
const CHUNK: usize = 256 * 1024;
/// How long a cut body waits before closing, so that what it did send has
/// left the socket first.
const LINGER: Duration = Duration::from_millis(50);

fn block() -> Bytes {
    static BLOCK_BYTES: OnceLock<Bytes> = OnceLock::new();
    BLOCK_BYTES
        .get_or_init(|| (0..BLOCK).map(|i| (i as u64 % PERIOD) as u8).collect())
        .clone()
}

/// How a cut body ends once its bytes are out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Close the connection (the client sees a short body).
    Close,
    /// Send nothing more and keep the connection open.
    Stall,
}

/// The error that makes hyper drop the connection of a cut body.
#[derive(Debug)]
pub struct CutShort;

impl std::fmt::Display for CutShort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("body cut short by a fault")
    }
}

impl std::error::Error for CutShort {}

enum Source {
    Memory(Bytes),
    Pattern { left: u64 },
}

struct Cut {
    left: u64,
    end: End,
    linger: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// A response body with an exact length (sent as `Content-Length`).
pub struct SimBody {
    source: Source,
    size: u64,
    cut: Option<Cut>,
    /// Keeps the connection counted as busy until the body is dropped.
    _busy: Option<Busy>,
    /// Held until the body is sent (or dropped): see [`SimBody::holding_permit`].
    _permit: Option<OwnedSemaphorePermit>,
}

impl SimBody {
    pub fn bytes(bytes: impl Into<Bytes>) -> SimBody {
        let bytes = bytes.into();
        SimBody {
            size: bytes.len() as u64,
            source: Source::Memory(bytes),
            cut: None,
            _busy: None,
            _permit: None,
        }
    }

    /// `size` bytes of the `i % 251` pattern, never held in memory at once.
    pub fn pattern(size: u64) -> SimBody {
        SimBody {
            size,
            source: Source::Pattern { left: size },
            cut: None,
            _busy: None,
            _permit: None,
        }
    }

    /// The length sent as `Content-Length`.
    pub fn announced_len(&self) -> u64 {
        self.size
    }

    /// Marks its connection busy until this body is sent (or dropped).
    pub fn holding(mut self, busy: Busy) -> SimBody {
        self._busy = Some(busy);
        self
    }

    /// Holds `permit` until this body is sent (or dropped), so that what
    /// the permit counts stays counted while the body is in memory: hyper
    /// takes it [`CHUNK`] bytes at a time, and drops it with its last
    /// chunk, at most some hundreds of kilobytes before the end.
    pub fn holding_permit(mut self, permit: OwnedSemaphorePermit) -> SimBody {
        self._permit = Some(permit);
        self
    }

    /// Sends only `after` bytes (default: half; always fewer than the
    /// announced length when there is any), then ends as `end` says.
    pub fn cut(mut self, after: Option<u64>, end: End) -> SimBody {
        let left = after
            .unwrap_or(self.size / 2)
            .min(self.size.saturating_sub(1));
        self.cut = Some(Cut {
            left,
            end,
            linger: None,
        });
        self
    }
}

impl Body for SimBody {
    type Data = Bytes;
    type Error = CutShort;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, CutShort>>> {
        let this = self.get_mut();
        if let Some(cut) = &mut this.cut
            && cut.left == 0
        {
            return match cut.end {
                // Never woken: the connection stays open until the client
                // gives up or the simulator stops.
                End::Stall => Poll::Pending,
                End::Close => {
                    let linger = cut
                        .linger
                        .get_or_insert_with(|| Box::pin(tokio::time::sleep(LINGER)));
                    linger.as_mut().poll(cx).map(|()| Some(Err(CutShort)))
                }
            };
        }
        let max = this.cut.as_ref().map_or(u64::MAX, |c| c.left);
        let chunk = match &mut this.source {
            Source::Memory(bytes) if bytes.is_empty() => None,
            Source::Memory(bytes) => {
                let max = usize::try_from(max).unwrap_or(usize::MAX);
                Some(bytes.split_to(bytes.len().min(CHUNK).min(max)))
            }
            Source::Pattern { left: 0 } => None,
            Source::Pattern { left } => {
                // Every chunk starts at a multiple of the period, so the pattern runs on.
                let take = (*left).min(BLOCK as u64).min(max) as usize;
                *left -= take as u64;
                Some(block().slice(..take))
            }
        };
        if let (Some(cut), Some(chunk)) = (&mut this.cut, &chunk) {
            cut.left -= chunk.len() as u64;
        }
        Poll::Ready(chunk.map(|c| Ok(Frame::data(c))))
    }

    fn is_end_stream(&self) -> bool {
        self.cut.is_none()
            && match &self.source {
                Source::Memory(bytes) => bytes.is_empty(),
                Source::Pattern { left } => *left == 0,
            }
    }

    /// What is left of the source; a cut does not change what was announced.
    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(match &self.source {
            Source::Memory(bytes) => bytes.len() as u64,
            Source::Pattern { left } => *left,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::sync::Arc;

    /// A large body in memory is handed over a chunk at a time and keeps
    /// its permit until its last chunk is taken (given whole, it was over
    /// at the first frame, and hyper dropped it with its permit before
    /// sending a byte).
    #[tokio::test]
    async fn a_body_in_memory_is_taken_a_chunk_at_a_time_and_holds_its_permit() {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(1));
        let permit = Arc::clone(&semaphore).acquire_owned().await.unwrap();
        let text: Vec<u8> = (0..3 * CHUNK + 5).map(|i| i as u8).collect();
        let mut body = SimBody::bytes(text.clone()).holding_permit(permit);
        let mut taken = Vec::new();
        while let Some(frame) = body.frame().await {
            let data = frame.unwrap().into_data().unwrap();
            assert!(data.len() <= CHUNK, "{}", data.len());
            taken.extend_from_slice(&data);
            if taken.len() < text.len() {
                assert!(!body.is_end_stream());
            }
            assert_eq!(semaphore.available_permits(), 0, "let go while in use");
        }
        assert_eq!(taken, text);
        drop(body);
        assert_eq!(semaphore.available_permits(), 1);
    }
}
