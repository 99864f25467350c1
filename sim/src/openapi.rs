//! Reading an OpenAPI 3.0 document into [`Operation`]s: parameters, bodies
//! and responses with their `$ref`s resolved and their schemas reduced to
//! [`Shape`]s. Nothing here knows about any particular operation.

use std::fmt;

use http::Method;
use openapiv3::{
    Components, OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind,
    StatusCode, Type,
};
use serde_json::Value;

use crate::media::MediaType;
use crate::operation::{BodySpec, Location, MediaSpec, Operation, Param, Segment};
use crate::shape::Shape;

/// `$ref` chains and nested schemas deeper than this are treated as "any".
const MAX_DEPTH: usize = 16;

/// Why a document cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractError(pub String);

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unusable OpenAPI document: {}", self.0)
    }
}

impl std::error::Error for ContractError {}

/// Every operation of the document (YAML or JSON), in document order.
pub fn read(text: &str) -> Result<Vec<Operation>, ContractError> {
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
                    Some(BodySpec {
                        required: body.required,
                        media: media_specs(&body.content, components),
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
            let id = op
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{method} {template}"));
            // Faults and log records name operations by id.
            if operations.iter().any(|o: &Operation| o.id == id) {
                return Err(ContractError(format!("operationId {id} is used twice")));
            }
            operations.push(Operation {
                id,
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
    Ok(operations)
}

fn media_specs(content: &openapiv3::Content, components: &Components) -> Vec<MediaSpec> {
    content
        .iter()
        .map(|(raw, m)| {
            let schema = m
                .schema
                .as_ref()
                .and_then(|s| lookup(s, &components.schemas, "schemas").ok());
            MediaSpec {
                raw: raw.clone(),
                media: MediaType::parse(raw),
                shape: schema.map_or(Shape::Any, |s| shape_of(s, components, 0)),
                example: m
                    .example
                    .clone()
                    .or_else(|| schema.and_then(|s| s.schema_data.example.clone())),
            }
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
    let data = &schema.schema_data;
    let default = data.default.as_ref();
    let SchemaKind::Type(typ) = &schema.schema_kind else {
        return Shape::Any;
    };
    match typ {
        Type::String(s) => Shape::String {
            enumeration: s.enumeration.iter().flatten().cloned().collect(),
            known: strings(data.extensions.get("x-known-values")),
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

/// The strings of a list extension; anything else in it is ignored.
fn strings(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}
