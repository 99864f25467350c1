//! The official Python SDK's requests, byte for byte as it sent them
//! (recorded in tests/data/signing-vectors.json by the oracle script), are
//! accepted: the signature checks out and the document allows them.

use std::time::Duration;

use crate::support::{decode_base64, raw, sim};
use serde_json::Value;

const VECTORS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/data/signing-vectors.json"
));
/// The vectors' operations that the simulator serves.
const OPERATIONS: [&str; 4] = [
    "ExportAopworkflow",
    "ListWorkflows",
    "ShowAopWorkflow",
    "ImportAopworkflow",
];

fn body_of(vector: &Value) -> Vec<u8> {
    if let Some(text) = vector["body"].as_str() {
        return text.as_bytes().to_vec();
    }
    let encoded = vector["body_base64"].as_str().unwrap_or_default();
    decode_base64(encoded)
}

#[tokio::test]
async fn every_recorded_sdk_request_passes_authentication_and_validation() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let mut replayed = 0;
    for vector in vectors["vectors"].as_array().unwrap() {
        if !OPERATIONS.contains(&vector["operation"].as_str().unwrap_or_default()) {
            continue;
        }
        let name = vector["name"].as_str().unwrap();
        let credentials = &vector["credentials"];
        let sim = sim()
            .access_key(
                credentials["ak"].as_str().unwrap(),
                credentials["sk"].as_str().unwrap(),
            )
            // Recorded requests carry the date of their recording.
            .max_clock_skew(None)
            .start()
            .await
            .unwrap();
        let wire = &vector["wire"];
        let mut request = format!("{}\r\n", wire["request_line"].as_str().unwrap()).into_bytes();
        for header in wire["headers"].as_array().unwrap() {
            request.extend_from_slice(
                format!(
                    "{}: {}\r\n",
                    header[0].as_str().unwrap(),
                    header[1].as_str().unwrap()
                )
                .as_bytes(),
            );
        }
        request.extend_from_slice(b"\r\n");
        request.extend_from_slice(&body_of(vector));
        let (answer, _) = raw(sim.addr(), &request, Duration::from_millis(500)).await;
        assert!(!answer.bytes.is_empty(), "{name}: no answer");

        // One vector shows requests dropping a `..` segment after signing:
        // what arrives is not what was signed, nor a documented path.
        let request_line = wire["request_line"].as_str().unwrap();
        if !request_line.contains(&format!(" {}", vector["signed_path"].as_str().unwrap())) {
            assert_eq!(answer.status(), Some(404), "{name}: {}", answer.head());
            continue;
        }
        let records = sim.requests();
        let record = records
            .first()
            .unwrap_or_else(|| panic!("{name}: not logged"));
        assert!(
            record.auth.starts_with("ok: signature"),
            "{name}: {}",
            record.auth
        );
        assert_eq!(record.validation, "ok", "{name}");
        replayed += 1;
    }
    assert!(
        replayed >= 20,
        "only {replayed} recorded requests for the served operations"
    );
}

#[test]
fn base64_decodes() {
    assert_eq!(decode_base64("TWFu"), b"Man");
    assert_eq!(decode_base64("TWE="), b"Ma");
    assert_eq!(decode_base64("TQ=="), b"M");
}
