//! The connection settings, resolved once for a command: each from its flag,
//! else the environment (with the official SDK's variable names), else the
//! profile of the config file, and each with where it came from.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use secmaster_client::env::{
    ACCESS_KEY, AUTH_TOKEN, PROJECT_ID, REGION, SECRET_KEY, SECURITY_TOKEN,
};
use secmaster_client::{Credentials, Endpoint};

use crate::cli::{ConnectionArgs, ProjectArgs, ServiceArgs};
use crate::config_file::{self, ConfigFile, Location, Profile, ProfileCredentials, Secret};
use crate::exit::{Failure, shown};

/// Reads an environment variable; an empty or blank value counts as unset.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The variable that chooses the profile when `--profile` does not.
pub const PROFILE_VARIABLE: &str = "SECMASTER_PROFILE";
/// The variable that gives the workspace when `--workspace-id` does not.
pub const WORKSPACE_VARIABLE: &str = "SECMASTER_WORKSPACE_ID";
/// The profile used when none is chosen, if the file has it.
pub const DEFAULT_PROFILE: &str = "default";

/// The largest token file read. IAM tokens are a few KiB; a larger file is
/// not a token, and sent as a header it would only be refused (HTTP 431).
pub const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(&'static str),
    Variable(&'static str),
    Profile { name: String, file: PathBuf },
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(name) | Source::Variable(name) => f.write_str(name),
            Source::Profile { name, file } => {
                write!(f, "profile {name:?} in {}", shown(file))
            }
        }
    }
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: Source,
}

/// Where requests go, as given: an endpoint URL or a region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Endpoint(String),
    Region(String),
}

/// The credentials as given, before they are read and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSetting {
    /// A file holding an IAM token, read when connecting.
    TokenFile(PathBuf),
    /// The environment's credential variables, read as the library reads
    /// them.
    Environment,
    /// A profile's key pair.
    AccessKey {
        ak: Secret,
        sk: Secret,
        security_token: Option<Secret>,
    },
}

/// Why a profile is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChosenBy {
    Flag,
    Variable,
    /// No choice was made, and the file has a profile named `default`.
    Default,
}

impl fmt::Display for ChosenBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChosenBy::Flag => "from --profile",
            ChosenBy::Variable => "from SECMASTER_PROFILE",
            ChosenBy::Default => "as no --profile or SECMASTER_PROFILE chose one",
        })
    }
}

/// Every connection setting a command may use; `None`: not set anywhere.
#[derive(Debug)]
pub struct Settings {
    /// Where the config file is looked for (`None`: no variable says).
    pub config_file: Option<Location>,
    /// Whether that file exists.
    pub config_file_exists: bool,
    /// The profile used, and why.
    pub profile: Option<(String, ChosenBy)>,
    pub target: Option<Sourced<Target>>,
    pub credentials: Option<Sourced<CredentialSetting>>,
    pub project_id: Option<Sourced<String>>,
    pub workspace_id: Option<Sourced<String>>,
}

impl Settings {
    /// The settings of a command that works in a workspace.
    pub fn for_workspace(args: &ConnectionArgs, env: Lookup<'_>) -> Result<Self, Failure> {
        let flags = [args.project_id.as_deref(), args.workspace_id.as_deref()];
        Settings::resolve(&args.service, flags, env)
    }

    /// The settings of a command that works on a project: no workspace.
    pub fn for_project(args: &ProjectArgs, env: Lookup<'_>) -> Result<Self, Failure> {
        let mut settings =
            Settings::resolve(&args.service, [args.project_id.as_deref(), None], env)?;
        settings.workspace_id = None;
        Ok(settings)
    }

