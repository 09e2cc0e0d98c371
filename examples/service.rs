//! A service that calls Debitura through an HTTP stack of its own drives the
//! core's call machine: it sends, reads, waits and gets tokens; the machine
//! decides everything else. Here the "HTTP stack" is a script of answers, so
//! the example runs anywhere:
//!
//! ```sh
//! cargo run --example service
//! ```

use std::time::{Duration, Instant, SystemTime};

use debitura_triage::call::{Attempt, Call, Next, Reason, Request, RetryBudget};

/// How a call ended.
#[derive(Debug, PartialEq)]
enum Ended {
    /// Answered with this status.
    Answered(u16),
    /// Stopped by the machine: the rule, the reason, the URL to show a
    /// person and the server's delay to reschedule with.
    Stopped {
        rule: Option<&'static str>,
        reason: Reason,
        url: Option<String>,
        retry_after: Option<Duration>,
    },
}

/// One call of `method` to `url` for a tenant, sent by `send` (the service's
/// own HTTP stack: it gets the headers the machine adds and returns the
/// status and body).
fn call(
    budget: &RetryBudget,
    method: &str,
    url: &str,
    mut send: impl FnMut(&[(&str, String)]) -> (u16, Vec<u8>),
) -> Ended {
    let clock = Instant::now();
    let mut call = Call::start(Request::new(method, url).tenant(), budget, clock.elapsed());
    let mut headers = vec![("Authorization", "Bearer t-1".to_owned())];
    if let Some(key) = call.key_to_add() {
        headers.push(("Idempotency-Key", key.to_owned()));
    }
    loop {
        let (status, body) = send(&headers);
        if !Call::failed(status) {
            return Ended::Answered(status);
        }
        let failure = call.read(Attempt::answered(status, &body, SystemTime::now()));
        match call.next(&failure, clock.elapsed()) {
            Next::Resend { after, fresh_token } => {
                std::thread::sleep(after);
                if fresh_token {
                    headers[0].1 = "Bearer t-2".to_owned(); // a new token from the mint
                }
            }
            Next::Stop(reason) => {
                return Ended::Stopped {
                    rule: failure.diagnosis().rule_id().map(|r| r.as_str()),
                    reason,
                    url: failure
                        .response()
                        .and_then(|r| r.url())
                        .map(|u| u.to_string()),
                    retry_after: failure.retry_after(),
                }
            }
        }
    }
}

/// A scripted "HTTP stack": the answers in order, the last repeating.
fn script(answers: &[(u16, &'static str)]) -> impl FnMut(&[(&str, String)]) -> (u16, Vec<u8>) {
    let answers = answers.to_vec();
    let mut n = 0;
    move |_| {
        let (status, body) = answers[n.min(answers.len() - 1)];
        n += 1;
        (status, body.as_bytes().to_vec())
    }
}

const CASES: &str = "https://testcustomer-api.debitura.com/v1/cases";
const HANDOFF: &str = r#"{"businessErrors":[{"type":"MissingPowerOfAttorney","message":"sign"}],
    "signingHandoff":{"combinedSigningUrl":"https://example.org/sign-all"}}"#;
const HALF_AN_HOUR: &str = r#"{"error":"rate_limit_exceeded","retryAfter":1800}"#;

fn main() {
    let budget = RetryBudget::default();
    let runs: [(&str, &[(u16, &'static str)]); 3] = [
        ("a refused token, then created", &[(401, ""), (201, "{}")]),
        ("a contract to sign", &[(401, ""), (422, HANDOFF)]),
        ("rate limited for half an hour", &[(429, HALF_AN_HOUR)]),
    ];
    for (what, answers) in runs {
        println!(
            "{what}: {:?}",
            call(&budget, "POST", CASES, script(answers))
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_refreshes_once_stops_with_the_url_and_keeps_the_servers_delay() {
        let budget = RetryBudget::default();
        assert_eq!(
            call(&budget, "POST", CASES, script(&[(401, ""), (201, "{}")])),
            Ended::Answered(201)
        );
        assert_eq!(
            call(&budget, "POST", CASES, script(&[(401, ""), (422, HANDOFF)])),
            Ended::Stopped {
                rule: Some("missing-power-of-attorney"),
                reason: Reason::Policy,
                url: Some("https://example.org/sign-all".into()),
                retry_after: None,
            }
        );
        assert_eq!(
            call(&budget, "POST", CASES, script(&[(429, HALF_AN_HOUR)])),
            Ended::Stopped {
                rule: Some("rate-limited"),
                reason: Reason::WaitTooLong,
                url: None,
                retry_after: Some(Duration::from_secs(1800)),
            }
        );
    }
}
