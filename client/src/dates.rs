//! The two date formats the workspace meets, on one calendar: the signer's
//! `YYYYMMDDTHHMMSSZ` (`X-Sdk-Date`, written by the client and read back by
//! the simulator's gateway checks) and HTTP's IMF-fixdate
//! (`Sun, 06 Nov 1994 08:49:37 GMT`, in `Retry-After`).
//!
//! Both are limited to years 1970..=9999, so no arithmetic here can
//! overflow, whatever a server sends.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const LAST_YEAR: u64 = 9999;

/// `now` as `YYYYMMDDTHHMMSSZ` (UTC); `None` outside 1970..=9999.
pub fn format_basic(now: SystemTime) -> Option<String> {
    let secs = now.duration_since(UNIX_EPOCH).ok()?.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    if days > days_from_civil(LAST_YEAR, 12, 31)? {
        return None;
    }
    let (year, month, day) = civil_from_days(days);
    Some(format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    ))
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
/// for anything else: another shape, a field out of range, a year outside
/// 1970..=9999.
pub fn parse_basic(s: &str) -> Option<SystemTime> {
    if !is_basic(s) {
        return None;
    }
    let field = |range: std::ops::Range<usize>| s[range].parse::<u64>().ok();
    let (year, month, day) = (field(0..4)?, field(4..6)?, field(6..8)?);
    let (h, m, sec) = (field(9..11)?, field(11..13)?, field(13..15)?);
    if day == 0 || h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    // 31 February would land in March: only a date that prints back is one.
    if civil_from_days(days) != (year, month, day) {
        return None;
    }
    UNIX_EPOCH.checked_add(Duration::from_secs(days * 86_400 + h * 3600 + m * 60 + sec))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110
/// requires senders of HTTP dates to use. `None` for anything else, and for
/// years outside 1970..=9999.
pub fn parse_imf_fixdate(s: &str) -> Option<SystemTime> {
    let rest = s.split_once(", ")?.1;
    let mut parts = rest.split(' ');
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: u64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || hms.next().is_some() {
        return None;
    }
    if !(1970..=LAST_YEAR).contains(&year) || !(1..=31).contains(&day) {
        return None;
    }
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    let secs = days * 86_400 + h * 3600 + m * 60 + sec;
    UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// (year, month, day) to days since 1970-01-01, proleptic Gregorian
/// (H. Hinnant's days-from-civil). `None` before 1970 or after 9999.
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    if !(1970..=LAST_YEAR).contains(&year) || !(1..=12).contains(&month) || day > 31 {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day.saturating_sub(1);
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// Days since 1970-01-01 to (year, month, day); the inverse of the above
/// for days up to the end of 9999.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        assert_eq!(format_basic(at(253_402_300_800)), None);
        assert!(is_basic("20261128T124752Z"));
        assert_eq!(parse_basic("20261128T124752Z"), Some(at(1_795_870_072)));
        assert_eq!(parse_basic("99991231T235959Z"), Some(at(253_402_300_799)));
        for bad in [
            "20260231T000000Z",
            "20261301T000000Z",
            "20261100T000000Z",
            "20261128T240000Z",
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

    #[test]
    fn imf_fixdates() {
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(at(784_111_777))
        );
        assert_eq!(
            parse_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(at(0))
        );
        assert_eq!(
            parse_imf_fixdate("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(at(253_402_300_799))
        );
        for bad in [
            "Sun, 06 Nov 400000000000 08:49:37 GMT",
            "Sun, 06 Nov 9999999999999 08:49:37 GMT",
            "Sun, 06 Nov 18446744073709551615 08:49:37 GMT",
            "Sun, 06 Nov 10000 08:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37:01 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
        ] {
            assert_eq!(parse_imf_fixdate(bad), None, "{bad}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn any_text_parses_without_panicking(text in any::<String>()) {
            let _ = parse_imf_fixdate(&text);
        }

        #[test]
        fn date_shaped_text_parses_without_panicking(
            day in any::<u64>(), year in any::<u64>(), h in any::<u64>(), m in 0u64..100, s in 0u64..100,
        ) {
            let text = format!("Sun, {day:02} Nov {year} {h:02}:{m:02}:{s:02} GMT");
            if let Some(t) = parse_imf_fixdate(&text) {
                // What parses is in range and prints back as the same instant.
                let basic = format_basic(t).expect("in range");
                prop_assert_eq!(&basic[..4], format!("{year:04}"));
            }
        }

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
        fn basic_format_round_trips_through_the_calendar(secs in 0u64..253_402_300_800) {
            let basic = format_basic(at(secs)).expect("in range");
            prop_assert!(is_basic(&basic));
            prop_assert_eq!(parse_basic(&basic), Some(at(secs)));
            let (y, mo, d) = (&basic[0..4], &basic[4..6], &basic[6..8]);
            let months = ["Jan","Feb","Mar","Apr","May","Jun","Jul","Aug","Sep","Oct","Nov","Dec"];
            let month = months[mo.parse::<usize>().unwrap() - 1];
            let imf = format!("Mon, {d} {month} {y} {}:{}:{} GMT", &basic[9..11], &basic[11..13], &basic[13..15]);
            prop_assert_eq!(parse_imf_fixdate(&imf), Some(at(secs)));
        }
    }
}
