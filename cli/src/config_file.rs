//! The config file: named profiles of connection settings, in TOML.
//!
//! ```toml
//! [profiles.default]
//! region = "cn-north-4"
//! project_id = "0123456789abcdef0123456789abcdef"
//! token_file = "~/.secmaster-token"
//!
//! [profiles.prod]
//! endpoint = "https://secmaster.example.com"
//! ak = "HPUA..."
//! sk = "..."
//! ```
//!
//! Read as outside input: bounded in size, every key known (a typo is an
//! error naming the key and its line, never a setting silently dropped), and
//! secrets only from a file that no one else can read.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::exit::{Failure, shown};
use crate::settings::Lookup;

/// The variable that names the config file; the file must then exist.
pub const CONFIG_VARIABLE: &str = "SECMASTER_CONFIG";

/// The largest config file read. A few profiles take a few hundred bytes.
pub const MAX_SIZE: u64 = 1024 * 1024;

/// Where the config file is, and what said so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub found_by: FoundBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoundBy {
    /// `SECMASTER_CONFIG` names it: it must exist.
    Variable,
    /// `$XDG_CONFIG_HOME/secmaster/config.toml`.
    XdgConfigHome,
    /// `$HOME/.config/secmaster/config.toml`.
    Home,
}

impl fmt::Display for FoundBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FoundBy::Variable => CONFIG_VARIABLE,
            FoundBy::XdgConfigHome => "XDG_CONFIG_HOME",
            FoundBy::Home => "HOME",
        })
    }
}

/// `SECMASTER_CONFIG` set to this means no config file at all (as git's
/// `GIT_CONFIG_GLOBAL=/dev/null`): the way past a broken one.
pub const NO_FILE: &str = "/dev/null";

/// Why no config file is read, for messages that say there is none.
pub fn why_none(env: Lookup<'_>) -> String {
    match env(CONFIG_VARIABLE).as_deref() == Some(NO_FILE) {
        true => format!("{CONFIG_VARIABLE} is {NO_FILE}"),
        false => format!("set {CONFIG_VARIABLE} or HOME"),
    }
}

/// `$SECMASTER_CONFIG`, else `$XDG_CONFIG_HOME/secmaster/config.toml`, else
/// `~/.config/secmaster/config.toml`; `None` without any of the variables,
/// or when `SECMASTER_CONFIG` is `/dev/null`. A relative `XDG_CONFIG_HOME`
/// is ignored, as the XDG specification says.
pub fn location(env: Lookup<'_>) -> Option<Location> {
    if let Some(path) = env(CONFIG_VARIABLE) {
        if path == NO_FILE {
            return None;
        }
        return Some(Location {
            path: PathBuf::from(path),
            found_by: FoundBy::Variable,
        });
    }
    let in_dir = |dir: PathBuf, found_by| Location {
        path: dir.join("secmaster").join("config.toml"),
        found_by,
    };
    if let Some(dir) = env("XDG_CONFIG_HOME").map(PathBuf::from)
        && dir.is_absolute()
    {
        return Some(in_dir(dir, FoundBy::XdgConfigHome));
    }
    let home = env("HOME")?;
    Some(in_dir(Path::new(&home).join(".config"), FoundBy::Home))
}

/// The profiles of one config file.
#[derive(Debug)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub profiles: BTreeMap<String, Profile>,
}

/// One `[profiles.NAME]` table: every value trimmed and not empty.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Profile {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    pub project_id: Option<String>,
    pub workspace_id: Option<String>,
    pub credentials: Option<ProfileCredentials>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileCredentials {
    /// `token_file`, as written: a file holding an IAM token.
    TokenFile(String),
    /// `ak` and `sk`, with `security_token` for temporary credentials.
    /// The access key id is no secret, but is shown in part only.
    AccessKey {
        ak: Secret,
        sk: Secret,
        security_token: Option<Secret>,
    },
}

/// Text that is never shown: `Debug` prints `<redacted>`, and there is no
/// `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl ConfigFile {
    /// Whether any profile holds a secret (`sk`, `security_token`).
    pub fn has_secrets(&self) -> bool {
        self.profiles
            .values()
            .any(|p| matches!(p.credentials, Some(ProfileCredentials::AccessKey { .. })))
    }

    /// A path the file gives (`token_file`): `~/` is the home directory, a
    /// relative path is taken from the config file's directory.
    pub fn path_in(&self, written: &str, env: Lookup<'_>) -> Result<PathBuf, Failure> {
        if let Some(rest) = written.strip_prefix("~/") {
            let home = env("HOME").ok_or_else(|| {
                Failure::Usage(format!(
                    "the config file {} gives {written:?}, but HOME is not set",
                    shown(&self.path)
                ))
            })?;
            return Ok(Path::new(&home).join(rest));
        }
        let dir = self.path.parent().unwrap_or(Path::new(""));
        Ok(dir.join(written))
    }
}

