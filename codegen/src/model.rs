//! The validated rule model and its matching semantics.
//!
//! Every field of a query is reduced to a string (`"409"`, `"create-case"`,
//! `"true"`), and every condition to a set of patterns over those strings, with
//! operations expanded to their descendants. A pattern is a literal, except that
//! a message pattern may end in `*` to accept every message with that prefix.
//! Matching, specificity, overlap and shadowing are set operations over
//! patterns, the same for every field.

use std::collections::BTreeSet;
use std::fmt;

use crate::vocabulary::{Bounds, Vocabulary};

/// The value standing for "the query names none" (no event, symptom, type or message).
pub const NONE: &str = "";

/// A character no rule text contains, appended to a prefix to make a message
/// that only the prefix's own pattern accepts.
const BEYOND: char = '\u{10FFFF}';

/// The fields a rule can test, in the order the generated matcher tests them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    // Symptom and event come first: every rule constrains them (to "none" by
    // default), so testing them first splits the catalog without copying rules.
    Symptom,
    Event,
    Status,
    Type,
    Message,
    Operation,
    AfterTokenRefresh,
    Environment,
}

/// How many fields a query has.
pub const FIELDS: usize = 8;

impl Field {
    pub const ALL: [Field; FIELDS] = [
        Field::Symptom,
        Field::Event,
        Field::Status,
        Field::Type,
        Field::Message,
        Field::Operation,
        Field::AfterTokenRefresh,
        Field::Environment,
    ];

    /// The key used in YAML (`when`, `examples`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Type => "type",
            Field::Message => "message",
            Field::Operation => "operation",
            Field::Event => "event",
            Field::Symptom => "symptom",
            Field::AfterTokenRefresh => "after_token_refresh",
            Field::Environment => "environment",
        }
    }

    /// Every value a query can carry in this field, when that set is closed.
    /// `None` in the list stands for a query that leaves the field out.
    pub fn closed_domain(self, vocabulary: &Vocabulary) -> Option<Vec<Option<String>>> {
        let names: Vec<&str> = match self {
            Field::AfterTokenRefresh => {
                return Some(vec![Some("false".into()), Some("true".into())])
            }
            Field::Operation => vocabulary.operation_names(),
            Field::Environment => vocabulary.environment_names(),
            _ => return None,
        };
        let mut domain: Vec<Option<String>> =
            names.into_iter().map(|n| Some(n.to_string())).collect();
        domain.push(None);
        Some(domain)
    }

    /// True for the fields a caller may not know: a query that leaves one
    /// out is answered from the fields it gives (see [`Catalog::resolve`]).
    /// Leaving out any other field states a fact: no type, no message, no
    /// event, no symptom, not after a token refresh.
    pub fn may_be_unknown(self) -> bool {
        matches!(self, Field::Status | Field::Operation | Field::Environment)
    }

    /// The value a query has in this field when it leaves the field out.
    /// [`NONE`] lets a rule require that a query names no event, symptom,
    /// type or message.
    pub fn absent_value(self) -> Option<&'static str> {
        match self {
            Field::AfterTokenRefresh => Some("false"),
            Field::Event | Field::Symptom | Field::Type | Field::Message => Some(NONE),
            _ => None,
        }
    }

    /// The prefix of a `prefix*` pattern; only message patterns have one.
    pub fn prefix_of(self, pattern: &str) -> Option<&str> {
        match self {
            Field::Message => pattern.strip_suffix('*'),
            _ => None,
        }
    }

    /// True when `pattern` accepts the query value `value`.
    pub fn accepts(self, pattern: &str, value: &str) -> bool {
        match self.prefix_of(pattern) {
            Some(prefix) => value != NONE && value.starts_with(prefix),
            None => pattern == value,
        }
    }

    /// True when every value `inner` accepts, `outer` accepts too.
    pub fn covers(self, outer: &str, inner: &str) -> bool {
        match self.prefix_of(outer) {
            Some(prefix) => inner != NONE && inner.starts_with(prefix),
            None => outer == inner,
        }
    }

    /// Query values that tell `patterns` apart: each pattern's own literal
    /// text, and for a prefix, a value no longer pattern accepts.
    fn representatives(self, patterns: &BTreeSet<String>) -> Vec<String> {
        let mut out = Vec::new();
        for p in patterns {
            match self.prefix_of(p) {
                Some(prefix) => {
                    out.push(prefix.to_string());
                    out.push(format!("{prefix}{BEYOND}"));
                }
                None => out.push(p.clone()),
            }
        }
        out
    }

    /// What a rule that leaves this field out accepts: `None` for anything.
    pub fn implicit_condition(self) -> Option<&'static str> {
        match self {
            Field::Event | Field::Symptom => Some(NONE),
            _ => None,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What a rule requires: per field, the accepted query values, or `None` for "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    accepted: [Option<BTreeSet<String>>; FIELDS],
}

