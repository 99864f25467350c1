//! A damaged backup is named file by file, and never restored.

use secmaster_backup::{Error, verify};

use crate::support::*;

fn problems(result: Result<impl std::fmt::Debug, Error>) -> Vec<(String, String)> {
    match result {
        Err(Error::Damaged(problems)) => problems.into_iter().map(|p| (p.file, p.what)).collect(),
        other => panic!("not refused as damaged: {other:?}"),
    }
}

#[tokio::test]
async fn a_flipped_byte_is_named_and_nothing_is_imported() {
    let sim = start(sim().seed(PROJECT, SOURCE, 5)).await;
    let scratch = Scratch::new("flipped");
    let dir = scratch.join("backup");
    let manifest = back_up(&client(&sim), &dir).await;
    let victim = &manifest.workspaces[0].workflows[2].file;
    let path = dir.join(victim);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[7] ^= 0x01;
    std::fs::write(&path, bytes).unwrap();

    let found = problems(verify(&dir));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(&found[0].0, victim);
    assert!(found[0].1.contains("SHA-256"), "{found:?}");

    let requests = sim.requests().len();
    let refused = restore_all(&client(&sim), &dir).await;
    let refused = problems(refused);
    assert_eq!(refused, found);
    // Not even a list was sent: the check comes first.
    assert_eq!(sim.requests().len(), requests);
    assert!(names(&sim, TARGET).is_empty());
}

#[tokio::test]
async fn missing_short_and_extended_files_are_each_named() {
    let sim = start(sim().seed(PROJECT, SOURCE, 4)).await;
    let scratch = Scratch::new("several");
    let dir = scratch.join("backup");
    let manifest = back_up(&client(&sim), &dir).await;
    let flows = &manifest.workspaces[0].workflows;
    std::fs::remove_file(dir.join(&flows[0].file)).unwrap();
    let short = dir.join(&flows[1].record.file);
    let text = std::fs::read(&short).unwrap();
    std::fs::write(&short, &text[..text.len() - 1]).unwrap();
    let mut longer = std::fs::read(dir.join(&flows[3].file)).unwrap();
    longer.push(b'\n');
    std::fs::write(dir.join(&flows[3].file), longer).unwrap();

    let found = problems(verify(&dir));
    let files: Vec<&str> = found.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        files,
        [&flows[0].file, &flows[1].record.file, &flows[3].file]
    );
    assert_eq!(found[0].1, "missing");
    assert!(found[1].1.contains("where the manifest lists"), "{found:?}");
}

#[tokio::test]
async fn a_manifest_that_does_not_add_up_is_refused() {
    let sim = start(sim().seed(PROJECT, SOURCE, 2)).await;
    let scratch = Scratch::new("manifest");
    let dir = scratch.join("backup");
    back_up(&client(&sim), &dir).await;
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace("\"workflows\": 2", "\"workflows\": 3")).unwrap();
    let found = problems(verify(&dir));
    assert_eq!(found[0].0, "manifest.json");
    assert!(found[0].1.contains("counts"), "{found:?}");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        problems(verify(&dir)),
        [("manifest.json".to_owned(), "missing".to_owned())]
    );
}
