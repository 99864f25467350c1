//! Which workspaces exist: the seeded one, numbered ones, those added
//! through `/_sim/workspaces`, and with `auto_create_workspaces` any a
//! request names; list_workspaces and show_workspace answer from them, and
//! an operation on a workspace that does not exist is refused.

use secmaster_sim::{Simulator, Workspace};
use serde_json::{Value, json};

use crate::support::{PROJECT, WORKSPACE, client, sim, upload, url};

/// Sends `request` for `operation`, checks the answer against the
/// document, returns status and JSON.
pub(crate) async fn answer(
    sim: &Simulator,
    operation: &str,
    request: reqwest::RequestBuilder,
) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = response.bytes().await.unwrap();
    sim.contract()
        .check_response(operation, status, content_type.as_deref(), &body)
        .unwrap_or_else(|e| panic!("{operation}: {e}"));
    (status, serde_json::from_slice(&body).unwrap())
}

fn workspaces_url(sim: &Simulator, project: &str, tail: &str) -> String {
    format!("{}/v1/{project}/workspaces{tail}", sim.base_url())
}

async fn list_workspaces(sim: &Simulator, query: &str) -> (u16, Value) {
    let url = workspaces_url(sim, PROJECT, &format!("?{query}"));
    answer(sim, "list_workspaces", client().get(url)).await
}

fn names(page: &Value) -> Vec<&str> {
    page["workspaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn an_operation_on_a_workspace_that_does_not_exist_is_refused_naming_it() {
    let sim = sim().seed(PROJECT, WORKSPACE, 1).start().await.unwrap();
    let id = sim.workflows(PROJECT, WORKSPACE)[0].id.clone();
    let (content_type, form) = upload(b"{}");
    let export = json!({ "id": [id] }).to_string();
    let requests = [
        ("list_workflows", client().get(url(&sim, "nowhere", ""))),
        (
            "show_workflow",
            client().get(url(&sim, "nowhere", &format!("/{id}"))),
        ),
        (
            "export_workflows",
            client()
                .post(url(&sim, "nowhere", "/export"))
                .header("content-type", "application/json;charset=UTF-8")
                .body(export),
        ),
        (
            "import_workflows",
            client()
                .post(url(&sim, "nowhere", "/import"))
                .header("content-type", content_type)
                .body(form),
        ),
        (
            "show_workspace",
            client().get(workspaces_url(&sim, PROJECT, "/nowhere")),
        ),
    ];
    for (operation, request) in requests {
        let (status, body) = answer(&sim, operation, request).await;
        assert_eq!(status, 403, "{operation}: {body}");
        assert_eq!(body["code"], "SecMaster.20010001", "{operation}");
        assert_eq!(
            body["message"],
            format!("workspace nowhere does not exist in project {PROJECT}"),
            "{operation}"
        );
    }
    // The workspace belongs to its project.
    let other = client().get(format!(
        "{}/v1/other-project/workspaces/{WORKSPACE}/soc/workflows",
        sim.base_url()
    ));
    assert_eq!(answer(&sim, "list_workflows", other).await.0, 403);
    assert!(
        sim.workflows(PROJECT, "nowhere").is_empty(),
        "nothing imported"
    );
}

#[tokio::test]
async fn with_auto_create_any_workspace_exists_from_first_use() {
    let sim = sim()
        .seed(PROJECT, WORKSPACE, 3)
        .auto_create_workspaces(true)
        .start()
        .await
        .unwrap();
    let (status, page) = answer(
        &sim,
        "list_workflows",
        client().get(url(&sim, "never-used", "")),
    )
    .await;
    assert_eq!((status, page["total"].as_u64()), (200, Some(0)));
    // Workspaces stay separate: a workflow of one is not in another.
    let id = &sim.workflows(PROJECT, WORKSPACE)[0].id;
    let show = client().get(url(&sim, "never-used", &format!("/{id}")));
    let (status, body) = answer(&sim, "show_workflow", show).await;
    assert_eq!(
        (status, &body["code"]),
        (400, &json!("SecMaster.Sim.WorkflowNotFound"))
    );
    // And the new one is a workspace like any other.
    let (_, page) = list_workspaces(&sim, "offset=0&limit=10").await;
    assert_eq!(names(&page), [WORKSPACE, "never-used"]);
}

#[tokio::test]
async fn list_workspaces_pages_and_filters_what_exists() {
    let sim = sim().workspaces(PROJECT, 12).start().await.unwrap();
    // The seeded workspace (created first) and twelve numbered ones.
    let (status, page) = list_workspaces(&sim, "offset=0&limit=5").await;
    assert_eq!(status, 200);
    assert_eq!(page["count"], 13);
    assert_eq!(
        names(&page),
        [
            WORKSPACE,
            "workspace-0001",
            "workspace-0002",
            "workspace-0003",
            "workspace-0004"
        ]
    );
    let (_, page) = list_workspaces(&sim, "offset=10&limit=5").await;
    assert_eq!(
        names(&page),
        ["workspace-0010", "workspace-0011", "workspace-0012"]
    );
    assert_eq!(page["count"], 13, "count is every match, not the page");

    let (_, page) = list_workspaces(&sim, "offset=0&limit=100&name=WORKSPACE-001").await;
    assert_eq!(
        (names(&page), &page["count"]),
        (
            vec!["workspace-0010", "workspace-0011", "workspace-0012"],
            &json!(3)
        )
    );
    let wanted = sim.workspaces(PROJECT);
    let ids = format!("{},{}", wanted[2].id, wanted[7].id);
    let (_, page) = list_workspaces(&sim, &format!("offset=0&limit=100&ids={ids}")).await;
    assert_eq!(names(&page), ["workspace-0002", "workspace-0007"]);
    let (_, page) = list_workspaces(&sim, "offset=0&limit=100&is_view=true").await;
    assert_eq!(page["count"], 0);

    // Paging is mandatory, as the reference says.
    let (status, body) = list_workspaces(&sim, "limit=5").await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "query parameter offset is required");
    // Another project has none of them.
    let other = client().get(workspaces_url(&sim, "other-project", "?offset=0&limit=5"));
    assert_eq!(answer(&sim, "list_workspaces", other).await.1["count"], 0);
}

