//! The checks follow the document: its operations, read from the document
//! under check, against the operations of the cases ([`super::cases`]).
//! An operation without a case fails, and so does a case for an operation
//! the document does not have. Each driver then needs a way to call every
//! one of them; the drivers check that themselves, against the operations
//! written into the cases file ([`needed`] for the Rust CLI's).

use std::fs;
use std::path::Path;

use openapiv3::{OpenAPI, Parameter, ReferenceOr, StatusCode};

/// What a driver needs to know of one operation of the document.
pub struct Operation {
    pub id: String,
    /// Upper case: `GET`.
    pub method: String,
    pub template: String,
    /// A GET whose parameters are all in the path or the query, with no
    /// body and a JSON 200: a generic driver calls it from a case's `path`
    /// and `query` values, with no code for the operation.
    pub simple_get: bool,
}

/// The operations of the document at `spec`, in document order.
pub fn read(spec: &Path) -> Result<Vec<Operation>, String> {
    let text = fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    let document = secmaster_codegen::parse_document(&text, &spec.display().to_string())
        .map_err(|e| e.to_string())?;
    operations(&document)
}

fn operations(document: &OpenAPI) -> Result<Vec<Operation>, String> {
    let mut found = Vec::new();
    for (template, item) in document.paths.iter() {
        let item = item
            .as_item()
            .ok_or_else(|| format!("{template}: a $ref path item is not read here"))?;
        for (method, op) in item.iter() {
            let method = method.to_uppercase();
            let id = op.operation_id.clone().ok_or_else(|| {
                format!("{method} {template} has no operationId: cases and drivers name operations by it")
            })?;
            let in_path_or_query = item.parameters.iter().chain(&op.parameters).all(|p| {
                matches!(
                    parameter(document, p),
                    Some(Parameter::Path { .. } | Parameter::Query { .. })
                )
            });
            let json_200 = op
                .responses
                .responses
                .get(&StatusCode::Code(200))
                .and_then(|r| match r {
                    ReferenceOr::Item(r) => Some(r),
                    ReferenceOr::Reference { reference } => document
                        .components
                        .as_ref()?
                        .responses
                        .get(reference.strip_prefix("#/components/responses/")?)?
                        .as_item(),
                })
                .is_some_and(|r| r.content.keys().any(|m| m.starts_with("application/json")));
            found.push(Operation {
                simple_get: method == "GET"
                    && op.request_body.is_none()
                    && in_path_or_query
                    && json_200,
                id,
                method,
                template: template.clone(),
            });
        }
    }
    Ok(found)
}

/// A parameter, or the component parameter it refers to.
fn parameter<'a>(document: &'a OpenAPI, p: &'a ReferenceOr<Parameter>) -> Option<&'a Parameter> {
    match p {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { reference } => document
            .components
            .as_ref()?
            .parameters
            .get(reference.strip_prefix("#/components/parameters/")?)?
            .as_item(),
    }
}

/// Where cases are added, for messages.
pub const CASES_FILE: &str = "xtask/src/spec/cases.rs";

/// What is wrong between the document's operations and the cases'
/// operations: one line per operation without a case, and per case whose
/// operation the document lacks.
pub fn problems(document: &[Operation], cases: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for op in document {
        if !cases.contains(&op.id.as_str()) {
            found.push(format!(
                "{} ({} {}) has no case: add one to cases() in {CASES_FILE}",
                op.id, op.method, op.template
            ));
        }
    }
    for case in cases {
        if !document.iter().any(|op| op.id == *case) {
            found.push(format!(
                "{case} has a case but is not an operation of the document: remove the case from cases() in {CASES_FILE}"
            ));
        }
    }
    found
}

/// The report lines of the comparison: one PASS line, or a FAIL line per
/// problem, each naming its operation.
pub fn check(document: &Result<Vec<Operation>, String>) -> Vec<(String, Result<String, String>)> {
    let document = match document {
        Ok(ops) => ops,
        Err(why) => {
            return vec![(
                "cases: the document's operations could not be read".into(),
                Err(why.clone()),
            )];
        }
    };
    let cases = super::cases::operations();
    let found = problems(document, &cases);
    if found.is_empty() {
        let ids: Vec<&str> = document.iter().map(|op| op.id.as_str()).collect();
        return vec![(
            format!("cases: every operation of the document has a case ({CASES_FILE})"),
            Ok(format!("NOTE: {}", ids.join(", "))),
        )];
    }
    found
        .into_iter()
        .map(|line| {
            (
                format!("cases: {line}"),
                Err("every operation of the document needs a case, and every driver a way to call it".into()),
            )
        })
        .collect()
}

