//! Bad input to the generator gives an error that names the file and the
//! problem, never a panic or partial output.

use secmaster_codegen::{CodegenError, generate, generate_from_str};
use secmaster_tests::load_document_text;

const NAME: &str = "openapi/secmaster.yaml";

fn error_of(text: &str) -> CodegenError {
    generate_from_str(text, NAME).expect_err("generation must fail")
}

#[test]
fn a_missing_file_is_named() {
    let err = generate(std::path::Path::new("/nonexistent/secmaster.yaml"), NAME).unwrap_err();
    assert!(matches!(err, CodegenError::Read { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("openapi/secmaster.yaml: cannot read:"),
        "{err}"
    );
}

#[test]
fn a_yaml_syntax_error_has_line_and_column() {
    let text = "openapi: 3.0.3\ninfo:\n  title: x\n  version: [unclosed\n";
    let err = error_of(text);
    let CodegenError::Yaml {
        line: Some(line),
        column: Some(_),
        ..
    } = &err
    else {
        panic!("expected a located YAML error, got {err:?}");
    };
    assert!(*line >= 4, "line {line}");
    assert!(
        err.to_string()
            .starts_with(&format!("openapi/secmaster.yaml:{line}:")),
        "{err}"
    );
}

#[test]
fn openapi_3_1_and_swagger_2_are_refused() {
    let err = error_of(&load_document_text().replace("openapi: 3.0.3", "openapi: 3.1.0"));
    assert!(
        err.to_string()
            .contains("not an OpenAPI 3.0.x document (openapi: 3.1.0)"),
        "{err}"
    );
    let err = error_of("swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n");
    assert!(
        err.to_string().contains("no `openapi: 3.0.x` field"),
        "{err}"
    );
}

#[test]
fn a_structural_error_is_located() {
    // `paths` must be a mapping.
    let text = load_document_text().replace("paths:\n", "paths: 7\nunused:\n");
    let err = error_of(&text);
    assert!(matches!(err, CodegenError::Yaml { .. }), "{err:?}");
    assert!(err.to_string().starts_with(NAME), "{err}");
}

#[test]
fn a_missing_operation_id_is_refused() {
    let err = error_of(&load_document_text().replace("operationId: export_workflows", ""));
    assert!(matches!(err, CodegenError::Generate { .. }), "{err:?}");
    assert!(err.to_string().contains("missing operation ID"), "{err}");
}

#[test]
fn an_operation_progenitor_cannot_generate_is_an_error_not_a_panic() {
    // Error responses with different schemas make progenitor assert.
    let text = load_document_text().replace(
        "        \"429\":\n",
        "        \"500\":\n          description: plain text\n          content:\n            text/plain:\n              schema:\n                type: string\n        \"429\":\n",
    );
    let err = error_of(&text);
    assert!(matches!(err, CodegenError::Generate { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("openapi/secmaster.yaml: cannot generate the client"),
        "{err}"
    );
}
