//! The open connections and their cap. When a new connection would pass
//! the cap, or the system has no file descriptor left to accept one, the
//! connection idle the longest is closed to make room: idle sockets (a
//! slow or silent client, a pooled keep-alive) never lock out a request.
//! A connection is busy from the moment its request's headers are complete
//! until its answer's body has been sent or dropped.

use std::collections::HashMap;
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
    /// When it last became idle (or was accepted).
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

    /// Closes the longest-idle connection, if any is idle.
    pub fn shed_idle(&self) {
        self.registry().shed_one();
    }
}

impl Registry {
    /// `false` when no connection is idle.
    fn shed_one(&mut self) -> bool {
        let oldest = self
            .by_id
            .iter()
            .filter(|(_, e)| e.busy == 0)
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

    /// Marks the connection busy until the guard is dropped.
    pub fn busy(&self) -> Busy {
        if let Some(entry) = self.connections.registry().by_id.get_mut(&self.id) {
            entry.busy += 1;
        }
        Busy {
            id: self.id,
            connections: Arc::clone(&self.connections),
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
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(entry) = self.connections.registry().by_id.get_mut(&self.id) {
            entry.busy -= 1;
            if entry.busy == 0 {
                entry.idle_since = Instant::now();
            }
        }
    }
}
