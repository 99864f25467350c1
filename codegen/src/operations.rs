//! The operation table: every operation of the document, reduced to what a
//! caller needs to send it and read its answer. Built here once; rendered
//! as `client/src/operations.rs` for the client and the CLI, and read in
//! memory by `cargo xtask spec`.
//!
//! Everything is taken from the document, by these rules:
//! - parameters: path and query, from the path item and the operation
//!   (`$ref`s to `components/parameters` followed), with their type,
//!   `enum`, `minimum`/`maximum`, `minLength`/`maxLength` and `required`;
//! - body: none, JSON (the media type as written, `;charset=UTF-8`
//!   included) or a multipart form (its `format: binary` field is the file);
//! - answer: the first 2xx response: JSON, a file (`format: binary`, or a
//!   media type that is not JSON), or nothing; a JSON answer is in the
//!   service's envelope when its schema has a `success` property;
//! - repeat: safe for GET and HEAD, and for an operation marked
//!   `x-safe-to-repeat: true`; any other is sent again only when the answer
//!   proves it was not processed;
//! - paging: integer `offset` and `limit` query parameters, and an answer
//!   with exactly one array property and a numeric `total` or `count`.

use openapiv3::{
    Components, OpenAPI, Operation, Parameter, ParameterSchemaOrContent, PathItem, ReferenceOr,
    RequestBody, Response, Schema, SchemaKind, Type,
};

use crate::error::CodegenError;

/// One operation, as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationInfo {
    pub id: String,
    /// Upper case: `GET`, `POST`, ...
    pub method: String,
    pub path: String,
    pub summary: String,
    pub parameters: Vec<ParameterInfo>,
    pub body: BodyInfo,
    pub answer: AnswerInfo,
    pub repeat_safe: bool,
    pub paging: Option<PagingInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterInfo {
    pub name: String,
    pub in_path: bool,
    pub required: bool,
    pub kind: ValueInfo,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueInfo {
    Text {
        allowed: Vec<String>,
        min_length: Option<usize>,
        max_length: Option<usize>,
    },
    Integer {
        minimum: Option<i64>,
        maximum: Option<i64>,
    },
    Number,
    Boolean,
    /// An array or anything else: sent as given.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyInfo {
    None,
    Json { content_type: String },
    Multipart { file_field: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerInfo {
    Json { envelope: bool },
    File,
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagingInfo {
    pub items: String,
    pub total: String,
    pub max_limit: Option<i64>,
    pub max_offset: Option<i64>,
}

/// Every operation of `spec`, in document order.
pub fn operations(spec: &OpenAPI, display_name: &str) -> Result<Vec<OperationInfo>, CodegenError> {
    let components = spec.components.as_ref();
    let mut out = Vec::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let method = method.to_ascii_uppercase();
            let id = op
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{method} {path}"));
            let fail = |message: String| CodegenError::Generate {
                file: display_name.to_owned(),
                message: format!("operation {id}: {message}"),
            };
            let parameters = parameters(item, op, components).map_err(&fail)?;
            check_template(path, &parameters).map_err(&fail)?;
            let answer = answer(op, components);
            let paging = paging(&parameters, op, components);
            let safe_mark = op
                .extensions
                .get("x-safe-to-repeat")
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            let body = body(op, components);
            if body
                == (BodyInfo::Multipart {
                    file_field: String::new(),
                })
            {
                return Err(fail(
                    "its multipart body has no file field (a `format: binary` property)".into(),
                ));
            }
            if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
                return Err(fail("the operationId must start with a letter".into()));
            }
            if let Some(other) = out
                .iter()
                .find(|o: &&OperationInfo| const_name(&o.id) == const_name(&id))
            {
                return Err(fail(if other.id == id {
                    "the operationId is used again".to_owned()
                } else {
                    format!(
                        "the operationId gives the same name as {} ({})",
                        other.id,
                        const_name(&id)
                    )
                }));
            }
            out.push(OperationInfo {
                summary: op.summary.clone().unwrap_or_default(),
                body,
                repeat_safe: method == "GET" || method == "HEAD" || safe_mark,
                id,
                method,
                path: path.clone(),
                parameters,
                answer,
                paging,
            });
        }
    }
    Ok(out)
}

/// Every `{name}` of the path is closed and is a path parameter, and every
/// path parameter is in the path: else the table could not fill the path.
fn check_template(path: &str, parameters: &[ParameterInfo]) -> Result<(), String> {
    let mut named = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("the path {path} opens a {{ it does not close"))?;
        named.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    for name in &named {
        if !parameters.iter().any(|p| p.in_path && p.name == *name) {
            return Err(format!(
                "the path names {{{name}}}, which is not a path parameter"
            ));
        }
    }
    for p in parameters.iter().filter(|p| p.in_path) {
        if !named.contains(&p.name.as_str()) {
            return Err(format!(
                "path parameter {} is not in the path {path}",
                p.name
            ));
        }
    }
    Ok(())
}

