//! export_workflows, and what the operations share: components, security,
//! servers and the x-source of additions.

use serde_yaml::Value as Yaml;

use crate::{EXPORT, assert_caught, change_method, mutated, rename};

fn op(yaml: &mut Yaml) -> &mut Yaml {
    &mut yaml["paths"][EXPORT]["post"]
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
        rename(
            &mut y["components"]["schemas"]["ErrorBody"]["properties"],
            "code",
            "error",
        );
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
        rename(
            &mut op(y)["requestBody"]["content"],
            "application/json;charset=UTF-8",
            "application/json",
        );
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
        rename(
            &mut y["paths"],
            EXPORT,
            "/v1/{project_id}/workspaces/{workspace_id}/soc/workflow/export",
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
    let problems = mutated(|y| change_method(y, EXPORT, "post", "put"));
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
