//! Resolution: which rule answers a query, and how often a rule resends.

use std::collections::BTreeSet;

use crate::model::vocabulary::Vocabulary;
use crate::model::{Catalog, Conditions, Field, Query, Rule};

/// What the catalog answers a query: one rule, several that fit what it
/// gives with none singled out, or none.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resolution {
    /// This rule answers.
    Rule(usize),
    /// The query fits these rules (each names what it tells beyond its
    /// status, and answers some way of completing the fields it leaves
    /// out), and none answers as it stands; `unanswered` when some
    /// completion has no rule, or only one that ignores what it tells.
    Several {
        /// The rules that fit, in catalog order.
        rules: Vec<usize>,
        /// Whether some completion has no fitting answer.
        unanswered: bool,
    },
    /// No rule fits.
    None,
}

impl Resolution {
    /// The answering rule, if one answers.
    pub fn rule(&self) -> Option<usize> {
        match self {
            Resolution::Rule(i) => Some(*i),
            _ => None,
        }
    }

    /// The retry policy a service follows: the rule's; when several fit,
    /// the most cautious of theirs, or the most cautious of all when some
    /// completion fits none; for none, the most cautious of all.
    pub fn retry<'c>(&self, vocabulary: &'c Vocabulary, rules: &'c [Rule]) -> &'c str {
        let cautious = vocabulary.retry.first().map_or("", |p| p.name.as_str());
        match self {
            Resolution::Rule(i) => &rules[*i].retry,
            Resolution::Several {
                rules: fit,
                unanswered: false,
            } => fit
                .iter()
                .map(|&i| rules[i].retry.as_str())
                .min_by_key(|r| vocabulary.eagerness(r))
                .unwrap_or(cautious),
            Resolution::Several { .. } | Resolution::None => cautious,
        }
    }
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
        self.resolution(query).rule()
    }

    /// What the catalog answers `query`: [`resolve`](Catalog::resolve)'s
    /// rule, or else the rules the query fits, or none.
    pub fn resolution(&self, query: &Query) -> Resolution {
        let unknown = query.unknown_fields();
        let defaulted = query.defaulted_fields();
        let consistent: Vec<usize> = (0..self.rules.len())
            .filter(|&i| self.rules[i].when.matches_except(query, &unknown))
            .collect();
        resolution(
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
    let unnamed = unnamed(unknown, defaulted);
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
    let telling = |i: &usize| tells(&rules[*i], &unnamed);
    let singled = match within_all.as_slice() {
        [only] => Some(*only).filter(telling),
        _ => None,
    };
    singled.filter(cautious).or(generic.filter(cautious))
}

/// [`answer`], or else the rules the query fits: every rule that answers
/// some completion of it.
///
/// A request property the query leaves out (its credential, whether it is
/// safe to send twice) is never filled in with a convenient value: the
/// query is answered for each value it may have, and where the answers
/// differ, the rules of every answer fit, told apart by that property.
pub fn resolution(
    vocabulary: &Vocabulary,
    rules: &[Rule],
    consistent: &[usize],
    unknown: &[Field],
    defaulted: &[Field],
) -> Resolution {
    if let Some(field) = unknown.iter().copied().find(|f| f.is_request_property()) {
        let rest: Vec<Field> = unknown.iter().copied().filter(|&f| f != field).collect();
        let values: Vec<String> = field
            .closed_domain(vocabulary)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        if values.is_empty() {
            // A vocabulary that lists none: the property cannot decide.
            return resolution(vocabulary, rules, consistent, &rest, defaulted);
        }
        let answers: BTreeSet<Resolution> = values
            .iter()
            .map(|value| {
                let still: Vec<usize> = consistent
                    .iter()
                    .copied()
                    .filter(|&i| rules[i].when.accepts_left_out(field, Some(value)))
                    .collect();
                resolution(vocabulary, rules, &still, &rest, defaulted)
            })
            .collect();
        return merge(answers);
    }
    if let Some(i) = answer(vocabulary, rules, consistent, unknown, defaulted) {
        return Resolution::Rule(i);
    }
    let (possible, unanswered) = possible_answers(rules, consistent, unknown);
    // The rules that name what the query tells fit it; the others would
    // answer only by ignoring it, as a completion without an answer does.
    let unnamed = unnamed(unknown, defaulted);
    let (fit, others): (Vec<usize>, Vec<usize>) = possible
        .into_iter()
        .partition(|&i| tells(&rules[i], &unnamed));
    if fit.is_empty() {
        return Resolution::None;
    }
    Resolution::Several {
        rules: fit,
        unanswered: unanswered || !others.is_empty(),
    }
}

/// One answer for the answers to each value of a request property: theirs
/// when they agree, else every rule any of them names, and whether one of
/// them has none.
fn merge(answers: BTreeSet<Resolution>) -> Resolution {
    if answers.len() == 1 {
        return answers.into_iter().next().unwrap_or(Resolution::None);
    }
    let mut fit = BTreeSet::new();
    let mut unanswered = false;
    for answer in answers {
        match answer {
            Resolution::Rule(i) => {
                fit.insert(i);
            }
            Resolution::Several {
                rules,
                unanswered: none,
            } => {
                fit.extend(rules);
                unanswered |= none;
            }
            Resolution::None => unanswered = true,
        }
    }
    if fit.is_empty() {
        return Resolution::None;
    }
    Resolution::Several {
        rules: fit.into_iter().collect(),
        unanswered,
    }
}

/// The fields that say nothing of which failure it is: those left out, those
/// at their "none" value, and the request properties (which split a
/// failure's answer but never point at one).
fn unnamed(unknown: &[Field], defaulted: &[Field]) -> Vec<Field> {
    let mut out: Vec<Field> = unknown.iter().chain(defaulted).copied().collect();
    for field in Field::ALL {
        if field.is_request_property() && !out.contains(&field) {
            out.push(field);
        }
    }
    out
}

/// True when `rule` names a field the query gives, beyond its status: what
/// singles a rule out, or makes it fit.
fn tells(rule: &Rule, unnamed: &[Field]) -> bool {
    Field::ALL
        .iter()
        .any(|f| f != &Field::Status && !unnamed.contains(f) && rule.when.get(*f).is_some())
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
