//! `conformance/calls.json`: scripted calls every driver of the call
//! machine must carry out the same way. Each scenario says what the request
//! is, what a fake Debitura answers to each request it receives (and to each
//! token mint), and what must be observed: requests received, mints, the
//! `Idempotency-Key` on every copy, the least time spent waiting, and how
//! the call ended. Every number that comes from a rule (attempts, waits,
//! jitter) is read from the catalog this program was built with.

use std::time::Duration;

use debitura_triage::{diagnose, Credential, Query, RuleId};
use serde_json::{json, Value};

/// The body of a token mint's success.
const TOKEN: &str = r#"{"accessToken":"t-1","expiresIn":1800}"#;

/// The tenant the scenarios' Customer API calls act for.
const TENANT: &str = "acme-42";

/// A documented failure body as one line of JSON text.
fn body(value: Value) -> String {
    value.to_string()
}

/// A response to script.
fn answer(status: u16, headers: Value, body: &str) -> Value {
    json!({ "status": status, "headers": headers, "body": body })
}

fn status(status: u16) -> Value {
    answer(status, json!({}), "")
}

fn created() -> Value {
    answer(
        201,
        json!({ "content-type": "application/json" }),
        r#"{"id":"c-1"}"#,
    )
}

fn ok() -> Value {
    answer(
        200,
        json!({ "content-type": "application/json" }),
        r#"{"id":"c-1"}"#,
    )
}

/// A connection event instead of a response: `refused` (nothing listens:
/// the request never left), `closed` (the request was read whole, then the
/// connection closed without an answer).
fn connection(kind: &str) -> Value {
    json!({ "connection": kind })
}

