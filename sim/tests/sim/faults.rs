//! Every fault, set from the library and from the admin endpoint.

use std::time::{Duration, Instant};

use crate::support::{
    AK, Raw, SK, TOKEN, WORKSPACE, answer, client, export_pattern, fault, json_answer, raw,
    raw_export, sim, url,
};
use secmaster_sim::{AdminAccess, Fault, FaultAction, Simulator};
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// A plain list request in [`WORKSPACE`], without credentials.
async fn list(sim: &Simulator) -> reqwest::Response {
    client().get(url(sim, WORKSPACE, "")).send().await.unwrap()
}

/// Exports from a simulator that answers 100,000 pattern bytes under the
/// fault `spec`, reading raw for `wait`; checks that the answer announced
/// all of them and sent the first 40,000. The connection comes back too.
async fn export_cut_at_40000(spec: &str, wait: Duration) -> (Simulator, Raw, TcpStream) {
    let sim = sim()
        .export_size(100_000)
        .fault(fault(spec))
        .start()
        .await
        .unwrap();
    let (answer, stream) = raw(sim.addr(), &raw_export("\"a\""), wait).await;
    assert!(
        answer
            .head()
            .to_ascii_lowercase()
            .contains("content-length: 100000"),
        "{}",
        answer.head()
    );
    assert_eq!(answer.body().len(), 40_000);
    assert!(answer.body() == &export_pattern(100_000)[..40_000]);
    (sim, answer, stream)
}

#[tokio::test]
async fn a_status_with_retry_after_applies_the_given_number_of_times() {
    let sim = sim().start().await.unwrap();
    sim.add_fault(fault("list_workflows=429,retry-after=2,times=2"))
        .unwrap();
    for _ in 0..2 {
        let response = list(&sim).await;
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "2");
        assert!(response.headers().contains_key("x-request-id"));
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error_code"], "APIGW.0308");
    }
    assert!(sim.faults().is_empty(), "used up");
    assert_eq!(list(&sim).await.status(), 200);
    let recorded: Vec<Option<String>> = sim.requests().into_iter().map(|r| r.fault).collect();
    assert_eq!(
        recorded[0].as_deref(),
        Some("list_workflows=429,retry-after=2")
    );
    assert_eq!(recorded[2], None);
}

#[tokio::test]
async fn rules_match_their_operation_or_every_one_and_the_first_wins() {
    let sim = sim()
        .fault(fault("export_workflows=503"))
        .fault(fault("*=500,times=1"))
        .start()
        .await
        .unwrap();
    let first = list(&sim).await;
    assert_eq!(first.status(), 500);
    let body: Value = first.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["message"].as_str()),
        (Some("SecMaster.Sim.Fault"), Some("injected fault"))
    );
    assert_eq!(list(&sim).await.status(), 200);
    let export = client()
        .post(url(&sim, WORKSPACE, "/export"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 503, "faults come before validation");
    assert!(sim.add_fault(fault("no_such_operation=500")).is_err());
    let error = Simulator::builder()
        .fault(fault("typo=500"))
        .start()
        .await
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("no operation \"typo\""),
        "{error}"
    );
}

#[tokio::test]
async fn a_stall_before_headers_sends_nothing_until_shutdown() {
    let sim = sim()
        .fault(fault("export_workflows=stall"))
        .start()
        .await
        .unwrap();
    let (answer, mut stream) = raw(sim.addr(), &raw_export(""), Duration::from_millis(300)).await;
    assert!(answer.bytes.is_empty() && !answer.closed, "{answer:?}");
    assert_eq!(sim.requests()[0].status, None);
    drop(sim);
    let mut rest = Vec::new();
    let read = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut rest),
    )
    .await;
    assert!(read.is_ok(), "dropping the simulator closes the connection");
}

#[tokio::test]
async fn a_stall_mid_body_sends_part_of_the_body_then_nothing() {
    let (_sim, answer, _stream) = export_cut_at_40000(
        "export_workflows=stall-body,after=40000",
        Duration::from_millis(400),
    )
    .await;
    assert!(!answer.closed, "the connection stays open");
    assert_eq!(answer.status(), Some(200), "{}", answer.head());
}

