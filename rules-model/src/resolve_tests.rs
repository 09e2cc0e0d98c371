//! The resolution semantics on a small rule set read from text: tests that
//! need both the reader and the model, so they sit above both.

use crate::model::resolve::Resolution;
use crate::model::{Catalog, Field, Query};
use crate::read::Source;

const VOCABULARY: &str = "retry:
  - { name: never, resends: 0, meaning: No. }
  - { name: after-user-action, resends: 0, meaning: Later. }
  - { name: token-refresh, resends: 1, meaning: Once. }
  - name: backoff
    meaning: Often.
    bounds: { attempts: 3, base_delay_ms: 10, max_delay_ms: 100, jitter_percent: 0, honour_retry_after: true }
operations:
  - { name: api-a, description: A. }
  - { name: op-a1, parent: api-a, description: A1., routes: [POST /a1], resend: unsafe }
  - { name: op-a2, parent: api-a, description: A2., routes: [GET /a2, POST /a2], resend: idempotency-key }
  - { name: api-b, description: B. }
  - { name: op-b1, parent: api-b, description: B1. }
  - { name: op-b2, parent: api-b, description: B2., routes: [DELETE /b2, PATCH /b2], resend: unsafe }
environments:
  - { name: test, description: T. }
  - { name: production, description: P. }
credentials:
  - { name: key, description: K. }
  - { name: bearer, description: B. }
";

/// `(id, retry, when, example)` of each rule of the test catalog.
const RULES: &[(&str, &str, &str, &str)] = &[
    (
        "currency",
        "never",
        "{ status: 400, operation: op-a1, message: 'Bad currency*' }",
        "{ status: 400, operation: op-a1, message: 'Bad currency: X' }",
    ),
    (
        "other-400",
        "never",
        "{ status: 400, operation: op-a2 }",
        "{ status: 400, operation: op-a2 }",
    ),
    (
        "only-409",
        "never",
        "{ status: 409, operation: op-a1 }",
        "{ status: 409, operation: op-a1 }",
    ),
    (
        "b-400",
        "never",
        "{ status: 400, operation: op-b1 }",
        "{ status: 400, operation: op-b1 }",
    ),
    (
        "token",
        "token-refresh",
        "{ status: 401, operation: api-b, auth: bearer }",
        "{ status: 401, operation: op-b1, auth: bearer }",
    ),
    ("any-401", "never", "{ status: 401 }", "{ status: 401 }"),
    (
        "slow",
        "backoff",
        "{ status: 429, type: Slow }",
        "{ status: 429, type: Slow }",
    ),
    (
        "sign",
        "after-user-action",
        "{ status: 422, type: Sign }",
        "{ status: 422, type: Sign }",
    ),
    (
        "b-key",
        "never",
        "{ status: 401, operation: api-b, auth: key }",
        "{ status: 401, operation: op-b1, auth: key }",
    ),
    (
        "resend",
        "backoff",
        "{ status: 503, safe_to_resend: true }",
        "{ status: 503, safe_to_resend: true }",
    ),
    (
        "check-first",
        "after-user-action",
        "{ status: 503, safe_to_resend: false }",
        "{ status: 503, operation: op-a1 }",
    ),
    (
        "teapot-safe",
        "backoff",
        "{ status: 418, auth: bearer, safe_to_resend: true }",
        "{ status: 418, auth: bearer, safe_to_resend: true }",
    ),
    (
        "teapot-key",
        "never",
        "{ status: 418, auth: key }",
        "{ status: 418, auth: key }",
    ),
];

fn catalog() -> Catalog {
    let sources = [
            Source {
                display: "v.yaml".into(),
                text: VOCABULARY.into(),
            },
            Source {
                display: "s.yaml".into(),
                text: RULES.iter().fold(
                    String::from("section: { title: S, order: 1, summary: S. }\nrules:\n"),
                    |text, (id, retry, when, example)| {
                        text + &format!(
                            "  - {{ id: {id}, title: t, cause: c, solution: s, retry: {retry}, when: {when}, examples: [{example}] }}\n"
                        )
                    },
                ),
            },
        ];
    crate::load(&sources).unwrap_or_else(|p| panic!("{}", p[0]))
}

fn ask(catalog: &Catalog, fields: &[(Field, &str)]) -> Option<String> {
    let mut query = Query::default();
    for (f, v) in fields {
        query.set(*f, v.to_string());
    }
    catalog.resolve(&query).map(|i| catalog.rules[i].id.clone())
}

fn names(domain: Option<Vec<Option<String>>>) -> Option<Vec<String>> {
    domain.map(|d| {
        d.into_iter()
            .map(|v| v.unwrap_or_else(|| "(left out)".into()))
            .collect()
    })
}

