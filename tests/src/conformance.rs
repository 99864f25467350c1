//! Checks an OpenAPI document against the facts transcribed from the API
//! reference (`tests/data/reference-facts.json`), in both directions:
//!
//! - every documented fact must be in the document;
//! - everything in the document must be documented, or carry an `x-source`
//!   extension that names where it comes from.
//!
//! The document is parsed with the generator's own loader into `openapiv3`
//! types and then walked as JSON, so what is checked is what progenitor reads.

use serde::Deserialize;
use serde_json::Value;

/// The transcription of the API reference.
#[derive(Debug, Clone, Deserialize)]
pub struct Facts {
    pub operation: Operation,
    pub path_parameters: Vec<Field>,
    pub header_parameters: Vec<Field>,
    pub request_body: Vec<Field>,
    pub responses: Vec<Response>,
    pub example_request: Example,
    pub example_response_200: Example,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Operation {
    pub method: String,
    pub path: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub range: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    pub status: String,
    /// "File" for a binary body.
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub body_media_type: Option<String>,
    #[serde(default)]
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    pub body: Value,
}

/// The workspace root (this crate lives one level below it).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The facts file.
pub fn load_facts() -> Facts {
    let path = workspace_root().join("tests/data/reference-facts.json");
    let text = std::fs::read_to_string(&path).expect("reference-facts.json is readable");
    serde_json::from_str(&text).expect("reference-facts.json is well formed")
}

/// The text of `openapi/secmaster.yaml`.
pub fn load_document_text() -> String {
    std::fs::read_to_string(workspace_root().join("openapi/secmaster.yaml"))
        .expect("openapi/secmaster.yaml is readable")
}

/// Parses a document the way the generator does and returns it as JSON.
pub fn parse(text: &str) -> Result<Value, String> {
    let spec = secmaster_codegen::parse_document(text, "document").map_err(|e| e.to_string())?;
    serde_json::to_value(&spec).map_err(|e| e.to_string())
}

/// Every disagreement between the document and the facts, as readable lines.
/// Empty means the document says exactly what the reference says, plus only
/// facts that name their source.
pub fn check(doc: &Value, facts: &Facts) -> Vec<String> {
    let mut c = Checker {
        doc,
        problems: Vec::new(),
    };
    c.documented_facts_present(facts);
    c.extras_have_sources(facts);
    c.problems
}

struct Checker<'a> {
    doc: &'a Value,
    problems: Vec<String>,
}

