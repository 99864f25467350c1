//! Where requests go: a SecMaster region or an explicit URL.

use std::fmt;

use crate::error::Error;

pub use crate::regions::REGIONS;

/// A base URL that requests are sent to: scheme, host, optional port and
/// optional path prefix, without a trailing `/`.
///
/// # Example
///
/// ```
/// use secmaster_client::Endpoint;
///
/// # fn main() -> Result<(), secmaster_client::Error> {
/// let public = Endpoint::region("cn-north-4")?;
/// assert_eq!(public.as_str(), "https://secmaster.cn-north-4.myhuaweicloud.com");
/// assert!(public.is_https());
///
/// // A private endpoint, a tunnel or a local simulator.
/// let local = Endpoint::url("http://127.0.0.1:8080/")?;
/// assert_eq!(local.as_str(), "http://127.0.0.1:8080");
/// assert!(local.is_loopback());
///
/// // Unknown regions list the known ones; URLs with credentials are refused.
/// assert!(Endpoint::region("mars-1").is_err());
/// assert!(Endpoint::url("https://user:password@example.com").is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint(String);

impl Endpoint {
    /// The public endpoint of a SecMaster region, its name trimmed (as
    /// [`Self::url`] trims a URL). An unknown region is an error that
    /// suggests the nearest known ones and lists them all, sorted.
    pub fn region(region: &str) -> Result<Self, Error> {
        let region = region.trim();
        if REGIONS.contains(&region) {
            return Ok(Endpoint(
                crate::regions::URL_TEMPLATE.replace("{region}", region),
            ));
        }
        let mut known = REGIONS;
        known.sort_unstable();
        let nearest = nearest_regions(region);
        let known = known.join(", ");
        Err(Error::Config(match nearest.as_slice() {
            [] => format!("unknown SecMaster region {region:?}; known regions: {known}"),
            some => format!(
                "unknown SecMaster region {region:?}; did you mean {}? Known regions: {known}",
                some.join(" or ")
            ),
        }))
    }

    /// Any `http` or `https` URL, for example a private endpoint or a local
    /// test server (`http://127.0.0.1:8080`).
    pub fn url(url: &str) -> Result<Self, Error> {
        // Errors show the URL without user information, query or fragment:
        // a URL that fails to parse may still carry a password or a token.
        let bad = |why: &dyn fmt::Display| {
            Error::Config(format!("invalid endpoint URL {:?}: {why}", redact(url)))
        };
        // `127.0.0.1:8080` would read as a relative URL, `localhost:8080`
        // as the scheme `localhost`: say what is missing instead.
        if !url.contains("://") {
            return Err(bad(&"no scheme: it starts with http:// or https://"));
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| bad(&e))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad(&"the scheme must be http or https"));
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(bad(&"no host"));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(bad(&"a query or fragment cannot be a base URL"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            // Credentials in a URL end up in logs and error messages.
            return Err(bad(&"user information in the URL is not accepted"));
        }
        Ok(Endpoint(parsed.as_str().trim_end_matches('/').to_owned()))
    }

