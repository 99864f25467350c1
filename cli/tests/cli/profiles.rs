//! Profiles of the config file: which one is used, each setting's
//! precedence (flag, then variable, then profile), the file's checks
//! (permissions, unknown keys, a file asked for that is missing), and
//! `secmaster config list`, which shows where each setting came from and
//! never a secret.

use std::fs;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::*;

/// `text` as `dir`'s config file, with permissions `mode`.
fn config_file(dir: &Scratch, text: &str, mode: u32) -> PathBuf {
    let path = dir.join("config.toml");
    fs::write(&path, text).unwrap();
    #[cfg(unix)]
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    path
}

/// `secmaster` in `dir` with `path` as its config file and no other
/// settings.
fn with_config(dir: &Scratch, path: &Path) -> Command {
    let mut cmd = secmaster(dir.path());
    cmd.env("SECMASTER_CONFIG", path);
    cmd
}

/// The workspace each request went to, from its path.
fn workspaces_sent_to(sim: &secmaster_sim::Simulator) -> Vec<String> {
    sim.requests()
        .iter()
        .map(|r| r.path.split('/').nth(4).unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn each_setting_comes_from_its_flag_then_its_variable_then_the_profile() {
    let elsewhere = start(sim());
    let sim = start(sim());
    let dir = Scratch::new("precedence");
    fs::write(dir.join("token"), TOKEN).unwrap();
    // A token file is a path, not a secret: a file others can read is fine.
    let path = config_file(
        &dir,
        &format!(
            "[profiles.default]\nendpoint = \"{}\"\nproject_id = \"P\"\nworkspace_id = \"W2\"\n\
             token_file = \"token\"\n",
            sim.base_url()
        ),
        0o644,
    );
    let list = || {
        let mut cmd = with_config(&dir, &path);
        cmd.args(["workflows", "list", "--format", "ids"]);
        cmd
    };
    // The profile alone.
    success(&mut list());
    // The variable over the profile.
    success(list().env("SECMASTER_WORKSPACE_ID", "empty"));
    // The flag over both.
    success(
        list()
            .env("SECMASTER_WORKSPACE_ID", "empty")
            .args(["--workspace-id", "W"]),
    );
    assert_eq!(workspaces_sent_to(&sim), ["W2", "empty", "W"]);
    assert_authenticated(&sim, "token");

    // Credentials: the variable over the profile's token file (and the
    // simulator refuses it), the flag over both.
    let (_, stderr) = run(list().env("SECMASTER_AUTH_TOKEN", "another-token"), 3);
    assert!(stderr.contains("HTTP 401"), "{stderr}");
    fs::write(dir.join("flag-token"), TOKEN).unwrap();
    success(
        list()
            .env("SECMASTER_AUTH_TOKEN", "another-token")
            .args(["--token-file", "flag-token"]),
    );

    // Where requests go: the region variable over the profile's endpoint,
    // the flag over both.
    let region = [
        ("HUAWEICLOUD_SDK_REGION", "cn-north-4".to_owned()),
        (
            "HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4",
            elsewhere.base_url(),
        ),
    ];
    success(list().envs(region.clone()));
    assert_eq!(elsewhere.requests().len(), 1);
    let before = sim.requests().len();
    success(list().envs(region).args(["--endpoint", &sim.base_url()]));
    assert_eq!(sim.requests().len(), before + 1);
    assert_eq!(elsewhere.requests().len(), 1);
}

#[test]
fn access_keys_from_the_profile_that_secmaster_profile_names_sign_requests() {
    let sim = start(
        secmaster_sim::Simulator::builder()
            .strict(true)
            .access_key(AK, SK)
            .security_token(SECURITY_TOKEN)
            .seed(PROJECT, WORKSPACE, 2),
    );
    let dir = Scratch::new("aksk");
    let path = config_file(
        &dir,
        &format!(
            "[profiles.default]\nendpoint = \"http://127.0.0.1:9\"\n\n\
             [profiles.prod]\nendpoint = \"{}\"\nproject_id = \"P\"\nworkspace_id = \"W\"\n\
             ak = \"{AK}\"\nsk = \"{SK}\"\nsecurity_token = \"{SECURITY_TOKEN}\"\n",
            sim.base_url()
        ),
        0o600,
    );
    let ids = success(
        with_config(&dir, &path)
            .env("SECMASTER_PROFILE", "prod")
            .args(["workflows", "list", "--format", "ids"]),
    );
    assert_eq!(ids.lines().count(), 2);
    assert_authenticated(&sim, &format!("signature by {AK} with its security token"));
}

#[test]
fn the_profile_serves_the_workspace_and_api_commands_too() {
    let sim = start(sim().seed(PROJECT, "W2", 1));
    let dir = Scratch::new("other-commands");
    let path = config_file(
        &dir,
        &format!(
            "[profiles.default]\nendpoint = \"{}\"\nproject_id = \"P\"\nworkspace_id = \"W2\"\n",
            sim.base_url()
        ),
        0o644,
    );
    let ids = success(
        with_config(&dir, &path)
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["workspaces", "list", "--format", "ids"]),
    );
    assert_eq!(ids.lines().collect::<Vec<_>>(), WORKSPACES);
    let answer = success(
        with_config(&dir, &path)
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["api", "list_workflows"]),
    );
    assert!(answer.contains("\"total\": 1"), "{answer}");
    assert_eq!(sim.requests()[1].path, "/v1/P/workspaces/W2/soc/workflows");
    assert_authenticated(&sim, "token");
}

