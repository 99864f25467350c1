//! What every workflow command shares: settings from flags and the
//! environment, credentials (each request checked by the simulator), error
//! answers and their exit codes, --quiet and --verbose.

use std::fs;

use crate::common::*;

const COMMANDS: [&[&str]; 4] = [
    &["list"],
    &["show", "some-id"],
    &["import", "flows.json"],
    &["export", "--id", "a"],
];

#[test]
fn a_400_prints_code_message_and_request_id() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1));
    let dir = Scratch::new("e400");
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin"]),
        4,
    );
    assert_eq!(
        stderr,
        format!(
            "error: HTTP 400 Bad Request, code SecMaster.Sim.WorkflowNotFound: no such workflow \
             in workspace W: a (request id {})\n",
            request_ids(&sim)[0]
        )
    );
    assert!(dir.entries().is_empty());
}

#[test]
fn a_401_from_the_gateway_is_an_auth_failure() {
    let sim = start(sim().token("another-token"));
    let dir = Scratch::new("e401");
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin"]),
        3,
    );
    assert_eq!(
        stderr,
        format!(
            "error: HTTP 401 Unauthorized, code APIGW.0301: Incorrect IAM authentication \
             information: the X-Auth-Token is not the one configured (request id {})\n\
             hint: the IAM token was not accepted: it may have expired (tokens last 24 hours), \
             be cut short, or belong to another account or region\n",
            request_ids(&sim)[0]
        )
    );
    assert!(!stderr.contains(TOKEN));
    assert!(sim.requests()[0].auth.starts_with("failed: "));
    assert!(dir.entries().is_empty());
}

