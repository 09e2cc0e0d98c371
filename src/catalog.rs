//! The rule catalog, compiled from `rules/*.yaml` at build time.

use crate::backoff::Backoff;
use crate::query::Query;
use crate::vocabulary::{Credential, Environment, Operation, Retry, RuleId};

/// One section of the troubleshooting page (one file under `rules/`).
#[derive(Debug)]
#[non_exhaustive]
pub struct Section {
    /// Stable slug, from the rules file name (`case-creation`).
    pub slug: &'static str,
    /// Heading on the troubleshooting page.
    pub title: &'static str,
    /// One line saying what the section covers.
    pub summary: &'static str,
    /// Markdown shown above the section's table on the troubleshooting page.
    pub intro: Option<&'static str>,
    /// Markdown shown below the section's table.
    pub outro: Option<&'static str>,
    /// Whether the section's table has a Cause column.
    pub show_cause: bool,
}

/// The header of the troubleshooting page.
#[derive(Debug)]
#[non_exhaustive]
pub struct Page {
    /// The page title.
    pub title: &'static str,
    /// The paragraph under the title.
    pub intro: &'static str,
}

/// What a rule requires of a query. An empty list (or `None`) accepts any
/// value, except that `event` and `symptom` then require none. In
/// `error_type` and `message` an empty string stands for "no type" / "no
/// message"; a message ending in `*` accepts every message with that prefix.
#[derive(Debug)]
#[non_exhaustive]
pub struct When {
    /// Accepted HTTP statuses.
    pub status: &'static [u16],
    /// Accepted error type strings, compared exactly.
    pub error_type: &'static [&'static str],
    /// Accepted error messages: exact, or a prefix followed by `*`.
    pub message: &'static [&'static str],
    /// Accepted operations; each also covers its children.
    pub operation: &'static [Operation],
    /// Accepted webhook event names.
    pub event: &'static [&'static str],
    /// Accepted symptom names.
    pub symptom: &'static [&'static str],
    /// Whether the failing call must (or must not) follow a token refresh.
    pub after_token_refresh: Option<bool>,
    /// Accepted environments.
    pub environment: &'static [Environment],
    /// Accepted credentials.
    pub credential: &'static [Credential],
    /// Whether the request must (or must not) be safe to send twice
    /// ([`Query::safe_to_resend`](crate::Query::safe_to_resend)).
    pub safe_to_resend: Option<bool>,
}

/// One known failure: when it applies, why it happens and what to do.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rule {
    /// Stable id.
    pub id: RuleId,
    /// The rules file the rule is written in, e.g. `rules/case-creation.yaml`.
    pub file: &'static str,
    /// The line of that file the rule starts on.
    pub line: u32,
    /// The section the rule belongs to.
    pub section: &'static Section,
    /// The failure as a reader would search for it (the table's Issue column).
    pub title: &'static str,
    /// Why it happens.
    pub cause: &'static str,
    /// What to do about it.
    pub solution: &'static str,
    /// The cause as Debitura's troubleshooting page words it, where the
    /// rule's follows a newer source; the generated page shows it.
    pub page_cause: Option<&'static str>,
    /// The solution as the troubleshooting page words it, where the rule's
    /// follows a newer source.
    pub page_solution: Option<&'static str>,
    /// Whether and how to retry.
    pub retry: Retry,
    /// The limits of automatic retries, for a rule whose policy backs off:
    /// its policy's defaults ([`Retry::default_backoff`]) or its own.
    pub backoff: Option<Backoff>,
    /// Background, and where sources disagree, which one the rule follows.
    pub notes: Option<&'static str>,
    /// Related rules.
    pub see_also: &'static [RuleId],
    /// The conditions under which the rule applies.
    pub when: When,
    /// Queries that resolve to this rule; each one is tested.
    pub examples: &'static [Query<'static>],
    /// Queries that must not resolve to this rule; each one is tested.
    pub counter_examples: &'static [Query<'static>],
}

