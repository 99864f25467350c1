//! The signer reproduces, byte for byte, what Huawei's official Python SDK
//! (huaweicloudsdkcore 3.1.219, huaweicloudsdksecmaster 3.1.219) produced for
//! the vectors in `tests/data/signing-vectors.json` (regenerate with
//! `tests/oracle/gen_signing_vectors.py`; this test needs no Python). The
//! vectors cover ExportAopworkflow, ListWorkflows (query filters),
//! ShowAopWorkflow and ImportAopworkflow (multipart, `UNSIGNED-PAYLOAD`), and
//! generic requests through the SDK's `call_api`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::signing_vectors;
use secmaster_client::Credentials;
use secmaster_client::signer::{RequestParts, SecretKey, SigningKey, canonical_query, sign};
use serde::Deserialize;

#[derive(Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    /// The SDK operation (`ListWorkflows`, ...); `None` for `call_api`.
    operation: Option<String>,
    credentials: VectorCredentials,
    now: String,
    method: String,
    endpoint: String,
    path: String,
    signed_path: String,
    /// The `(key, value)` pairs the SDK was given, in its order; values keep
    /// their JSON type (booleans and numbers in the ListWorkflows vectors).
    query: Vec<(String, serde_json::Value)>,
    query_string: String,
    request_headers: BTreeMap<String, String>,
    /// The body as text, or `None` when it is not UTF-8 (then `body_base64`).
    body: Option<String>,
    #[serde(default)]
    body_base64: Option<String>,
    #[serde(default)]
    multipart: Option<Multipart>,
    expected: Expected,
}

impl Vector {
    /// The body bytes as sent.
    fn body(&self) -> Vec<u8> {
        match (&self.body, &self.body_base64) {
            (Some(text), None) => text.as_bytes().to_vec(),
            (None, Some(encoded)) => base64_decode(encoded),
            _ => panic!("{}: exactly one of body, body_base64", self.name),
        }
    }
}

/// The one file part of an ImportAopworkflow vector.
#[derive(Deserialize)]
struct Multipart {
    boundary: String,
    field: String,
    filename: String,
    file_content_type: Option<String>,
    file_base64: String,
}

#[derive(Deserialize)]
struct VectorCredentials {
    ak: String,
    sk: String,
    security_token: Option<String>,
    project_id: Option<String>,
}

#[derive(Deserialize)]
struct Expected {
    headers: BTreeMap<String, String>,
    signed_headers: Option<String>,
    canonical_request: Option<String>,
    string_to_sign: Option<String>,
    signature: Option<String>,
}

fn vectors() -> Vec<Vector> {
    let file: File = serde_json::from_str(&signing_vectors()).unwrap();
    assert!(file.vectors.len() >= 20, "at least 20 vectors");
    file.vectors
}

fn of_operation(vectors: &[Vector], operation: &str) -> usize {
    vectors
        .iter()
        .filter(|v| v.operation.as_deref() == Some(operation))
        .count()
}

/// Standard base64 (with `=` padding), as the vectors hold bodies.
fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|e| panic!("not base64 ({e}): {text}"))
}

/// A query value as the SDK writes it: strings as they are, booleans
/// lower-case, numbers in decimal.
fn query_value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        other => panic!("unexpected query value {other}"),
    }
}

/// Percent-encodes every byte that is not an ASCII letter or digit, more
/// than the canonical form does (`-`, `.`, `_`, `~` too), so that turning it
/// into the canonical form is not a no-op.
fn over_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `YYYYMMDDTHHMMSSZ` to a time, independently of the signer's formatter.
fn parse_date(s: &str) -> SystemTime {
    let n = |range: std::ops::Range<usize>| s[range].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(4..6), n(6..8));
    let (y, m) = if m <= 2 { (y - 1, m + 12) } else { (y, m) };
    // Days from 1970-01-01 (the usual Gregorian day count).
    let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 719_469;
    let secs = days * 86_400 + n(9..11) * 3600 + n(11..13) * 60 + n(13..15);
    UNIX_EPOCH + Duration::from_secs(secs as u64)
}

