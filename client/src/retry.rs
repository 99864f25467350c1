//! When a failed attempt is tried again, and after how long.
//!
//! Exporting changes nothing on the server, so an attempt that failed for a
//! passing reason may be repeated. Retried: connection failures (nothing was
//! sent), 429 (throttled), 502, 503 and 504 (a gateway or an overloaded
//! backend). Not retried: any other 4xx (the request itself is wrong or not
//! allowed: 400, 401, 403, 404), 500 (the service failed on this request and
//! the official SDK does not retry it either; repeating it mostly adds load),
//! and a time limit that ran out while waiting for the answer (the service
//! may still be building the file; a second request would build it twice).
//! Once the body of a 200 has started streaming, nothing is retried: a broken
//! stream is an error to the caller.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How failed attempts are retried. `RetryPolicy::default()` is on;
/// [`RetryPolicy::none`] switches retries off. Which failures are retried
/// is fixed ([`is_retryable_status`](crate::is_retryable_status), and only
/// for operations safe to repeat); this says how often and how long.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
///
/// use secmaster_client::{Credentials, RetryPolicy, SecMasterClient};
///
/// # fn main() -> Result<(), secmaster_client::Error> {
/// let patient = RetryPolicy::default()
///     .max_attempts(6)
///     .deadline(Duration::from_secs(300));
/// let client = SecMasterClient::builder()
///     .region("cn-north-4")?
///     .credentials(Credentials::token("<IAM token>")?)
///     .retry(patient) // or RetryPolicy::none()
///     .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 = no retries). Default 4.
    pub max_attempts: u32,
    /// Wait before the first retry; doubles with each further one. Default 200 ms.
    pub initial_backoff: Duration,
    /// Ceiling of the doubling wait. Default 10 s.
    pub max_backoff: Duration,
    /// Ceiling of a server's `Retry-After`; a longer one is cut to this. Default 30 s.
    pub max_retry_after: Duration,
    /// No retry starts later than this after the first attempt began. Default 2 min.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Sets [`RetryPolicy::max_attempts`].
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }
    /// Sets [`RetryPolicy::initial_backoff`].
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }
    /// Sets [`RetryPolicy::max_backoff`].
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }
    /// Sets [`RetryPolicy::max_retry_after`].
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }
    /// Sets [`RetryPolicy::deadline`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// One attempt, no retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry):
    /// exponential back-off with "equal jitter" (half the step fixed, half
    /// random, so that many clients do not retry in step), or the server's
    /// `Retry-After` (capped at `max_retry_after`) when that is longer. A
    /// server hint never makes the wait shorter than the policy's own: a
    /// throttling server that says `Retry-After: 0` still gets back-off.
    /// `random` is in `[0, 1)`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, random: f64) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let step = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let backoff = step / 2 + step.mul_f64(random.clamp(0.0, 1.0) / 2.0);
        match retry_after {
            Some(wait) => wait.min(self.max_retry_after).max(backoff),
            None => backoff,
        }
    }
}