#[tokio::test]
async fn show_workspace_answers_the_workspace() {
    let sim = sim().workspaces(PROJECT, 2).start().await.unwrap();
    let second = sim.workspaces(PROJECT)[2].clone();
    assert_eq!(second.name, "workspace-0002");
    let show = client().get(workspaces_url(&sim, PROJECT, &format!("/{}", second.id)));
    let (status, body) = answer(&sim, "show_workspace", show).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_value::<Workspace>(body["workspace"].clone()).unwrap(),
        second
    );
    // Numbered workspaces take workflows like any other.
    let list = client().get(url(&sim, &second.id, ""));
    assert_eq!(answer(&sim, "list_workflows", list).await.0, 200);
}

#[tokio::test]
async fn the_admin_endpoint_adds_workspaces() {
    let sim = sim().start().await.unwrap();
    let admin = format!("{}/_sim/workspaces", sim.base_url());
    let add = |body: Value| client().post(&admin).json(&body).send();

    let response = add(json!({"project_id": PROJECT, "id": "added", "name": "Added"}))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let added: Workspace = response.json().await.unwrap();
    assert_eq!((added.id.as_str(), added.name.as_str()), ("added", "Added"));
    let list = client().get(url(&sim, "added", ""));
    assert_eq!(answer(&sim, "list_workflows", list).await.0, 200);

    // Without an id, one is made up.
    let response = add(json!({"project_id": PROJECT, "name": "Another"}))
        .await
        .unwrap();
    let another: Workspace = response.json().await.unwrap();
    assert!(!another.id.is_empty());
    assert_eq!(sim.workspaces(PROJECT).len(), 3);

    let refused = [
        (
            json!({"project_id": PROJECT, "id": "added", "name": "Again"}),
            409,
            format!("workspace added already exists in project {PROJECT}"),
        ),
        (
            json!({"project_id": PROJECT}),
            400,
            "name is required".to_owned(),
        ),
        (
            json!({"project_id": PROJECT, "name": "x", "region": "r"}),
            400,
            "unknown key \"region\" (a workspace takes project_id, name, id)".to_owned(),
        ),
    ];
    for (body, status, message) in refused {
        let response = add(body.clone()).await.unwrap();
        assert_eq!(response.status(), status, "{body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(
            (&answer["code"], &answer["message"]),
            (&json!("SIM.Admin"), &json!(message))
        );
    }
    assert_eq!(sim.workspaces(PROJECT).len(), 3);
}