fn host_of(endpoint: &str) -> &str {
    endpoint.split_once("://").unwrap().1.trim_end_matches('/')
}

#[test]
fn date_parser_agrees_with_known_instants() {
    assert_eq!(parse_date("19700101T000000Z"), UNIX_EPOCH);
    assert_eq!(
        parse_date("20261128T124752Z"),
        UNIX_EPOCH + Duration::from_secs(1_795_870_072)
    );
}

#[test]
fn signer_reproduces_every_vector() {
    let mut checked = 0;
    for v in vectors() {
        let body = v.body();
        let headers: Vec<(&str, &str)> = v
            .request_headers
            .iter()
            .map(|(k, val)| (k.as_str(), val.as_str()))
            .collect();
        let parts = RequestParts {
            method: &v.method,
            // What the SDK signed (it differs from the wire path only for a
            // `..` segment, which this client refuses to send).
            path: &v.signed_path,
            query: &v.query_string,
            host: host_of(&v.endpoint),
            headers: &headers,
            body: &body,
        };
        let key = SigningKey {
            access_key_id: &v.credentials.ak,
            secret_access_key: &SecretKey::new(v.credentials.sk.as_bytes()),
            security_token: v.credentials.security_token.as_deref(),
            project_id: v.credentials.project_id.as_deref(),
        };
        let signature =
            sign(&parts, &key, parse_date(&v.now)).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let added: BTreeMap<String, String> = signature
            .headers
            .iter()
            .map(|(k, val)| ((*k).to_owned(), val.clone()))
            .collect();
        assert_eq!(added, v.expected.headers, "{}: headers", v.name);
        match (&signature.details, &v.expected.signature) {
            (Some(details), Some(expected)) => {
                assert_eq!(
                    Some(&details.canonical_request),
                    v.expected.canonical_request.as_ref(),
                    "{}",
                    v.name
                );
                assert_eq!(
                    Some(&details.string_to_sign),
                    v.expected.string_to_sign.as_ref(),
                    "{}",
                    v.name
                );
                assert_eq!(
                    Some(&details.signed_headers),
                    v.expected.signed_headers.as_ref(),
                    "{}",
                    v.name
                );
                assert_eq!(&details.signature, expected, "{}", v.name);
            }
            (None, None) => {}
            (got, want) => panic!("{}: signed {:?}, expected {want:?}", v.name, got.is_some()),
        }
        checked += 1;
    }
    assert!(checked >= 20);
}

/// The same vectors through `Credentials::authorize`, which signs a real
/// `reqwest::Request` the way the client's hook does.
#[test]
fn authorize_on_a_request_reproduces_the_vectors() {
    let mut checked = 0;
    for v in vectors() {
        let url = reqwest::Url::parse(&format!(
            "{}{}{}{}",
            v.endpoint,
            v.path,
            if v.query_string.is_empty() { "" } else { "?" },
            v.query_string
        ))
        .unwrap();
        let url_host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap()),
            None => url.host_str().unwrap().to_owned(),
        };
        // A URL type lower-cases the host and drops a default port, and folds
        // `..`; the SDK signs the endpoint as written. Those vectors are
        // covered by the test above.
        if url_host != host_of(&v.endpoint)
            || v.path != v.signed_path
            || v.credentials.project_id.is_none()
        {
            continue;
        }
        let mut request = reqwest::Request::new(v.method.parse().unwrap(), url);
        for (name, value) in &v.request_headers {
            request.headers_mut().insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                reqwest::header::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
        let body = v.body();
        if !body.is_empty() {
            *request.body_mut() = Some(body.into());
        }
        let mut credentials =
            Credentials::access_key(&v.credentials.ak, &v.credentials.sk).unwrap();
        if let Some(token) = &v.credentials.security_token {
            credentials = credentials.with_security_token(token).unwrap();
        }
        credentials
            .authorize(
                &mut request,
                v.credentials.project_id.as_deref().unwrap(),
                parse_date(&v.now),
            )
            .unwrap();
        for (name, value) in &v.expected.headers {
            let sent = request.headers().get(name).map(|h| h.as_bytes());
            assert_eq!(sent, Some(value.as_bytes()), "{}: header {name}", v.name);
        }
        checked += 1;
    }
    assert!(
        checked >= 20,
        "only {checked} vectors went through authorize"
    );
}