/// Whether a response with this status is worth another attempt.
pub fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Reads `Retry-After`: delay-seconds or an HTTP date, relative to `now`.
/// Dates are read in all three forms RFC 9110 (5.6.7) tells recipients to
/// accept: IMF-fixdate, and the obsolete RFC 850 and asctime forms. A date
/// in the past means "no wait of its own"; a number too large for a `u64`
/// is the longest wait (the policy caps it, as RFC 9111 1.2.2 says to treat
/// an overflowing delta-seconds); anything unreadable, including dates past
/// 9999, is ignored. Never panics, whatever the header holds.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A random number in `[0, 1)` for jitter; not for anything secret.
pub(crate) fn jitter() -> f64 {
    use std::hash::{BuildHasher, RandomState};
    let bits = RandomState::new().hash_one(SystemTime::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retryable_statuses() {
        for s in [429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [200, 400, 401, 403, 404, 409, 413, 500, 501] {
            assert!(
                !is_retryable_status(StatusCode::from_u16(s).unwrap()),
                "{s}"
            );
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1, None, 0.0), Duration::from_millis(100));
        let near_top = p.delay(1, None, 0.999_999);
        assert!(near_top > Duration::from_micros(199_990) && near_top < Duration::from_millis(200));
        assert_eq!(p.delay(2, None, 0.0), Duration::from_millis(200));
        assert_eq!(p.delay(3, None, 0.5), Duration::from_millis(600));
        assert_eq!(p.delay(30, None, 0.0), Duration::from_secs(5));
        assert_eq!(p.delay(u32::MAX, None, 1.0), Duration::from_secs(10));
    }

    #[test]
    fn retry_after_lengthens_the_wait_but_never_shortens_it() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3)), 0.7),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3600)), 0.7),
            Duration::from_secs(30)
        );
        // `Retry-After: 0` or a past date: the policy's back-off still applies.
        assert_eq!(
            p.delay(1, Some(Duration::ZERO), 0.0),
            Duration::from_millis(100)
        );
        assert_eq!(
            p.delay(3, Some(Duration::ZERO), 0.0),
            Duration::from_millis(400)
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            retry_after(&headers("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(retry_after(&headers(" 0 "), now), Some(Duration::ZERO));
        assert_eq!(
            retry_after(&headers("Sun, 06 Nov 1994 08:49:42 GMT"), now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            retry_after(&headers("Sun, 06 Nov 1994 08:49:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(
                &headers("Thu, 01 Jan 1970 00:00:00 GMT"),
                SystemTime::UNIX_EPOCH
            ),
            Some(Duration::ZERO)
        );
        for bad in [
            "-1",
            "+5",
            "Sun, 06 Nov 400000000000 08:49:37 GMT",
            "Sun, 06 Nov 9999999999999 08:49:37 GMT",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "1.5",
        ] {
            assert_eq!(retry_after(&headers(bad), now), None, "{bad}");
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
        // Too large for 64 bits: the longest wait, which the policy caps.
        assert_eq!(
            retry_after(&headers("99999999999999999999999"), now),
            Some(Duration::MAX)
        );
        assert_eq!(
            RetryPolicy::default().delay(1, Some(Duration::MAX), 0.0),
            Duration::from_secs(30)
        );
    }

    /// RFC 9110 5.6.7's example instant in its three forms, five seconds on.
    #[test]
    fn retry_after_obsolete_date_forms_are_honoured() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        for form in [
            "Sun, 06 Nov 1994 08:49:42 GMT",
            "Sunday, 06-Nov-94 08:49:42 GMT",
            "Sun Nov  6 08:49:42 1994",
        ] {
            assert_eq!(
                retry_after(&headers(form), now),
                Some(Duration::from_secs(5)),
                "{form}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Any header value: no panic, and the wait that results is within
        /// the policy's bounds (at least the back-off, at most the caps).
        #[test]
        fn any_retry_after_gives_a_bounded_wait(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..48),
            now in 0u64..300_000_000_000,
            retry in 1u32..12,
        ) {
            let Ok(value) = HeaderValue::from_bytes(&bytes) else { return Ok(()) };
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, value);
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now);
            let hint = retry_after(&h, now);
            let p = RetryPolicy::default();
            let wait = p.delay(retry, hint, 0.0);
            proptest::prop_assert!(wait >= p.delay(retry, None, 0.0));
            proptest::prop_assert!(wait <= p.max_backoff.max(p.max_retry_after));
        }
    }

    /// An instant's three HTTP-date forms, made from the IMF-fixdate that
    /// `httpdate` writes: `(imf, rfc850, asctime)`.
    fn three_forms(at: SystemTime) -> (String, String, String) {
        let imf = httpdate::fmt_http_date(at); // "Sun, 06 Nov 1994 08:49:37 GMT"
        let day_name = match &imf[..3] {
            "Mon" => "Monday",
            "Tue" => "Tuesday",
            "Wed" => "Wednesday",
            "Thu" => "Thursday",
            "Fri" => "Friday",
            "Sat" => "Saturday",
            _ => "Sunday",
        };
        let (dd, mon, year, time) = (&imf[5..7], &imf[8..11], &imf[12..16], &imf[17..25]);
        let rfc850 = format!("{day_name}, {dd}-{mon}-{} {time} GMT", &year[2..]);
        let asctime = format!(
            "{} {mon} {:>2} {time} {year}",
            &imf[..3],
            dd.trim_start_matches('0')
        );
        (imf, rfc850, asctime)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Every form of any date (1970 to 2069, the years RFC 850's two
        /// digits can name) gives the wait to that date.
        #[test]
        fn every_http_date_form_gives_the_wait_to_it(
            now in 0u64..3_155_760_000,
            ahead in 0u64..100_000,
        ) {
            let now = SystemTime::UNIX_EPOCH + Duration::from_secs(now);
            let at = now + Duration::from_secs(ahead);
            let (imf, rfc850, asctime) = three_forms(at);
            if at < SystemTime::UNIX_EPOCH + Duration::from_secs(3_155_760_000) {
                for form in [&imf, &rfc850, &asctime] {
                    proptest::prop_assert_eq!(
                        retry_after(&headers(form), now),
                        Some(Duration::from_secs(ahead)),
                        "{}", form
                    );
                }
            }
        }
    }

    #[test]
    fn jitter_is_in_range() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}