/// The least wait before resend `n` of `id`'s bounds: its delay less the
/// jitter, or the server's delay when the rule honours it and it is longer.
fn least_wait(id: RuleId, n: u32, server: Option<Duration>) -> Duration {
    let Some(b) = id.rule().backoff else {
        return Duration::ZERO;
    };
    let delay = b.delay(n).unwrap_or_default();
    let low = delay.mul_f64(1.0 - f64::from(b.jitter_percent.min(100)) / 100.0);
    match server.filter(|_| b.honour_retry_after) {
        Some(hint) => low.max(hint),
        None => low,
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A call that ends with the answer of this status.
fn succeeded(status: u16) -> Value {
    json!({ "status": status })
}

/// A call that stops with this rule and reason.
fn stopped(rule: RuleId, reason: &str) -> Value {
    json!({
        "stopped": {
            "rule": rule.as_str(),
            "retry": rule.rule().retry.as_str(),
            "reason": reason,
        }
    })
}

/// [`stopped`] with more of what the typed error carries.
fn stopped_with(rule: RuleId, reason: &str, more: Value) -> Value {
    let mut out = stopped(rule, reason);
    if let (Some(map), Value::Object(extra)) = (out["stopped"].as_object_mut(), more) {
        map.extend(extra);
    }
    out
}

/// How a 503 to a POST of unknown operation, without a key, stops: the
/// core's answer, whose rules disagree, so it names none.
fn unknown_write_503() -> Value {
    let d = diagnose(
        &Query::new()
            .status(503)
            .method("POST")
            .credential(Credential::Bearer)
            .idempotency_key(false),
    );
    json!({
        "stopped": {
            "rule": d.rule_id().map(RuleId::as_str),
            "retry": d.retry().as_str(),
            "reason": "policy",
        }
    })
}

struct Scenario {
    name: &'static str,
    says: &'static str,
    request: Value,
    answers: Vec<Value>,
    mint: Vec<Value>,
    options: Value,
    expect: Value,
}

fn request(method: &str, path: &str, extra: Value) -> Value {
    let mut r =
        json!({ "method": method, "path": path, "body": "{\"creditorReference\":\"INV-1\"}" });
    if let (Some(map), Value::Object(extra)) = (r.as_object_mut(), extra) {
        map.extend(extra);
    }
    r
}

fn expect(requests: u32, mints: u32, key: &str, least_wait: Duration, outcome: Value) -> Value {
    json!({
        "requests": requests,
        "mints": mints,
        "key": key,
        "least_wait_ms": ms(least_wait),
        "outcome": outcome,
    })
}

fn scenarios() -> Vec<Scenario> {
    let none = json!({});
    let tenant = json!({ "tenant": TENANT });
    let api_key = json!({ "headers": { "XApiKey": "test-key" } });
    let rate_limited = |after: u64| {
        answer(
            429,
            json!({ "content-type": "application/json" }),
            &body(
                json!({ "error": "rate_limit_exceeded", "message": "Too many requests.", "retryAfter": after }),
            ),
        )
    };
    let handoff = body(json!({
        "businessErrors": [
            { "type": "MissingPowerOfAttorney", "message": "A power of attorney is missing.",
              "solutionUrl": "https://app.debitura.com/poa" }
        ],
        "signingHandoff": { "combinedSigningUrl": "https://app.debitura.com/sign?returnUrl=x" }
    }));
    let conflict = body(json!({
        "type": "ClientExistsNeedsLinking",
        "message": "Client already exists in Debitura. Approval required to link to referral partner.",
        "data": {
            "externalTenantId": TENANT,
            "onboardingLinks": { "url": "https://app.debitura.com/ReferralPartner/Approve?token=abc" },
            "isAttributedClient": false
        }
    }));
    let link_gone = body(
        json!({ "error": "Client link not found", "message": "Client link not found", "businessErrors": [] }),
    );
    let attempts = RuleId::UpstreamUnavailable
        .rule()
        .backoff
        .map_or(1, |b| b.attempts);
    let json_type = json!({ "content-type": "application/json" });
    let unavailable = |n: u32| {
        (1..n).fold(Duration::ZERO, |sum, k| {
            sum + least_wait(RuleId::UpstreamUnavailable, k, None)
        })
    };

    vec![
        Scenario {
            name: "token-refused-then-created",
            says: "the tenant's token (one mint) is refused; one more mint, and the resend with \
                   the same key is created",
            request: request("POST", "/v1/cases", tenant.clone()),
            answers: vec![status(401), created()],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(2, 2, "added", Duration::ZERO, succeeded(201)),
        },
        Scenario {
            name: "token-refused-twice",
            says: "a second 401 after a fresh token is the client link, never retried",
            request: request("POST", "/v1/cases", tenant.clone()),
            answers: vec![status(401)],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(
                2,
                2,
                "added",
                Duration::ZERO,
                stopped(RuleId::ClientLinkInvalid, "policy"),
            ),
        },
        Scenario {
            name: "rate-limited-briefly",
            says: "a 429 asking for 1 s is resent once, no sooner than the rule's wait",
            request: request("GET", "/v1/cases/c-1", api_key.clone()),
            answers: vec![rate_limited(1), ok()],
            mint: vec![],
            options: none.clone(),
            expect: expect(
                2,
                0,
                "none",
                least_wait(RuleId::RateLimited, 1, Some(Duration::from_secs(1))),
                succeeded(200),
            ),
        },
        Scenario {
            name: "rate-limited-for-half-an-hour",
            says: "a 429 asking for 1800 s is longer than the rule's longest wait: no resend, and \
                   the server's delay is kept to reschedule",
            request: request("GET", "/v1/cases/c-1", api_key.clone()),
            answers: vec![rate_limited(1800)],
            mint: vec![],
            options: none.clone(),
            expect: expect(
                1,
                0,
                "none",
                Duration::ZERO,
                stopped_with(
                    RuleId::RateLimited,
                    "wait-too-long",
                    json!({ "retry_after_secs": 1800.0 }),
                ),
            ),
        },
        Scenario {
            name: "unavailable-case-with-the-callers-key",
            says: "a 503 to POST /cases carrying the caller's key is resent with that key",
            request: request(
                "POST",
                "/v1/cases",
                json!({ "tenant": TENANT, "headers": { "Idempotency-Key": "k-caller-1" } }),
            ),
            answers: vec![status(503), created()],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(2, 1, "k-caller-1", unavailable(2), succeeded(201)),
        },
        Scenario {
            name: "unavailable-case-key-added",
            says: "a 503 to POST /cases without a key: the driver adds one, and the resend \
                   carries it",
            request: request("POST", "/v1/cases", tenant.clone()),
            answers: vec![status(503), created()],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(2, 1, "added", unavailable(2), succeeded(201)),
        },
        Scenario {
            name: "unavailable-case-behind-an-unknown-route",
            says: "POST /cases behind a path the core does not know: no key can be added, and a \
                   POST of unknown operation may not be safe to send twice, so the rules that \
                   fit a 503 disagree and the most cautious stops it; one request",
            request: request("POST", "/gateway/debitura/v1/cases", tenant.clone()),
            answers: vec![status(503)],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(1, 1, "none", Duration::ZERO, unknown_write_503()),
        },
        Scenario {
            name: "unavailable-webhook-subscription",
            says: "POST /webhooks takes no key: a 503 may have created the subscription; one \
                   request, outcome unknown",
            request: request("POST", "/v1/webhooks", tenant.clone()),
            answers: vec![status(503)],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(
                1,
                1,
                "none",
                Duration::ZERO,
                stopped(RuleId::OutcomeUnknownServerError, "policy"),
            ),
        },
        Scenario {
            name: "refused-then-created",
            says: "a refused connection never sent the request: it is sent again, even a write \
                   without a key",
            request: request("POST", "/v1/webhooks", tenant.clone()),
            answers: vec![connection("refused"), created()],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(
                1,
                1,
                "none",
                least_wait(RuleId::RequestNotSent, 1, None),
                succeeded(201),
            ),
        },
        Scenario {
            name: "closed-after-sending-a-webhook-subscription",
            says: "a connection closed after POST /webhooks was sent: it may have acted, so it is \
                   not sent again",
            request: request("POST", "/v1/webhooks", tenant.clone()),
            answers: vec![connection("closed")],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(
                1,
                1,
                "none",
                Duration::ZERO,
                stopped(RuleId::NoResponseOutcomeUnknown, "policy"),
            ),
        },
        Scenario {
            name: "missing-power-of-attorney",
            says: "a 422 the user must sign for stops with the combined signing URL to show",
            request: request("POST", "/v1/cases", tenant.clone()),
            answers: vec![answer(422, json_type.clone(), &handoff)],
            mint: vec![answer(200, json_type.clone(), TOKEN)],
            options: none.clone(),
            expect: expect(
                1,
                1,
                "added",
                Duration::ZERO,
                stopped_with(
                    RuleId::MissingPowerOfAttorney,
                    "policy",
                    json!({ "url": "https://app.debitura.com/sign?returnUrl=x" }),
                ),
            ),
        },
        Scenario {
            name: "client-needs-linking",
            says: "a 409 on POST /clients stops with the approval URL to show",
            request: request("POST", "/v1/clients", api_key.clone()),
            answers: vec![answer(409, json_type.clone(), &conflict)],
            mint: vec![],
            options: none.clone(),
            expect: expect(
                1,
                0,
                "none",
                Duration::ZERO,
                stopped_with(
                    RuleId::ClientExistsNeedsLinking,
                    "policy",
                    json!({ "url": "https://app.debitura.com/ReferralPartner/Approve?token=abc" }),
                ),
            ),
        },
        Scenario {
            name: "mint-not-found",
            says: "a mint answered 404 (no active client link): nothing is sent, and the call \
                   stops with token unavailable, carrying the mint's answer",
            request: request("GET", "/v1/cases/c-1", tenant.clone()),
            answers: vec![ok()],
            mint: vec![answer(404, json_type.clone(), &link_gone)],
            options: none.clone(),
            expect: expect(
                0,
                1,
                "none",
                Duration::ZERO,
                stopped(RuleId::TokenMintingNotFound, "token-unavailable"),
            ),
        },
        Scenario {
            name: "deadline-shorter-than-the-servers-delay",
            says: "a 429 asking for 5 s, with 2 s left: the call stops at once with its deadline, \
                   keeping the server's delay",
            request: request("GET", "/v1/cases/c-1", api_key.clone()),
            answers: vec![rate_limited(5)],
            mint: vec![],
            options: json!({ "deadline_ms": 2000 }),
            expect: expect(
                1,
                0,
                "none",
                Duration::ZERO,
                stopped_with(
                    RuleId::RateLimited,
                    "deadline",
                    json!({ "retry_after_secs": 5.0 }),
                ),
            ),
        },
        Scenario {
            name: "unavailable-body-stalls-past-the-deadline",
            says: "a 503 whose body stops part way and never ends: read until the call's \
                   deadline, then stopped there, with what came diagnosed",
            request: request("GET", "/v1/cases/c-1", api_key.clone()),
            answers: vec![json!({
                "status": 503,
                "headers": { "content-type": "application/json" },
                "body": "{\"error\":\"unavail",
                "stall": true,
            })],
            mint: vec![],
            options: json!({ "deadline_ms": 1500 }),
            expect: expect(
                1,
                0,
                "none",
                Duration::ZERO,
                stopped(RuleId::UpstreamUnavailable, "deadline"),
            ),
        },
        Scenario {
            name: "unavailable-read-until-the-bounds",
            says: "a read answered 503 every time is sent as often as the rule's bounds allow",
            request: request("GET", "/v1/cases/c-1", api_key.clone()),
            answers: vec![status(503)],
            mint: vec![],
            options: none.clone(),
            expect: expect(
                attempts,
                0,
                "none",
                unavailable(attempts),
                stopped(RuleId::UpstreamUnavailable, "attempts-used-up"),
            ),
        },
        Scenario {
            name: "budget-under-load",
            says: "200 concurrent reads against a host that answers 503: resends are at most the \
                   budget's share (a reserve of 1 a second over 10 s, plus 20 % of 200)",
            request: request("GET", "/v1/cases/c-1", api_key),
            answers: vec![status(503)],
            mint: vec![],
            options: json!({
                "calls": 200,
                "budget": { "ratio": 0.2, "reserve_per_second": 1, "window_secs": 10 }
            }),
            expect: json!({
                "requests_at_least": 201,
                "requests_at_most": 200 + 10 + 40,
                "mints": 0,
                "key": "none",
                "least_wait_ms": 0,
                "outcomes": [
                    stopped(RuleId::UpstreamUnavailable, "budget-spent"),
                    stopped(RuleId::UpstreamUnavailable, "attempts-used-up"),
                ],
                "some": stopped(RuleId::UpstreamUnavailable, "budget-spent"),
            }),
        },
    ]
}

/// The file: a header, then one scenario per line.
pub fn file() -> Vec<Value> {
    scenarios()
        .into_iter()
        .map(|s| {
            json!({
                "name": s.name,
                "says": s.says.split_whitespace().collect::<Vec<_>>().join(" "),
                "request": s.request,
                "answers": s.answers,
                "mint": s.mint,
                "options": s.options,
                "expect": s.expect,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use debitura_triage::Retry;

    #[test]
    fn the_scenarios_rules_have_the_policies_the_scenarios_rely_on() {
        assert_eq!(RuleId::RateLimited.rule().retry, Retry::Backoff);
        assert_eq!(RuleId::RequestNotSent.rule().retry, Retry::Backoff);
        assert_eq!(RuleId::UpstreamUnavailable.rule().retry, Retry::Backoff);
        assert!(
            RuleId::RateLimited
                .rule()
                .backoff
                .unwrap()
                .honour_retry_after
        );
        assert!(RuleId::RateLimited.rule().backoff.unwrap().max_delay < Duration::from_secs(1800));
    }

    #[test]
    fn names_are_distinct_and_every_scenario_expects_an_outcome() {
        let all = file();
        let mut names: Vec<&str> = all.iter().filter_map(|s| s["name"].as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        assert!(all
            .iter()
            .all(|s| !s["expect"]["outcome"].is_null() || !s["expect"]["outcomes"].is_null()));
    }
}
