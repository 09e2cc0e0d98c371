use super::*;
use crate::{Retry, RuleId};

const CASES: &str = "https://testcustomer-api.debitura.com/v1/cases";
const WEBHOOKS: &str = "https://testcustomer-api.debitura.com/v1/webhooks";
const T0: Duration = Duration::ZERO;

fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH
}

fn start(request: Request<'_>) -> Call {
    Call::start(request, &RetryBudget::default(), T0)
}

fn rate_limited(retry_after: u64) -> String {
    format!(
        r#"{{"error":"rate_limit_exceeded","message":"Too many requests.","retryAfter":{retry_after}}}"#
    )
}

#[test]
fn a_server_delay_up_to_the_longest_wait_is_waited_and_a_longer_one_stops_keeping_it() {
    let bounds = RuleId::RateLimited.rule().backoff.unwrap();
    let longest = bounds.max_delay.as_secs();
    let mut call = start(Request::new("POST", CASES));
    let body = rate_limited(longest);
    let failure = call.read(Attempt::answered(429, body.as_bytes(), at()));
    assert_eq!(
        call.next(&failure, T0),
        Next::Resend {
            after: bounds.max_delay,
            fresh_token: false
        }
    );
    let body = rate_limited(1800);
    let failure = call.read(Attempt::answered(429, body.as_bytes(), at()));
    assert_eq!(call.next(&failure, T0), Next::Stop(Reason::WaitTooLong));
    assert_eq!(failure.retry_after(), Some(Duration::from_secs(1800)));
}

#[test]
fn a_failure_keeps_the_response_and_whether_all_of_it_came() {
    let call = start(Request::new("POST", CASES));
    let body = br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","solutionUrl":"https://x.example/poa"}]}"#;
    let whole = call.read(Attempt::answered(422, body, at()));
    assert!(whole.complete());
    let url = whole
        .response()
        .and_then(|r| r.url())
        .map(|u| u.to_string());
    assert_eq!(url.as_deref(), Some("https://x.example/poa"));
    let cut = call.read(Attempt::answered(422, body, at()).partial());
    assert!(!cut.complete() && cut.response().is_some());
    let lost = call.read(Attempt::NoAnswer);
    assert!(!lost.complete() && lost.response().is_none());
    assert_eq!(
        Attempt::NotSent.retry_after(b"5").symptom(),
        Some(crate::Symptom::NotSent)
    );
}

#[test]
fn the_longer_of_the_body_and_header_delays_is_waited() {
    let mut call = start(Request::new("GET", CASES));
    let body = rate_limited(1);
    let failure = call.read(Attempt::answered(429, body.as_bytes(), at()).retry_after(b"7"));
    assert_eq!(failure.retry_after(), Some(Duration::from_secs(7)));
    let Next::Resend { after, .. } = call.next(&failure, T0) else {
        panic!("a 429 is resent")
    };
    assert_eq!(after, Duration::from_secs(7));
}

#[test]
fn a_token_is_refreshed_once_per_call_whatever_the_answers() {
    let mut call =
        start(Request::new("GET", "https://testcustomer-api.debitura.com/v1/cases/c-1").tenant());
    assert!(call.needs_token());
    let refused = call.read(Attempt::answered(401, b"", at()));
    assert_eq!(refused.diagnosis().retry(), Retry::TokenRefresh);
    assert_eq!(
        call.next(&refused, T0),
        Next::Resend {
            after: Duration::ZERO,
            fresh_token: true
        }
    );
    assert!(call.context().after_token_refresh);
    let again = call.read(Attempt::answered(401, b"", at()));
    assert_eq!(again.diagnosis().rule_id(), Some(RuleId::ClientLinkInvalid));
    assert_eq!(call.next(&again, T0), Next::Stop(Reason::Policy));
    assert_eq!(call.attempts(), 2);
}

