//! The document says what the API reference says, both ways: the real
//! document passes, and each kind of change to it is caught (by operation:
//! `export`, `list`, `show`, `import`, and both `workspaces` operations);
//! and a document the generator cannot use is refused with a clear error
//! (`codegen_errors`).

mod codegen_errors;
mod export;
mod import;
mod list;
mod show;
mod workspaces;

use secmaster_tests::conformance::{Facts, check, load_facts, parse};
use secmaster_tests::load_document_text;
use serde_yaml::Value as Yaml;

const EXPORT: &str = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/export";
const LIST: &str = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows";
const SHOW: &str = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/{workflow_id}";
const IMPORT: &str = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/import";
const LIST_WORKSPACES: &str = "/v1/{project_id}/workspaces";
const SHOW_WORKSPACE: &str = "/v1/{project_id}/workspaces/{workspace_id}";

fn problems_of(text: &str, facts: &Facts) -> Vec<String> {
    let doc = parse(text).expect("the document parses");
    check(&doc, facts)
}

/// Applies `mutate` to the document's YAML and returns the checker's findings.
fn mutated(mutate: impl FnOnce(&mut Yaml)) -> Vec<String> {
    let mut yaml: Yaml = serde_yaml::from_str(&load_document_text()).unwrap();
    mutate(&mut yaml);
    problems_of(&serde_yaml::to_string(&yaml).unwrap(), &load_facts())
}

fn assert_caught(problems: &[String], expected: &str) {
    assert!(
        problems.iter().any(|p| p.contains(expected)),
        "expected a finding containing {expected:?}, got {problems:#?}"
    );
}

/// Moves the value of a mapping's key `from` to the key `to`.
fn rename(mapping: &mut Yaml, from: &str, to: &str) {
    let mapping = mapping.as_mapping_mut().unwrap();
    let value = mapping.remove(from).unwrap();
    mapping.insert(to.into(), value);
}

/// Moves the operation at `path` from one method to another.
fn change_method(y: &mut Yaml, path: &str, from: &str, to: &str) {
    rename(&mut y["paths"][path], from, to);
}

#[test]
fn document_matches_the_reference() {
    let problems = problems_of(&load_document_text(), &load_facts());
    assert!(
        problems.is_empty(),
        "document and reference disagree:\n{}",
        problems.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Every operation has facts, and every fact an operation.

#[test]
fn an_operation_without_facts_is_caught() {
    let problems = mutated(|y| {
        let mut op = y["paths"][SHOW]["get"].clone();
        op["operationId"] = "delete_workflow".into();
        y["paths"][SHOW]["delete"] = op;
    });
    assert_caught(
        &problems,
        "operation delete_workflow (delete /v1/{project_id}/workspaces/{workspace_id}/soc/workflows/{workflow_id}) is in the document but tests/data/reference-facts.json has no facts for it",
    );
}

#[test]
fn facts_without_an_operation_are_caught() {
    let mut facts = load_facts();
    let mut extra = facts.operations["show_workflow"].clone();
    extra.method = "DELETE".into();
    facts.operations.insert("delete_workflow".into(), extra);
    let problems = problems_of(&load_document_text(), &facts);
    assert_caught(
        &problems,
        "delete_workflow: documented operation DELETE /v1/{project_id}/workspaces/{workspace_id}/soc/workflows/{workflow_id} (delete_workflow) is missing",
    );

    let problems = mutated(|y| {
        y["paths"][IMPORT].as_mapping_mut().unwrap().remove("post");
    });
    assert_caught(
        &problems,
        "import_workflows: documented operation POST /v1/{project_id}/workspaces/{workspace_id}/soc/workflows/import (import_workflows) is missing",
    );
}