#[cfg(unix)]
#[test]
fn secrets_in_a_file_others_can_read_are_refused() {
    let sim = start(sim());
    let dir = Scratch::new("readable");
    let profile = format!(
        "[profiles.default]\nendpoint = \"{}\"\nproject_id = \"P\"\nworkspace_id = \"W\"\n",
        sim.base_url()
    );
    for mode in [0o644, 0o640, 0o604] {
        let path = config_file(
            &dir,
            &format!("{profile}ak = \"{AK}\"\nsk = \"{SK}\"\n"),
            mode,
        );
        let (output, stderr) = run(with_config(&dir, &path).args(["workflows", "list"]), 2);
        let shown = path.display();
        assert_eq!(
            stderr,
            format!(
                "error: the config file {shown} holds secrets (sk) but other users can read it \
                 (mode {mode:04o}): make it private with chmod 600 {shown}\n"
            )
        );
        assert!(output.stdout.is_empty());
    }
    assert!(sim.requests().is_empty(), "nothing was sent");

    // The same file without the secret is used (the token comes from the
    // environment).
    let path = config_file(&dir, &profile, 0o644);
    success(
        with_config(&dir, &path)
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["workflows", "list"]),
    );
    assert_authenticated(&sim, "token");

    // One that others can change could send requests elsewhere.
    let path = config_file(&dir, &profile, 0o664);
    let (_, stderr) = run(
        with_config(&dir, &path)
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["workflows", "list"]),
        2,
    );
    assert!(
        stderr.contains("can be changed by other users (mode 0664)"),
        "{stderr}"
    );
    assert_eq!(sim.requests().len(), 1);
}

#[test]
fn an_unknown_profile_is_a_usage_error_that_lists_them() {
    let dir = Scratch::new("unknown-profile");
    let path = config_file(
        &dir,
        "[profiles.default]\nregion = \"cn-north-4\"\n[profiles.prod]\nregion = \"cn-east-3\"\n",
        0o600,
    );
    let (_, stderr) = run(
        with_config(&dir, &path).args(["workflows", "list", "--profile", "staging"]),
        2,
    );
    assert_eq!(
        stderr,
        format!(
            "error: no profile \"staging\" (from --profile) in the config file {}: it has \
             \"default\", \"prod\"\n",
            path.display()
        )
    );
    let (_, stderr) = run(
        with_config(&dir, &path)
            .env("SECMASTER_PROFILE", "staging")
            .args(["config", "list"]),
        2,
    );
    assert!(
        stderr.contains("no profile \"staging\" (from SECMASTER_PROFILE)"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_key_is_refused_naming_it_and_its_line() {
    let sim = start(sim());
    let dir = Scratch::new("unknown-key");
    let path = config_file(
        &dir,
        &format!(
            "[profiles.default]\nendpoint = \"{}\"\n\nworkspace = \"W\"\n",
            sim.base_url()
        ),
        0o600,
    );
    let (_, stderr) = run(
        with_config(&dir, &path)
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["workflows", "list", "--project-id", "P"]),
        2,
    );
    assert!(
        stderr.starts_with(&format!(
            "error: the config file {}, line 4: unknown key `workspace`, expected one of",
            path.display()
        )),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(sim.requests().is_empty());
}

#[test]
fn a_missing_file_matters_only_when_asked_for() {
    let dir = Scratch::new("missing-file");
    let missing = dir.join("missing.toml");
    // SECMASTER_CONFIG names a file: it must be there (an input file that
    // is missing: exit 6).
    let (_, stderr) = run(with_config(&dir, &missing).args(["config", "list"]), 6);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot read the config file {} (from SECMASTER_CONFIG): ",
            missing.display()
        )),
        "{stderr}"
    );
    // A profile asked for by name needs the file.
    let (_, stderr) = run(
        secmaster(dir.path()).args(["config", "list", "--profile", "prod"]),
        2,
    );
    assert_eq!(
        stderr,
        format!(
            "error: no profile \"prod\" (from --profile): there is no config file \
             {NO_CONFIG_HOME}/secmaster/config.toml\n"
        )
    );
    // Else it is not needed.
    let listed = success(secmaster(dir.path()).args(["config", "list"]));
    assert!(
        listed.starts_with(&format!(
            "config file:  {NO_CONFIG_HOME}/secmaster/config.toml (not found, from \
             XDG_CONFIG_HOME)\nprofile:      none\n"
        )),
        "{listed}"
    );
}