#[test]
fn distinct_queries_pair_values_only_where_some_rule_still_can() {
    let queries = catalog().distinct_queries();
    let with = |status: Option<&str>, ty: &str| {
        queries
            .iter()
            .any(|q| q.get(Field::Status) == status && q.get(Field::Type) == Some(ty))
    };
    assert!(with(Some("429"), "Slow"));
    assert!(!with(Some("400"), "Slow"), "no rule for 400 names a type");
    assert!(!with(Some("429"), "Sign"));
    assert!(
        with(None, "Slow") && with(None, "Sign"),
        "a left-out status keeps every rule"
    );
}

#[test]
fn closed_fields_list_every_value_they_can_take() {
    let catalog = catalog();
    let v = &catalog.vocabulary;
    assert_eq!(
        names(Field::AfterTokenRefresh.closed_domain(v)),
        Some(vec!["false".into(), "true".into()])
    );
    let operations = names(Field::Operation.closed_domain(v)).unwrap();
    assert_eq!(operations.len(), v.operations.len() + 1);
    assert!(operations.iter().any(|o| o == "op-b1"));
    assert_eq!(operations.last().map(String::as_str), Some("(left out)"));
    let environments = names(Field::Environment.closed_domain(v)).unwrap();
    assert_eq!(environments, ["test", "production", "(left out)"]);
    for open in [
        Field::Status,
        Field::Type,
        Field::Message,
        Field::Event,
        Field::Symptom,
    ] {
        assert_eq!(open.closed_domain(v), None, "{open:?}");
    }
}

#[test]
fn a_query_missing_its_operation_is_answered_by_the_rule_its_fields_single_out() {
    let c = catalog();
    let currency = [(Field::Status, "400"), (Field::Message, "Bad currency: X")];
    assert_eq!(ask(&c, &currency).as_deref(), Some("currency"));
    // A message no rule names singles out nothing: two rules could answer.
    assert_eq!(
        ask(&c, &[(Field::Status, "400"), (Field::Message, "Other")]),
        None
    );
    assert_eq!(ask(&c, &[(Field::Status, "400")]), None);
    // The only rule that could answer is singled out.
    let env = [(Field::Status, "400"), (Field::Environment, "test")];
    assert_eq!(ask(&c, &env), None);
    let b = [(Field::Status, "400"), (Field::Operation, "api-b")];
    assert_eq!(ask(&c, &b).as_deref(), None, "api-b itself is no op-b1");
}

#[test]
fn a_query_missing_its_status_is_answered_by_the_type_it_names() {
    let c = catalog();
    // Waiting for the user resends nothing, like every alternative.
    assert_eq!(ask(&c, &[(Field::Type, "Sign")]).as_deref(), Some("sign"));
    // Backing off would resend more than `any-401` (never) would, had
    // the status been 401: no answer rather than a risky one.
    assert_eq!(ask(&c, &[(Field::Type, "Slow")]), None);
    assert_eq!(
        ask(&c, &[(Field::Status, "429"), (Field::Type, "Slow")]).as_deref(),
        Some("slow")
    );
}

#[test]
fn an_ambiguous_query_gets_the_generic_rule_never_the_eager_one() {
    let c = catalog();
    // `token` and `any-401` both fit a 401 of unknown operation; the
    // generic rule answers, and it does not refresh.
    assert_eq!(
        ask(&c, &[(Field::Status, "401")]).as_deref(),
        Some("any-401")
    );
    assert_eq!(
        ask(
            &c,
            &[
                (Field::Status, "401"),
                (Field::Operation, "op-b1"),
                (Field::Credential, "bearer")
            ]
        )
        .as_deref(),
        Some("token")
    );
    // "Not after a token refresh" is given by default and names no rule.
    let token = &c.rules[4];
    assert!(token.when.get(Field::AfterTokenRefresh).is_none());
    assert_eq!(c.resends(token), 1);
    assert_eq!(c.resends(&c.rules[6]), 2);
    assert_eq!(c.resends(&c.rules[7]), 0);
}

/// The rules each value of a request property the query leaves out would
/// get, and the policy it follows meanwhile.
fn fitting(c: &Catalog, fields: &[(Field, &str)]) -> (Vec<String>, bool, String) {
    let mut query = Query::default();
    for (f, v) in fields {
        query.set(*f, v.to_string());
    }
    let resolution = c.resolution(&query);
    let retry = resolution.retry(&c.vocabulary, &c.rules).to_string();
    match resolution {
        Resolution::Several { rules, unanswered } => (
            rules.iter().map(|&i| c.rules[i].id.clone()).collect(),
            unanswered,
            retry,
        ),
        other => panic!("several rules should fit, not {other:?}"),
    }
}

