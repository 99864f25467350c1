//! The OpenAPI document, reduced to what a request can be checked against:
//! operations (method, path template, parameters, request body media types)
//! and a simplified shape for each schema. Built once from the document text;
//! nothing here knows about any particular operation.

use std::fmt;

use http::Method;

use crate::media::MediaType;
use openapiv3::{
    Components, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind,
    StatusCode, Type,
};

/// `openapi/secmaster.yaml` as it was when this crate was built.
pub const EMBEDDED_DOCUMENT: &str = include_str!("../../openapi/secmaster.yaml");

/// `$ref` chains and nested schemas deeper than this are treated as "any".
const MAX_DEPTH: usize = 16;

/// Every operation of one document.
#[derive(Debug, Clone)]
pub struct Contract {
    pub(crate) operations: Vec<Operation>,
}

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
}

/// What the validator checks of a schema; anything it cannot express
/// (`oneOf`, `allOf`, ...) is `Any`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    Any,
    String {
        enumeration: Vec<String>,
        default: Option<String>,
    },
    Integer {
        minimum: Option<i64>,
        maximum: Option<i64>,
        enumeration: Vec<i64>,
        default: Option<i64>,
    },
    Number,
    Boolean {
        default: Option<bool>,
    },
    Array(Box<Shape>),
    Object {
        properties: Vec<(String, Shape)>,
        required: Vec<String>,
    },
}

/// Why a document cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractError(pub String);

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unusable OpenAPI document: {}", self.0)
    }
}

impl std::error::Error for ContractError {}

impl Contract {
    /// The document this crate was built with.
    pub fn embedded() -> Contract {
        Contract::from_yaml(EMBEDDED_DOCUMENT).expect("the embedded document is checked by tests")
    }

    /// Reads an OpenAPI 3.0 document (YAML or JSON).
    pub fn from_yaml(text: &str) -> Result<Contract, ContractError> {
        let doc: OpenAPI = serde_yaml::from_str(text).map_err(|e| ContractError(e.to_string()))?;
        let empty = Components::default();
        let components = doc.components.as_ref().unwrap_or(&empty);
        let mut operations = Vec::new();
        for (template, item) in doc.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                return Err(ContractError(format!(
                    "{template}: path item references are not supported"
                )));
            };
            for (method, op) in item.iter() {
                let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
                    .map_err(|e| ContractError(e.to_string()))?;
                // Operation parameters override path-level ones of the same name and place.
                let mut parameters: Vec<Param> = Vec::new();
                for p in item.parameters.iter().chain(&op.parameters) {
                    let Some(param) = param(p, components)? else {
                        continue;
                    };
                    parameters.retain(|q| {
                        (q.name.as_str(), q.location) != (param.name.as_str(), param.location)
                    });
                    parameters.push(param);
                }
                let body = match &op.request_body {
                    None => None,
                    Some(body) => {
                        let body = lookup(body, &components.request_bodies, "requestBodies")?;
                        let media = media_specs(&body.content, components);
                        Some(BodySpec {
                            required: body.required,
                            media,
                        })
                    }
                };
                let mut responses = Vec::new();
                for (code, response) in &op.responses.responses {
                    let StatusCode::Code(code) = code else {
                        continue;
                    };
                    let response = lookup(response, &components.responses, "responses")?;
                    responses.push((*code, media_specs(&response.content, components)));
                }
                let statuses = responses.iter().map(|(code, _)| *code).collect();
                operations.push(Operation {
                    id: op
                        .operation_id
                        .clone()
                        .unwrap_or_else(|| format!("{method} {template}")),
                    method,
                    template: template.clone(),
                    segments: segments(template),
                    parameters,
                    body,
                    statuses,
                    responses,
                });
            }
        }
        Ok(Contract { operations })
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// Whether a response conforms to the document: its status is
    /// documented for the operation, its media type is one of that status's,
    /// and a JSON body fits the schema. Tests use it on the simulator's own
    /// answers.
    pub fn check_response(
        &self,
        operation_id: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<(), String> {
        let op = self
            .operation(operation_id)
            .ok_or_else(|| format!("no operation {operation_id}"))?;
        crate::validate::check_response(op, status, content_type, body)
    }
}

impl Operation {
    /// The template with parameter names blanked (`/v1/{}/workspaces/{}/...`):
    /// what the handlers dispatch on, so that renaming a parameter in the
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
}

