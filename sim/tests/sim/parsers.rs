//! Property tests of the parsers that read outside input: query strings,
//! multipart bodies, fault specs and documents never panic and keep their
//! invariants; fault rules read back from their JSON form.

use proptest::prelude::*;
use secmaster_sim::faults::{Fault, FaultAction};
use secmaster_sim::multipart::{self, Part};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Percent-encodes everything but unreserved characters, as the SDK does.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn part() -> impl Strategy<Value = Part> {
    (
        "[a-zA-Z][a-zA-Z0-9_ ;=.-]{0,12}",
        proptest::option::of("[a-zA-Z0-9_ ;.-]{1,12}"),
        proptest::option::of("[a-z]+/[a-z]+"),
        proptest::collection::vec(any::<u8>(), 0..200),
    )
        .prop_map(|(name, filename, content_type, data)| Part {
            name,
            filename,
            content_type,
            data,
        })
}

fn fault() -> impl Strategy<Value = Fault> {
    let action = prop_oneof![
        (200u16..=599, proptest::option::of(0u64..100_000)).prop_map(|(status, retry_after)| {
            FaultAction::Status {
                status,
                retry_after,
                body: None,
            }
        }),
        any::<u64>().prop_map(|ms| FaultAction::Latency { ms }),
        Just(FaultAction::StallHeaders),
        proptest::option::of(any::<u64>()).prop_map(|after| FaultAction::StallBody { after }),
        proptest::option::of(any::<u64>()).prop_map(|after| FaultAction::Cut { after }),
        Just(FaultAction::Close),
        Just(FaultAction::Pass),
    ];
    // Header values in the spec form cannot hold commas, and are trimmed.
    let header = ("[A-Za-z][A-Za-z0-9-]{0,12}", "[A-Za-z0-9;=\"./_ -]{0,20}")
        .prop_map(|(name, value): (String, String)| (name, value.trim().to_owned()));
    let headers = proptest::collection::vec(header, 0..3);
    (
        "[*]|[a-z_]{1,20}",
        action,
        proptest::option::of(1u32..),
        headers,
    )
        .prop_map(|(operation, action, times, headers)| Fault {
            operation,
            action,
            times,
            headers,
        })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn query_parsing_never_panics_and_keeps_every_piece(raw in ".{0,200}") {
        // The simulator reads queries with form_urlencoded.
        let pairs: Vec<_> = form_urlencoded::parse(raw.as_bytes()).collect();
        prop_assert_eq!(pairs.len(), raw.split('&').filter(|p| !p.is_empty()).count());
    }

    #[test]
    fn an_encoded_query_reads_back_as_it_was(pairs in proptest::collection::vec((".{0,20}", ".{0,20}"), 0..8)) {
        let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| !k.is_empty()).collect();
        let raw = pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let read: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
        prop_assert_eq!(read, pairs);
    }

    #[test]
    fn multipart_parsing_never_panics(body in proptest::collection::vec(any::<u8>(), 0..400), boundary in "[a-z0-9]{0,10}") {
        let _ = multipart::parse(&body, &boundary);
        let _ = multipart::boundary(&String::from_utf8_lossy(&body));
    }

    #[test]
    fn a_built_form_reads_back_as_it_was(parts in proptest::collection::vec(part(), 0..5), boundary in "[a-zA-Z0-9]{16,40}") {
        // A boundary must not occur in the data, as form clients ensure.
        prop_assume!(parts.iter().all(|p| !p.data.windows(boundary.len()).any(|w| w == boundary.as_bytes())));
        let body = multipart::build(&parts, &boundary);
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let found = multipart::boundary(&content_type).unwrap();
        prop_assert_eq!(multipart::parse(&body, &found).unwrap(), parts);
    }

    #[test]
    fn fault_spec_parsing_never_panics(spec in ".{0,60}") {
        if let Ok(fault) = Fault::parse(&spec) {
            // Whatever it accepts, it can write back in a form it accepts.
            prop_assert_eq!(Fault::parse(&fault.to_string()).unwrap(), fault);
        }
    }

    #[test]
    fn a_written_fault_spec_reads_back_as_it_was(fault in fault()) {
        prop_assert_eq!(Fault::parse(&fault.to_string()).unwrap(), fault);
    }

    /// Any JSON object of the rule's keys and a few strangers, with values
    /// of any type: no panic, and what is accepted reads back the same.
    #[test]
    fn fault_json_parsing_never_panics(
        entries in proptest::collection::vec((
            prop_oneof![
                Just("operation"), Just("action"), Just("status"), Just("ms"), Just("times"),
                Just("after"), Just("retry_after"), Just("body"), Just("headers"), Just("spec"),
                Just("x"),
            ],
            prop_oneof![
                Just(serde_json::Value::Null),
                any::<bool>().prop_map(serde_json::Value::from),
                any::<i64>().prop_map(serde_json::Value::from),
                prop_oneof![
                    Just("export".to_owned()), Just("status".to_owned()), Just("cut".to_owned()),
                    Just("latency".to_owned()), ".{0,12}".prop_map(String::from),
                ].prop_map(serde_json::Value::from),
                Just(serde_json::json!([["X-A", "b"]])),
            ],
        ), 0..6),
    ) {
        let rule: serde_json::Map<String, serde_json::Value> =
            entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        if let Ok(fault) = Fault::from_json(&serde_json::Value::Object(rule)) {
            let json = serde_json::to_value(&fault).unwrap();
            prop_assert_eq!(Fault::from_json(&json).unwrap(), fault);
        }
    }

    #[test]
    fn a_fault_as_json_reads_back_as_it_was(fault in fault()) {
        // What GET /_sim/faults shows, POST /_sim/faults takes.
        let json = serde_json::to_value(&fault).unwrap();
        prop_assert_eq!(Fault::from_json(&json).unwrap(), fault);
    }
}

/// Small JSON values of every kind.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i32>().prop_map(serde_json::Value::from),
        ".{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(serde_json::Value::from),
            proptest::collection::btree_map("[a-z]{1,3}", inner, 0..3)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..config() })]

    /// Any text as the document (`--document`): read or refused, never a panic.
    #[test]
    fn document_reading_never_panics(text in ".{0,300}") {
        let _ = secmaster_sim::Contract::from_yaml(&text);
    }

    /// Whatever a document puts in `x-known-values` and `example`, it is
    /// read, and a request can be made from every operation.
    #[test]
    fn any_known_values_and_examples_are_read(known in json_value(), example in json_value()) {
        let mut doc: serde_yaml::Value =
            serde_yaml::from_str(secmaster_sim::EMBEDDED_DOCUMENT).unwrap();
        let schemas = &mut doc["components"]["schemas"];
        schemas["AopWorkflowInfo"]["properties"]["aop_type"]["x-known-values"] =
            serde_yaml::to_value(&known).unwrap();
        schemas["ListWorkspacesResponse"]["example"] = serde_yaml::to_value(&example).unwrap();
        let contract = secmaster_sim::Contract::from_yaml(&serde_yaml::to_string(&doc).unwrap());
        let contract = contract.unwrap();
        for op in contract.operations() {
            let request = secmaster_sim::example_request(op, &[]);
            prop_assert!(request.path_and_query.starts_with("/v1/"));
        }
    }
}