#[test]
fn a_request_property_left_out_is_never_filled_in() {
    let c = catalog();
    // Whether the request is safe to send twice decides between a resend
    // and a check: left out, both fit, and the cautious one is followed.
    assert_eq!(
        fitting(&c, &[(Field::Status, "503")]),
        (
            vec!["resend".into(), "check-first".into()],
            false,
            "after-user-action".into()
        )
    );
    assert_eq!(
        ask(&c, &[(Field::Status, "503"), (Field::SafeToResend, "true")]).as_deref(),
        Some("resend")
    );
    // The credential decides between a refresh and a refused key.
    let b401 = [(Field::Status, "401"), (Field::Operation, "op-b1")];
    assert_eq!(
        fitting(&c, &b401),
        (vec!["token".into(), "b-key".into()], false, "never".into())
    );
    let with_key = [b401[0], b401[1], (Field::Credential, "key")];
    assert_eq!(ask(&c, &with_key).as_deref(), Some("b-key"));
    // Two properties left out, and some pair of values with no rule at all:
    // the rules that fit may not be it, so nothing is resent.
    assert_eq!(
        fitting(&c, &[(Field::Status, "418")]),
        (
            vec!["teapot-safe".into(), "teapot-key".into()],
            true,
            "never".into()
        )
    );
    // Where no rule asks, leaving it out changes nothing.
    assert_eq!(
        ask(&c, &[(Field::Status, "422"), (Field::Type, "Sign")]).as_deref(),
        Some("sign")
    );
}

#[test]
fn a_request_is_safe_to_resend_only_when_every_route_it_may_be_agrees() {
    let c = catalog();
    let v = &c.vocabulary;
    let safe = |op: Option<&str>, method: Option<&str>, key: Option<bool>| {
        v.safe_to_resend(op, method, key)
    };
    // Without an operation only a safe method tells.
    assert_eq!(safe(None, Some("get"), None), Some(true));
    assert_eq!(safe(None, Some("POST"), Some(true)), None);
    assert_eq!(safe(None, None, Some(true)), None);
    // One unsafe route; one operation whose routes differ; no routes at all.
    assert_eq!(safe(Some("op-a1"), None, Some(true)), Some(false));
    assert_eq!(safe(Some("op-a2"), None, None), None);
    assert_eq!(safe(Some("op-a2"), Some("GET"), None), Some(true));
    assert_eq!(safe(Some("op-a2"), Some("post"), None), None);
    assert_eq!(safe(Some("op-a2"), Some("POST"), Some(true)), Some(true));
    assert_eq!(safe(Some("op-a2"), Some("POST"), Some(false)), Some(false));
    assert_eq!(safe(Some("op-b1"), Some("GET"), Some(true)), None);
    // A method none of its routes uses is set aside: the routes decide.
    assert_eq!(safe(Some("op-a2"), Some("PUT"), Some(true)), Some(true));
    assert_eq!(safe(Some("op-a2"), Some("PUT"), None), None);
    assert_eq!(safe(Some("op-a1"), Some("DELETE"), None), Some(false));
    assert_eq!(v.routes_of("op-a2", Some("PUT")).len(), 2);
    assert_eq!(v.routes_of("op-a2", Some("post")).len(), 1);
    assert_eq!(v.routes_of("api-a", Some("POST")).len(), 2);
    assert_eq!(v.routes_of("op-a2", None).len(), 2);
    // An API's writes differ: not known safe or unsafe.
    assert_eq!(safe(Some("api-a"), Some("POST"), Some(true)), None);
    // A request as safe as asked, the plainest first; none where none is.
    assert_eq!(v.request_with(Some("op-a1"), Some(true)), None);
    assert_eq!(
        v.request_with(Some("op-a1"), Some(false)),
        Some((None, None))
    );
    assert_eq!(v.request_with(Some("op-a2"), None), Some((None, None)));
    assert_eq!(
        v.request_with(Some("op-a2"), Some(true)),
        Some((None, Some(true)))
    );
    assert_eq!(
        v.request_with(Some("op-a2"), Some(false)),
        Some((Some("POST"), Some(false)))
    );
    assert_eq!(v.request_with(None, Some(true)), Some((Some("GET"), None)));
    assert_eq!(v.request_with(None, Some(false)), None);
    // Only one of its own methods makes it safe.
    assert_eq!(safe(Some("op-b2"), None, None), None);
    assert_eq!(
        v.request_with(Some("op-b2"), Some(true)),
        Some((Some("DELETE"), None))
    );
}