fn parameters(
    item: &PathItem,
    op: &Operation,
    components: Option<&Components>,
) -> Result<Vec<ParameterInfo>, String> {
    let mut out: Vec<ParameterInfo> = Vec::new();
    // The operation's own entries override the path item's of the same name.
    for p in item.parameters.iter().chain(&op.parameters) {
        let p = resolve_parameter(p, components).ok_or_else(|| match p {
            ReferenceOr::Reference { reference } => {
                format!("the parameter $ref {reference} does not resolve")
            }
            ReferenceOr::Item(_) => "a parameter that does not resolve".to_owned(),
        })?;
        let (data, in_path) = match p {
            Parameter::Path { parameter_data, .. } => (parameter_data, true),
            Parameter::Query { parameter_data, .. } => (parameter_data, false),
            // Headers and cookies are the client's business (credentials,
            // content type), not the caller's.
            Parameter::Header { .. } | Parameter::Cookie { .. } => continue,
        };
        let kind = match &data.format {
            ParameterSchemaOrContent::Schema(schema) => value_kind(schema, components),
            ParameterSchemaOrContent::Content(_) => ValueInfo::Other,
        };
        let info = ParameterInfo {
            name: data.name.clone(),
            in_path,
            required: data.required || in_path,
            kind,
            description: data.description.clone().unwrap_or_default(),
        };
        match out.iter_mut().find(|q| q.name == info.name) {
            Some(slot) if slot.in_path != info.in_path => {
                return Err(format!(
                    "parameter {} is both in the path and in the query; the table names parameters by name alone",
                    info.name
                ));
            }
            Some(slot) => *slot = info,
            None => out.push(info),
        }
    }
    Ok(out)
}

fn resolve_parameter<'a>(
    p: &'a ReferenceOr<Parameter>,
    components: Option<&'a Components>,
) -> Option<&'a Parameter> {
    match p {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { reference } => components?
            .parameters
            .get(reference.strip_prefix("#/components/parameters/")?)?
            .as_item(),
    }
}

/// Follows `$ref`s to `components/schemas` (a bounded number of times).
fn resolve_schema<'a>(
    s: &'a ReferenceOr<Schema>,
    components: Option<&'a Components>,
) -> Option<&'a Schema> {
    let mut current = s;
    for _ in 0..16 {
        match current {
            ReferenceOr::Item(schema) => return Some(schema),
            ReferenceOr::Reference { reference } => {
                current = components?
                    .schemas
                    .get(reference.strip_prefix("#/components/schemas/")?)?;
            }
        }
    }
    None
}

fn resolve_boxed<'a>(
    s: &'a ReferenceOr<Box<Schema>>,
    components: Option<&'a Components>,
) -> Option<&'a Schema> {
    match s {
        ReferenceOr::Item(schema) => Some(schema),
        ReferenceOr::Reference { reference } => resolve_schema(
            components?
                .schemas
                .get(reference.strip_prefix("#/components/schemas/")?)?,
            components,
        ),
    }
}

