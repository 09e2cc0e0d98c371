//! The `call` target.

use std::time::{Duration, SystemTime};

use debitura_triage::call::{Attempt, Call, Next, Request, RetryBudget};
use debitura_triage::MAX_RETRY_AFTER;

/// The input, split at `0xff` bytes: a method, a URL, an `Authorization`
/// value, then what came of each send (its first byte picks not sent, no
/// answer or an answer, the next two the status, one more whether the body
/// is whole, and the rest the body, a `Retry-After` after a `0xfe`). The
/// machine never panics, sends one key on every copy, refreshes a token at
/// most once, never waits longer than the longest delay a rule allows, and
/// stops within its attempts.
pub fn call_bytes(data: &[u8]) {
    let mut parts = data.split(|b| *b == 0xff);
    let method = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let url = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let auth = parts.next().unwrap_or_default();
    let budget = RetryBudget::default();
    let mut request = Request::new(&method, &url).header("Authorization", auth);
    if auth.first().is_some_and(|b| b % 2 == 0) {
        request = request.tenant();
    }
    let mut now = Duration::ZERO;
    let mut call = Call::start(
        request.deadline(Some(Duration::from_secs(600))),
        &budget,
        now,
    );
    let key = call.key_to_add().map(str::to_owned);
    let mut refreshes = 0;
    for (n, part) in parts.enumerate() {
        let (attempt_body, retry_after) = match part.iter().position(|b| *b == 0xfe) {
            Some(i) => (&part[..i], Some(&part[i + 1..])),
            None => (part, None),
        };
        let attempt = match attempt_body {
            [0, ..] => Attempt::NotSent,
            [1, ..] => Attempt::NoAnswer,
            [_, a, b, whole, body @ ..] => {
                let status = 400 + u16::from_le_bytes([*a, *b]) % 600;
                let mut at = Attempt::answered(status, body, SystemTime::UNIX_EPOCH);
                if let Some(value) = retry_after {
                    at = at.retry_after(value);
                }
                if whole % 2 == 1 {
                    at = at.partial();
                }
                at
            }
            _ => Attempt::NoAnswer,
        };
        let failure = call.read(attempt);
        match call.next(&failure, now) {
            Next::Resend { after, fresh_token } => {
                assert!(after <= MAX_RETRY_AFTER, "waits {after:?}");
                refreshes += u32::from(fresh_token);
                assert!(refreshes <= 1, "a second token refresh");
                now += after;
            }
            Next::Stop(_) => return,
        }
        assert_eq!(call.key_to_add().map(str::to_owned), key);
        assert!(call.attempts() as usize == n + 1);
        assert!(call.attempts() < 64, "never stops");
    }
}