#[test]
fn a_refresh_without_a_tenant_stops_with_no_token_source() {
    let mut call = start(
        Request::new("GET", "https://testcustomer-api.debitura.com/v1/cases/c-1")
            .header("Authorization", b"Bearer mine"),
    );
    assert!(!call.needs_token());
    let refused = call.read(Attempt::answered(401, b"", at()));
    assert_eq!(call.next(&refused, T0), Next::Stop(Reason::NoTokenSource));
}

#[test]
fn a_tenant_with_its_own_authorization_gets_no_token_first() {
    let call = start(
        Request::new("GET", CASES)
            .tenant()
            .header("Authorization", b"Bearer mine"),
    );
    assert!(!call.needs_token());
}

#[test]
fn a_write_that_takes_a_key_gets_one_unless_the_caller_sent_one() {
    let call = start(Request::new("POST", CASES));
    let key = call.key_to_add().expect("a key for POST /cases");
    assert_eq!(key.len(), 36);
    assert_eq!(call.context().idempotency_key, Some(true));
    let theirs = start(Request::new("POST", CASES).header("Idempotency-Key", b"k-1"));
    assert_eq!(theirs.key_to_add(), None);
    assert_eq!(theirs.context().idempotency_key, Some(true));
    let webhook = start(Request::new("POST", WEBHOOKS));
    assert_eq!(webhook.key_to_add(), None, "POST /webhooks takes no key");
    assert_eq!(webhook.context().idempotency_key, Some(false));
}

#[test]
fn a_503_to_a_keyed_write_is_resent_and_one_without_a_key_is_outcome_unknown() {
    let mut keyed = start(Request::new("POST", CASES));
    let failure = keyed.read(Attempt::answered(503, b"", at()));
    assert_eq!(
        failure.diagnosis().rule_id(),
        Some(RuleId::UpstreamUnavailable)
    );
    assert!(matches!(keyed.next(&failure, T0), Next::Resend { .. }));

    let mut unkeyed = start(Request::new("POST", WEBHOOKS));
    let failure = unkeyed.read(Attempt::answered(503, b"", at()));
    assert_eq!(
        failure.diagnosis().rule_id(),
        Some(RuleId::OutcomeUnknownServerError)
    );
    assert_eq!(unkeyed.next(&failure, T0), Next::Stop(Reason::Policy));
    assert_eq!(unkeyed.attempts(), 1);
}

#[test]
fn not_sent_is_resent_whatever_the_write_and_no_answer_only_when_safe() {
    let mut webhook = start(Request::new("POST", WEBHOOKS));
    let refused = webhook.read(Attempt::NotSent);
    assert_eq!(refused.diagnosis().rule_id(), Some(RuleId::RequestNotSent));
    assert!(!refused.complete());
    let Next::Resend { after, .. } = webhook.next(&refused, T0) else {
        panic!("never sent: sent again")
    };
    assert!((Duration::from_millis(900)..=Duration::from_millis(1100)).contains(&after));
    let lost = webhook.read(Attempt::NoAnswer);
    assert_eq!(
        lost.diagnosis().rule_id(),
        Some(RuleId::NoResponseOutcomeUnknown)
    );
    assert_eq!(webhook.next(&lost, T0), Next::Stop(Reason::Policy));

    let mut case = start(Request::new("POST", CASES));
    let lost = case.read(Attempt::NoAnswer);
    assert_eq!(lost.diagnosis().retry(), Retry::Backoff);
    assert!(matches!(case.next(&lost, T0), Next::Resend { .. }));
}

#[test]
fn attempts_end_at_the_rules_bound() {
    let bounds = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
    let mut call = start(Request::new("GET", CASES));
    let mut now = T0;
    for n in 1..bounds.attempts {
        let failure = call.read(Attempt::answered(503, b"", at()));
        let Next::Resend { after, .. } = call.next(&failure, now) else {
            panic!("resend {n}")
        };
        now += after;
    }
    let failure = call.read(Attempt::answered(503, b"", at()));
    assert_eq!(call.next(&failure, now), Next::Stop(Reason::AttemptsUsedUp));
    assert_eq!(call.attempts(), bounds.attempts);
}

