//! The pager's edges against the simulator, for the workspace's workflows
//! and the project's workspaces alike (one pager serves both): a list
//! longer than the API can page, a 429 on one page, a service that answers
//! every offset with the same page or pages in smaller pieces than asked.

use std::time::Duration;

use crate::support::{
    PROJECT, WORKSPACE, aksk_builder, aksk_client, answer, assert_all_signed, fault, max_in_flight,
    sim,
};
use secmaster_client::operation::Operation;
use secmaster_client::operations::{LIST_WORKFLOWS, LIST_WORKSPACES, SHOW_WORKSPACE};
use secmaster_client::types::AopWorkflowInfo;
use secmaster_client::{
    Args, Error, Input, ListAll, ListAllOptions, ListQuery, RetryPolicy, SecMasterClient,
    WorkspaceQuery,
};
use secmaster_sim::{RequestRecord, Simulator, SimulatorBuilder};
use serde_json::{Value, json};

/// Every workflow of the workspace, with the default options.
async fn list_everything(client: &SecMasterClient) -> Result<ListAll<AopWorkflowInfo>, Error> {
    client
        .list_all_workflows(
            PROJECT,
            WORKSPACE,
            &ListQuery::new(),
            ListAllOptions::default(),
        )
        .await
}

fn offset_of(record: &RequestRecord) -> u32 {
    record
        .query
        .split('&')
        .find_map(|p| p.strip_prefix("offset="))
        .map_or(0, |o| o.parse().unwrap())
}

