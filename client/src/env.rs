//! Configuration from environment variables, with the official SDK's names.

use crate::auth::Credentials;
use crate::endpoint::Endpoint;
use crate::error::Error;

/// Region to use (`cn-north-4`, ...).
pub const REGION: &str = "HUAWEICLOUD_SDK_REGION";
/// Access key ID.
pub const ACCESS_KEY: &str = "HUAWEICLOUD_SDK_AK";
/// Secret access key.
pub const SECRET_KEY: &str = "HUAWEICLOUD_SDK_SK";
/// Security token of temporary credentials (with the access key pair).
pub const SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Default project ID.
pub const PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// An IAM user token. Not an official SDK name: the official SDKs sign with
/// access keys only. Used when no access key is set.
pub const AUTH_TOKEN: &str = "SECMASTER_AUTH_TOKEN";
/// Prefix of the per-region endpoint override:
/// `HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4=https://...` (comma-separated
/// endpoints are accepted; the first one is used).
pub const REGION_OVERRIDE_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_SECMASTER_";

/// What the environment says.
#[derive(Debug)]
#[non_exhaustive]
pub struct Settings {
    /// From the region and its override.
    pub endpoint: Endpoint,
    /// Access key pair (preferred) or token.
    pub credentials: Credentials,
    /// `HUAWEICLOUD_SDK_PROJECT_ID`, when set.
    pub project_id: Option<String>,
}

/// The name of the endpoint override variable for `region`.
pub fn region_override_variable(region: &str) -> String {
    format!(
        "{REGION_OVERRIDE_PREFIX}{}",
        region.to_ascii_uppercase().replace('-', "_")
    )
}

