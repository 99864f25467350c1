#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::time::SystemTime;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

mod dates;
mod digest;

/// The algorithm name, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
const HEADER_DATE: &str = "X-Sdk-Date";
/// The header that may carry the body's hex SHA-256, or
/// [`UNSIGNED_PAYLOAD`], in place of hashing the body.
pub const HEADER_CONTENT_SHA256: &str = "X-Sdk-Content-Sha256";
/// The [`HEADER_CONTENT_SHA256`] value that leaves the body out of the
/// signature (set for bodies other than JSON, as the official SDK does).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Hex SHA-256 of nothing.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded (upper-case hex).
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The request as it will be sent.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path as sent, percent-encoded (`/v1/a%2Fb/...`).
    pub path: &'a str,
    /// The query string as sent, without `?` (empty for none).
    pub query: &'a str,
    /// The `Host` header value: host, and `:port` when the URL has one.
    pub host: &'a str,
    /// Headers already on the request, in any case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body bytes (empty for none).
    pub body: &'a [u8],
}

/// A secret access key made ready for HMAC-SHA256 once (the key's inner and
/// outer pads are hashed when it is made, not on every signature). `Debug`
/// shows nothing of it.
#[derive(Clone)]
pub struct SecretKey(digest::HmacKey);

impl SecretKey {
    /// Prepares `secret_access_key` (the SK's bytes).
    pub fn new(secret_access_key: &[u8]) -> Self {
        // HMAC takes a key of any length (a long one is hashed first).
        SecretKey(digest::HmacKey::new(secret_access_key))
    }

    /// Hex HMAC-SHA256 of `data` under this key.
    fn sign_hex(&self, data: &[u8]) -> String {
        hex(&self.0.sign(data))
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Who signs. `Debug` shows the access key ID and project, never the
/// secret key or the security token.
#[derive(Clone, Copy)]
pub struct SigningKey<'a> {
    /// Access key ID (AK).
    pub access_key_id: &'a str,
    /// Secret access key (SK), prepared.
    pub secret_access_key: &'a SecretKey,
    /// Security token of temporary credentials.
    pub security_token: Option<&'a str>,
    /// Project ID, sent as `X-Project-Id`.
    pub project_id: Option<&'a str>,
}

/// The outcome: headers to add, and the intermediate strings (for tests and
/// for diagnosing a signature mismatch with the gateway). `Debug` shows the
/// security token's header and canonical line as `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// Headers to add to the request, in this order.
    pub headers: Vec<(&'static str, String)>,
    /// `None` when the request already carried an `Authorization` header.
    pub details: Option<SignatureDetails>,
}

/// The strings the signature was computed from.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureDetails {
    /// Lower-case names of the signed headers, sorted, joined by `;`.
    pub signed_headers: String,
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Hex HMAC-SHA256 of the string to sign.
    pub signature: String,
}

/// The header that carries a temporary credential's security token.
const SECURITY_TOKEN_HEADER: &str = "x-security-token";

impl std::fmt::Debug for SigningKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("security_token", &self.security_token.map(|_| "<redacted>"))
            .field("project_id", &self.project_id)
            .finish()
    }
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(
                |(name, value)| match name.eq_ignore_ascii_case(SECURITY_TOKEN_HEADER) {
                    true => (*name, "<redacted>"),
                    false => (*name, value.as_str()),
                },
            )
            .collect();
        f.debug_struct("Signature")
            .field("headers", &headers)
            .field("details", &self.details)
            .finish()
    }
}

impl std::fmt::Debug for SignatureDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The canonical request holds every signed header's value.
        let canonical: Vec<&str> = self
            .canonical_request
            .split('\n')
            .map(|line| match line.split_once(':') {
                Some((name, _)) if name == SECURITY_TOKEN_HEADER => "x-security-token:<redacted>",
                _ => line,
            })
            .collect();
        f.debug_struct("SignatureDetails")
            .field("signed_headers", &self.signed_headers)
            .field("canonical_request", &canonical.join("\n"))
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish()
    }
}

/// Why a request cannot be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignError {
    /// A caller-supplied `X-Sdk-Date` is not `YYYYMMDDTHHMMSSZ`.
    BadDate,
    /// The clock is before 1970 or after 9999.
    ClockOutOfRange,
}

impl std::fmt::Display for SignError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignError::BadDate => f.write_str("X-Sdk-Date is not of the form YYYYMMDDTHHMMSSZ"),
            SignError::ClockOutOfRange => f.write_str("the clock is outside 1970..9999"),
        }
    }
}

impl std::error::Error for SignError {}

