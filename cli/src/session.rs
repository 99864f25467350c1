//! Connection flags and the environment resolved into a ready client: the
//! one place every workflow command gets its client, project and
//! workspace from.

use secmaster_client::SecMasterClient;

use crate::cli::ConnectionArgs;
use crate::exit::Failure;
use crate::settings::{self, Lookup};

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
        let project = settings::project_id(args.project_id.as_deref(), env);
        let workspace = args
            .workspace_id
            .as_deref()
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| Failure::Usage("no workspace id: pass --workspace-id".into()));
        let endpoint = settings::endpoint(args.endpoint.as_deref(), args.region.as_deref(), env);
        let credentials = settings::credentials(args.token_file.as_deref(), env);
        let (project_id, workspace_id, endpoint, (credentials, source)) =
            match (project, workspace, endpoint, credentials) {
                (Ok(p), Ok(w), Ok(e), Ok(c)) => (p, w, e, c),
                (p, w, e, c) => {
                    let mut failures: Vec<Failure> = [p.err(), w.err(), e.err(), c.err()]
                        .into_iter()
                        .flatten()
                        .collect();
                    // An unreadable token file is an I/O error: reported as such.
                    if let Some(i) = failures
                        .iter()
                        .position(|f| !matches!(f, Failure::Usage(_)))
                    {
                        return Err(failures.swap_remove(i));
                    }
                    if failures.len() == 1 {
                        return Err(failures.swap_remove(0));
                    }
                    let text: Vec<String> = failures.iter().map(ToString::to_string).collect();
                    return Err(Failure::Usage(format!(
                        "{} settings are missing or wrong: {}",
                        text.len(),
                        text.join("; ")
                    )));
                }
            };
        tracing::debug!(target: "secmaster", %endpoint, credentials = ?source, "settings");
        let client = SecMasterClient::builder()
            .endpoint(endpoint)
            .credentials(credentials)
            .project_id(&project_id)
            .build()?;
        Ok(Session {
            client,
            project_id,
            workspace_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ConnectionArgs {
        ConnectionArgs {
            project_id: None,
            workspace_id: None,
            region: None,
            endpoint: None,
            token_file: None,
            quiet: false,
            verbose: false,
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
        let Err(err) = crate::settings::credentials(None, &lookup) else {
            panic!("a token with a line break was accepted")
        };
        assert!(!err.to_string().contains("--token-file"), "{err}");
    }

    #[test]
    fn with_an_endpoint_no_region_is_needed() {
        let mut a = args();
        a.endpoint = Some("http://127.0.0.1:9".into());
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
