//! The `secmaster` command's tests: the binary run against the simulator
//! (secmaster-sim), one module per command.
//!
//! One test binary rather than one per file: it is linked once, and its
//! tests share the cores (the slow ones, which wait for retries or
//! signals, overlap with the rest).

mod common;

mod api;
mod backup;
mod build_script;
mod connection;
mod diff;
mod export;
mod export_names;
mod formats;
mod hardening;
mod help;
mod import;
mod list;
mod profiles;
mod restore;
mod roundtrip;
mod show;
mod streams;
mod workspaces;
