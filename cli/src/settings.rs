//! Credentials, project and endpoint: from the command line, files and the
//! environment (with the official SDK's variable names).

use std::io::Read;
use std::path::Path;

use secmaster_client::env::{PROJECT_ID, REGION};
use secmaster_client::{Credentials, Endpoint};

use crate::exit::Failure;

/// Reads an environment variable; an empty or blank value counts as unset.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The largest token file read. IAM tokens are a few KiB; a larger file is
/// not a token, and sent as a header it would only be refused (HTTP 431).
pub const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// Where the credentials came from (for `--verbose`; never the secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    TokenFile,
    TokenVariable,
    AccessKey,
    TemporaryAccessKey,
}

/// The credentials: `--token-file` when given, else the environment as the
/// library reads it (`HUAWEICLOUD_SDK_AK` + `HUAWEICLOUD_SDK_SK`, with
/// `HUAWEICLOUD_SDK_SECURITY_TOKEN` for temporary keys, else
/// `SECMASTER_AUTH_TOKEN`). Secrets never come from a flag: the command line
/// is visible to every user of the machine.
pub fn credentials(
    token_file: Option<&Path>,
    env: Lookup<'_>,
) -> Result<(Credentials, CredentialSource), Failure> {
    if let Some(path) = token_file {
        let token = read_token_file(path)?;
        let credentials = Credentials::token(token).map_err(|e| {
            Failure::Usage(format!("the token in {}: {e}", crate::exit::shown(path)))
        })?;
        return Ok((credentials, CredentialSource::TokenFile));
    }
    let credentials = secmaster_client::env::credentials(env).map_err(|e| {
        // The library's text without its "configuration error: ", which
        // the list of missing settings does not repeat per item.
        let text = match e {
            secmaster_client::Error::Config(m) => m,
            other => other.to_string(),
        };
        // The file is the way out only when no variable was tried.
        use secmaster_client::env::{ACCESS_KEY, AUTH_TOKEN, SECRET_KEY, SECURITY_TOKEN};
        let tried = [ACCESS_KEY, SECRET_KEY, SECURITY_TOKEN, AUTH_TOKEN]
            .iter()
            .any(|name| env(name).is_some_and(|v| !v.trim().is_empty()));
        if tried {
            Failure::Usage(text)
        } else {
            Failure::Usage(format!("{text} (or pass --token-file FILE)"))
        }
    })?;
    let source = match &credentials {
        Credentials::AccessKey {
            security_token: Some(_),
            ..
        } => CredentialSource::TemporaryAccessKey,
        Credentials::AccessKey { .. } => CredentialSource::AccessKey,
        _ => CredentialSource::TokenVariable,
    };
    Ok((credentials, source))
}

/// The whole file, trimmed; `-` reads standard input.
fn read_token_file(path: &Path) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let what = || format!("cannot read the token file {}", crate::exit::shown(path));
    // One byte past the limit tells a file at the limit from a larger one;
    // the size is checked before the text, which the cut may have split.
    let result = if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_TOKEN_FILE + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_TOKEN_FILE + 1).read_to_end(&mut bytes))
    };
    result.map_err(|e| Failure::io(what(), &e))?;
    if bytes.len() as u64 > MAX_TOKEN_FILE {
        return Err(Failure::Io(format!(
            "the token file {} is larger than the limit of {} KiB",
            crate::exit::shown(path),
            MAX_TOKEN_FILE / 1024
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        Failure::Io(format!(
            "the token file {} is not UTF-8 text",
            crate::exit::shown(path)
        ))
    })?;
    // A byte-order mark is an editor's, not the token's.
    let token = text.strip_prefix('\u{feff}').unwrap_or(&text).trim();
    if token.is_empty() {
        return Err(Failure::Usage(format!(
            "the token file {} is empty",
            crate::exit::shown(path)
        )));
    }
    Ok(token.to_owned())
}

/// `--project-id`, else `HUAWEICLOUD_SDK_PROJECT_ID`.
pub fn project_id(flag: Option<&str>, env: Lookup<'_>) -> Result<String, Failure> {
    flag.map(str::to_owned)
        .or_else(|| env(PROJECT_ID))
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            Failure::Usage(format!(
                "no project id: pass --project-id or set {PROJECT_ID}"
            ))
        })
}

