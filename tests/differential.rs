//! The generated matcher against the reference interpreter: the rule model's
//! rule model resolving a query by scanning every rule
//! (`Catalog::resolve`). They must agree on every distinct query the rules
//! can tell apart, and on random ones.
//!
//! `PROPTEST_CASES=100000 cargo test --test differential` pushes the random
//! half further.

use std::path::Path;
use std::sync::OnceLock;

use debitura_triage::{
    diagnose, Credential, Environment, Field as LibraryField, Operation, Query, RuleId, Symptom,
};
use debitura_triage_rules_model::model::resolve::Resolution;
use debitura_triage_rules_model::model::{Field, FIELDS};
use debitura_triage_rules_model::{self as rules_model, Catalog};
use proptest::prelude::*;

#[path = "support/model.rs"]
mod model;
use model::{to_library, to_model};

/// The validated rule model, read once per test binary.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let sources = rules_model::read_dir(&root, "rules").expect("rules/ is readable");
        rules_model::load(&sources).expect("rules/ is valid")
    })
}

/// The answer as ids: the rule, or the rules that fit (and whether some
/// completion fits none), or nothing.
type Answer<'a> = (Option<&'a str>, Vec<&'a str>, bool);

fn disagreement(catalog: &Catalog, q: &Query<'_>) -> Option<String> {
    let id = |i: &usize| catalog.rules[*i].id.as_str();
    let model: Answer<'_> = match catalog.resolution(&to_model(q)) {
        Resolution::Rule(i) => (Some(id(&i)), vec![], false),
        Resolution::Several { rules, unanswered } => {
            (None, rules.iter().map(id).collect(), unanswered)
        }
        Resolution::None => (None, vec![], false),
    };
    let d = diagnose(q);
    let matcher: Answer<'_> = (
        d.rule_id().map(RuleId::as_str),
        d.candidates().iter().map(|r| r.as_str()).collect(),
        d.several().is_some_and(|s| s.or_none),
    );
    (model != matcher).then(|| {
        format!("`debitura-triage diagnose {q}`: reference {model:?}, generated {matcher:?}")
    })
}

#[test]
fn agree_on_every_distinct_query() {
    let catalog = catalog();
    let queries = catalog.distinct_queries();
    assert!(queries.len() > 1000, "only {} queries", queries.len());
    assert_eq!(FIELDS, Field::ALL.len());
    // A model query no request can be (safe to resend, yet of an
    // operation none of whose requests is) is never asked.
    let asked: Vec<Query<'_>> = queries
        .iter()
        .filter_map(|m| to_library(&catalog.vocabulary, m))
        .collect();
    assert!(
        asked.len() * 10 > queries.len() * 9,
        "{} of {} asked",
        asked.len(),
        queries.len()
    );
    let bad: Vec<String> = asked
        .iter()
        .filter_map(|q| disagreement(catalog, q))
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {} queries disagree:\n{}",
        bad.len(),
        queries.len(),
        bad[..bad.len().min(20)].join("\n")
    );
    // Every rule is reached by some query.
    for rule in &catalog.rules {
        let reached = asked
            .iter()
            .any(|q| diagnose(q).rule_id().map(RuleId::as_str) == Some(rule.id.as_str()));
        assert!(reached, "no query reaches `{}`", rule.id);
    }
}

/// An answer is the library's to give in any program: its words name no
/// command-line flag, and the fields that would tell several rules apart
/// are data (`Field`), each a field the query left out.
#[test]
fn answers_speak_of_fields_not_flags() {
    let catalog = catalog();
    let (mut several, mut told) = (0, 0);
    for m in catalog.distinct_queries() {
        let Some(q) = to_library(&catalog.vocabulary, &m) else {
            continue;
        };
        let d = diagnose(&q);
        for text in [d.cause(), d.solution()] {
            assert!(!text.contains("--"), "`{q}` answers with a flag: {text}");
        }
        if let Some(s) = d.several() {
            several += 1;
            told += usize::from(!s.telling.is_empty());
            for field in s.telling {
                let given = match field {
                    LibraryField::Status => q.status.is_some(),
                    LibraryField::Operation => q.operation.is_some(),
                    LibraryField::Environment => q.environment.is_some(),
                    LibraryField::Auth => q.credential.is_some(),
                    LibraryField::Method => q.method.is_some(),
                    LibraryField::IdempotencyKey => q.idempotency_key.is_some(),
                    other => panic!("`{q}`: {other} cannot be left out and tell rules apart"),
                };
                assert!(!given, "`{q}` gives {field}, which it is told to give");
            }
        }
    }
    assert!(
        several > 1000 && told * 10 > several * 9,
        "{told} of {several} told"
    );
}

