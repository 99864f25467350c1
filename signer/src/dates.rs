//! The signer's date, `YYYYMMDDTHHMMSSZ` in UTC (`X-Sdk-Date`): RFC 3339's
//! `YYYY-MM-DDTHH:MM:SSZ` without its separators, so `humantime`'s RFC 3339
//! calendar does the work and this module only moves characters.
//!
//! Limited to years 1970..=9999, the range both forms can write.

use std::time::{SystemTime, UNIX_EPOCH};

/// The first second after 9999-12-31T23:59:59Z.
const END_OF_9999: u64 = 253_402_300_800;

/// `now` as `YYYYMMDDTHHMMSSZ` (UTC); `None` outside 1970..=9999.
pub fn format_basic(now: SystemTime) -> Option<String> {
    // humantime panics before 1970 and fails after 9999: keep to the range.
    let secs = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    if secs >= END_OF_9999 {
        return None;
    }
    let rfc3339 = humantime::format_rfc3339_seconds(now).to_string();
    Some(
        rfc3339
            .chars()
            .filter(|c| !matches!(c, '-' | ':'))
            .collect(),
    )
}

/// True when `s` has the shape `YYYYMMDDTHHMMSSZ`.
pub fn is_basic(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

/// Parses `YYYYMMDDTHHMMSSZ` (UTC), the inverse of [`format_basic`]. `None`
/// for anything else: another shape, a day the calendar does not have, a
/// year before 1970.
pub fn parse_basic(s: &str) -> Option<SystemTime> {
    if !is_basic(s) {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    let at = humantime::parse_rfc3339(&rfc3339).ok()?;
    // Only a date that prints back is one (a leap second would not).
    (format_basic(at).as_deref() == Some(s)).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn basic_dates() {
        assert_eq!(format_basic(at(0)).unwrap(), "19700101T000000Z");
        assert_eq!(format_basic(at(951_782_400)).unwrap(), "20000229T000000Z");
        assert_eq!(format_basic(at(1_795_870_072)).unwrap(), "20261128T124752Z");
        assert_eq!(format_basic(at(4_107_542_399)).unwrap(), "21000228T235959Z");
        assert_eq!(
            format_basic(at(253_402_300_799)).unwrap(),
            "99991231T235959Z"
        );
        assert_eq!(format_basic(at(END_OF_9999)), None);
        assert_eq!(format_basic(UNIX_EPOCH - Duration::from_secs(1)), None);
        assert!(is_basic("20261128T124752Z"));
        assert_eq!(parse_basic("20261128T124752Z"), Some(at(1_795_870_072)));
        assert_eq!(parse_basic("99991231T235959Z"), Some(at(253_402_300_799)));
        for bad in [
            "20260231T000000Z",
            "21000229T000000Z",
            "20261301T000000Z",
            "20261100T000000Z",
            "20261128T240000Z",
            "20261128T125960Z",
            "19691231T235959Z",
            "2026-11-28T12:47:52Z",
        ] {
            assert_eq!(parse_basic(bad), None, "{bad}");
        }
        for bad in [
            "2026-11-28T12:47:52Z",
            "20261128T124752",
            "20261128X124752Z",
            "2026112aT124752Z",
        ] {
            assert!(!is_basic(bad), "{bad}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn any_text_parses_as_a_basic_date_without_panicking(text in any::<String>()) {
            let _ = parse_basic(&text);
        }

        /// Digits in the basic shape: what parses prints back unchanged.
        #[test]
        fn basic_shaped_digits_parse_only_as_real_dates(digits in "[0-9]{8}T[0-9]{6}Z") {
            if let Some(t) = parse_basic(&digits) {
                prop_assert_eq!(format_basic(t), Some(digits));
            }
        }

        #[test]
        fn basic_format_round_trips_through_the_calendar(secs in 0u64..END_OF_9999) {
            let basic = format_basic(at(secs)).expect("in range");
            prop_assert!(is_basic(&basic));
            prop_assert_eq!(parse_basic(&basic), Some(at(secs)));
        }

        #[test]
        fn any_instant_formats_without_panicking(secs in any::<i64>(), nanos in 0u32..1_000_000_000) {
            let t = if secs >= 0 {
                UNIX_EPOCH.checked_add(Duration::new(secs.unsigned_abs(), nanos))
            } else {
                UNIX_EPOCH.checked_sub(Duration::new(secs.unsigned_abs(), nanos))
            };
            if let Some(t) = t {
                let _ = format_basic(t);
            }
        }
    }
}
