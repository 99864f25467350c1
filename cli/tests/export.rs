//! `secmaster workflows export` against a local server.

mod common;

use std::fs;
use std::time::{Duration, Instant};

use common::{Reply, Scratch, Server, export, pattern, secmaster, stderr_of};

const EXPORT_PATH: &str = "/v1/P/workspaces/W/soc/workflows/export";

#[test]
fn success_writes_the_exact_bytes() {
    let body = pattern(300_000);
    let server = Server::start({
        let body = body.clone();
        move |_| Reply::file(body.clone())
    });
    let dir = Scratch::new("success");
    let output = export(dir.path(), &server)
        .args(["--id", "a", "--id", "b", "-o", "out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), body);
    assert_eq!(dir.entries(), ["out.bin"], "no temporary file is left");
    assert!(
        stderr.contains("saved 300000 bytes to out.bin (request id req-ok-1)"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, EXPORT_PATH);
    assert_eq!(request.header("x-auth-token"), Some("test-token-0123"));
    assert_eq!(
        String::from_utf8_lossy(&request.body),
        r#"{"id":["a","b"]}"#
    );
}

#[test]
fn a_body_cut_mid_stream_leaves_nothing() {
    let server = Server::start(|_| {
        let mut reply = Reply::file(pattern(500));
        reply.content_length = Some(1000);
        reply
    });
    let dir = Scratch::new("cut");
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(dir.entries().is_empty(), "left: {:?}", dir.entries());
}

#[test]
fn a_cut_body_keeps_an_existing_file_even_with_force() {
    let server = Server::start(|_| {
        let mut reply = Reply::file(pattern(500));
        reply.content_length = Some(1000);
        reply
    });
    let dir = Scratch::new("cut-force");
    fs::write(dir.join("out.bin"), b"previous export").unwrap();
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "out.bin", "--force"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5), "{}", stderr_of(&output));
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), b"previous export");
    assert_eq!(dir.entries(), ["out.bin"]);
}

#[test]
fn an_existing_file_is_kept_without_force_and_replaced_with_it() {
    let server = Server::start(|_| Reply::file(b"new content".to_vec()));
    let dir = Scratch::new("existing");
    fs::write(dir.join("out.bin"), b"old content").unwrap();

    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("out.bin already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), b"old content");
    assert!(
        server.requests().is_empty(),
        "refused before sending anything"
    );

    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "out.bin", "--force"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), b"new content");
    assert_eq!(dir.entries(), ["out.bin"]);
}

#[test]
fn an_unwritable_output_is_refused_before_sending() {
    let server = Server::start(|_| Reply::file(b"x".to_vec()));
    let dir = Scratch::new("no-dir");
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "missing/out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("cannot create a temporary file in missing"),
        "{stderr}"
    );
    assert!(server.requests().is_empty());
    assert!(dir.entries().is_empty());
}

#[test]
fn a_name_from_the_service_that_exists_is_kept_too() {
    let server = Server::start(|_| {
        Reply::file(b"new".to_vec()).header("Content-Disposition", "attachment; filename=flows.zip")
    });
    let dir = Scratch::new("existing-named");
    fs::write(dir.join("flows.zip"), b"old").unwrap();
    let output = export(dir.path(), &server)
        .args(["--id", "a"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "{}", stderr_of(&output));
    assert_eq!(fs::read(dir.join("flows.zip")).unwrap(), b"old");
    assert_eq!(dir.entries(), ["flows.zip"]);
}

#[test]
fn standard_output_mode() {
    let body = pattern(70_000);
    let server = Server::start({
        let body = body.clone();
        move |_| {
            Reply::file(body.clone()).header("Content-Disposition", "attachment; filename=x.zip")
        }
    });
    let dir = Scratch::new("stdout");
    let output = export(dir.path(), &server)
        .args(["--id", "a", "--output", "-"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(output.stdout, body);
    assert!(stderr_of(&output).contains("wrote 70000 bytes to standard output"));
    assert!(dir.entries().is_empty());
}

#[cfg(unix)]
#[test]
fn a_device_is_written_to_and_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let server = Server::start(|_| Reply::file(pattern(10_000)));
    let dir = Scratch::new("device");
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "/dev/null", "--force"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("wrote 10000 bytes to /dev/null"),
        "{stderr}"
    );
    let kind = fs::symlink_metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device());
}

