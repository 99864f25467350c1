//! What list and show answer, and what no operation answers. (Which
//! workspaces exist: `workspaces`; operations without behaviour of their
//! own: `from_document`.)

use std::collections::HashSet;

use crate::support::{PROJECT, TEST_DOCUMENT, WORKSPACE, client, document, sim, url};
use secmaster_sim::{Simulator, Workflow};
use serde_json::Value;

/// GETs `url`, checks the answer against the document, returns status and JSON.
async fn get(sim: &Simulator, operation: &str, url: &str) -> (u16, Value) {
    let response = client().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let request_id = response
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.bytes().await.unwrap();
    sim.contract()
        .check_response(operation, status, content_type.as_deref(), &body)
        .unwrap_or_else(|e| panic!("{url}: {e}"));
    let json: Value = serde_json::from_slice(&body).unwrap();
    if status == 200 {
        assert_eq!(
            json["request_id"],
            request_id.as_str(),
            "the body repeats X-Request-Id"
        );
    }
    (status, json)
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn list_pages_through_every_workflow_newest_first() {
    let sim = sim().seed(PROJECT, WORKSPACE, 25).start().await.unwrap();
    let (status, first) = get(&sim, "list_workflows", &url(&sim, WORKSPACE, "")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            first["total"].as_u64(),
            first["offset"].as_u64(),
            first["limit"].as_u64()
        ),
        (Some(25), Some(0), Some(10))
    );
    assert_eq!(
        (first["size"].as_u64(), first["page"].as_u64()),
        (Some(10), Some(3))
    );
    assert_eq!(
        (first["success"].as_bool(), first["code"].as_str()),
        (Some(true), Some("00000000"))
    );
    assert_eq!(
        first["data"][0]["name"], "workflow-0025",
        "default: create_time, DESC"
    );

    let mut seen = Vec::new();
    for offset in [0, 10, 20, 30] {
        let (_, page) = get(
            &sim,
            "list_workflows",
            &url(&sim, WORKSPACE, &format!("?offset={offset}&limit=10")),
        )
        .await;
        seen.extend(ids(&page));
    }
    let all: HashSet<String> = sim
        .workflows(PROJECT, WORKSPACE)
        .into_iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(seen.len(), 25, "pages do not overlap");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), all);

    let (_, by_update) = get(
        &sim,
        "list_workflows",
        &url(&sim, WORKSPACE, "?order=ASC&sortby=update_time&limit=100"),
    )
    .await;
    let times: Vec<&str> = by_update["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["update_time"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    let names: Vec<&str> = by_update["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_ne!(
        names.first(),
        Some(&"workflow-0001"),
        "update order is not create order"
    );
}

#[tokio::test]
async fn list_filters_combine_substring_and_exact_matches() {
    let sim = sim().seed(PROJECT, WORKSPACE, 40).start().await.unwrap();
    let all = sim.workflows(PROJECT, WORKSPACE);
    let count = |f: &dyn Fn(&Workflow) -> bool| all.iter().filter(|w| f(w)).count() as u64;
    let first = all[0].clone();
    let cases: Vec<(String, u64)> = vec![
        ("name=WORKFLOW-001".into(), 10),
        (
            "description=hemostasis".into(),
            count(&|w| w.aop_type == "HEMOSTASIS"),
        ),
        ("enabled=true".into(), count(&|w| w.enabled)),
        ("enabled=false".into(), count(&|w| !w.enabled)),
        ("aop_type=EASE".into(), count(&|w| w.aop_type == "EASE")),
        (
            "dataclass_name=Alert".into(),
            count(&|w| w.dataclass_name == "Alert"),
        ),
        ("dataclass_name=alert".into(), 0),
        (
            format!("dataclass_id={}", first.dataclass_id),
            count(&|w| w.dataclass_id == first.dataclass_id),
        ),
        (
            "aop_type=SURVEY&enabled=true".into(),
            count(&|w| w.aop_type == "SURVEY" && w.enabled),
        ),
        ("name=nothing-like-this".into(), 0),
    ];
    for (query, expected) in cases {
        let (status, page) = get(
            &sim,
            "list_workflows",
            &url(&sim, WORKSPACE, &format!("?limit=100&{query}")),
        )
        .await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(page["total"].as_u64(), Some(expected), "{query}");
        assert_eq!(page["size"].as_u64(), Some(expected), "{query}");
    }

    // Names with spaces and reserved characters, sent as the SDK (%20) and
    // as form encoders (+) send them.
    sim.insert_workflow(Workflow {
        id: "odd-1".into(),
        name: "my wf/é&x".into(),
        ..first
    });
    for query in ["name=my%20wf%2F%C3%A9%26x", "name=my+wf", "name=MY%20WF"] {
        let (_, page) = get(
            &sim,
            "list_workflows",
            &url(&sim, WORKSPACE, &format!("?{query}")),
        )
        .await;
        assert_eq!(ids(&page), ["odd-1"], "{query}");
    }
}

