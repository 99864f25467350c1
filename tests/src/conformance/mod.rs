//! Checks an OpenAPI document against the facts transcribed from the API
//! reference (`tests/data/reference-facts.json`), operation by operation and
//! in both directions:
//!
//! - every documented operation, and every fact of it, must be in the
//!   document, and every operation of the document must have facts;
//! - everything else in the document must carry an `x-source` extension that
//!   names where it comes from.
//!
//! The document is parsed with the generator's own loader into `openapiv3`
//! types and then walked as JSON, so what is checked is what progenitor reads.

mod extras;
mod facts;
mod present;

use std::collections::BTreeMap;

use serde_json::Value;

pub use facts::{Facts, Field, OperationFacts, RequestBody, Response, load_facts};
use facts::{named_objects, object_name};

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
        objects: named_objects(facts),
        problems: Vec::new(),
    };
    c.operations_match(facts);
    for (id, op_facts) in &facts.operations {
        if let Some(op) = c.operation_at(&op_facts.method, &op_facts.path) {
            c.documented_facts_present(id, op, op_facts);
            c.operation_extras(id, op, op_facts);
        }
    }
    c.document_extras(facts);
    c.problems
}

/// Whether a part of the document names where it comes from: an `x-source`
/// that is not blank.
fn has_source(value: &Value) -> bool {
    value
        .get("x-source")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty())
}

/// One run over a document: what it found so far. The checks of each
/// direction are in `present` (documented facts) and `extras` (`x-source`).
struct Checker<'a> {
    doc: &'a Value,
    /// Members of each named object, over all pages.
    objects: BTreeMap<String, Vec<Field>>,
    problems: Vec<String>,
}

impl<'a> Checker<'a> {
    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    /// The members of a field's object: of the named object if it has a name.
    fn members(&self, field: &Field) -> Vec<Field> {
        object_name(&field.kind)
            .and_then(|name| self.objects.get(name))
            .unwrap_or(&field.fields)
            .clone()
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

    fn operation_at(&self, method: &str, path: &str) -> Option<&'a Value> {
        self.doc
            .get("paths")?
            .get(path)?
            .get(method.to_ascii_lowercase())
    }

    /// Path-level and operation-level parameters, resolved.
    fn parameters(&self, op: &'a Value, path: &str) -> Vec<&'a Value> {
        let item = &self.doc["paths"][path];
        [item, op]
            .into_iter()
            .filter_map(|v| v.get("parameters").and_then(Value::as_array))
            .flatten()
            .map(|p| self.resolve(p))
            .collect()
    }
}
