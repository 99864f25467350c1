//! The simulator's behaviour, from outside the library: one test binary
//! (each file below is a module), so that `cargo test -p secmaster-sim`
//! runs all of it and links once.

mod auth;
mod binary;
mod connections;
mod drain_imports;
mod faults;
mod from_document;
mod layers;
mod log;
mod official_sdk;
mod operations;
mod parsers;
mod store;
mod support;
mod transfer;
mod validation;
mod workspaces;
