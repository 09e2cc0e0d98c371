//! Unpredictable numbers for jitter and idempotency keys, from the
//! standard library's randomly keyed hasher: neither needs a
//! cryptographic generator, only values that differ between calls and
//! between processes.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::Backoff;

/// 64 random bits: each `RandomState` has its own keys.
fn bits() -> u64 {
    RandomState::new().build_hasher().finish()
}

/// `delay` spread at random by up to `percent` either way, at most `max`.
pub(super) fn jitter(delay: Duration, bounds: &Backoff) -> Duration {
    let spread = f64::from(bounds.jitter_percent.min(100)) / 100.0;
    // A uniform number in [-1, 1].
    let unit = (bits() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
    delay.mul_f64(1.0 + spread * unit).min(bounds.max_delay)
}

/// A new `Idempotency-Key`: a random (version 4) UUID.
pub fn idempotency_key() -> String {
    let (hi, lo) = (bits(), bits());
    let hi = (hi & !0xf000) | 0x4000; // version 4
    let lo = (lo & !(0b11 << 62)) | (0b10 << 62); // RFC 4122 variant
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleId;

    #[test]
    fn jitter_stays_within_its_spread_and_the_maximum() {
        let bounds = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
        let base = Duration::from_secs(10);
        let (low, high) = (base.mul_f64(0.9), base.mul_f64(1.1));
        let waits: Vec<Duration> = (0..200).map(|_| jitter(base, &bounds)).collect();
        assert!(waits.iter().all(|w| (low..=high).contains(w)), "{waits:?}");
        assert!(
            waits.iter().any(|w| *w != waits[0]),
            "jitter spreads the waits"
        );
        assert_eq!(
            jitter(bounds.max_delay, &bounds).max(bounds.max_delay),
            bounds.max_delay
        );
    }

    #[test]
    fn keys_are_version_4_uuids_and_differ() {
        let a = idempotency_key();
        let b = idempotency_key();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(groups[2].starts_with('4'), "{a}");
        assert!(
            matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
            "{a}"
        );
        assert!(a.bytes().all(|c| c == b'-' || c.is_ascii_hexdigit()));
    }
}
