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

pub mod index;
pub mod queries;
pub mod resolve;
pub mod vocabulary;

use vocabulary::{Bounds, Vocabulary};

/// The value standing for "the query names none" (no event, symptom, type or message).
pub const NONE: &str = "";

/// A character no rule text contains, appended to a prefix to make a message
/// that only the prefix's own pattern accepts.
const BEYOND: char = '\u{10FFFF}';

/// The fields a rule can test, in the order the generated matcher tests them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    // Symptom and event come first: every rule constrains them (to "none" by
    // default), so testing them first splits the catalog without copying rules.
    /// The named symptom (`no-response`, a webhook symptom).
    Symptom,
    /// The webhook event name.
    Event,
    /// The HTTP status.
    Status,
    /// The error type from the body.
    Type,
    /// The error message from the body.
    Message,
    /// The operation, which also covers its children.
    Operation,
    /// Whether the failing call followed a token refresh.
    AfterTokenRefresh,
    /// The environment the call went to.
    Environment,
    /// The credential the request carried (an API key, a bearer token).
    Credential,
    /// Whether the request that failed may be sent again without acting
    /// twice: derived by the library from its operation, method and
    /// `Idempotency-Key` (see the vocabulary's `resend:`).
    SafeToResend,
}

/// How many fields a query has.
pub const FIELDS: usize = 10;

impl Field {
    /// Every field, in matching order.
    pub const ALL: [Field; FIELDS] = [
        Field::Symptom,
        Field::Event,
        Field::Status,
        Field::Type,
        Field::Message,
        Field::Operation,
        Field::AfterTokenRefresh,
        Field::Environment,
        Field::Credential,
        Field::SafeToResend,
    ];

    /// The names a query gives this field by, as the library's `Field`
    /// names them: the YAML key, except that whether a request is safe to
    /// send again is told by its key and its method.
    pub fn query_names(self) -> Vec<&'static str> {
        match self {
            Field::SafeToResend => vec!["idempotency_key", "method"],
            _ => vec![self.key()],
        }
    }

    /// Every name a query gives, in the order a query lists its fields.
    pub fn query_fields() -> Vec<&'static str> {
        const ORDER: [Field; FIELDS] = [
            Field::Status,
            Field::Type,
            Field::Message,
            Field::Operation,
            Field::Event,
            Field::Symptom,
            Field::AfterTokenRefresh,
            Field::Environment,
            Field::Credential,
            Field::SafeToResend,
        ];
        ORDER.iter().flat_map(|f| f.query_names()).collect()
    }

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
            Field::Credential => "auth",
            Field::SafeToResend => "safe_to_resend",
        }
    }

    /// Every value a query can carry in this field, when that set is closed.
    /// `None` in the list stands for a query that leaves the field out.
    pub fn closed_domain(self, vocabulary: &Vocabulary) -> Option<Vec<Option<String>>> {
        let names: Vec<&str> = match self {
            Field::AfterTokenRefresh => {
                return Some(vec![Some("false".into()), Some("true".into())])
            }
            Field::SafeToResend => vec!["false", "true"],
            Field::Operation => vocabulary.operation_names(),
            Field::Environment => vocabulary.environment_names(),
            Field::Credential => vocabulary.credential_names(),
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
        matches!(
            self,
            Field::Status
                | Field::Operation
                | Field::Environment
                | Field::Credential
                | Field::SafeToResend
        )
    }

    /// True for the fields that describe the request rather than the
    /// failure (its credential, whether it is safe to send twice): they
    /// split a failure's answer, never point at one. A query that leaves
    /// one out is answered for each of its values, and where they differ,
    /// the rules of every value fit (see [`resolve::resolution`]).
    pub fn is_request_property(self) -> bool {
        matches!(self, Field::Credential | Field::SafeToResend)
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

    /// True for the yes-or-no fields, which a query leaves out to say no.
    pub fn is_flag(self) -> bool {
        matches!(self, Field::AfterTokenRefresh | Field::SafeToResend)
    }
}

/// What a rule requires: per field, the accepted query values, or `None` for "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    accepted: [Option<BTreeSet<String>>; FIELDS],
}

impl Conditions {
    /// The patterns `field` accepts; `None` accepts any value.
    pub fn get(&self, field: Field) -> Option<&BTreeSet<String>> {
        self.accepted[field.index()].as_ref()
    }

    /// Restricts `field` to `values`.
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

    /// True when every field of `query` is accepted.
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
    /// The value `field` has, if the query gives one.
    pub fn get(&self, field: Field) -> Option<&str> {
        match self.values[field.index()].as_deref() {
            None => field.absent_value(),
            value => value,
        }
    }