    /// Whether requests go over TLS.
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// Whether the host is a loopback address (`127.0.0.0/8`, `[::1]`,
    /// `localhost`): such an endpoint is never reached through a proxy.
    pub fn is_loopback(&self) -> bool {
        let Ok(url) = reqwest::Url::parse(&self.0) else {
            return false;
        };
        match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => {
                name.eq_ignore_ascii_case("localhost")
                    || name.to_ascii_lowercase().ends_with(".localhost")
            }
            None => false,
        }
    }

    /// `url` (any text, a valid URL or not) as it may be shown: user
    /// information replaced by `***` (`http://***@proxy:8080/`), query and
    /// fragment cut off, control characters escaped. As this crate's
    /// errors show a URL.
    pub fn redacted(url: &str) -> String {
        redact(url)
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

/// `url` as it may be shown: user information replaced by `***`, query and
/// fragment cut off, control characters escaped. Works on text that is not a
/// valid URL too.
pub(crate) fn redact(url: &str) -> String {
    let cut = url.find(['?', '#']).map_or(url, |i| &url[..i]);
    let (scheme, rest) = match cut.find("://") {
        Some(i) => cut.split_at(i + 3),
        None => ("", cut),
    };
    let authority_end = rest.find(['/', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rfind('@') {
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_owned(),
    };
    let more = if cut.len() < url.len() { "?..." } else { "" };
    crate::untrusted::escape(&format!("{scheme}{authority}{path}{more}")).into_owned()
}

/// The known regions nearest to `region` (by edit distance, ignoring
/// case and `_` for `-`), sorted; none when even the nearest needs more
/// than three edits.
fn nearest_regions(region: &str) -> Vec<&'static str> {
    let typed: Vec<char> = region.to_lowercase().replace('_', "-").chars().collect();
    let distances: Vec<(usize, &str)> = REGIONS
        .iter()
        .map(|known| (edit_distance(&typed, known), *known))
        .collect();
    let Some(best) = distances.iter().map(|(d, _)| *d).min().filter(|d| *d <= 3) else {
        return Vec::new();
    };
    let mut nearest: Vec<&str> = distances
        .into_iter()
        .filter_map(|(d, known)| (d == best).then_some(known))
        .collect();
    nearest.sort_unstable();
    nearest
}

/// Levenshtein distance: the fewest insertions, deletions and substitutions
/// that turn `a` into `b`.
fn edit_distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
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
        // Without a scheme, the error says so, not "relative URL without a
        // base" or "the scheme must be http or https" for `localhost:8080`.
        for bare in ["127.0.0.1:8080", "localhost:8080"] {
            let err = Endpoint::url(bare).unwrap_err().to_string();
            assert!(err.contains("no scheme: it starts with http://"), "{err}");
        }
    }

    #[test]
    fn unknown_regions_suggest_the_nearest_and_list_all_sorted() {
        let err = Endpoint::region("cn-nort-4").unwrap_err().to_string();
        assert!(
            err.starts_with(
                "configuration error: unknown SecMaster region \"cn-nort-4\"; did you mean \
                 cn-north-4? Known regions: af-north-1, af-south-1, ap-southeast-1,"
            ),
            "{err}"
        );
        assert!(err.ends_with("sa-brazil-1, tr-west-1"), "{err}");
        let err = Endpoint::region("CN_NORTH_4").unwrap_err().to_string();
        assert!(err.contains("did you mean cn-north-4?"), "{err}");
        let err = Endpoint::region("ap-southeast-7").unwrap_err().to_string();
        assert!(
            err.contains(
                "did you mean ap-southeast-1 or ap-southeast-2 or ap-southeast-3 or \
                 ap-southeast-4 or ap-southeast-5?"
            ),
            "{err}"
        );
        let err = Endpoint::region("mars-1").unwrap_err().to_string();
        assert!(
            err.starts_with("configuration error: unknown SecMaster region \"mars-1\"; known regions: af-north-1,"),
            "{err}"
        );
        assert_eq!(edit_distance(&['a', 'b'], "ba"), 2);
        assert_eq!(edit_distance(&[], "abc"), 3);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// Any text: a known region's endpoint, or an error whose
        /// suggestions are known regions.
        #[test]
        fn any_region_is_known_or_gets_known_suggestions(region in "[a-zA-Z0-9_-]{0,20}|\\PC{0,20}") {
            match Endpoint::region(&region) {
                Ok(_) => proptest::prop_assert!(REGIONS.contains(&region.as_str())),
                Err(_) => {
                    for suggested in nearest_regions(&region) {
                        proptest::prop_assert!(REGIONS.contains(&suggested));
                    }
                }
            }
        }
    }

    #[test]
    fn errors_never_show_user_information_or_queries() {
        for bad in [
            "http://user:s3cr3t@[::1",
            "http://user:s3cr3t@h/?token=s3cr3t",
            "https://h:99999/?token=s3cr3t",
            "ftp://u:s3cr3t@h/x?token=s3cr3t#s3cr3t",
            "http://h/#s3cr3t",
            "s3cr3t@h",
            "http://a@b:s3cr3t@h/",
        ] {
            let err = Endpoint::url(bad).unwrap_err().to_string();
            assert!(!err.contains("s3cr3t"), "{bad} -> {err}");
        }
        assert_eq!(redact("http://u:p@[::1"), "http://***@[::1");
        assert_eq!(redact("http://h:1/a?q=1"), "http://h:1/a?...");
    }

    #[test]
    fn loopback_endpoints() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.9.0.1",
            "http://[::1]:9",
            "http://localhost:1",
            "http://LOCALHOST",
        ] {
            assert!(Endpoint::url(url).unwrap().is_loopback(), "{url}");
        }
        for url in [
            "http://10.0.0.1",
            "https://secmaster.cn-north-4.myhuaweicloud.com",
            "http://localhost.example.com",
        ] {
            assert!(!Endpoint::url(url).unwrap().is_loopback(), "{url}");
        }
    }
}
