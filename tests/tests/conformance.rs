//! The document says what the API reference says, both ways.

use secmaster_tests::conformance::{Facts, check, load_facts, parse};
use secmaster_tests::support::load_document_text;
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
    // The path parameters are shared components.
    let problems = mutated(|y| {
        y["components"]["parameters"]["project_id"]["schema"]["type"] = "integer".into()
    });
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
        // The gateway responses are shared components.
        y["components"]["responses"]["Unauthorized"]["x-source"] = " ".into();
    });
    assert_caught(&problems, "response 401 is not in the API reference");
}

// ---------------------------------------------------------------------------
// Every operation has facts, and every fact an operation.

const LIST: &str = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows";
const SHOW: &str = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/{workflow_id}";
const IMPORT: &str = "/v1/{project_id}/workspaces/{workspace_id}/soc/workflows/import";

/// Moves the operation at `path` from one method to another.
fn change_method(y: &mut Yaml, path: &str, from: &str, to: &str) {
    let item = y["paths"][path].as_mapping_mut().unwrap();
    let op = item.remove(from).unwrap();
    item.insert(to.into(), op);
}

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

// ---------------------------------------------------------------------------
// list_workflows

fn list_param<'a>(y: &'a mut Yaml, name: &str) -> &'a mut Yaml {
    y["paths"][LIST]["get"]["parameters"]
        .as_sequence_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"].as_str() == Some(name))
        .unwrap()
}

#[test]
fn list_a_renamed_query_parameter_is_caught() {
    let problems = mutated(|y| list_param(y, "order")["name"] = "sort_order".into());
    assert_caught(
        &problems,
        "list_workflows: query parameter order is missing",
    );
    assert_caught(
        &problems,
        "list_workflows: parameter sort_order (\"query\") is not in the API reference",
    );
}

#[test]
fn list_a_wrong_method_is_caught() {
    let problems = mutated(|y| change_method(y, LIST, "get", "post"));
    assert_caught(
        &problems,
        "list_workflows: documented operation GET /v1/{project_id}/workspaces/{workspace_id}/soc/workflows (list_workflows) is missing",
    );
    assert_caught(
        &problems,
        "operation post /v1/{project_id}/workspaces/{workspace_id}/soc/workflows (list_workflows): the reference has GET",
    );
}

#[test]
fn list_a_dropped_required_parameter_is_caught() {
    let problems = mutated(|y| {
        y["paths"][LIST]["get"]["parameters"]
            .as_sequence_mut()
            .unwrap()
            .remove(1);
    });
    assert_caught(
        &problems,
        "list_workflows: path parameter workspace_id is missing",
    );
}

#[test]
fn list_a_wrong_enum_value_is_caught() {
    let problems = mutated(|y| list_param(y, "order")["schema"]["enum"][0] = "asc".into());
    assert_caught(
        &problems,
        "list_workflows: query parameter order: values should be [\"ASC\", \"DESC\"], found [\"asc\", \"DESC\"]",
    );
}

#[test]
fn list_ranges_and_defaults_are_checked() {
    let problems = mutated(|y| {
        list_param(y, "offset")["schema"]["maximum"] = 999_999_999.into();
        list_param(y, "limit")["schema"]
            .as_mapping_mut()
            .unwrap()
            .remove("default");
        list_param(y, "enabled")["schema"]["type"] = "string".into();
        list_param(y, "name")["required"] = true.into();
    });
    assert_caught(
        &problems,
        "list_workflows: query parameter offset: maximum should be 10000, found 999999999",
    );
    assert_caught(
        &problems,
        "list_workflows: query parameter limit: default should be 10, found absent",
    );
    assert_caught(
        &problems,
        "list_workflows: query parameter enabled: type should be Boolean",
    );
    assert_caught(
        &problems,
        "list_workflows: query parameter name: required should be false",
    );
}

#[test]
fn list_response_fields_are_checked_inside_the_array() {
    let problems = mutated(|y| {
        let props = y["components"]["schemas"]["AopWorkflowInfo"]["properties"]
            .as_mapping_mut()
            .unwrap();
        props.remove("owner_id");
        props["enabled"]["type"] = "string".into();
        props.insert(
            "undocumented".into(),
            serde_yaml::from_str("{type: string}").unwrap(),
        );
        y["components"]["schemas"]["ListWorkflowsResponse"]["properties"]["size"]
            .as_mapping_mut()
            .unwrap()
            .remove("x-source");
    });
    assert_caught(
        &problems,
        "list_workflows: response 200 body: field data[]: field owner_id is missing",
    );
    assert_caught(
        &problems,
        "list_workflows: response 200 body: field data[]: field enabled: type should be Boolean",
    );
    assert_caught(
        &problems,
        "list_workflows: response 200 body: field data[]: field undocumented is not in the API reference",
    );
    assert_caught(
        &problems,
        "list_workflows: response 200 body: field size is not in the API reference",
    );
}

