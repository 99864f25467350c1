//! How many requests a caller keeps in flight, narrowed when the service
//! throttles.

use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::Error;

/// At most `width` requests at once, and one at a time once the service
/// has answered 429: it is throttling this caller, and more in parallel
/// would only earn more refusals. The pager
/// ([`SecMasterClient::list_all_workflows`](crate::SecMasterClient::list_all_workflows))
/// pages through one; callers that send many requests of their own (a
/// backup of every workflow, say) use one too, and tell it of each retry
/// with [`SecMasterClient::observing_retries`](crate::SecMasterClient::observing_retries).
///
/// ```no_run
/// use std::sync::Arc;
///
/// use secmaster_client::{Gate, SecMasterClient};
///
/// # async fn run(client: SecMasterClient, ids: Vec<String>) -> Result<(), secmaster_client::Error> {
/// use futures_util::{StreamExt, TryStreamExt, stream};
/// let gate = Arc::new(Gate::new(4));
/// let observed = Arc::clone(&gate);
/// let client = client.observing_retries(move |e| observed.observe(e));
/// let sizes: Vec<u64> = stream::iter(ids)
///     .map(|id| {
///         let (gate, client) = (&gate, &client);
///         async move {
///             let _pass = gate.enter().await;
///             let file = client.export_workflows("<project_id>", "<workspace_id>", &[id]).await?;
///             let mut sink = tokio::io::sink();
///             file.write_to(&mut sink).await
///         }
///     })
///     .buffer_unordered(gate.width())
///     .try_collect()
///     .await?;
/// # let _ = sizes;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Gate {
    width: u32,
    permits: Semaphore,
    throttled: AtomicBool,
}

/// A place in the gate, given back when dropped.
#[derive(Debug)]
#[must_use = "the place is given back as soon as it is dropped"]
pub struct GatePass<'a>(#[allow(dead_code)] SemaphorePermit<'a>);

impl Gate {
    /// A gate for `width` requests at once (at least 1).
    pub fn new(width: usize) -> Self {
        let width = u32::try_from(width.clamp(1, Semaphore::MAX_PERMITS)).unwrap_or(u32::MAX);
        Gate {
            width,
            permits: Semaphore::new(width as usize),
            throttled: AtomicBool::new(false),
        }
    }

    /// How many requests may be in flight at once before any throttling.
    pub fn width(&self) -> usize {
        self.width as usize
    }

    /// Waits for a place. Once throttled, a place takes the whole gate: one
    /// request at a time, after those already in flight.
    pub async fn enter(&self) -> GatePass<'_> {
        let wanted = if self.is_throttled() { self.width } else { 1 };
        let permit = self
            .permits
            .acquire_many(wanted)
            .await
            .expect("the gate's semaphore is never closed");
        GatePass(permit)
    }

    /// Hears of an error; a 429 narrows the gate to one request at a time
    /// for the rest of its life.
    pub fn observe(&self, error: &Error) {
        if error.status().is_some_and(|s| s.as_u16() == 429) {
            self.throttled.store(true, Ordering::SeqCst);
        }
    }

    /// Whether a 429 has narrowed the gate.
    pub fn is_throttled(&self) -> bool {
        self.throttled.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiError;
    use reqwest::StatusCode;
    use reqwest::header::HeaderMap;

    fn refusal(status: StatusCode) -> Error {
        Error::Api(ApiError::from_response_parts(
            status,
            &HeaderMap::new(),
            b"",
        ))
    }

    #[tokio::test]
    async fn a_429_narrows_the_gate_to_one() {
        let gate = Gate::new(3);
        let (a, b, c) = (gate.enter().await, gate.enter().await, gate.enter().await);
        assert_eq!(gate.permits.available_permits(), 0);
        drop((a, b, c));
        gate.observe(&refusal(StatusCode::SERVICE_UNAVAILABLE));
        assert!(!gate.is_throttled());
        gate.observe(&refusal(StatusCode::TOO_MANY_REQUESTS));
        assert!(gate.is_throttled());
        let only = gate.enter().await;
        assert_eq!(gate.permits.available_permits(), 0);
        drop(only);
        assert_eq!(Gate::new(0).width(), 1);
    }
}