    /// `[project, workspace]` flags; the rest are in `service`.
    fn resolve(
        service: &ServiceArgs,
        [project_flag, workspace_flag]: [Option<&str>; 2],
        env: Lookup<'_>,
    ) -> Result<Self, Failure> {
        let config_file = config_file::location(env);
        let file = match &config_file {
            Some(location) => config_file::load(location)?,
            None => None,
        };
        let chosen = choose_profile(
            service.profile.as_deref(),
            env,
            config_file.as_ref(),
            file.as_ref(),
        )?;
        let in_profile = |pick: fn(&Profile) -> Option<&String>| chosen.as_ref()?.get(pick);
        let target = flag(service.endpoint.as_deref(), "--endpoint")
            .map(|s| s.map(Target::Endpoint))
            .or_else(|| flag(service.region.as_deref(), "--region").map(|s| s.map(Target::Region)))
            .or_else(|| variable(env, REGION).map(|s| s.map(Target::Region)))
            .or_else(|| in_profile(|p| p.endpoint.as_ref()).map(|s| s.map(Target::Endpoint)))
            .or_else(|| in_profile(|p| p.region.as_ref()).map(|s| s.map(Target::Region)));
        let credentials = if let Some(path) = &service.token_file {
            Some(Sourced {
                value: CredentialSetting::TokenFile(path.clone()),
                source: Source::Flag("--token-file"),
            })
        } else if let Some(name) = credential_variable(env) {
            Some(Sourced {
                value: CredentialSetting::Environment,
                source: Source::Variable(name),
            })
        } else {
            match &chosen {
                Some(chosen) => chosen.credentials(env)?,
                None => None,
            }
        };
        let project_id = flag(project_flag, "--project-id")
            .or_else(|| variable(env, PROJECT_ID))
            .or_else(|| in_profile(|p| p.project_id.as_ref()));
        let workspace_id = flag(workspace_flag, "--workspace-id")
            .or_else(|| variable(env, WORKSPACE_VARIABLE))
            .or_else(|| in_profile(|p| p.workspace_id.as_ref()));
        Ok(Settings {
            config_file_exists: file.is_some(),
            profile: chosen.as_ref().map(|c| (c.name.clone(), c.chosen_by)),
            config_file,
            target,
            credentials,
            project_id,
            workspace_id,
        })
    }

    /// The project, or what would set it.
    pub fn project_id(&self) -> Result<String, Failure> {
        self.project_id.as_ref().map(|s| s.value.clone()).ok_or_else(|| {
            Failure::Usage(format!(
                "no project id: pass --project-id, set {PROJECT_ID}, or give project_id in a profile"
            ))
        })
    }

    /// The workspace, or what would set it.
    pub fn workspace_id(&self) -> Result<String, Failure> {
        self.workspace_id
            .as_ref()
            .map(|s| s.value.clone())
            .ok_or_else(|| {
                Failure::Usage(format!(
                    "no workspace id: pass --workspace-id, set {WORKSPACE_VARIABLE}, or give \
                 workspace_id in a profile"
                ))
            })
    }

    /// The endpoint: the URL given, or the region's, which
    /// `HUAWEICLOUD_SDK_REGION_SECMASTER_<REGION>` may override.
    pub fn endpoint(&self, env: Lookup<'_>) -> Result<Endpoint, Failure> {
        let Some(target) = &self.target else {
            return Err(Failure::Usage(format!(
                "no region: pass --region or --endpoint, set {REGION}, or give region or \
                 endpoint in a profile"
            )));
        };
        let endpoint = match &target.value {
            Target::Endpoint(url) => Endpoint::url(url),
            Target::Region(region) => secmaster_client::env::endpoint_for_region(region, env),
        };
        endpoint.map_err(|e| Failure::Usage(format!("{e} (from {})", target.source)))
    }

