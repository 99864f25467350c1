//! A backup is all or nothing: its directory gets its name only when
//! complete, and what a stopped one left does not block the next.

use std::time::Duration;

use secmaster_backup::{CreateOptions, Error, Scope, create, verify};

use crate::support::*;

fn scope() -> Scope {
    Scope::Workspace(SOURCE.into())
}

#[tokio::test]
async fn a_directory_with_files_is_refused_before_any_request() {
    let sim = start(sim().seed(PROJECT, SOURCE, 2)).await;
    let scratch = Scratch::new("not-empty");
    let dir = scratch.join("backup");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("keep"), b"mine").unwrap();
    let result = try_back_up(&client(&sim), &dir).await;
    assert!(matches!(result, Err(Error::NotEmpty(_))), "{result:?}");
    assert!(sim.requests().is_empty());
    assert_eq!(std::fs::read(dir.join("keep")).unwrap(), b"mine");

    // An empty directory is fine, and filled in place.
    std::fs::remove_file(dir.join("keep")).unwrap();
    back_up(&client(&sim), &dir).await;
    verify(&dir).unwrap();
    assert_eq!(scratch.entries(), ["backup"]);
}

#[tokio::test]
async fn a_backup_stopped_half_way_leaves_nothing() {
    let sim = start(
        sim()
            .seed(PROJECT, SOURCE, 10)
            .latency(Duration::from_millis(40)),
    )
    .await;
    let scratch = Scratch::new("stopped");
    let dir = scratch.join("backup");
    let options = CreateOptions::default().concurrency(1);
    let (client, scope) = (client(&sim), scope());
    let work = create(&client, PROJECT, &scope, &dir, &options, &quiet);
    // Listing takes two round trips; stop during the exports.
    assert!(
        tokio::time::timeout(Duration::from_millis(250), work)
            .await
            .is_err()
    );
    assert!(sent(&sim, "export_workflows") > 0);
    assert!(scratch.entries().is_empty(), "{:?}", scratch.entries());
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn what_a_killed_backup_left_is_removed_by_the_next() {
    let sim = start(sim().seed(PROJECT, SOURCE, 2)).await;
    let scratch = Scratch::new("leftover");
    // PIDs above the kernel's maximum (4194304) never run.
    let leftover = scratch.join(".backup.4999999.0.secmaster-part");
    std::fs::create_dir_all(leftover.join("workflows")).unwrap();
    std::fs::write(leftover.join("workflows/0001-x.export"), b"half").unwrap();
    let dir = scratch.join("backup");
    back_up(&client(&sim), &dir).await;
    assert_eq!(scratch.entries(), ["backup"]);
}