#[test]
fn connection_refused_is_a_network_error() {
    // A port that was just free: bind, note it, let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = Scratch::new("refused");
    let (_, stderr) = run(
        secmaster(dir.path())
            .env("SECMASTER_AUTH_TOKEN", "t")
            .args(["workflows", "export", "--endpoint"])
            .arg(format!("http://127.0.0.1:{port}"))
            .args(["--project-id", "P", "--workspace-id", "W", "--id", "a"])
            .args(["-o", "out.bin"]),
        5,
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(dir.entries().is_empty());
}

#[test]
fn bad_arguments_are_clap_usage_errors() {
    let dir = Scratch::new("usage");
    let cases: [&[&str]; 4] = [
        &[
            "workflows",
            "export",
            "--workspace-id",
            "W",
            "--region",
            "cn-north-4",
            "--endpoint",
            "http://127.0.0.1:1",
        ],
        &["workflows", "export", "--workspace-id", "W", "--bogus"],
        &["workflows", "export", "--workspace-id", "W", "--id", ""],
        &["workflows", "frobnicate"],
    ];
    for args in cases {
        let output = secmaster(dir.path()).args(args).output().unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert!(stderr.contains("--help"), "{args:?}: {stderr}");
    }
    // Clap's own exit code for a missing subcommand as well.
    let output = secmaster(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn missing_settings_are_all_named_in_one_error() {
    // Settings clap cannot check (they may come from the environment).
    let dir = Scratch::new("missing");
    fs::write(dir.join("flows.json"), b"{}").unwrap();
    for command in COMMANDS {
        let output = secmaster(dir.path())
            .arg("workflows")
            .args(command)
            .output()
            .unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(stderr.contains("4 settings are missing"), "{stderr}");
        for name in ["--project-id", "--workspace-id", "--region", "--token-file"] {
            assert!(stderr.contains(name), "{command:?}: {name}: {stderr}");
        }
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn an_endpoint_makes_the_region_unnecessary() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 1));
    let dir = Scratch::new("endpoint");
    // No region anywhere: with --endpoint only the rest is missing.
    let (_, stderr) = run(
        secmaster(dir.path())
            .args(["workflows", "list", "--endpoint"])
            .arg(sim.base_url()),
        2,
    );
    assert!(stderr.contains("3 settings are missing"), "{stderr}");
    assert!(!stderr.contains("region"), "{stderr}");
    // And with them, the command works.
    let ids = success(workflows(dir.path(), &sim, "list").args(["--format", "ids"]));
    assert_eq!(ids.lines().count(), 1);
    assert!(sim.requests().len() == 1, "only the complete command sent");
}

#[test]
fn no_credentials_is_a_usage_error_naming_the_variables() {
    let sim = start(sim());
    let dir = Scratch::new("no-credentials");
    let (_, stderr) = run(
        secmaster(dir.path())
            .args(["workflows", "export", "--endpoint"])
            .arg(sim.base_url())
            .args(["--project-id", "P", "--workspace-id", "W", "--id", "a"]),
        2,
    );
    for name in [
        "--token-file",
        "SECMASTER_AUTH_TOKEN",
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
    ] {
        assert!(stderr.contains(name), "{stderr}");
    }
    assert!(sim.requests().is_empty());
}

#[test]
fn token_file_wins_over_the_variable() {
    // Only the file's token is accepted.
    let sim = start(sim().token("token-from-file").export_size(1));
    let dir = Scratch::new("token-file");
    fs::write(dir.join("token"), "  token-from-file\n").unwrap();
    success(export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin", "--token-file", "token"]));
    assert_authenticated(&sim, "token");
}

#[test]
fn access_keys_from_the_environment_sign_the_request() {
    let sim = start(
        secmaster_sim::Simulator::builder()
            .strict(true)
            .access_key(AK, SK)
            .security_token(SECURITY_TOKEN)
            .seed(PROJECT, WORKSPACE, 0)
            .export_size(1),
    );
    let dir = Scratch::new("aksk");
    success(
        secmaster(dir.path())
            .env("HUAWEICLOUD_SDK_AK", AK)
            .env("HUAWEICLOUD_SDK_SK", SK)
            .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", "P")
            .args(["workflows", "export", "--endpoint"])
            .arg(sim.base_url())
            .args(["--workspace-id", "W", "--id", "a", "-o", "out.bin"]),
    );
    // The simulator recomputed the signature and checked the signed
    // X-Security-Token against the one configured.
    assert_authenticated(&sim, &format!("signature by {AK} with its security token"));
    let request = &sim.requests()[0];
    assert_eq!(request.path, "/v1/P/workspaces/W/soc/workflows/export");
    let authorization = request.header("authorization").unwrap_or_default();
    assert!(
        authorization.starts_with(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders=")),
        "{authorization}"
    );
    assert_eq!(request.header("x-project-id"), Some("P"));
    assert_eq!(request.header("x-auth-token"), None);
}

#[test]
fn the_region_override_variable_points_anywhere() {
    let sim = file_sim(1);
    let dir = Scratch::new("override");
    success(
        secmaster(dir.path())
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
            .env(
                "HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4",
                sim.base_url(),
            )
            .args(["workflows", "export", "--project-id", "P"])
            .args(["--workspace-id", "W", "--id", "a", "-o", "out.bin"]),
    );
    assert_eq!(sim.requests().len(), 1);
    assert_authenticated(&sim, "token");
}

#[test]
fn quiet_prints_nothing_on_success() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 2).export_size(1));
    let dir = Scratch::new("quiet");
    fs::write(
        dir.join("flows.json"),
        br#"{"format":"secmaster-sim-export/1","workflows":[]}"#,
    )
    .unwrap();
    let id = sim.workflows(PROJECT, WORKSPACE)[0].id.clone();
    let cases: [&[&str]; 4] = [
        &["export", "--id", "a", "-o", "out.bin"],
        &["list"],
        &["import", "flows.json"],
        &["list", "--all"],
    ];
    for args in cases {
        let output = workflows(dir.path(), &sim, args[0])
            .args(&args[1..])
            .arg("--quiet")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(output.stderr.is_empty(), "{args:?}: {}", stderr_of(&output));
    }
    let output = workflows(dir.path(), &sim, "show")
        .args([&id, "-q"])
        .output()
        .unwrap();
    assert!(output.stderr.is_empty() && !output.stdout.is_empty());
}

#[test]
fn verbose_logs_attempts_but_no_secrets() {
    let sim = file_sim(1);
    let dir = Scratch::new("verbose");
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin", "--verbose"]),
        0,
    );
    assert!(stderr.contains("DEBUG"), "{stderr}");
    assert!(
        stderr.contains("secmaster_client"),
        "library events: {stderr}"
    );
    assert!(stderr.contains("exporting workflows"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");
    assert_authenticated(&sim, "token");
}

// A byte-order mark was sent as part of the token (401), and a file larger
// than the limit was cut to it and sent (431).
#[test]
fn a_token_file_with_a_bom_works_and_an_oversized_one_is_refused() {
    let sim = start(sim().token("token-from-file").export_size(1));
    let dir = Scratch::new("token-bom");
    fs::write(dir.join("token"), "\u{feff}token-from-file\r\n").unwrap();
    success(export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin", "--token-file", "token"]));
    assert_authenticated(&sim, "token");

    // A multi-byte character across the limit: the size is what is wrong.
    fs::write(dir.join("huge"), "t".repeat(64 * 1024) + "é").unwrap();
    let (_, stderr) = run(
        export(dir.path(), &sim).args(["--id", "a", "-o", "x.bin", "--token-file", "huge"]),
        6,
    );
    assert!(
        stderr.contains("larger than the limit of 64 KiB"),
        "{stderr}"
    );
    assert_eq!(sim.requests().len(), 1, "the oversized token was not sent");
}

#[test]
fn an_endpoint_without_a_scheme_says_so() {
    let sim = start(sim());
    let dir = Scratch::new("no-scheme");
    let endpoint = sim.base_url().replace("http://", "");
    let (_, stderr) = run(
        secmaster(dir.path())
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args([
                "workflows",
                "list",
                "--project-id",
                "P",
                "--workspace-id",
                "W",
            ])
            .args(["--endpoint", &endpoint]),
        2,
    );
    assert!(
        stderr.contains("no scheme: it starts with http://"),
        "{stderr}"
    );
}

/// The gateway's 401 answers, each with what to do about it.
#[test]
fn refused_credentials_get_a_hint() {
    let gateway = |code: &str, message: &str| {
        let body = serde_json::json!({"error_code": code, "error_msg": message}).to_string();
        secmaster_sim::testing::answer(
            "list_workflows",
            401,
            &body,
            &[("Content-Type", "application/json")],
        )
    };
    for (code, message, hint) in [
        (
            "APIGW.0307",
            "The token must be updated",
            "hint: the IAM token has expired (tokens last 24 hours): get a new one",
        ),
        (
            "APIGW.0301",
            "Incorrect IAM authentication information: token expires, expires_at: 2026-11-28",
            "hint: the IAM token has expired",
        ),
        (
            "APIGW.0301",
            "Incorrect IAM authentication information: decrypt token fail",
            "hint: the IAM token was not accepted",
        ),
        (
            "APIGW.0301",
            "Incorrect IAM authentication information: verify aksk signature fail",
            "hint: check HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK: the secret key must be the one",
        ),
        (
            "APIGW.0301",
            "Incorrect IAM authentication information: Get secretKey failed,ak:X,err:ak not exist",
            "hint: check HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK",
        ),
        (
            "APIGW.0301",
            "Incorrect app authentication information: signature expired, signature \
             time:20230527T000431Z,server time:20230527T020608Z",
            "hint: the gateway refuses signatures more than 15 minutes from its own clock",
        ),
        (
            "APIGW.0301",
            "Incorrect IAM authentication information",
            "hint: check the credentials: an IAM token lasts 24 hours;",
        ),
    ] {
        let sim = start(sim().fault(gateway(code, message)));
        let dir = Scratch::new("hints");
        let (_, stderr) = run(&mut workflows(dir.path(), &sim, "list"), 3);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{stderr}");
        assert!(
            lines[0].starts_with(&format!("error: HTTP 401 Unauthorized, code {code}")),
            "{stderr}"
        );
        assert!(lines[1].starts_with(hint), "{message}: {stderr}");
    }
    // Not a 401: no hint.
    let sim = start(sim().fault(secmaster_sim::testing::fault("list_workflows=403")));
    let dir = Scratch::new("hints-403");
    let (_, stderr) = run(&mut workflows(dir.path(), &sim, "list"), 3);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// The simulator's own refusals, as the gateway makes them: a key pair
/// whose secret is wrong, and a clock too far off.
#[test]
fn a_wrong_secret_key_and_a_wrong_clock_get_their_hints() {
    let sim = start(
        secmaster_sim::Simulator::builder()
            .access_key(AK, SK)
            .seed(PROJECT, WORKSPACE, 1),
    );
    let dir = Scratch::new("hints-keys");
    let (_, stderr) = run(
        workflows(dir.path(), &sim, "list")
            .env_remove("SECMASTER_AUTH_TOKEN")
            .env("HUAWEICLOUD_SDK_AK", AK)
            .env("HUAWEICLOUD_SDK_SK", "not-the-secret"),
        3,
    );
    assert!(
        stderr.contains("\nhint: check HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK"),
        "{stderr}"
    );
    let skewed = serde_json::json!({
        "error_code": "APIGW.0301",
        "error_msg": "Incorrect IAM authentication information: X-Sdk-Date 20261128T000000Z is \
                      1000 s behind the gateway's clock, more than the 900 s allowed",
    });
    let sim = start(crate::common::sim().fault(secmaster_sim::testing::answer(
        "list_workflows",
        401,
        &skewed.to_string(),
        &[("Content-Type", "application/json")],
    )));
    let (_, stderr) = run(&mut workflows(dir.path(), &sim, "list"), 3);
    assert!(
        stderr.contains("\nhint: the gateway refuses signatures more than 15 minutes from its own clock: set this machine's clock right"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_region_suggests_the_nearest() {
    let dir = Scratch::new("region-typo");
    let (_, stderr) = run(
        secmaster(dir.path())
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["workflows", "list", "--region", "cn-nort-4"])
            .args(["--project-id", PROJECT, "--workspace-id", WORKSPACE]),
        2,
    );
    assert!(
        stderr.contains(
            "unknown SecMaster region \"cn-nort-4\"; did you mean cn-north-4? Known regions: \
             af-north-1, af-south-1, ap-southeast-1, ap-southeast-2,"
        ),
        "{stderr}"
    );
    let (_, stderr) = run(
        secmaster(dir.path())
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args([
                "workspaces",
                "list",
                "--region",
                "moon-base-1",
                "--project-id",
                PROJECT,
            ]),
        2,
    );
    assert!(
        stderr.contains("unknown SecMaster region \"moon-base-1\"; known regions: af-north-1,"),
        "{stderr}"
    );
}

#[test]
fn a_project_id_that_does_not_look_like_one_is_a_warning() {
    const HEX: &str = "0123456789abcdef0123456789abcdef";
    let sim = start(sim().seed(HEX, WORKSPACE, 2).seed(PROJECT, WORKSPACE, 2));
    let dir = Scratch::new("project-warning");
    let in_region = |project: &str, command: &[&str]| {
        let mut cmd = secmaster(dir.path());
        cmd.env("SECMASTER_AUTH_TOKEN", TOKEN)
            .env(
                "HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4",
                sim.base_url(),
            )
            .args(command)
            .args(["--region", "cn-north-4", "--project-id", project, "--quiet"]);
        cmd
    };
    let list = ["workflows", "list", "--workspace-id", WORKSPACE];
    for command in [
        &list[..],
        &["workspaces", "list"],
        &["api", "list_workspaces", "offset=0", "limit=10"],
    ] {
        let (output, stderr) = run(&mut in_region(PROJECT, command), 0);
        assert_eq!(
            stderr,
            "warning: the project id \"P\" does not look like one (32 hexadecimal characters, \
             listed under My Credentials > API Credentials in the console)\n",
            "{command:?}"
        );
        assert!(!output.stdout.is_empty(), "a warning, not a refusal");
        let (_, stderr) = run(&mut in_region(HEX, command), 0);
        assert!(stderr.is_empty(), "{command:?}: {stderr}");
    }
    // With --endpoint (a simulator, a private endpoint): ids of any shape.
    let (_, stderr) = run(workflows(dir.path(), &sim, "list").arg("--quiet"), 0);
    assert!(stderr.is_empty(), "{stderr}");
}

// `import FILE --dry-run` got clap's "tip: to pass '--dry-run' as a value,
// use '-- --dry-run'", which would import a file of that name.
#[test]
fn dry_run_is_no_option_and_says_what_to_do() {
    let sim = start(sim());
    let dir = Scratch::new("dry-run");
    fs::write(dir.join("flows.json"), b"{}").unwrap();
    for (command, instead) in [
        (
            &["import", "flows.json"][..],
            "import checks the file before anything is sent",
        ),
        (
            &["export", "--all"],
            "secmaster workflows list --all, with the same filters",
        ),
        (&["list"], "this command only reads"),
        (&["show", "some-id"], "this command only reads"),
    ] {
        let (_, stderr) = run(
            workflows(dir.path(), &sim, command[0])
                .args(&command[1..])
                .arg("--dry-run"),
            2,
        );
        assert!(
            stderr.starts_with(&format!("error: there is no --dry-run option: {instead}")),
            "{command:?}: {stderr}"
        );
        assert!(!stderr.contains("tip:"), "{stderr}");
    }
    let (_, stderr) = run(
        api(dir.path(), &sim).args(["list_workspaces", "--dry-run"]),
        2,
    );
    assert!(
        stderr.starts_with("error: there is no --dry-run option: secmaster api checks every"),
        "{stderr}"
    );
    assert!(sim.requests().is_empty());
}
