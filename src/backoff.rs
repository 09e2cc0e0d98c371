//! The limits of automatic retries, as the rules set them.

use core::time::Duration;

/// The limits of automatic retries with exponential backoff.
///
/// The first send counts as an attempt. Before resend `n` (1, 2, …) a
/// service waits `base_delay × 2^(n-1)`, at most `max_delay`
/// ([`Backoff::delay`]), spread at random by up to `jitter_percent` either
/// way. When `honour_retry_after` is set, the server's delay hint (the 429
/// body's `retryAfter`, or a `Retry-After` header) is the least wait; a hint
/// longer than `max_delay` means giving up for now rather than holding the
/// request that long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Backoff {
    /// Sends in all, the first one included.
    pub attempts: u32,
    /// The wait before the first resend.
    pub base_delay: Duration,
    /// No wait is longer.
    pub max_delay: Duration,
    /// How far, in percent, each wait may be spread at random either way.
    pub jitter_percent: u8,
    /// Whether the server's delay hint is the least wait.
    pub honour_retry_after: bool,
}

impl Backoff {
    /// The wait before resend `resend` (1 for the first), before jitter:
    /// `base_delay` doubled for each resend after the first, at most
    /// `max_delay`. `None` once the attempts are used up (and for 0).
    ///
    /// ```
    /// use debitura_triage::{Retry, RuleId};
    /// use std::time::Duration;
    ///
    /// let b = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
    /// assert_eq!(b.delay(1), Some(b.base_delay));
    /// assert_eq!(b.delay(2), Some((b.base_delay * 2).min(b.max_delay)));
    /// assert_eq!(b.delay(b.attempts), None);
    /// ```
    #[must_use]
    pub fn delay(&self, resend: u32) -> Option<Duration> {
        if resend == 0 || resend >= self.attempts {
            return None;
        }
        let factor = 1u32.checked_shl(resend - 1).unwrap_or(u32::MAX);
        Some(
            self.base_delay
                .checked_mul(factor)
                .map_or(self.max_delay, |d| d.min(self.max_delay)),
        )
    }
}

/// The bounds in one line, as the docs and `explain` show them.
///
/// ```
/// use debitura_triage::RuleId;
///
/// let b = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
/// assert!(b.to_string().starts_with("3 attempts in all"));
/// ```
impl core::fmt::Display for Backoff {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} attempts in all; waits {}, doubling each time, at most {}, spread by ±{} %",
            self.attempts,
            Seconds(self.base_delay),
            Seconds(self.max_delay),
            self.jitter_percent
        )?;
        if self.honour_retry_after {
            f.write_str("; never less than the server's retryAfter")?;
        }
        Ok(())
    }
}

/// A duration in seconds, or milliseconds below one second.
struct Seconds(Duration);

impl core::fmt::Display for Seconds {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let ms = self.0.as_millis();
        if ms.is_multiple_of(1000) {
            write!(f, "{} s", ms / 1000)
        } else {
            write!(f, "{ms} ms")
        }
    }
}

/// `attempts`, `base_delay_ms`, `max_delay_ms`, `jitter_percent` and
/// `honour_retry_after`, as in `rules/vocabulary.yaml`.
#[cfg(feature = "serde")]
impl serde::Serialize for Backoff {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("attempts", &self.attempts)?;
        map.serialize_entry("base_delay_ms", &millis(self.base_delay))?;
        map.serialize_entry("max_delay_ms", &millis(self.max_delay))?;
        map.serialize_entry("jitter_percent", &self.jitter_percent)?;
        map.serialize_entry("honour_retry_after", &self.honour_retry_after)?;
        map.end()
    }
}
