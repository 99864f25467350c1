//! `secmaster config list`: the settings a command would use, and where each
//! comes from (as `aws configure list` shows them). A secret is never
//! printed, only that it is set and where; of an access key id, the first
//! four characters.

use std::io::{BufWriter, Write};

use secmaster_client::env::{
    ACCESS_KEY, AUTH_TOKEN, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN,
    region_override_variable,
};
use secmaster_client::untrusted::escape;
use secmaster_client::{Credentials, Endpoint};

use crate::cli::ConnectionArgs;
use crate::exit::{Failure, shown};
use crate::output::stdout_file;
use crate::settings::{CredentialSetting, Lookup, Settings, Sourced, Target, WORKSPACE_VARIABLE};

pub fn list(args: ConnectionArgs, env: Lookup<'_>) -> Result<(), Failure> {
    let settings = Settings::for_workspace(&args, env)?;
    let out = stdout_file()?;
    let lines = describe(&settings, env);
    let width = lines
        .iter()
        .map(|(name, _)| name.len() + 1)
        .max()
        .unwrap_or(0);
    let mut out = BufWriter::new(out);
    lines
        .iter()
        .try_for_each(|(name, text)| {
            writeln!(out, "{:width$} {}", format!("{name}:"), escape(text))
        })
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to standard output", &e))
}

/// One line per setting: its name, and its value with where it came from.
fn describe(settings: &Settings, env: Lookup<'_>) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    lines.push((
        "config file",
        match &settings.config_file {
            None => format!("none ({})", crate::config_file::why_none(env)),
            Some(location) => format!(
                "{} ({}, from {})",
                shown(&location.path),
                match settings.config_file_exists {
                    true => "found",
                    false => "not found",
                },
                location.found_by
            ),
        },
    ));
    lines.push((
        "profile",
        match &settings.profile {
            None => "none".to_owned(),
            Some((name, chosen_by)) => format!("{name} ({chosen_by})"),
        },
    ));
    match &settings.target {
        None => lines.push((
            "endpoint",
            format!(
                "not set (--endpoint or --region, {REGION}, or endpoint or region in a profile)"
            ),
        )),
        Some(Sourced {
            value: Target::Endpoint(url),
            source,
        }) => lines.push((
            "endpoint",
            match settings.endpoint(env) {
                Ok(_) => format!("{} (from {source})", Endpoint::redacted(url)),
                Err(e) => format!("unusable: {e}"),
            },
        )),
        Some(Sourced {
            value: Target::Region(region),
            source,
        }) => {
            lines.push(("region", format!("{region} (from {source})")));
            let override_variable = region_override_variable(region);
            let endpoint = match settings.endpoint(env) {
                Ok(endpoint) if env(&override_variable).is_some() => {
                    format!("{endpoint} (from {override_variable})")
                }
                Ok(endpoint) => format!("{endpoint} (the region's)"),
                Err(e) => format!("unusable: {e}"),
            };
            lines.push(("endpoint", endpoint));
        }
    }
    lines.push((
        "project_id",
        sourced(
            &settings.project_id,
            &format!("--project-id, {PROJECT_ID}, or project_id in a profile"),
        ),
    ));
    lines.push((
        "workspace_id",
        sourced(
            &settings.workspace_id,
            &format!("--workspace-id, {WORKSPACE_VARIABLE}, or workspace_id in a profile"),
        ),
    ));
    lines.extend(credentials(settings, env));
    lines
}

/// `VALUE (from SOURCE)`, or what would set it.
fn sourced(setting: &Option<Sourced<String>>, set_by: &str) -> String {
    match setting {
        Some(Sourced { value, source }) => format!("{value} (from {source})"),
        None => format!("not set ({set_by})"),
    }
}

