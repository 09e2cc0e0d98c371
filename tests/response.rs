//! Real responses: every documented body shape, several errors in one body,
//! and hostile bodies that must never panic and still get an answer.

use std::time::Duration;

use debitura_triage::{
    diagnose_response, BodyShape, Decision, ErrorSource, Operation, Query, ResponseDiagnosis,
    Retry, RuleId, Stop, MAX_SCAN,
};
use proptest::prelude::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/bodies/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ctx(op: Operation) -> Query<'static> {
    Query::new().operation(op)
}

struct Expect {
    body: &'static str,
    status: u16,
    context: Query<'static>,
    rule: RuleId,
    retry: Retry,
    shape: BodyShape,
    url: Option<&'static str>,
    retry_after: Option<u64>,
}

fn documented() -> Vec<Expect> {
    vec![
        Expect {
            body: "dual-write-no-partner.json",
            status: 422,
            context: ctx(Operation::CreateCase),
            rule: RuleId::NoPartnerAvailable,
            retry: Retry::Never,
            shape: BodyShape::BusinessErrors,
            url: Some("https://support.debitura.com/..."),
            retry_after: None,
        },
        Expect {
            body: "business-errors-no-partner.json",
            status: 422,
            context: Query::new(),
            rule: RuleId::NoPartnerAvailable,
            retry: Retry::Never,
            shape: BodyShape::BusinessErrors,
            url: Some("https://support.debitura.com/..."),
            retry_after: None,
        },
        Expect {
            body: "signing-handoff-poa.json",
            status: 422,
            context: ctx(Operation::CreateCase),
            rule: RuleId::MissingPowerOfAttorney,
            retry: Retry::AfterUserAction,
            shape: BodyShape::BusinessErrors,
            url: Some("https://...?returnUrl=..."),
            retry_after: None,
        },
        Expect {
            body: "validation-users.json",
            status: 400,
            context: ctx(Operation::CreateClient),
            rule: RuleId::CreateClientNoUsers,
            retry: Retry::Never,
            shape: BodyShape::FieldValidation,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "validation-fields.json",
            status: 400,
            context: ctx(Operation::CreateCase),
            rule: RuleId::CaseBadRequest,
            retry: Retry::Never,
            shape: BodyShape::FieldValidation,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "problem-details-404.json",
            status: 404,
            context: ctx(Operation::GetCase),
            rule: RuleId::CaseNotFound,
            retry: Retry::Never,
            shape: BodyShape::ProblemDetails,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "conflict-needs-linking.json",
            status: 409,
            context: ctx(Operation::CreateClient),
            rule: RuleId::ClientExistsNeedsLinking,
            retry: Retry::AfterUserAction,
            shape: BodyShape::Conflict,
            url: Some("https://app.debitura.com/ReferralPartner/Approve?token=abc123..."),
            retry_after: None,
        },
        Expect {
            body: "legacy-business-rule.json",
            status: 422,
            context: ctx(Operation::CreateCase),
            rule: RuleId::NoPartnerAvailableLegacyBody,
            retry: Retry::Never,
            shape: BodyShape::FieldValidation,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "rate-limit.json",
            status: 429,
            context: ctx(Operation::CreateCase),
            rule: RuleId::RateLimited,
            retry: Retry::Backoff,
            shape: BodyShape::RateLimit,
            url: None,
            retry_after: Some(42),
        },
        Expect {
            body: "legacy-message-no-partner.json",
            status: 422,
            context: ctx(Operation::CreateCase),
            rule: RuleId::NoPartnerAvailableLegacyBody,
            retry: Retry::Never,
            shape: BodyShape::Other,
            url: None,
            retry_after: None,
        },
        // The dual-written envelope's legacy half alone: `error` is a sentence.
        Expect {
            body: "legacy-half-no-partner.json",
            status: 422,
            context: ctx(Operation::CreateCase),
            rule: RuleId::NoPartnerAvailableLegacyBody,
            retry: Retry::Never,
            shape: BodyShape::Other,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "typed-withdraw-conflict.json",
            status: 409,
            context: ctx(Operation::WithdrawClient),
            rule: RuleId::WithdrawClientRefused,
            retry: Retry::Never,
            shape: BodyShape::BusinessErrors,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "case-validation-failed-clients.json",
            status: 400,
            context: Query::new(),
            rule: RuleId::CreateClientCaseValidationFailed,
            retry: Retry::Never,
            shape: BodyShape::FieldValidation,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "invalid-client-type-422.json",
            status: 422,
            context: ctx(Operation::CreateClient),
            rule: RuleId::InvalidClientTypeOn422,
            retry: Retry::Never,
            shape: BodyShape::BusinessErrors,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "test-trigger-nothing-enqueued.json",
            status: 200,
            context: ctx(Operation::TriggerTestWebhook),
            rule: RuleId::TestWebhookNotEnqueued,
            retry: Retry::AfterUserAction,
            shape: BodyShape::Other,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "case-pending-contract-signing.json",
            status: 200,
            context: ctx(Operation::CreateCase),
            rule: RuleId::CasePendingContractSigning,
            retry: Retry::AfterUserAction,
            shape: BodyShape::Other,
            url: Some("https://app.debitura.com/sign/all?returnUrl=https%3A%2F%2Fpartner.example"),
            retry_after: None,
        },
        Expect {
            body: "is-deletable-blocked.json",
            status: 200,
            context: ctx(Operation::CheckClientDeletable),
            rule: RuleId::ClientDeletionBlocked,
            retry: Retry::AfterUserAction,
            shape: BodyShape::Other,
            url: None,
            retry_after: None,
        },
        Expect {
            body: "contract-upgrade-202.json",
            status: 202,
            context: ctx(Operation::CreateClient),
            rule: RuleId::ContractUpgradeRequired,
            retry: Retry::AfterUserAction,
            shape: BodyShape::Conflict,
            url: Some("https://app.debitura.com/ContractUpgrade/Sign/8d1c"),
            retry_after: None,
        },
        Expect {
            body: "failed-case.json",
            status: 201,
            context: ctx(Operation::CreateClient),
            rule: RuleId::CaseFailedNoPartner,
            retry: Retry::Never,
            shape: BodyShape::CaseResults,
            url: None,
            retry_after: None,
        },
    ]
}

