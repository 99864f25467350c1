//! Backup, check, restore into an empty workspace, compare; restore again.

use secmaster_backup::diff::{compare, listed_records, records};
use secmaster_backup::{
    CreateOptions, Error, Existing, Outcome, Progress, RestoreOptions, Scope, Selection, create,
    restore, verify,
};
use secmaster_client::ListQuery;
use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn a_restored_workspace_equals_its_source_and_a_second_restore_adds_nothing() {
    let sim = start(sim().seed(PROJECT, SOURCE, 12).log_bodies(true)).await;
    let client = client(&sim);
    let scratch = Scratch::new("round-trip");
    let dir = scratch.join("backup");
    let heard = Recorded::default();
    let scope = Scope::Workspace(SOURCE.into());
    let options = CreateOptions::default();
    let manifest = create(&client, PROJECT, &scope, &dir, &options, &|p| heard.hear(p))
        .await
        .unwrap();
    assert_eq!(manifest.counts.workflows, 12);
    assert_eq!(manifest.workspaces[0].name.as_deref(), Some(SOURCE));
    assert_eq!(manifest.source.project_id, PROJECT);
    assert_eq!(manifest.source.endpoint, sim.base_url());
    assert_eq!(verify(&dir).unwrap(), manifest);
    // Nothing but the backup beside it.
    assert_eq!(scratch.entries(), ["backup"]);

    // Each workflow was exported by its own id.
    let exports: Vec<Value> = sim
        .requests()
        .iter()
        .filter(|r| r.operation.as_deref() == Some("export_workflows"))
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(exports.len(), 12);
    assert!(
        exports
            .iter()
            .all(|e| e["id"].as_array().unwrap().len() == 1)
    );
    let heard = heard.0.into_inner().unwrap();
    assert_eq!(heard[0], Progress::Total(12));
    let bytes: u64 = heard
        .iter()
        .map(|p| match p {
            Progress::Done { bytes } => *bytes,
            _ => 0,
        })
        .sum();
    assert_eq!(bytes, manifest.counts.bytes);

    let first = restore_all(&client, &dir).await.unwrap();
    assert_eq!(first.count(Outcome::Restored), 12, "{first:?}");
    let source = listed_records(&client, PROJECT, SOURCE).await.unwrap();
    let target = listed_records(&client, PROJECT, TARGET).await.unwrap();
    let diff = compare(&source, &target);
    assert!(diff.is_empty(), "{diff:?}");
    let backed_up = records(&dir, &manifest.workspaces[0]).unwrap();
    assert!(compare(&backed_up, &target).is_empty());

    let imports = sent(&sim, "import_workflows");
    let second = restore_all(&client, &dir).await.unwrap();
    assert_eq!(second.count(Outcome::Restored), 0);
    assert_eq!(second.count(Outcome::Skipped), 12);
    assert_eq!(sent(&sim, "import_workflows"), imports);
    assert_eq!(names(&sim, TARGET), names(&sim, SOURCE));
}

