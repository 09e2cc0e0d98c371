//! What a change of rules does: over the union of both rule sets' distinct
//! queries, every query whose answer changed (rule, retry policy, cause or
//! solution), grouped by transition and ordered by risk.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::model::index::Index;
use crate::model::resolve::Resolution;
use crate::model::{Catalog, Query, Rule};

/// How much a change can hurt the services that follow the answers, the
/// riskiest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Risk {
    /// Retries where it did not, or more aggressively: a retry storm.
    RetriesMore,
    /// Stops retrying where it did: work that used to recover is lost.
    StopsRetrying,
    /// A rule now answers where none did, or none where one did.
    Recognition,
    /// Another rule answers, with the same retry policy.
    OtherRule,
    /// A rule was renamed: its queries now get the new id, same policy.
    Rename,
    /// The same rule and policy, with another cause or solution.
    Text,
}

impl Risk {
    /// Every class, riskiest first.
    pub const ALL: [Risk; 6] = [
        Risk::RetriesMore,
        Risk::StopsRetrying,
        Risk::Recognition,
        Risk::OtherRule,
        Risk::Rename,
        Risk::Text,
    ];

    /// The name used by `--fail-on` and in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Risk::RetriesMore => "retries-more",
            Risk::StopsRetrying => "stops-retrying",
            Risk::Recognition => "recognition",
            Risk::OtherRule => "other-rule",
            Risk::Rename => "rename",
            Risk::Text => "text",
        }
    }

    /// What the class means, for a reader of the report.
    pub const fn describe(self) -> &'static str {
        match self {
            Risk::RetriesMore => "retries where it did not, or more aggressively",
            Risk::StopsRetrying => "stops retrying where it did",
            Risk::Recognition => "recognised where it was not, or the reverse",
            Risk::OtherRule => "another rule, the same retry policy",
            Risk::Rename => "a renamed rule",
            Risk::Text => "the same rule and policy, other cause or solution text",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The answer to one query: a rule id and its policy, the rules that fit
/// when several do, or unrecognised.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Outcome {
    /// The rule that answers, or `None`.
    pub rule: Option<String>,
    /// The rules that fit when several do and none answers; empty otherwise.
    pub several: Vec<String>,
    /// The retry policy of the answer.
    pub retry: String,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(rule) => write!(f, "{rule} ({})", self.retry),
            None if !self.several.is_empty() => {
                write!(
                    f,
                    "several fit: {} ({})",
                    self.several.join(", "),
                    self.retry
                )
            }
            None => write!(f, "unrecognised ({})", self.retry),
        }
    }
}

/// One catalog's answer to one query.
struct Seen<'c> {
    rule: Option<&'c Rule>,
    resolution: Resolution,
}

/// All the queries that made one transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// How much the change could hurt a service that follows it.
    pub risk: Risk,
    /// The answer before the change.
    pub from: Outcome,
    /// The answer after it.
    pub to: Outcome,
    /// The queries whose answer changed this way.
    pub queries: Vec<Query>,
}

/// Everything a change of rules does to the answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyDiff {
    /// Distinct queries compared (the union of both sets').
    pub compared: usize,
    /// Groups, riskiest first, then by transition.
    pub groups: Vec<Group>,
    /// Ids retired by the change, with their replacement.
    pub retired: Vec<(String, Option<String>)>,
}

impl PolicyDiff {
    /// True when the change moves no answer and retires no id.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.retired.is_empty()
    }

    /// Changed queries in groups of `risk`.
    pub fn count(&self, risk: Risk) -> usize {
        self.groups
            .iter()
            .filter(|g| g.risk == risk)
            .map(|g| g.queries.len())
            .sum()
    }
}

/// How readily a rule sends the request again: its policy's place in its
/// vocabulary (listed from the most cautious to the most eager), then how
/// many times it resends. An unrecognised answer is never retried.
fn eagerness(catalog: &Catalog, seen: &Seen<'_>) -> (usize, u32) {
    match seen.rule {
        Some(r) => (catalog.vocabulary.eagerness(&r.retry), catalog.resends(r)),
        None => {
            let retry = seen.resolution.retry(&catalog.vocabulary, &catalog.rules);
            (catalog.vocabulary.eagerness(retry), 0)
        }
    }
}

/// The answer as a service sees it. An unrecognised answer follows the most
/// cautious policy.
fn outcome(catalog: &Catalog, seen: &Seen<'_>) -> Outcome {
    Outcome {
        rule: seen.rule.map(|r| r.id.clone()),
        several: several_ids(catalog, &seen.resolution),
        retry: seen
            .resolution
            .retry(&catalog.vocabulary, &catalog.rules)
            .to_string(),
    }
}

/// The ids of the rules that fit, when several do.
fn several_ids(catalog: &Catalog, resolution: &Resolution) -> Vec<String> {
    match resolution {
        Resolution::Several { rules, .. } => {
            rules.iter().map(|&i| catalog.rules[i].id.clone()).collect()
        }
        _ => Vec::new(),
    }
}

