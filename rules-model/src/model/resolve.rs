//! Resolution: which rule answers a query, and how often a rule resends.

use std::collections::BTreeSet;

use crate::model::vocabulary::Vocabulary;
use crate::model::{Catalog, Conditions, Field, Query, Rule};

impl Catalog {
    /// The rule that answers `query`. This is the definition the generated
    /// matcher must agree with; it scans every rule.
    ///
    /// When the query gives every field it may leave out, the answer is,
    /// among the rules that match, the one whose conditions lie within all
    /// the others'. When it leaves out its status, operation or environment,
    /// see [`answer`].
    pub fn resolve(&self, query: &Query) -> Option<usize> {
        let unknown = query.unknown_fields();
        let defaulted = query.defaulted_fields();
        let consistent: Vec<usize> = (0..self.rules.len())
            .filter(|&i| self.rules[i].when.matches_except(query, &unknown))
            .collect();
        answer(
            &self.vocabulary,
            &self.rules,
            &consistent,
            &unknown,
            &defaulted,
        )
    }

    /// How many times a service following `rule` sends a request again on
    /// its own.
    pub fn resends(&self, rule: &Rule) -> u32 {
        resends(&self.vocabulary, rule)
    }
}

/// How many times a service following `rule` sends the request again on its
/// own: its bounds' attempts after the first, or its policy's `resends`.
pub fn resends(vocabulary: &Vocabulary, rule: &Rule) -> u32 {
    match rule.backoff {
        Some(bounds) => bounds.attempts.saturating_sub(1),
        None => vocabulary
            .retry_policy(&rule.retry)
            .map_or(0, |policy| policy.resends),
    }
}

/// The answer to a query that leaves the fields in `unknown` out, among the
/// `consistent` rules: those that accept every field it gives.
///
/// Had the query given those fields, it could have reached each of several
/// rules (its *possible answers*). When one of them lies within all the
/// others in the fields the query names (its `defaulted` fields, given at
/// their "none" value, such as no type or not after a token refresh, name
/// nothing), and names one of them besides the status, the query singles it
/// out and it answers. Otherwise the rule that matches the query as it
/// stands (one that names none of the unknown fields) answers, if any.
/// Either answer stands only when it resends no more than every possible
/// answer would (a completion no rule answers counts as one that resends
/// nothing); if neither does, no rule answers (unrecognised, never
/// retried).
pub fn answer(
    vocabulary: &Vocabulary,
    rules: &[Rule],
    consistent: &[usize],
    unknown: &[Field],
    defaulted: &[Field],
) -> Option<usize> {
    let exact: Vec<usize> = consistent
        .iter()
        .copied()
        .filter(|&i| unknown.iter().all(|&f| rules[i].when.get(f).is_none()))
        .collect();
    let generic = most_specific(rules, &exact);
    if unknown.is_empty() {
        return generic;
    }
    let (possible, unanswered) = possible_answers(rules, consistent, unknown);
    let possible: Vec<usize> = possible.into_iter().collect();
    // An unrecognised completion resends nothing.
    let least = possible
        .iter()
        .map(|&i| resends(vocabulary, &rules[i]))
        .chain(unanswered.then_some(0))
        .min()
        .unwrap_or(0);
    let cautious = |i: &usize| resends(vocabulary, &rules[*i]) <= least;
    let unnamed: Vec<Field> = unknown.iter().chain(defaulted).copied().collect();
    let given: Vec<Conditions> = possible
        .iter()
        .map(|&i| rules[i].when.without(&unnamed))
        .collect();
    let within_all: Vec<usize> = (0..possible.len())
        .filter(|&a| given.iter().all(|b| given[a].is_within(b)))
        .map(|a| possible[a])
        .collect();
    // A rule is singled out by what the query tells beyond its status: a
    // rule that only accepts the status is left when nothing else fits, which
    // points at nothing.
    let telling = |i: &usize| {
        Field::ALL.iter().any(|f| {
            f != &Field::Status && !unnamed.contains(f) && rules[*i].when.get(*f).is_some()
        })
    };
    let singled = match within_all.as_slice() {
        [only] => Some(*only).filter(telling),
        _ => None,
    };
    singled.filter(cautious).or(generic.filter(cautious))
}