/// What kind of credentials, then each part: that it is set, and where.
fn credentials(settings: &Settings, env: Lookup<'_>) -> Vec<(&'static str, String)> {
    let Some(Sourced { value, source }) = &settings.credentials else {
        return vec![(
            "credentials",
            format!(
                "not set (--token-file, {ACCESS_KEY} and {SECRET_KEY}, {AUTH_TOKEN}, or \
                 token_file or ak and sk in a profile)"
            ),
        )];
    };
    let set = |source: &dyn std::fmt::Display| format!("(set, from {source})");
    let kind = match value {
        // Not read here: the file may be standard input.
        CredentialSetting::TokenFile(_) => "IAM token, read from a file".to_owned(),
        _ => match settings.credentials(env) {
            Ok(Credentials::Token(_)) => "IAM token".to_owned(),
            Ok(Credentials::AccessKey {
                security_token: Some(_),
                ..
            }) => "temporary access key pair (requests are signed)".to_owned(),
            Ok(_) => "access key pair (requests are signed)".to_owned(),
            Err(e) => format!("unusable: {e}"),
        },
    };
    let mut lines = vec![("credentials", kind)];
    match value {
        CredentialSetting::TokenFile(path) => {
            lines.push(("token_file", format!("{} (from {source})", shown(path))));
        }
        CredentialSetting::Environment => {
            for (name, variable) in [
                ("ak", ACCESS_KEY),
                ("sk", SECRET_KEY),
                ("security_token", SECURITY_TOKEN),
                ("token", AUTH_TOKEN),
            ] {
                if let Some(value) = env(variable) {
                    let hint = if name == "ak" {
                        key_id_hint(&value)
                    } else {
                        String::new()
                    };
                    lines.push((name, format!("{hint}{}", set(&variable))));
                }
            }
        }
        CredentialSetting::AccessKey {
            ak, security_token, ..
        } => {
            lines.push(("ak", format!("{}{}", key_id_hint(ak.expose()), set(source))));
            lines.push(("sk", set(source)));
            if security_token.is_some() {
                lines.push(("security_token", set(source)));
            }
        }
    }
    lines
}

/// The first four characters of an access key id, as `HPUA… `; nothing of
/// a short one, which they would give away.
fn key_id_hint(access_key_id: &str) -> String {
    let id = access_key_id.trim();
    match id.chars().count() >= 12 {
        true => format!("{}… ", id.chars().take(4).collect::<String>()),
        false => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Source;

    #[test]
    fn only_a_long_key_id_is_hinted() {
        assert_eq!(key_id_hint("HPUAEXAMPLEAK0123456"), "HPUA… ");
        assert_eq!(key_id_hint("short-id"), "");
        assert_eq!(key_id_hint("ÄÖÜß00000000"), "ÄÖÜß… ");
    }

    /// The line `config list` shows for the setting `name`.
    fn line(settings: &Settings, name: &str) -> String {
        let lines = describe(settings, &|_: &str| None);
        let found = lines.into_iter().find(|(n, _)| *n == name);
        found.map(|(_, text)| text).unwrap_or_default()
    }

    #[test]
    fn an_endpoint_is_shown_without_its_password_and_checked() {
        let mut args = ConnectionArgs::default();
        args.service.endpoint = Some("http://admin:hunter2@proxy:8080/".into());
        let settings = Settings::for_workspace(&args, &|_: &str| None).unwrap();
        let text = line(&settings, "endpoint");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.starts_with("unusable: "), "{text}");
        assert!(text.contains("http://***@proxy:8080/"), "{text}");

        args.service.endpoint = Some("proxy:8080".into());
        let settings = Settings::for_workspace(&args, &|_: &str| None).unwrap();
        let text = line(&settings, "endpoint");
        assert!(text.starts_with("unusable: "), "{text}");
        assert!(text.contains("no scheme"), "{text}");

        args.service.endpoint = Some("http://127.0.0.1:8080/".into());
        let settings = Settings::for_workspace(&args, &|_: &str| None).unwrap();
        assert_eq!(
            line(&settings, "endpoint"),
            "http://127.0.0.1:8080/ (from --endpoint)"
        );
    }

    #[test]
    fn no_secret_is_described() {
        let env = |name: &str| {
            match name {
                "HUAWEICLOUD_SDK_AK" => Some("HPUAEXAMPLEAK0123456"),
                "HUAWEICLOUD_SDK_SK" => Some("secret-key-value"),
                "HUAWEICLOUD_SDK_SECURITY_TOKEN" => Some("security-token-value"),
                "SECMASTER_AUTH_TOKEN" => Some("auth-token-value"),
                _ => None,
            }
            .map(str::to_owned)
        };
        let args = ConnectionArgs::default();
        let settings = Settings::for_workspace(&args, &env).unwrap();
        let text = format!("{:?}", describe(&settings, &env));
        for secret in [
            "secret-key-value",
            "security-token-value",
            "auth-token-value",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(
            text.contains("HPUA… (set, from HUAWEICLOUD_SDK_AK)"),
            "{text}"
        );
        assert!(text.contains("temporary access key pair"), "{text}");
        assert!(matches!(
            settings.credentials.map(|c| c.source),
            Some(Source::Variable(ACCESS_KEY))
        ));
    }
}
