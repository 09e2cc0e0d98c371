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

use crate::vocab;

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
    pub fn closed_domain(self) -> Option<Vec<Option<String>>> {
        let names: Vec<&str> = match self {
            Field::AfterTokenRefresh => {
                return Some(vec![Some("false".into()), Some("true".into())])
            }
            Field::Operation => vocab::OPERATIONS.iter().map(|o| o.0).collect(),
            Field::Environment => vocab::ENVIRONMENTS.iter().map(|e| e.0).collect(),
            _ => return None,
        };
        let mut domain: Vec<Option<String>> =
            names.into_iter().map(|n| Some(n.to_string())).collect();
        domain.push(None);
        Some(domain)
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

    pub fn matches(&self, query: &Query) -> bool {
        Field::ALL.iter().all(|&f| match self.get(f) {
            None => true,
            Some(set) => query
                .get(f)
                .is_some_and(|v| set.iter().any(|p| f.accepts(p, v))),
        })
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
    /// A retry policy name from [`vocab::RETRY`].
    pub retry: String,
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
}

impl Catalog {
    /// The rule that answers `query`: among the rules that match, the one whose
    /// conditions lie within all the others'. This is the definition the
    /// generated matcher must agree with; it scans every rule.
    pub fn resolve(&self, query: &Query) -> Option<usize> {
        let matching: Vec<usize> = (0..self.rules.len())
            .filter(|&i| self.rules[i].when.matches(query))
            .collect();
        most_specific(&self.rules, &matching)
    }
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
    field: Field,
    outer: Option<&BTreeSet<String>>,
    inner: &[&Conditions],
) -> Vec<Option<String>> {
    if let (None, Some(domain)) = (outer, field.closed_domain()) {
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

    fn names(domain: Option<Vec<Option<String>>>) -> Option<Vec<String>> {
        domain.map(|d| {
            d.into_iter()
                .map(|v| v.unwrap_or_else(|| "(left out)".into()))
                .collect()
        })
    }

    #[test]
    fn closed_fields_list_every_value_they_can_take() {
        assert_eq!(
            names(Field::AfterTokenRefresh.closed_domain()),
            Some(vec!["false".into(), "true".into()])
        );
        let operations = names(Field::Operation.closed_domain()).unwrap();
        assert_eq!(operations.len(), vocab::OPERATIONS.len() + 1);
        assert!(operations.iter().any(|o| o == "create-case"));
        assert_eq!(operations.last().map(String::as_str), Some("(left out)"));
        let environments = names(Field::Environment.closed_domain()).unwrap();
        assert_eq!(environments, ["test", "production", "(left out)"]);
        for open in [
            Field::Status,
            Field::Type,
            Field::Message,
            Field::Event,
            Field::Symptom,
        ] {
            assert_eq!(open.closed_domain(), None, "{open:?}");
        }
    }
}
