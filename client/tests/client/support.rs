//! What the integration tests share: the fake credentials, the SDK's
//! captured requests, clients for a local server, and the simulator set up the usual way.

use std::path::PathBuf;
use std::time::Instant;

use secmaster_client::{
    Credentials, RetryPolicy, SecMasterClient, SecMasterClientBuilder, Timeouts,
};
use secmaster_sim::workflow::seeded;
use secmaster_sim::{ExportFile, RequestRecord, Simulator, SimulatorBuilder};

/// The fake credentials (tests check that the secrets never leak) and IDs
/// that every user of the simulator shares, the bytes of its synthetic
/// exports, and fault rules from their spec form.
pub use secmaster_sim::testing::{
    AK, PROJECT, SECURITY_TOKEN, SK, TOKEN, WORKSPACE, answer, export_pattern, fault,
};
/// The workflow ID of the reference's example request.
pub const ID: &str = "c19470f3-5eaf-4572-82e8-2ff094495919";
/// The documented request content type.
pub const CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// The official SDK's requests and signatures, which the signer's own tests
/// check byte for byte (`tests/data/signing-vectors.json` of the
/// workspace).
pub fn signing_vectors() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/data/signing-vectors.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A simulator that takes [`AK`]/[`SK`] signatures and the [`TOKEN`], and
/// checks every request against the document.
pub fn sim() -> SimulatorBuilder {
    Simulator::builder().access_key(AK, SK).token(TOKEN)
}

/// Starts `builder` with workflow [`ID`] in [`PROJECT`]/[`WORKSPACE`], so
/// that exporting it succeeds.
pub async fn start(builder: SimulatorBuilder) -> Simulator {
    let sim = builder.start().await.expect("the simulator starts");
    let mut example = seeded(PROJECT, WORKSPACE, 1);
    example.id = ID.to_owned();
    sim.insert_workflow(example);
    sim
}

/// The ids in a file the simulator exported.
pub fn exported_ids(file: &[u8]) -> Vec<String> {
    let file: ExportFile = serde_json::from_slice(file).expect("a simulator export file");
    file.workflows.into_iter().map(|w| w.id).collect()
}

/// Panics unless the simulator verified every request's signature by [`AK`].
pub fn assert_all_signed(sim: &Simulator) {
    let records = sim.requests();
    assert!(!records.is_empty(), "no request reached the simulator");
    for r in records {
        assert!(
            r.auth.starts_with(&format!("ok: signature by {AK}")),
            "{} {}: {}",
            r.method,
            r.path,
            r.auth
        );
    }
}

/// The most requests the simulator held at one moment: a request is inside
/// from its arrival until its answer started (a request never answered
/// counts as inside to the end).
pub fn max_in_flight(records: &[RequestRecord]) -> usize {
    let inside =
        |r: &RequestRecord, t: Instant| r.received_at <= t && r.answered_at.is_none_or(|a| t < a);
    records
        .iter()
        .map(|r| records.iter().filter(|o| inside(o, r.received_at)).count())
        .max()
        .unwrap_or(0)
}

/// A client builder signing with [`AK`]/[`SK`], without retries.
pub fn aksk_builder(base_url: &str) -> SecMasterClientBuilder {
    SecMasterClient::builder()
        .endpoint(base_url)
        .expect("a valid URL")
        .credentials(Credentials::access_key(AK, SK).expect("a valid key pair"))
        .retry(RetryPolicy::none())
}

/// A client signing with [`AK`]/[`SK`], without retries.
pub fn aksk_client(base_url: &str) -> SecMasterClient {
    aksk_builder(base_url).build().expect("a client")
}

/// A client with token credentials for a local server; no retries, so that
/// each test sees exactly one attempt (the fault tests set their own policy).
pub fn token_client(base_url: &str) -> SecMasterClient {
    token_client_with(base_url, Timeouts::default())
}

/// Like [`token_client`], with other time limits.
pub fn token_client_with(base_url: &str, timeouts: Timeouts) -> SecMasterClient {
    SecMasterClient::builder()
        .endpoint(base_url)
        .expect("a valid URL")
        .credentials(Credentials::token(TOKEN).expect("a valid token"))
        .timeouts(timeouts)
        .retry(RetryPolicy::none())
        .build()
        .expect("a client")
}

/// `len` letters and digits that are not all alike (a fixed xorshift
/// sequence), so that a shifted, dropped or repeated piece shows up in a
/// comparison; text, as the simulator's scripted answers are.
pub fn pseudo_random_text(len: usize) -> String {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(ALPHABET[(state >> 24) as usize % ALPHABET.len()])
        })
        .collect()
}
