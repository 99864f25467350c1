//! Path values over the wire: every string is either refused before
//! anything is sent, or arrives as exactly one path segment that decodes
//! back to it, under a signature that the simulator verifies.

use crate::support::{AK, aksk_client, export_pattern, sim};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use secmaster_client::Error;
use secmaster_sim::RequestRecord;

fn hostile() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("\\"),
        Just("/"),
        Just("%"),
        Just("."),
        Just(".."),
        Just(";"),
        Just("?"),
        Just("#"),
        Just("\t"),
        Just("\n"),
        Just("%2e"),
        Just("%5C"),
        Just("é"),
        Just("工"),
        Just(" "),
        Just("+"),
        Just("&"),
        Just("="),
        Just("a"),
        Just("0"),
    ];
    prop::collection::vec(pieces, 0..7).prop_map(|v| v.concat())
}

#[test]
fn every_path_value_is_one_segment_or_refused() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // Exports answer two pattern bytes whatever the ids, in any workspace.
    let sim = sim().export_size(2).auto_create_workspaces(true);
    let server = runtime.block_on(sim.start()).unwrap();
    let client = aksk_client(&server.base_url());
    let mut runner = TestRunner::new(Config {
        cases: 1500,
        ..Config::default()
    });
    let sent = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&(hostile(), hostile()), |(project, workspace)| {
            // Request ids are unique: a new newest record is a new request.
            let id = |r: Option<RequestRecord>| r.map(|r| r.request_id);
            let before = id(server.last_request());
            let result = runtime.block_on(async {
                let file = client
                    .export_workflows(&project, &workspace, &["id"])
                    .await?;
                let mut out = Vec::new();
                file.write_to(&mut out).await.map(|_| out)
            });
            let last = server.last_request();
            match result {
                Err(Error::InvalidInput(_)) => {
                    prop_assert_eq!(id(last), before, "refused, yet sent");
                }
                Err(e) => {
                    return Err(TestCaseError::fail(format!(
                        "{project:?} {workspace:?}: {e}"
                    )));
                }
                Ok(body) => {
                    sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    prop_assert_eq!(body, export_pattern(2));
                    let request = last.expect("a request");
                    prop_assert_ne!(Some(&request.request_id), before.as_ref(), "sent");
                    prop_assert_eq!(&request.auth, &format!("ok: signature by {AK}"));
                    let path = request.path.as_str();
                    let segments: Vec<&str> = path.split('/').collect();
                    // "", v1, P, workspaces, W, soc, workflows, export
                    prop_assert_eq!(segments.len(), 8, "{}", path);
                    let decode =
                        |s: &str| percent_decode_str(s).decode_utf8().unwrap().into_owned();
                    prop_assert_eq!(decode(segments[2]), project);
                    prop_assert_eq!(decode(segments[4]), workspace);
                    prop_assert_eq!(&segments[5..], &["soc", "workflows", "export"]);
                }
            }
            Ok(())
        })
        .unwrap();
    let sent = sent.into_inner();
    assert!(sent > 100, "most generated values are sendable ({sent})");
}