#[tokio::test]
async fn a_cut_body_announces_more_than_it_sends_then_closes() {
    let (sim, answer, _) =
        export_cut_at_40000("export_workflows=cut,after=40000", Duration::from_secs(3)).await;
    assert!(answer.closed);

    // Without `after`, half of whatever the answer is; clients see an error.
    sim.clear_faults();
    sim.set_export_size(None);
    sim.add_fault(fault("list_workflows=cut")).unwrap();
    let response = list(&sim).await;
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.is_err(), "a short body is an error");
}

#[tokio::test]
async fn close_drops_the_connection_without_an_answer() {
    let sim = sim()
        .fault(fault("export_workflows=close,times=1"))
        .start()
        .await
        .unwrap();
    let (answer, _) = raw(sim.addr(), &raw_export(""), Duration::from_secs(3)).await;
    assert!(answer.closed && answer.bytes.is_empty(), "{answer:?}");
    let (answer, _) = raw(sim.addr(), &raw_export(""), Duration::from_millis(500)).await;
    assert_eq!(answer.status(), Some(200), "only once: {}", answer.head());
}

#[tokio::test]
async fn latency_delays_every_answer_or_some() {
    let sim = sim()
        .latency(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let started = Instant::now();
    assert_eq!(list(&sim).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(200));

    sim.set_latency(Duration::ZERO);
    sim.add_fault(fault("list_workflows=latency,ms=300,times=1"))
        .unwrap();
    let started = Instant::now();
    list(&sim).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    list(&sim).await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn the_admin_endpoint_sets_faults_and_settings() {
    let sim = sim().start().await.unwrap();
    let admin = |path: &str| format!("{}/_sim/{path}", sim.base_url());
    let http = client();

    let added = http
        .post(admin("faults"))
        .json(&json!({"spec": "export_workflows=503,retry-after=1,times=1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    let rule = json!({"operation": "list_workflows", "action": "status", "status": 500, "body": "plain text oops", "times": 1});
    let added = http
        .post(admin("faults"))
        .json(&json!([rule]))
        .send()
        .await
        .unwrap();
    let active: Vec<Fault> = added.json().await.unwrap();
    assert_eq!(active.len(), 2);
    assert_eq!(
        active[1].action,
        FaultAction::Status {
            status: 500,
            retry_after: None,
            body: Some("plain text oops".into())
        }
    );

    let listed = list(&sim).await;
    assert_eq!(listed.status(), 500);
    assert_eq!(listed.text().await.unwrap(), "plain text oops");
    let export = http
        .post(url(&sim, WORKSPACE, "/export"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            export.status().as_u16(),
            export.headers()["retry-after"].to_str().unwrap()
        ),
        (503, "1")
    );

    for bad in [
        json!({"spec": "nope=500"}),
        json!({"spec": "list_workflows=700"}),
        json!({"operation": "x"}),
    ] {
        let refused = http.post(admin("faults")).json(&bad).send().await.unwrap();
        assert_eq!(refused.status(), 400, "{bad}");
        assert!(refused.headers().contains_key("x-request-id"));
    }
    http.post(admin("faults"))
        .json(&json!({"spec": "*=close"}))
        .send()
        .await
        .unwrap();
    let cleared = http.delete(admin("faults")).send().await.unwrap();
    assert_eq!(cleared.json::<Vec<Fault>>().await.unwrap(), []);

    let settings = http
        .put(admin("settings"))
        .json(&json!({"latency_ms": 5, "export_size": 10}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        settings.json::<Value>().await.unwrap(),
        json!({"latency_ms": 5, "export_size": 10})
    );
    let export = http
        .post(url(&sim, WORKSPACE, "/export"))
        .header("content-type", "application/json")
        .body(r#"{"id":[]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(export.bytes().await.unwrap().len(), 10);
    let settings = http
        .put(admin("settings"))
        .json(&json!({"export_size": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        settings.json::<Value>().await.unwrap(),
        json!({"latency_ms": 5, "export_size": null})
    );
    assert_eq!(
        http.put(admin("settings"))
            .json(&json!({"speed": 1}))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );

    let seen: Vec<Value> = json_answer(http.get(admin("requests"))).await;
    assert_eq!(seen.len(), 3, "API requests only");
    assert_eq!(seen[0]["status"], 500);
    assert_eq!(
        http.get(admin("nothing")).send().await.unwrap().status(),
        404
    );
}

#[tokio::test]
async fn a_rule_can_set_response_headers_on_a_normal_or_an_injected_answer() {
    let sim = sim().export_size(500).start().await.unwrap();
    let name = r#"attachment; filename="../../etc/passwd""#;
    sim.add_fault(fault(&format!(
        "export_workflows=pass,times=1,header=Content-Disposition:{name}"
    )))
    .unwrap();
    sim.add_fault(Fault {
        times: Some(1),
        ..answer(
            "export_workflows",
            400,
            r#"{"code":"SecMaster.20010001","message":"workflow id is invalid"}"#,
            &[
                ("Content-Type", "application/json"),
                ("X-Request-Id", "req-400-abc"),
            ],
        )
    })
    .unwrap();
    let export = || async {
        client()
            .post(url(&sim, WORKSPACE, "/export"))
            .header("content-type", "application/json")
            .body(r#"{"id":["a"]}"#)
            .send()
            .await
            .unwrap()
    };
    let renamed = export().await;
    assert_eq!(renamed.status(), 200);
    assert_eq!(renamed.headers()["content-disposition"], name);
    assert_eq!(renamed.bytes().await.unwrap().len(), 500);
    let rejected = export().await;
    assert_eq!(rejected.status(), 400);
    assert_eq!(rejected.headers()["x-request-id"], "req-400-abc");
    let body: Value = rejected.json().await.unwrap();
    assert_eq!(body["code"], "SecMaster.20010001");
    let normal = export().await;
    assert_eq!(
        normal.headers()["content-disposition"],
        "attachment; filename=\"workflows.bin\""
    );
    let mut bad = fault("export_workflows=pass");
    bad.headers.push(("bad name".into(), "x".into()));
    assert!(sim.add_fault(bad).is_err());
}

#[tokio::test]
async fn header_values_beyond_ascii_are_sent_as_utf8_bytes() {
    let sim = sim().export_size(10).start().await.unwrap();
    // A bidirectional override in a request id, as a hostile service might send.
    sim.add_fault(fault(
        "export_workflows=pass,header=X-Request-Id:r\u{202e}1",
    ))
    .unwrap();
    let (answer, _) = raw(sim.addr(), &raw_export("\"a\""), Duration::from_secs(3)).await;
    let head = answer.head();
    assert!(head.contains("x-request-id: r\u{202e}1\r\n"), "{head}");
    assert!(
        Fault::parse("export_workflows=pass,header=X-Request-Id:a\u{1b}b").is_err(),
        "control characters are still refused"
    );
}

#[tokio::test]
async fn the_admin_endpoint_takes_short_names_and_refuses_times_zero() {
    let sim = sim().start().await.unwrap();
    let faults = format!("{}/_sim/faults", sim.base_url());
    let http = client();
    for rule in [
        json!({"spec": "list=503,times=2"}),
        json!({"operation": "export", "action": "close"}),
    ] {
        let added = http.post(&faults).json(&rule).send().await.unwrap();
        assert_eq!(added.status(), 200, "{rule}");
    }
    let active: Vec<String> = sim.faults().iter().map(Fault::to_string).collect();
    assert_eq!(
        active,
        ["list_workflows=503,times=2", "export_workflows=close"]
    );
    assert_eq!(list(&sim).await.status(), 503);

    for bad in [
        json!({"spec": "list_workflows=503,times=0"}),
        json!({"operation": "list_workflows", "action": "close", "times": 0}),
    ] {
        let refused = http.post(&faults).json(&bad).send().await.unwrap();
        assert_eq!(refused.status(), 400, "{bad}");
        let body: Value = refused.json().await.unwrap();
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("times must be at least 1"), "{message}");
    }
    assert_eq!(sim.faults().len(), 2, "nothing added");
}

/// POSTs `rule` to `/_sim/faults`; the status and the body's `message`.
async fn post_rule(sim: &Simulator, rule: &Value) -> (u16, String) {
    let answer = client()
        .post(format!("{}/_sim/faults", sim.base_url()))
        .json(rule)
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let body: Value = answer.json().await.unwrap();
    let message = body["message"].as_str().unwrap_or_default().to_owned();
    (status, message)
}

#[tokio::test]
async fn an_array_with_a_bad_rule_adds_none_of_its_rules() {
    let sim = sim().start().await.unwrap();
    let good = json!({"operation": "export", "action": "close"});
    for (bad, why) in [
        (
            json!({"operation": "nope", "action": "close"}),
            "no operation \"nope\"",
        ),
        (
            json!({"operation": "list", "action": "close", "times": 0}),
            "times must be at least 1",
        ),
        (
            json!({"operation": "list", "action": "explode"}),
            "unknown action \"explode\"",
        ),
    ] {
        let (status, message) = post_rule(&sim, &json!([good, bad])).await;
        assert_eq!(status, 400, "{bad}: {message}");
        assert_eq!(sim.faults(), [], "{bad}: nothing added");
        assert!(message.starts_with("rule 2 of 2: "), "{message}");
        assert!(message.contains(why), "{message}");
    }
    let shown: Vec<Fault> =
        json_answer(client().get(format!("{}/_sim/faults", sim.base_url()))).await;
    assert_eq!(shown, []);
    let (status, _) = post_rule(&sim, &json!([good, good])).await;
    assert_eq!(status, 200);
    assert_eq!(sim.faults().len(), 2);
}

#[tokio::test]
async fn a_bad_json_rule_is_refused_naming_what_is_wrong() {
    let sim = sim().start().await.unwrap();
    for (bad, why) in [
        (
            json!({"operation": "list", "action": "status"}),
            "action \"status\" needs \"status\"",
        ),
        (
            json!({"operation": "list", "action": "latency"}),
            "action \"latency\" needs \"ms\"",
        ),
        (
            json!({"operation": "list", "action": "explode"}),
            "unknown action \"explode\" (known: status, latency, stall-headers, stall-body, cut, close, pass)",
        ),
        (json!({"action": "close"}), "the rule lacks \"operation\""),
        (json!({"operation": "list"}), "the rule lacks \"action\""),
        (
            json!({"operation": "list", "action": "close", "extra": 1}),
            "unknown key \"extra\"",
        ),
        (
            json!({"operation": "list", "action": "close", "ms": 5}),
            "unknown key \"ms\" (action \"close\" takes",
        ),
        (
            json!({"operation": "list", "action": "status", "status": "500"}),
            "\"status\": invalid type: string \"500\"",
        ),
        (
            json!({"spec": "list=503", "times": 1}),
            "unknown key \"times\" beside \"spec\"",
        ),
        (json!({"spec": 5}), "\"spec\" must be a string"),
        (json!(5), "a rule is a JSON object"),
    ] {
        let (status, message) = post_rule(&sim, &bad).await;
        assert_eq!(status, 400, "{bad}: {message}");
        assert!(message.contains(why), "{bad}: {message}");
    }
    assert_eq!(sim.faults(), [], "nothing added");

    // The README's example still works.
    let example = json!({"operation": "export_workflows", "action": "status", "status": 500,
        "body": "proxy error", "times": 1,
        "headers": [["Content-Type", "text/plain"]]});
    assert_eq!(post_rule(&sim, &example).await.0, 200);
    assert_eq!(
        sim.faults(),
        [Fault {
            times: Some(1),
            ..answer(
                "export_workflows",
                500,
                "proxy error",
                &[("Content-Type", "text/plain")]
            )
        }]
    );
}

/// `GET /_sim/faults` on loopback, with `Authorization: Bearer` when given.
async fn admin_status(sim: &Simulator, bearer: Option<&str>) -> u16 {
    let mut request = client().get(format!("http://127.0.0.1:{}/_sim/faults", sim.port()));
    if let Some(token) = bearer {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn beyond_loopback_credentials_are_required_and_the_admin_endpoints_are_off() {
    let anywhere: std::net::SocketAddr = "0.0.0.0:0".parse().unwrap();
    let refused = sim().listen(anywhere).start().await.err().expect("refused");
    assert!(
        refused.0.contains("can be reached from other machines") && refused.0.contains("token"),
        "{refused}"
    );
    let sim = sim().listen(anywhere).token(TOKEN).start().await.unwrap();
    assert_eq!(admin_status(&sim, None).await, 404);
    assert!(sim.faults().is_empty());
}

#[tokio::test]
async fn an_admin_token_guards_the_admin_endpoints() {
    let anywhere: std::net::SocketAddr = "0.0.0.0:0".parse().unwrap();
    let exposed = sim()
        .listen(anywhere)
        .token(TOKEN)
        .admin_token("admin-secret")
        .start()
        .await
        .unwrap();
    let local = sim().admin_token("admin-secret").start().await.unwrap();
    for sim in [&exposed, &local] {
        assert_eq!(sim.admin_access(), AdminAccess::Token);
        assert_eq!(admin_status(sim, None).await, 401);
        assert_eq!(admin_status(sim, Some("admin-secre")).await, 401);
        assert_eq!(
            admin_status(sim, Some(TOKEN)).await,
            401,
            "the API token is not it"
        );
        assert_eq!(admin_status(sim, Some("admin-secret")).await, 200);
        // The scheme name is case-insensitive in HTTP; the token is not.
        for (authorization, status) in [
            ("bearer admin-secret", 200),
            ("BEARER admin-secret", 200),
            ("bearer ADMIN-SECRET", 401),
        ] {
            let answered = client()
                .get(format!("http://127.0.0.1:{}/_sim/faults", sim.port()))
                .header("Authorization", authorization)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(answered.as_u16(), status, "{authorization}");
        }
    }
    // On loopback without one, open as always.
    let open = sim().start().await.unwrap();
    assert_eq!(open.admin_access(), AdminAccess::Open);
    assert_eq!(admin_status(&open, None).await, 200);
    let shown = format!(
        "{:?}",
        sim()
            .admin_token("admin-secret")
            .access_key(AK, SK)
            .token(TOKEN)
    );
    for secret in ["admin-secret", SK, TOKEN] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn the_active_rules_are_bounded_in_number_and_bytes() {
    let sim = sim().start().await.unwrap();
    // Rules of 900 header bytes, some 850 kB a POST: before, each POST
    // kept them all and answered every rule added so far.
    let rules: Vec<Value> = (0..900)
        .map(|_| json!({"operation": "*", "action": "pass", "headers": [["X-A", "v".repeat(900)]]}))
        .collect();
    let body = serde_json::to_vec(&rules).unwrap();
    let mut refused = None;
    for i in 0..20 {
        let response = client()
            .post(format!("{}/_sim/faults", sim.base_url()))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer = response.bytes().await.unwrap();
        assert!(answer.len() <= 8 << 20, "POST {i}: {} bytes", answer.len());
        if status != 200 {
            refused = Some((i, status, String::from_utf8_lossy(&answer).into_owned()));
            break;
        }
    }
    let (i, status, message) = refused.expect("20 POSTs of 850 kB all taken");
    assert_eq!(status, 400, "{message}");
    assert!(message.contains("at most"), "{message}");
    assert!(i >= 2, "refused at POST {i}");
    // All or nothing: the refused POST added none.
    assert_eq!(sim.faults().len(), 900 * i);
    // The test's own rules are not bounded, but leave less room.
    sim.clear_faults();
    sim.add_fault(fault(&format!("*=pass,header=X-A:{}", "v".repeat(5 << 20))))
        .unwrap();
    let (status, message) = post_rule(&sim, &json!({"operation": "*", "action": "pass"})).await;
    assert_eq!(status, 400, "{message}");
}

/// An admin token that no `Authorization` header could carry (empty,
/// a space or tab at either end, which HTTP trims or the scheme's spaces
/// take, or other than printable ASCII) makes the start fail, rather than
/// lock the admin endpoints for good; a space inside is carried.
#[tokio::test]
async fn an_admin_token_no_header_can_carry_is_refused_at_start() {
    for token in [
        "",
        " s3cret",
        "s3cret ",
        "s3cret\t",
        "s3cr\u{e9}t",
        "s3\ncret",
    ] {
        let refused = sim()
            .admin_token(token)
            .start()
            .await
            .err()
            .unwrap_or_else(|| panic!("{token:?} was taken"));
        assert!(refused.0.contains("admin token"), "{refused}");
        // The token itself is not shown.
        assert!(token.is_empty() || !refused.0.contains(token), "{refused}");
    }
    let spaced = sim().admin_token("admin secret").start().await.unwrap();
    let answered = client()
        .get(format!("{}/_sim/faults", spaced.base_url()))
        .header("Authorization", "Bearer admin secret")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(answered.as_u16(), 200);
}