/// What changes between `base` and `current`, query by query.
pub fn diff(base: &Catalog, current: &Catalog) -> PolicyDiff {
    let queries: BTreeSet<Query> = base
        .distinct_queries()
        .into_iter()
        .chain(current.distinct_queries())
        .collect();
    // Each query reaches only its leaves of an index, with the answers of
    // `Catalog::resolve`.
    let (base_index, current_index) = (Index::new(&base.rules), Index::new(&current.rules));
    fn answer<'c>(catalog: &'c Catalog, index: &Index, q: &Query) -> Seen<'c> {
        let resolution = index.resolution(&catalog.vocabulary, q);
        Seen {
            rule: resolution.rule().map(|i| &catalog.rules[i]),
            resolution,
        }
    }
    let changes: Vec<(&Query, Seen<'_>, Seen<'_>)> = queries
        .iter()
        .map(|q| {
            (
                q,
                answer(base, &base_index, q),
                answer(current, &current_index, q),
            )
        })
        .filter(|(_, b, c)| changed(base, current, b, c))
        .collect();
    let rules_changed: Vec<(&Query, Option<&Rule>, Option<&Rule>)> = changes
        .iter()
        .map(|(q, b, c)| (*q, b.rule, c.rule))
        .collect();
    let renames = renames(base, current, &rules_changed);
    let mut grouped: BTreeMap<(Risk, Outcome, Outcome), Vec<Query>> = BTreeMap::new();
    for (query, b, c) in &changes {
        let risk = risk(
            eagerness(base, b),
            eagerness(current, c),
            b.rule,
            c.rule,
            &renames,
        );
        grouped
            .entry((risk, outcome(base, b), outcome(current, c)))
            .or_default()
            .push((*query).clone());
    }
    let retired = current
        .lifecycle
        .iter()
        .flat_map(|l| &l.retired)
        .filter(|r| {
            !base
                .lifecycle
                .iter()
                .flat_map(|l| &l.retired)
                .any(|o| o.id == r.id)
        })
        .map(|r| (r.id.clone(), r.replaced_by.clone()))
        .collect();
    PolicyDiff {
        compared: queries.len(),
        groups: grouped
            .into_iter()
            .map(|((risk, from, to), queries)| Group {
                risk,
                from,
                to,
                queries,
            })
            .collect(),
        retired,
    }
}

/// Whether a service would act or speak differently.
fn changed(base: &Catalog, current: &Catalog, b: &Seen<'_>, c: &Seen<'_>) -> bool {
    match (b.rule, c.rule) {
        (None, None) => {
            let unanswered = |s: &Seen<'_>| {
                matches!(
                    s.resolution,
                    Resolution::Several {
                        unanswered: true,
                        ..
                    }
                )
            };
            (several_ids(base, &b.resolution), unanswered(b))
                != (several_ids(current, &c.resolution), unanswered(c))
        }
        (Some(b), Some(c)) => {
            (
                b.id.as_str(),
                b.retry.as_str(),
                b.backoff,
                b.cause.as_str(),
                b.solution.as_str(),
            ) != (
                c.id.as_str(),
                c.retry.as_str(),
                c.backoff,
                c.cause.as_str(),
                c.solution.as_str(),
            )
        }
        _ => true,
    }
}

fn risk(
    before: (usize, u32),
    after: (usize, u32),
    b: Option<&Rule>,
    c: Option<&Rule>,
    renames: &BTreeSet<(String, String)>,
) -> Risk {
    match (b, c) {
        _ if after > before => Risk::RetriesMore,
        _ if after < before => Risk::StopsRetrying,
        (Some(b), Some(c)) if b.id == c.id => Risk::Text,
        (Some(b), Some(c)) if renames.contains(&(b.id.clone(), c.id.clone())) => Risk::Rename,
        (Some(_), Some(_)) => Risk::OtherRule,
        _ => Risk::Recognition,
    }
}

/// Pairs (old id, new id) where a rule gone from `current` had all its
/// queries taken over by one rule new in `current`, which answers no other
/// query that changed.
fn renames(
    base: &Catalog,
    current: &Catalog,
    changes: &[(&Query, Option<&Rule>, Option<&Rule>)],
) -> BTreeSet<(String, String)> {
    let gone = |id: &str| !current.rules.iter().any(|r| r.id == id);
    let new = |id: &str| !base.rules.iter().any(|r| r.id == id);
    let mut pairs: BTreeMap<&str, BTreeSet<Option<&str>>> = BTreeMap::new();
    let mut takers: BTreeMap<&str, BTreeSet<Option<&str>>> = BTreeMap::new();
    for (_, b, c) in changes {
        if let Some(b) = b.filter(|b| gone(&b.id)) {
            pairs
                .entry(&b.id)
                .or_default()
                .insert(c.map(|c| c.id.as_str()));
        }
        if let Some(c) = c.filter(|c| new(&c.id)) {
            takers
                .entry(&c.id)
                .or_default()
                .insert(b.map(|b| b.id.as_str()));
        }
    }
    pairs
        .into_iter()
        .filter_map(
            |(old, to)| match to.into_iter().collect::<Vec<_>>().as_slice() {
                [Some(new_id)] if takers.get(new_id).is_some_and(|from| from.len() == 1) => {
                    Some((old.to_string(), (*new_id).to_string()))
                }
                _ => None,
            },
        )
        .collect()
}
