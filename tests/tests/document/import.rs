//! import_workflows (no query parameters, no enums): a multipart form.

use serde_yaml::Value as Yaml;

use crate::{IMPORT, assert_caught, change_method, mutated, rename};

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
        rename(
            &mut y["paths"][IMPORT]["post"]["requestBody"]["content"],
            "multipart/form-data",
            "application/octet-stream",
        );
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
        rename(
            &mut import_form(y)["properties"],
            "uploadFile",
            "upload_file",
        );
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
