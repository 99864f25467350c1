//! list_workflows: query parameters, their ranges and defaults, and the
//! fields inside the listed array.

use serde_yaml::Value as Yaml;

use crate::{LIST, assert_caught, change_method, mutated};

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