#[test]
fn the_callers_marks_stop_a_resend_before_the_budget_is_touched() {
    let budget = RetryBudget::new(0.0, 1, Duration::from_secs(1)).unwrap();
    for (request, reason) in [
        (Request::new("GET", CASES).no_resend(), Reason::NoResend),
        (
            Request::new("GET", CASES).replayable(false),
            Reason::BodyNotCloneable,
        ),
    ] {
        let mut call = Call::start(request, &budget, T0);
        let failure = call.read(Attempt::answered(503, b"", at()));
        assert_eq!(call.next(&failure, T0), Next::Stop(reason));
    }
    let mut call = Call::start(Request::new("GET", CASES), &budget, T0);
    let failure = call.read(Attempt::answered(503, b"", at()));
    assert!(
        matches!(call.next(&failure, T0), Next::Resend { .. }),
        "the reserve of one is still there"
    );
    let failure = call.read(Attempt::answered(503, b"", at()));
    assert_eq!(call.next(&failure, T0), Next::Stop(Reason::BudgetSpent));
}

#[test]
fn a_wait_that_would_cross_the_deadline_stops_the_call() {
    let deadline = Some(Duration::from_millis(500));
    let mut call = start(Request::new("GET", CASES).deadline(deadline));
    assert_eq!(call.deadline(), deadline);
    let failure = call.read(Attempt::answered(503, b"", at()));
    assert_eq!(call.next(&failure, T0), Next::Stop(Reason::Deadline));

    let body = rate_limited(1);
    let mut call = start(Request::new("GET", CASES).deadline(Some(Duration::from_secs(60))));
    let failure = call.read(Attempt::answered(429, body.as_bytes(), at()));
    assert!(matches!(call.next(&failure, T0), Next::Resend { .. }));
}

#[test]
fn an_answer_cut_by_the_deadline_stops_there_and_a_whole_one_by_its_policy() {
    let deadline = Some(Duration::from_secs(1));
    let late = Duration::from_secs(1);
    let mut call = start(Request::new("GET", CASES).deadline(deadline));
    let cut = call.read(Attempt::answered(422, b"{", at()).partial());
    assert_eq!(call.next(&cut, late), Next::Stop(Reason::Deadline));
    let lost = call.read(Attempt::NoAnswer);
    assert_eq!(call.next(&lost, late), Next::Stop(Reason::Deadline));
    let whole = call.read(Attempt::answered(422, b"{}", at()));
    assert_eq!(
        call.next(&whole, Duration::from_millis(999)),
        Next::Stop(Reason::Policy)
    );
    assert_eq!(call.token_failed(late), Reason::Deadline);
    assert_eq!(call.token_failed(T0), Reason::TokenUnavailable);
}

#[test]
fn the_operation_the_caller_names_stands_over_the_route() {
    let call =
        start(Request::new("POST", "https://gw.example/x").operation(Some(Operation::CreateCase)));
    assert_eq!(call.operation(), Some(Operation::CreateCase));
    assert!(call.key_to_add().is_some());
    let mint = start(Request::new("POST", "http://127.0.0.1:9/oauth/token"));
    assert_eq!(mint.operation(), Some(Operation::MintToken));
}

#[test]
fn failures_are_the_statuses_from_400() {
    assert!(!Call::failed(399) && Call::failed(400) && Call::failed(599));
}

#[test]
fn every_reason_has_a_distinct_kebab_name_its_display_and_parse() {
    let mut names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
    for r in Reason::ALL {
        assert_eq!(r.to_string(), r.as_str());
        assert_eq!(r.as_str().parse::<Reason>(), Ok(r));
        assert!(r
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-'));
        assert!(!r.description().is_empty());
    }
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), Reason::ALL.len());
    let mut sentences: Vec<&str> = Reason::ALL.iter().map(|r| r.description()).collect();
    sentences.sort_unstable();
    sentences.dedup();
    assert_eq!(sentences.len(), Reason::ALL.len(), "one sentence each");
    assert!(Reason::BudgetSpent.description().contains("budget"));
    let err = "budget-spnt".parse::<Reason>().unwrap_err();
    assert!(err.to_string().contains("budget-spent"), "{err}");
}

