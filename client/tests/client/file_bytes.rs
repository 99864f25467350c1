//! `WorkflowFile::bytes`: a small export whole in memory, checked as the
//! streaming readers check it; a file already partly read is refused.

use crate::support::{ID, PROJECT, WORKSPACE, export_pattern, sim, start, token_client};
use secmaster_client::Error;

#[tokio::test]
async fn bytes_gives_the_whole_file() {
    let size = 300_000;
    let server = start(sim().export_size(size as u64)).await;
    let client = token_client(&server.base_url());
    let file = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap();
    assert_eq!(file.content_length(), Some(size as u64));
    let bytes = file.bytes().await.unwrap();
    assert!(bytes == export_pattern(size), "the file differs");
}

#[tokio::test]
async fn bytes_refuses_a_file_already_partly_read() {
    let server = start(sim().export_size(300_000)).await;
    let client = token_client(&server.base_url());
    let mut file = client
        .export_workflows(PROJECT, WORKSPACE, &[ID])
        .await
        .unwrap();
    let first = file.next_chunk().await.unwrap().expect("a first piece");
    match file.bytes().await {
        Err(Error::InvalidInput(message)) => {
            let read = format!("{} bytes of the file were already read", first.len());
            assert!(message.starts_with(&read), "{message}");
        }
        other => panic!("{other:?}"),
    }
}
