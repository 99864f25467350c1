//! The other direction: whatever the document has beyond the facts must
//! carry an `x-source` extension that names where it comes from.

use serde_json::Value;

use super::{Checker, Facts, Field, OperationFacts, has_source};

impl<'a> Checker<'a> {
    /// What the document has beyond the facts of one operation.
    pub(super) fn operation_extras(&mut self, id: &str, op: &'a Value, f: &OperationFacts) {
        for p in self.parameters(op, &f.path) {
            let name = p["name"].as_str().unwrap_or_default();
            let documented = match p["in"].as_str() {
                Some("path") => f.path_parameters.iter().any(|x| x.name == name),
                Some("query") => f.query_parameters.iter().any(|x| x.name == name),
                Some("header") => f
                    .header_parameters
                    .iter()
                    .any(|x| x.name.eq_ignore_ascii_case(name)),
                _ => false,
            };
            if !documented {
                self.need_source(&format!("{id}: parameter {name} ({})", p["in"]), p);
            }
        }
        for (media_type, media) in op["requestBody"]["content"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let documented = f
                .request_body
                .as_ref()
                .filter(|b| b.media_type == *media_type);
            match documented {
                None => self.need_source(&format!("{id}: request media type {media_type}"), media),
                Some(body) => {
                    let schema = self.resolve(&media["schema"]);
                    self.property_extras(&format!("{id}: request body"), schema, &body.fields);
                }
            }
        }
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            let response = self.resolve(response);
            let Some(fact) = f.responses.iter().find(|r| r.status == *status) else {
                self.need_source(&format!("{id}: response {status}"), response);
                continue;
            };
            for (name, header) in response["headers"].as_object().into_iter().flatten() {
                if !fact.headers.iter().any(|h| h.name == *name) {
                    let what = format!("{id}: response {status} header {name}");
                    self.need_source(&what, self.resolve(header));
                }
            }
            for (media_type, media) in response["content"].as_object().into_iter().flatten() {
                if fact.media_type.as_deref() != Some(media_type.as_str()) {
                    let what = format!("{id}: response {status} media type {media_type}");
                    self.need_source(&what, media);
                }
                let schema = self.resolve(&media["schema"]);
                if fact.body.is_none() {
                    let what = format!("{id}: response {status} body");
                    self.property_extras(&what, schema, &fact.fields);
                }
            }
        }
        // Security alternatives other than the documented header's scheme are
        // covered by the scheme's own x-source (see document_extras).
    }

    fn property_extras(&mut self, what: &str, schema: &'a Value, fields: &[Field]) {
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            let Some(field) = fields.iter().find(|f| f.name == *name) else {
                self.need_source(&format!("{what}: field {name}"), property);
                continue;
            };
            let members = self.members(field);
            if members.is_empty() {
                continue;
            }
            let property = self.resolve(property);
            let (inner, suffix) = match property["type"].as_str() {
                Some("array") => (self.resolve(&property["items"]), "[]"),
                _ => (property, ""),
            };
            self.property_extras(&format!("{what}: field {name}{suffix}"), inner, &members);
        }
    }

    /// What the document has beyond every operation's facts.
    pub(super) fn document_extras(&mut self, facts: &Facts) {
        let doc = self.doc;
        self.need_source("info", &doc["info"]);
        for (i, server) in doc["servers"].as_array().into_iter().flatten().enumerate() {
            self.need_source(&format!("servers[{i}]"), server);
        }
        for tag in doc["tags"].as_array().into_iter().flatten() {
            self.need_source(&format!("tag {}", tag["name"]), tag);
        }
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            if !facts.operations.values().any(|f| f.path == *path) {
                self.need_source(&format!("path {path}"), item);
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
                && facts.operations.values().any(|f| {
                    f.header_parameters.iter().any(|h| {
                        scheme["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(&h.name))
                    })
                });
            if !documented {
                self.need_source(&format!("security scheme {name}"), scheme);
            }
        }
    }

    fn need_source(&mut self, what: &str, value: &Value) {
        if !has_source(value) {
            self.problem(format!(
                "{what} is not in the API reference and has no x-source naming where it comes from"
            ));
        }
    }
}