/// A rule id that is no longer a rule. Its queries are answered by
/// `replaced_by` (which [`RuleId::from_id`] returns for it), or by no rule.
#[derive(Debug)]
#[non_exhaustive]
pub struct Retired {
    /// The id as it was released.
    pub id: &'static str,
    /// When it was retired, `YYYY-MM-DD`.
    pub on: &'static str,
    /// The rule that answers its queries now, if any.
    pub replaced_by: Option<RuleId>,
}

/// One row of the catalogue the rules were written from (`rules/coverage.yaml`),
/// with the rules that answer it: what the coverage page lists.
#[derive(Debug)]
#[non_exhaustive]
pub struct CoverageRow {
    /// The area of the catalogue the row belongs to.
    pub group: &'static str,
    /// The row, as a reader would look it up.
    pub row: &'static str,
    /// The rules that answer it.
    pub rules: &'static [RuleId],
    /// Why the rules cover it only in part, when they do.
    pub note: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// A rule as `rules --json` and the packages give it: `rule` (the id),
/// `section`, `title`, `cause`, `solution`, `as_on_page` (the page's own
/// words where they differ, else `null`), `retry`, `backoff`, `docs_url`,
/// `source` (`file`, `line`), `notes`, `see_also`, `when` (by field name;
/// `null` in `type` and `message` stands for "none"), `examples` and
/// `counter_examples` (queries by field name).
#[cfg(feature = "serde")]
impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("rule", &self.id)?;
        map.serialize_entry("section", self.section.title)?;
        map.serialize_entry("title", self.title)?;
        map.serialize_entry("cause", self.cause)?;
        map.serialize_entry("solution", self.solution)?;
        let on_page = (self.page_cause.is_some() || self.page_solution.is_some()).then_some(Pair(
            ("cause", self.page_cause),
            ("solution", self.page_solution),
        ));
        map.serialize_entry("as_on_page", &on_page)?;
        map.serialize_entry("retry", &self.retry)?;
        map.serialize_entry("backoff", &self.backoff)?;
        map.serialize_entry("docs_url", self.id.docs_url())?;
        map.serialize_entry("source", &Pair(("file", self.file), ("line", self.line)))?;
        map.serialize_entry("notes", &self.notes)?;
        map.serialize_entry("see_also", self.see_also)?;
        map.serialize_entry("when", &self.when)?;
        map.serialize_entry("examples", self.examples)?;
        map.serialize_entry("counter_examples", self.counter_examples)?;
        map.end()
    }
}

/// Two named values, as a map: the page's own words for a rule, where a
/// rule is written.
#[cfg(feature = "serde")]
struct Pair<A, B>((&'static str, A), (&'static str, B));

#[cfg(feature = "serde")]
impl<A: serde::Serialize, B: serde::Serialize> serde::Serialize for Pair<A, B> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry(self.0 .0, &self.0 .1)?;
        map.serialize_entry(self.1 .0, &self.1 .1)?;
        map.end()
    }
}

/// A rule's conditions by the query's field names; the keys a query gives
/// (`auth`, `type`), with `safe_to_resend`, which the library derives.
#[cfg(feature = "serde")]
impl serde::Serialize for When {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use crate::vocabulary::Field;
        use serde::ser::SerializeMap;

        // In `type` and `message` the empty string stands for "none".
        let none_or = |list: &'static [&'static str]| -> Vec<Option<&'static str>> {
            list.iter().map(|v| (!v.is_empty()).then_some(*v)).collect()
        };
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(Field::Status.as_str(), self.status)?;
        map.serialize_entry(Field::Type.as_str(), &none_or(self.error_type))?;
        map.serialize_entry(Field::Message.as_str(), &none_or(self.message))?;
        map.serialize_entry(Field::Operation.as_str(), self.operation)?;
        map.serialize_entry(Field::Event.as_str(), self.event)?;
        map.serialize_entry(Field::Symptom.as_str(), self.symptom)?;
        map.serialize_entry(Field::AfterTokenRefresh.as_str(), &self.after_token_refresh)?;
        map.serialize_entry("safe_to_resend", &self.safe_to_resend)?;
        map.serialize_entry(Field::Environment.as_str(), self.environment)?;
        map.serialize_entry(Field::Auth.as_str(), self.credential)?;
        map.end()
    }
}
