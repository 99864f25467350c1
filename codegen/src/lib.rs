//! Turns the OpenAPI document into Rust source with progenitor.
//!
//! Every generator setting of the workspace lives in this crate, once:
//! [`client_settings`] for the client module and [`generate_mocks`] for the
//! typed httpmock helpers used by the tests. `cargo xtask gen` is the only
//! caller that writes files; it uses [`generate`].
//!
//! ```no_run
//! let spec = std::path::Path::new("openapi/secmaster.yaml");
//! let files = secmaster_codegen::generate(spec, "openapi/secmaster.yaml")?;
//! for file in &files {
//!     println!("{}: {} bytes", file.path, file.contents.len());
//! }
//! # Ok::<(), secmaster_codegen::CodegenError>(())
//! ```
#![forbid(unsafe_code)]

mod error;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};

pub use error::CodegenError;

/// Where the generated client module goes, relative to the workspace root.
pub const CLIENT_OUTPUT: &str = "client/src/generated.rs";
/// Where the typed httpmock helpers go, relative to the workspace root.
pub const MOCKS_OUTPUT: &str = "tests/src/generated_mocks.rs";

/// One generated file: its path relative to the workspace root and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: &'static str,
    pub contents: String,
}

/// Reads the document at `spec_path` and generates every file derived from it.
///
/// `display_name` is how the document is named in error messages and in the
/// generated files' headers (a path relative to the workspace root, so that
/// the output does not depend on where the workspace is checked out).
pub fn generate(spec_path: &Path, display_name: &str) -> Result<Vec<GeneratedFile>, CodegenError> {
    let text = std::fs::read_to_string(spec_path).map_err(|source| CodegenError::Read {
        file: display_name.to_owned(),
        source,
    })?;
    generate_from_str(&text, display_name)
}

/// Like [`generate`], for a document already in memory.
pub fn generate_from_str(
    text: &str,
    display_name: &str,
) -> Result<Vec<GeneratedFile>, CodegenError> {
    let spec = parse_document(text, display_name)?;
    Ok(vec![
        GeneratedFile {
            path: CLIENT_OUTPUT,
            contents: generate_client(&spec, display_name)?,
        },
        GeneratedFile {
            path: MOCKS_OUTPUT,
            contents: generate_mocks(&spec, display_name)?,
        },
    ])
}

/// Parses YAML text into an OpenAPI 3.0.x document.
pub fn parse_document(text: &str, display_name: &str) -> Result<OpenAPI, CodegenError> {
    // Parse to a plain value first: syntax errors then carry line and column,
    // and the version check can name what it found.
    let value: serde_yaml::Value =
        serde_yaml::from_str(text).map_err(|e| CodegenError::yaml(display_name, &e))?;
    let version = value.get("openapi").and_then(serde_yaml::Value::as_str);
    match version {
        Some(v) if v.trim().starts_with("3.0.") => {}
        other => {
            return Err(CodegenError::NotOpenApi30 {
                file: display_name.to_owned(),
                found: other.map(str::to_owned),
            });
        }
    }
    serde_yaml::from_str(text).map_err(|e| CodegenError::yaml(display_name, &e))
}

/// The progenitor settings for the client module.
///
/// - Builder interface: named setters survive new optional parameters and
///   make argument order mistakes impossible.
/// - Hooks are expected: `client/src/hooks.rs` implements
///   `ClientHooks<CallContext>` to set the documented content type,
///   authenticate and apply the transport policy. Forgetting it is a compile
///   error rather than a client that silently sends unauthenticated requests.
/// - The inner type carries per-call state (credentials, transport policy,
///   the raw error response).
pub fn client_settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        .with_inner_type("crate::hooks::CallContext".parse().expect("valid path"))
        .with_derive("PartialEq");
    settings
}

/// Generates the client module's source text.
pub fn generate_client(spec: &OpenAPI, display_name: &str) -> Result<String, CodegenError> {
    let mut generator = Generator::new(&client_settings());
    let tokens = run_progenitor(display_name, || generator.generate_tokens(spec))?;
    render(display_name, tokens, "client")
}

/// Generates typed httpmock helpers (`when`/`then` per operation) for the tests.
pub fn generate_mocks(spec: &OpenAPI, display_name: &str) -> Result<String, CodegenError> {
    let mut generator = Generator::new(&client_settings());
    let tokens = run_progenitor(display_name, || {
        generator.httpmock(spec, "secmaster_client::generated")
    })?;
    render(display_name, tokens, "httpmock helpers")
}

/// Runs a progenitor step, turning both its errors and its panics (it asserts
/// on some documents, for example error responses with different schemas)
/// into a [`CodegenError`] that names the document.
fn run_progenitor(
    display_name: &str,
    step: impl FnOnce() -> Result<TokenStream, progenitor::Error>,
) -> Result<TokenStream, CodegenError> {
    match catch_unwind(AssertUnwindSafe(step)) {
        Ok(Ok(tokens)) => Ok(tokens),
        Ok(Err(e)) => Err(CodegenError::Generate {
            file: display_name.to_owned(),
            message: e.to_string(),
        }),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(CodegenError::Generate {
                file: display_name.to_owned(),
                message: format!("progenitor cannot generate this document: {message}"),
            })
        }
    }
}

fn render(display_name: &str, tokens: TokenStream, what: &str) -> Result<String, CodegenError> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| CodegenError::Format {
        file: display_name.to_owned(),
        message: format!("generated {what} is not valid Rust: {e}"),
    })?;
    let body = prettyplease::unparse(&file);
    Ok(format!(
        "// @generated by secmaster-codegen ({what}) from {display_name}.\n\
         // Do not edit by hand: change the document, then run `cargo xtask gen`.\n\n{body}"
    ))
}
