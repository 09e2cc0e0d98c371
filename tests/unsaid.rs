//! Nothing unsaid is assumed: a query that leaves out whether a key was
//! sent, which method or which credential was used, is answered as what it
//! is, incomplete, and never with the convenient value. Enumerated from the
//! vocabulary, so an operation or status added there is covered at once.

use std::path::Path;

use debitura_triage::{diagnose, Credential, Field, Operation, Query, Retry, RuleId, Symptom};
use debitura_triage_rules_model::{self as rules_model, Catalog};

fn catalog() -> Catalog {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let sources = rules_model::read_dir(&root, "rules").expect("rules/ is readable");
    rules_model::load(&sources).expect("rules/ is valid")
}

/// Every failure after which nobody knows whether the request acted: each
/// status and symptom of the vocabulary's `unknown_outcome`.
fn unknown_outcomes(catalog: &Catalog) -> Vec<Query<'static>> {
    let outcome = &catalog.vocabulary.unknown_outcome;
    let statuses = outcome
        .statuses
        .iter()
        .map(|s| Query::new().status(s.parse().expect("a status")));
    let symptoms = outcome.symptoms.iter().map(|s| {
        let symptom = Symptom::from_name(s).expect("a symptom of the vocabulary");
        Query::new().symptom(symptom)
    });
    statuses.chain(symptoms).collect()
}

#[test]
fn a_write_that_takes_a_key_is_resent_only_when_the_key_is_stated() {
    let catalog = catalog();
    let failures = unknown_outcomes(&catalog);
    assert!(failures.len() >= 5, "{failures:?}");
    let keyed: Vec<Operation> = Operation::ALL
        .iter()
        .copied()
        .filter(|op| op.takes_idempotency_key())
        .collect();
    assert!(keyed.len() >= 4, "{keyed:?}");
    let mut asked = 0;
    for op in keyed {
        for failure in &failures {
            let q = failure.operation(op);
            for (key, resends) in [(None, false), (Some(false), false), (Some(true), true)] {
                let mut asked_with = q;
                asked_with.idempotency_key = key;
                let d = diagnose(&asked_with);
                assert_eq!(
                    d.retry() == Retry::Backoff,
                    resends,
                    "`debitura-triage diagnose {asked_with}` answers {d:?}"
                );
                if key.is_none() {
                    // Incomplete, and said to be: the rules that fit are named.
                    assert!(d.several().is_some(), "`{asked_with}`: {d:?}");
                }
                asked += 1;
            }
        }
    }
    assert!(asked >= 60, "{asked}");
}

#[test]
fn a_method_the_operation_has_no_route_for_never_makes_a_request_safer() {
    let methods = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"];
    let mut set_aside = 0;
    for &op in Operation::ALL {
        for method in methods.into_iter().filter(|m| !op.has_method(m)) {
            for key in [None, Some(false), Some(true)] {
                let mut q = Query::new().status(503).operation(op);
                q.idempotency_key = key;
                let with = q.method(method);
                assert!(!with.method_fits(), "`{with}`");
                assert_eq!(with.safe_to_resend(), q.safe_to_resend(), "`{with}`");
                assert_eq!(diagnose(&with), diagnose(&q), "`{with}`");
                set_aside += 1;
            }
        }
    }
    assert!(set_aside > 100, "{set_aside}");
    // A method of its own routes fits, and so does none at all.
    for &op in Operation::ALL {
        let q = Query::new().operation(op);
        assert!(q.method_fits(), "{op}");
        for (method, _) in op.routes() {
            assert!(q.method(method).method_fits(), "{op} {method}");
        }
    }
    // Routes that agree tell; routes that differ leave it unknown.
    assert_eq!(Operation::GetCase.safe_to_resend(None, None), Some(true));
    assert_eq!(Operation::ManageWebhooks.safe_to_resend(None, None), None);
    assert_eq!(
        Operation::ManageWebhooks.safe_to_resend(Some("post"), None),
        Some(false)
    );
    for op in [Operation::CreateCase, Operation::UploadCaseFile] {
        let d = diagnose(&Query::new().status(503).operation(op).method("PUT"));
        assert_ne!(d.retry(), Retry::Backoff, "{op}");
    }
}

#[test]
fn a_route_both_apis_have_is_told_apart_by_host_or_credential_only() {
    for path in ["/me", "/cases", "/v1/me"] {
        let alone = Query::new().status(401).request("GET", None, path);
        assert_eq!(alone.operation, None, "{path}");
        let d = diagnose(&alone);
        assert_ne!(d.rule_id(), Some(RuleId::ApiKeyRejected), "{path}");
        assert!(
            d.rule_id()
                .is_none_or(|id| id.rule().when.operation.is_empty()),
            "`GET {path}` alone is answered by one API's rule: {d:?}"
        );
        // A bearer token is taken by the Customer API alone.
        let bearer = Query::new()
            .status(401)
            .credential(Credential::Bearer)
            .request("GET", None, path);
        assert_eq!(
            bearer.operation.map(Operation::api),
            Some(Operation::CustomerApi),
            "{path}"
        );
        assert_eq!(diagnose(&bearer).retry(), Retry::TokenRefresh, "{path}");
        // A key is taken by both: still unknown.
        let key = Query::new()
            .status(401)
            .credential(Credential::ApiKey)
            .request("GET", None, path);
        assert_eq!(key.operation, None, "{path}");
        // The host tells.
        let host = Query::new()
            .status(401)
            .request("GET", Some("referral-api.debitura.com"), path);
        assert_eq!(
            host.operation.map(Operation::api),
            Some(Operation::ReferralApi)
        );
        assert_eq!(diagnose(&host).rule_id(), Some(RuleId::ApiKeyRejected));
    }
}

#[test]
fn a_401_with_a_key_is_never_cured_by_a_token() {
    for &op in Operation::ALL
        .iter()
        .filter(|op| op.is_within(Operation::CustomerApi))
    {
        let q = Query::new().status(401).operation(op);
        let key = diagnose(&q.credential(Credential::ApiKey));
        assert_eq!(key.rule_id(), Some(RuleId::CustomerApiKeyRejected), "{op}");
        assert_eq!(key.retry(), Retry::Never, "{op}");
        let bearer = diagnose(&q.credential(Credential::Bearer));
        assert_eq!(bearer.retry(), Retry::TokenRefresh, "{op}");
        let unsaid = diagnose(&q);
        assert_eq!(unsaid.retry(), Retry::Never, "{op}");
        assert_eq!(
            unsaid.candidates(),
            [RuleId::BearerTokenExpired, RuleId::CustomerApiKeyRejected],
            "{op}"
        );
        assert_eq!(
            unsaid.several().map(|s| s.telling),
            Some(&[Field::Auth][..])
        );
    }
}