/// The endpoint of `region`: the override variable when it is set, else the
/// region table.
pub fn endpoint_for_region(
    region: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Endpoint, Error> {
    let variable = region_override_variable(region);
    match lookup(&variable) {
        Some(value) => {
            let first = value.split(',').map(str::trim).find(|s| !s.is_empty());
            let first = first.ok_or_else(|| Error::Config(format!("{variable} is empty")))?;
            Endpoint::url(first).map_err(|e| match e {
                // Named after the variable, without a second "configuration error".
                Error::Config(m) => Error::Config(format!("{variable}: {m}")),
                other => other,
            })
        }
        None => Endpoint::region(region),
    }
}

/// Credentials: an access key pair when `HUAWEICLOUD_SDK_AK` is set (with
/// the security token when that is set too), else the token variable.
pub fn credentials(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Credentials, Error> {
    let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    if let Some(ak) = get(ACCESS_KEY) {
        let sk = get(SECRET_KEY).ok_or_else(|| {
            Error::Config(format!(
                "{ACCESS_KEY} is set but {SECRET_KEY} is not; set both, or neither to use a token \
                 (a half-set pair is never skipped)"
            ))
        })?;
        let credentials = Credentials::access_key(ak, sk)?;
        return match get(SECURITY_TOKEN) {
            Some(token) => credentials.with_security_token(token),
            None => Ok(credentials),
        };
    }
    if get(SECRET_KEY).is_some() {
        return Err(Error::Config(format!(
            "{SECRET_KEY} is set but {ACCESS_KEY} is not; set both, or neither to use a token \
             (a half-set pair is never skipped)"
        )));
    }
    match get(AUTH_TOKEN) {
        Some(token) => Credentials::token(token),
        None => Err(Error::Config(format!(
            "no credentials in the environment: set {ACCESS_KEY} and {SECRET_KEY} \
             (and {SECURITY_TOKEN} for temporary credentials), or {AUTH_TOKEN}"
        ))),
    }
}

/// Reads the region (and its endpoint), the credentials and the project.
pub fn read(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Settings, Error> {
    let region = lookup(REGION)
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| Error::Config(format!("{REGION} is not set")))?;
    Ok(Settings {
        endpoint: endpoint_for_region(region.trim(), lookup)?,
        credentials: credentials(lookup)?,
        project_id: lookup(PROJECT_ID)
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    #[test]
    fn region_override_takes_precedence_and_accepts_loopback() {
        let lookup = env(&[(
            "HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4",
            " http://127.0.0.1:8080/ , https://other",
        )]);
        let endpoint = endpoint_for_region("cn-north-4", &lookup).unwrap();
        assert_eq!(endpoint.as_str(), "http://127.0.0.1:8080");
        let endpoint = endpoint_for_region("cn-east-3", &lookup).unwrap();
        assert_eq!(
            endpoint.as_str(),
            "https://secmaster.cn-east-3.myhuaweicloud.com"
        );
        // An override makes a region usable that the table does not know.
        let lookup = env(&[(
            "HUAWEICLOUD_SDK_REGION_SECMASTER_XX_TEST_1",
            "http://[::1]:9",
        )]);
        assert_eq!(
            endpoint_for_region("xx-test-1", &lookup).unwrap().as_str(),
            "http://[::1]:9"
        );
    }

    #[test]
    fn unknown_region_lists_the_known_ones() {
        let err = endpoint_for_region("mars-north-1", &env(&[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown SecMaster region \"mars-north-1\""),
            "{err}"
        );
        assert!(
            err.contains("cn-north-4") && err.contains("cn-southwest-3"),
            "{err}"
        );
    }

    #[test]
    fn bad_override_names_the_variable() {
        let lookup = env(&[("HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4", "ftp://x")]);
        let err = endpoint_for_region("cn-north-4", &lookup)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4"),
            "{err}"
        );
        assert_eq!(err.matches("configuration error").count(), 1, "{err}");
    }

    #[test]
    fn credentials_prefer_access_keys() {
        let c = credentials(&env(&[
            ("HUAWEICLOUD_SDK_AK", "AK"),
            ("HUAWEICLOUD_SDK_SK", "SK"),
            ("SECMASTER_AUTH_TOKEN", "t"),
        ]));
        assert!(matches!(
            c,
            Ok(Credentials::AccessKey {
                security_token: None,
                ..
            })
        ));
        let c = credentials(&env(&[
            ("HUAWEICLOUD_SDK_AK", "AK"),
            ("HUAWEICLOUD_SDK_SK", "SK"),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "ST"),
        ]));
        assert!(matches!(
            c,
            Ok(Credentials::AccessKey {
                security_token: Some(_),
                ..
            })
        ));
        let c = credentials(&env(&[("SECMASTER_AUTH_TOKEN", "t")]));
        assert!(matches!(c, Ok(Credentials::Token(_))));
    }

    #[test]
    fn incomplete_credentials_are_named() {
        let err = credentials(&env(&[("HUAWEICLOUD_SDK_AK", "AK")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("HUAWEICLOUD_SDK_SK is not"), "{err}");
        let err = credentials(&env(&[("HUAWEICLOUD_SDK_SK", "SK")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("HUAWEICLOUD_SDK_AK is not"), "{err}");
        let err = credentials(&env(&[])).unwrap_err().to_string();
        assert!(
            err.contains("HUAWEICLOUD_SDK_AK") && err.contains("SECMASTER_AUTH_TOKEN"),
            "{err}"
        );
        let err = read(&env(&[("SECMASTER_AUTH_TOKEN", "t")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("HUAWEICLOUD_SDK_REGION is not set"), "{err}");
    }

    #[test]
    fn read_collects_everything() {
        let settings = read(&env(&[
            ("HUAWEICLOUD_SDK_REGION", "ap-southeast-1"),
            ("HUAWEICLOUD_SDK_AK", "AK"),
            ("HUAWEICLOUD_SDK_SK", "SK"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p1"),
        ]))
        .unwrap();
        assert_eq!(
            settings.endpoint.as_str(),
            "https://secmaster.ap-southeast-1.myhuaweicloud.com"
        );
        assert_eq!(settings.project_id.as_deref(), Some("p1"));
    }
}