/// The operations a driver must have a way to call: the document's, then
/// any other the cases name, once each.
pub fn needed<'a>(document: &'a [Operation], cases: &[&'a str]) -> Vec<&'a str> {
    let mut found: Vec<&str> = document.iter().map(|op| op.id.as_str()).collect();
    for case in cases {
        if !found.contains(case) {
            found.push(case);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::cases;

    const REAL: &str = include_str!("../../../openapi/secmaster.yaml");

    fn read_text(text: &str) -> Vec<Operation> {
        operations(&secmaster_codegen::parse_document(text, "test").unwrap()).unwrap()
    }

    /// The real document with one more operation, a simple JSON GET, first.
    fn with_extra_operation() -> String {
        let added = "paths:
  /v1/{project_id}/extra-things:
    get:
      operationId: list_extra_things
      parameters:
        - $ref: \"#/components/parameters/project_id\"
      responses:
        \"200\":
          description: The things.
          content:
            application/json:
              schema:
                type: object
";
        assert!(REAL.contains("\npaths:\n"));
        REAL.replacen("\npaths:\n", &format!("\n{added}"), 1)
    }

    #[test]
    fn the_real_document_and_todays_cases_agree() {
        let document = read_text(REAL);
        assert_eq!(
            problems(&document, &cases::operations()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn an_operation_without_a_case_fails_naming_it() {
        let document = read_text(&with_extra_operation());
        let found = problems(&document, &cases::operations());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .starts_with("list_extra_things (GET /v1/{project_id}/extra-things) has no case")
                && found[0].contains(CASES_FILE),
            "{found:?}"
        );
    }

    #[test]
    fn a_case_for_an_operation_the_document_lacks_fails_naming_it() {
        let document = read_text(REAL);
        let mut ops = cases::operations();
        ops.push("list_extra_things");
        let found = problems(&document, &ops);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("list_extra_things has a case but is not an operation"),
            "{found:?}"
        );
    }

    #[test]
    fn the_check_reports_a_fail_line_per_problem() {
        let lines = check(&Ok(read_text(&with_extra_operation())));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].0.contains("list_extra_things") && lines[0].1.is_err());
        let lines = check(&Ok(read_text(REAL)));
        assert_eq!(lines.len(), 1);
        assert!(lines[0].1.is_ok());
        assert!(check(&Err("unreadable".into()))[0].1.is_err());
    }

    #[test]
    fn simple_gets_are_the_json_gets_with_path_and_query_parameters() {
        let document = read_text(&with_extra_operation());
        let simple = |id: &str| document.iter().find(|op| op.id == id).unwrap().simple_get;
        assert!(simple("list_extra_things"));
        assert!(simple("list_workflows"));
        assert!(simple("show_workflow"));
        assert!(!simple("import_workflows"));
        assert!(!simple("export_workflows"));
    }

    #[test]
    fn a_header_parameter_makes_a_get_not_simple() {
        let text = with_extra_operation().replacen(
            "        - $ref: \"#/components/parameters/project_id\"\n      responses:",
            "        - $ref: \"#/components/parameters/project_id\"\n        - name: X-Extra\n          in: header\n          schema:\n            type: string\n      responses:",
            1,
        );
        assert!(!read_text(&text)[0].simple_get);
    }

    #[test]
    fn an_operation_without_an_id_is_refused() {
        let text = with_extra_operation().replacen("      operationId: list_extra_things\n", "", 1);
        let err = operations(&secmaster_codegen::parse_document(&text, "test").unwrap())
            .err()
            .unwrap();
        assert!(
            err.starts_with("GET /v1/{project_id}/extra-things has no operationId"),
            "{err}"
        );
    }

    #[test]
    fn needed_is_the_documents_operations_then_the_cases_others() {
        let document = read_text(REAL);
        let mut want: Vec<&str> = document.iter().map(|op| op.id.as_str()).collect();
        want.push("list_extra_things");
        assert_eq!(
            needed(&document, &["show_workflow", "list_extra_things"]),
            want
        );
    }
}