fn media_specs(content: &openapiv3::Content, components: &Components) -> Vec<MediaSpec> {
    content
        .iter()
        .map(|(raw, m)| MediaSpec {
            raw: raw.clone(),
            media: MediaType::parse(raw),
            shape: m
                .schema
                .as_ref()
                .map_or(Shape::Any, |s| shape_of_ref(s, components, 0)),
        })
        .collect()
}

fn segments(template: &str) -> Vec<Segment> {
    template
        .split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_owned()),
                None => Segment::Literal(s.to_owned()),
            },
        )
        .collect()
}

fn lookup<'a, T>(
    item: &'a ReferenceOr<T>,
    map: &'a indexmap::IndexMap<String, ReferenceOr<T>>,
    kind: &str,
) -> Result<&'a T, ContractError> {
    let mut current = item;
    for _ in 0..MAX_DEPTH {
        match current {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix(&format!("#/components/{kind}/"))
                    .ok_or_else(|| ContractError(format!("unsupported reference {reference}")))?;
                current = map
                    .get(name)
                    .ok_or_else(|| ContractError(format!("dangling reference {reference}")))?;
            }
        }
    }
    Err(ContractError(format!("reference chain too deep in {kind}")))
}

/// `None` for cookie parameters, which nothing here checks.
fn param(
    p: &ReferenceOr<Parameter>,
    components: &Components,
) -> Result<Option<Param>, ContractError> {
    let p = lookup(p, &components.parameters, "parameters")?;
    let location = match p {
        Parameter::Path { .. } => Location::Path,
        Parameter::Query { .. } => Location::Query,
        Parameter::Header { .. } => Location::Header,
        Parameter::Cookie { .. } => return Ok(None),
    };
    let data = p.parameter_data_ref();
    let shape = match &data.format {
        ParameterSchemaOrContent::Schema(s) => shape_of_ref(s, components, 0),
        ParameterSchemaOrContent::Content(_) => Shape::Any,
    };
    Ok(Some(Param {
        name: data.name.clone(),
        location,
        required: data.required || location == Location::Path,
        shape,
    }))
}

fn shape_of_ref(s: &ReferenceOr<Schema>, components: &Components, depth: usize) -> Shape {
    match lookup(s, &components.schemas, "schemas") {
        Ok(schema) => shape_of(schema, components, depth),
        Err(_) => Shape::Any,
    }
}

fn shape_of_boxed(s: &ReferenceOr<Box<Schema>>, components: &Components, depth: usize) -> Shape {
    match s {
        ReferenceOr::Item(schema) => shape_of(schema, components, depth),
        ReferenceOr::Reference { reference } => shape_of_ref(
            &ReferenceOr::Reference {
                reference: reference.clone(),
            },
            components,
            depth,
        ),
    }
}

fn shape_of(schema: &Schema, components: &Components, depth: usize) -> Shape {
    if depth > MAX_DEPTH {
        return Shape::Any;
    }
    let default = schema.schema_data.default.as_ref();
    let SchemaKind::Type(typ) = &schema.schema_kind else {
        return Shape::Any;
    };
    match typ {
        Type::String(s) => Shape::String {
            enumeration: s.enumeration.iter().flatten().cloned().collect(),
            default: default.and_then(|d| d.as_str()).map(str::to_owned),
        },
        Type::Integer(i) => Shape::Integer {
            // Exclusive bounds move one step inwards.
            minimum: i.minimum.map(|m| m + i64::from(i.exclusive_minimum)),
            maximum: i.maximum.map(|m| m - i64::from(i.exclusive_maximum)),
            enumeration: i.enumeration.iter().flatten().copied().collect(),
            default: default.and_then(|d| d.as_i64()),
        },
        Type::Number(_) => Shape::Number,
        Type::Boolean(_) => Shape::Boolean {
            default: default.and_then(|d| d.as_bool()),
        },
        Type::Array(a) => Shape::Array(Box::new(a.items.as_ref().map_or(Shape::Any, |items| {
            shape_of_boxed(items, components, depth + 1)
        }))),
        Type::Object(o) => Shape::Object {
            properties: o
                .properties
                .iter()
                .map(|(name, s)| (name.clone(), shape_of_boxed(s, components, depth + 1)))
                .collect(),
            required: o.required.clone(),
        },
    }
}

impl Shape {
    /// The documented default, as query text.
    pub fn default_text(&self) -> Option<String> {
        match self {
            Shape::String { default, .. } => default.clone(),
            Shape::Integer { default, .. } => default.map(|d| d.to_string()),
            Shape::Boolean { default } => default.map(|d| d.to_string()),
            _ => None,
        }
    }
}