#[test]
fn list_the_content_type_and_response_header_are_checked() {
    let problems = mutated(|y| {
        let op = y["paths"][LIST]["get"].as_mapping_mut().unwrap();
        op.remove("x-content-type");
        op["responses"]["200"]
            .as_mapping_mut()
            .unwrap()
            .remove("headers");
    });
    assert_caught(
        &problems,
        "list_workflows: x-content-type should be [\"application/json;charset=UTF-8\"]",
    );
    assert_caught(
        &problems,
        "list_workflows: response 200 header X-request-id is missing",
    );
}

// ---------------------------------------------------------------------------
// show_workflow (no query parameters)

#[test]
fn show_a_wrong_method_is_caught() {
    let problems = mutated(|y| change_method(y, SHOW, "get", "delete"));
    assert_caught(
        &problems,
        "show_workflow: documented operation GET /v1/{project_id}/workspaces/{workspace_id}/soc/workflows/{workflow_id} (show_workflow) is missing",
    );
    assert_caught(
        &problems,
        "operation delete /v1/{project_id}/workspaces/{workspace_id}/soc/workflows/{workflow_id} (show_workflow): the reference has GET",
    );
}

#[test]
fn show_a_dropped_required_flag_is_caught() {
    let problems = mutated(|y| y["paths"][SHOW]["get"]["parameters"][2]["required"] = false.into());
    assert_caught(
        &problems,
        "show_workflow: path parameter workflow_id: required should be true",
    );
}

#[test]
fn show_a_wrong_enum_value_is_caught() {
    let problems = mutated(|y| {
        y["components"]["schemas"]["AopWorkflowInfo"]["properties"]["aop_type"]["x-known-values"]
            [0] = "GENERAL".into();
    });
    assert_caught(
        &problems,
        "show_workflow: response 200 body: field data: field aop_type: values should be [\"NORMAL\", \"SURVEY\", \"HEMOSTASIS\", \"EASE\"], found [\"GENERAL\"",
    );
}

#[test]
fn show_a_renamed_response_field_is_caught() {
    let problems = mutated(|y| {
        let props = y["components"]["schemas"]["ShowWorkflowResponse"]["properties"]
            .as_mapping_mut()
            .unwrap();
        let id = props.remove("request_id").unwrap();
        props.insert("requestId".into(), id);
    });
    assert_caught(
        &problems,
        "show_workflow: response 200 body: field request_id is missing",
    );
    assert_caught(
        &problems,
        "show_workflow: response 200 body: field requestId is not in the API reference",
    );
}

// ---------------------------------------------------------------------------
// import_workflows (no query parameters, no enums)

fn import_form(y: &mut Yaml) -> &mut Yaml {
    &mut y["paths"][IMPORT]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
}

#[test]
fn import_a_wrong_method_is_caught() {
    let problems = mutated(|y| change_method(y, IMPORT, "post", "put"));
    assert_caught(
        &problems,
        "import_workflows: documented operation POST /v1/{project_id}/workspaces/{workspace_id}/soc/workflows/import (import_workflows) is missing",
    );
    assert_caught(
        &problems,
        "operation put /v1/{project_id}/workspaces/{workspace_id}/soc/workflows/import (import_workflows): the reference has POST",
    );
}

#[test]
fn import_a_dropped_required_field_is_caught() {
    let problems = mutated(|y| {
        import_form(y).as_mapping_mut().unwrap().remove("required");
    });
    assert_caught(
        &problems,
        "import_workflows: request body: field uploadFile should be required",
    );
}

#[test]
fn import_a_non_file_field_or_another_media_type_is_caught() {
    let problems = mutated(|y| {
        import_form(y)["properties"]["uploadFile"]
            .as_mapping_mut()
            .unwrap()
            .remove("format");
    });
    assert_caught(
        &problems,
        "import_workflows: request body: field uploadFile: type should be File",
    );
    let problems = mutated(|y| {
        let content = y["paths"][IMPORT]["post"]["requestBody"]["content"]
            .as_mapping_mut()
            .unwrap();
        let media = content.remove("multipart/form-data").unwrap();
        content.insert("application/octet-stream".into(), media);
    });
    assert_caught(
        &problems,
        "import_workflows: request body media type multipart/form-data is missing",
    );
    assert_caught(
        &problems,
        "import_workflows: request media type application/octet-stream is not in the API reference",
    );
}

#[test]
fn import_a_renamed_form_field_is_caught() {
    let problems = mutated(|y| {
        let props = import_form(y)["properties"].as_mapping_mut().unwrap();
        let file = props.remove("uploadFile").unwrap();
        props.insert("upload_file".into(), file);
    });
    assert_caught(
        &problems,
        "import_workflows: request body: field uploadFile is missing",
    );
    assert_caught(
        &problems,
        "import_workflows: request body: field upload_file is not in the API reference",
    );
}