#[tokio::test]
async fn show_answers_one_workflow_or_the_documented_error() {
    let sim = sim().seed(PROJECT, WORKSPACE, 3).start().await.unwrap();
    let workflow = sim.workflows(PROJECT, WORKSPACE)[1].clone();
    let (status, body) = get(
        &sim,
        "show_workflow",
        &url(&sim, WORKSPACE, &format!("/{}", workflow.id)),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_value::<Workflow>(body["data"].clone()).unwrap(),
        workflow
    );
    assert_eq!(body["success"], true);

    // 404 when the document lists one for the operation, 400 otherwise.
    let (status, body) = get(&sim, "show_workflow", &url(&sim, WORKSPACE, "/no-such-id")).await;
    let expected = if sim
        .contract()
        .operation("show_workflow")
        .unwrap()
        .statuses
        .contains(&404)
    {
        404
    } else {
        400
    };
    assert_eq!(status, expected);
    assert_eq!(body["code"], "SecMaster.Sim.WorkflowNotFound");
    assert!(
        body["message"].as_str().unwrap().contains("no-such-id"),
        "{body}"
    );

    let own = Simulator::builder()
        .document(TEST_DOCUMENT)
        .seed(PROJECT, WORKSPACE, 0)
        .start()
        .await
        .unwrap();
    let (status, _) = get(&own, "show_workflow", &url(&own, WORKSPACE, "/no-such-id")).await;
    assert_eq!(status, 404, "the test document documents a 404");
}

#[tokio::test]
async fn an_undocumented_path_or_method_is_a_404_naming_it() {
    let sim = sim().start().await.unwrap();
    for (method, tail) in [("GET", "/x/y"), ("DELETE", "/export"), ("PUT", "")] {
        let response = client()
            .request(method.parse().unwrap(), url(&sim, WORKSPACE, tail))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404);
        assert!(response.headers().contains_key("x-request-id"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "APIGW.0101");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains(method) && message.contains(&format!("/soc/workflows{tail}")),
            "{message}"
        );
    }
}

#[test]
fn start_blocking_serves_without_a_runtime() {
    let sim = Simulator::builder()
        .document(document())
        .seed(PROJECT, WORKSPACE, 2)
        .start_blocking()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, body) = runtime.block_on(async {
        let response = client().get(url(&sim, WORKSPACE, "")).send().await.unwrap();
        (response.status(), response.json::<Value>().await.unwrap())
    });
    assert_eq!((status.as_u16(), body["total"].as_u64()), (200, Some(2)));
    let addr = sim.addr();
    drop(sim);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "stopped listening"
    );
}

#[test]
fn the_builder_refuses_to_seed_more_than_the_limit() {
    let limit = secmaster_sim::MAX_SEEDED;
    // The absurd count first: before the limit, it aborted the process.
    for count in [99_999_999_999, limit + 1] {
        let error = sim()
            .seed(PROJECT, WORKSPACE, count)
            .start_blocking()
            .err()
            .unwrap_or_else(|| panic!("seeding {count} started"));
        assert_eq!(
            error.to_string(),
            format!("cannot seed {count} workflows into {PROJECT}/{WORKSPACE}: at most {limit}")
        );
    }
}
