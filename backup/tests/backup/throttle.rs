//! Requests go out a few at a time, and one at a time once the service
//! throttles.

use std::time::Duration;

use secmaster_backup::verify;
use secmaster_sim::RequestRecord;

use crate::support::*;

/// The largest number of `records` in the simulator at one moment.
fn most_at_once(records: &[&RequestRecord]) -> usize {
    records
        .iter()
        .map(|r| {
            records
                .iter()
                .filter(|o| {
                    o.received_at <= r.received_at
                        && o.answered_at.is_some_and(|a| a > r.received_at)
                })
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_429_slows_the_backup_to_one_request_at_a_time() {
    let sim = start(
        sim()
            .seed(PROJECT, SOURCE, 16)
            .latency(Duration::from_millis(20)),
    )
    .await;
    let scratch = Scratch::new("throttle");
    let dir = scratch.join("backup");
    let client = client(&sim);
    // The first exports go four at a time.
    sim.add_fault(fault("export_workflows=pass,times=6"))
        .unwrap();
    sim.add_fault(fault("export_workflows=429,times=1"))
        .unwrap();
    back_up(&client, &dir).await;
    verify(&dir).unwrap();

    let requests = sim.requests();
    let exports: Vec<&RequestRecord> = requests
        .iter()
        .filter(|r| r.operation.as_deref() == Some("export_workflows"))
        .collect();
    let throttled = exports.iter().position(|r| r.status == Some(429)).unwrap();
    assert!(most_at_once(&exports[..throttled]) > 1);
    // Once those in flight are done (20 ms), and before the retry (at
    // least 100 ms later), the rest go one at a time.
    let settled = exports[throttled].answered_at.unwrap() + Duration::from_millis(60);
    let after: Vec<&RequestRecord> = exports
        .iter()
        .copied()
        .filter(|r| r.received_at > settled)
        .collect();
    assert!(after.len() >= 6, "{}", after.len());
    assert_eq!(most_at_once(&after), 1);
}
