//! Values that go into the request path (project, workspace and workflow
//! ids): each one is sent as exactly one path segment that decodes back to
//! the value given, or it is refused before anything is sent.
//!
//! Path values are percent-encoded (all but RFC 3986's unreserved
//! characters), and the URL parser then reads the result. Some strings
//! survive the first step and not the second: `.` and `..` segments are
//! folded away. Rather than list such strings, each value is put through
//! the same two steps here, and refused unless it comes out as one segment
//! holding the value.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str};

/// Everything but RFC 3986's unreserved characters is percent-encoded, as
/// the signer encodes a canonical path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

use crate::error::Error;

/// The value's path segment as it will be sent, or an error naming `name`
/// (the error does not repeat the value beyond an escaped form).
pub(crate) fn encode(name: &str, value: &str) -> Result<String, Error> {
    if value.is_empty() {
        return Err(Error::InvalidInput(format!("{name} is empty")));
    }
    let segment = percent_encoding::utf8_percent_encode(value, SEGMENT).to_string();
    let probe = format!("http://h/p/{segment}/q");
    let survives = reqwest::Url::parse(&probe).ok().is_some_and(|url| {
        let segments: Vec<&str> = url
            .path_segments()
            .map(Iterator::collect)
            .unwrap_or_default();
        segments.len() == 3
            && segments[2] == "q"
            && percent_decode_str(segments[1])
                .decode_utf8()
                .is_ok_and(|v| v == value)
    });
    if survives {
        Ok(segment)
    } else {
        Err(Error::InvalidInput(format!(
            "{name} {:?} cannot be sent as one path segment (URLs fold `.` and `..`)",
            crate::untrusted::escape(value)
        )))
    }
}

/// Checks a value without keeping its encoding.
pub(crate) fn check(name: &str, value: &str) -> Result<(), Error> {
    encode(name, value).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_and_odd_values_are_one_segment() {
        for ok in [
            "abc",
            "a/b",
            "a%2Fb",
            "a b",
            "wś-1",
            "a;b",
            "a?b#c",
            "...",
            ".a",
            "a\tb",
            "a\nb",
            "%",
            "a\\b",
            "..\\..\\x",
            "\\",
        ] {
            let segment = encode("id", ok).unwrap();
            assert!(!segment.contains('/'), "{ok} -> {segment}");
        }
    }

    #[test]
    fn values_the_url_parser_would_change_are_refused() {
        for bad in ["", ".", ".."] {
            let err = encode("workspace_id", bad).unwrap_err().to_string();
            assert!(err.contains("workspace_id"), "{err}");
        }
    }

    fn hostile() -> impl Strategy<Value = String> {
        let pieces = prop_oneof![
            Just("\\".to_owned()),
            Just("/".to_owned()),
            Just("%".to_owned()),
            Just(".".to_owned()),
            Just("..".to_owned()),
            Just(";".to_owned()),
            Just("?".to_owned()),
            Just("#".to_owned()),
            Just("\t".to_owned()),
            Just("\n".to_owned()),
            Just("%2e".to_owned()),
            Just("%2F".to_owned()),
            Just("é".to_owned()),
            Just("工".to_owned()),
            Just(" ".to_owned()),
            "[a-z0-9]{1,3}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        /// Every value is refused, or comes out of the real URL parser as
        /// exactly one segment that decodes back to it.
        #[test]
        fn accepted_values_are_exactly_one_segment(value in hostile()) {
            if let Ok(segment) = encode("id", &value) {
                let url = reqwest::Url::parse(&format!("http://h/v1/{segment}/x")).unwrap();
                let segments: Vec<&str> = url.path_segments().unwrap().collect();
                prop_assert_eq!(segments.len(), 3);
                prop_assert_eq!(percent_decode_str(segments[1]).decode_utf8().unwrap(), value.as_str());
            }
        }
    }
}