fn value_kind(schema: &ReferenceOr<Schema>, components: Option<&Components>) -> ValueInfo {
    let Some(schema) = resolve_schema(schema, components) else {
        return ValueInfo::Other;
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => ValueInfo::Text {
            allowed: s.enumeration.iter().flatten().cloned().collect(),
            min_length: s.min_length,
            max_length: s.max_length,
        },
        SchemaKind::Type(Type::Integer(i)) => ValueInfo::Integer {
            minimum: i
                .minimum
                .map(|m| if i.exclusive_minimum { m + 1 } else { m }),
            maximum: i
                .maximum
                .map(|m| if i.exclusive_maximum { m - 1 } else { m }),
        },
        SchemaKind::Type(Type::Number(_)) => ValueInfo::Number,
        SchemaKind::Type(Type::Boolean(_)) => ValueInfo::Boolean,
        _ => ValueInfo::Other,
    }
}

/// The operation's request body, its `$ref` followed.
pub(crate) fn request_body<'a>(
    op: &'a Operation,
    components: Option<&'a Components>,
) -> Option<&'a RequestBody> {
    match op.request_body.as_ref()? {
        ReferenceOr::Item(body) => Some(body),
        ReferenceOr::Reference { reference } => reference
            .strip_prefix("#/components/requestBodies/")
            .and_then(|name| components?.request_bodies.get(name))
            .and_then(ReferenceOr::as_item),
    }
}

fn body(op: &Operation, components: Option<&Components>) -> BodyInfo {
    let body = request_body(op, components);
    let Some((media_type, content)) = body.and_then(|b| b.content.iter().next()) else {
        return BodyInfo::None;
    };
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("multipart/form-data") {
        let file_field = content
            .schema
            .as_ref()
            .and_then(|s| resolve_schema(s, components))
            .and_then(|s| match &s.schema_kind {
                SchemaKind::Type(Type::Object(o)) => o.properties.iter().find_map(|(name, p)| {
                    is_binary(resolve_boxed(p, components)?).then(|| name.clone())
                }),
                _ => None,
            })
            .unwrap_or_default();
        BodyInfo::Multipart { file_field }
    } else {
        BodyInfo::Json {
            content_type: media_type.clone(),
        }
    }
}

fn is_binary(schema: &Schema) -> bool {
    matches!(&schema.schema_kind, SchemaKind::Type(Type::String(s))
        if matches!(&s.format, openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)))
}

/// The first 2xx response's media type and resolved schema.
fn success_content<'a>(
    op: &'a Operation,
    components: Option<&'a Components>,
) -> Option<(&'a str, Option<&'a Schema>)> {
    let response: &Response = op.responses.responses.iter().find_map(|(status, r)| {
        let code = match status {
            openapiv3::StatusCode::Code(c) => *c,
            openapiv3::StatusCode::Range(r) => r * 100,
        };
        if !(200..300).contains(&code) {
            return None;
        }
        match r {
            ReferenceOr::Item(r) => Some(r),
            ReferenceOr::Reference { reference } => components?
                .responses
                .get(reference.strip_prefix("#/components/responses/")?)?
                .as_item(),
        }
    })?;
    let (media_type, content) = response.content.iter().next()?;
    let schema = content
        .schema
        .as_ref()
        .and_then(|s| resolve_schema(s, components));
    Some((media_type.as_str(), schema))
}

fn answer(op: &Operation, components: Option<&Components>) -> AnswerInfo {
    let Some((media_type, schema)) = success_content(op, components) else {
        return AnswerInfo::Empty;
    };
    let json = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
        .ends_with("json");
    if !json || schema.is_some_and(is_binary) {
        return AnswerInfo::File;
    }
    AnswerInfo::Json {
        envelope: properties(schema).any(|(name, _)| name == "success"),
    }
}

fn properties(
    schema: Option<&Schema>,
) -> impl Iterator<Item = (&String, &ReferenceOr<Box<Schema>>)> {
    let object = match schema.map(|s| &s.schema_kind) {
        Some(SchemaKind::Type(Type::Object(o))) => Some(o),
        _ => None,
    };
    object.into_iter().flat_map(|o| o.properties.iter())
}

