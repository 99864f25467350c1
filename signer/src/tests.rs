//! Unit tests of the signer: the digests against published vectors,
//! canonical forms, the early returns, and a few of the official SDK's
//! vectors.

use super::*;
use std::time::{Duration, UNIX_EPOCH};

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// Signs a bodyless `GET /` to host `h` that carries `headers`, with key
/// pair `ak`/`sk` and these extras, at time 0.
fn sign_get(
    headers: &[(&str, &str)],
    security_token: Option<&str>,
    project_id: Option<&str>,
) -> Result<Signature, SignError> {
    let parts = RequestParts {
        method: "GET",
        path: "/",
        query: "",
        host: "h",
        headers,
        body: b"",
    };
    let key = SigningKey {
        access_key_id: "ak",
        secret_access_key: &SecretKey::new(b"sk"),
        security_token,
        project_id,
    };
    sign(&parts, &key, at(0))
}

#[test]
fn sha256_matches_fips_180_vectors() {
    assert_eq!(payload_hash(b""), EMPTY_SHA256);
    assert_eq!(
        payload_hash(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        payload_hash(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
}

#[test]
fn hmac_sha256_matches_rfc_4231() {
    // Test case 2.
    assert_eq!(
        SecretKey::new(b"Jefe").sign_hex(b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    // Test case 6: a key longer than the block is hashed first; a prepared
    // key signs many times with the same result.
    let key = SecretKey::new(&[0xaa; 131]);
    let data = b"Test Using Larger Than Block-Size Key - Hash Key First";
    let expected = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
    assert_eq!(key.sign_hex(data), expected);
    assert_eq!(key.sign_hex(data), expected);
}

#[test]
fn canonical_uri_decodes_then_encodes_each_segment() {
    assert_eq!(canonical_uri("/v1/p/export"), "/v1/p/export/");
    assert_eq!(canonical_uri("/v1/p/"), "/v1/p/");
    assert_eq!(canonical_uri("/v1/a%2Fb/x"), "/v1/a/b/x/");
    assert_eq!(canonical_uri("/v1/100%25/x"), "/v1/100%25/x/");
    assert_eq!(canonical_uri("/v1/a b/x"), "/v1/a%20b/x/");
    assert_eq!(canonical_uri("/v1/%C3%A9~_.-/x"), "/v1/%C3%A9~_.-/x/");
    assert_eq!(canonical_uri(""), "/");
}

#[test]
fn canonical_query_sorts_raw_pairs() {
    assert_eq!(canonical_query(""), "");
    assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
    assert_eq!(canonical_query("k"), "k=");
    assert_eq!(canonical_query("x=a%20b&y=%2B"), "x=a%20b&y=%2B");
    // Raw order: "a+b" < "a.b" < "a/b", though encoded "a%2B" < "a%2F" < "a.b".
    assert_eq!(
        canonical_query("a%2Fb=1&a.b=2&a%2Bb=3"),
        "a%2Bb=3&a.b=2&a%2Fb=1"
    );
}

#[test]
fn an_existing_authorization_is_left_alone() {
    let signature = sign_get(&[("Authorization", "Bearer x")], Some("t"), Some("p")).unwrap();
    assert_eq!(signature.details, None);
    assert_eq!(
        signature.headers,
        [
            ("X-Project-Id", "p".to_owned()),
            ("X-Security-Token", "t".to_owned())
        ]
    );
}

#[test]
fn a_malformed_caller_date_is_refused() {
    assert_eq!(
        sign_get(&[("x-sdk-date", "yesterday")], None, None),
        Err(SignError::BadDate)
    );
}

/// A few vectors from the official Python SDK (the whole set is the
/// workspace's `tests/data/signing-vectors.json`, run by secmaster-client's
/// tests), here so that the signer's own tests cover the signing steps.
#[test]
fn fixed_vectors_from_the_official_sdk() {
    struct Vector {
        name: &'static str,
        method: &'static str,
        path_tail: &'static str,
        query: &'static str,
        content_type: &'static str,
        body: &'static str,
        ak: &'static str,
        sk: &'static str,
        security_token: Option<&'static str>,
        now: u64,
        signed_headers: &'static str,
        string_to_sign_hash: &'static str,
        signature: &'static str,
    }
    const PROJECT: &str = "0123456789abcdef0123456789abcdef";
    const HOST: &str = "secmaster.cn-north-4.myhuaweicloud.com";
    const BODY: &str = r#"{"id": ["9f0c3a52-6a9e-4a55-b7d1-0a1b2c3d4e5f"]}"#;
    let vectors = [
        Vector {
            name: "export-one-id",
            method: "POST",
            path_tail: "/export",
            query: "",
            content_type: "application/json",
            body: BODY,
            ak: "HPUAFAKEAK0EXAMPLE01",
            sk: "FAKEsecretKEY0example0000000000000000000001",
            security_token: None,
            now: 1_795_870_072, // 20261128T124752Z
            signed_headers: "content-type;host;user-agent;x-project-id;x-sdk-date",
            string_to_sign_hash: "0e2eedce90bc77007001d6742adcb8c09df718cee4d59191bc86b9e1c51f613c",
            signature: "63fbbbad71dcd8366462b35feeb298faa02a8a33b992a443ef3ece3aa395e488",
        },
        Vector {
            name: "export-temporary-credentials",
            method: "POST",
            path_tail: "/export",
            query: "",
            content_type: "application/json",
            body: BODY,
            ak: "HPUBFAKETEMPAK0EXAMPLE02",
            sk: "FAKEtempSECRET0example000000000000000000002",
            security_token: Some("FAKEsecurityTOKEN0example+gQpjbi1ub3J0aC00/AAAA=="),
            now: 1_907_774_430, // 20300615T172030Z
            signed_headers: "content-type;host;user-agent;x-project-id;x-sdk-date;x-security-token",
            string_to_sign_hash: "a3a2acd6d8589703a45281a3956f2a24b55a3405dc3e574f5c8c23a32860b61a",
            signature: "0df7936de378e829cf0281f4945f157e8dca0ece2a4f869309b0a7100e7920f8",
        },
        Vector {
            name: "text-plain-body",
            method: "POST",
            path_tail: "/export",
            query: "",
            content_type: "text/plain",
            body: "hello, world\n",
            ak: "HPUAFAKEAK0EXAMPLE01",
            sk: "FAKEsecretKEY0example0000000000000000000001",
            security_token: None,
            now: 1_767_225_600, // 20260101T000000Z
            signed_headers: "content-type;host;user-agent;x-project-id;x-sdk-content-sha256;x-sdk-date",
            string_to_sign_hash: "07f603846a96edd4fbb6e2ff93697229298c790e74395311f8dc4026845b00a5",
            signature: "b71eedd777b197693904f08a538c48237b6f8c81ab464f350e3180df977a541e",
        },
        Vector {
            name: "query-special-values",
            method: "GET",
            path_tail: "",
            query: "amp=x%26y%3Dz&empty=&name=%E5%B7%A5%E4%BD%9C%E5%8C%BA%20%C3%A9&path=%2Fx%2Fy&pct=100%25&plus=1%2B1%3D2&q=a%20b&star=%2A%27%28%29%21&tilde=~user",
            content_type: "application/json",
            body: "",
            ak: "HPUAFAKEAK0EXAMPLE01",
            sk: "FAKEsecretKEY0example0000000000000000000001",
            security_token: None,
            now: 1_767_225_599, // 20251231T235959Z
            signed_headers: "content-type;host;user-agent;x-project-id;x-sdk-date",
            string_to_sign_hash: "b967a196dca2667a7705d7f591302f3f4f3aff678ed3a4ddc2579c31176e22d4",
            signature: "9394347bbeccf9f9d80c18ad8ca3c85ea4c424de708dbfd731b669aeaea6e253",
        },
    ];
    for v in vectors {
        let path = format!(
            "/v1/{PROJECT}/workspaces/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d/soc/workflows{}",
            v.path_tail
        );
        let parts = RequestParts {
            method: v.method,
            path: &path,
            query: v.query,
            host: HOST,
            headers: &[
                ("Content-Type", v.content_type),
                ("User-Agent", "huaweicloud-usdk-python/3.0"),
            ],
            body: v.body.as_bytes(),
        };
        let secret = SecretKey::new(v.sk.as_bytes());
        let key = SigningKey {
            access_key_id: v.ak,
            secret_access_key: &secret,
            security_token: v.security_token,
            project_id: Some(PROJECT),
        };
        let signature = sign(&parts, &key, at(v.now)).unwrap();
        let details = signature.details.expect("signed");
        assert_eq!(details.signed_headers, v.signed_headers, "{}", v.name);
        let (_, hash) = details.string_to_sign.rsplit_once('\n').unwrap();
        assert_eq!(hash, v.string_to_sign_hash, "{}", v.name);
        assert_eq!(details.signature, v.signature, "{}", v.name);
        let authorization = signature
            .headers
            .iter()
            .find(|(name, _)| *name == "Authorization")
            .map(|(_, value)| value.as_str());
        assert_eq!(
            authorization,
            Some(
                format!(
                    "SDK-HMAC-SHA256 Access={}, SignedHeaders={}, Signature={}",
                    v.ak, v.signed_headers, v.signature
                )
                .as_str()
            ),
            "{}",
            v.name
        );
    }
}

// `Debug` of the key, the signature and its details printed the security
// token in clear.
#[test]
fn debug_output_never_shows_the_security_token() {
    let token = "FAKE-security-token-ABCDEFGHIJ";
    let signature = sign_get(&[], Some(token), Some("p")).unwrap();
    assert!(
        signature
            .headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("x-security-token") && value == token),
        "the header itself carries the token"
    );
    let secret = SecretKey::new(b"sk");
    let key = SigningKey {
        access_key_id: "ak",
        secret_access_key: &secret,
        security_token: Some(token),
        project_id: None,
    };
    for shown in [format!("{signature:?}"), format!("{key:?}")] {
        assert!(!shown.contains(token), "{shown}");
        assert!(!shown.contains("sk\""), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
