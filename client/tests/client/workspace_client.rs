//! `client.workspace(..)`: each operation of one workspace, sent for that
//! workspace and project, with the same answers as the typed methods.

use crate::support::{ID, PROJECT, WORKSPACE, aksk_builder, exported_ids, sim, start};
use secmaster_client::{ImportFile, ListAllOptions, ListQuery, SecMasterClient};

/// A second workspace of the project, empty.
const SECOND: &str = "f0e1d2c3-b4a5-4968-8776-655443322110";

fn client(base_url: &str) -> SecMasterClient {
    aksk_builder(base_url).project_id(PROJECT).build().unwrap()
}

#[tokio::test]
async fn a_workspace_client_sends_each_operation_for_its_workspace() {
    let server = start(sim().seed(PROJECT, WORKSPACE, 4).seed(PROJECT, SECOND, 0)).await;
    let client = client(&server.base_url());
    let mut stored: Vec<String> = server
        .workflows(PROJECT, WORKSPACE)
        .into_iter()
        .map(|w| w.id)
        .collect();
    stored.sort();

    let workspace = client.workspace(WORKSPACE);
    assert_eq!(workspace.project_id(), Some(PROJECT));
    assert_eq!(workspace.workspace_id(), WORKSPACE);

    let page = workspace.list(&ListQuery::new().limit(2)).await.unwrap();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.total, Some(stored.len() as i64));
    let all = workspace
        .list_all(&ListQuery::new(), ListAllOptions::default().page_size(2))
        .await
        .unwrap();
    let mut listed: Vec<String> = all.items.into_iter().filter_map(|w| w.id).collect();
    listed.sort();
    assert_eq!(listed, stored);
    let shown = workspace.show(ID).await.unwrap();
    assert_eq!(shown.data.unwrap().id.as_deref(), Some(ID));
    let file = workspace
        .export(&listed)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut exported = exported_ids(&file);
    exported.sort();
    assert_eq!(exported, stored);

    // Another workspace, its project named.
    let second = client.workspace_in(PROJECT, SECOND);
    let imported = second
        .import(&ImportFile::bytes("flows.json", file))
        .await
        .unwrap();
    assert_eq!(imported.success, Some(true));
    assert_eq!(server.workflows(PROJECT, SECOND).len(), stored.len());

    let mut operations = Vec::new();
    for request in server.requests() {
        let operation = request.operation.unwrap_or_default();
        let workspace = match operation.as_str() {
            "import_workflows" => SECOND,
            _ => WORKSPACE,
        };
        let prefix = format!("/v1/{PROJECT}/workspaces/{workspace}/soc/workflows");
        assert!(
            request.path.starts_with(&prefix),
            "{operation}: {}",
            request.path
        );
        operations.push(operation);
    }
    operations.dedup();
    let expected = [
        "list_workflows",
        "show_workflow",
        "export_workflows",
        "import_workflows",
    ];
    assert_eq!(operations, expected);
}

/// A workspace the service does not have is its refusal, as for the typed
/// methods: nothing is made up on the client's side.
#[tokio::test]
async fn a_workspace_that_does_not_exist_is_refused_by_the_service() {
    let server = start(sim()).await;
    let client = client(&server.base_url());
    let missing = client.workspace("00000000-0000-4000-8000-000000000000");
    let error = missing.list(&ListQuery::new()).await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403), "{error}");
    assert_eq!(
        error.api_error().and_then(|e| e.code()),
        Some("SecMaster.20010001")
    );
}