#[cfg(unix)]
#[test]
fn a_link_to_a_file_is_followed_and_kept() {
    let server = Server::start(|_| Reply::file(b"new".to_vec()));
    let dir = Scratch::new("link");
    fs::create_dir(dir.join("real")).unwrap();
    fs::write(dir.join("real/flows.bin"), b"old").unwrap();
    std::os::unix::fs::symlink("real/flows.bin", dir.join("latest.bin")).unwrap();
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "latest.bin"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(6), "{}", stderr_of(&output));
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "latest.bin", "--force"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert!(dir.join("latest.bin").is_symlink());
    assert_eq!(fs::read(dir.join("real/flows.bin")).unwrap(), b"new");
    assert_eq!(common::entries(&dir.join("real")), ["flows.bin"]);
}

#[test]
fn ids_file_comments_blanks_and_duplicates() {
    let server = Server::start(|_| Reply::file(b"ok".to_vec()));
    let dir = Scratch::new("ids-file");
    fs::write(
        dir.join("ids.txt"),
        "# workflows to back up\n\n  id-2  \r\nid-3 # the new one\n\t\nid-1\n# id-9\nid-3\n",
    )
    .unwrap();
    let output = export(dir.path(), &server)
        .args(["--id", "id-1", "--id", "id-2", "--ids-file", "ids.txt"])
        .args(["-o", "out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "warning: 3 workflow ids were given more than once, sent once: id-2, id-1, id-3"
        ),
        "{stderr}"
    );
    let requests = server.requests();
    assert_eq!(
        String::from_utf8_lossy(&requests[0].body),
        r#"{"id":["id-1","id-2","id-3"]}"#
    );
}

#[test]
fn ids_from_standard_input() {
    let server = Server::start(|_| Reply::file(b"ok".to_vec()));
    let dir = Scratch::new("ids-stdin");
    let output = export(dir.path(), &server)
        .args(["--ids-file", "-", "-o", "out.bin"])
        .write_stdin("x1\nx2\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(
        String::from_utf8_lossy(&server.requests()[0].body),
        r#"{"id":["x1","x2"]}"#
    );
}

