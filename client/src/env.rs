//! Configuration from environment variables, with the official SDK's names.

use crate::auth::Credentials;
use crate::endpoint::Endpoint;
use crate::error::Error;

/// Region to use (`cn-north-4`, ...).
pub const REGION: &str = "HUAWEICLOUD_SDK_REGION";
/// An IAM user token. Not an official SDK name: the official SDKs sign with
/// access keys only. Used when no access key is set.
pub const AUTH_TOKEN: &str = "SECMASTER_AUTH_TOKEN";
/// Prefix of the per-region endpoint override:
/// `HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4=https://...` (comma-separated
/// endpoints are accepted; the first one is used).
pub const REGION_OVERRIDE_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_SECMASTER_";

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
            Endpoint::url(first).map_err(|e| Error::Config(format!("{variable}: {e}")))
        }
        None => Endpoint::region(region),
    }
}

/// Reads the region (and its endpoint) and the credentials.
pub(crate) fn read(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(Endpoint, Credentials), Error> {
    let region = lookup(REGION)
        .filter(|r| !r.trim().is_empty())
        .ok_or_else(|| Error::Config(format!("{REGION} is not set")))?;
    let endpoint = endpoint_for_region(region.trim(), lookup)?;
    let credentials = match lookup(AUTH_TOKEN) {
        Some(token) => Credentials::token(token)?,
        None => {
            return Err(Error::Config(format!(
                "no credentials in the environment: set {AUTH_TOKEN}"
            )));
        }
    };
    Ok((endpoint, credentials))
}
