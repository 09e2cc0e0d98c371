//! `policy diff`'s core: what a change of rules does to the answers. Pairs of
//! fixture rule sets, one per kind of change, are snapshot-tested; random
//! edits are checked against a brute-force comparison of both rule sets.

use std::collections::BTreeSet;
use std::path::Path;

use debitura_triage_rules_model::diff::{diff, Group, PolicyDiff, Risk};
use debitura_triage_rules_model::model::resolve::Resolution;
use debitura_triage_rules_model::model::vocabulary::Resend;
use debitura_triage_rules_model::model::{Field, Query};
use debitura_triage_rules_model::{load, load_earlier, read_dir, Catalog, Code, Source};
use proptest::prelude::*;

fn fixture_sources() -> Vec<Source> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalog");
    read_dir(&dir, "fixture").expect("the fixture reads")
}

/// The fixture with `from` replaced by `to` in `file` (each must occur once).
fn edited(file: &str, edits: &[(&str, &str)]) -> Catalog {
    let mut sources = fixture_sources();
    let source = sources
        .iter_mut()
        .find(|s| s.display == format!("fixture/{file}"))
        .unwrap();
    for (from, to) in edits {
        assert_eq!(source.text.matches(from).count(), 1, "`{from}` in {file}");
        source.text = source.text.replace(from, to);
    }
    load(&sources).unwrap_or_else(|p| {
        panic!(
            "{}",
            p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

fn base() -> Catalog {
    load(&fixture_sources()).expect("the fixture loads")
}

/// The diff as the reviewer reads it: groups, riskiest first, with their queries.
fn shown(d: &PolicyDiff) -> String {
    let mut out = format!("{} queries compared\n", d.compared);
    for g in &d.groups {
        out += &format!(
            "{}: {} → {}: {} queries\n",
            g.risk,
            g.from,
            g.to,
            g.queries.len()
        );
        for q in &g.queries {
            out += &format!("  {q}\n");
        }
    }
    for (id, new) in &d.retired {
        out += &format!("retired {id} → {new:?}\n");
    }
    out
}

#[test]
fn risk_classes_have_names_and_descriptions_of_their_own() {
    let names: BTreeSet<&str> = Risk::ALL.iter().map(|r| r.as_str()).collect();
    assert_eq!(names.len(), Risk::ALL.len());
    assert_eq!(Risk::StopsRetrying.to_string(), "stops-retrying");
    assert!(Risk::RetriesMore.describe().contains("retries"));
    assert!(Risk::StopsRetrying.describe().contains("stops retrying"));
    assert!(Risk::Recognition.describe().contains("recognised"));
    assert!(Risk::OtherRule.describe().contains("another rule"));
    assert!(Risk::Rename.describe().contains("renamed"));
    assert!(Risk::Text.describe().contains("text"));
    // Riskiest first.
    let mut sorted = Risk::ALL;
    sorted.sort();
    assert_eq!(sorted, Risk::ALL);
}

#[test]
fn a_rule_set_compared_with_itself_changes_nothing() {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let real = load(&read_dir(&rules, "rules").unwrap()).unwrap();
    let d = diff(&real, &real);
    assert!(d.is_empty(), "{}", shown(&d));
    assert!(d.compared > 1000);
    assert!(diff(&base(), &base()).is_empty());
}

#[test]
fn each_kind_of_change_is_classified_and_grouped() {
    let cases: [(&str, Catalog, Risk); 7] = [
        (
            "retries-more",
            edited(
                "alpha.yaml",
                &[(
                    "    retry: never\n    when:\n      status: 409\n      type: null",
                    "    retry: backoff\n    when:\n      status: 409\n      type: null",
                )],
            ),
            Risk::RetriesMore,
        ),
        (
            "stops-retrying",
            edited(
                "alpha.yaml",
                &[(
                    "    retry: backoff\n    backoff: { attempts: 2, honour_retry_after: true }\n",
                    "    retry: never\n",
                )],
            ),
            Risk::StopsRetrying,
        ),
        (
            "retries-more-within-backoff",
            edited(
                "alpha.yaml",
                &[("{ attempts: 2, honour", "{ attempts: 4, honour")],
            ),
            Risk::RetriesMore,
        ),
        (
            "recognition",
            edited(
                "alpha.yaml",
                &[(
                    "      status: 409\n      type: null",
                    "      status: [409, 410]\n      type: null",
                )],
            ),
            Risk::Recognition,
        ),
        (
            "other-rule",
            edited(
                "alpha.yaml",
                &[
                    (
                        "      message: Currency is required\n",
                        "      message: Currency is missing\n",
                    ),
                    (
                        "message: Currency is required, operation",
                        "message: Currency is missing, operation",
                    ),
                ],
            ),
            Risk::OtherRule,
        ),
        (
            "rename",
            edited("alpha.yaml", &[("  - id: busy\n", "  - id: server-busy\n")]),
            Risk::Rename,
        ),
        (
            "text",
            edited(
                "alpha.yaml",
                &[("    cause: Busy.\n", "    cause: The server is busy.\n")],
            ),
            Risk::Text,
        ),
    ];
    for (name, current, risk) in cases {
        let d = diff(&base(), &current);
        assert!(!d.is_empty(), "{name}");
        // Complete queries change as the edit says; those that leave out
        // their status, operation or environment may also move between a
        // rule and "unrecognised" (see `answer`), which the snapshot shows.
        // A request property left out (the credential, whether the request
        // is safe to resend) names no failure, so it leaves a query complete.
        let with_status = |g: &Group| {
            g.queries
                .iter()
                .filter(|q| q.unknown_fields().iter().all(|f| f.is_request_property()))
                .count()
        };
        let total: usize = d.groups.iter().map(with_status).sum();
        let expected: usize = d
            .groups
            .iter()
            .filter(|g| g.risk == risk)
            .map(with_status)
            .sum();
        assert_eq!(expected, total, "{name}: {}", shown(&d));
        assert!(total > 1, "{name}: {}", shown(&d));
        insta::assert_snapshot!(name, shown(&d));
    }
}

/// A new rule that takes over a gone rule's queries and others too is not a rename.
#[test]
fn an_earlier_rule_set_loads_without_the_requirements_added_since() {
    // As the vocabulary was written before `resend:`: one write with the
    // former `idempotency_key`, one that says nothing.
    let mut sources = fixture_sources();
    rewrite(
        &mut sources,
        "vocabulary.yaml",
        "    resend: idempotency-key\n",
        "    idempotency_key: true\n",
    );
    rewrite(
        &mut sources,
        "vocabulary.yaml",
        "    resend: business-key\n",
        "",
    );
    let problems = load(&sources).expect_err("the current language refuses it");
    let mut codes: Vec<Code> = problems.iter().map(|p| p.code).collect();
    codes.sort();
    assert_eq!(codes, [Code::ResendUndeclared, Code::LegacyKey]);
    let earlier = load_earlier(&sources).unwrap_or_else(|p| panic!("{p:?}"));
    let resend = |name: &str| {
        earlier
            .vocabulary
            .operations
            .iter()
            .find(|o| o.name == name)
            .and_then(|o| o.resend)
    };
    assert_eq!(resend("create-case"), Some(Resend::IdempotencyKey));
    assert_eq!(resend("create-client"), Some(Resend::Unsafe));
    assert!(diff(&earlier, &base()).groups.is_empty());

    // Any other problem still stops it.
    rewrite(
        &mut sources,
        "vocabulary.yaml",
        "  - name: delete-client",
        "  - name: Delete-Client",
    );
    assert!(load_earlier(&sources).is_err());
}

#[test]
fn a_rule_that_also_takes_other_queries_is_not_a_rename() {
    let current = edited(
        "alpha.yaml",
        &[
            ("  - id: busy\n", "  - id: gateway\n"),
            ("      status: [502, 503]", "      status: [502, 503, 504]"),
        ],
    );
    let d = diff(&base(), &current);
    assert_eq!(d.count(Risk::Rename), 0, "{}", shown(&d));
    assert!(d.count(Risk::OtherRule) > 0, "{}", shown(&d));
    assert!(d.count(Risk::RetriesMore) > 0, "{}", shown(&d));
}

#[test]
fn a_retirement_is_listed() {
    let mut sources = fixture_sources();
    sources.push(Source {
        display: "fixture/lifecycle.yaml".into(),
        text: "released: [typed-conflict, other-typed-conflict, untyped-conflict, unknown-country, unknown-country-xx, exact-message, bad-request-on-case, referral-unauthorised, token-expired, link-invalid, test-only, busy, link-expired, duplicate-events, delivery-timeout]\nretired: []\n".into(),
    });
    let before = load(&sources).expect("loads with its lifecycle");
    rewrite(
        &mut sources,
        "alpha.yaml",
        "  - id: busy\n",
        "  - id: server-busy\n",
    );
    rewrite(
        &mut sources,
        "lifecycle.yaml",
        "delivery-timeout]",
        "delivery-timeout, server-busy]",
    );
    rewrite(
        &mut sources,
        "lifecycle.yaml",
        "retired: []",
        "retired:\n  - { id: busy, retired: 2026-11-26, replaced_by: server-busy }",
    );
    let after = load(&sources).unwrap_or_else(|p| panic!("{p:?}"));
    let d = diff(&before, &after);
    assert_eq!(
        d.retired,
        [("busy".to_string(), Some("server-busy".to_string()))]
    );
    insta::assert_snapshot!("retirement", shown(&d));

    // Compared with itself, a rule set retires nothing; a later retirement
    // is listed alone, not the one the base already had.
    assert!(diff(&after, &after).retired.is_empty());
    rewrite(
        &mut sources,
        "beta.yaml",
        "  - id: duplicate-events\n",
        "  - id: repeated-events\n",
    );
    rewrite(
        &mut sources,
        "lifecycle.yaml",
        "server-busy]",
        "server-busy, repeated-events]",
    );
    rewrite(
        &mut sources,
        "lifecycle.yaml",
        "replaced_by: server-busy }",
        "replaced_by: server-busy }\n  - { id: duplicate-events, retired: 2026-11-27, replaced_by: repeated-events }",
    );
    let later = load(&sources).unwrap_or_else(|p| panic!("{p:?}"));
    assert_eq!(
        diff(&after, &later).retired,
        [(
            "duplicate-events".to_string(),
            Some("repeated-events".to_string())
        )]
    );
}

/// `from` replaced by `to` in fixture file `file`, where it occurs once.
fn rewrite(sources: &mut [Source], file: &str, from: &str, to: &str) {
    let source = sources
        .iter_mut()
        .find(|s| s.display == format!("fixture/{file}"))
        .unwrap();
    assert_eq!(source.text.matches(from).count(), 1, "`{from}` in {file}");
    source.text = source.text.replace(from, to);
}

/// Every query of either rule set, checked one by one: the brute-force
/// answer to "which queries does the change affect".
fn brute_force(a: &Catalog, b: &Catalog) -> BTreeSet<Query> {
    let mut all: BTreeSet<Query> = if std::ptr::eq(a, real()) {
        real_queries().clone()
    } else {
        a.distinct_queries().into_iter().collect()
    };
    all.extend(b.distinct_queries());
    // The rule with its policy and text; or, when several fit, their ids.
    let answer = |c: &Catalog, q: &Query| match c.resolution(q) {
        Resolution::Rule(i) => {
            let r = &c.rules[i];
            (
                vec![
                    r.id.clone(),
                    r.retry.clone(),
                    r.cause.clone(),
                    r.solution.clone(),
                ],
                false,
            )
        }
        Resolution::Several { rules, unanswered } => (
            rules.iter().map(|&i| c.rules[i].id.clone()).collect(),
            unanswered,
        ),
        Resolution::None => (Vec::new(), false),
    };
    all.into_iter()
        .filter(|q| answer(a, q) != answer(b, q))
        .collect()
}

/// A random edit of a rule of the real catalog: its retry, a status, or its removal.
fn edit(real: &Catalog, rule: usize, kind: u8, retry: usize) -> Catalog {
    let mut c = real.clone();
    let index = rule % c.rules.len();
    let policies = ["never", "after-user-action", "token-refresh", "backoff"];
    match kind % 3 {
        0 => c.rules[index].retry = policies[retry % 4].to_string(),
        1 => {
            let mut when = c.rules[index].when.clone();
            if let Some(set) = when.get(Field::Status) {
                let mut set = set.clone();
                set.insert("599".into());
                when.set(Field::Status, set);
            }
            c.rules[index].when = when;
        }
        _ => {
            c.rules.remove(index);
        }
    }
    c
}

/// The real catalog's distinct queries, enumerated once.
fn real_queries() -> &'static BTreeSet<Query> {
    static QUERIES: std::sync::OnceLock<BTreeSet<Query>> = std::sync::OnceLock::new();
    QUERIES.get_or_init(|| real().distinct_queries().into_iter().collect())
}

fn real() -> &'static Catalog {
    static REAL: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
    REAL.get_or_init(|| {
        let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
        load(&read_dir(&rules, "rules").unwrap()).unwrap()
    })
}

proptest! {
    // Each case compares some 28 000 queries both ways; `PROPTEST_CASES`
    // runs more.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2)
    ))]

    #[test]
    fn the_diff_lists_exactly_the_queries_whose_answer_changed(rule in 0usize..200, kind in 0u8..3, retry in 0usize..4) {
        let current = edit(real(), rule, kind, retry);
        let d = diff(real(), &current);
        let listed: BTreeSet<Query> = d.groups.iter().flat_map(|g| g.queries.iter().cloned()).collect();
        prop_assert_eq!(listed.len(), d.groups.iter().map(|g| g.queries.len()).sum::<usize>());
        prop_assert_eq!(listed, brute_force(real(), &current));
    }
}