impl Conditions {
    pub fn get(&self, field: Field) -> Option<&BTreeSet<String>> {
        self.accepted[field.index()].as_ref()
    }

    pub fn set(&mut self, field: Field, values: BTreeSet<String>) {
        self.accepted[field.index()] = Some(values);
    }

    /// True when the rule names nothing beyond what every rule implies.
    pub fn is_only_implicit(&self) -> bool {
        Field::ALL
            .iter()
            .all(|&f| match (self.get(f), f.implicit_condition()) {
                (None, _) => true,
                (Some(set), Some(implicit)) => set.len() == 1 && set.contains(implicit),
                (Some(_), None) => false,
            })
    }

    /// These conditions with the fields in `free` accepting anything.
    pub fn without(&self, free: &[Field]) -> Conditions {
        let mut out = self.clone();
        for &f in free {
            out.accepted[f.index()] = None;
        }
        out
    }

    /// True when a query that leaves `field` out matches (given that the rest does).
    fn accepts_left_out(&self, field: Field, value: Option<&str>) -> bool {
        match (self.get(field), value) {
            (None, _) => true,
            (Some(set), Some(v)) => set.iter().any(|p| field.accepts(p, v)),
            (Some(_), None) => false,
        }
    }

    /// True when `query` matches in every field but those in `free`.
    pub fn matches_except(&self, query: &Query, free: &[Field]) -> bool {
        Field::ALL.iter().all(|&f| {
            free.contains(&f)
                || match self.get(f) {
                    None => true,
                    Some(set) => query
                        .get(f)
                        .is_some_and(|v| set.iter().any(|p| f.accepts(p, v))),
                }
        })
    }

    pub fn matches(&self, query: &Query) -> bool {
        self.matches_except(query, &[])
    }

    /// True when every query this accepts is also accepted by `other`.
    pub fn is_within(&self, other: &Conditions) -> bool {
        Field::ALL
            .iter()
            .all(|&f| match (self.get(f), other.get(f)) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(mine), Some(theirs)) => {
                    mine.iter().all(|a| theirs.iter().any(|b| f.covers(b, a)))
                }
            })
    }

    /// A query both accept, if there is one.
    pub fn common_query(&self, other: &Conditions) -> Option<Query> {
        let mut query = Query::default();
        for f in Field::ALL {
            let value = match (self.get(f), other.get(f)) {
                (None, None) => None,
                (Some(s), None) | (None, Some(s)) => s
                    .iter()
                    .next()
                    .map(|p| f.prefix_of(p).unwrap_or(p).to_string()),
                (Some(a), Some(b)) => Some(meet(f, a, b)?),
            };
            query.values[f.index()] = value;
        }
        Some(query)
    }
}

/// A concrete question: one value (or nothing) per field.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Query {
    values: [Option<String>; FIELDS],
}

impl Query {
    pub fn get(&self, field: Field) -> Option<&str> {
        match self.values[field.index()].as_deref() {
            None => field.absent_value(),
            value => value,
        }
    }

    pub fn set(&mut self, field: Field, value: String) {
        self.values[field.index()] = Some(value);
    }