    /// Gives `field` the value `value`.
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

    /// Whether the query says the call followed a token refresh.
    pub fn after_token_refresh(&self) -> bool {
        self.flag(Field::AfterTokenRefresh)
    }

    /// Whether the query says the request is safe to send twice; `None`
    /// when it does not say.
    pub fn safe_to_resend(&self) -> Option<bool> {
        self.get(Field::SafeToResend).map(|v| v == "true")
    }

    /// A yes-or-no field's value.
    pub fn flag(&self, field: Field) -> bool {
        self.get(field).is_some_and(|v| v == "true")
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for field in Field::ALL {
            if field == Field::SafeToResend {
                if let Some(safe) = self.safe_to_resend() {
                    parts.push(format!("{} {safe}", field.key()));
                }
            } else if field.is_flag() {
                if self.flag(field) {
                    parts.push(field.key().to_string());
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

/// Where a rule was written: its first line, and the lines of the entries a
/// whole-catalog check may point at (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as diagnostics show it, e.g. `rules/webhooks.yaml`.
    pub file: String,
    /// The line the rule starts on.
    pub line: usize,
    /// The line of its `id:`.
    pub id_line: usize,
    /// The `see_also` line of each listed id (the same line for a flow list).
    pub see_also_lines: Vec<usize>,
    /// The line of each example.
    pub example_lines: Vec<usize>,
    /// The line of each counter-example.
    pub counter_example_lines: Vec<usize>,
}

/// One section of the troubleshooting page, declared at the top of a rules file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// File stem, e.g. `client-onboarding`.
    pub slug: String,
    /// Heading on the troubleshooting page.
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
    /// The page title.
    pub title: String,
    /// The paragraph under the title.
    pub intro: String,
}

/// One validated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable kebab-case id, never reused.
    pub id: String,
    /// Index into [`Catalog::sections`].
    pub section: usize,
    /// The failure as a reader would search for it (the table's Issue column).
    pub title: String,
    /// Why it happens.
    pub cause: String,
    /// What to do about it.
    pub solution: String,
    /// The troubleshooting page's own cause, where the rule's follows a newer source.
    pub page_cause: Option<String>,
    /// The troubleshooting page's own solution, where the rule's follows a newer source.
    pub page_solution: Option<String>,
    /// A retry policy name from the vocabulary.
    pub retry: String,
    /// The rule's backoff bounds, when its policy backs off.
    pub backoff: Option<Bounds>,
    /// Background, and which source the rule follows where sources disagree.
    pub notes: Option<String>,
    /// Ids of related rules.
    pub see_also: Vec<String>,
    /// What the rule requires of a query.
    pub when: Conditions,
    /// Queries that must resolve to this rule.
    pub examples: Vec<Query>,
    /// Queries that must not resolve to this rule.
    pub counter_examples: Vec<Query>,
    /// Where the rule was written.
    pub origin: Origin,
}

/// A rule id that is no longer a rule: when it was retired, and the rule
/// that answers its queries now, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retired {
    /// The retired id.
    pub id: String,
    /// The date, `YYYY-MM-DD`.
    pub on: String,
    /// The rule that answers the id's queries now, if any.
    pub replaced_by: Option<String>,
    /// Where the record is written.
    pub origin: Origin,
}

/// The ids ever released, and the retired ones: from the file that declares
/// `released:`. Ids once released are never lost or reused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lifecycle {
    /// Each released id, with the file and line it is listed at.
    pub released: Vec<(String, Origin)>,
    /// Each retirement record.
    pub retired: Vec<Retired>,
}

/// Every section and rule, sections in page order and rules in page order within them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The troubleshooting page's header, from the file that declares `page:`.
    pub page: Option<Page>,
    /// The sections, in page order.
    pub sections: Vec<Section>,
    /// The rules, in page order.
    pub rules: Vec<Rule>,
    /// Released and retired ids, when the rule set keeps them (`rules/` does).
    pub lifecycle: Option<Lifecycle>,
    /// The words the rules are written in.
    pub vocabulary: Vocabulary,
    /// The source catalogue's rows and the rules that answer them.
    pub coverage: Vec<CoverageRow>,
}

/// One row of the source catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    /// The area of the catalogue the row belongs to.
    pub group: String,
    /// The row, as a reader would look it up.
    pub row: String,
    /// The rules that answer it.
    pub rules: Vec<String>,
    /// Why the rules cover it only in part, when they do.
    pub note: Option<String>,
    /// The file and 1-based line of the row.
    pub file: String,
    /// The 1-based line of the row.
    pub line: usize,
}