    /// The credentials, read (a token file) and checked.
    pub fn credentials(&self, env: Lookup<'_>) -> Result<Credentials, Failure> {
        let Some(setting) = &self.credentials else {
            return Err(Failure::Usage(format!(
                "no credentials: pass --token-file FILE, set {ACCESS_KEY} and {SECRET_KEY} (and \
                 {SECURITY_TOKEN} for temporary credentials) or {AUTH_TOKEN}, or give token_file \
                 or ak and sk in a profile"
            )));
        };
        let source = &setting.source;
        let checked = |e: secmaster_client::Error| {
            // The library's text without its "configuration error: ", which
            // the list of missing settings does not repeat per item.
            let text = match e {
                secmaster_client::Error::Config(m) => m,
                other => other.to_string(),
            };
            Failure::Usage(format!("{text} (from {source})"))
        };
        match &setting.value {
            CredentialSetting::TokenFile(path) => {
                let token = read_token_file(path)?;
                Credentials::token(token)
                    .map_err(|e| Failure::Usage(format!("the token in {}: {e}", shown(path))))
            }
            CredentialSetting::Environment => {
                secmaster_client::env::credentials(env).map_err(checked)
            }
            CredentialSetting::AccessKey {
                ak,
                sk,
                security_token,
            } => {
                let pair = Credentials::access_key(ak.expose(), sk.expose()).map_err(checked)?;
                match security_token {
                    Some(token) => pair.with_security_token(token.expose()).map_err(checked),
                    None => Ok(pair),
                }
            }
        }
    }
}

/// The first credential variable set, in the order the library reads them;
/// any one of them makes the environment the credentials' source.
pub fn credential_variable(env: Lookup<'_>) -> Option<&'static str> {
    [ACCESS_KEY, SECRET_KEY, AUTH_TOKEN, SECURITY_TOKEN]
        .into_iter()
        .find(|name| env(name).is_some())
}

/// A flag's value, trimmed; blank counts as not given.
fn flag(value: Option<&str>, name: &'static str) -> Option<Sourced<String>> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    Some(Sourced {
        value: value.to_owned(),
        source: Source::Flag(name),
    })
}

/// A variable's value, trimmed.
fn variable(env: Lookup<'_>, name: &'static str) -> Option<Sourced<String>> {
    Some(Sourced {
        value: env(name)?.trim().to_owned(),
        source: Source::Variable(name),
    })
}

impl<T> Sourced<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced {
            value: f(self.value),
            source: self.source,
        }
    }
}

/// The profile in use: its name, why, and the file it is in.
struct ChosenProfile<'f> {
    name: String,
    chosen_by: ChosenBy,
    profile: &'f Profile,
    file: &'f ConfigFile,
}

impl ChosenProfile<'_> {
    fn source(&self) -> Source {
        Source::Profile {
            name: self.name.clone(),
            file: self.file.path.clone(),
        }
    }

    fn get(&self, pick: fn(&Profile) -> Option<&String>) -> Option<Sourced<String>> {
        Some(Sourced {
            value: pick(self.profile)?.clone(),
            source: self.source(),
        })
    }

    fn credentials(&self, env: Lookup<'_>) -> Result<Option<Sourced<CredentialSetting>>, Failure> {
        let value = match &self.profile.credentials {
            None => return Ok(None),
            Some(ProfileCredentials::TokenFile(written)) => {
                CredentialSetting::TokenFile(self.file.path_in(written, env)?)
            }
            Some(ProfileCredentials::AccessKey {
                ak,
                sk,
                security_token,
            }) => CredentialSetting::AccessKey {
                ak: ak.clone(),
                sk: sk.clone(),
                security_token: security_token.clone(),
            },
        };
        Ok(Some(Sourced {
            value,
            source: self.source(),
        }))
    }
}

