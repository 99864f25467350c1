//! Credentials, and the one place where they are put on a request.

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};

use crate::error::Error;

/// How requests authenticate.
///
/// `Debug` never shows the secret: the token is printed as `<redacted>`.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// An IAM user token, sent as `X-Auth-Token` (the API reference's method).
    Token(SecretHeaderValue),
}

impl Credentials {
    /// An IAM user token (the `X-Subject-Token` that IAM answered with).
    ///
    /// Refused when empty or when it holds characters that cannot go in an
    /// HTTP header; the error does not repeat the token.
    pub fn token(token: impl Into<String>) -> Result<Self, Error> {
        let token = token.into();
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::Config("the IAM token is empty".into()));
        }
        SecretHeaderValue::new(token, "the IAM token").map(Credentials::Token)
    }

    /// Puts the credentials on a request that is about to leave.
    pub(crate) fn apply(&self, request: &mut reqwest::Request) {
        match self {
            Credentials::Token(token) => {
                request
                    .headers_mut()
                    .insert(HeaderName::from_static("x-auth-token"), token.0.clone());
            }
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(token) => f.debug_tuple("Token").field(token).finish(),
        }
    }
}

/// A header value that holds a secret: marked sensitive for the HTTP stack
/// and redacted in `Debug`.
#[derive(Clone)]
pub struct SecretHeaderValue(HeaderValue);

impl SecretHeaderValue {
    /// Checks that `value` can be sent in a header; `what` names it in the
    /// error, which never contains the value itself.
    pub(crate) fn new(value: &str, what: &str) -> Result<Self, Error> {
        let mut header = HeaderValue::from_str(value).map_err(|_| {
            Error::Config(format!(
                "{what} contains characters that cannot be sent in an HTTP header"
            ))
        })?;
        header.set_sensitive(true);
        Ok(SecretHeaderValue(header))
    }
}

impl fmt::Debug for SecretHeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