/// Signs `request` with `key` at time `now`.
pub fn sign(
    request: &RequestParts<'_>,
    key: &SigningKey<'_>,
    now: SystemTime,
) -> Result<Signature, SignError> {
    let mut added: Vec<(&'static str, String)> = Vec::new();
    if let Some(project_id) = key.project_id {
        added.push(("X-Project-Id", project_id.to_owned()));
    }
    if let Some(token) = key.security_token {
        added.push(("X-Security-Token", token.to_owned()));
    }
    let existing = |name: &str| {
        request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    };
    if existing("authorization").is_some() {
        // Already authorised by the caller: nothing to sign.
        return Ok(Signature {
            headers: added,
            details: None,
        });
    }
    let content_type = existing("content-type");
    if content_type.is_some_and(|ct| {
        !ct.starts_with("application/json") && !ct.starts_with("application/bson")
    }) {
        added.push((HEADER_CONTENT_SHA256, UNSIGNED_PAYLOAD.to_owned()));
    }
    let date = match existing(HEADER_DATE) {
        Some(date) if dates::is_basic(date) => date.to_owned(),
        Some(_) => return Err(SignError::BadDate),
        None => {
            let date = format_basic_date(now)?;
            added.push((HEADER_DATE, date.clone()));
            date
        }
    };
    if existing("host").is_none() {
        added.push(("Host", request.host.to_owned()));
    }

    // Every header, lower-cased and trimmed; names with `_` are not signed.
    let mut canonical: Vec<(String, &str)> = request
        .headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim()))
        .chain(
            added
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.trim())),
        )
        .filter(|(n, _)| !n.contains('_'))
        .collect();
    canonical.sort_by(|a, b| a.0.cmp(&b.0));
    canonical.dedup_by(|later, earlier| later.0 == earlier.0);
    let signed_headers = canonical
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");

    let body_hash = if request.body.is_empty() {
        EMPTY_SHA256.to_owned()
    } else {
        match canonical
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(HEADER_CONTENT_SHA256))
        {
            Some((_, value)) if !value.is_empty() => (*value).to_owned(),
            _ => payload_hash(request.body),
        }
    };

    let mut canonical_request = String::with_capacity(512);
    canonical_request.push_str(&request.method.to_ascii_uppercase());
    canonical_request.push('\n');
    push_canonical_uri(&mut canonical_request, request.path);
    canonical_request.push('\n');
    canonical_request.push_str(&canonical_query(request.query));
    canonical_request.push('\n');
    for (name, value) in &canonical {
        for piece in [name.as_str(), ":", value, "\n"] {
            canonical_request.push_str(piece);
        }
    }
    for piece in ["\n", &signed_headers, "\n", &body_hash] {
        canonical_request.push_str(piece);
    }

    let mut string_to_sign = String::with_capacity(ALGORITHM.len() + date.len() + 66);
    for piece in [ALGORITHM, "\n", &date, "\n"] {
        string_to_sign.push_str(piece);
    }
    string_to_sign.push_str(&payload_hash(canonical_request.as_bytes()));
    let signature = key.secret_access_key.sign_hex(string_to_sign.as_bytes());

    added.push((
        "Authorization",
        format!(
            "{ALGORITHM} Access={}, SignedHeaders={signed_headers}, Signature={signature}",
            key.access_key_id
        ),
    ));
    Ok(Signature {
        headers: added,
        details: Some(SignatureDetails {
            signed_headers,
            canonical_request,
            string_to_sign,
            signature,
        }),
    })
}

/// Decodes the path, then encodes each segment; always ends with `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len() + 1);
    push_canonical_uri(&mut uri, path);
    uri
}

fn push_canonical_uri(out: &mut String, path: &str) {
    let start = out.len();
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    for (i, segment) in decoded.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.extend(utf8_percent_encode(segment, ENCODE));
    }
    if !out[start..].ends_with('/') {
        out.push('/');
    }
}

/// Decodes the `k=v` pairs, sorts them by raw key then raw value, and
/// encodes both the same way as path segments.
pub fn canonical_query(query: &str) -> String {
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    canonical_query_of_pairs(
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => (decode(k), decode(v)),
                None => (decode(pair), String::new()),
            })
            .collect(),
    )
}

/// The canonical query of raw (decoded) pairs: sorted by key then value,
/// each encoded leaving only `A-Z a-z 0-9 - _ . ~` bare, joined by `&`.
pub fn canonical_query_of_pairs(mut pairs: Vec<(String, String)>) -> String {
    pairs.sort();
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, ENCODE));
        out.push('=');
        out.extend(utf8_percent_encode(v, ENCODE));
    }
    out
}

/// `YYYYMMDDTHHMMSSZ` in UTC.
pub fn format_basic_date(now: SystemTime) -> Result<String, SignError> {
    dates::format_basic(now).ok_or(SignError::ClockOutOfRange)
}

/// Reads an `X-Sdk-Date` value (`YYYYMMDDTHHMMSSZ`, UTC); `None` when it is
/// not one. For a verifier that checks how far the date is from its clock.
pub fn parse_basic_date(value: &str) -> Option<SystemTime> {
    dates::parse_basic(value)
}

/// Hex SHA-256 of `body`: the last line of the canonical request when the
/// body is signed, and what a verifier compares a signed
/// [`HEADER_CONTENT_SHA256`] value with.
pub fn payload_hash(body: &[u8]) -> String {
    hex(&digest::sha256(body))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests;
