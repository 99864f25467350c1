//! Path values over the wire: every string is either refused before
//! anything is sent, or arrives as exactly one path segment that decodes
//! back to it, under a signature that the receiving side can verify.

use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use secmaster_client::{Credentials, Error, RetryPolicy, SecMasterClient};
use secmaster_tests::server::{Reply, ScriptedServer, verify_signature};

const AK: &str = "HPUAFAKEAK0EXAMPLE01";
const SK: &str = "FAKEsecretKEY0example0000000000000000000001";

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
    let server = runtime.block_on(ScriptedServer::start(|request, _| {
        match verify_signature(request, AK, SK) {
            Ok(()) => Reply::status(200, "ok", &[]),
            Err(why) => Reply::status(401, why, &[]),
        }
    }));
    let client = SecMasterClient::builder()
        .endpoint_url(&server.base_url)
        .unwrap()
        .credentials(Credentials::access_key(AK, SK).unwrap())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 1500,
        ..Config::default()
    });
    let sent = std::sync::atomic::AtomicUsize::new(0);
    runner
        .run(&(hostile(), hostile()), |(project, workspace)| {
            let before = server.requests().len();
            let result = runtime.block_on(async {
                let file = client
                    .export_workflows(&project, &workspace, &["id"])
                    .await?;
                let mut out = Vec::new();
                file.write_to(&mut out).await.map(|_| out)
            });
            let requests = server.requests();
            match result {
                Err(Error::InvalidInput(_)) => {
                    prop_assert_eq!(requests.len(), before, "refused, yet sent");
                }
                Err(e) => {
                    return Err(TestCaseError::fail(format!(
                        "{project:?} {workspace:?}: {e}"
                    )));
                }
                Ok(body) => {
                    sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    prop_assert_eq!(body, b"ok".to_vec(), "the signature verified");
                    let request = &requests[before];
                    let path = request.target.split('?').next().unwrap();
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
