//! show_workflow (no query parameters).

use crate::{SHOW, assert_caught, change_method, mutated, rename};

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
        rename(
            &mut y["components"]["schemas"]["ShowWorkflowResponse"]["properties"],
            "request_id",
            "requestId",
        );
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
