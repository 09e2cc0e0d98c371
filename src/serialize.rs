//! `Serialize` for the answers (feature `serde`). The keys are the CLI's
//! `--json` keys, which come from these impls.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::backoff::Backoff;
use crate::matcher::Diagnosis;
use crate::response::{Finding, ResponseDiagnosis};

/// Writes the keys every answer has.
fn diagnosis_entries<M: SerializeMap>(map: &mut M, d: &Diagnosis) -> Result<(), M::Error> {
    let rule = d.rule();
    map.serialize_entry("rule", &d.rule_id())?;
    map.serialize_entry("matched", &d.is_matched())?;
    if let Some(several) = d.several() {
        map.serialize_entry("several", several.rules)?;
        map.serialize_entry("or_none", &several.or_none)?;
        map.serialize_entry("telling", several.telling)?;
    }
    map.serialize_entry("section", &d.section().map(|s| s.title))?;
    map.serialize_entry("title", &rule.map(|r| r.title))?;
    map.serialize_entry("cause", d.cause())?;
    map.serialize_entry("solution", d.solution())?;
    map.serialize_entry("retry", &d.retry())?;
    map.serialize_entry("backoff", &rule.and_then(|r| r.backoff))?;
    map.serialize_entry("docs_url", &d.rule_id().map(|id| id.docs_url()))
}

/// `attempts`, `base_delay_ms`, `max_delay_ms`, `jitter_percent` and
/// `honour_retry_after`, as in `rules/vocabulary.yaml`.
impl Serialize for Backoff {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("attempts", &self.attempts)?;
        map.serialize_entry("base_delay_ms", &millis(self.base_delay))?;
        map.serialize_entry("max_delay_ms", &millis(self.max_delay))?;
        map.serialize_entry("jitter_percent", &self.jitter_percent)?;
        map.serialize_entry("honour_retry_after", &self.honour_retry_after)?;
        map.end()
    }
}

fn millis(d: core::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// `rule` (id or `null`), `matched`, and when several rules fit, `several`
/// (their ids), `or_none` and `telling` (the flags that would tell them
/// apart); then `section` (the rule's, or the one the fitting rules share),
/// `title`, `cause`, `solution`, `retry`, `backoff` (the bounds, or `null`)
/// and `docs_url`.
impl Serialize for Diagnosis {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        diagnosis_entries(&mut map, self)?;
        map.end()
    }
}

/// The keys of [`Diagnosis`], then `url` and `retry_after_secs` (absent when
/// unknown), `body` (the shape), `body_note` (when the body was not read
/// whole), `errors`, `errors_not_kept` (when some were dropped), `decided_by`
/// (the index in `errors`, or `null`) and `decision`.
impl Serialize for ResponseDiagnosis<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        diagnosis_entries(&mut map, &self.diagnosis())?;
        if let Some(url) = self.url() {
            map.serialize_entry("url", &Text(url))?;
        }
        if let Some(delay) = self.retry_after() {
            if delay.subsec_nanos() == 0 {
                map.serialize_entry("retry_after_secs", &delay.as_secs())?;
            } else {
                map.serialize_entry("retry_after_secs", &delay.as_secs_f64())?;
            }
        }
        map.serialize_entry("body", self.shape().as_str())?;
        if self.stop().is_partial() {
            map.serialize_entry("body_note", &Text(self.stop()))?;
        }
        let errors: Vec<FindingEntry<'_, '_>> = self
            .findings()
            .enumerate()
            .map(|(i, finding)| FindingEntry {
                finding,
                decisive: self.decided_by() == Some(i),
            })
            .collect();
        map.serialize_entry("errors", &errors)?;
        if self.dropped() > 0 {
            map.serialize_entry("errors_not_kept", &self.dropped())?;
        }
        map.serialize_entry("decided_by", &self.decided_by())?;
        map.serialize_entry("decision", self.decision().as_str())?;
        map.end()
    }
}

/// One error of a body, and whether it decided.
struct FindingEntry<'f, 'a> {
    finding: &'f Finding<'a>,
    decisive: bool,
}

impl Serialize for FindingEntry<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let f = self.finding;
        let mut map = serializer.serialize_map(Some(8))?;
        map.serialize_entry("source", f.source.as_str())?;
        map.serialize_entry("type", &f.error_type.map(Text))?;
        map.serialize_entry("message", &f.message.map(Text))?;
        map.serialize_entry("field", &f.field.map(Text))?;
        map.serialize_entry("solution_url", &f.solution_url.map(Text))?;
        map.serialize_entry("rule", &f.diagnosis.rule_id())?;
        map.serialize_entry("retry", &f.diagnosis.retry())?;
        map.serialize_entry("decisive", &self.decisive)?;
        map.end()
    }
}

/// Anything with `Display`, serialised as its text (JSON strings decoded).
struct Text<T>(T);

impl<T: core::fmt::Display> Serialize for Text<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0)
    }
}
