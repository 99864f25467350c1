//! Turns the OpenAPI document into Rust source with progenitor.
//!
//! Every generator setting of the workspace lives in this crate, once, in the
//! "Settings" section below: [`client_settings`] and the request media types
//! that are left out of generation. `cargo xtask gen` is the only caller that writes files; it
//! uses [`generate`].
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
pub mod operations;
mod regions;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use openapiv3::{Components, OpenAPI, Operation, ReferenceOr};
use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};

pub use error::CodegenError;

/// Where the generated client module goes, relative to the workspace root.
pub const CLIENT_OUTPUT: &str = "client/src/generated.rs";
/// Where the region table goes, relative to the workspace root.
pub const REGIONS_OUTPUT: &str = "client/src/regions.rs";
/// Where the operation table goes, relative to the workspace root.
pub const OPERATIONS_OUTPUT: &str = "client/src/operations.rs";

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
            path: REGIONS_OUTPUT,
            contents: regions::generate_regions(&spec, display_name)?,
        },
        GeneratedFile {
            path: OPERATIONS_OUTPUT,
            contents: generate_operations(&spec, display_name)?,
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

// ---------------------------------------------------------------------------
// Settings

/// Request body media types progenitor 0.15 cannot generate: it fails the
/// whole document with "unexpected content type: multipart/form-data"
/// (progenitor issue #402). Operations with such a body are left out of the
/// generated code, and named in its header; client/ implements them by hand.
pub const UNGENERATED_REQUEST_MEDIA_TYPES: &[&str] = &["multipart/form-data"];

/// The progenitor settings for the client's types: only the types are
/// kept (see [`generate_client`]), so the only setting that matters is the
/// derives. Positional style, because the builder style also generates a
/// builder for every type, which nothing uses.
pub fn client_settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        .with_tag(TagStyle::Merged)
        .with_derive("PartialEq");
    settings
}

// ---------------------------------------------------------------------------
// Generation

/// Generates the client's types module: the request and response types,
/// and the enums of parameters. Only the types: every operation is sent
/// from the operation table by one hand-written path (`client/src/exec.rs`),
/// which progenitor's generated methods could not be (docs/design.md, "Why
/// the operations are not progenitor's").
pub fn generate_client(spec: &OpenAPI, display_name: &str) -> Result<String, CodegenError> {
    let (spec, skipped) = generatable(spec);
    let mut generator = Generator::new(&client_settings());
    // Generating the whole client names the parameters' inline enums; only
    // the type space is kept.
    run_progenitor(display_name, || generator.generate_tokens(&spec))?;
    let types = generator.get_type_space().to_stream();
    let tokens = quote::quote! {
        /// Types used as operation parameters and responses.
        #[allow(clippy::all)]
        pub mod types {
            #types
        }
    };
    render(display_name, tokens, "client", &skipped)
}

/// Generates the operation table's source text ([`operations`]).
pub fn generate_operations(spec: &OpenAPI, display_name: &str) -> Result<String, CodegenError> {
    let table = operations::operations(spec, display_name)?;
    let text = operations::render(&table, display_name);
    let (header, body) = text
        .split_once("\n\n")
        .expect("the rendered table starts with a header");
    let file: syn::File = syn::parse_str(body).map_err(|e| CodegenError::Format {
        file: display_name.to_owned(),
        message: format!("generated operation table is not valid Rust: {e}"),
    })?;
    Ok(format!("{header}\n\n{}", prettyplease::unparse(&file)))
}

/// The document as progenitor gets it: without the operations whose request
/// body has a media type in [`UNGENERATED_REQUEST_MEDIA_TYPES`]. Also returns
/// the ids of the operations left out, in document order.
pub fn generatable(spec: &OpenAPI) -> (OpenAPI, Vec<String>) {
    let mut spec = spec.clone();
    let components = spec.components.as_ref();
    let mut skipped = Vec::new();
    for (path, item) in spec.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let methods = [
            ("GET", &mut item.get),
            ("PUT", &mut item.put),
            ("POST", &mut item.post),
            ("DELETE", &mut item.delete),
            ("OPTIONS", &mut item.options),
            ("HEAD", &mut item.head),
            ("PATCH", &mut item.patch),
            ("TRACE", &mut item.trace),
        ];
        for (method, slot) in methods {
            if let Some(op) = slot.take_if(|op| has_ungenerated_body(op, components)) {
                skipped.push(
                    op.operation_id
                        .unwrap_or_else(|| format!("{method} {path}")),
                );
            }
        }
    }
    // A path left without operations would only confuse the generator.
    spec.paths.paths.retain(|_, item| match item {
        ReferenceOr::Item(item) => item.iter().next().is_some(),
        ReferenceOr::Reference { .. } => true,
    });
    (spec, skipped)
}

fn has_ungenerated_body(op: &Operation, components: Option<&Components>) -> bool {
    operations::request_body(op, components).is_some_and(|body| {
        body.content.keys().any(|media_type| {
            let essence = media_type.split(';').next().unwrap_or_default().trim();
            UNGENERATED_REQUEST_MEDIA_TYPES
                .iter()
                .any(|m| m.eq_ignore_ascii_case(essence))
        })
    })
}