/// Reads the file at `location`: `None` when it does not exist and nothing
/// asked for it. A file that cannot be read is an I/O failure (exit 6); one
/// whose text, owner or permissions cannot be used is a usage failure
/// (exit 2).
pub fn load(location: &Location) -> Result<Option<ConfigFile>, Failure> {
    let path = &location.path;
    let what = || {
        format!(
            "cannot read the config file {} (from {})",
            shown(path),
            location.found_by
        )
    };
    let not_a_file = || {
        Failure::Io(format!(
            "the config file {} is not a regular file",
            shown(path)
        ))
    };
    // Before opening, as opening a FIFO waits for a writer; and after, in
    // case the file was replaced in between.
    match std::fs::metadata(path) {
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && location.found_by != FoundBy::Variable =>
        {
            return Ok(None);
        }
        Err(e) => return Err(Failure::io(what(), &e)),
        Ok(metadata) if !metadata.is_file() => return Err(not_a_file()),
        Ok(_) => {}
    }
    let file = std::fs::File::open(path).map_err(|e| Failure::io(what(), &e))?;
    let metadata = file.metadata().map_err(|e| Failure::io(what(), &e))?;
    if !metadata.is_file() {
        return Err(not_a_file());
    }
    check_owners(path, &metadata)?;
    let mut bytes = Vec::new();
    file.take(MAX_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::io(what(), &e))?;
    if bytes.len() as u64 > MAX_SIZE {
        return Err(Failure::Io(format!(
            "the config file {} is larger than the limit of {} KiB",
            shown(path),
            MAX_SIZE / 1024
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Io(format!("the config file {} is not UTF-8 text", shown(path))))?;
    let profiles = parse(&text)
        .map_err(|e| Failure::Usage(format!("the config file {}, {e}", shown(path))))?;
    let file = ConfigFile {
        path: path.clone(),
        profiles,
    };
    check_permissions(&file, &metadata)?;
    Ok(Some(file))
}

/// As ssh's StrictModes: the file must be yours or root's, and so must the
/// directory it is in (and, for a symbolic link, the link's), which no one
/// else may write to unless it is sticky (as /tmp), where others cannot
/// replace your file. Another user who could change the file could send
/// your requests, and your token, to a server of theirs.
#[cfg(unix)]
fn check_owners(path: &Path, metadata: &std::fs::Metadata) -> Result<(), Failure> {
    use std::os::unix::fs::MetadataExt;

    let Some(me) = my_uid()? else {
        return Ok(());
    };
    let theirs = |uid: u32| uid != me && uid != 0;
    if theirs(metadata.uid()) {
        return Err(Failure::Usage(format!(
            "the config file {} belongs to another user (uid {}), who could send your requests \
             elsewhere: use a file of your own, or have root chown it to you",
            shown(path),
            metadata.uid()
        )));
    }
    let mut dirs = vec![path.parent().unwrap_or(Path::new(""))];
    let real = std::fs::canonicalize(path).ok();
    if let Some(real_dir) = real.as_deref().and_then(Path::parent) {
        dirs.push(real_dir);
    }
    for dir in dirs {
        let dir = match dir.as_os_str().is_empty() {
            true => Path::new("."),
            false => dir,
        };
        let shown_dir = shown(dir);
        let metadata = std::fs::metadata(dir).map_err(|e| {
            Failure::io(
                format!("cannot check the directory {shown_dir} of the config file"),
                &e,
            )
        })?;
        if theirs(metadata.uid()) {
            return Err(Failure::Usage(format!(
                "the config file {} is in the directory {shown_dir}, which belongs to another \
                 user (uid {}), who could replace it: move the file to a directory of your own",
                shown(path),
                metadata.uid()
            )));
        }
        let mode = metadata.mode() & 0o7777;
        const STICKY: u32 = 0o1000;
        if mode & 0o022 != 0 && mode & STICKY == 0 {
            return Err(Failure::Usage(format!(
                "the config file {} is in the directory {shown_dir}, which other users can write \
                 to (mode {:04o}), so they could replace it: chmod go-w {shown_dir}, or move the \
                 file",
                shown(path),
                mode & 0o777
            )));
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owners(_: &Path, _: &std::fs::Metadata) -> Result<(), Failure> {
    Ok(())
}

/// The effective user id, as the owner of `/proc/self` (no unsafe call).
#[cfg(target_os = "linux")]
fn my_uid() -> Result<Option<u32>, Failure> {
    use std::os::unix::fs::MetadataExt;

    match std::fs::metadata("/proc/self") {
        Ok(metadata) => Ok(Some(metadata.uid())),
        Err(e) => Err(Failure::io(
            "cannot tell whether the config file is yours: /proc/self",
            &e,
        )),
    }
}

/// Elsewhere the owner is not checked; the modes still are.
#[cfg(all(unix, not(target_os = "linux")))]
fn my_uid() -> Result<Option<u32>, Failure> {
    Ok(None)
}

/// As ssh does with its files: a file that others can change could send
/// requests (and a token) elsewhere, so it is refused; secrets are refused
/// in a file that others can read.
#[cfg(unix)]
fn check_permissions(file: &ConfigFile, metadata: &std::fs::Metadata) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;

    let mode = metadata.permissions().mode() & 0o777;
    let path = shown(&file.path);
    if mode & 0o022 != 0 {
        return Err(Failure::Usage(format!(
            "the config file {path} can be changed by other users (mode {mode:04o}), who could \
             send your requests elsewhere: make it yours alone with chmod 600 {path}"
        )));
    }
    if file.has_secrets() && mode & 0o077 != 0 {
        return Err(Failure::Usage(format!(
            "the config file {path} holds secrets (sk) but other users can read it (mode \
             {mode:04o}): make it private with chmod 600 {path}"
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_: &ConfigFile, _: &std::fs::Metadata) -> Result<(), Failure> {
    Ok(())
}

/// What is wrong with a config file's text, and on which line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadText {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for BadText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// The file as written, before its values are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    #[serde(default)]
    profiles: BTreeMap<String, Spanned<ProfileText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of settings")]
struct ProfileText {
    region: Option<Spanned<String>>,
    endpoint: Option<Spanned<String>>,
    project_id: Option<Spanned<String>>,
    workspace_id: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    ak: Option<Spanned<String>>,
    sk: Option<Spanned<SecretText>>,
    security_token: Option<Spanned<SecretText>>,
}

/// A secret's text. Any other type of value is refused without repeating
/// it (serde's own message would quote a number).
struct SecretText(String);

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match toml::Value::deserialize(deserializer) {
            Ok(toml::Value::String(text)) => Ok(SecretText(text)),
            _ => Err(serde::de::Error::custom(
                "a secret must be a string in quotes",
            )),
        }
    }
}

/// Parses a config file's text into its profiles.
pub fn parse(text: &str) -> Result<BTreeMap<String, Profile>, BadText> {
    let file: FileText = toml::from_str(text).map_err(|e| BadText {
        line: e.span().map(|span| line_of(text, span.start)),
        message: match e.message().strip_prefix("unknown field") {
            Some(rest) => format!("unknown key{rest}"),
            None => without_values(e.message()),
        },
    })?;
    file.profiles
        .into_iter()
        .map(|(name, table)| {
            let table_line = line_of(text, table.span().start);
            let in_profile = |e: BadText| BadText {
                line: e.line.or(Some(table_line)),
                message: format!("profile {name:?}: {}", e.message),
            };
            if name.trim().is_empty() {
                return Err(in_profile(BadText {
                    line: None,
                    message: "a profile needs a name".into(),
                }));
            }
            // --profile is trimmed: such a name could never be chosen.
            if name.trim() != name {
                return Err(in_profile(BadText {
                    line: None,
                    message: "a profile's name cannot start or end with white space".into(),
                }));
            }
            let profile = profile(table.into_inner(), text).map_err(in_profile)?;
            Ok((name, profile))
        })
        .collect()
}

/// A message of the TOML parser or of serde with every literal in it
/// (`"..."` or `` `...` ``) left out: serde quotes the value it could not
/// use (`invalid type: string "HPUA...", expected ...`), which may be a
/// secret written in the wrong place. Used for every message but an
/// unknown key's, whose literals are key names.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                // Written as Rust's `{:?}` writes a string: `\"` inside.
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("(value not shown)");
            }
            '`' => {
                chars.by_ref().find(|&c| c == '`');
                out.push_str("(value not shown)");
            }
            c => out.push(c),
        }
    }
    out
}

/// Checks one profile's values; a failure without a line is the table's.
fn profile(p: ProfileText, text: &str) -> Result<Profile, BadText> {
    let bad = |line, message: &str| BadText {
        line,
        message: message.to_owned(),
    };
    let line = |span: std::ops::Range<usize>| Some(line_of(text, span.start));
    let value = |field: Option<Spanned<String>>, key: &str| match field {
        None => Ok(None),
        Some(field) => match field.get_ref().trim() {
            "" => Err(bad(line(field.span()), &format!("{key} is empty"))),
            trimmed => Ok(Some(trimmed.to_owned())),
        },
    };
    let secret = |field: Option<Spanned<SecretText>>, key: &str| match field {
        None => Ok(None),
        Some(field) => match field.get_ref().0.trim() {
            "" => Err(bad(line(field.span()), &format!("{key} is empty"))),
            trimmed => Ok(Some((line(field.span()), Secret(trimmed.to_owned())))),
        },
    };
    let ak_line = p.ak.as_ref().and_then(|f| line(f.span()));
    let region = value(p.region, "region")?;
    let endpoint = value(p.endpoint, "endpoint")?;
    if region.is_some() && endpoint.is_some() {
        return Err(bad(
            None,
            "region and endpoint both say where requests go: keep one",
        ));
    }
    let token_file = value(p.token_file, "token_file")?;
    let ak = value(p.ak, "ak")?;
    let sk = secret(p.sk, "sk")?;
    let security_token = secret(p.security_token, "security_token")?;
    let credentials = match (token_file, ak, sk, security_token) {
        (None, None, None, None) => None,
        (Some(file), None, None, None) => Some(ProfileCredentials::TokenFile(file)),
        (None, Some(ak), Some((_, sk)), security_token) => Some(ProfileCredentials::AccessKey {
            ak: Secret(ak),
            sk,
            security_token: security_token.map(|(_, token)| token),
        }),
        (Some(_), ..) => {
            return Err(bad(
                None,
                "token_file and ak/sk are two credentials: keep one",
            ));
        }
        (None, Some(_), None, _) => {
            return Err(bad(
                ak_line,
                "ak without sk (a half-set pair is never skipped)",
            ));
        }
        (None, None, Some((sk_line, _)), _) => {
            return Err(bad(
                sk_line,
                "sk without ak (a half-set pair is never skipped)",
            ));
        }
        (None, None, None, Some((token_line, _))) => {
            return Err(bad(token_line, "security_token goes with ak and sk"));
        }
    };
    Ok(Profile {
        region,
        endpoint,
        project_id: value(p.project_id, "project_id")?,
        workspace_id: value(p.workspace_id, "workspace_id")?,
        credentials,
    })
}

/// The line (from 1) that byte `offset` of `text` is on.
fn line_of(text: &str, offset: usize) -> usize {
    let before = &text.as_bytes()[..offset.min(text.len())];
    before.iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEYS: [&str; 8] = [
        "region",
        "endpoint",
        "project_id",
        "workspace_id",
        "token_file",
        "ak",
        "sk",
        "security_token",
    ];

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn bad(text: &str) -> BadText {
        parse(text).expect_err(text)
    }

    #[test]
    fn profiles_with_every_key() {
        let profiles = parse(
            "# comment\n[profiles.default]\nregion = ' cn-north-4 '\nproject_id = \"P\"\n\
             token_file = \"~/t\"\n\n[profiles.\"prod east\"]\nendpoint = \"http://127.0.0.1:1\"\n\
             workspace_id = \"W\"\nak = \"AK\"\nsk = \"SK\"\nsecurity_token = \"ST\"\n\
             [profiles.empty]\n",
        )
        .unwrap();
        assert_eq!(
            profiles.keys().collect::<Vec<_>>(),
            ["default", "empty", "prod east"]
        );
        let default = &profiles["default"];
        assert_eq!(default.region.as_deref(), Some("cn-north-4"));
        assert_eq!(
            default.credentials,
            Some(ProfileCredentials::TokenFile("~/t".into()))
        );
        let prod = &profiles["prod east"];
        assert_eq!(prod.workspace_id.as_deref(), Some("W"));
        assert_eq!(
            prod.credentials,
            Some(ProfileCredentials::AccessKey {
                ak: Secret("AK".into()),
                sk: Secret("SK".into()),
                security_token: Some(Secret("ST".into())),
            })
        );
        assert_eq!(profiles["empty"], Profile::default());
        assert!(parse("").unwrap().is_empty());
    }

    #[test]
    fn a_typo_names_the_key_and_its_line() {
        let e = bad("[profiles.prod]\nregion = \"cn-north-4\"\n\nregoin = \"x\"\n");
        assert_eq!(e.line, Some(4));
        assert!(
            e.message
                .starts_with("unknown key `regoin`, expected one of `region`"),
            "{e}"
        );
        let e = bad("[profile.prod]\nregion = \"cn-north-4\"\n");
        assert_eq!(
            e.to_string(),
            "line 1: unknown key `profile`, expected `profiles`"
        );
    }

    #[test]
    fn bad_values_are_named_with_their_line() {
        let cases = [
            (
                "[profiles.p]\nregion = \"  \"\n",
                2,
                "profile \"p\": region is empty",
            ),
            (
                "[profiles.p]\nproject_id = 7\n",
                2,
                "invalid type: integer (value not shown), expected a string",
            ),
            (
                "[profiles.p]\n\nak = \"AK\"\n",
                3,
                "profile \"p\": ak without sk",
            ),
            (
                "[profiles.p]\nsk = \"SK\"\n",
                2,
                "profile \"p\": sk without ak",
            ),
            (
                "[profiles.p]\nsecurity_token = \"T\"\n",
                2,
                "security_token goes with ak and sk",
            ),
            (
                "[profiles.p]\nregion = \"r\"\nendpoint = \"e\"\n",
                1,
                "keep one",
            ),
            (
                "[profiles.p]\ntoken_file = \"t\"\nak = \"a\"\nsk = \"s\"\n",
                1,
                "keep one",
            ),
            ("[profiles.p]\n[profiles.p]\n", 2, "duplicate key"),
            ("[profiles.\" \"]\n", 1, "a profile needs a name"),
            (
                "\n[profiles.\" prod\"]\n",
                2,
                "profile \" prod\": a profile's name cannot start or end with white space",
            ),
            (
                "[profiles.\"prod\\n\"]\n",
                1,
                "cannot start or end with white space",
            ),
            ("[profiles]\np = 3\n", 2, "expected a table of settings"),
        ];
        for (text, line, message) in cases {
            let e = bad(text);
            assert_eq!(e.line, Some(line), "{text:?}: {e}");
            assert!(e.message.contains(message), "{text:?}: {e}");
        }
    }

    // serde's own message for a number quotes it: not for a secret.
    #[test]
    fn errors_never_repeat_a_secret() {
        for text in [
            "[profiles.p]\nak = \"AK\"\nsk = 81726354918273645\n",
            "[profiles.p]\nak = \"AK\"\nsk = 8172635491827.3645\n",
            "[profiles.p]\nak = \"AK\"\nsk = s3cr3tV4lue\n",
            "[profiles.p]\nak = \"AK\"\nsk = \"s3cr3tV4lue\n",
            "[profiles.p]\nak = \"AK\"\nsk = \"s3cr3tV4lue\\q\"\n",
            "[profiles.p]\nak = \"AK\"\nsk = [\"s3cr3tV4lue\"]\n",
            "[profiles.p]\nak = \"AK\"\nsk = \"s\"\nsecurity_token = 81726354918273645\n",
            "[profiles.p]\nsk = \"s3cr3tV4lue\"\n",
        ] {
            let e = bad(text).to_string();
            for secret in ["s3cr3tV4lue", "81726354918273645", "8172635491827"] {
                assert!(!e.contains(secret), "{text:?}: {e}");
            }
        }
        // serde quotes any value of the wrong type: not shown either.
        let e = bad("[profiles]\nak = \"AKVALUE12345678\"\nsk = \"SECRETVALUE1\"\n");
        assert_eq!(
            e.to_string(),
            "line 2: invalid type: string (value not shown), expected a table of settings"
        );
        let profiles = parse("[profiles.p]\nak = \"AK\"\nsk = \"s3cr3tV4lue\"\n").unwrap();
        assert!(!format!("{profiles:?}").contains("s3cr3tV4lue"));
    }

    #[test]
    fn the_file_is_found_as_documented() {
        let found = |pairs| location(&env(pairs)).map(|l| (l.path, l.found_by));
        assert_eq!(
            found(&[
                ("SECMASTER_CONFIG", "c.toml"),
                ("XDG_CONFIG_HOME", "/x"),
                ("HOME", "/h")
            ]),
            Some(("c.toml".into(), FoundBy::Variable))
        );
        assert_eq!(
            found(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]),
            Some(("/x/secmaster/config.toml".into(), FoundBy::XdgConfigHome))
        );
        // A relative XDG_CONFIG_HOME is ignored, as the specification says.
        assert_eq!(
            found(&[("XDG_CONFIG_HOME", "x"), ("HOME", "/h")]),
            Some(("/h/.config/secmaster/config.toml".into(), FoundBy::Home))
        );
        assert_eq!(found(&[]), None);
        // /dev/null: no file, not even the one in HOME.
        assert_eq!(
            found(&[("SECMASTER_CONFIG", "/dev/null"), ("HOME", "/h")]),
            None
        );
    }

    #[test]
    fn token_file_paths() {
        let file = ConfigFile {
            path: "/etc/sm/config.toml".into(),
            profiles: BTreeMap::new(),
        };
        let home = env(&[("HOME", "/h")]);
        assert_eq!(file.path_in("~/t", &home).unwrap(), Path::new("/h/t"));
        assert_eq!(file.path_in("t", &home).unwrap(), Path::new("/etc/sm/t"));
        assert_eq!(file.path_in("/abs/t", &home).unwrap(), Path::new("/abs/t"));
        let e = file.path_in("~/t", &env(&[])).unwrap_err().to_string();
        assert!(e.contains("HOME is not set"), "{e}");
    }

    /// A scratch directory, removed when dropped.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("secmaster-config-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }

        /// `text` in a file of that `mode`, as the config file.
        #[cfg(unix)]
        fn file(&self, text: &[u8], mode: u32) -> Location {
            use std::os::unix::fs::PermissionsExt;
            let path = self.0.join("config.toml");
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            Location {
                path,
                found_by: FoundBy::Home,
            }
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[cfg(unix)]
    #[test]
    fn only_a_private_file_may_hold_secrets() {
        let dir = Dir::new("modes");
        let secrets = b"[profiles.p]\nak = \"AK\"\nsk = \"SK\"\n";
        let plain = b"[profiles.p]\nregion = \"cn-north-4\"\n";
        assert!(load(&dir.file(secrets, 0o600)).unwrap().is_some());
        assert!(load(&dir.file(secrets, 0o400)).unwrap().is_some());
        assert!(load(&dir.file(plain, 0o644)).unwrap().is_some());
        for mode in [0o644, 0o640, 0o604] {
            let location = dir.file(secrets, mode);
            let e = load(&location).unwrap_err();
            assert_eq!(e.exit_code(), crate::exit::USAGE);
            let text = e.to_string();
            let path = location.path.display().to_string();
            assert!(text.contains(&format!("{path} holds secrets")), "{text}");
            assert!(text.contains(&format!("(mode {mode:04o})")), "{text}");
            assert!(text.ends_with(&format!("chmod 600 {path}")), "{text}");
        }
        // Others who can change it could point the endpoint elsewhere.
        for mode in [0o664, 0o646] {
            let text = load(&dir.file(plain, mode)).unwrap_err().to_string();
            assert!(text.contains("can be changed by other users"), "{text}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_others_can_write_to_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = Dir::new("dir-modes");
        let location = dir.file(b"[profiles.p]\nregion = \"cn-north-4\"\n", 0o600);
        let shown_dir = dir.0.display().to_string();
        for mode in [0o775, 0o757, 0o777] {
            std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(mode)).unwrap();
            let e = load(&location).unwrap_err();
            assert_eq!(e.exit_code(), crate::exit::USAGE);
            let text = e.to_string();
            assert!(
                text.contains(&format!("in the directory {shown_dir}, which other users")),
                "{text}"
            );
            assert!(text.contains(&format!("(mode {mode:04o})")), "{text}");
            assert!(text.contains(&format!("chmod go-w {shown_dir}")), "{text}");
        }
        // Sticky, as /tmp: others cannot replace a file of yours there.
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(load(&location).unwrap().is_some());
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(load(&location).unwrap().is_some());
    }

    /// Only root can give a file away: elsewhere the test says so and stops.
    #[cfg(target_os = "linux")]
    #[test]
    #[allow(clippy::print_stderr, reason = "the note on what was not tested")]
    fn a_file_or_directory_of_another_user_is_refused() {
        use std::os::unix::fs::{MetadataExt, chown};
        if std::fs::metadata("/proc/self").unwrap().uid() != 0 {
            eprintln!("note: not root, so no file can be given to another user: not tested");
            return;
        }
        let dir = Dir::new("owners");
        let location = dir.file(b"[profiles.p]\nregion = \"cn-north-4\"\n", 0o600);
        assert!(load(&location).unwrap().is_some());
        chown(&location.path, Some(4242), None).unwrap();
        let e = load(&location).unwrap_err();
        assert_eq!(e.exit_code(), crate::exit::USAGE);
        let text = e.to_string();
        let path = location.path.display().to_string();
        assert!(
            text.contains(&format!("{path} belongs to another user (uid 4242)")),
            "{text}"
        );
        assert!(text.contains("chown it to you"), "{text}");
        chown(&location.path, Some(0), None).unwrap();
        chown(&dir.0, Some(4242), None).unwrap();
        let text = load(&location).unwrap_err().to_string();
        assert!(
            text.contains(&format!(
                "in the directory {}, which belongs to another user (uid 4242)",
                dir.0.display()
            )),
            "{text}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_files_are_io_failures() {
        let dir = Dir::new("io");
        let missing = Location {
            path: dir.0.join("missing.toml"),
            found_by: FoundBy::XdgConfigHome,
        };
        assert!(load(&missing).unwrap().is_none());
        let named = Location {
            found_by: FoundBy::Variable,
            ..missing
        };
        let e = load(&named).unwrap_err();
        assert_eq!(e.exit_code(), crate::exit::IO);
        assert!(e.to_string().contains("(from SECMASTER_CONFIG)"), "{e}");
        let directory = Location {
            path: dir.0.clone(),
            found_by: FoundBy::Variable,
        };
        let e = load(&directory).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        // A FIFO is refused at once, not waited on for a writer.
        let fifo = dir.0.join("fifo.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let (sender, receiver) = std::sync::mpsc::channel();
        let location = Location {
            path: fifo,
            found_by: FoundBy::Variable,
        };
        std::thread::spawn(move || sender.send(load(&location).map(|_| ())));
        let e = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("a FIFO as the config file is waited on")
            .unwrap_err();
        assert!(
            e.to_string().contains("fifo.toml is not a regular file"),
            "{e}"
        );
        assert_eq!(e.exit_code(), crate::exit::IO);
        let e = load(&dir.file(&vec![b'#'; MAX_SIZE as usize + 1], 0o600)).unwrap_err();
        assert!(
            e.to_string().contains("larger than the limit of 1024 KiB"),
            "{e}"
        );
        let e = load(&dir.file(b"# \xff\n", 0o600)).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        assert_eq!(e.exit_code(), crate::exit::IO);
    }

    /// TOML's basic string for `s`.
    fn quoted(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// The lines of a file holding `profiles`: for each, a header and its
    /// keys.
    fn render(profiles: &BTreeMap<String, Profile>) -> Vec<String> {
        let mut lines = Vec::new();
        for (name, p) in profiles {
            lines.push(format!("[profiles.{}]", quoted(name)));
            let mut key = |key: &str, value: Option<&str>| {
                if let Some(value) = value {
                    lines.push(format!("{key} = {}", quoted(value)));
                }
            };
            key("region", p.region.as_deref());
            key("endpoint", p.endpoint.as_deref());
            key("project_id", p.project_id.as_deref());
            key("workspace_id", p.workspace_id.as_deref());
            match &p.credentials {
                None => {}
                Some(ProfileCredentials::TokenFile(file)) => key("token_file", Some(file)),
                Some(ProfileCredentials::AccessKey {
                    ak,
                    sk,
                    security_token,
                }) => {
                    key("ak", Some(ak.expose()));
                    key("sk", Some(sk.expose()));
                    key(
                        "security_token",
                        security_token.as_ref().map(Secret::expose),
                    );
                }
            }
        }
        lines
    }

    /// A value as the parser keeps it: not blank, no surrounding white
    /// space; with quotes, escapes, TOML's own characters and hostile ones.
    fn value() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9]([-a-zA-Z0-9 ._:/~\"'\\\\#=\\[\\]{}\u{e9}\u{4e2d}\u{1b}\u{202e}]{0,12}[a-zA-Z0-9])?"
    }

    fn profile() -> impl Strategy<Value = Profile> {
        let credentials = prop_oneof![
            Just(None),
            value().prop_map(|f| Some(ProfileCredentials::TokenFile(f))),
            (value(), value(), proptest::option::of(value())).prop_map(|(ak, sk, token)| {
                Some(ProfileCredentials::AccessKey {
                    ak: Secret(ak),
                    sk: Secret(sk),
                    security_token: token.map(Secret),
                })
            }),
        ];
        let target = prop_oneof![
            Just((None, None)),
            value().prop_map(|r| (Some(r), None)),
            value().prop_map(|e| (None, Some(e))),
        ];
        let id = || proptest::option::of(value());
        (target, id(), id(), credentials).prop_map(
            |((region, endpoint), project_id, workspace_id, credentials)| Profile {
                region,
                endpoint,
                project_id,
                workspace_id,
                credentials,
            },
        )
    }

    fn profiles() -> impl Strategy<Value = BTreeMap<String, Profile>> {
        proptest::collection::btree_map(value(), profile(), 0..4)
    }

    /// Pieces of TOML, right and wrong, to put together into files.
    fn fragment() -> impl Strategy<Value = String> {
        const PIECES: [&str; 38] = [
            "[profiles.",
            "[profiles]",
            "[",
            "]",
            "[[",
            "]]",
            "\"",
            "'",
            "'''",
            "\"\"\"",
            "=",
            " = ",
            "\n",
            "\r\n",
            "#",
            ".",
            ",",
            "{",
            "}",
            "\\",
            "\\u00",
            "prod",
            "default",
            "region",
            "endpoint",
            "ak",
            "sk",
            "token_file",
            "security_token",
            "profile",
            "\"cn-north-4\"",
            "1979-05-27T07:32:00Z",
            "3",
            "-1e400",
            "true",
            "\u{feff}",
            "\0",
            "\u{202e}",
        ];
        prop_oneof![
            4 => proptest::sample::select(&PIECES[..]).prop_map(str::to_owned),
            1 => any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Any text: never a panic; what is accepted keeps the invariants
        /// (named profiles, values trimmed and not blank, one place to send
        /// requests); a refusal's line is one of the file's.
        #[test]
        fn any_text_parses_or_is_refused_without_panic(
            fragments in proptest::collection::vec(fragment(), 0..40),
        ) {
            let text: String = fragments.concat();
            match parse(&text) {
                Ok(profiles) => {
                    for (name, p) in &profiles {
                        prop_assert!(!name.is_empty() && name.trim() == name);
                        prop_assert!(p.region.is_none() || p.endpoint.is_none());
                        for value in [&p.region, &p.endpoint, &p.project_id, &p.workspace_id]
                            .into_iter()
                            .flatten()
                        {
                            prop_assert!(!value.is_empty() && value.trim() == value);
                        }
                    }
                }
                Err(e) => {
                    let lines = text.split('\n').count();
                    prop_assert!(e.line.is_none_or(|line| (1..=lines).contains(&line)), "{}", e);
                }
            }
        }

        /// A secret-looking value (or number) in a place where it is of
        /// the wrong type, or not valid TOML: the error never repeats it.
        #[test]
        fn a_value_in_the_wrong_place_is_never_repeated(
            value in "[A-Za-z0-9+/_=-]{8,40}|[1-9][0-9]{7,17}|[1-9][0-9]{4,8}\\.[0-9]{3,8}",
            quote in any::<bool>(),
            place in 0..8usize,
            key in proptest::sample::select(&KEYS[..]),
        ) {
            let written = match quote {
                true => quoted(&value),
                false => value.clone(),
            };
            let text = match place {
                0 => format!("[profiles]\n{key} = {written}\n"),
                1 => format!("profiles = {written}\n"),
                2 => format!("[profiles.p]\n{key} = [{written}]\n"),
                3 => format!("[profiles.p]\n{key} = {{ x = {written} }}\n"),
                4 => format!("[profiles.p]\n{key} = {value}\n"),
                5 => format!("[profiles.p]\n{key} = [[{written}]]\n"),
                6 => format!("[profiles.p]\n{key} = \"{value}\\q\"\n"),
                _ => format!("[profiles]\np = [{written}, 1]\n"),
            };
            if let Err(e) = parse(&text) {
                let shown = e.to_string();
                prop_assert!(!shown.contains(&value), "{:?}: {}", text, shown);
            }
        }

        /// Any profiles, written out, read back the same.
        #[test]
        fn written_profiles_read_back(profiles in profiles()) {
            let text = render(&profiles).join("\n");
            prop_assert_eq!(parse(&text), Ok(profiles), "{}", text);
        }

        /// A key that is not one of the known ones, anywhere in a profile,
        /// is refused, naming the key and its line.
        #[test]
        fn an_unknown_key_is_refused_at_its_line(
            profiles in profiles(),
            key in "[a-z_][a-z0-9_-]{0,12}",
            at in any::<proptest::sample::Index>(),
        ) {
            prop_assume!(!KEYS.contains(&key.as_str()));
            let mut lines = render(&profiles);
            prop_assume!(!lines.is_empty());
            // After the first header: within its profile or a later one.
            let index = 1 + at.index(lines.len());
            lines.insert(index, format!("{key} = \"x\""));
            let e = parse(&lines.join("\n")).unwrap_err();
            prop_assert_eq!(e.line, Some(index + 1));
            let named = format!("unknown key `{key}`");
            prop_assert!(e.message.starts_with(&named), "{}", e);
        }
    }
}
