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
    /// Requests carrying `Authorization: Bearer <admin token>`.
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
                    .and_then(|v| v.strip_prefix("Bearer "));
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

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::AUTHORIZATION;
    use proptest::prelude::*;

    proptest! {
        /// Any Authorization value: no panic, and only the exact
        /// `Bearer <admin token>` opens the endpoints.
        #[test]
        fn only_the_exact_bearer_token_opens_the_admin_endpoints(
            value in any::<String>(),
            exact in any::<bool>(),
        ) {
            let gate = Gate::Token(Secret::new("admin-secret"));
            let value = if exact { "Bearer admin-secret".to_owned() } else { value };
            let mut headers = http::HeaderMap::new();
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert(AUTHORIZATION, value);
            }
            let open = gate.refusal(&headers).is_none();
            prop_assert_eq!(
                open,
                headers.get(AUTHORIZATION).is_some_and(|v| v == "Bearer admin-secret")
            );
        }
    }
}