#[test]
fn without_xdg_config_home_the_file_is_in_home() {
    let dir = Scratch::new("home");
    fs::create_dir_all(dir.join(".config/secmaster")).unwrap();
    let path = dir.join(".config/secmaster/config.toml");
    fs::write(&path, "[profiles.default]\nproject_id = \"P-home\"\n").unwrap();
    let listed = success(
        secmaster(dir.path())
            .env_remove("XDG_CONFIG_HOME")
            .env("HOME", dir.path())
            .args(["config", "list"]),
    );
    assert!(
        listed.contains(&format!(
            "project_id:   P-home (from profile \"default\" in {})\n",
            path.display()
        )),
        "{listed}"
    );
    assert!(listed.contains("(found, from HOME)"), "{listed}");
}

/// Standard output and error of `cmd`, which succeeds; neither holds any
/// of `secrets`.
fn without_secrets(cmd: &mut Command, secrets: &[&str]) -> String {
    let (output, stderr) = run(cmd, 0);
    let stdout = stdout_of(&output);
    for secret in secrets {
        assert!(!stdout.contains(secret), "{secret}: {stdout}");
        assert!(!stderr.contains(secret), "{secret}: {stderr}");
    }
    stdout
}

#[test]
fn config_list_shows_each_source_and_never_a_secret() {
    let dir = Scratch::new("config-list");
    let path = config_file(
        &dir,
        &format!(
            "[profiles.prod]\nendpoint = \"http://127.0.0.1:9\"\nproject_id = \"P-profile\"\n\
             workspace_id = \"W-profile\"\nak = \"{AK}\"\nsk = \"{SK}\"\n\
             security_token = \"{SECURITY_TOKEN}\"\n"
        ),
        0o600,
    );
    let secrets = [AK, SK, SECURITY_TOKEN, TOKEN];
    let listed = without_secrets(
        with_config(&dir, &path)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", "P-variable")
            .args([
                "config",
                "list",
                "--profile",
                "prod",
                "--workspace-id",
                "W-flag",
            ]),
        &secrets,
    );
    let file = path.display();
    let profile = format!("profile \"prod\" in {file}");
    assert_eq!(
        listed,
        format!(
            "config file:    {file} (found, from SECMASTER_CONFIG)\n\
             profile:        prod (from --profile)\n\
             endpoint:       http://127.0.0.1:9 (from {profile})\n\
             project_id:     P-variable (from HUAWEICLOUD_SDK_PROJECT_ID)\n\
             workspace_id:   W-flag (from --workspace-id)\n\
             credentials:    temporary access key pair (requests are signed)\n\
             ak:             HPUA… (set, from {profile})\n\
             sk:             (set, from {profile})\n\
             security_token: (set, from {profile})\n"
        )
    );

    // Credentials from the environment win, and are shown as the
    // variables that hold them.
    let listed = without_secrets(
        with_config(&dir, &path)
            .env("HUAWEICLOUD_SDK_AK", AK)
            .env("HUAWEICLOUD_SDK_SK", SK)
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
            .args(["config", "list", "--profile", "prod"]),
        &secrets,
    );
    for line in [
        "region:       cn-north-4 (from HUAWEICLOUD_SDK_REGION)\n",
        "endpoint:     https://secmaster.cn-north-4.myhuaweicloud.com (the region's)\n",
        "credentials:  access key pair (requests are signed)\n",
        "ak:           HPUA… (set, from HUAWEICLOUD_SDK_AK)\n",
        "sk:           (set, from HUAWEICLOUD_SDK_SK)\n",
        "token:        (set, from SECMASTER_AUTH_TOKEN)\n",
    ] {
        assert!(listed.contains(line), "{line:?}: {listed}");
    }

    // A token file is named, not read.
    let listed = without_secrets(
        secmaster(dir.path()).args(["config", "list", "--token-file", "-"]),
        &secrets,
    );
    assert!(
        listed.contains("credentials:  IAM token, read from a file\n"),
        "{listed}"
    );
    assert!(
        listed.contains("token_file:   - (from --token-file)\n"),
        "{listed}"
    );
    assert!(
        listed.contains("project_id:   not set (--project-id"),
        "{listed}"
    );
}

#[test]
fn config_list_escapes_what_the_file_holds() {
    let dir = Scratch::new("config-escape");
    let path = config_file(
        &dir,
        "[profiles.default]\nproject_id = \"P\\u001b[2J\\u202e\"\n",
        0o600,
    );
    let listed = success(with_config(&dir, &path).args(["config", "list"]));
    assert!(
        listed.contains("project_id:   P\\u{1b}[2J\\u{202e} (from profile"),
        "{listed}"
    );
    assert!(!listed.contains('\u{1b}'));
}
