//! The store's budget: what requests add (imports, workspaces made on
//! first use or through `/_sim/workspaces`) is refused whole past it, so
//! that memory stays bounded in bytes whatever the requests.

use secmaster_sim::workflow::seeded;
use secmaster_sim::{EXPORT_FORMAT, ExportFile, Workflow};
use serde_json::{Value, json};

use crate::support::{PROJECT, WORKSPACE, client, sim, upload, url};
use crate::workspaces::answer;

/// A small budget: the seeded workspace and its ten workflows take some
/// 19 kB of it.
const BUDGET: u64 = 64 << 10;

fn file(workflows: Vec<Workflow>) -> Vec<u8> {
    let file = ExportFile {
        format: EXPORT_FORMAT.to_owned(),
        workflows,
    };
    serde_json::to_vec(&file).unwrap()
}

async fn import(sim: &secmaster_sim::Simulator, bytes: &[u8]) -> (u16, Value) {
    let (content_type, form) = upload(bytes);
    let request = client()
        .post(url(sim, WORKSPACE, "/import"))
        .header("content-type", content_type)
        .body(form);
    answer(sim, "import_workflows", request).await
}

#[tokio::test]
async fn an_import_past_the_store_budget_is_refused_whole() {
    let sim = sim()
        .seed(PROJECT, WORKSPACE, 10)
        .max_store_bytes(BUDGET)
        .start()
        .await
        .unwrap();
    let before = sim.store_bytes();
    assert!(before > 10_000 && before < BUDGET / 2, "{before}");
    // 50 workflows (some 87 kB as counted) do not fit in what is left ...
    let many = (1..=50).map(|i| seeded("p", "w", i)).collect();
    let (status, body) = import(&sim, &file(many)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "SecMaster.Sim.StoreFull");
    let message = body["message"].as_str().unwrap();
    for named in ["cannot import 50 workflows", "65536", "--max-store-bytes"] {
        assert!(message.contains(named), "{named} not in {message}");
    }
    assert_eq!(sim.workflows(PROJECT, WORKSPACE).len(), 10, "nothing added");
    assert_eq!(sim.store_bytes(), before);
    // ... nor does one workflow with 100 kB of text ...
    let mut big = seeded("p", "w", 1);
    big.description = "x".repeat(100_000);
    assert_eq!(import(&sim, &file(vec![big])).await.0, 400);
    assert_eq!(sim.workflows(PROJECT, WORKSPACE).len(), 10);
    // ... while five do, and count.
    let few = (1..=5).map(|i| seeded("p", "w", i)).collect();
    let (status, body) = import(&sim, &file(few)).await;
    assert_eq!(
        (status, &body["message"]),
        (200, &json!("imported 5 workflows"))
    );
    assert_eq!(sim.workflows(PROJECT, WORKSPACE).len(), 15);
    assert!(sim.store_bytes() > before && sim.store_bytes() <= BUDGET);
}

#[tokio::test]
async fn workspaces_made_on_first_use_stop_at_the_budget() {
    let sim = sim()
        .auto_create_workspaces(true)
        .max_store_bytes(8 << 10)
        .start()
        .await
        .unwrap();
    let mut refused = None;
    for i in 0..20 {
        let request = client().get(url(&sim, &format!("made-{i}"), ""));
        let (status, body) = answer(&sim, "list_workflows", request).await;
        if status != 200 {
            refused = Some((i, status, body));
            break;
        }
    }
    let (i, status, body) = refused.expect("refused before 20 workspaces");
    assert!(i >= 2, "only {i} workspaces were made");
    assert_eq!((status, &body["code"]), (403, &json!("SecMaster.20010001")));
    let message = body["message"].as_str().unwrap();
    for named in [
        &format!("workspace made-{i} does not exist"),
        "cannot be made",
        "8192",
        "--max-store-bytes",
    ] {
        assert!(message.contains(named), "{named} not in {message}");
    }
    assert_eq!(
        sim.workspaces(PROJECT).len(),
        i + 1,
        "the seeded one and {i} made"
    );
    assert!(sim.store_bytes() <= 8 << 10);
    // One that exists is still served.
    let request = client().get(url(&sim, "made-0", ""));
    assert_eq!(answer(&sim, "list_workflows", request).await.0, 200);
}

#[tokio::test]
async fn the_admin_endpoint_adds_no_workspace_past_the_budget() {
    let sim = sim().max_store_bytes(8 << 10).start().await.unwrap();
    let mut statuses = Vec::new();
    let mut last = Value::Null;
    for i in 0..20 {
        let response = client()
            .post(format!("{}/_sim/workspaces", sim.base_url()))
            .body(json!({"project_id": PROJECT, "name": format!("n{i}")}).to_string())
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        last = response.json().await.unwrap();
    }
    let added = statuses.iter().filter(|s| **s == 200).count();
    assert!((2..20).contains(&added), "{statuses:?}");
    assert!(statuses[added..].iter().all(|s| *s == 400), "{statuses:?}");
    assert_eq!(last["code"], "SIM.Admin");
    let message = last["message"].as_str().unwrap();
    assert!(
        message.contains("8192") && message.contains("--max-store-bytes"),
        "{message}"
    );
    assert_eq!(sim.workspaces(PROJECT).len(), added + 1);
}

#[tokio::test]
async fn a_seed_past_the_budget_does_not_start() {
    let refused = sim()
        .seed(PROJECT, WORKSPACE, 10)
        .max_store_bytes(4 << 10)
        .start()
        .await
        .err()
        .expect("refused");
    assert!(
        refused.0.contains("do not fit") && refused.0.contains("--max-store-bytes"),
        "{refused}"
    );
}
