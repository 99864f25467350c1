//! Time to sign one export request (SDK-HMAC-SHA256): `cargo bench -p
//! secmaster-signer --bench signing`. Prints the median of 31 batches, with
//! min and max; asserts nothing (timings are for reading, not for CI).

use std::hint::black_box;
use std::time::{Duration, Instant, SystemTime};

use secmaster_signer::{RequestParts, SecretKey, SigningKey, sign};

fn main() {
    let body = br#"{"id":["c19470f3-5eaf-4572-82e8-2ff094495919"]}"#;
    let headers = [
        ("content-type", "application/json;charset=UTF-8"),
        ("user-agent", "secmaster-client/0.1.0"),
    ];
    let parts = RequestParts {
        method: "POST",
        path: "/v1/0123456789abcdef0123456789abcdef/workspaces/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/soc/workflows/export",
        query: "",
        host: "secmaster.cn-north-4.myhuaweicloud.com",
        headers: &headers,
        body,
    };
    let key = SigningKey {
        access_key_id: "HPUAFAKEAK0EXAMPLE01",
        secret_access_key: &SecretKey::new(b"FAKEsecretKEY0example0000000000000000000001"),
        security_token: None,
        project_id: Some("0123456789abcdef0123456789abcdef"),
    };
    let now = SystemTime::now();
    let quick = std::env::args().any(|a| a == "--quick");
    let (batches, per_batch) = if quick { (3, 1_000) } else { (31, 20_000) };

    // Warm-up.
    for _ in 0..per_batch {
        black_box(sign(black_box(&parts), &key, now).unwrap());
    }
    let mut per_signature: Vec<Duration> = (0..batches)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..per_batch {
                black_box(sign(black_box(&parts), &key, now).unwrap());
            }
            started.elapsed() / per_batch
        })
        .collect();
    per_signature.sort();
    println!(
        "sign one export request: median {} ns (min {} ns, max {} ns) over {batches} batches of {per_batch}",
        per_signature[batches as usize / 2].as_nanos(),
        per_signature[0].as_nanos(),
        per_signature[batches as usize - 1].as_nanos(),
    );
}