impl<'a> Checker<'a> {
    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    /// Follows a local `$ref` (`#/a/b/c`).
    fn resolve(&self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.trim_start_matches('#');
                self.doc.pointer(pointer).unwrap_or(&Value::Null)
            }
            None => value,
        }
    }

    fn operation(&self, facts: &Facts) -> Option<&'a Value> {
        self.doc
            .get("paths")?
            .get(&facts.operation.path)?
            .get(facts.operation.method.to_ascii_lowercase())
    }

    fn parameters(&self, facts: &Facts) -> Vec<&'a Value> {
        let item = self.doc.pointer(&format!(
            "/paths/{}",
            facts.operation.path.replace('~', "~0").replace('/', "~1")
        ));
        let op = self.operation(facts);
        [item, op]
            .into_iter()
            .flatten()
            .filter_map(|v| v.get("parameters").and_then(Value::as_array))
            .flatten()
            .map(|p| self.resolve(p))
            .collect()
    }

    fn documented_facts_present(&mut self, facts: &Facts) {
        let Some(op) = self.operation(facts) else {
            self.problem(format!(
                "documented operation {} {} is missing",
                facts.operation.method, facts.operation.path
            ));
            return;
        };
        let params = self.parameters(facts);

        for fact in &facts.path_parameters {
            match params
                .iter()
                .find(|p| p["name"] == fact.name.as_str() && p["in"] == "path")
            {
                None => self.problem(format!("path parameter {} is missing", fact.name)),
                Some(p) => {
                    if p["required"].as_bool().unwrap_or(false) != fact.mandatory {
                        self.problem(format!(
                            "path parameter {}: required should be {}",
                            fact.name, fact.mandatory
                        ));
                    }
                    self.check_type(
                        &format!("path parameter {}", fact.name),
                        &p["schema"],
                        &fact.kind,
                    );
                }
            }
        }

        for fact in &facts.header_parameters {
            if fact.name.eq_ignore_ascii_case("content-type") {
                self.check_content_type(op, fact);
            } else {
                self.check_header(op, &params, fact);
            }
        }

        let body_schema = op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            .and_then(|content| content.values().next())
            .map(|media| self.resolve(&media["schema"]));
        match body_schema {
            None => self.problem("request body schema is missing".into()),
            Some(schema) => self.check_object(schema, &facts.request_body, "request body", true),
        }
        let example = op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            .and_then(|content| content.values().next())
            .and_then(|media| media.get("example"));
        if example != Some(&facts.example_request.body) {
            self.problem(format!(
                "request body example should be {}",
                facts.example_request.body
            ));
        }

        for fact in &facts.responses {
            let Some(response) = op.pointer(&format!("/responses/{}", fact.status)) else {
                self.problem(format!("response {} is missing", fact.status));
                continue;
            };
            let response = self.resolve(response);
            let content = response.get("content").and_then(Value::as_object);
            if fact.body.as_deref() == Some("File") {
                let binary = content.is_some_and(|c| {
                    c.values().any(|m| {
                        let s = self.resolve(&m["schema"]);
                        s["type"] == "string" && s["format"] == "binary"
                    })
                });
                if !binary {
                    self.problem(format!(
                        "response {}: body should be a file (string, binary)",
                        fact.status
                    ));
                }
                if fact.status == "200" {
                    let example = content.and_then(|c| c.values().find_map(|m| m.get("example")));
                    if example != Some(&facts.example_response_200.body) {
                        self.problem(format!(
                            "response 200 example should be {}",
                            facts.example_response_200.body
                        ));
                    }
                }
            }
            if let Some(media_type) = &fact.body_media_type {
                match content.and_then(|c| c.get(media_type)) {
                    None => self.problem(format!(
                        "response {}: media type {media_type} is missing",
                        fact.status
                    )),
                    Some(media) => {
                        let schema = self.resolve(&media["schema"]);
                        self.check_object(
                            schema,
                            &fact.fields,
                            &format!("response {} body", fact.status),
                            false,
                        );
                    }
                }
            }
        }
    }

    fn check_content_type(&mut self, op: &Value, fact: &Field) {
        let body = &op["requestBody"];
        if body["required"].as_bool().unwrap_or(false) != fact.mandatory {
            self.problem(format!(
                "request body: required should be {}",
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
                    "request body media type {value} (the documented content-type) is missing; found {found:?}"
                ));
            }
        }
    }

    /// A documented header is either a header parameter or, for credentials,
    /// an apiKey security scheme in that header that the operation requires.
    fn check_header(&mut self, op: &Value, params: &[&Value], fact: &Field) {
        let as_param = params.iter().find(|p| {
            p["in"] == "header"
                && p["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&fact.name))
        });
        if let Some(p) = as_param {
            if p["required"].as_bool().unwrap_or(false) != fact.mandatory {
                self.problem(format!(
                    "header {}: required should be {}",
                    fact.name, fact.mandatory
                ));
            }
            self.check_type(&format!("header {}", fact.name), &p["schema"], &fact.kind);
            return;
        }
        let schemes = self
            .doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object);
        let scheme = schemes.and_then(|s| {
            s.iter().find(|(_, v)| {
                v["type"] == "apiKey"
                    && v["in"] == "header"
                    && v["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&fact.name))
            })
        });
        let Some((scheme_name, _)) = scheme else {
            self.problem(format!(
                "header {} is missing (neither a header parameter nor an apiKey security scheme)",
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
                "header {}: security scheme {scheme_name} is not required by the operation",
                fact.name
            ));
        }
    }

    fn check_object(&mut self, schema: &Value, fields: &[Field], what: &str, check_required: bool) {
        if schema["type"] != "object" {
            self.problem(format!("{what}: schema should be an object"));
        }
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for field in fields {
            match schema.pointer(&format!("/properties/{}", field.name)) {
                None => self.problem(format!("{what}: field {} is missing", field.name)),
                Some(property) => {
                    let property = self.resolve(property);
                    self.check_type(
                        &format!("{what}: field {}", field.name),
                        property,
                        &field.kind,
                    );
                    if check_required && required.contains(&field.name.as_str()) != field.mandatory
                    {
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
                }
            }
        }
    }

    fn check_type(&mut self, what: &str, schema: &Value, documented: &str) {
        let schema = self.resolve(schema);
        let ok = match documented {
            "String" => schema["type"] == "string",
            "Array of strings" => {
                schema["type"] == "array" && self.resolve(&schema["items"])["type"] == "string"
            }
            other => {
                self.problem(format!("{what}: the facts use an unknown type {other:?}"));
                return;
            }
        };
        if !ok {
            self.problem(format!("{what}: type should be {documented}"));
        }
    }

    fn extras_have_sources(&mut self, facts: &Facts) {
        let doc = self.doc;
        self.need_source("info", &doc["info"]);
        for (i, server) in doc["servers"].as_array().into_iter().flatten().enumerate() {
            self.need_source(&format!("servers[{i}]"), server);
        }
        for tag in doc["tags"].as_array().into_iter().flatten() {
            self.need_source(&format!("tag {}", tag["name"]), tag);
        }
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            if *path != facts.operation.path {
                self.need_source(&format!("path {path}"), item);
                continue;
            }
            for (method, op) in item.as_object().into_iter().flatten() {
                if ![
                    "get", "put", "post", "delete", "options", "head", "patch", "trace",
                ]
                .contains(&method.as_str())
                {
                    continue;
                }
                if !method.eq_ignore_ascii_case(&facts.operation.method) {
                    self.need_source(&format!("operation {method} {path}"), op);
                    continue;
                }
                self.operation_extras(op, facts);
            }
        }
        for (name, scheme) in doc
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let documented = scheme["type"] == "apiKey"
                && scheme["in"] == "header"
                && facts.header_parameters.iter().any(|h| {
                    scheme["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&h.name))
                });
            if !documented {
                self.need_source(&format!("security scheme {name}"), scheme);
            }
        }
    }

    fn operation_extras(&mut self, op: &'a Value, facts: &Facts) {
        for p in self.parameters(facts) {
            let name = p["name"].as_str().unwrap_or_default();
            let documented = match p["in"].as_str() {
                Some("path") => facts.path_parameters.iter().any(|f| f.name == name),
                Some("header") => facts
                    .header_parameters
                    .iter()
                    .any(|f| f.name.eq_ignore_ascii_case(name)),
                _ => false,
            };
            if !documented {
                self.need_source(&format!("parameter {name} ({})", p["in"]), p);
            }
        }
        let content_type = facts
            .header_parameters
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("content-type"));
        for (media_type, media) in op
            .pointer("/requestBody/content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !content_type.is_some_and(|f| f.range.contains(media_type)) {
                self.need_source(&format!("request media type {media_type}"), media);
            }
            let schema = self.resolve(&media["schema"]);
            self.property_extras("request body", schema, &facts.request_body);
        }
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            let response = self.resolve(response);
            let Some(fact) = facts.responses.iter().find(|r| r.status == *status) else {
                self.need_source(&format!("response {status}"), response);
                continue;
            };
            for (media_type, media) in response["content"].as_object().into_iter().flatten() {
                if fact.body_media_type.as_deref() != Some(media_type.as_str()) {
                    self.need_source(&format!("response {status} media type {media_type}"), media);
                }
                let schema = self.resolve(&media["schema"]);
                if fact.body.is_none() {
                    self.property_extras(&format!("response {status} body"), schema, &fact.fields);
                }
            }
        }
        // Security alternatives other than the documented header's scheme are
        // covered by the scheme's own x-source (see extras_have_sources).
    }

    fn property_extras(&mut self, what: &str, schema: &Value, fields: &[Field]) {
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            if !fields.iter().any(|f| f.name == *name) {
                self.need_source(&format!("{what}: field {name}"), property);
            }
        }
    }

    fn need_source(&mut self, what: &str, value: &Value) {
        let named = value
            .get("x-source")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty());
        if !named {
            self.problem(format!(
                "{what} is not in the API reference and has no x-source naming where it comes from"
            ));
        }
    }
}
