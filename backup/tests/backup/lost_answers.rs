//! An import whose answer is lost is looked for in the target before it
//! is sent again: every workflow ends up there once.

use secmaster_backup::{Outcome, Report};
use secmaster_sim::Simulator;

use crate::support::*;

/// Backs up five workflows, then restores them with `rule` on the imports.
async fn restore_with(rule: &str) -> (Simulator, Report) {
    let sim = start(sim().seed(PROJECT, SOURCE, 5)).await;
    let client = client(&sim);
    let scratch = Scratch::new("lost");
    let dir = scratch.join("backup");
    back_up(&client, &dir).await;
    sim.add_fault(fault(rule)).unwrap();
    let report = restore_all(&client, &dir).await.unwrap();
    (sim, report)
}

fn reasons(report: &Report, outcome: Outcome) -> Vec<String> {
    report
        .workflows
        .iter()
        .filter(|l| l.outcome == outcome)
        .filter_map(|l| l.reason.clone())
        .collect()
}

// The import was taken and its answer cut short: not sent again.
#[tokio::test]
async fn an_import_taken_but_unanswered_is_not_sent_again() {
    let (sim, report) = restore_with("import_workflows=cut,after=3,times=1").await;
    assert_eq!(report.count(Outcome::Restored), 5, "{report:?}");
    let notes = reasons(&report, Outcome::Restored);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("shows it arrived"), "{notes:?}");
    assert_eq!(sent(&sim, "import_workflows"), 5);
    assert_eq!(names(&sim, TARGET), names(&sim, SOURCE));
}

// The connection closed before the service took it: sent again, once.
#[tokio::test]
async fn an_import_lost_before_the_service_is_sent_again() {
    let (sim, report) = restore_with("import_workflows=close,times=1").await;
    assert_eq!(report.count(Outcome::Restored), 5, "{report:?}");
    let notes = reasons(&report, Outcome::Restored);
    assert!(
        notes.len() == 1 && notes[0].contains("sent again"),
        "{notes:?}"
    );
    assert_eq!(sent(&sim, "import_workflows"), 6);
    assert_eq!(names(&sim, TARGET), names(&sim, SOURCE));
}

// A gateway's 502: not taken, sent again.
#[tokio::test]
async fn a_gateway_error_is_checked_then_sent_again() {
    let (sim, report) = restore_with("import_workflows=502,times=1").await;
    assert_eq!(report.count(Outcome::Restored), 5, "{report:?}");
    assert_eq!(names(&sim, TARGET), names(&sim, SOURCE));
}

// The service's own 500 is a failure, named; the rest are restored.
#[tokio::test]
async fn a_failed_import_is_reported_and_the_rest_go_on() {
    let (sim, report) = restore_with("import_workflows=500,times=1").await;
    assert_eq!(report.count(Outcome::Failed), 1, "{report:?}");
    assert_eq!(report.count(Outcome::Restored), 4);
    let why = reasons(&report, Outcome::Failed);
    assert!(why[0].contains("HTTP 500"), "{why:?}");
    assert_eq!(names(&sim, TARGET).len(), 4);
}