/// The profile chosen by `--profile`, else `SECMASTER_PROFILE`, else the
/// one named `default` if the file has it. A profile asked for by name
/// must exist.
fn choose_profile<'f>(
    flag: Option<&str>,
    env: Lookup<'_>,
    location: Option<&Location>,
    file: Option<&'f ConfigFile>,
) -> Result<Option<ChosenProfile<'f>>, Failure> {
    let asked = match (flag, env(PROFILE_VARIABLE)) {
        (Some(name), _) => Some((name.trim().to_owned(), ChosenBy::Flag)),
        (None, Some(name)) => Some((name.trim().to_owned(), ChosenBy::Variable)),
        (None, None) => None,
    };
    let Some((name, chosen_by)) = asked else {
        return Ok(file.and_then(|file| {
            Some(ChosenProfile {
                name: DEFAULT_PROFILE.to_owned(),
                chosen_by: ChosenBy::Default,
                profile: file.profiles.get(DEFAULT_PROFILE)?,
                file,
            })
        }));
    };
    let Some(file) = file else {
        let missing = match location {
            Some(location) => format!("there is no config file {}", shown(&location.path)),
            None => format!("no config file ({})", config_file::why_none(env)),
        };
        return Err(Failure::Usage(format!(
            "no profile {name:?} ({chosen_by}): {missing}"
        )));
    };
    let Some(profile) = file.profiles.get(&name) else {
        let names: Vec<String> = file.profiles.keys().map(|n| format!("{n:?}")).collect();
        let known = match names.is_empty() {
            true => "it has none".to_owned(),
            false => format!("it has {}", names.join(", ")),
        };
        return Err(Failure::Usage(format!(
            "no profile {name:?} ({chosen_by}) in the config file {}: {known}",
            shown(&file.path)
        )));
    };
    Ok(Some(ChosenProfile {
        name,
        chosen_by,
        profile,
        file,
    }))
}

/// The whole file, trimmed; `-` reads standard input.
fn read_token_file(path: &Path) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let what = || format!("cannot read the token file {}", shown(path));
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
            shown(path),
            MAX_TOKEN_FILE / 1024
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Io(format!("the token file {} is not UTF-8 text", shown(path))))?;
    // A byte-order mark is an editor's, not the token's.
    let token = text.strip_prefix('\u{feff}').unwrap_or(&text).trim();
    if token.is_empty() {
        return Err(Failure::Usage(format!(
            "the token file {} is empty",
            shown(path)
        )));
    }
    Ok(token.to_owned())
}