#[test]
fn no_ids_at_all_is_a_usage_error() {
    let server = Server::start(|_| Reply::file(b"ok".to_vec()));
    let dir = Scratch::new("no-ids");
    fs::write(dir.join("ids.txt"), "# nothing yet\n\n").unwrap();
    let output = export(dir.path(), &server)
        .args(["--ids-file", "ids.txt"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no workflow ids"), "{stderr}");
    assert!(server.requests().is_empty());
}

#[test]
fn a_missing_ids_file_is_an_io_error() {
    let server = Server::start(|_| Reply::file(b"ok".to_vec()));
    let dir = Scratch::new("ids-missing");
    let output = export(dir.path(), &server)
        .args(["--ids-file", "nope.txt"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(stderr.contains("nope.txt"), "{stderr}");
}

#[test]
fn the_name_comes_from_content_disposition() {
    let server = Server::start(|_| {
        Reply::file(b"zip".to_vec()).header(
            "Content-Disposition",
            "attachment; filename=\"fallback.zip\"; filename*=UTF-8''%E5%B7%A5%E4%BD%9C%E6%B5%81.zip",
        )
    });
    let dir = Scratch::new("named");
    let output = export(dir.path(), &server)
        .args(["--id", "a"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(dir.entries(), ["工作流.zip"]);

    // An existing directory as --output: the suggested name inside it.
    fs::create_dir(dir.join("backups")).unwrap();
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "backups"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(common::entries(&dir.join("backups")), ["工作流.zip"]);
}

#[test]
fn a_malicious_suggested_name_stays_in_the_directory() {
    let server = Server::start(|_| {
        Reply::file(b"not a password file".to_vec()).header(
            "Content-Disposition",
            r#"attachment; filename="../../etc/passwd""#,
        )
    });
    let root = Scratch::new("malicious");
    let work = root.join("a/b");
    fs::create_dir_all(&work).unwrap();
    let output = export(&work, &server).args(["--id", "a"]).output().unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(common::entries(&work), ["passwd"]);
    assert_eq!(
        fs::read(work.join("passwd")).unwrap(),
        b"not a password file"
    );
    assert_eq!(root.entries(), ["a"], "nothing written above the directory");
    assert_eq!(common::entries(&root.join("a")), ["b"]);
    assert!(
        stderr.contains(r#"suggested the file name "../../etc/passwd"; saving as "passwd""#),
        "{stderr}"
    );
}

#[test]
fn without_a_suggestion_the_default_name() {
    let server = Server::start(|_| Reply::file(b"x".to_vec()));
    let dir = Scratch::new("default-name");
    let output = export(dir.path(), &server)
        .args(["--id", "a"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(dir.entries(), ["workflows-W.bin"]);
}

#[test]
fn a_400_prints_code_message_and_request_id() {
    let server = Server::start(|_| {
        Reply::error(
            400,
            r#"{"code":"SecMaster.20010001","message":"workflow id is invalid"}"#,
            "req-400-abc",
        )
    });
    let dir = Scratch::new("e400");
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert_eq!(
        stderr,
        "error: HTTP 400 Bad Request, code SecMaster.20010001: workflow id is invalid \
         (request id req-400-abc)\n"
    );
    assert!(dir.entries().is_empty());
}

#[test]
fn a_401_from_the_gateway_is_an_auth_failure() {
    let server = Server::start(|_| {
        Reply::error(
            401,
            r#"{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}"#,
            "req-401-xyz",
        )
    });
    let dir = Scratch::new("e401");
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert_eq!(
        stderr,
        "error: HTTP 401 Unauthorized, code APIGW.0301: Incorrect IAM authentication \
         information (request id req-401-xyz)\n"
    );
    assert!(!stderr.contains("test-token-0123"));
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
    let output = secmaster(dir.path())
        .env("SECMASTER_AUTH_TOKEN", "t")
        .args(["workflows", "export", "--endpoint"])
        .arg(format!("http://127.0.0.1:{port}"))
        .args(["--project-id", "P", "--workspace-id", "W", "--id", "a"])
        .args(["-o", "out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(5), "{stderr}");
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
    // Settings clap cannot check (they may come from the environment) are
    // named all at once.
    let output = secmaster(dir.path())
        .args(["workflows", "export", "--id", "a"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for name in ["--project-id", "--workspace-id", "--region", "--token-file"] {
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // Clap's own exit code for a missing subcommand as well.
    let output = secmaster(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn no_credentials_is_a_usage_error_naming_the_variables() {
    let server = Server::start(|_| Reply::file(b"x".to_vec()));
    let dir = Scratch::new("no-credentials");
    let output = secmaster(dir.path())
        .args(["workflows", "export", "--endpoint"])
        .arg(server.url())
        .args(["--project-id", "P", "--workspace-id", "W", "--id", "a"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for name in [
        "--token-file",
        "SECMASTER_AUTH_TOKEN",
        "HUAWEICLOUD_SDK_AK",
        "HUAWEICLOUD_SDK_SK",
    ] {
        assert!(stderr.contains(name), "{stderr}");
    }
    assert!(server.requests().is_empty());
}

#[test]
fn token_file_wins_over_the_variable() {
    let server = Server::start(|_| Reply::file(b"x".to_vec()));
    let dir = Scratch::new("token-file");
    fs::write(dir.join("token"), "  token-from-file\n").unwrap();
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "out.bin", "--token-file", "token"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(
        server.requests()[0].header("x-auth-token"),
        Some("token-from-file")
    );
}

#[test]
fn access_keys_from_the_environment_sign_the_request() {
    let server = Server::start(|_| Reply::file(b"x".to_vec()));
    let dir = Scratch::new("aksk");
    let output = secmaster(dir.path())
        .env("HUAWEICLOUD_SDK_AK", "HPUAFAKEAK0EXAMPLE01")
        .env("HUAWEICLOUD_SDK_SK", "fake-secret-key")
        .env("HUAWEICLOUD_SDK_SECURITY_TOKEN", "fake-security-token")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "P")
        .args(["workflows", "export", "--endpoint"])
        .arg(server.url())
        .args(["--workspace-id", "W", "--id", "a", "-o", "out.bin"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let request = &server.requests()[0];
    assert_eq!(request.path, EXPORT_PATH);
    let authorization = request.header("authorization").unwrap_or_default();
    assert!(
        authorization.starts_with("SDK-HMAC-SHA256 Access=HPUAFAKEAK0EXAMPLE01, SignedHeaders="),
        "{authorization}"
    );
    assert_eq!(request.header("x-project-id"), Some("P"));
    assert_eq!(
        request.header("x-security-token"),
        Some("fake-security-token")
    );
    assert_eq!(request.header("x-auth-token"), None);
}

#[test]
fn the_region_override_variable_points_anywhere() {
    let server = Server::start(|_| Reply::file(b"x".to_vec()));
    let dir = Scratch::new("override");
    let output = secmaster(dir.path())
        .env("SECMASTER_AUTH_TOKEN", "t")
        .env("HUAWEICLOUD_SDK_REGION", "cn-north-4")
        .env("HUAWEICLOUD_SDK_REGION_SECMASTER_CN_NORTH_4", server.url())
        .args([
            "workflows",
            "export",
            "--project-id",
            "P",
            "--workspace-id",
            "W",
        ])
        .args(["--id", "a", "-o", "out.bin"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let server = Server::start(|_| Reply::file(b"x".to_vec()));
    let dir = Scratch::new("quiet");
    let output = export(dir.path(), &server)
        .args(["--id", "a", "-o", "out.bin", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty(), "{}", stderr_of(&output));
}

#[test]
fn verbose_logs_attempts_but_no_secrets() {
    let server = Server::start(|_| Reply::file(b"x".to_vec()));
    let dir = Scratch::new("verbose");
    let output = export(dir.path(), &server)
        .env("SECMASTER_AUTH_TOKEN", "SECRET-TOKEN-4711")
        .args(["--id", "a", "-o", "out.bin", "--verbose"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("DEBUG"), "{stderr}");
    assert!(
        stderr.contains("secmaster_client"),
        "library events: {stderr}"
    );
    assert!(stderr.contains("exporting workflows"), "{stderr}");
    assert!(!stderr.contains("SECRET-TOKEN-4711"), "{stderr}");
}

#[test]
fn an_interrupt_removes_the_temporary_file() {
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let server = Server::start(|_| {
            let mut reply = Reply::file(pattern(500));
            reply.content_length = Some(1000);
            reply.stall = true;
            reply
        });
        let dir = Scratch::new("interrupt");
        fs::write(dir.join("out.bin"), b"keep me").unwrap();
        let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("secmaster"))
            .env("SECMASTER_AUTH_TOKEN", "t")
            .args(["workflows", "export", "--endpoint"])
            .arg(server.url())
            .args(["--project-id", "P", "--workspace-id", "W", "--id", "a"])
            .args(["-o", "out.bin", "--force"])
            .current_dir(dir.path())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until the download is under way: the request was answered
        // (with half the body, then silence) and the temporary file exists.
        let started = Instant::now();
        while server.requests().is_empty() || dir.entries().len() < 2 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the download did not start"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(300));
        let status = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let output = child.wait_with_output().unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(code), "{signal}: {stderr}");
        assert!(stderr.contains("interrupted"), "{stderr}");
        assert_eq!(dir.entries(), ["out.bin"], "{signal}");
        assert_eq!(fs::read(dir.join("out.bin")).unwrap(), b"keep me");
    }
}

#[test]
fn completions_for_each_shell() {
    let dir = Scratch::new("completions");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let output = secmaster(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains("secmaster"), "{shell}");
        assert!(script.contains("ids-file"), "{shell}");
    }
}
