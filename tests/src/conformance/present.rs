//! The first direction: every documented operation, and every fact of it,
//! is in the document, as the reference says it.

use serde_json::Value;

use super::{Checker, Facts, Field, OperationFacts, RequestBody, Response, has_source};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

impl<'a> Checker<'a> {
    /// Every operation of the document: (method, path, operation).
    fn document_operations(&self) -> Vec<(&'a str, &'a str, &'a Value)> {
        let mut ops = Vec::new();
        for (path, item) in self.doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if METHODS.contains(&method.as_str()) {
                    ops.push((method.as_str(), path.as_str(), op));
                }
            }
        }
        ops
    }

    /// Facts and document name the same operations, at the same places.
    pub(super) fn operations_match(&mut self, facts: &Facts) {
        for (id, f) in &facts.operations {
            if self.operation_at(&f.method, &f.path).is_none() {
                self.problem(format!(
                    "{id}: documented operation {} {} ({id}) is missing from the document",
                    f.method, f.path
                ));
            }
        }
        for (method, path, op) in self.document_operations() {
            let id = op["operationId"].as_str().unwrap_or("(no operationId)");
            match facts.operations.get(id) {
                None => self.problem(format!(
                    "operation {id} ({method} {path}) is in the document but \
                     tests/data/reference-facts.json has no facts for it"
                )),
                Some(f) if !f.method.eq_ignore_ascii_case(method) || f.path != path => self
                    .problem(format!(
                        "operation {method} {path} ({id}): the reference has {} {}",
                        f.method, f.path
                    )),
                Some(_) => {}
            }
        }
    }

    pub(super) fn documented_facts_present(&mut self, id: &str, op: &'a Value, f: &OperationFacts) {
        let params = self.parameters(op, &f.path);
        for (place, list) in [("path", &f.path_parameters), ("query", &f.query_parameters)] {
            for fact in list {
                match params
                    .iter()
                    .find(|p| p["name"] == fact.name.as_str() && p["in"] == place)
                {
                    None => {
                        self.problem(format!("{id}: {place} parameter {} is missing", fact.name))
                    }
                    Some(p) => self.check_parameter(id, place, p, fact),
                }
            }
        }

        for fact in &f.header_parameters {
            if fact.name.eq_ignore_ascii_case("content-type") {
                self.check_content_type(id, op, fact);
            } else {
                self.check_header(id, op, &params, fact);
            }
        }

        if let Some(body) = &f.request_body {
            self.check_request_body(id, op, body);
        }

        for fact in &f.responses {
            self.check_response(id, op, fact);
        }
    }

    fn check_parameter(&mut self, id: &str, place: &str, p: &Value, fact: &Field) {
        let what = format!("{id}: {place} parameter {}", fact.name);
        if p["required"].as_bool().unwrap_or(false) != fact.mandatory {
            self.problem(format!("{what}: required should be {}", fact.mandatory));
        }
        let schema = self.resolve(&p["schema"]);
        self.check_type(&what, schema, &fact.kind);
        self.check_values(&what, schema, fact, false);
        for (key, documented) in [
            ("minimum", &fact.minimum),
            ("maximum", &fact.maximum),
            ("default", &fact.default),
        ] {
            let found = schema.get(key);
            if found != documented.as_ref() {
                self.problem(format!(
                    "{what}: {key} should be {}, found {}",
                    show(documented.as_ref()),
                    show(found)
                ));
            }
        }
    }

    /// The documented range of values. Request values are an `enum`; for
    /// response fields `x-known-values` (an open string) is accepted too.
    fn check_values(&mut self, what: &str, schema: &Value, fact: &Field, response: bool) {
        let listed = |key: &str| -> Option<Vec<String>> {
            schema[key].as_array().map(|values| {
                values
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect()
            })
        };
        let found = listed("enum").or_else(|| response.then(|| listed("x-known-values")).flatten());
        let documented = (!fact.range.is_empty()).then(|| fact.range.clone());
        if found != documented {
            self.problem(format!(
                "{what}: values should be {:?}, found {:?}",
                documented.unwrap_or_default(),
                found.unwrap_or_default()
            ));
        }
    }

    fn check_content_type(&mut self, id: &str, op: &Value, fact: &Field) {
        let body = &op["requestBody"];
        if body.is_null() {
            // OpenAPI has no place for a body-less request's Content-Type.
            let found = &op["x-content-type"];
            if fact.range.len() != 1 || *found != fact.range[0].as_str() {
                self.problem(format!(
                    "{id}: x-content-type should be {:?} (the documented content-type), found {found}",
                    fact.range
                ));
            }
            return;
        }
        if body["required"].as_bool().unwrap_or(false) != fact.mandatory {
            self.problem(format!(
                "{id}: request body: required should be {}",
                fact.mandatory
            ));
        }
        let found: Vec<&String> = body["content"]
            .as_object()
            .map(|c| c.keys().collect())
            .unwrap_or_default();
        for value in &fact.range {
            if !found.contains(&value) {
                self.problem(format!(
                    "{id}: request body media type {value} (the documented content-type) is missing; found {found:?}"
                ));
            }
        }
    }

    /// A documented header is either a header parameter or, for credentials,
    /// an apiKey security scheme in that header that the operation requires.
    fn check_header(&mut self, id: &str, op: &Value, params: &[&Value], fact: &Field) {
        let as_param = params.iter().find(|p| {
            p["in"] == "header"
                && p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&fact.name))
        });
        if let Some(p) = as_param {
            let what = format!("{id}: header {}", fact.name);
            if p["required"].as_bool().unwrap_or(false) != fact.mandatory {
                self.problem(format!("{what}: required should be {}", fact.mandatory));
            }
            self.check_type(&what, &p["schema"], &fact.kind);
            return;
        }
        let scheme = self.scheme_for_header(&fact.name);
        let Some(scheme_name) = scheme else {
            self.problem(format!(
                "{id}: header {} is missing (neither a header parameter nor an apiKey security scheme)",
                fact.name
            ));
            return;
        };
        let security = op.get("security").or_else(|| self.doc.get("security"));
        let alone = security
            .and_then(Value::as_array)
            .is_some_and(|alternatives| {
                alternatives.iter().any(|alt| {
                    alt.as_object()
                        .is_some_and(|o| o.len() == 1 && o.contains_key(scheme_name))
                })
            });
        if fact.mandatory && !alone {
            self.problem(format!(
                "{id}: header {}: security scheme {scheme_name} is not required by the operation",
                fact.name
            ));
        }
    }

    fn scheme_for_header(&self, header: &str) -> Option<&'a str> {
        self.doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)?
            .iter()
            .find(|(_, v)| {
                v["type"] == "apiKey"
                    && v["in"] == "header"
                    && v["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(header))
            })
            .map(|(name, _)| name.as_str())
    }

    fn check_request_body(&mut self, id: &str, op: &'a Value, fact: &RequestBody) {
        let Some(media) = op["requestBody"]["content"].get(&fact.media_type) else {
            self.problem(format!(
                "{id}: request body media type {} is missing",
                fact.media_type
            ));
            return;
        };
        let any_mandatory = fact.fields.iter().any(|f| f.mandatory);
        if any_mandatory && op["requestBody"]["required"] != true {
            self.problem(format!("{id}: request body should be required"));
        }
        let schema = self.resolve(&media["schema"]);
        self.check_object(schema, &fact.fields, &format!("{id}: request body"), true);
        if let Some(example) = &fact.example
            && media.get("example") != Some(example)
        {
            self.problem(format!("{id}: request body example should be {example}"));
        }
    }

    fn check_response(&mut self, id: &str, op: &'a Value, fact: &Response) {
        let status = &fact.status;
        let Some(response) = op.pointer(&format!("/responses/{status}")) else {
            self.problem(format!("{id}: response {status} is missing"));
            return;
        };
        let response = self.resolve(response);
        for header in &fact.headers {
            let what = format!("{id}: response {status} header {}", header.name);
            match response["headers"].get(&header.name) {
                None => self.problem(format!("{what} is missing")),
                Some(h) => {
                    let h = self.resolve(h);
                    self.check_type(&what, &h["schema"], &header.kind);
                }
            }
        }
        let content = response.get("content").and_then(Value::as_object);
        if fact.body.as_deref() == Some("File") {
            let binary = content.is_some_and(|c| c.values().any(|m| self.is_file(&m["schema"])));
            if !binary {
                self.problem(format!(
                    "{id}: response {status}: body should be a file (string, binary)"
                ));
            }
            if let Some(documented) = &fact.example {
                let example = content.and_then(|c| c.values().find_map(|m| m.get("example")));
                if example != Some(documented) {
                    self.problem(format!(
                        "{id}: response {status} example should be {documented}"
                    ));
                }
            }
        }
        if let Some(media_type) = &fact.media_type {
            match content.and_then(|c| c.get(media_type)) {
                None => self.problem(format!(
                    "{id}: response {status}: media type {media_type} is missing"
                )),
                Some(media) => {
                    let schema = self.resolve(&media["schema"]);
                    let what = format!("{id}: response {status} body");
                    self.check_object(schema, &fact.fields, &what, false);
                }
            }
        }
    }

    fn is_file(&self, schema: &Value) -> bool {
        let s = self.resolve(schema);
        s["type"] == "string" && s["format"] == "binary"
    }

    fn check_object(&mut self, schema: &Value, fields: &[Field], what: &str, request: bool) {
        if schema["type"] != "object" {
            self.problem(format!("{what}: schema should be an object"));
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for field in fields {
            let Some(property) = schema.pointer(&format!("/properties/{}", field.name)) else {
                self.problem(format!("{what}: field {} is missing", field.name));
                continue;
            };
            let property = self.resolve(property);
            let field_what = format!("{what}: field {}", field.name);
            self.check_type(&field_what, property, &field.kind);
            self.check_values(&field_what, property, field, !request);
            if request && required.contains(&field.name.as_str()) != field.mandatory {
                self.problem(format!(
                    "{what}: field {} should be {}",
                    field.name,
                    if field.mandatory {
                        "required"
                    } else {
                        "optional"
                    }
                ));
            }
            let members = self.members(field);
            if !members.is_empty() {
                let (inner, suffix) = match property["type"].as_str() {
                    Some("array") => (self.resolve(&property["items"]), "[]"),
                    _ => (property, ""),
                };
                let inner_what = format!("{what}: field {}{suffix}", field.name);
                self.check_object(inner, &members, &inner_what, request);
            }
        }
    }

    fn check_type(&mut self, what: &str, schema: &Value, documented: &str) {
        let schema = self.resolve(schema);
        let is_object = |s: &Value| s["type"] == "object";
        let ok = match documented {
            "String" => schema["type"] == "string" && schema.get("format").is_none(),
            "Integer" => schema["type"] == "integer",
            // Any JSON number. A schema may narrow it to integers only
            // with an x-source saying who does (a client typing it so).
            "Number" => {
                schema["type"] == "number" || (schema["type"] == "integer" && has_source(schema))
            }
            "Boolean" => schema["type"] == "boolean",
            "File" => self.is_file(schema),
            "Array of strings" => {
                schema["type"] == "array" && self.resolve(&schema["items"])["type"] == "string"
            }
            other if other.starts_with("Array of ") && other.ends_with(" objects") => {
                schema["type"] == "array" && is_object(self.resolve(&schema["items"]))
            }
            other if other.ends_with(" object") => is_object(schema),
            other => {
                self.problem(format!("{what}: the facts use an unknown type {other:?}"));
                return;
            }
        };
        if !ok {
            self.problem(format!("{what}: type should be {documented}"));
        }
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}