fn paging(
    parameters: &[ParameterInfo],
    op: &Operation,
    components: Option<&Components>,
) -> Option<PagingInfo> {
    let integer_query = |name: &str| {
        parameters.iter().find_map(|p| match &p.kind {
            ValueInfo::Integer { maximum, .. } if !p.in_path && p.name == name => Some(*maximum),
            _ => None,
        })
    };
    let max_offset = integer_query("offset")?;
    let max_limit = integer_query("limit")?;
    let (_, schema) = success_content(op, components)?;
    let arrays: Vec<&String> = properties(schema)
        .filter(|(_, p)| is_type(p, components, |t| matches!(t, Type::Array(_))))
        .map(|(name, _)| name)
        .collect();
    let [items] = arrays.as_slice() else {
        return None;
    };
    let total = properties(schema).find_map(|(name, p)| {
        let counts = name == "total" || name == "count";
        let numeric = is_type(p, components, |t| {
            matches!(t, Type::Integer(_) | Type::Number(_))
        });
        (counts && numeric).then(|| name.clone())
    })?;
    Some(PagingInfo {
        items: (*items).clone(),
        total,
        max_limit,
        max_offset,
    })
}

fn is_type(
    p: &ReferenceOr<Box<Schema>>,
    components: Option<&Components>,
    test: impl Fn(&Type) -> bool,
) -> bool {
    matches!(resolve_boxed(p, components).map(|s| &s.schema_kind), Some(SchemaKind::Type(t)) if test(t))
}

