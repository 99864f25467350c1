//! Credentials, and the one place where they are put on a request.

use std::fmt;
use std::time::SystemTime;

use reqwest::header::{HeaderName, HeaderValue};

use crate::error::Error;
use crate::signer::{self, RequestParts, SecretKey, SigningKey};

/// How requests authenticate.
///
/// `Debug` never shows a secret: tokens, access keys and secret keys are all
/// printed as `<redacted>`.
///
/// # Example
///
/// ```
/// use secmaster_client::Credentials;
///
/// # fn main() -> Result<(), secmaster_client::Error> {
/// // An access key pair: every request is signed (SDK-HMAC-SHA256).
/// let keys = Credentials::access_key("HPUAEXAMPLEAK", "example-secret-key")?;
/// // Temporary credentials: the pair plus a security token.
/// let temporary = Credentials::access_key("HPUBEXAMPLEAK", "example-secret-key")?
///     .with_security_token("example-security-token")?;
/// // An IAM user token, sent as X-Auth-Token.
/// let token = Credentials::token("MIIEXAMPLE...")?;
///
/// // Secrets never show.
/// assert!(!format!("{keys:?} {temporary:?} {token:?}").contains("example"));
/// // Values that cannot be sent are refused, without repeating them.
/// assert!(Credentials::token("line\nbreak").is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// An IAM user token, sent as `X-Auth-Token` (the API reference's method).
    Token(Secret),
    /// An access key pair; every request is signed (SDK-HMAC-SHA256).
    AccessKey {
        /// Access key ID (AK).
        access_key_id: Secret,
        /// Secret access key (SK), ready for signing.
        secret_access_key: SecretKey,
        /// Security token of temporary credentials.
        security_token: Option<Secret>,
    },
}

impl Credentials {
    /// An IAM user token (the `X-Subject-Token` that IAM answered with).
    ///
    /// Refused when empty or when it holds characters that cannot go in an
    /// HTTP header; the error does not repeat the token.
    pub fn token(token: impl Into<String>) -> Result<Self, Error> {
        Secret::header_safe(token.into(), "the IAM token").map(Credentials::Token)
    }

    /// An access key pair (AK/SK).
    pub fn access_key(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Result<Self, Error> {
        Ok(Credentials::AccessKey {
            access_key_id: Secret::header_safe(access_key_id.into(), "the access key ID")?,
            secret_access_key: SecretKey::new(
                Secret::non_empty(secret_access_key.into(), "the secret access key")?
                    .expose()
                    .as_bytes(),
            ),
            security_token: None,
        })
    }

    /// Adds the security token of temporary credentials to an access key pair.
    pub fn with_security_token(self, token: impl Into<String>) -> Result<Self, Error> {
        match self {
            Credentials::AccessKey {
                access_key_id,
                secret_access_key,
                ..
            } => Ok(Credentials::AccessKey {
                access_key_id,
                secret_access_key,
                security_token: Some(Secret::header_safe(token.into(), "the security token")?),
            }),
            Credentials::Token(_) => Err(Error::Config(
                "a security token goes with an access key pair, not with an IAM token".into(),
            )),
        }
    }

    /// Puts the credentials on a request that is about to leave: the token
    /// header, or the signature headers computed over the request as it is
    /// (so call it last). `project_id` is sent as `X-Project-Id` with access
    /// keys; `now` dates the signature.
    ///
    /// The client does this for every request it sends; call it yourself to
    /// authenticate a request you send another way.
    pub fn authorize(
        &self,
        request: &mut reqwest::Request,
        project_id: &str,
        now: SystemTime,
    ) -> Result<(), Error> {
        let (access_key_id, secret_access_key, security_token) = match self {
            Credentials::Token(token) => {
                request.headers_mut().insert(
                    HeaderName::from_static("x-auth-token"),
                    token.header_value(),
                );
                return Ok(());
            }
            Credentials::AccessKey {
                access_key_id,
                secret_access_key,
                security_token,
            } => (access_key_id, secret_access_key, security_token),
        };
        let url = request.url();
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let headers: Vec<(&str, &str)> = request
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str(), std::str::from_utf8(value.as_bytes()).ok()?))
            })
            .collect();
        let body = match request.body() {
            None => &[][..],
            Some(body) => match body.as_bytes() {
                Some(bytes) => bytes,
                // A streamed body (an import) cannot be hashed before it is
                // sent; the signer then uses UNSIGNED-PAYLOAD, for which any
                // non-empty stand-in signs the same. JSON is always hashed.
                None if !is_hashed_content(request) => b"(streamed)",
                None => {
                    return Err(Error::InvalidInput(
                        "a streamed JSON body cannot be signed".into(),
                    ));
                }
            },
        };
        let parts = RequestParts {
            method: request.method().as_str(),
            path: url.path(),
            query: url.query().unwrap_or_default(),
            host: &host,
            headers: &headers,
            body,
        };
        let key = SigningKey {
            access_key_id: access_key_id.expose(),
            secret_access_key,
            security_token: security_token.as_ref().map(Secret::expose),
            project_id: Some(project_id),
        };
        let signature = signer::sign(&parts, &key, now)
            .map_err(|e| Error::Config(format!("cannot sign the request: {e}")))?;
        for (name, value) in signature.headers {
            // UTF-8 bytes, as the official SDK sends them; control characters
            // are refused.
            let mut value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
                Error::InvalidInput(format!(
                    "the {name} header would not be a valid HTTP header"
                ))
            })?;
            if matches!(name, "Authorization" | "X-Security-Token") {
                value.set_sensitive(true);
            }
            request.headers_mut().insert(
                HeaderName::from_bytes(name.as_bytes()).expect("a valid name"),
                value,
            );
        }
        Ok(())
    }
}

/// Whether the signer hashes this request's body (JSON and BSON) rather than
/// sign it as `UNSIGNED-PAYLOAD`.
fn is_hashed_content(request: &reqwest::Request) -> bool {
    request
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("application/json") || ct.starts_with("application/bson"))
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(token) => f.debug_tuple("Token").field(token).finish(),
            Credentials::AccessKey { security_token, .. } => f
                .debug_struct("AccessKey")
                .field("access_key_id", &"<redacted>")
                .field("secret_access_key", &"<redacted>")
                .field("temporary", &security_token.is_some())
                .finish(),
        }
    }
}

/// A secret string: checked once, redacted in `Debug`, and sent only as a
/// header marked sensitive.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Checks that `value` is not empty and can be sent in a header; `what`
    /// names it in the error, which never contains the value itself.
    fn header_safe(value: String, what: &str) -> Result<Self, Error> {
        let secret = Secret::non_empty(value, what)?;
        HeaderValue::from_str(&secret.0).map_err(|_| {
            Error::Config(format!(
                "{what} contains characters that cannot be sent in an HTTP header"
            ))
        })?;
        Ok(secret)
    }

    fn non_empty(value: String, what: &str) -> Result<Self, Error> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(Error::Config(format!("{what} is empty")));
        }
        Ok(Secret(trimmed.to_owned()))
    }

    fn expose(&self) -> &str {
        &self.0
    }

    fn header_value(&self) -> HeaderValue {
        let mut value = HeaderValue::from_str(&self.0).expect("checked when the secret was made");
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
