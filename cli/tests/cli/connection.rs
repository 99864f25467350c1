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
             information: the X-Auth-Token is not the one configured (request id {})\n",
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