/// Runs a progenitor step, turning both its errors and its panics (it asserts
/// on some documents, for example error responses with different schemas)
/// into a [`CodegenError`] that names the document.
fn run_progenitor(
    display_name: &str,
    step: impl FnOnce() -> Result<TokenStream, progenitor::Error>,
) -> Result<TokenStream, CodegenError> {
    // The panic becomes the error below; the default hook would print it,
    // with a backtrace, before that error.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = catch_unwind(AssertUnwindSafe(step));
    std::panic::set_hook(hook);
    match outcome {
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

fn render(
    display_name: &str,
    tokens: TokenStream,
    what: &str,
    skipped: &[String],
) -> Result<String, CodegenError> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| CodegenError::Format {
        file: display_name.to_owned(),
        message: format!("generated {what} is not valid Rust: {e}"),
    })?;
    let body = prettyplease::unparse(&file);
    let not_generated = if skipped.is_empty() {
        String::new()
    } else {
        format!(
            "// Not generated (request media type progenitor cannot generate, see\n\
             // secmaster_codegen::UNGENERATED_REQUEST_MEDIA_TYPES): {}.\n",
            skipped.join(", ")
        )
    };
    Ok(format!(
        "// @generated by secmaster-codegen ({what}) from {display_name}.\n\
         // Do not edit by hand: change the document, then run `cargo xtask gen`.\n\
         {not_generated}\n{body}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      operationId: plain
      responses: {"200": {description: ok}}
    post:
      operationId: upload
      requestBody:
        content:
          "Multipart/Form-Data; boundary=x": {schema: {type: object, properties: {f: {type: string, format: binary}}}}
      responses: {"200": {description: ok}}
  /b:
    put:
      operationId: by_reference
      requestBody: {$ref: "#/components/requestBodies/Form"}
      responses: {"200": {description: ok}}
components:
  requestBodies:
    Form:
      content:
        multipart/form-data: {schema: {type: object, properties: {f: {type: string, format: binary}}}}
"##;

    fn real_document() -> String {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        std::fs::read_to_string(root.join("openapi/secmaster.yaml")).unwrap()
    }

    #[test]
    fn generation_is_deterministic() {
        let text = real_document();
        let a = generate_from_str(&text, "openapi/secmaster.yaml").unwrap();
        let b = generate_from_str(&text, "openapi/secmaster.yaml").unwrap();
        assert_eq!(a, b);
        assert!(
            a.iter()
                .all(|f| f.contents.starts_with("// @generated by secmaster-codegen"))
        );
    }

    #[test]
    fn an_edit_to_the_document_reaches_the_code() {
        let text = real_document();
        let edited = text.replace(
            "description: ID of the SecMaster workspace.",
            "description: The workspace.",
        );
        assert_ne!(text, edited, "the edit applies");
        let table = generate_from_str(&edited, "d")
            .unwrap()
            .into_iter()
            .find(|f| f.path == OPERATIONS_OUTPUT)
            .unwrap();
        assert!(table.contents.contains("The workspace."));
        let fewer = text.replace("          - cn-southwest-3\n", "");
        assert_ne!(text, fewer, "the region edit applies");
        let regions = generate_from_str(&fewer, "d")
            .unwrap()
            .into_iter()
            .find(|f| f.path == REGIONS_OUTPUT)
            .unwrap();
        assert!(
            regions.contents.contains("REGIONS: [&str; 27]"),
            "{}",
            regions.contents
        );
        assert!(!regions.contents.contains("cn-southwest-3"));
    }

    #[test]
    fn multipart_operations_are_left_out_and_named() {
        let spec = parse_document(DOC, "doc").unwrap();
        let (kept, skipped) = generatable(&spec);
        assert_eq!(skipped, ["upload", "by_reference"]);
        let paths: Vec<_> = kept.paths.paths.keys().collect();
        assert_eq!(paths, ["/a"], "a path left empty is dropped");
        let ops: Vec<_> = kept.operations().map(|(_, m, _)| m).collect();
        assert_eq!(ops, ["get"]);
    }

    #[test]
    fn the_generated_header_names_what_was_left_out_of_the_types() {
        let spec = parse_document(DOC, "doc").unwrap();
        let client = generate_client(&spec, "doc").unwrap();
        assert!(client.contains("): upload, by_reference.\n"), "{client}");
        assert!(client.contains("pub mod types"));
        assert!(!client.contains("pub fn "), "types only: {client}");
    }

    #[test]
    fn the_table_holds_every_operation_multipart_ones_too() {
        let spec = parse_document(DOC, "doc").unwrap();
        let table = generate_operations(&spec, "doc").unwrap();
        for name in ["PLAIN", "UPLOAD", "BY_REFERENCE"] {
            assert!(
                table.contains(&format!("pub static {name}: Operation")),
                "{table}"
            );
        }
        assert!(table.contains("Body::Multipart"), "{table}");
        assert!(
            table.contains(
                "pub static OPERATIONS: &[&Operation] = &[&PLAIN, &UPLOAD, &BY_REFERENCE]"
            ),
            "{table}"
        );
    }
}
