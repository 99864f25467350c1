//! `secmaster workflows diff`: what differs, by name, and exit 1 as diff(1).

use serde_json::Value;

use crate::common::*;

#[test]
fn differences_are_named_with_their_fields() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 3).seed(PROJECT, "W2", 2));
    // W2 holds workflows 1 and 2 under other ids; 2 is disabled there.
    let mut changed = secmaster_sim::workflow::seeded(PROJECT, "W2", 2);
    changed.enabled = true;
    changed.description = "changed \u{1b}[2J".into();
    sim.insert_workflow(changed);
    let mut extra = secmaster_sim::workflow::seeded(PROJECT, "W2", 9);
    extra.name = "only-in-w2".into();
    sim.insert_workflow(extra);
    let scratch = Scratch::new("diff");
    let diff = [
        "workflows",
        "diff",
        "--workspace-id",
        WORKSPACE,
        "--to-workspace-id",
        "W2",
    ];
    let (out, said) = run(&mut against(scratch.path(), &sim, &diff), 1);
    assert_eq!(said, "");
    assert_eq!(
        stdout_of(&out),
        "only in W: 1\n  workflow-0003\nonly in W2: 1\n  only-in-w2\nchanged: 1\n  workflow-0002\n    \
         description: \"Seeded workflow 2: HEMOSTASIS on DOMAIN\" -> \"changed \\u001b[2J\"\n    \
         enabled: false -> true\n"
    );
    let json = [&diff[..], &["--format", "json"]].concat();
    let (out, _) = run(&mut against(scratch.path(), &sim, &json), 1);
    let compared: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(compared["a"], "W");
    assert_eq!(compared["only_in_b"], serde_json::json!(["only-in-w2"]));
    assert_eq!(compared["changed"][0]["fields"][1]["b"], true);
}