#[tokio::test]
async fn every_workspace_goes_into_a_directory_of_its_own() {
    let sim = start(
        sim()
            .seed(PROJECT, "ws-a", 3)
            .seed(PROJECT, "ws-b", 2)
            .workspaces(PROJECT, 1),
    )
    .await;
    let client = client(&sim);
    let scratch = Scratch::new("all-workspaces");
    let dir = scratch.join("backup");
    let manifest = create(
        &client,
        PROJECT,
        &Scope::AllWorkspaces,
        &dir,
        &CreateOptions::default(),
        &quiet,
    )
    .await
    .unwrap();
    assert!(manifest.source.all_workspaces);
    let held: Vec<(&str, u64)> = manifest
        .workspaces
        .iter()
        .map(|w| (w.id.as_str(), w.counts.workflows))
        .collect();
    // The target, the two seeded and the numbered one, each listed.
    assert_eq!(held.len(), 4, "{held:?}");
    assert!(held.contains(&("ws-a", 3)) && held.contains(&("ws-b", 2)));
    let mut prefixes: Vec<&str> = manifest
        .files()
        .map(|f| f.file.split("/workflows/").next().unwrap())
        .collect();
    prefixes.dedup();
    assert_eq!(prefixes.len(), 2, "{prefixes:?}");
    assert!(prefixes.iter().all(|p| p.starts_with("workspaces/")));

    let unpicked = restore_all(&client, &dir).await;
    match unpicked {
        Err(Error::InvalidInput(m)) => {
            assert!(m.contains("4 workspaces") && m.contains("ws-b"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(sent(&sim, "import_workflows"), 0);
    let options = RestoreOptions::default().from_workspace("ws-b");
    let report = restore(&client, PROJECT, TARGET, &dir, &options, &quiet)
        .await
        .unwrap();
    assert_eq!(report.count(Outcome::Restored), 2);
    assert_eq!(names(&sim, TARGET), names(&sim, "ws-b"));
}

#[tokio::test]
async fn filters_choose_what_is_backed_up_and_globs_what_is_restored() {
    let sim = start(sim().seed(PROJECT, SOURCE, 12)).await;
    let client = client(&sim);
    let scratch = Scratch::new("filters");
    let dir = scratch.join("backup");
    let options = CreateOptions::default().query(ListQuery::new().enabled(true));
    let scope = Scope::Workspace(SOURCE.into());
    let manifest = create(&client, PROJECT, &scope, &dir, &options, &quiet)
        .await
        .unwrap();
    // Odd-numbered seeded workflows are the enabled ones.
    assert_eq!(manifest.counts.workflows, 6);
    assert!(
        manifest.workspaces[0]
            .workflows
            .iter()
            .all(|w| w.enabled == Some(true))
    );

    // workflow-0001 .. 0011, odd: include 000*, exclude 0003 and 0005.
    let selection = Selection::new(&["workflow-000*"], &["*3", "workflow-0005"]).unwrap();
    let options = RestoreOptions::default().selection(selection);
    let report = restore(&client, PROJECT, TARGET, &dir, &options, &quiet)
        .await
        .unwrap();
    assert_eq!(
        names(&sim, TARGET),
        ["workflow-0001", "workflow-0007", "workflow-0009"]
    );
    assert_eq!(report.count(Outcome::Restored), 3);
    assert_eq!(report.count(Outcome::Skipped), 3);
}

#[tokio::test]
async fn fail_and_dry_run_import_nothing() {
    let sim = start(sim().seed(PROJECT, SOURCE, 4)).await;
    let client = client(&sim);
    let scratch = Scratch::new("fail-dry");
    let dir = scratch.join("backup");
    back_up(&client, &dir).await;

    let dry = RestoreOptions::default().dry_run(true);
    let report = restore(&client, PROJECT, TARGET, &dir, &dry, &quiet)
        .await
        .unwrap();
    assert_eq!(report.count(Outcome::Planned), 4);
    assert_eq!(sent(&sim, "import_workflows"), 0);

    // One name of the backup in the target: --existing fail refuses it all.
    let selection = Selection::new(&["workflow-0002"], &[]).unwrap();
    let one = RestoreOptions::default().selection(selection);
    restore(&client, PROJECT, TARGET, &dir, &one, &quiet)
        .await
        .unwrap();
    let before = sent(&sim, "import_workflows");
    let fail = RestoreOptions::default().existing(Existing::Fail);
    match restore(&client, PROJECT, TARGET, &dir, &fail, &quiet).await {
        Err(Error::Conflicts(names)) => assert_eq!(names, ["workflow-0002"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(sent(&sim, "import_workflows"), before);

    // The dry run of a skip shows what a real one would do.
    let report = restore(&client, PROJECT, TARGET, &dir, &dry, &quiet)
        .await
        .unwrap();
    assert_eq!(
        (
            report.count(Outcome::Planned),
            report.count(Outcome::Skipped)
        ),
        (3, 1)
    );
    assert_eq!(sent(&sim, "import_workflows"), before);

    // Duplicate imports them all again.
    let duplicate = RestoreOptions::default().existing(Existing::Duplicate);
    let report = restore(&client, PROJECT, TARGET, &dir, &duplicate, &quiet)
        .await
        .unwrap();
    assert_eq!(report.count(Outcome::Restored), 4);
    assert_eq!(names(&sim, TARGET).len(), 5);
}
