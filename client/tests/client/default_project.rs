//! The builder's project is the default of every operation: a typed method
//! given an empty project, and `execute` and `list_all` given arguments
//! without one, send it (in the path and, signed with an access key, as
//! `X-Project-Id`); a project given is sent as given; with none anywhere,
//! nothing is sent and the error names `project_id`.

use crate::support::{ID, PROJECT, WORKSPACE, aksk_builder, aksk_client, exported_ids, sim, start};
use secmaster_client::{
    Answered, Args, Error, ImportFile, Input, ListAllOptions, ListQuery, WorkspaceQuery, operations,
};
use secmaster_sim::{RequestRecord, Simulator};
use serde_json::Value;

/// A second project, with a workspace of two workflows.
const OTHER_PROJECT: &str = "fedcba9876543210fedcba9876543210";
const OTHER_WORKSPACE: &str = "f0e1d2c3-b4a5-4968-8776-655443322110";

async fn two_projects() -> Simulator {
    start(
        sim()
            .seed(PROJECT, WORKSPACE, 2)
            .seed(OTHER_PROJECT, OTHER_WORKSPACE, 2),
    )
    .await
}

/// The project a request was sent for: its path's and its signature's.
fn projects(request: &RequestRecord) -> (String, Option<String>) {
    let in_path = request
        .path
        .split('/')
        .nth(2)
        .unwrap_or_default()
        .to_owned();
    (in_path, request.header("x-project-id").map(str::to_owned))
}

/// Panics unless every request since `from` went to `project`.
fn all_sent_to(server: &Simulator, from: usize, project: &str) {
    let requests = server.requests();
    assert!(requests.len() > from, "no request was sent");
    for request in &requests[from..] {
        let expected = (project.to_owned(), Some(project.to_owned()));
        assert_eq!(
            projects(request),
            expected,
            "{} {}",
            request.method,
            request.path
        );
        assert_eq!(request.validation, "ok", "{}", request.path);
    }
}

#[tokio::test]
async fn typed_methods_given_an_empty_project_use_the_clients() {
    let server = two_projects().await;
    let client = aksk_builder(&server.base_url())
        .project_id(PROJECT)
        .build()
        .unwrap();
    let stored = server.workflows(PROJECT, WORKSPACE).len();

    let page = client
        .list_workflows("", WORKSPACE, &ListQuery::new())
        .await
        .unwrap();
    assert_eq!(page.total, Some(stored as i64));
    let all = client
        .list_all_workflows("", WORKSPACE, &ListQuery::new(), ListAllOptions::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), stored);
    let shown = client.show_workflow("", WORKSPACE, ID).await.unwrap();
    assert_eq!(shown.data.unwrap().id.as_deref(), Some(ID));
    let file = client
        .export_workflows("", WORKSPACE, &[ID])
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(exported_ids(&file), [ID]);
    let imported = client
        .import_workflows("", WORKSPACE, &ImportFile::bytes("flows.json", file))
        .await
        .unwrap();
    assert_eq!(imported.success, Some(true));
    assert_eq!(server.workflows(PROJECT, WORKSPACE).len(), stored + 1);
    let workspaces = client
        .list_workspaces("", &WorkspaceQuery::new())
        .await
        .unwrap();
    let ids: Vec<_> = workspaces
        .workspaces
        .iter()
        .map(|w| w.id.as_deref())
        .collect();
    assert_eq!(ids, [Some(WORKSPACE)]);
    let all = client
        .list_all_workspaces("", &WorkspaceQuery::new(), ListAllOptions::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 1);
    client.show_workspace("", WORKSPACE).await.unwrap();
    all_sent_to(&server, 0, PROJECT);

    // A project given is sent as given, default or not.
    let sent = server.requests().len();
    let other = client
        .list_workflows(OTHER_PROJECT, OTHER_WORKSPACE, &ListQuery::new())
        .await
        .unwrap();
    assert_eq!(other.total, Some(2));
    all_sent_to(&server, sent, OTHER_PROJECT);
}

#[tokio::test]
async fn execute_and_list_all_fill_a_missing_or_empty_project_from_the_clients() {
    let server = two_projects().await;
    let client = aksk_builder(&server.base_url())
        .project_id(PROJECT)
        .build()
        .unwrap();
    let stored = server.workflows(PROJECT, WORKSPACE).len() as u64;
    let total = |answered: Answered| match answered {
        Answered::Json(page) => page["total"].as_u64(),
        other => panic!("{other:?}"),
    };

    let without = Args::new().set("workspace_id", WORKSPACE);
    let empty = without.clone().set("project_id", "");
    for args in [&without, &empty] {
        let answered = client
            .execute(&operations::LIST_WORKFLOWS, args, Input::None)
            .await
            .unwrap();
        assert_eq!(total(answered), Some(stored), "{args:?}");
    }
    let all = client
        .list_all::<Value>(
            &operations::LIST_WORKFLOWS,
            &without,
            ListAllOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(all.items.len() as u64, stored);
    all_sent_to(&server, 0, PROJECT);

    let sent = server.requests().len();
    let given = Args::new()
        .set("project_id", OTHER_PROJECT)
        .set("workspace_id", OTHER_WORKSPACE);
    let answered = client
        .execute(&operations::LIST_WORKFLOWS, &given, Input::None)
        .await
        .unwrap();
    assert_eq!(total(answered), Some(2));
    all_sent_to(&server, sent, OTHER_PROJECT);
}

#[tokio::test]
async fn with_no_project_anywhere_nothing_is_sent_and_the_error_names_project_id() {
    let server = two_projects().await;
    let client = aksk_client(&server.base_url());
    assert_eq!(client.project_id(), None);
    let refused = |result: Result<(), Error>, operation: &str| match result {
        Err(Error::InvalidInput(message)) => {
            let expected = format!("{operation}: parameter project_id is required");
            assert!(message.starts_with(&expected), "{message}");
            assert!(message.contains("HUAWEICLOUD_SDK_PROJECT_ID"), "{message}");
        }
        other => panic!("{operation}: {other:?}"),
    };

    let listed = client
        .list_workflows("", WORKSPACE, &ListQuery::new())
        .await;
    refused(listed.map(drop), "list_workflows");
    let exported = client.export_workflows("", WORKSPACE, &[ID]).await;
    refused(exported.map(drop), "export_workflows");
    let args = Args::new().set("workspace_id", WORKSPACE);
    let executed = client
        .execute(&operations::LIST_WORKFLOWS, &args, Input::None)
        .await;
    refused(executed.map(drop), "list_workflows");
    let all = client
        .list_all::<Value>(
            &operations::LIST_WORKSPACES,
            &Args::new(),
            ListAllOptions::default(),
        )
        .await;
    refused(all.map(drop), "list_workspaces");
    let workspace = client.workspace(WORKSPACE);
    assert_eq!(workspace.project_id(), None);
    refused(workspace.show(ID).await.map(drop), "show_workflow");
    assert!(server.requests().is_empty(), "refused, yet sent");
}

#[test]
fn a_default_project_that_cannot_be_sent_is_refused_when_building() {
    for bad in ["", ".", ".."] {
        let built = aksk_builder("http://127.0.0.1:9").project_id(bad).build();
        match built {
            Err(Error::Config(message)) => {
                assert!(
                    message.starts_with("the default project: project_id"),
                    "{message}"
                );
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}