    /// The fields this query leaves out that a caller may not know.
    pub fn unknown_fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| f.may_be_unknown() && self.values[f.index()].is_none())
            .collect()
    }

    /// The fields this query gives at their "none" value (no type, not after
    /// a token refresh): known, but naming nothing.
    pub fn defaulted_fields(&self) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|&f| !f.may_be_unknown() && self.get(f) == f.absent_value())
            .collect()
    }

    pub fn after_token_refresh(&self) -> bool {
        self.get(Field::AfterTokenRefresh)
            .is_some_and(|v| v == "true")
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for field in Field::ALL {
            if field == Field::AfterTokenRefresh {
                if self.after_token_refresh() {
                    parts.push("after_token_refresh".to_string());
                }
            } else if let Some(v) = self.values[field.index()]
                .as_ref()
                .filter(|v| !v.is_empty())
            {
                parts.push(format!("{} {v}", field.key()));
            }
        }
        if parts.is_empty() {
            f.write_str("(empty query)")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// Where a rule was written: its first line, and the lines of the entries a
/// whole-catalog check may point at (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
    pub id_line: usize,
    /// The `see_also` line of each listed id (the same line for a flow list).
    pub see_also_lines: Vec<usize>,
    pub example_lines: Vec<usize>,
    pub counter_example_lines: Vec<usize>,
}

/// One section of the troubleshooting page, declared at the top of a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// File stem, e.g. `client-onboarding`.
    pub slug: String,
    pub title: String,
    /// Position on the troubleshooting page.
    pub order: u32,
    /// One line saying what the section covers.
    pub summary: String,
    /// Markdown shown above the section's table.
    pub intro: Option<String>,
    /// Markdown shown below the section's table.
    pub outro: Option<String>,
    /// Whether the section's table has a Cause column.
    pub show_cause: bool,
}

/// The header of the troubleshooting page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub title: String,
    pub intro: String,
}

/// One validated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    /// Index into [`Catalog::sections`].
    pub section: usize,
    pub title: String,
    pub cause: String,
    pub solution: String,
    /// A retry policy name from the vocabulary.
    pub retry: String,
    /// The rule's backoff bounds, when its policy backs off.
    pub backoff: Option<Bounds>,
    pub notes: Option<String>,
    pub see_also: Vec<String>,
    pub when: Conditions,
    pub examples: Vec<Query>,
    pub counter_examples: Vec<Query>,
    pub origin: Origin,
}

/// A rule id that is no longer a rule: when it was retired, and the rule
/// that answers its queries now, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retired {
    pub id: String,
    /// The date, `YYYY-MM-DD`.
    pub on: String,
    pub replaced_by: Option<String>,
    pub origin: Origin,
}

/// The ids ever released, and the retired ones: from the file that declares
/// `released:`. Ids once released are never lost or reused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// Each released id, with the file and line it is listed at.
    pub released: Vec<(String, Origin)>,
    pub retired: Vec<Retired>,
}

/// Every section and rule, sections in page order and rules in page order within them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The troubleshooting page's header, from the file that declares `page:`.
    pub page: Option<Page>,
    pub sections: Vec<Section>,
    pub rules: Vec<Rule>,
    /// Released and retired ids, when the rule set keeps them (`rules/` does).
    pub lifecycle: Option<Lifecycle>,
    /// The words the rules are written in.
    pub vocabulary: Vocabulary,
    /// The source catalogue's rows and the rules that answer them.
    pub coverage: Vec<crate::coverage::CoverageRow>,
}

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

/// A value of `field` that a pattern of each set accepts.
pub fn meet(field: Field, a: &BTreeSet<String>, b: &BTreeSet<String>) -> Option<String> {
    let literal = |p: &str| field.prefix_of(p).unwrap_or(p).to_string();
    a.iter().find_map(|x| {
        b.iter().find_map(|y| {
            if field.covers(x, y) {
                Some(literal(y))
            } else if field.covers(y, x) {
                Some(literal(x))
            } else {
                None
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

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
