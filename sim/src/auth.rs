//! Credentials checked as the API gateway checks them: an IAM token in
//! `X-Auth-Token`, or an SDK-HMAC-SHA256 signature recomputed from the
//! request as it arrived. The signature is recomputed with the client's own
//! signer, so the workspace has one implementation of the mechanism.

use std::time::{Duration, SystemTime};

use secmaster_signer::{
    ALGORITHM, RequestParts, SecretKey, SigningKey, UNSIGNED_PAYLOAD, parse_basic_date,
    payload_hash, sign,
};

use crate::secret::{Secret, constant_time_eq};

/// How far `X-Sdk-Date` may be from the gateway's clock, either way: 15
/// minutes, as Huawei Cloud's API request signing guide states for the API
/// gateway.
pub const GATEWAY_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// The request as received.
pub struct Received<'a> {
    pub method: &'a str,
    /// Raw path, as sent (still percent-encoded).
    pub path: &'a str,
    /// Raw query, without `?`.
    pub query: &'a str,
    /// Every header, names in any case.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// `Some(length)` when the body was read and dropped (`drain_imports`):
    /// `body` is then empty.
    pub drained: Option<u64>,
}

/// Which credentials the simulator accepts.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    pub token: Option<Secret>,
    pub access_key: Option<(String, SecretKey)>,
    /// Signed requests must also carry this `X-Security-Token`, signed, as
    /// temporary access keys do.
    pub security_token: Option<Secret>,
    /// A signed request whose `X-Sdk-Date` is further than this from the
    /// simulator's clock is refused; `None` accepts any date.
    pub max_clock_skew: Option<Duration>,
}

impl AuthConfig {
    /// `Ok` with how the caller proved itself, or `Err` with why not (the
    /// text goes into the 401 body and the log).
    pub fn check(&self, request: &Received<'_>) -> Result<String, String> {
        if self.token.is_none() && self.access_key.is_none() {
            return Ok("not checked (no credentials configured)".into());
        }
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        if let (Some((ak, sk)), Some(authorization)) = (&self.access_key, header("authorization"))
            && authorization.starts_with(ALGORITHM)
        {
            if let Some(limit) = self.max_clock_skew {
                check_clock(header("x-sdk-date"), limit, SystemTime::now())?;
            }
            verify(request, authorization, ak, sk)?;
            return match &self.security_token {
                None => Ok(format!("signature by {ak}")),
                Some(expected) => check_security_token(request, authorization, expected)
                    .map(|()| format!("signature by {ak} with its security token")),
            };
        }
        if let Some(expected) = &self.token {
            return match header("x-auth-token") {
                Some(given) if expected.matches(given) => Ok("token".into()),
                Some(_) => Err("the X-Auth-Token is not the one configured".into()),
                None if self.access_key.is_some() => Err(
                    "neither an X-Auth-Token nor an SDK-HMAC-SHA256 Authorization header".into(),
                ),
                None => Err("no X-Auth-Token header".into()),
            };
        }
        Err("no SDK-HMAC-SHA256 Authorization header".into())
    }
}

/// The gateway's date check: `X-Sdk-Date` must be a date, and no further
/// than `limit` from `now`, before or after.
fn check_clock(date: Option<&str>, limit: Duration, now: SystemTime) -> Result<(), String> {
    let date = date.ok_or("no X-Sdk-Date header")?;
    let sent = parse_basic_date(date)
        .ok_or_else(|| format!("X-Sdk-Date {date:?} is not a YYYYMMDDTHHMMSSZ date"))?;
    let (apart, way) = match now.duration_since(sent) {
        Ok(behind) => (behind, "behind"),
        Err(ahead) => (ahead.duration(), "ahead of"),
    };
    if apart > limit {
        return Err(format!(
            "X-Sdk-Date {date} is {} s {way} the gateway's clock, more than the {} s allowed (check the client's clock)",
            apart.as_secs(),
            limit.as_secs()
        ));
    }
    Ok(())
}

/// The fields of `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`.
pub fn authorization_fields(value: &str) -> Option<(&str, &str, &str)> {
    let rest = value.strip_prefix(ALGORITHM)?.strip_prefix(' ')?;
    let field = |name: &str| {
        rest.split(',')
            .find_map(|part| part.trim().strip_prefix(name)?.strip_prefix('='))
    };
    Some((
        field("Access")?,
        field("SignedHeaders")?,
        field("Signature")?,
    ))
}

/// The gateway accepts a temporary access key only with its security token,
/// which must be among the signed headers.
fn check_security_token(
    request: &Received<'_>,
    authorization: &str,
    expected: &Secret,
) -> Result<(), String> {
    let given = request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-security-token"))
        .map(|(_, v)| v.as_str())
        .ok_or("no X-Security-Token header for the temporary access key")?;
    if !expected.matches(given) {
        return Err("the X-Security-Token is not the one configured".into());
    }
    let signed = authorization_fields(authorization).map_or("", |(_, signed, _)| signed);
    if !signed.split(';').any(|h| h == "x-security-token") {
        return Err("the X-Security-Token is not signed".into());
    }
    Ok(())
}

