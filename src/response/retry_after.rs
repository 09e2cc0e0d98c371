//! The `Retry-After` header: delay-seconds or an HTTP date (RFC 9110
//! §10.2.3). Older rate-limiting docs show it on a 429; the newer ones put
//! the delay in the body's `retryAfter` instead, so both are read.

use core::time::Duration;
use std::time::SystemTime;

/// The longest delay a server may ask for, in a body's `retryAfter` or a
/// `Retry-After` header; larger values are clamped, so a hostile answer
/// cannot park a client forever.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Longest header value looked at; a real one is at most 29 bytes.
const MAX_LEN: usize = 64;

/// The wait a `Retry-After` header value asks for, at most
/// [`MAX_RETRY_AFTER`]: its delay-seconds, or the time from `now` until its
/// HTTP date (zero for a date in the past). `now` is a parameter so the
/// answer depends on nothing but the arguments. `None` for a value that is
/// neither.
///
/// ```
/// use debitura_triage::parse_retry_after;
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
///
/// let now = UNIX_EPOCH + Duration::from_secs(784_111_717); // Sun, 06 Nov 1994 08:48:37 GMT
/// assert_eq!(parse_retry_after(b"42", now), Some(Duration::from_secs(42)));
/// assert_eq!(
///     parse_retry_after(b"Sun, 06 Nov 1994 08:49:37 GMT", now),
///     Some(Duration::from_secs(60))
/// );
/// assert_eq!(parse_retry_after(b"soon", now), None);
/// ```
#[must_use]
pub fn parse_retry_after(value: &[u8], now: SystemTime) -> Option<Duration> {
    if value.len() > MAX_LEN {
        return None;
    }
    let text = core::str::from_utf8(value).ok()?.trim_matches([' ', '\t']);
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        // Any run of digits is a valid delay; past the clamp its value no longer matters.
        let secs = text.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    let at = http_date(text)?;
    let now = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Some(Duration::from_secs(at.saturating_sub(now)).min(MAX_RETRY_AFTER))
}

/// Seconds since the Unix epoch of an HTTP date in any of its three forms:
/// `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT` and
/// `Sun Nov  6 08:49:37 1994`. The day comes before the year in all three.
fn http_date(text: &str) -> Option<u64> {
    let (mut day, mut month, mut year, mut time) = (None, None, None, None);
    for token in text.split([' ', ',', '-']).filter(|t| !t.is_empty()) {
        if token.contains(':') {
            time = Some(clock(token)?);
        } else if let Some(m) = month_number(token) {
            month = Some(m);
        } else if token.bytes().all(|b| b.is_ascii_digit()) && token.len() <= 4 {
            let n: u64 = token.parse().ok()?;
            match (day, token.len()) {
                (None, 1 | 2) => day = Some(n),
                (Some(_), 2) => year = Some(if n < 70 { 2000 + n } else { 1900 + n }),
                (Some(_), 4) => year = Some(n),
                _ => return None,
            }
        } else if !is_weekday(token) && token != "GMT" {
            return None;
        }
    }
    let (day, month, year, secs) = (day?, month?, year?, time?);
    if !(1..=days_in_month(year, month)).contains(&day) || year < 1970 {
        return None;
    }
    Some(days_since_epoch(year, month, day) * 86_400 + secs)
}

fn clock(token: &str) -> Option<u64> {
    let mut parts = token.split(':');
    let mut next = |max: u64| {
        let p = parts.next()?;
        let n: u64 = (p.len() == 2).then(|| p.parse().ok()).flatten()?;
        (n <= max).then_some(n)
    };
    let (h, m, s) = (next(23)?, next(59)?, next(60)?);
    parts.next().is_none().then_some(h * 3600 + m * 60 + s)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_number(token: &str) -> Option<u64> {
    MONTHS
        .iter()
        .position(|m| *m == token)
        .map(|i| i as u64 + 1)
}

fn is_weekday(token: &str) -> bool {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const LONG: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    DAYS.contains(&token) || LONG.contains(&token)
}

fn is_leap(year: u64) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (a valid one, 1970 or later).
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let years = (1970..year)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum::<u64>();
    let months = (1..month).map(|m| days_in_month(year, m)).sum::<u64>();
    years + months + day - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    const NOW: u64 = 784_111_717; // Sun, 06 Nov 1994 08:48:37 GMT

    fn wait(value: &str) -> Option<u64> {
        parse_retry_after(value.as_bytes(), UNIX_EPOCH + Duration::from_secs(NOW))
            .map(|d| d.as_secs())
    }

    #[test]
    fn the_three_date_forms_name_the_same_instant() {
        assert_eq!(wait("Sun, 06 Nov 1994 08:49:37 GMT"), Some(60));
        assert_eq!(wait("Sunday, 06-Nov-94 08:49:37 GMT"), Some(60));
        assert_eq!(wait("Sun Nov  6 08:49:37 1994"), Some(60));
    }

    #[test]
    fn dates_convert_across_leap_years_and_month_ends() {
        assert_eq!(http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            http_date("Tue, 29 Feb 2000 00:00:00 GMT"),
            Some(951_782_400)
        );
        assert_eq!(
            http_date("Thu, 31 Dec 2026 23:59:59 GMT"),
            Some(1_798_761_599)
        );
        assert_eq!(
            http_date("Mon, 01 Mar 2100 12:00:00 GMT"),
            Some(4_107_585_600)
        );
        assert_eq!(
            http_date("Fri, 29 Feb 2100 00:00:00 GMT"),
            None,
            "2100 is no leap year"
        );
        assert_eq!(http_date("Fri, 31 Apr 2026 00:00:00 GMT"), None);
    }

    #[test]
    fn seconds_are_clamped_and_past_dates_wait_nothing() {
        assert_eq!(wait(" 7 "), Some(7));
        assert_eq!(wait("0"), Some(0));
        assert_eq!(
            wait("99999999999999999999999"),
            Some(MAX_RETRY_AFTER.as_secs())
        );
        assert_eq!(wait("Sun, 06 Nov 1994 08:00:00 GMT"), Some(0));
        assert_eq!(
            wait("Fri, 01 Jan 2100 00:00:00 GMT"),
            Some(MAX_RETRY_AFTER.as_secs())
        );
    }

    #[test]
    fn anything_else_is_no_hint() {
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 00 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 CET",
            "Sun, 06 Nov 12345 08:49:37 GMT",
            "Sun, 06 Nov 1969 08:49:37 GMT",
            "Sun, 06 Nov 08:49:37 GMT",
        ] {
            assert_eq!(wait(bad), None, "{bad:?}");
        }
        assert_eq!(parse_retry_after(&[b'1'; 65], UNIX_EPOCH), None);
        assert_eq!(parse_retry_after(b"\xff", UNIX_EPOCH), None);
    }
}
