//! The whole journey against the simulator, once signed with an access key
//! and once with a token, every request authenticated and checked against
//! the document by the simulator: a workspace of 1,000 workflows is listed
//! whole (pages in flight together), exported whole, and the file imported
//! into a second workspace, which then lists the same names.

use std::collections::HashSet;
use std::time::Duration;

use crate::support::{
    AK, PROJECT, WORKSPACE, aksk_client, exported_ids, max_in_flight, sim, token_client,
};
use secmaster_client::types::AopWorkflowInfo;
use secmaster_client::{ImportFile, ListAll, ListAllOptions, ListQuery, SecMasterClient};
use secmaster_sim::{RequestRecord, Simulator};

const COUNT: usize = 1_000;
const SECOND: &str = "f0e1d2c3-b4a5-4968-8776-655443322110";
/// Every answer waits this long, so that pages sent together are seen
/// together.
const LATENCY: Duration = Duration::from_millis(40);

async fn list_all(client: &SecMasterClient, workspace: &str) -> ListAll<AopWorkflowInfo> {
    client
        .list_all_workflows(
            PROJECT,
            workspace,
            &ListQuery::new(),
            ListAllOptions::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("listing {workspace}: {e}"))
}

fn names(all: &ListAll<AopWorkflowInfo>) -> Vec<String> {
    let mut names: Vec<String> = all
        .items
        .iter()
        .map(|w| w.name.clone().expect("every workflow has a name"))
        .collect();
    names.sort();
    names
}

/// The list requests among `records`, for one workspace.
fn pages_of<'a>(records: &'a [RequestRecord], workspace: &str) -> Vec<&'a RequestRecord> {
    records
        .iter()
        .filter(|r| r.operation.as_deref() == Some("list_workflows"))
        .filter(|r| r.path.contains(workspace))
        .collect()
}

async fn round_trip(sim: &Simulator, client: &SecMasterClient, auth: &str) {
    // Listed whole: every workflow once, in ten pages of a hundred.
    let all = list_all(client, WORKSPACE).await;
    assert_eq!(all.items.len(), COUNT);
    assert_eq!(all.total, Some(COUNT as u64));
    assert_eq!(all.pages, 10);
    let ids: Vec<String> = all.items.iter().map(|w| w.id.clone().unwrap()).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), COUNT, "no workflow twice");
    let stored: HashSet<String> = sim
        .workflows(PROJECT, WORKSPACE)
        .into_iter()
        .map(|w| w.id)
        .collect();
    assert_eq!(unique, stored.iter().collect(), "exactly the stored ones");

    // The pager asked for each page once, several at a time (bounded by
    // its concurrency of four).
    let records = sim.requests();
    let pages = pages_of(&records, WORKSPACE);
    let mut offsets: Vec<String> = pages
        .iter()
        .map(|r| {
            let query = &r.query;
            assert!(query.contains("limit=100"), "{query}");
            let offset = query.split('&').find_map(|p| p.strip_prefix("offset="));
            offset.unwrap_or("0").to_owned()
        })
        .collect();
    offsets.sort_by_key(|o| o.parse::<u32>().unwrap());
    let expected: Vec<String> = (0..10).map(|k| (k * 100).to_string()).collect();
    assert_eq!(offsets, expected);
    let pages: Vec<RequestRecord> = pages.into_iter().cloned().collect();
    let together = max_in_flight(&pages);
    assert!(
        (2..=4).contains(&together),
        "{together} pages in flight at once"
    );

    // Exported whole, then imported into the second workspace.
    let mut file = Vec::new();
    client
        .export_workflows(PROJECT, WORKSPACE, &ids)
        .await
        .unwrap()
        .write_to(&mut file)
        .await
        .unwrap();
    let mut exported = exported_ids(&file);
    exported.sort();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(exported, sorted);
    let answer = client
        .import_workflows(PROJECT, SECOND, &ImportFile::bytes("workflows.json", file))
        .await
        .unwrap();
    assert_eq!(answer.success, Some(true));
    assert_eq!(
        answer.message.as_deref(),
        Some(format!("imported {COUNT} workflows").as_str())
    );

    // The second workspace lists the same names (under new ids).
    let copy = list_all(client, SECOND).await;
    assert_eq!(copy.items.len(), COUNT);
    assert_eq!(names(&copy), names(&all));
    assert!(
        copy.items
            .iter()
            .all(|w| !stored.contains(w.id.as_ref().unwrap()))
    );

    // Every request was authenticated as asked, valid, and answered 200.
    let records = sim.requests();
    assert_eq!(records.len(), 10 + 1 + 1 + 10);
    for r in &records {
        assert!(
            r.auth.starts_with(auth),
            "{} {}: {}",
            r.method,
            r.path,
            r.auth
        );
        assert_eq!(r.validation, "ok", "{} {}", r.method, r.path);
        assert_eq!(r.status, Some(200), "{} {}", r.method, r.path);
    }
}

async fn seeded_sim() -> Simulator {
    sim()
        .seed(PROJECT, WORKSPACE, COUNT as u64)
        .seed(PROJECT, SECOND, 0)
        .latency(LATENCY)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_thousand_workflows_round_trip_signed_with_an_access_key() {
    let sim = seeded_sim().await;
    let client = aksk_client(&sim.base_url());
    round_trip(&sim, &client, &format!("ok: signature by {AK}")).await;
}

#[tokio::test]
async fn a_thousand_workflows_round_trip_with_a_token() {
    let sim = seeded_sim().await;
    let client = token_client(&sim.base_url());
    round_trip(&sim, &client, "ok: token").await;
}