#[test]
fn a_call_refreshes_its_token_once_whatever_it_is_fed() {
    let url = "https://testcustomer-api.debitura.com/v1/cases/c-1";
    let mut call = start(Request::new("GET", url).tenant());
    let refused = call.read(Attempt::answered(401, b"", at()));
    assert!(matches!(
        call.next(&refused, T0),
        Next::Resend {
            fresh_token: true,
            ..
        }
    ));
    // A refusal read before the refresh (by another call) still asks for a
    // token; this call has had its one.
    let other = start(Request::new("GET", url).tenant());
    let before = other.read(Attempt::answered(401, b"", at()));
    assert_eq!(before.diagnosis().retry(), Retry::TokenRefresh);
    assert_eq!(call.next(&before, T0), Next::Stop(Reason::Policy));
}

/// Every documented route as a request: its method and its path with each
/// parameter filled in, on each host of its API and as a bare path.
fn every_route() -> Vec<(&'static str, String)> {
    let mut requests = Vec::new();
    for &op in Operation::ALL {
        for (method, template) in op.routes() {
            let path: String = template
                .split('/')
                .map(|part| if part.starts_with('{') { "x-1" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            for env in [crate::Environment::Test, crate::Environment::Production] {
                if let Some(host) = op.api().host(env) {
                    requests.push((method, format!("https://{host}{path}")));
                }
            }
            requests.push((method, path));
        }
    }
    requests
}

#[test]
fn a_method_that_may_add_no_key_never_has_one_to_add_and_one_that_may_has_a_route_that_does() {
    let budget = RetryBudget::default();
    let mut adds = std::collections::BTreeSet::new();
    for (method, url) in every_route() {
        for spelt in [method.to_string(), method.to_ascii_lowercase()] {
            let call = Call::start(Request::new(&spelt, &url), &budget, T0);
            if call.key_to_add().is_some() {
                assert!(Request::may_add_key(&spelt), "{spelt} {url} adds a key");
                adds.insert(method);
            }
        }
    }
    assert!(
        adds.contains("POST"),
        "creating a case adds a key: {adds:?}"
    );
    for method in [
        "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "",
    ] {
        assert_eq!(
            Request::may_add_key(method),
            adds.contains(method),
            "{method}: may add a key only when a route of it does"
        );
    }
}

#[test]
fn a_token_is_needed_first_exactly_when_a_tenant_is_served_without_an_authorization() {
    for tenant in [false, true] {
        for authorization in [None, Some(&b"Bearer t"[..]), Some(&b"Basic x"[..])] {
            let mut request = Request::new("GET", CASES);
            if tenant {
                request = request.tenant();
            }
            if let Some(value) = authorization {
                request = request.header("Authorization", value);
            }
            assert_eq!(request.needs_token(), tenant && authorization.is_none());
            assert_eq!(start(request).needs_token(), request.needs_token());
        }
    }
}

#[test]
fn a_first_attempt_counted_after_the_send_pays_for_resends_as_a_started_call_does() {
    // No reserve: resends come only from first attempts, one for every five.
    let counted = RetryBudget::new(0.2, 0, Duration::from_secs(10)).unwrap();
    let started = RetryBudget::new(0.2, 0, Duration::from_secs(10)).unwrap();
    let now = Duration::from_secs(3);
    for _ in 0..5 {
        counted.first_attempt(&Request::new("GET", CASES), now);
        let _ = Call::start(Request::new("GET", CASES), &started, now);
    }
    let host = "testcustomer-api.debitura.com";
    for budget in [&counted, &started] {
        let account = budget.account(host, 443);
        assert!(
            account.withdraw(now),
            "five first attempts pay for a resend"
        );
        assert!(!account.withdraw(now), "and for one only");
        assert!(
            !budget.account("other.example", 443).withdraw(now),
            "on their own host"
        );
    }
}