/// `--endpoint`; else the region from `--region` or `HUAWEICLOUD_SDK_REGION`,
/// whose endpoint `HUAWEICLOUD_SDK_REGION_SECMASTER_<REGION>` may override.
pub fn endpoint(
    endpoint_flag: Option<&str>,
    region_flag: Option<&str>,
    env: Lookup<'_>,
) -> Result<Endpoint, Failure> {
    let usage = |e: secmaster_client::Error| Failure::Usage(e.to_string());
    if let Some(url) = endpoint_flag {
        return Endpoint::url(url).map_err(usage);
    }
    let region = region_flag
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .or_else(|| env(REGION).map(|r| r.trim().to_owned()))
        .ok_or_else(|| {
            Failure::Usage(format!(
                "no region: pass --region or --endpoint, or set {REGION}"
            ))
        })?;
    secmaster_client::env::endpoint_for_region(&region, env).map_err(usage)
}

/// The process environment, with empty values treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn access_keys_win_over_the_token_variable_as_in_the_library() {
        let lookup = env(&[
            ("SECMASTER_AUTH_TOKEN", "tok"),
            ("HUAWEICLOUD_SDK_AK", "AK"),
            ("HUAWEICLOUD_SDK_SK", "SK"),
        ]);
        let (_, source) = credentials(None, &lookup).unwrap();
        assert_eq!(source, CredentialSource::AccessKey);
        let (_, source) = credentials(None, &env(&[("SECMASTER_AUTH_TOKEN", "tok")])).unwrap();
        assert_eq!(source, CredentialSource::TokenVariable);
    }

    #[test]
    fn access_keys_and_security_token() {
        let (_, source) = credentials(
            None,
            &env(&[("HUAWEICLOUD_SDK_AK", "AK"), ("HUAWEICLOUD_SDK_SK", "SK")]),
        )
        .unwrap();
        assert_eq!(source, CredentialSource::AccessKey);
        let (_, source) = credentials(
            None,
            &env(&[
                ("HUAWEICLOUD_SDK_AK", "AK"),
                ("HUAWEICLOUD_SDK_SK", "SK"),
                ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "ST"),
            ]),
        )
        .unwrap();
        assert_eq!(source, CredentialSource::TemporaryAccessKey);
    }

    #[test]
    fn missing_credentials_name_the_variables() {
        let err = credentials(None, &env(&[])).unwrap_err();
        assert_eq!(err.exit_code(), crate::exit::USAGE);
        let text = err.to_string();
        for name in [
            "--token-file",
            "SECMASTER_AUTH_TOKEN",
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_SDK_SK",
        ] {
            assert!(text.contains(name), "{text}");
        }
        let err = credentials(None, &env(&[("HUAWEICLOUD_SDK_AK", "AK")])).unwrap_err();
        assert!(err.to_string().contains("HUAWEICLOUD_SDK_SK is not"));
    }

    #[test]
    fn endpoint_sources() {
        let none = env(&[]);
        let e = endpoint(Some("http://127.0.0.1:9"), None, &none).unwrap();
        assert_eq!(e.as_str(), "http://127.0.0.1:9");
        let e = endpoint(None, Some("cn-north-4"), &none).unwrap();
        assert_eq!(e.as_str(), "https://secmaster.cn-north-4.myhuaweicloud.com");
        let overridden = env(&[
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
            (
                "HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4",
                "http://127.0.0.1:8",
            ),
        ]);
        let e = endpoint(None, None, &overridden).unwrap();
        assert_eq!(e.as_str(), "http://127.0.0.1:8");
        let err = endpoint(None, None, &none).unwrap_err().to_string();
        assert!(err.contains("HUAWEICLOUD_SDK_REGION"), "{err}");
        assert!(endpoint(None, Some("mars-1"), &none).is_err());
    }

    #[test]
    fn project_from_flag_or_variable() {
        let lookup = env(&[("HUAWEICLOUD_SDK_PROJECT_ID", "from-env")]);
        assert_eq!(project_id(Some("p"), &lookup).unwrap(), "p");
        assert_eq!(project_id(None, &lookup).unwrap(), "from-env");
        let err = project_id(None, &env(&[])).unwrap_err().to_string();
        assert!(err.contains("HUAWEICLOUD_SDK_PROJECT_ID"), "{err}");
    }
}
