//! What tests that run against the simulator share: fake credentials, IDs in
//! the shape of real ones, and the bytes a synthetic export sends.
//!
//! The simulator is the workspace's one test server: its own tests, the
//! command's tests (`secmaster-cli`) and the client's behaviour tests
//! (`secmaster-client`) all start one and give it these credentials, so the
//! fakes are written once, here. None of them is valid anywhere; tests that
//! check a secret never leaks look for these exact strings.
//!
//! ```
//! use secmaster_sim::Simulator;
//! use secmaster_sim::testing::{AK, SK, TOKEN};
//!
//! let builder = Simulator::builder().access_key(AK, SK).token(TOKEN);
//! # drop(builder);
//! ```

use crate::faults::{Fault, FaultAction};

/// A fake access key ID (AK), in the shape of a real one. The official
/// SDK's signing vectors (`tests/data/signing-vectors.json`) use it too.
pub const AK: &str = "HPUAFAKEAK0EXAMPLE01";
/// Its fake secret access key (SK).
pub const SK: &str = "FAKEsecretKEY0example0000000000000000000001";
/// A fake security token, as temporary access keys carry.
pub const SECURITY_TOKEN: &str = "FAKE-security-token-ABCDEFGHIJ";
/// A fake IAM token (`X-Auth-Token`).
pub const TOKEN: &str = "MIIZ-fake-token-for-tests-0123456789";
/// A project ID in the shape of a real one (32 hex digits).
pub const PROJECT: &str = "0123456789abcdef0123456789abcdef";
/// A workspace ID in the shape of a real one (a UUID).
pub const WORKSPACE: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

/// What a simulator with [`export_size(len)`](crate::SimulatorBuilder::export_size)
/// sends: byte `i` is `i % 251` ([`EXPORT_PATTERN_PERIOD`](crate::EXPORT_PATTERN_PERIOD)).
pub fn export_pattern(len: usize) -> Vec<u8> {
    (0..len as u64)
        .map(|i| (i % crate::body::PERIOD) as u8)
        .collect()
}

/// A rule answering `status` with exactly `body` and these headers to every
/// request for `operation` (set `times` on the result for fewer): what the
/// spec form cannot say, such as a body or a header value with a comma.
pub fn answer(operation: &str, status: u16, body: &str, headers: &[(&str, &str)]) -> Fault {
    Fault {
        operation: operation.to_owned(),
        action: FaultAction::Status {
            status,
            retry_after: None,
            body: Some(body.to_owned()),
        },
        times: None,
        headers: headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// A fault rule from its spec form (`export_workflows=503,times=1`);
/// panics, with the reason, when the spec is not one.
pub fn fault(spec: &str) -> Fault {
    Fault::parse(spec).unwrap_or_else(|e| panic!("{e}"))
}
