//! Hostile servers and hostile input: what a red-team pass found, each
//! pinned by a test.

use std::fs;

use crate::common::*;
use secmaster_sim::Fault;
use secmaster_sim::testing::answer;

/// An export answered with this status, body and headers, `times` times.
fn status(status: u16, body: &str, times: u32, headers: &[(&str, &str)]) -> Fault {
    Fault {
        times: Some(times),
        ..answer("export_workflows", status, body, headers)
    }
}

/// Text no terminal should receive from a server: OSC title change, CSI
/// colour and screen clear, BEL, CR, and bidirectional overrides.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31m\u{1b}[2J\r\u{202e}evil\u{2066}";

fn assert_terminal_safe(text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !secmaster_client::untrusted::is_unsafe(c),
            "unsafe character U+{:04X} reached the terminal in {text:?}",
            u32::from(c)
        );
    }
}

#[test]
fn server_text_is_escaped_at_every_verbosity() {
    let message =
        format!(r#"{{"error_code":"APIGW.0308{HOSTILE}","error_msg":"slow down {HOSTILE}"}}"#);
    for verbosity in [None, Some("--verbose")] {
        // Throttled once (logged by --verbose as a retry), then a 400.
        // Header values cannot hold control characters; bidi can.
        let headers = [
            ("Content-Type", "application/json"),
            ("X-Request-Id", "rid\u{202e}1"),
        ];
        let sim = start(
            sim()
                .fault(status(429, &message, 1, &headers))
                .fault(status(400, &message, 1, &headers)),
        );
        let dir = Scratch::new("escape");
        let mut cmd = export(dir.path(), &sim);
        cmd.args(["--id", "a", "-o", "out.bin"]);
        if let Some(flag) = verbosity {
            cmd.arg(flag);
        }
        let output = cmd.output().unwrap();
        let stderr = stderr_of(&output);
        assert_eq!(output.status.code(), Some(4), "{stderr}");
        assert_terminal_safe(&stderr);
        assert!(stderr.contains("slow down \\u{1b}]0;pwned"), "{stderr}");
        if verbosity.is_some() {
            assert!(stderr.contains("retrying"), "{stderr}");
        }
        assert_eq!(sim.requests().len(), 2);
    }
}

#[test]
fn a_hostile_suggested_name_is_escaped_and_made_safe() {
    let sim = file_sim(1);
    sim.add_fault(fault(
        "export_workflows=pass,header=Content-Disposition:attachment; \
         filename*=UTF-8''a%E2%80%AEpiz.exe%1B%5B2J,header=X-Request-Id:r\u{202e}1",
    ))
    .unwrap();
    let dir = Scratch::new("bidi-name");
    let (_, stderr) = run(export(dir.path(), &sim).args(["--id", "a"]), 0);
    assert_terminal_safe(&stderr);
    assert_eq!(dir.entries(), ["apiz.exe[2J"]);
}

#[cfg(unix)]
#[test]
fn force_keeps_the_mode_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let sim = file_sim(3);
    let dir = Scratch::new("force-mode");
    let out = dir.join("secret.zip");
    fs::write(&out, b"old").unwrap();
    fs::set_permissions(&out, fs::Permissions::from_mode(0o600)).unwrap();
    success(export(dir.path(), &sim).args(["--id", "a", "-o", "secret.zip", "--force"]));
    assert_eq!(fs::read(&out).unwrap(), export_pattern(3));
    assert_eq!(
        fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_endless_ids_file_is_refused_with_the_limit() {
    let sim = file_sim(1);
    let dir = Scratch::new("ids-zero");
    // Under a 1 GiB address-space limit: a reader without a cap fails fast
    // instead of filling the machine's memory.
    let (output, stderr) = workflows_in_shell(
        dir.path(),
        &sim,
        "ulimit -v 1048576; ",
        "export",
        "--ids-file /dev/zero -o out.bin",
    );
    assert_eq!(output.status.code(), Some(6), "{stderr}");
    assert!(
        stderr.contains("larger than the limit of 10 MiB"),
        "{stderr}"
    );
    assert!(sim.requests().is_empty());
}

#[test]
fn a_proxy_in_the_environment_is_not_used_for_a_loopback_endpoint() {
    let sim = file_sim(6);
    let dir = Scratch::new("proxy");
    success(
        export(dir.path(), &sim)
            .args(["--id", "a", "-o", "out.bin"])
            // Nothing listens on port 9: a request through the proxy would fail.
            .env("http_proxy", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("ALL_PROXY", "http://127.0.0.1:9"),
    );
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), export_pattern(6));
    assert_authenticated(&sim, "token");
}

#[test]
fn credentials_in_a_bad_endpoint_are_never_printed() {
    let dir = Scratch::new("endpoint-secret");
    for endpoint in [
        "http://user:s3cr3t@[::1",
        "http://h/?token=s3cr3t",
        "ftp://u:s3cr3t@h",
    ] {
        let (_, stderr) = run(
            secmaster(dir.path())
                .env("SECMASTER_AUTH_TOKEN", "t")
                .args(["workflows", "export", "--endpoint", endpoint])
                .args(["--project-id", "P", "--workspace-id", "W", "--id", "a"]),
            2,
        );
        assert!(!stderr.contains("s3cr3t"), "{stderr}");
    }
}

#[test]
fn a_crafted_retry_after_cannot_crash_the_program() {
    // A date as Retry-After (a comma: only the library and JSON forms of a
    // rule can say it), in the year 400000000000.
    let sim = file_sim(5);
    sim.add_fault(status(
        429,
        "{}",
        1,
        &[("Retry-After", "Sun, 06 Nov 400000000000 08:49:37 GMT")],
    ))
    .unwrap();
    let dir = Scratch::new("retry-after");
    success(export(dir.path(), &sim).args(["--id", "a", "-o", "out.bin"]));
    assert_eq!(fs::read(dir.join("out.bin")).unwrap(), export_pattern(5));
    let statuses: Vec<Option<u16>> = sim.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(429), Some(200)]);
}

