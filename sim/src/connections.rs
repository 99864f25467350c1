//! The open connections and their cap. When a new connection would pass
//! the cap, or the system has no file descriptor left to accept one, the
//! connection idle the longest is closed to make room: idle sockets (a
//! slow or silent client, a pooled keep-alive) never lock out a request.
//! A connection is busy from the moment its request's body is complete
//! until its answer's body has been sent or dropped. While the body comes
//! in, it may be closed to make room, in the order of its last bytes: a
//! client trickling a body (a byte now and then, within the idle limit)
//! must not hold its connection against everyone else. The same goes for
//! a request waiting its turn for an answer that is made one at a time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::Notify;

pub struct Connections {
    cap: usize,
    registry: Mutex<Registry>,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    by_id: HashMap<u64, Entry>,
}

struct Entry {
    /// Requests under way (more than one only with pipelining).
    busy: usize,
    /// Of those, the ones whose body is still coming in, or that wait
    /// their turn.
    receiving: usize,
    /// When it last became idle (or was accepted), or last received body
    /// bytes.
    idle_since: Instant,
    close: Arc<Notify>,
}

impl Connections {
    pub fn new(cap: usize) -> Arc<Connections> {
        Arc::new(Connections {
            cap,
            registry: Mutex::default(),
        })
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection, closing the longest-idle one when the
    /// cap is reached; `None` (refuse it) when every connection is busy.
    pub fn admit(self: &Arc<Self>) -> Option<Slot> {
        let mut registry = self.registry();
        if registry.by_id.len() >= self.cap && !registry.shed_one() {
            return None;
        }
        let id = registry.next_id;
        registry.next_id += 1;
        let close = Arc::new(Notify::new());
        registry.by_id.insert(
            id,
            Entry {
                busy: 0,
                receiving: 0,
                idle_since: Instant::now(),
                close: Arc::clone(&close),
            },
        );
        Some(Slot {
            id,
            connections: Arc::clone(self),
            close,
        })
    }

    /// Closes the longest-idle connection, if any is idle (or receiving a
    /// body).
    pub fn shed_idle(&self) {
        self.registry().shed_one();
    }
}

impl Registry {
    /// `false` when every connection is busy past its request's body.
    fn shed_one(&mut self) -> bool {
        let oldest = self
            .by_id
            .iter()
            .filter(|(_, e)| e.busy == e.receiving)
            .min_by_key(|(_, e)| e.idle_since)
            .map(|(id, _)| *id);
        let Some(entry) = oldest.and_then(|id| self.by_id.remove(&id)) else {
            return false;
        };
        // Stored if the task is not waiting yet: it still closes.
        entry.close.notify_one();
        true
    }
}

/// One admitted connection; dropping it (when the connection ends)
/// deregisters it.
pub struct Slot {
    id: u64,
    connections: Arc<Connections>,
    close: Arc<Notify>,
}

impl Slot {
    /// Notified when the connection is chosen to be closed.
    pub fn close_signal(&self) -> Arc<Notify> {
        Arc::clone(&self.close)
    }

    /// A request whose headers are complete: receiving its body until
    /// [`Busy::received`], then busy until the guard is dropped.
    pub fn busy(&self) -> Busy {
        if let Some(entry) = self.connections.registry().by_id.get_mut(&self.id) {
            entry.busy += 1;
            entry.receiving += 1;
            entry.idle_since = Instant::now();
        }
        Busy {
            id: self.id,
            connections: Arc::clone(&self.connections),
            receiving: AtomicBool::new(true),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.connections.registry().by_id.remove(&self.id);
    }
}

/// A request under way on a connection; travels with its answer's body.
pub struct Busy {
    id: u64,
    connections: Arc<Connections>,
    receiving: AtomicBool,
}

impl Busy {
    /// Body bytes came in: the connection goes to the back of the line of
    /// those that may be closed to make room.
    pub fn progress(&self) {
        if let Some(entry) = self.connections.registry().by_id.get_mut(&self.id) {
            entry.idle_since = Instant::now();
        }
    }

    /// The request waits for its turn (`GET /_sim/requests`): until
    /// [`received`](Self::received), the connection may be closed to make
    /// room, as while a body comes in, in the order it began to wait.
    /// Nothing is under way that closing it would leave half done.
    pub fn waiting(&self) {
        if !self.receiving.swap(true, Ordering::Relaxed)
            && let Some(entry) = self.connections.registry().by_id.get_mut(&self.id)
        {
            entry.receiving += 1;
            entry.idle_since = Instant::now();
        }
    }

    /// The body is complete (or will not be read), or the wait is over:
    /// from now on the connection is not closed to make room.
    pub fn received(&self) {
        if self.receiving.swap(false, Ordering::Relaxed)
            && let Some(entry) = self.connections.registry().by_id.get_mut(&self.id)
        {
            entry.receiving -= 1;
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.received();
        if let Some(entry) = self.connections.registry().by_id.get_mut(&self.id) {
            entry.busy -= 1;
            if entry.busy == 0 {
                entry.idle_since = Instant::now();
            }
        }
    }
}