#[tokio::test]
async fn a_list_longer_than_the_api_can_page_is_refused_after_one_request() {
    let sim = sim()
        .seed(PROJECT, WORKSPACE, 10_101)
        .start()
        .await
        .unwrap();
    let err = list_everything(&aksk_client(&sim.base_url()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ListTooLong {
                what: "workflows",
                total: Some(10_101),
                reachable: 10_100
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("narrow the list"), "{err}");
    assert_eq!(sim.requests().len(), 1, "refused on the first page's total");
    assert_all_signed(&sim);
}

// A first version of the slow-down forgot idle semaphore permits; when the
// 429 came back the other pages held them all, so four pages stayed in
// flight. This test caught it.
#[tokio::test]
async fn a_throttled_page_is_retried_and_the_pager_goes_one_page_at_a_time() {
    let workflows = sim().seed(PROJECT, WORKSPACE, 20);
    let args = Args::new()
        .set("project_id", PROJECT)
        .set("workspace_id", WORKSPACE);
    throttled_then_one_at_a_time(&LIST_WORKFLOWS, workflows, &args).await;
    // The tests' three workspaces are not made here: the project has 20.
    let workspaces = sim().workspaces(PROJECT, 20);
    let args = Args::new().set("project_id", PROJECT);
    throttled_then_one_at_a_time(&LIST_WORKSPACES, workspaces, &args).await;
}

/// Twenty items in pages of two. The first page passes; the first of the
/// next pages to arrive is throttled at once; every other answer takes 60
/// ms, so that pages sent together overlap in the simulator.
async fn throttled_then_one_at_a_time(op: &Operation, builder: SimulatorBuilder, args: &Args) {
    let sim = builder
        .fault(fault(&format!("{}=pass,times=1", op.id)))
        .fault(fault(&format!("{}=429,times=1", op.id)))
        .fault(fault(&format!("{}=latency,ms=60", op.id)))
        .start()
        .await
        .unwrap();
    let client = aksk_builder(&sim.base_url())
        .retry(
            // At least 20 ms (equal jitter): the pages sent with the
            // throttled one have all arrived before its retry.
            RetryPolicy::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(40))
                .max_backoff(Duration::from_millis(40)),
        )
        .build()
        .unwrap();
    let options = ListAllOptions::default().page_size(2).concurrency(4);
    let all = client.list_all::<Value>(op, args, options).await.unwrap();
    assert_eq!(all.items.len(), 20, "{}", op.id);
    assert_eq!(all.pages, 10);

    let records = sim.requests();
    assert_all_signed(&sim);
    assert_eq!(records.len(), 11, "ten pages and one retry");
    let throttled: Vec<&RequestRecord> = records.iter().filter(|r| r.status == Some(429)).collect();
    assert_eq!(throttled.len(), 1);
    let offset = offset_of(throttled[0]);
    assert_ne!(offset, 0, "a page after the first");
    let retry = records
        .iter()
        .find(|r| offset_of(r) == offset && r.status == Some(200))
        .expect("the throttled page is asked for again");
    assert!(retry.received_at > throttled[0].received_at);
    // Before the 429 the pager had several pages out at once...
    let before: Vec<RequestRecord> = records
        .iter()
        .filter(|r| r.received_at < retry.received_at)
        .cloned()
        .collect();
    assert!(max_in_flight(&before) >= 2, "pages went out together");
    // ...and from the retry on, one at a time.
    let after: Vec<RequestRecord> = records
        .iter()
        .filter(|r| r.received_at >= retry.received_at)
        .cloned()
        .collect();
    assert!(after.len() >= 2, "{} requests after the retry", after.len());
    assert_eq!(max_in_flight(&after), 1, "one page at a time after a 429");
}

/// A simulator answering every request for `list` with the same page of
/// two of its items, the total included or not: the simulator's list never
/// repeats a page by itself, so the page is scripted with a status rule.
async fn repeating(list: &List, total: Option<u64>) -> Simulator {
    let sim = sim().start().await.unwrap();
    sim.seed(PROJECT, WORKSPACE, 2);
    let items = match list.op.id {
        "list_workflows" => json!(sim.workflows(PROJECT, WORKSPACE)),
        _ => json!([{"id": "a"}, {"id": "b"}]),
    };
    let mut page = json!({ list.items: items });
    if list.op.id == "list_workflows" {
        page["success"] = json!(true);
    }
    if let Some(total) = total {
        page[list.total] = json!(total);
    }
    sim.add_fault(answer(
        list.op.id,
        200,
        &page.to_string(),
        &[("Content-Type", "application/json")],
    ))
    .unwrap();
    sim
}

/// A list that pages, as the tests ask for it.
struct List {
    op: &'static Operation,
    items: &'static str,
    total: &'static str,
    args: Args,
}

/// The workspace's workflows, and the project's workspaces.
fn lists() -> [List; 2] {
    [
        List {
            op: &LIST_WORKFLOWS,
            items: "data",
            total: "total",
            args: Args::new()
                .set("project_id", PROJECT)
                .set("workspace_id", WORKSPACE),
        },
        List {
            op: &LIST_WORKSPACES,
            items: "workspaces",
            total: "count",
            args: Args::new().set("project_id", PROJECT),
        },
    ]
}

async fn list_all_in_pages_of_two(client: &SecMasterClient, list: &List) -> Result<usize, Error> {
    let options = ListAllOptions::default().page_size(2);
    let all = client
        .list_all::<Value>(list.op, &list.args, options)
        .await?;
    Ok(all.items.len())
}

#[tokio::test]
async fn a_service_repeating_its_pages_cannot_make_the_pager_loop() {
    for list in lists() {
        let what = list.op.id.trim_start_matches("list_");
        // Without a total, the pager would ask until an empty page: a
        // repeated page stops it at once.
        let sim = repeating(&list, None).await;
        let err = list_all_in_pages_of_two(&aksk_client(&sim.base_url()), &list)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Unexpected(_)), "{err:?}");
        assert!(
            err.to_string()
                .contains(&format!("with {what} it had already listed")),
            "{err}"
        );
        let offsets: Vec<u32> = sim.requests().iter().map(offset_of).collect();
        assert_eq!(offsets, [0, 2]);

        // With a total, it asks for the pages the total implies; the
        // repeats hold 2 distinct items where 6 were promised, and a short
        // list is refused rather than returned.
        let sim = repeating(&list, Some(6)).await;
        let err = list_all_in_pages_of_two(&aksk_client(&sim.base_url()), &list)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Unexpected(_)), "{err:?}");
        assert!(
            err.to_string().contains(&format!(
                "6 {what} match from offset 0, but its pages held only 2"
            )),
            "{err}"
        );
        let mut offsets: Vec<u32> = sim.requests().iter().map(offset_of).collect();
        offsets.sort();
        assert_eq!(offsets, [0, 2, 4]);
        assert_all_signed(&sim);
    }
}

// Without a documented largest offset nothing bounds the pages a total
// implies: a page of repeats ends the list, so a total of 10^15 costs a
// few requests, not 10^14.
#[tokio::test]
async fn a_huge_total_of_repeated_pages_ends_at_the_first_repeat() {
    let list = &lists()[1];
    let sim = repeating(list, Some(1_000_000_000_000_000)).await;
    let err = list_all_in_pages_of_two(&aksk_client(&sim.base_url()), list)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("but its pages held only 2"),
        "{err}"
    );
    // The first page, and those sent together before the repeat came back.
    let requests = sim.requests().len();
    assert!(requests <= 1 + 4, "{requests} requests");
}