/// Every rule that answers some completion of the query (each unknown field
/// set to a value one of `consistent` names, or left out), and whether some
/// completion has no answer.
fn possible_answers(
    rules: &[Rule],
    consistent: &[usize],
    unknown: &[Field],
) -> (BTreeSet<usize>, bool) {
    // Field by field, keeping the rules each value leaves: a field no rule
    // left names takes one branch, since its value changes nothing.
    fn explore(
        rules: &[Rule],
        left: &[usize],
        unknown: &[Field],
        out: &mut (BTreeSet<usize>, bool),
    ) {
        let Some((&field, rest)) = unknown.split_first() else {
            match most_specific(rules, left) {
                Some(i) => {
                    out.0.insert(i);
                }
                None => out.1 = true,
            }
            return;
        };
        let values: BTreeSet<&str> = left
            .iter()
            .filter_map(|&i| rules[i].when.get(field))
            .flatten()
            .map(String::as_str)
            .collect();
        if values.is_empty() {
            return explore(rules, left, rest, out);
        }
        for value in std::iter::once(None).chain(values.into_iter().map(Some)) {
            let still: Vec<usize> = left
                .iter()
                .copied()
                .filter(|&i| rules[i].when.accepts_left_out(field, value))
                .collect();
            explore(rules, &still, rest, out);
        }
    }
    let mut out = (BTreeSet::new(), false);
    explore(rules, consistent, unknown, &mut out);
    out
}

/// The candidate whose conditions lie within every other candidate's, if any.
pub fn most_specific(rules: &[Rule], candidates: &[usize]) -> Option<usize> {
    candidates.iter().copied().find(|&i| {
        candidates
            .iter()
            .all(|&j| rules[i].when.is_within(&rules[j].when))
    })
}

/// Candidate values of `field` for a search over the queries `outer` accepts,
/// given rules `inner` that may cover them: enough to reach every distinct
/// outcome, and `None` (the field left out) when `outer` accepts anything.
pub fn candidates(
    vocabulary: &Vocabulary,
    field: Field,
    outer: Option<&BTreeSet<String>>,
    inner: &[&Conditions],
) -> Vec<Option<String>> {
    if let (None, Some(domain)) = (outer, field.closed_domain(vocabulary)) {
        return domain;
    }
    let mut patterns: BTreeSet<String> = inner
        .iter()
        .filter_map(|c| c.get(field))
        .flatten()
        .cloned()
        .collect();
    if let Some(set) = outer {
        patterns.extend(set.iter().cloned());
    }
    let mut values: Vec<Option<String>> = field
        .representatives(&patterns)
        .into_iter()
        .filter(|v| outer.is_none_or(|set| set.iter().any(|p| field.accepts(p, v))))
        .map(Some)
        .collect();
    values.sort();
    values.dedup();
    // "Left out" first: it is the value most often accepted by `outer` alone,
    // which ends a search for an uncovered query at once.
    if outer.is_none() {
        values.insert(0, None);
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;
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
  - { name: op-a1, parent: api-a, description: A1. }
  - { name: op-a2, parent: api-a, description: A2. }
  - { name: api-b, description: B. }
  - { name: op-b1, parent: api-b, description: B1. }
environments:
  - { name: test, description: T. }
  - { name: production, description: P. }
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
            "{ status: 401, operation: api-b }",
            "{ status: 401, operation: op-b1 }",
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
            ask(&c, &[(Field::Status, "401"), (Field::Operation, "op-b1")]).as_deref(),
            Some("token")
        );
        // "Not after a token refresh" is given by default and names no rule.
        let token = &c.rules[4];
        assert!(token.when.get(Field::AfterTokenRefresh).is_none());
        assert_eq!(c.resends(token), 1);
        assert_eq!(c.resends(&c.rules[6]), 2);
        assert_eq!(c.resends(&c.rules[7]), 0);
    }
}