#[test]
fn documented_bodies_give_the_documented_answer() {
    for e in documented() {
        let body = fixture(e.body);
        let r = diagnose_response(e.status, &body, &e.context);
        let name = e.body;
        assert_eq!(r.diagnosis().rule_id(), Some(e.rule), "{name}");
        assert_eq!(r.retry(), e.retry, "{name}");
        assert_eq!(r.shape(), e.shape, "{name}");
        assert_eq!(r.stop(), Stop::Complete, "{name}");
        assert_eq!(r.url().map(|u| u.to_string()).as_deref(), e.url, "{name}");
        assert_eq!(
            r.retry_after(),
            e.retry_after.map(Duration::from_secs),
            "{name}"
        );
    }
}

#[test]
fn the_strictest_of_several_business_errors_decides() {
    let body = br#"{"businessErrors":[
        {"type":"MissingDebtCollectionContract","message":"sign","solutionUrl":"https://example.org/sdca"},
        {"type":"NoPartnerAvailable","message":"no partner","solutionUrl":"https://example.org/coverage"}]}"#;
    let r = diagnose_response(422, body, &ctx(Operation::CreateCase));
    assert_eq!(r.findings().count(), 2);
    assert_eq!(r.diagnosis().rule_id(), Some(RuleId::NoPartnerAvailable));
    assert_eq!(r.decided_by(), Some(1));
    assert_eq!(r.decision(), Decision::Strictest);
    assert_eq!(r.url().unwrap().raw(), "https://example.org/coverage");
    let rules: Vec<_> = r.findings().map(|f| f.diagnosis.rule_id()).collect();
    assert_eq!(
        rules,
        [
            Some(RuleId::MissingDebtCollectionContract),
            Some(RuleId::NoPartnerAvailable)
        ]
    );
}

