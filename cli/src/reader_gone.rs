//! Whether standard output is a pipe (or socket) whose reader is gone.
//!
//! A write of no bytes, which catches a closed or read-only descriptor,
//! succeeds on a pipe that nobody reads any more: Linux answers it before
//! it looks for a reader. `poll` does tell: the write end of such a pipe
//! reports `POLLERR`, a socket whose peer shut it down `POLLHUP`. Linux
//! only, as `libc` is a dependency there alone; elsewhere the first real
//! write finds out.
#![allow(unsafe_code)]

use std::os::fd::BorrowedFd;

/// True when a write to `fd` cannot reach a reader now.
#[cfg(target_os = "linux")]
pub fn reader_gone(fd: BorrowedFd<'_>) -> bool {
    use std::os::fd::AsRawFd;
    let mut poll = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLOUT,
        revents: 0,
    };
    // SAFETY: one valid pollfd, its count 1, a timeout of 0: the call
    // returns at once and writes only `revents`.
    let ready = unsafe { libc::poll(&mut poll, 1, 0) };
    ready == 1 && poll.revents & (libc::POLLERR | libc::POLLHUP) != 0
}

#[cfg(not(target_os = "linux"))]
pub fn reader_gone(_fd: BorrowedFd<'_>) -> bool {
    false
}