/// Rust source for `client/src/operations.rs`: one `static` per operation,
/// named after its id in upper case, and [`OPERATIONS`] listing them.
pub fn render(ops: &[OperationInfo], display_name: &str) -> String {
    let mut out = format!(
        "// @generated by secmaster-codegen (operations) from {display_name}.\n\
         // Do not edit by hand: change the document, then run `cargo xtask gen`.\n\n\
         //! Every operation of the document, as data (see [`crate::operation::Operation`]).\n\n\
         use crate::operation::*;\n\n\
         /// Every operation, in document order.\n\
         pub static OPERATIONS: &[&Operation] = &[{}];\n",
        ops.iter()
            .map(|op| format!("&{}", const_name(&op.id)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for op in ops {
        out.push_str(&format!(
            "\n/// `{} {}`{}\npub static {}: Operation = Operation {{\n    id: {:?},\n    method: Method::{},\n    path: {:?},\n    summary: {:?},\n    parameters: &[\n",
            op.method,
            op.path,
            if op.summary.is_empty() {
                String::new()
            } else {
                // One line, whatever the document's summary holds.
                let summary: Vec<&str> = op.summary.split_whitespace().collect();
                format!(": {}.", summary.join(" "))
            },
            const_name(&op.id),
            op.id,
            method_variant(&op.method),
            op.path,
            op.summary,
        ));
        for p in &op.parameters {
            out.push_str(&format!(
                "        Parameter {{ name: {:?}, location: Location::{}, required: {}, kind: {}, description: {:?} }},\n",
                p.name,
                if p.in_path { "Path" } else { "Query" },
                p.required,
                value_kind_source(&p.kind),
                p.description.trim(),
            ));
        }
        out.push_str("    ],\n");
        out.push_str(&format!(
            "    body: {},\n    answer: {},\n    repeat: Repeat::{},\n    paging: {},\n}};\n",
            match &op.body {
                BodyInfo::None => "Body::None".to_owned(),
                BodyInfo::Json { content_type } =>
                    format!("Body::Json {{ content_type: {content_type:?} }}"),
                BodyInfo::Multipart { file_field } =>
                    format!("Body::Multipart {{ file_field: {file_field:?} }}"),
            },
            match &op.answer {
                AnswerInfo::Json { envelope } => format!("Answer::Json {{ envelope: {envelope} }}"),
                AnswerInfo::File => "Answer::File".to_owned(),
                AnswerInfo::Empty => "Answer::Empty".to_owned(),
            },
            if op.repeat_safe {
                "Safe"
            } else {
                "OnlyIfUnprocessed"
            },
            match &op.paging {
                None => "None".to_owned(),
                Some(p) => format!(
                    "Some(Paging {{ items: {:?}, total: {:?}, max_limit: {}, max_offset: {} }})",
                    p.items,
                    p.total,
                    option_source(p.max_limit),
                    option_source(p.max_offset)
                ),
            },
        ));
    }
    out
}

fn const_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn method_variant(method: &str) -> String {
    let lower = method.to_ascii_lowercase();
    let mut chars = lower.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

fn option_source<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "None".to_owned(), |v| format!("Some({v})"))
}

fn value_kind_source(kind: &ValueInfo) -> String {
    match kind {
        ValueInfo::Text {
            allowed,
            min_length,
            max_length,
        } => format!(
            "ValueKind::Text {{ allowed: &{allowed:?}, min_length: {}, max_length: {} }}",
            option_source(*min_length),
            option_source(*max_length)
        ),
        ValueInfo::Integer { minimum, maximum } => format!(
            "ValueKind::Integer {{ minimum: {}, maximum: {} }}",
            option_source(*minimum),
            option_source(*maximum)
        ),
        ValueInfo::Number => "ValueKind::Number".to_owned(),
        ValueInfo::Boolean => "ValueKind::Boolean".to_owned(),
        ValueInfo::Other => "ValueKind::Other".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(paths: &str) -> Result<Vec<OperationInfo>, String> {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}\ncomponents:\n  parameters:\n    p: {{name: p, in: path, required: true, schema: {{type: string}}}}\n"
        );
        let spec = crate::parse_document(&text, "doc").map_err(|e| e.to_string())?;
        operations(&spec, "doc").map_err(|e| e.to_string())
    }

    const OK: &str = "  /a/{p}:\n    get:\n      operationId: show_a\n      summary: \"Show\\nan a\"\n      parameters: [{$ref: '#/components/parameters/p'}]\n      responses: {'200': {description: ok}}\n";

    #[test]
    fn a_well_formed_operation_is_read() {
        let ops = table(OK).unwrap();
        assert_eq!(ops[0].id, "show_a");
        assert!(render(&ops, "doc").contains("/// `GET /a/{p}`: Show an a.\n"));
    }

    #[test]
    fn what_the_table_could_not_serve_is_refused_naming_the_operation() {
        let cases = [
            (OK.replace("/a/{p}", "/a/{p"), "operation show_a: the path /a/{p opens a { it does not close"),
            (OK.replace("/a/{p}", "/a/{p}/{q}"), "the path names {q}, which is not a path parameter"),
            (OK.replace("/a/{p}", "/a"), "path parameter p is not in the path /a"),
            (
                OK.replace("parameters/p'", "parameters/nowhere'"),
                "the parameter $ref #/components/parameters/nowhere does not resolve",
            ),
            (
                OK.replace("parameters: [{$ref: '#/components/parameters/p'}]", "parameters: [{$ref: '#/components/parameters/p'}, {name: p, in: query, schema: {type: string}}]"),
                "parameter p is both in the path and in the query",
            ),
            (OK.replace("show_a", "1show"), "operation 1show: the operationId must start with a letter"),
            (format!("{OK}  /b/{{p}}:\n{}", OK.lines().skip(1).collect::<Vec<_>>().join("\n")), "operation show_a: the operationId is used again"),
            (
                format!("{OK}  /b/{{p}}:\n{}", OK.lines().skip(1).collect::<Vec<_>>().join("\n").replace("show_a", "show-a")),
                "operation show-a: the operationId gives the same name as show_a (SHOW_A)",
            ),
            (
                OK.replace("responses:", "requestBody: {content: {multipart/form-data: {schema: {type: object, properties: {f: {type: string}}}}}}\n      responses:"),
                "its multipart body has no file field",
            ),
        ];
        for (paths, expected) in cases {
            let err = table(&paths).unwrap_err();
            assert!(
                err.contains(expected),
                "{err:?} lacks {expected:?}\n{paths}"
            );
        }
    }
}