#[test]
fn equal_errors_are_decided_by_the_first_and_the_handoff_url_wins() {
    let body = br#"{"businessErrors":[
        {"type":"MissingPowerOfAttorney","solutionUrl":"https://example.org/poa"},
        {"type":"MissingKycVerification","solutionUrl":"https://example.org/kyc"}],
        "signingHandoff":{"combinedSigningUrl":"https://example.org/all?returnUrl=x"}}"#;
    let r = diagnose_response(422, body, &Query::new());
    assert_eq!(r.decision(), Decision::FirstOfEqual);
    assert_eq!(
        r.diagnosis().rule_id(),
        Some(RuleId::MissingPowerOfAttorney)
    );
    assert_eq!(
        r.url().unwrap().raw(),
        "https://example.org/all?returnUrl=x"
    );
}

#[test]
fn a_recognised_error_outranks_an_unknown_one() {
    let body = br#"{"businessErrors":[{"type":"SomethingNew"},{"type":"MissingKycVerification"}]}"#;
    let r = diagnose_response(422, body, &Query::new());
    assert_eq!(r.decision(), Decision::Recognised);
    assert_eq!(
        r.diagnosis().rule_id(),
        Some(RuleId::MissingKycVerification)
    );
}

#[test]
fn escaped_strings_are_decoded() {
    let body = br#"{"businessErrors":[{"type":"Missing\u0050owerOfAttorney",
        "solutionUrl":"https:\/\/example.org\/sign?a=1\u0026b=2"}]}"#;
    let r = diagnose_response(422, body, &Query::new());
    assert_eq!(
        r.diagnosis().rule_id(),
        Some(RuleId::MissingPowerOfAttorney)
    );
    assert_eq!(
        r.url().unwrap().to_string(),
        "https://example.org/sign?a=1&b=2"
    );
}

#[test]
fn field_validation_under_validation_errors_and_problem_details_errors() {
    let body = br#"{"message":"Case validation failed","validationErrors":{"Cases[0].DueDate":["Due date must be in the past"]}}"#;
    // The summary names the failure of `POST /clients`; the case's field
    // message alone would read as one of `POST /cases`.
    for context in [ctx(Operation::CreateClient), Query::new()] {
        let r = diagnose_response(400, body, &context);
        let found: Vec<_> = r.findings().collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].source, ErrorSource::TopLevel);
        assert_eq!(found[1].source, ErrorSource::FieldValidation);
        assert_eq!(found[1].field.unwrap().raw(), "Cases[0].DueDate");
        assert_eq!(r.decided_by(), Some(0));
        assert_eq!(
            r.diagnosis().rule_id(),
            Some(RuleId::CreateClientCaseValidationFailed)
        );
    }

    let body = br#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"currencyCode":["Invalid currency code: XYZ"]}}"#;
    let r = diagnose_response(400, body, &ctx(Operation::CreateCase));
    assert_eq!(r.diagnosis().rule_id(), Some(RuleId::CaseInvalidCurrency));
}

#[test]
fn the_older_conflict_wrapper_is_understood() {
    let body = br#"{"conflictResponse":{"type":"ClientExistsNeedsLinking","data":{"onboardingLinks":{"url":"https://example.org/approve"}}}}"#;
    let r = diagnose_response(409, body, &Query::new());
    assert_eq!(
        r.diagnosis().rule_id(),
        Some(RuleId::ClientExistsNeedsLinking)
    );
    assert_eq!(r.url().unwrap().raw(), "https://example.org/approve");
}

