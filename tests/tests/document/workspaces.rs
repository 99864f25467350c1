//! list_workspaces and show_workspace: mandatory paging typed Number, the
//! workspace object read only in part, and a show page read only as far as
//! its path.

use serde_yaml::Value as Yaml;

use crate::{LIST_WORKSPACES, SHOW_WORKSPACE, assert_caught, mutated};

fn param<'a>(y: &'a mut Yaml, name: &str) -> &'a mut Yaml {
    y["paths"][LIST_WORKSPACES]["get"]["parameters"]
        .as_sequence_mut()
        .unwrap()
        .iter_mut()
        .find(|p| p["name"].as_str() == Some(name))
        .unwrap()
}

fn workspace_field<'a>(y: &'a mut Yaml, name: &str) -> &'a mut Yaml {
    &mut y["components"]["schemas"]["Workspace"]["properties"][name]
}

#[test]
fn workspaces_optional_paging_is_caught() {
    let problems = mutated(|y| param(y, "offset")["required"] = false.into());
    assert_caught(
        &problems,
        "list_workspaces: query parameter offset: required should be true",
    );
}

#[test]
fn workspaces_a_number_narrowed_to_integers_needs_a_source() {
    let problems = mutated(|y| {
        param(y, "limit")["schema"]
            .as_mapping_mut()
            .unwrap()
            .remove("x-source");
    });
    assert_caught(
        &problems,
        "list_workspaces: query parameter limit: type should be Number",
    );
    let problems = mutated(|y| {
        y["components"]["schemas"]["ListWorkspacesResponse"]["properties"]["count"]["type"] =
            "string".into();
    });
    assert_caught(
        &problems,
        "list_workspaces: response 200 body: field count: type should be Number",
    );
}

#[test]
fn workspaces_a_renamed_documented_field_is_caught() {
    let problems = mutated(|y| {
        let properties = &mut y["components"]["schemas"]["Workspace"]["properties"];
        let value = properties
            .as_mapping_mut()
            .unwrap()
            .remove("modifier_name")
            .unwrap();
        properties["modifier"] = value;
    });
    assert_caught(
        &problems,
        "list_workspaces: response 200 body: field workspaces[]: field modifier_name is missing",
    );
    assert_caught(
        &problems,
        "list_workspaces: response 200 body: field workspaces[]: field modifier is not in the API reference",
    );
}

#[test]
fn workspaces_a_field_beyond_the_readable_table_needs_a_source() {
    let problems = mutated(|y| {
        workspace_field(y, "region_id")
            .as_mapping_mut()
            .unwrap()
            .remove("x-source");
    });
    assert_caught(
        &problems,
        "list_workspaces: response 200 body: field workspaces[]: field region_id is not in the API reference and has no x-source",
    );
}

#[test]
fn workspaces_the_unread_show_answer_needs_a_source() {
    let problems = mutated(|y| {
        y["paths"][SHOW_WORKSPACE]["get"]["responses"]["200"]
            .as_mapping_mut()
            .unwrap()
            .remove("x-source");
    });
    assert_caught(
        &problems,
        "show_workspace: response 200 is not in the API reference and has no x-source",
    );
}