// The pager used to step by the limit it asked for (100): a service that
// pages by 10 had its first page taken for the whole list, and `list --all`
// and `export --all` silently kept 10 of 25 workflows.
#[tokio::test]
async fn a_service_paging_in_smaller_pieces_than_asked_is_followed_to_the_end() {
    for list in lists() {
        let sim = sim().workspaces(PROJECT, 22).start().await.unwrap();
        sim.seed(PROJECT, WORKSPACE, 25);
        let client = aksk_client(&sim.base_url());
        // All 25 items: 25 workflows, or the 22 numbered workspaces, the
        // seeded one and two more.
        if list.op.id == "list_workspaces" {
            for id in ["x", "y"] {
                sim.seed(PROJECT, id, 0);
            }
        }
        let whole = client
            .execute_json::<Value>(
                list.op,
                &list.args.clone().set("offset", 0).set("limit", 100),
                Input::None,
            )
            .await
            .unwrap()[list.items]
            .clone();
        assert_eq!(whole.as_array().unwrap().len(), 25);
        // The first answer holds the first 10 of the 25, as a service
        // capping pages at 10 would; later offsets are answered by the
        // simulator's list.
        let mut first = json!({ list.items: whole.as_array().unwrap()[..10], list.total: 25 });
        if list.op.id == "list_workflows" {
            first["success"] = json!(true);
        }
        let mut capped = answer(
            list.op.id,
            200,
            &first.to_string(),
            &[("Content-Type", "application/json")],
        );
        capped.times = Some(1);
        sim.add_fault(capped).unwrap();
        let options = ListAllOptions::default().concurrency(1);
        let all = client
            .list_all::<Value>(list.op, &list.args, options)
            .await
            .unwrap();
        assert_eq!(json!(all.items), whole, "{}", list.op.id);
        let offsets: Vec<u32> = sim.requests()[1..].iter().map(offset_of).collect();
        assert_eq!(offsets, [0, 10, 20], "steps of what the first page held");
    }
}

// The typed calls decode what the one pager returns.
#[tokio::test]
async fn every_workspace_in_pages_of_the_pagers_own_size() {
    let sim = sim().workspaces(PROJECT, 250).start().await.unwrap();
    let client = aksk_client(&sim.base_url());
    let all = client
        .list_all_workspaces(PROJECT, &WorkspaceQuery::new(), ListAllOptions::default())
        .await
        .unwrap();
    let ids: Vec<String> = all.items.iter().map(|w| w.id.clone().unwrap()).collect();
    let expected: Vec<String> = sim.workspaces(PROJECT).into_iter().map(|w| w.id).collect();
    assert_eq!(ids, expected);
    assert_eq!((all.total, all.pages), (Some(250), 3));
    let queries: Vec<String> = sim.requests().into_iter().map(|r| r.query).collect();
    for query in &queries {
        assert!(query.contains("limit=100"), "{query}");
    }
    assert_eq!(queries.len(), 3);

    // A page size of 0 is refused before anything is sent.
    let err = client
        .list_all_workspaces(
            PROJECT,
            &WorkspaceQuery::new(),
            ListAllOptions::default().page_size(0),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    // So is an operation that does not page.
    let args = Args::new()
        .set("project_id", PROJECT)
        .set("workspace_id", "x");
    let err = client
        .list_all::<Value>(&SHOW_WORKSPACE, &args, ListAllOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: show_workspace is not a list that pages"
    );
    assert_eq!(sim.requests().len(), 3);
    assert_all_signed(&sim);
}

// Stepping by a page size that does not divide 10,000 asked for offset
// 10,020, which the API refuses: the whole list failed as a usage error.
#[tokio::test]
async fn the_last_page_is_asked_from_offset_10000_at_most() {
    let sim = sim().start().await.unwrap();
    sim.seed(PROJECT, WORKSPACE, 10_025);
    let client = aksk_client(&sim.base_url());
    let first = client
        .list_workflows(PROJECT, WORKSPACE, &ListQuery::new().limit(30))
        .await
        .unwrap();
    // A service that pages by 30, whatever the limit asked.
    let page = json!({"code": "00000000", "success": true, "total": 10_025, "data": first.data});
    let mut capped = answer(
        "list_workflows",
        200,
        &page.to_string(),
        &[("Content-Type", "application/json")],
    );
    capped.times = Some(1);
    sim.add_fault(capped).unwrap();
    let all = list_everything(&client).await.unwrap();
    assert_eq!(all.items.len(), 10_025);
    let highest = sim.requests().iter().map(offset_of).max().unwrap();
    assert_eq!(highest, 10_000);
}
