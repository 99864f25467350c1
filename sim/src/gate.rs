//! Who may use the control endpoints under `/_sim/`: anyone who can connect
//! when the simulator listens on loopback; with an admin token, only
//! requests that carry it; nobody when the simulator listens beyond
//! loopback without one.

use http::Response;

use crate::answer::error;
use crate::body::SimBody;
use crate::secret::Secret;

/// Who may use the control endpoints under `/_sim/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminAccess {
    /// Anyone who can connect: the simulator listens on loopback only and
    /// no admin token was set.
    Open,
    /// Requests carrying `Authorization: Bearer <admin token>` (the scheme
    /// name in any case).
    Token,
    /// Nobody: the simulator listens beyond loopback without an admin token.
    Off,
}

/// The gate in front of `/_sim/`; see [`AdminAccess`].
#[derive(Debug)]
pub enum Gate {
    Open,
    Token(Secret),
    Off,
}

impl Gate {
    pub fn access(&self) -> AdminAccess {
        match self {
            Gate::Open => AdminAccess::Open,
            Gate::Token(_) => AdminAccess::Token,
            Gate::Off => AdminAccess::Off,
        }
    }

    /// The refusal, when the request may not come in. Checked before the
    /// body is read.
    pub fn refusal(&self, headers: &http::HeaderMap) -> Option<Response<SimBody>> {
        match self {
            Gate::Open => None,
            Gate::Off => Some(error(
                404,
                "SIM.Admin",
                "the admin endpoints are off: the simulator listens beyond loopback without an admin token",
            )),
            Gate::Token(token) => {
                let given = headers
                    .get(http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(bearer_token);
                match given {
                    Some(given) if token.matches(given) => None,
                    _ => Some(error(
                        401,
                        "SIM.Admin",
                        "the admin endpoints need Authorization: Bearer <admin token>",
                    )),
                }
            }
        }
    }
}

/// Refuses an admin token that no `Authorization: Bearer` header could
/// carry to [`bearer_token`]: an empty one, one with a space or tab at
/// either end (HTTP trims the value's ends, and the spaces after the
/// scheme are not the token's), or one with anything but printable ASCII
/// and tabs (any other header value is not read). Such a token would shut
/// the admin endpoints for good. The message does not show the token.
pub fn check_admin_token(token: &str) -> Result<(), String> {
    let printable = token
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
    let blank = [' ', '\t'];
    if token.is_empty() || !printable || token.starts_with(blank) || token.ends_with(blank) {
        return Err(
            "the admin token must be printable ASCII, not empty, with no space or tab at \
             either end: no Authorization header could carry it"
                .to_owned(),
        );
    }
    Ok(())
}

/// The token of a `Bearer` credential: the scheme name is case-insensitive
/// and followed by one or more spaces (RFC 9110 section 11.1); the token
/// is returned as given, to be compared exactly.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("Bearer")
        .then(|| rest.trim_start_matches(' '))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::AUTHORIZATION;
    use proptest::prelude::*;

    /// `Bearer` in the case given by `upper` (one flag a letter).
    fn scheme(upper: &[bool]) -> String {
        "bearer"
            .chars()
            .zip(upper)
            .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
            .collect()
    }

    /// What RFC 9110 section 11 allows: the scheme name in any case, one
    /// or more spaces, then exactly the token.
    fn carries_the_token(value: &str) -> bool {
        value.split_once(' ').is_some_and(|(scheme, rest)| {
            scheme.eq_ignore_ascii_case("Bearer") && rest.trim_start_matches(' ') == "admin-secret"
        })
    }

    #[test]
    fn the_scheme_name_is_read_in_any_case_and_the_token_exactly() {
        let gate = Gate::Token(Secret::new("admin-secret"));
        let opens = |value: &str| {
            let mut headers = http::HeaderMap::new();
            headers.insert(AUTHORIZATION, http::HeaderValue::from_str(value).unwrap());
            gate.refusal(&headers).is_none()
        };
        for open in [
            "Bearer admin-secret",
            "bearer admin-secret",
            "BEARER admin-secret",
            "bEaReR  admin-secret",
        ] {
            assert!(opens(open), "{open}");
        }
        for shut in [
            "bearer Admin-secret",
            "bearer admin-secret ",
            "bearer admin-secre",
            "bearer",
            "bearer ",
            "Bearers admin-secret",
            "Basic admin-secret",
            "admin-secret",
            " bearer admin-secret",
        ] {
            assert!(!opens(shut), "{shut}");
        }
    }

    #[test]
    fn an_admin_token_a_header_can_carry_is_one_that_opens() {
        for token in ["admin-secret", "a", "a b", "a\tb", "~!x="] {
            assert_eq!(check_admin_token(token), Ok(()), "{token:?}");
            let mut headers = http::HeaderMap::new();
            let value = format!("Bearer {token}");
            headers.insert(AUTHORIZATION, http::HeaderValue::from_str(&value).unwrap());
            assert!(Gate::Token(Secret::new(token)).refusal(&headers).is_none());
        }
        for token in ["", " a", "a ", "\ta", "a\t", "a\nb", "\u{e9}"] {
            assert!(check_admin_token(token).is_err(), "{token:?}");
        }
    }

    proptest! {
        /// Any Authorization value: no panic, and only `Bearer` (in any
        /// case), spaces and exactly the admin token open the endpoints.
        #[test]
        fn only_the_bearer_token_opens_the_admin_endpoints(
            value in prop_oneof![
                any::<String>(),
                (
                    proptest::collection::vec(any::<bool>(), 6),
                    1..3usize,
                    prop::sample::select(vec!["admin-secret", "ADMIN-SECRET", "admin-secre", "admin-secret!", " admin-secret", ""]),
                )
                    .prop_map(|(upper, spaces, token)| format!("{}{}{token}", scheme(&upper), " ".repeat(spaces))),
            ],
        ) {
            let gate = Gate::Token(Secret::new("admin-secret"));
            let mut headers = http::HeaderMap::new();
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert(AUTHORIZATION, value);
            }
            let open = gate.refusal(&headers).is_none();
            prop_assert_eq!(
                open,
                headers
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(carries_the_token),
                "{:?}",
                value
            );
        }
    }
}
