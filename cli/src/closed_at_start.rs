//! Whether standard output (or input, or error) was closed when the
//! process started.
//!
//! Before `main`, Rust's start-up code reopens a closed descriptor 0, 1 or 2
//! on `/dev/null`, read-write, so that no file opened later takes its
//! number. From then on a closed standard output (`>&-`), whose output
//! would be lost without an error, looks exactly like `1<>/dev/null`
//! (Python's `subprocess.DEVNULL`, systemd's `StandardOutput=null`), where
//! discarding it is what the caller asked for. So the descriptor is looked
//! at earlier: the C runtime calls the functions in `.init_array` before it
//! calls `main`, in which Rust's start-up code runs. Linux only; elsewhere
//! a closed standard output is not recognised and its output is discarded.
//!
//! One of the crate's two `unsafe` modules (with `reader_gone`): placing a
//! function in that section, and an `fcntl` call for each descriptor.
#![allow(unsafe_code)]

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether descriptors 0, 1 and 2 were closed.
static CLOSED: [AtomicBool; 3] = [const { AtomicBool::new(false) }; 3];

/// True when descriptor 1 was closed at start-up.
pub fn stdout() -> bool {
    descriptor(1)
}

/// True when descriptor `fd` (0, 1 or 2) was closed at start-up: a path
/// that names it (`/dev/stderr`) then opens the `/dev/null` in its place.
pub fn descriptor(fd: usize) -> bool {
    CLOSED.get(fd).is_some_and(|c| c.load(Ordering::Relaxed))
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD: extern "C" fn() = record;

#[cfg(target_os = "linux")]
extern "C" fn record() {
    for (fd, closed) in (0..).zip(&CLOSED) {
        // SAFETY: F_GETFD only reads the descriptor's flags; it fails
        // (EBADF) exactly when the descriptor is not open. No memory is
        // passed.
        let was = unsafe { libc::fcntl(fd, libc::F_GETFD) } == -1;
        closed.store(was, Ordering::Relaxed);
    }
}
