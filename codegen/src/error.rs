use std::fmt;

/// Why the document could not be turned into code. Every variant names the
/// document, so that `cargo xtask gen` can print it as it is.
#[derive(Debug)]
pub enum CodegenError {
    /// The document could not be read (missing, unreadable, not UTF-8).
    Read {
        file: String,
        source: std::io::Error,
    },
    /// The YAML is malformed, or does not have the shape of an OpenAPI document.
    Yaml {
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// The `openapi` field is missing or is not 3.0.x (progenitor reads only 3.0).
    NotOpenApi30 { file: String, found: Option<String> },
    /// progenitor refused or could not handle the document.
    Generate { file: String, message: String },
    /// progenitor produced something that does not parse as Rust.
    Format { file: String, message: String },
}

impl CodegenError {
    pub(crate) fn yaml(file: &str, e: &serde_yaml::Error) -> Self {
        let location = e.location();
        CodegenError::Yaml {
            file: file.to_owned(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message: e.to_string(),
        }
    }
}

impl fmt::Display for CodegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodegenError::Read { file, source } => write!(f, "{file}: cannot read: {source}"),
            CodegenError::Yaml {
                file,
                line: Some(line),
                column: Some(column),
                message,
            } => write!(f, "{file}:{line}:{column}: invalid document: {message}"),
            CodegenError::Yaml { file, message, .. } => {
                write!(f, "{file}: invalid document: {message}")
            }
            CodegenError::NotOpenApi30 {
                file,
                found: Some(v),
            } => write!(
                f,
                "{file}: not an OpenAPI 3.0.x document (openapi: {v}); progenitor reads only 3.0.x"
            ),
            CodegenError::NotOpenApi30 { file, found: None } => write!(
                f,
                "{file}: not an OpenAPI document: no `openapi: 3.0.x` field at the top level"
            ),
            CodegenError::Generate { file, message } => {
                write!(f, "{file}: cannot generate the client: {message}")
            }
            CodegenError::Format { file, message } => write!(f, "{file}: {message}"),
        }
    }
}

impl std::error::Error for CodegenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CodegenError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}
