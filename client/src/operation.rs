//! What the operation table says about one operation. The table itself,
//! [`crate::operations`], is generated from the document by
//! `cargo xtask gen`; every operation is sent from it by one path
//! ([`SecMasterClient::execute`](crate::SecMasterClient::execute)).

/// One documented operation.
#[derive(Debug)]
#[non_exhaustive]
pub struct Operation {
    /// The document's `operationId`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template, `/v1/{project_id}/...`.
    pub path: &'static str,
    /// The document's one-line summary.
    pub summary: &'static str,
    /// Path and query parameters (headers are the client's business).
    pub parameters: &'static [Parameter],
    /// What the request carries.
    pub body: Body,
    /// What a 2xx carries.
    pub answer: Answer,
    /// Whether it may be sent again.
    pub repeat: Repeat,
    /// How a list pages, when it does.
    pub paging: Option<Paging>,
}

/// The HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)] // The names say it.
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Upper case, as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// A path or query parameter.
#[derive(Debug)]
#[non_exhaustive]
pub struct Parameter {
    /// As the document spells it.
    pub name: &'static str,
    /// In the path or the query.
    pub location: Location,
    /// Path parameters are always required.
    pub required: bool,
    /// What its value may be.
    pub kind: ValueKind,
    /// The document's description.
    pub description: &'static str,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Location {
    /// A segment of the path, percent-encoded.
    Path,
    /// A query pair.
    Query,
}

/// What a parameter's value may be, as the document limits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// A string.
    Text {
        /// The documented values; empty when any text goes.
        allowed: &'static [&'static str],
        /// The fewest characters.
        min_length: Option<usize>,
        /// The most characters.
        max_length: Option<usize>,
    },
    /// A whole number.
    Integer {
        /// The smallest allowed.
        minimum: Option<i64>,
        /// The largest allowed.
        maximum: Option<i64>,
    },
    /// Any finite number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Anything else (an array, an object): sent as given.
    Other,
}

/// The request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Body {
    /// No body.
    None,
    /// JSON, sent with exactly this content type.
    Json {
        /// For example `application/json;charset=UTF-8`.
        content_type: &'static str,
    },
    /// A form with one file, in this field.
    Multipart {
        /// The form field's name.
        file_field: &'static str,
    },
}

/// The 2xx answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Answer {
    /// JSON; `envelope` when it is the service's `{code, message, success,
    /// request_id, ...}` shape, whose `"success": false` is a refusal.
    Json {
        /// Whether `success` and `request_id` are in it.
        envelope: bool,
    },
    /// A file, streamed.
    File,
    /// No body.
    Empty,
}

/// Whether an operation may be sent again after it may have reached the
/// service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Repeat {
    /// Changes nothing (GET, and operations marked `x-safe-to-repeat`).
    Safe,
    /// Changes state: repeated only when the answer proves it was not
    /// processed (a 429, or no connection).
    OnlyIfUnprocessed,
}

/// How a list pages: `offset` and `limit` query parameters, the items in
/// `items` and the number matching in `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Paging {
    /// The answer's array.
    pub items: &'static str,
    /// The answer's count of everything that matches (`total`, `count`).
    pub total: &'static str,
    /// The largest page, when documented.
    pub max_limit: Option<i64>,
    /// The largest offset, when documented.
    pub max_offset: Option<i64>,
}

impl Operation {
    /// The parameter called `name`.
    pub fn parameter(&self, name: &str) -> Option<&'static Parameter> {
        self.parameters.iter().find(|p| p.name == name)
    }
}

/// The operation whose `operationId` is `id`.
pub fn find(id: &str) -> Option<&'static Operation> {
    crate::operations::OPERATIONS
        .iter()
        .copied()
        .find(|op| op.id == id)
}