#[test]
fn more_errors_than_kept_are_counted() {
    let items: Vec<String> = (0..20)
        .map(|i| {
            format!(r#"{{"type":"T{i}","message":"m","solutionUrl":"https://example.org/{i}"}}"#)
        })
        .collect();
    let body = format!(r#"{{"businessErrors":[{}]}}"#, items.join(","));
    let r = diagnose_response(422, body.as_bytes(), &Query::new());
    assert_eq!(r.findings().count(), debitura_triage::MAX_ERRORS);
    assert_eq!(r.dropped(), 20 - debitura_triage::MAX_ERRORS);
}

fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let mut deep = vec![b'['; 100_000];
    deep.extend(vec![b']'; 100_000]);
    let mut deep_objects = Vec::new();
    for _ in 0..50_000 {
        deep_objects.extend_from_slice(br#"{"a":"#);
    }
    let mut huge = br#"{"businessErrors":[{"type":"NoPartnerAvailable"}],"pad":""#.to_vec();
    huge.resize(10 * 1024 * 1024, b'x');
    huge.extend_from_slice(b"\"}");
    vec![
        ("empty", Vec::new()),
        ("whitespace", b" \n\t\r ".to_vec()),
        ("truncated", br#"{"businessErrors":[{"type":"MissingPowerOf"#.to_vec()),
        ("not json", b"<html><body>502 Bad Gateway</body></html>".to_vec()),
        ("invalid utf-8", vec![0xff, 0xfe, b'{', 0xc3, 0x28, b'}']),
        ("invalid utf-8 in a string", b"{\"type\":\"\xc3\x28\"}".to_vec()),
        ("array nested 100000 deep", deep),
        ("objects nested 50000 deep, unterminated", deep_objects),
        ("10 MiB", huge),
        ("wrong types", br#"{"businessErrors":{"type":42},"type":["x"],"retryAfter":"soon","data":{"onboardingLinks":{"url":7}}}"#.to_vec()),
        ("negative and huge retryAfter", br#"{"retryAfter":-5,"x":{"retryAfter":1e308}}"#.to_vec()),
        ("unterminated escape", br#"{"type":"abc\"#.to_vec()),
        ("lone surrogate", br#"{"type":"\ud800x","message":"\uZZZZ"}"#.to_vec()),
        ("control character", b"{\"type\":\"a\x01b\"}".to_vec()),
        ("bare scalar", b"42".to_vec()),
        ("two documents", br#"{} {}"#.to_vec()),
    ]
}

#[test]
fn hostile_bodies_get_an_answer_decided_by_the_status() {
    for (name, body) in hostile() {
        for status in [400u16, 422, 429, 500, 503] {
            let context = ctx(Operation::CreateCase).idempotency_key(true);
            let r: ResponseDiagnosis<'_> = diagnose_response(status, &body, &context);
            // With no error read from the body, the status and the context
            // decide; otherwise the deciding error's own answer stands.
            let expected = match r.decided_by() {
                None => debitura_triage::diagnose(&context.status(status)),
                Some(i) => r.findings().nth(i).expect("the decisive finding").diagnosis,
            };
            assert_eq!(r.diagnosis(), expected, "{name} with {status}");
            if r.findings().count() == 0 {
                assert_eq!(r.decision(), Decision::StatusOnly, "{name}");
            }
            if status == 503 {
                assert_eq!(r.retry(), Retry::Backoff, "{name}");
            }
            if let Some(delay) = r.retry_after() {
                assert!(delay <= debitura_triage::MAX_RETRY_AFTER, "{name}");
            }
        }
    }
}

/// A `retryAfter` beyond what `Duration` can hold (about 1.8e19 s) is clamped,
/// never converted first: one hostile 429 must not crash a service.
#[test]
fn a_huge_top_level_retry_after_is_clamped_not_a_panic() {
    for body in [
        &br#"{"retryAfter":1e20}"#[..],
        br#"{"retryAfter":1e308}"#,
        br#"{"retryAfter":18446744073709551616}"#,
    ] {
        let r = diagnose_response(429, body, &Query::new());
        assert_eq!(r.retry(), Retry::Backoff);
        assert_eq!(r.retry_after(), Some(debitura_triage::MAX_RETRY_AFTER));
    }
    let r = diagnose_response(429, br#"{"retryAfter":86399.5}"#, &Query::new());
    assert_eq!(
        r.retry_after(),
        Some(std::time::Duration::from_millis(86_399_500))
    );
}

#[test]
fn the_ten_mebibyte_body_is_read_only_up_to_the_bound() {
    let (_, body) = hostile().into_iter().find(|(n, _)| *n == "10 MiB").unwrap();
    let r = diagnose_response(422, &body, &Query::new());
    assert_eq!(r.stop(), Stop::TooLong);
    assert!(body.len() > MAX_SCAN);
    // The error before the cut is still found.
    assert_eq!(r.diagnosis().rule_id(), Some(RuleId::NoPartnerAvailable));
}

#[test]
fn a_truncated_body_keeps_what_came_before_the_cut() {
    let body = fixture("signing-handoff-poa.json");
    let full = String::from_utf8(body.clone()).unwrap();
    let after_type =
        full.find("MissingPowerOfAttorney").unwrap() + "MissingPowerOfAttorney\"".len();
    for cut in 0..body.len() {
        let r = diagnose_response(422, &body[..cut], &ctx(Operation::CreateCase));
        if cut >= after_type {
            assert_eq!(
                r.diagnosis().rule_id(),
                Some(RuleId::MissingPowerOfAttorney),
                "cut at {cut}"
            );
        }
        if cut < body.len() - 1 {
            assert!(
                matches!(r.stop(), Stop::Malformed(_) | Stop::Empty),
                "cut at {cut}: {:?}",
                r.stop()
            );
        }
    }
}

/// The cases proptest runs per property; raise it for long runs.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Bytes that look like JSON often enough to reach deep into the scanner.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"{".to_vec()),
        Just(b"}".to_vec()),
        Just(b"[".to_vec()),
        Just(b"]".to_vec()),
        Just(b",".to_vec()),
        Just(b":".to_vec()),
        Just(br#""businessErrors""#.to_vec()),
        Just(br#""type""#.to_vec()),
        Just(br#""retryAfter""#.to_vec()),
        Just(br#""NoPartnerAvailable""#.to_vec()),
        Just(br#""\u00""#.to_vec()),
        Just(b"-1.5e9".to_vec()),
        Just(b"null".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..4),
    ];
    proptest::collection::vec(token, 0..64).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_bytes_get_a_consistent_answer(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..512)) {
        let r = diagnose_response(status, &body, &Query::new());
        let expected = match r.decided_by() {
            None => debitura_triage::diagnose(&Query::new().status(status)),
            Some(i) => r.findings().nth(i).expect("the decisive finding").diagnosis,
        };
        prop_assert_eq!(r.diagnosis(), expected);
        prop_assert_eq!(r.diagnosis().status(), Some(status));
        // A URL to show is always text of the body itself.
        if let Some(url) = r.url() {
            let raw = url.raw().as_bytes();
            prop_assert!(raw.is_empty() || body.windows(raw.len()).any(|w| w == raw));
        }
    }

    #[test]
    fn json_like_bytes_never_panic(status in 100u16..600, body in jsonish()) {
        let r = diagnose_response(status, &body, &ctx(Operation::CreateCase));
        if let Some(url) = r.url() {
            let _ = url.to_string();
        }
        for finding in r.findings() {
            let _ = (finding.error_type.map(|t| t.to_string()), finding.message.map(|m| m.to_string()));
        }
    }
}

#[test]
fn shapes_without_errors_are_told_apart() {
    let shape = |body: &[u8]| diagnose_response(500, body, &Query::new()).shape();
    assert_eq!(shape(b"{}"), BodyShape::Other);
    assert_eq!(shape(b"[1, 2]"), BodyShape::Other);
    assert_eq!(shape(b"  "), BodyShape::Empty);
    assert_eq!(shape(b"<html>"), BodyShape::NotJson);
}
