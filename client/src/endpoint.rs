//! Where requests go: a SecMaster region or an explicit URL.

use std::fmt;

use crate::error::Error;

/// The regions that have a SecMaster endpoint
/// (`https://secmaster.<region>.myhuaweicloud.com`), as listed by the
/// official SDK's region table.
pub const REGIONS: [&str; 28] = [
    "cn-north-4",
    "cn-east-3",
    "cn-south-1",
    "cn-north-9",
    "cn-north-2",
    "cn-east-2",
    "cn-southwest-2",
    "cn-south-2",
    "cn-north-1",
    "cn-east-4",
    "me-east-1",
    "cn-north-11",
    "sa-brazil-1",
    "la-north-2",
    "ap-southeast-3",
    "ap-southeast-2",
    "ap-southeast-1",
    "ap-southeast-4",
    "tr-west-1",
    "af-north-1",
    "af-south-1",
    "la-south-2",
    "eu-west-101",
    "ap-southeast-5",
    "my-kualalumpur-1",
    "cn-east-5",
    "cn-north-12",
    "cn-southwest-3",
];

/// A base URL that requests are sent to: scheme, host, optional port and
/// optional path prefix, without a trailing `/`.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint(String);

impl Endpoint {
    /// The public endpoint of a SecMaster region. An unknown region is an
    /// error that lists the known ones.
    pub fn region(region: &str) -> Result<Self, Error> {
        if REGIONS.contains(&region) {
            Ok(Endpoint(format!(
                "https://secmaster.{region}.myhuaweicloud.com"
            )))
        } else {
            Err(Error::Config(format!(
                "unknown SecMaster region {region:?}; known regions: {}",
                REGIONS.join(", ")
            )))
        }
    }

    /// Any `http` or `https` URL, for example a private endpoint or a local
    /// test server (`http://127.0.0.1:8080`).
    pub fn url(url: &str) -> Result<Self, Error> {
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| Error::Config(format!("invalid endpoint URL {url:?}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "invalid endpoint URL {url:?}: the scheme must be http or https"
            )));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(Error::Config(format!(
                "invalid endpoint URL {url:?}: no host"
            )));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(Error::Config(format!(
                "invalid endpoint URL {url:?}: a query or fragment cannot be a base URL"
            )));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            // Credentials in a URL end up in logs and error messages.
            return Err(Error::Config(
                "invalid endpoint URL: user information in the URL is not accepted".into(),
            ));
        }
        Ok(Endpoint(parsed.as_str().trim_end_matches('/').to_owned()))
    }

    /// Whether requests go over TLS.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// The base URL as a string, without a trailing `/`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_normalised() {
        let e = Endpoint::url("HTTP://127.0.0.1:8080/prefix/").unwrap();
        assert_eq!(e.as_str(), "http://127.0.0.1:8080/prefix");
        assert!(!e.is_https());
        assert!(Endpoint::region("cn-north-4").unwrap().is_https());
        for bad in [
            "ftp://x",
            "http://",
            "https://h/?q=1",
            "https://u:p@h",
            "not a url",
        ] {
            assert!(Endpoint::url(bad).is_err(), "{bad}");
        }
        let err = Endpoint::url("https://user:secret@h")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("secret"), "{err}");
    }
}
