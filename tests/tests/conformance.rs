//! The document says what the API reference says, both ways.

use secmaster_tests::conformance::{Facts, check, load_document_text, load_facts, parse};
use serde_yaml::Value as Yaml;

fn problems_of(text: &str, facts: &Facts) -> Vec<String> {
    let doc = parse(text).expect("the document parses");
    check(&doc, facts)
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

/// Applies `mutate` to the document's YAML and returns the checker's findings.
fn mutated(mutate: impl FnOnce(&mut Yaml)) -> Vec<String> {
    let mut yaml: Yaml = serde_yaml::from_str(&load_document_text()).unwrap();
    mutate(&mut yaml);
    problems_of(&serde_yaml::to_string(&yaml).unwrap(), &load_facts())
}

const PATH: &str = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/export";

fn op(yaml: &mut Yaml) -> &mut Yaml {
    &mut yaml["paths"][PATH]["post"]
}

fn assert_caught(problems: &[String], expected: &str) {
    assert!(
        problems.iter().any(|p| p.contains(expected)),
        "expected a finding containing {expected:?}, got {problems:#?}"
    );
}

#[test]
fn dropping_a_parameter_is_caught() {
    let problems = mutated(|y| {
        op(y)["parameters"].as_sequence_mut().unwrap().remove(1);
    });
    assert_caught(&problems, "path parameter workspace_id is missing");
}

#[test]
fn making_a_parameter_optional_or_numeric_is_caught() {
    let problems = mutated(|y| op(y)["parameters"][0]["schema"]["type"] = "integer".into());
    assert_caught(
        &problems,
        "path parameter project_id: type should be String",
    );
}

#[test]
fn renaming_code_is_caught() {
    let problems = mutated(|y| {
        let props = y["components"]["schemas"]["ErrorBody"]["properties"]
            .as_mapping_mut()
            .unwrap();
        let code = props.remove("code").unwrap();
        props.insert("error".into(), code);
    });
    assert_caught(&problems, "response 400 body: field code is missing");
    assert_caught(
        &problems,
        "response 400 body: field error is not in the API reference",
    );
}

#[test]
fn making_id_optional_is_caught() {
    let problems = mutated(|y| {
        y["components"]["schemas"]["ExportWorkflowsRequest"]
            .as_mapping_mut()
            .unwrap()
            .remove("required");
    });
    assert_caught(&problems, "request body: field id should be required");
}

#[test]
fn changing_id_to_a_string_is_caught() {
    let problems = mutated(|y| {
        y["components"]["schemas"]["ExportWorkflowsRequest"]["properties"]["id"] =
            serde_yaml::from_str("{type: string}").unwrap();
    });
    assert_caught(
        &problems,
        "request body: field id: type should be Array of strings",
    );
}

#[test]
fn changing_the_media_type_is_caught() {
    let problems = mutated(|y| {
        let content = op(y)["requestBody"]["content"].as_mapping_mut().unwrap();
        let media = content.remove("application/json;charset=UTF-8").unwrap();
        content.insert("application/json".into(), media);
    });
    assert_caught(
        &problems,
        "request body media type application/json;charset=UTF-8 (the documented content-type) is missing",
    );
    assert_caught(
        &problems,
        "request media type application/json is not in the API reference",
    );
}

#[test]
fn changing_the_path_is_caught() {
    let problems = mutated(|y| {
        let paths = y["paths"].as_mapping_mut().unwrap();
        let item = paths.remove(PATH).unwrap();
        paths.insert(
            "/v1/{project_id}/workspaces/{workspace_id}/soc/workflow/export".into(),
            item,
        );
    });
    assert_caught(&problems, "documented operation POST");
    assert_caught(
        &problems,
        "path /v1/{project_id}/workspaces/{workspace_id}/soc/workflow/export is not in the API reference",
    );
}

#[test]
fn changing_the_method_is_caught() {
    let problems = mutated(|y| {
        let item = y["paths"][PATH].as_mapping_mut().unwrap();
        let post = item.remove("post").unwrap();
        item.insert("put".into(), post);
    });
    assert_caught(&problems, "documented operation POST");
    assert_caught(&problems, "operation put");
}

#[test]
fn dropping_the_token_requirement_is_caught() {
    let problems = mutated(|y| {
        y["security"].as_sequence_mut().unwrap().remove(0);
    });
    assert_caught(
        &problems,
        "header X-Auth-Token: security scheme token is not required",
    );
}

#[test]
fn dropping_the_400_or_its_field_type_is_caught() {
    let problems = mutated(|y| {
        op(y)["responses"].as_mapping_mut().unwrap().remove("400");
    });
    assert_caught(&problems, "response 400 is missing");
    let problems = mutated(|y| {
        y["components"]["schemas"]["ErrorBody"]["properties"]["message"]["type"] = "integer".into();
    });
    assert_caught(
        &problems,
        "response 400 body: field message: type should be String",
    );
}

#[test]
fn a_non_binary_200_is_caught() {
    let problems = mutated(|y| {
        op(y)["responses"]["200"]["content"]["application/octet-stream"]["schema"] =
            serde_yaml::from_str("{type: object}").unwrap();
    });
    assert_caught(&problems, "response 200: body should be a file");
}

#[test]
fn a_changed_example_is_caught() {
    let problems = mutated(|y| {
        op(y)["requestBody"]["content"]["application/json;charset=UTF-8"]["example"]["id"][0] =
            "another-id".into();
    });
    assert_caught(&problems, "request body example should be");
}

#[test]
fn undocumented_additions_without_a_source_are_caught() {
    let problems = mutated(|y| {
        op(y)["parameters"].as_sequence_mut().unwrap().push(
            serde_yaml::from_str("{name: limit, in: query, schema: {type: integer}}").unwrap(),
        );
        op(y)["responses"]["500"] = serde_yaml::from_str("{description: oops}").unwrap();
        let props = y["components"]["schemas"]["ExportWorkflowsRequest"]["properties"]
            .as_mapping_mut()
            .unwrap();
        props.insert(
            "format".into(),
            serde_yaml::from_str("{type: string}").unwrap(),
        );
        y["components"]["securitySchemes"]["aksk"]
            .as_mapping_mut()
            .unwrap()
            .remove("x-source");
        y["servers"][0].as_mapping_mut().unwrap().remove("x-source");
    });
    assert_caught(
        &problems,
        "parameter limit (\"query\") is not in the API reference",
    );
    assert_caught(&problems, "response 500 is not in the API reference");
    assert_caught(
        &problems,
        "request body: field format is not in the API reference",
    );
    assert_caught(
        &problems,
        "security scheme aksk is not in the API reference",
    );
    assert_caught(&problems, "servers[0] is not in the API reference");
}

#[test]
fn an_empty_source_does_not_count() {
    let problems = mutated(|y| {
        op(y)["responses"]["401"]["x-source"] = " ".into();
    });
    assert_caught(&problems, "response 401 is not in the API reference");
}