/// The vectors for the workflow operations are all there, so the checks
/// above cannot pass by losing them.
#[test]
fn the_operations_are_covered() {
    let vectors = vectors();
    assert!(of_operation(&vectors, "ExportAopworkflow") >= 18);
    assert!(of_operation(&vectors, "ListWorkflows") >= 14);
    assert!(of_operation(&vectors, "ShowAopWorkflow") >= 3);
    assert!(of_operation(&vectors, "ImportAopworkflow") >= 7);
}

/// ListWorkflows: the query string the SDK sent is the canonical query
/// string of its filters, which is what `canonical_query` makes of the
/// filters written any other valid way (here: in the SDK's unsorted order,
/// every non-alphanumeric byte percent-encoded) and of the sent string itself.
#[test]
fn list_vectors_send_the_canonical_query() {
    let mut checked = 0;
    for v in vectors()
        .into_iter()
        .filter(|v| v.operation.as_deref() == Some("ListWorkflows"))
    {
        let written_otherwise = v
            .query
            .iter()
            .map(|(k, val)| format!("{}={}", over_encode(k), over_encode(&query_value_text(val))))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            canonical_query(&written_otherwise),
            v.query_string,
            "{}: canonical form of the filters",
            v.name
        );
        assert_eq!(
            canonical_query(&v.query_string),
            v.query_string,
            "{}: the sent query is canonical",
            v.name
        );
        // And it is the query line of the canonical request the SDK signed.
        let canonical_request = v.expected.canonical_request.as_deref().unwrap();
        assert_eq!(
            canonical_request.split('\n').nth(2),
            Some(v.query_string.as_str()),
            "{}",
            v.name
        );
        checked += 1;
    }
    assert!(checked >= 14, "only {checked} list vectors");
}

/// ImportAopworkflow: the body is the SDK's multipart framing of the one
/// file part (CRLF line ends, a `Content-Type` line only when the caller gave
/// one, the filename quoted the WHATWG way), and the payload is signed as
/// `UNSIGNED-PAYLOAD`, never hashed.
#[test]
fn import_vectors_are_multipart_and_unsigned_payload() {
    let mut checked = 0;
    for v in vectors()
        .into_iter()
        .filter(|v| v.operation.as_deref() == Some("ImportAopworkflow"))
    {
        let form = v
            .multipart
            .as_ref()
            .expect("an import vector has a multipart part");
        assert_eq!(
            v.request_headers.get("Content-Type").map(String::as_str),
            Some(format!("multipart/form-data; boundary={}", form.boundary).as_str()),
            "{}",
            v.name
        );
        let filename = form
            .filename
            .replace('\n', "%0A")
            .replace('\r', "%0D")
            .replace('"', "%22");
        let mut framed = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\n",
            form.boundary, form.field
        );
        if let Some(content_type) = &form.file_content_type {
            framed.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        framed.push_str("\r\n");
        let mut framed = framed.into_bytes();
        framed.extend(base64_decode(&form.file_base64));
        framed.extend(format!("\r\n--{}--\r\n", form.boundary).into_bytes());
        assert_eq!(
            v.body().escape_ascii().to_string(),
            framed.escape_ascii().to_string(),
            "{}: multipart body",
            v.name
        );

        assert_eq!(
            v.expected
                .headers
                .get("X-Sdk-Content-Sha256")
                .map(String::as_str),
            Some("UNSIGNED-PAYLOAD"),
            "{}",
            v.name
        );
        let canonical_request = v.expected.canonical_request.as_deref().unwrap();
        assert!(
            canonical_request.ends_with("\nUNSIGNED-PAYLOAD"),
            "{}: payload hash",
            v.name
        );
        checked += 1;
    }
    assert!(checked >= 7, "only {checked} import vectors");
}
