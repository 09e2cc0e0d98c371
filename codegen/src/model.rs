//! The validated rule model and its matching semantics.
//!
//! Every field of a query is reduced to a string (`"409"`, `"create-case"`,
//! `"true"`), and every condition to the set of query values it accepts, with
//! operations expanded to their descendants. Matching, specificity, overlap and
//! shadowing are then plain set operations, the same for every field.

use std::collections::BTreeSet;
use std::fmt;

use crate::vocab;

/// The value standing for "the query names no event / no symptom".
pub const NONE: &str = "";

/// The fields a rule can test, in the order the generated matcher tests them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Field {
    // Symptom and event come first: every rule constrains them (to "none" by
    // default), so testing them first splits the catalog without copying rules.
    Symptom,
    Event,
    Status,
    Type,
    Operation,
    AfterTokenRefresh,
    Environment,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Symptom,
        Field::Event,
        Field::Status,
        Field::Type,
        Field::Operation,
        Field::AfterTokenRefresh,
        Field::Environment,
    ];

    /// The key used in YAML (`when`, `examples`).
    pub fn key(self) -> &'static str {
        match self {
            Field::Status => "status",
            Field::Type => "type",
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
    /// Event and symptom name what was observed, so a rule that names neither
    /// requires a query that names neither: the empty string stands for "none".
    pub fn absent_value(self) -> Option<&'static str> {
        match self {
            Field::AfterTokenRefresh => Some("false"),
            Field::Event | Field::Symptom => Some(NONE),
            _ => None,
        }
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
    accepted: [Option<BTreeSet<String>>; 7],
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
            Some(set) => query.get(f).is_some_and(|v| set.contains(v)),
        })
    }

    /// True when every query this accepts is also accepted by `other`.
    pub fn is_within(&self, other: &Conditions) -> bool {
        Field::ALL
            .iter()
            .all(|&f| match (self.get(f), other.get(f)) {
                (_, None) => true,
                (None, Some(_)) => false,
                (Some(mine), Some(theirs)) => mine.is_subset(theirs),
            })
    }

    /// A query both accept, if there is one.
    pub fn common_query(&self, other: &Conditions) -> Option<Query> {
        let mut query = Query::default();
        for f in Field::ALL {
            let value = match (self.get(f), other.get(f)) {
                (None, None) => None,
                (Some(s), None) | (None, Some(s)) => s.iter().next().cloned(),
                (Some(a), Some(b)) => Some(a.intersection(b).next()?.clone()),
            };
            query.values[f.index()] = value;
        }
        Some(query)
    }
}

/// A concrete question: one value (or nothing) per field.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Query {
    values: [Option<String>; 7],
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

/// Where a rule was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
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

/// Every section and rule, sections in page order and rules in page order within them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The troubleshooting page's header, from the file that declares `page:`.
    pub page: Option<Page>,
    pub sections: Vec<Section>,
    pub rules: Vec<Rule>,
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