fn verify(
    request: &Received<'_>,
    authorization: &str,
    ak: &str,
    sk: &SecretKey,
) -> Result<(), String> {
    let (access, signed_headers, claimed) =
        authorization_fields(authorization).ok_or("the Authorization header is malformed")?;
    if access != ak {
        return Err(format!("unknown access key {access}"));
    }
    // Only the headers the caller says it signed take part, as the gateway does.
    let mut headers: Vec<(&str, &str)> = Vec::new();
    for name in signed_headers.split(';') {
        let (_, value) = request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("signed header {name} is missing"))?;
        headers.push((name, value));
    }
    let host = headers
        .iter()
        .find(|(n, _)| *n == "host")
        .map(|(_, v)| *v)
        .ok_or("the Host header is not signed")?;
    let claimed_hash = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-sdk-content-sha256"))
        .map(|(_, v)| v.trim());
    let body = signed_body(request, claimed_hash)?;
    let parts = RequestParts {
        method: request.method,
        path: request.path,
        query: request.query,
        host,
        headers: &headers,
        body,
    };
    let key = SigningKey {
        access_key_id: ak,
        secret_access_key: sk,
        security_token: None,
        project_id: None,
    };
    // The date comes from the signed X-Sdk-Date; the clock is only used by
    // `sign` when that header is absent, and then the header lists differ.
    let expected = sign(&parts, &key, SystemTime::now()).map_err(|e| e.to_string())?;
    let details = expected.details.ok_or("nothing was signed")?;
    if details.signed_headers != signed_headers {
        return Err(format!(
            "SignedHeaders {signed_headers} should be {} (X-Sdk-Date, Host and, for non-JSON bodies, X-Sdk-Content-Sha256 must be signed; names lower case and sorted)",
            details.signed_headers
        ));
    }
    if !constant_time_eq(details.signature.as_bytes(), claimed.as_bytes()) {
        return Err("the signature does not match the request".into());
    }
    Ok(())
}

/// The body as the signer should see it. A signed `X-Sdk-Content-Sha256`
/// stands for the body in the signature, so unless it is
/// `UNSIGNED-PAYLOAD` it must be the body's own hash: otherwise a signature
/// made for one body would carry any other.
fn signed_body<'a>(request: &Received<'a>, claimed: Option<&str>) -> Result<&'a [u8], String> {
    let unsigned = claimed == Some(UNSIGNED_PAYLOAD);
    match request.drained {
        Some(0) | None => {}
        // Not kept, so its hash cannot be checked.
        Some(_) if !unsigned => return Err(
            "a drained import body (drain_imports) is not kept, so it must be signed with X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD".into(),
        ),
        // Any bytes: the signer only needs to know there was a body, and
        // then takes UNSIGNED-PAYLOAD from the header.
        Some(_) => return Ok(b"(drained)"),
    }
    if let Some(claimed) = claimed
        && !unsigned
        && !claimed.eq_ignore_ascii_case(&payload_hash(request.body))
    {
        return Err("X-Sdk-Content-Sha256 is not the SHA-256 of the body received".into());
    }
    Ok(request.body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 2026-11-28T12:47:52Z.
    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_870_072)
    }

    #[test]
    fn dates_within_the_limit_either_way_pass() {
        let limit = GATEWAY_CLOCK_SKEW;
        for date in ["20261128T124752Z", "20261128T123252Z", "20261128T130252Z"] {
            assert_eq!(check_clock(Some(date), limit, now()), Ok(()), "{date}");
        }
        let behind = check_clock(Some("20261128T123251Z"), limit, now()).unwrap_err();
        assert!(
            behind.contains("901 s behind") && behind.contains("900 s allowed"),
            "{behind}"
        );
        let ahead = check_clock(Some("20261128T130253Z"), limit, now()).unwrap_err();
        assert!(ahead.contains("901 s ahead of"), "{ahead}");
        assert!(
            check_clock(None, limit, now())
                .unwrap_err()
                .contains("no X-Sdk-Date")
        );
        let bad = check_clock(Some("2026-11-28"), limit, now()).unwrap_err();
        assert!(bad.contains("not a YYYYMMDDTHHMMSSZ date"), "{bad}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Any header value: no panic, and it passes only when it is a date
        /// within the limit.
        #[test]
        fn any_date_header_is_judged_without_panicking(value in any::<String>(), limit in 0u64..100_000) {
            let limit = Duration::from_secs(limit);
            if check_clock(Some(&value), limit, now()).is_ok() {
                let sent = parse_basic_date(&value).expect("a date");
                let apart = now().duration_since(sent).unwrap_or_else(|e| e.duration());
                prop_assert!(apart <= limit);
            }
        }

        /// Any claimed body hash, with the body kept or drained: no panic,
        /// and the body goes on to the signature check only when the claim
        /// is absent, UNSIGNED-PAYLOAD, or the hash of the body received.
        #[test]
        fn any_claimed_body_hash_is_judged_without_panicking(
            body in proptest::collection::vec(any::<u8>(), 0..64),
            claim in 0..5u8,
            other in any::<String>(),
            drained in proptest::option::of(0u64..3),
        ) {
            let hash = payload_hash(&body);
            let claimed = match claim {
                0 => None,
                1 => Some(UNSIGNED_PAYLOAD.to_owned()),
                2 => Some(hash.clone()),
                3 => Some(hash.to_ascii_uppercase()),
                _ => Some(other),
            };
            let received = Received {
                method: "POST",
                path: "/",
                query: "",
                headers: &[],
                body: if drained.is_some() { b"" } else { &body },
                drained,
            };
            let passed = signed_body(&received, claimed.as_deref()).is_ok();
            let honest = match (claimed.as_deref(), drained) {
                (Some(UNSIGNED_PAYLOAD), _) | (None, None) => true,
                (None, Some(length)) => length == 0,
                (Some(c), None) => c.eq_ignore_ascii_case(&hash),
                (Some(c), Some(length)) => length == 0 && c.eq_ignore_ascii_case(&payload_hash(b"")),
            };
            prop_assert_eq!(passed, honest);
        }
    }
}