/// The library and the rule model derive the same safety to resend for
/// every operation, method and key.
#[test]
fn agree_on_whether_a_request_is_safe_to_send_twice() {
    let vocabulary = &catalog().vocabulary;
    let operations = Operation::ALL.iter().map(|o| Some(*o)).chain([None]);
    let (mut safe, mut unknown) = (0, 0);
    for op in operations {
        for method in [
            None,
            Some("GET"),
            Some("post"),
            Some("POST"),
            Some("PUT"),
            Some("PATCH"),
            Some("DELETE"),
            Some("HEAD"),
        ] {
            for key in [None, Some(false), Some(true)] {
                let mut q = Query::new();
                q.operation = op;
                q.method = method;
                q.idempotency_key = key;
                let model = vocabulary.safe_to_resend(op.map(Operation::as_str), method, key);
                assert_eq!(q.safe_to_resend(), model, "`{q}`");
                safe += usize::from(model == Some(true));
                unknown += usize::from(model.is_none());
            }
        }
    }
    assert!(safe > 0 && unknown > 0, "{safe} safe, {unknown} unknown");
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2048)
}

/// Values the rules name, plus noise.
fn pick(named: Vec<String>) -> impl Strategy<Value = Option<String>> {
    let named = if named.is_empty() {
        vec![String::new()]
    } else {
        named
    };
    prop_oneof![
        2 => Just(None),
        4 => proptest::sample::select(named).prop_map(Some),
        1 => "[A-Za-z :*.-]{0,12}".prop_map(Some),
    ]
}

fn named(catalog: &Catalog, field: Field) -> Vec<String> {
    let mut values: Vec<String> = catalog
        .rules
        .iter()
        .filter_map(|r| r.when.get(field))
        .flatten()
        .map(|v| v.trim_end_matches('*').to_string())
        .collect();
    values.sort();
    values.dedup();
    values
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn agree_on_random_queries(
        status in pick(named(catalog(), Field::Status)),
        error_type in pick(named(catalog(), Field::Type)),
        message in pick(named(catalog(), Field::Message)),
        suffix in "[a-z ]{0,3}",
        event in pick(named(catalog(), Field::Event)),
        symptom in proptest::option::of(proptest::sample::select(Symptom::ALL.to_vec())),
        operation in proptest::option::of(proptest::sample::select(Operation::ALL.to_vec())),
        environment in proptest::option::of(proptest::sample::select(Environment::ALL.to_vec())),
        after_token_refresh in any::<bool>(),
        status_noise in 100u16..600,
        method in proptest::option::of(proptest::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE", "post"])),
        idempotency_key in proptest::option::of(any::<bool>()),
        credential in proptest::option::of(proptest::sample::select(Credential::ALL.to_vec())),
    ) {
        let message = message.map(|m| m + &suffix);
        let mut q = Query::new();
        q.status = status.and_then(|s| s.parse().ok()).or(Some(status_noise).filter(|s| s % 7 == 0));
        q.error_type = error_type.as_deref();
        q.message = message.as_deref();
        q.event = event.as_deref();
        q.symptom = symptom;
        q.operation = operation;
        q.environment = environment;
        q.after_token_refresh = after_token_refresh;
        q.method = method;
        q.idempotency_key = idempotency_key;
        q.credential = credential;
        prop_assert_eq!(disagreement(catalog(), &q), None);
    }
}
