//! One documented operation, as the simulator checks and answers it:
//! method, path template, parameters, request body and responses, each with
//! the simplified shape of its schema.

use std::collections::BTreeMap;

use http::Method;
use serde_json::Value;

use crate::media::MediaType;
use crate::shape::Shape;

/// One documented method on one path template.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The `operationId`, or `METHOD template` when the document has none.
    pub id: String,
    pub method: Method,
    /// The path template as written (`/v1/{project_id}/...`).
    pub template: String,
    pub(crate) segments: Vec<Segment>,
    pub(crate) parameters: Vec<Param>,
    pub(crate) body: Option<BodySpec>,
    /// Documented response status codes.
    pub statuses: Vec<u16>,
    /// Each documented status with its media types.
    pub(crate) responses: Vec<(u16, Vec<MediaSpec>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
}

#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub name: String,
    pub location: Location,
    pub required: bool,
    pub shape: Shape,
}

#[derive(Debug, Clone)]
pub(crate) struct BodySpec {
    pub required: bool,
    pub media: Vec<MediaSpec>,
}

#[derive(Debug, Clone)]
pub(crate) struct MediaSpec {
    /// As written in the document, for messages.
    pub raw: String,
    pub media: MediaType,
    pub shape: Shape,
    /// The documented example: the media type's, else its schema's.
    pub example: Option<Value>,
}

impl MediaSpec {
    /// Whether bodies of this type are JSON.
    pub fn is_json(&self) -> bool {
        let essence = &self.media.essence;
        essence == "application/json" || essence.ends_with("+json")
    }
}

impl Operation {
    /// The template with parameter names blanked (`/v1/{}/workspaces/{}/...`):
    /// what the handlers are keyed by, so that renaming a parameter in the
    /// document does not change which handler answers.
    pub fn shape_key(&self) -> String {
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.as_str(),
                Segment::Param(_) => "{}",
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Path parameter values in template order (project, workspace, ...).
    pub(crate) fn path_values<'a>(&self, params: &'a BTreeMap<String, String>) -> Vec<&'a str> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(name) => params.get(name).map(String::as_str),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// The media types documented for `status`, if the status is.
    pub(crate) fn response(&self, status: u16) -> Option<&[MediaSpec]> {
        self.responses
            .iter()
            .find(|(code, _)| *code == status)
            .map(|(_, media)| media.as_slice())
    }
}
