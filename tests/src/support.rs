//! Small helpers shared by the integration tests.

use secmaster_client::{Credentials, RetryPolicy, SecMasterClient, Timeouts};

/// A fake IAM token: tests check that it never leaks.
pub const TOKEN: &str = "MIIZ-fake-token-for-tests-0123456789";
pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
pub const WORKSPACE: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
/// The workflow ID of the reference's example request.
pub const ID: &str = "c19470f3-5eaf-4572-82e8-2ff094495919";
/// The documented request content type.
pub const CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// A client with token credentials for a local server; no retries, so that
/// each test sees exactly one attempt (the fault tests set their own policy).
pub fn token_client(base_url: &str) -> SecMasterClient {
    token_client_with(base_url, Timeouts::default())
}

/// Like [`token_client`], with other time limits.
pub fn token_client_with(base_url: &str, timeouts: Timeouts) -> SecMasterClient {
    SecMasterClient::builder()
        .endpoint_url(base_url)
        .expect("a valid URL")
        .credentials(Credentials::token(TOKEN).expect("a valid token"))
        .timeouts(timeouts)
        .retry(RetryPolicy::none())
        .build()
        .expect("a client")
}

/// `len` bytes that are not all alike (a fixed xorshift sequence), so that a
/// shifted, dropped or repeated piece shows up in a comparison.
pub fn pseudo_random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}
