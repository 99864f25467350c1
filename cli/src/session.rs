//! Connection settings (flags, the environment, the profile) resolved into a
//! ready client: the one place every command gets its client, project and
//! workspace from.

use secmaster_client::SecMasterClient;

use crate::cli::ConnectionArgs;
use crate::exit::Failure;
use crate::settings::{Lookup, Settings, Target};

/// A client, and the project and workspace the command works in.
pub struct Session {
    pub client: SecMasterClient,
    pub project_id: String,
    pub workspace_id: String,
}

impl Session {
    /// Resolves every setting; when some are missing or wrong, one error
    /// names all of them, not one per run.
    pub fn resolve(args: &ConnectionArgs, env: Lookup<'_>) -> Result<Self, Failure> {
        let settings = Settings::for_workspace(args, env)?;
        let wanted = [settings.project_id(), settings.workspace_id()];
        let (client, [project_id, workspace_id]) = connect(&settings, env, wanted)?;
        check_project_id(&project_id, &settings);
        Ok(Session {
            client,
            project_id,
            workspace_id,
        })
    }
}

/// A client for the settings' endpoint and credentials, and the command's
/// own `wanted` settings (a project, a workspace) once all are known. When
/// some are missing or wrong, one error names all of them.
pub fn connect<T: Default, const N: usize>(
    settings: &Settings,
    env: Lookup<'_>,
    wanted: [Result<T, Failure>; N],
) -> Result<(SecMasterClient, [T; N]), Failure> {
    let endpoint = settings.endpoint(env);
    let credentials = settings.credentials(env);
    let mut failures = Vec::new();
    let values = wanted.map(|setting| {
        setting.unwrap_or_else(|f| {
            failures.push(f);
            T::default()
        })
    });
    let (endpoint, credentials) = match (endpoint, credentials) {
        (Ok(e), Ok(c)) if failures.is_empty() => (e, c),
        (e, c) => {
            failures.extend([e.err(), c.err()].into_iter().flatten());
            return Err(one_failure(failures));
        }
    };
    let source = settings.credentials.as_ref().map(|c| c.source.to_string());
    tracing::debug!(target: "secmaster", %endpoint, ?credentials, ?source, "settings");
    let client = SecMasterClient::builder()
        .endpoint(endpoint.as_str())?
        .credentials(credentials)
        .build()?;
    Ok((client, values))
}

/// Warns when requests go to a region's endpoint (not an endpoint URL,
/// from `--endpoint` or a profile) and `project` does not look like a
/// Huawei Cloud project id: 32 hexadecimal characters. The account id, the
/// project's name or a workspace id given by mistake would otherwise only
/// be refused by the service, or not at all. A warning, not a refusal: the
/// service decides.
pub fn check_project_id(project: &str, settings: &Settings) {
    let region = settings
        .target
        .as_ref()
        .is_some_and(|t| matches!(t.value, Target::Region(_)));
    if region && !looks_like_project_id(project) {
        crate::stderr::line(format_args!(
            "warning: the project id \"{}\" does not look like one (32 hexadecimal characters, \
             listed under My Credentials > API Credentials in the console)",
            secmaster_client::untrusted::escape(project)
        ));
    }
}

fn looks_like_project_id(project: &str) -> bool {
    project.len() == 32 && project.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One failure for several: an I/O error (an unreadable token file) as it
/// is, else the usage errors joined.
fn one_failure(mut failures: Vec<Failure>) -> Failure {
    if let Some(i) = failures
        .iter()
        .position(|f| !matches!(f, Failure::Usage(_)))
    {
        return failures.swap_remove(i);
    }
    if failures.len() == 1 {
        return failures.swap_remove(0);
    }
    let text: Vec<String> = failures.iter().map(ToString::to_string).collect();
    Failure::Usage(format!(
        "{} settings are missing or wrong: {}",
        text.len(),
        text.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::ServiceArgs;

    fn args() -> ConnectionArgs {
        ConnectionArgs {
            project_id: None,
            workspace_id: None,
            service: ServiceArgs {
                region: None,
                endpoint: None,
                token_file: None,
                dry_run: false,
                profile: None,
                quiet: false,
                verbose: false,
            },
        }
    }

    #[test]
    fn every_missing_setting_is_named_at_once() {
        let Err(err) = Session::resolve(&args(), &|_| None) else {
            panic!("resolved with nothing")
        };
        let text = err.to_string();
        assert!(text.starts_with("4 settings are missing"), "{text}");
        for name in ["--project-id", "--workspace-id", "--region", "--token-file"] {
            assert!(text.contains(name), "{name}: {text}");
        }
        // One item had its own "configuration error: " inside the list.
        assert!(!text.contains("configuration error"), "{text}");
        assert_eq!(err.exit_code(), crate::exit::USAGE);
    }

    // A bad security token was answered with "(or pass --token-file FILE)",
    // as if no credentials had been given.
    #[test]
    fn the_token_file_is_offered_only_when_no_variable_was_tried() {
        let lookup = |name: &str| match name {
            "HUAWEICLOUD_SDK_AK" => Some("AK".to_owned()),
            "HUAWEICLOUD_SDK_SK" => Some("SK".to_owned()),
            "HUAWEICLOUD_SDK_SECURITY_TOKEN" => Some("bad\ntoken".to_owned()),
            _ => None,
        };
        let settings = Settings::for_workspace(&args(), &lookup).unwrap();
        let Err(err) = settings.credentials(&lookup) else {
            panic!("a token with a line break was accepted")
        };
        assert!(!err.to_string().contains("--token-file"), "{err}");
    }

    #[test]
    fn project_ids_are_32_hexadecimal_characters() {
        assert!(looks_like_project_id("0123456789abcdef0123456789ABCDEF"));
        for unlikely in [
            "",
            "P",
            "0123456789abcdef0123456789abcde",
            "0123456789abcdef0123456789abcdef0",
            "0123456789abcdef-123456789abcdef",
            "cn-north-4",
            "0123456789abcdef0123456789abcdeg",
        ] {
            assert!(!looks_like_project_id(unlikely), "{unlikely}");
        }
    }

    #[test]
    fn with_an_endpoint_no_region_is_needed() {
        let mut a = args();
        a.service.endpoint = Some("http://127.0.0.1:9".into());
        a.project_id = Some("p".into());
        a.workspace_id = Some("w".into());
        let lookup = |name: &str| (name == "SECMASTER_AUTH_TOKEN").then(|| "t".to_owned());
        let session = Session::resolve(&a, &lookup).ok().unwrap();
        assert_eq!(
            (session.project_id.as_str(), session.workspace_id.as_str()),
            ("p", "w")
        );
    }
}
