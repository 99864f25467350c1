//! The facts transcribed from the API reference
//! (`tests/data/reference-facts.json`), and the objects they name.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use crate::read_data;

/// The transcription of the API reference, keyed by operationId.
#[derive(Debug, Clone, Deserialize)]
pub struct Facts {
    pub operations: BTreeMap<String, OperationFacts>,
}

/// One reference page.
#[derive(Debug, Clone, Deserialize)]
pub struct OperationFacts {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub path_parameters: Vec<Field>,
    #[serde(default)]
    pub query_parameters: Vec<Field>,
    #[serde(default)]
    pub header_parameters: Vec<Field>,
    #[serde(default)]
    pub request_body: Option<RequestBody>,
    #[serde(default)]
    pub responses: Vec<Response>,
}

/// A row of a parameter or body table. `fields` lists the members of an
/// object (or of an array's objects). An object the reference names (type
/// "AopWorkflowInfo object", "Array of AopWorkflowInfo objects") is one
/// definition: its members are the union of what every page lists for it.
#[derive(Debug, Clone, Deserialize)]
pub struct Field {
    pub name: String,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub range: Vec<String>,
    #[serde(default)]
    pub minimum: Option<Value>,
    #[serde(default)]
    pub maximum: Option<Value>,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default)]
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequestBody {
    pub media_type: String,
    #[serde(default)]
    pub fields: Vec<Field>,
    #[serde(default)]
    pub example: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    pub status: String,
    /// "File" for a binary body.
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub fields: Vec<Field>,
    #[serde(default)]
    pub headers: Vec<Field>,
    #[serde(default)]
    pub example: Option<Value>,
}

/// The facts file.
pub fn load_facts() -> Facts {
    serde_json::from_str(&read_data("reference-facts.json"))
        .expect("reference-facts.json is well formed")
}

/// "X object" and "Array of X objects" name the object X.
pub(super) fn object_name(kind: &str) -> Option<&str> {
    let kind = kind.strip_prefix("Array of ").unwrap_or(kind);
    kind.strip_suffix(" objects")
        .or_else(|| kind.strip_suffix(" object"))
}

pub(super) fn named_objects(facts: &Facts) -> BTreeMap<String, Vec<Field>> {
    fn collect(fields: &[Field], objects: &mut BTreeMap<String, Vec<Field>>) {
        for field in fields {
            if let Some(name) = object_name(&field.kind) {
                let members = objects.entry(name.to_owned()).or_default();
                for member in &field.fields {
                    if !members.iter().any(|m| m.name == member.name) {
                        members.push(member.clone());
                    }
                }
            }
            collect(&field.fields, objects);
        }
    }
    let mut objects = BTreeMap::new();
    for f in facts.operations.values() {
        if let Some(body) = &f.request_body {
            collect(&body.fields, &mut objects);
        }
        for response in &f.responses {
            collect(&response.fields, &mut objects);
        }
    }
    objects
}