#[test]
fn a_path_value_cannot_change_the_request_path() {
    let sim = file_sim(1);
    let dir = Scratch::new("backslash");
    let export = |project: &str, workspace: &str| {
        secmaster(dir.path())
            .env("SECMASTER_AUTH_TOKEN", TOKEN)
            .args(["workflows", "export", "--endpoint", &sim.base_url()])
            .args(["--project-id", project, "--workspace-id", workspace])
            .args(["--id", "a", "-o", "out.bin", "--force"])
            .output()
            .unwrap()
    };
    // `..` would be folded away by URL rules: refused before sending.
    let output = export("P", "..");
    let stderr = stderr_of(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot be sent as one path segment"),
        "{stderr}"
    );
    assert!(sim.requests().is_empty(), "nothing was sent");
    // A `\` is a `/` to URL parsers unless encoded: it stays in its segment.
    for (project, workspace, path) in [
        (
            "P",
            "..\\..\\..\\x",
            "/v1/P/workspaces/..%5C..%5C..%5Cx/soc/workflows/export",
        ),
        (
            "..\\..\\v2\\other",
            "W",
            "/v1/..%5C..%5Cv2%5Cother/workspaces/W/soc/workflows/export",
        ),
    ] {
        let before = sim.requests().len();
        export(project, workspace);
        let sent: Vec<String> = sim.requests()[before..]
            .iter()
            .map(|r| r.path.clone())
            .collect();
        assert_eq!(sent, [path], "{project} {workspace}");
    }
}

#[test]
fn a_compressed_answer_is_not_saved_as_the_file() {
    let sim = file_sim(5);
    sim.add_fault(fault("export_workflows=pass,header=Content-Encoding:gzip"))
        .unwrap();
    let dir = Scratch::new("gzip");
    let output = export(dir.path(), &sim)
        .args(["--id", "a", "-o", "out.bin"])
        .output()
        .unwrap();
    let stderr = stderr_of(&output);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Content-Encoding"), "{stderr}");
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
    assert_eq!(
        sim.requests()[0].header("accept-encoding"),
        Some("identity")
    );
}

/// A short --query whose result the JMESPath crate's shared values make
/// gigabytes long (10^7 copies of the records) is refused with its limit,
/// under a 1 GiB address-space limit: without a cap the command would
/// fill the machine's memory writing it out.
#[cfg(target_os = "linux")]
#[test]
fn a_query_result_over_the_limit_is_refused() {
    let sim = start(sim().seed(PROJECT, WORKSPACE, 2));
    let dir = Scratch::new("query-size");
    let e = "[@,@,@,@,@,@,@,@,@,@]";
    let query = [e; 7].join("|");
    let (output, stderr) = workflows_in_shell(
        dir.path(),
        &sim,
        "ulimit -v 1048576; ",
        "list",
        &format!("--format json --query '{query}'"),
    );
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the result holds more than") && stderr.contains("(the limit)"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}
