//! The client's behaviour, end to end against the simulator: one test
//! binary (each file below is a module), so that `cargo test -p
//! secmaster-client` runs all of it and links once.

mod aksk;
mod byo_client;
mod default_project;
mod end_to_end;
mod errors;
mod faults;
mod file_bytes;
mod logging;
mod operations;
mod pager;
mod path_values;
mod signing_vectors;
mod support;
mod wire;
mod workspace_client;