/// The process environment, with empty values treated as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.clone())
        }
    }

    /// A private config file with `text`, removed when dropped.
    struct File(PathBuf);

    impl File {
        fn new(name: &str, text: &str) -> Self {
            let path = std::env::temp_dir().join(format!(
                "secmaster-settings-{name}-{}.toml",
                std::process::id()
            ));
            std::fs::write(&path, text).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let private = std::fs::Permissions::from_mode(0o600);
                std::fs::set_permissions(&path, private).unwrap();
            }
            File(path)
        }

        fn variable(&self) -> (&'static str, String) {
            (config_file::CONFIG_VARIABLE, self.0.display().to_string())
        }
    }

    impl Drop for File {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    const PROFILES: &str = "[profiles.default]\nregion = \"cn-north-4\"\nproject_id = \"p-default\"\n\
        workspace_id = \"w-default\"\nak = \"AK-default\"\nsk = \"SK\"\n\
        [profiles.local]\nendpoint = \"http://127.0.0.1:9\"\ntoken_file = \"token\"\n";

    #[test]
    fn flags_then_variables_then_the_profile() {
        let file = File::new("precedence", PROFILES);
        let settings = |flags: &ConnectionArgs, vars: Vec<(&'static str, String)>| {
            let vars = [vec![file.variable()], vars].concat();
            Settings::for_workspace(flags, &env(vars)).unwrap()
        };
        let profile = Source::Profile {
            name: "default".into(),
            file: file.0.clone(),
        };
        let s = settings(&ConnectionArgs::default(), vec![]);
        assert_eq!(s.profile, Some(("default".into(), ChosenBy::Default)));
        assert_eq!(s.project_id.as_ref().unwrap().source, profile);
        assert_eq!(s.workspace_id().unwrap(), "w-default");
        assert_eq!(s.target.unwrap().value, Target::Region("cn-north-4".into()));
        assert_eq!(s.credentials.unwrap().source, profile);

        let vars = vec![
            (PROJECT_ID, "p-var".to_owned()),
            (WORKSPACE_VARIABLE, "w-var".to_owned()),
            (REGION, "ap-southeast-1".to_owned()),
            (AUTH_TOKEN, "token".to_owned()),
        ];
        let s = settings(&ConnectionArgs::default(), vars.clone());
        assert_eq!(s.project_id().unwrap(), "p-var");
        assert_eq!(s.workspace_id().unwrap(), "w-var");
        assert_eq!(s.target.unwrap().source, Source::Variable(REGION));
        assert_eq!(s.credentials.unwrap().source, Source::Variable(AUTH_TOKEN));

        let flags = ConnectionArgs {
            project_id: Some("p-flag".into()),
            workspace_id: Some(" w-flag ".into()),
            service: ServiceArgs {
                endpoint: Some("http://127.0.0.1:1".into()),
                token_file: Some("t".into()),
                ..ServiceArgs::default()
            },
        };
        let s = settings(&flags, vars);
        assert_eq!(s.project_id().unwrap(), "p-flag");
        assert_eq!(s.workspace_id().unwrap(), "w-flag");
        assert_eq!(s.target.unwrap().source, Source::Flag("--endpoint"));
        assert_eq!(s.credentials.unwrap().source, Source::Flag("--token-file"));
    }

    #[test]
    fn a_profile_is_chosen_by_flag_then_variable() {
        let file = File::new("choice", PROFILES);
        let mut flags = ConnectionArgs::default();
        let chosen = |flags: &ConnectionArgs, profile: Option<&str>| {
            let vars = [
                vec![file.variable()],
                profile
                    .map(|p| (PROFILE_VARIABLE, p.to_owned()))
                    .into_iter()
                    .collect(),
            ]
            .concat();
            Settings::for_workspace(flags, &env(vars)).map(|s| s.profile)
        };
        let local = Some(("local".to_owned(), ChosenBy::Variable));
        assert_eq!(chosen(&flags, Some("local")).unwrap(), local);
        flags.service.profile = Some("default".into());
        let default = Some(("default".to_owned(), ChosenBy::Flag));
        assert_eq!(chosen(&flags, Some("local")).unwrap(), default);
        flags.service.profile = Some("prod".into());
        let e = chosen(&flags, None).unwrap_err();
        assert_eq!(e.exit_code(), crate::exit::USAGE);
        assert!(
            e.to_string().ends_with("it has \"default\", \"local\""),
            "{e}"
        );
        // No default profile, none chosen: none used.
        let other = File::new("no-default", "[profiles.x]\n");
        let s = Settings::for_workspace(&ConnectionArgs::default(), &env(vec![other.variable()]))
            .unwrap();
        assert_eq!(s.profile, None);
    }

    #[test]
    fn a_profile_token_file_is_found_beside_the_config_file() {
        let file = File::new("token", PROFILES);
        let vars = env(vec![file.variable(), (PROFILE_VARIABLE, "local".into())]);
        let s = Settings::for_workspace(&ConnectionArgs::default(), &vars).unwrap();
        let dir = file.0.parent().unwrap();
        assert_eq!(
            s.credentials.unwrap().value,
            CredentialSetting::TokenFile(dir.join("token"))
        );
    }

    #[test]
    fn a_named_profile_needs_the_file() {
        let mut flags = ConnectionArgs::default();
        flags.service.profile = Some("prod".into());
        let vars = env(vec![("HOME", "/nonexistent-home".into())]);
        let e = Settings::for_workspace(&flags, &vars)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "no profile \"prod\" (from --profile): there is no config file \
             /nonexistent-home/.config/secmaster/config.toml"
        );
        // Without it, the file is not needed.
        assert!(Settings::for_workspace(&ConnectionArgs::default(), &vars).is_ok());
        let vars = env(vec![(config_file::CONFIG_VARIABLE, "/dev/null".into())]);
        let e = Settings::for_workspace(&flags, &vars).unwrap_err();
        assert_eq!(
            e.to_string(),
            "no profile \"prod\" (from --profile): no config file (SECMASTER_CONFIG is /dev/null)"
        );
    }

    #[test]
    fn dev_null_as_the_config_file_means_none() {
        // A broken file where the file would be found otherwise.
        let xdg = std::env::temp_dir().join(format!("secmaster-devnull-{}", std::process::id()));
        std::fs::create_dir_all(xdg.join("secmaster")).unwrap();
        let broken = File(xdg.join("secmaster").join("config.toml"));
        std::fs::write(&broken.0, "[profiles.default]\nregoin = 1\n").unwrap();
        let mut vars = vec![("XDG_CONFIG_HOME", xdg.display().to_string())];
        let e =
            Settings::for_workspace(&ConnectionArgs::default(), &env(vars.clone())).unwrap_err();
        assert!(e.to_string().contains("unknown key `regoin`"), "{e}");
        vars.push((config_file::CONFIG_VARIABLE, "/dev/null".into()));
        let s = Settings::for_workspace(&ConnectionArgs::default(), &env(vars)).unwrap();
        assert_eq!(s.config_file, None);
        assert!(!s.config_file_exists);
        assert_eq!(s.profile, None);
        drop(broken);
        let _ = std::fs::remove_dir_all(&xdg);
    }

    #[test]
    fn access_keys_win_over_the_token_variable_as_in_the_library() {
        let vars = env(vec![
            (AUTH_TOKEN, "tok".into()),
            (ACCESS_KEY, "AK".into()),
            (SECRET_KEY, "SK".into()),
        ]);
        let s = Settings::for_workspace(&ConnectionArgs::default(), &vars).unwrap();
        let credentials = s.credentials(&vars).unwrap();
        assert!(matches!(credentials, Credentials::AccessKey { .. }));
    }

    #[test]
    fn missing_credentials_name_every_source() {
        let s = Settings::for_workspace(&ConnectionArgs::default(), &env(vec![])).unwrap();
        let e = s.credentials(&env(vec![])).unwrap_err();
        assert_eq!(e.exit_code(), crate::exit::USAGE);
        let text = e.to_string();
        for name in [
            "--token-file",
            AUTH_TOKEN,
            ACCESS_KEY,
            SECRET_KEY,
            "in a profile",
        ] {
            assert!(text.contains(name), "{text}");
        }
        let vars = env(vec![(ACCESS_KEY, "AK".into())]);
        let s = Settings::for_workspace(&ConnectionArgs::default(), &vars).unwrap();
        let text = s.credentials(&vars).unwrap_err().to_string();
        assert!(text.contains("HUAWEICLOUD_SDK_SK is not"), "{text}");
    }

    #[test]
    fn endpoint_sources() {
        let none = env(vec![]);
        let endpoint = |target, source| {
            let s = Settings {
                target: Some(Sourced {
                    value: target,
                    source,
                }),
                ..Settings::for_workspace(&ConnectionArgs::default(), &none).unwrap()
            };
            s.endpoint(&env(vec![(
                "HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4",
                "http://127.0.0.1:8".into(),
            )]))
        };
        let flag = Source::Flag("--region");
        let url = Target::Endpoint("http://127.0.0.1:9".into());
        assert_eq!(
            endpoint(url, flag.clone()).unwrap().as_str(),
            "http://127.0.0.1:9"
        );
        let overridden = endpoint(Target::Region("cn-north-4".into()), flag.clone()).unwrap();
        assert_eq!(overridden.as_str(), "http://127.0.0.1:8");
        let public = endpoint(Target::Region("cn-east-3".into()), flag).unwrap();
        assert_eq!(
            public.as_str(),
            "https://secmaster.cn-east-3.myhuaweicloud.com"
        );
        let profile = Source::Profile {
            name: "prod".into(),
            file: "/c.toml".into(),
        };
        let e = endpoint(Target::Region("mars-1".into()), profile).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("(from profile \"prod\" in /c.toml)"),
            "{e}"
        );
        let s = Settings::for_workspace(&ConnectionArgs::default(), &none).unwrap();
        let text = s.endpoint(&none).unwrap_err().to_string();
        assert!(text.contains("HUAWEICLOUD_SDK_REGION"), "{text}");
    }
}
