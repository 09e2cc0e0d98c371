//! What a careful user would write instead of codegen, over the static rule
//! table the crate exports: a typed first-match interpreter (rules ordered
//! most specific first), and a map classifier keyed by status and type with a
//! fast hasher that checks the remaining conditions of a few candidates.

use debitura_triage::{Operation, Query, Rule, RuleId, Symptom, When, RULES};
use rustc_hash::{FxHashMap, FxHashSet};

/// Whether `w` accepts `q`, read straight off the table: an empty list
/// accepts anything, except `event` and `symptom`, which then require none;
/// `""` in `error_type` or `message` stands for "none". Whether the request
/// may be sent twice is the crate's to derive (`Query::safe_to_resend`).
pub fn matches(w: &When, q: &Query<'_>) -> bool {
    let error_type = q.error_type.unwrap_or("");
    let message = q.message.unwrap_or("");
    (w.status.is_empty() || q.status.is_some_and(|s| w.status.contains(&s)))
        && (w.error_type.is_empty() || w.error_type.contains(&error_type))
        && (w.message.is_empty() || w.message.iter().any(|p| accepts_message(p, message)))
        && (w.operation.is_empty() || q.operation.is_some_and(|op| covers(w.operation, op)))
        && named_or_none(w.event, q.event)
        && named_or_none(w.symptom, q.symptom.map(Symptom::as_str))
        && w.after_token_refresh
            .is_none_or(|b| b == q.after_token_refresh)
        && (w.environment.is_empty() || q.environment.is_some_and(|e| w.environment.contains(&e)))
        && (w.credential.is_empty() || q.credential.is_some_and(|c| w.credential.contains(&c)))
        && w.safe_to_resend
            .is_none_or(|safe| q.safe_to_resend() == Some(safe))
}

fn accepts_message(pattern: &str, message: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => !message.is_empty() && message.starts_with(prefix),
        None => pattern == message,
    }
}

/// `op`, or an operation it lies within, is listed.
fn covers(listed: &[Operation], op: Operation) -> bool {
    let mut at = Some(op);
    while let Some(op) = at {
        if listed.contains(&op) {
            return true;
        }
        at = op.parent();
    }
    false
}

fn named_or_none(listed: &[&str], value: Option<&str>) -> bool {
    let value = value.unwrap_or("");
    if listed.is_empty() {
        value.is_empty()
    } else {
        listed.contains(&value)
    }
}

/// Whether every query `a` accepts, `b` accepts too.
fn within(a: &When, b: &When) -> bool {
    fn list<T: PartialEq>(a: &[T], b: &[T]) -> bool {
        b.is_empty() || (!a.is_empty() && a.iter().all(|v| b.contains(v)))
    }
    let none = [""];
    let implicit = |l: &'static [&'static str]| if l.is_empty() { &none[..] } else { l };
    list(a.status, b.status)
        && list(a.error_type, b.error_type)
        && (b.message.is_empty()
            || (!a.message.is_empty()
                && a.message.iter().all(|pa| {
                    b.message.iter().any(|pb| match pb.strip_suffix('*') {
                        Some(prefix) => !pa.is_empty() && pa.starts_with(prefix),
                        None => pa == pb,
                    })
                })))
        && (b.operation.is_empty()
            || (!a.operation.is_empty() && a.operation.iter().all(|&op| covers(b.operation, op))))
        && implicit(a.event)
            .iter()
            .all(|v| implicit(b.event).contains(v))
        && implicit(a.symptom)
            .iter()
            .all(|v| implicit(b.symptom).contains(v))
        && (b.after_token_refresh.is_none() || a.after_token_refresh == b.after_token_refresh)
        && list(a.environment, b.environment)
        && list(a.credential, b.credential)
        && (b.safe_to_resend.is_none() || a.safe_to_resend == b.safe_to_resend)
}

/// The rules, each before every rule it lies within, so that the first
/// match is the most specific one.
fn most_specific_first() -> Vec<&'static Rule> {
    let mut left: Vec<&'static Rule> = RULES.iter().collect();
    let mut order = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let (ready, rest): (Vec<&Rule>, Vec<&Rule>) = left.iter().partition(|r| {
            !left
                .iter()
                .any(|o| o.id != r.id && within(&o.when, &r.when))
        });
        if ready.is_empty() {
            // Only possible with rules of equal conditions, which the build refuses.
            order.extend(rest);
            break;
        }
        order.extend(ready);
        left = rest;
    }
    order
}

/// A typed first-match interpreter.
pub struct Typed {
    order: Vec<&'static Rule>,
}

impl Typed {
    pub fn new() -> Self {
        Typed {
            order: most_specific_first(),
        }
    }

    pub fn find(&self, q: &Query<'_>) -> Option<RuleId> {
        self.order
            .iter()
            .find(|r| matches(&r.when, q))
            .map(|r| r.id)
    }
}

/// Keys for a status or type no rule names, and for "none".
const NO_STATUS: u16 = 0;
const OTHER_STATUS: u16 = 1;
const NO_TYPE: &str = "";
const OTHER_TYPE: &str = "\0other";

/// A map from (status, type) to the rules that can match such a query, most
/// specific first; the first of them whose other conditions hold answers.
pub struct MapClassifier {
    candidates: FxHashMap<(u16, &'static str), Box<[&'static Rule]>>,
    statuses: FxHashSet<u16>,
    types: FxHashSet<&'static str>,
}

impl MapClassifier {
    pub fn new() -> Self {
        let order = most_specific_first();
        let statuses: FxHashSet<u16> = RULES
            .iter()
            .flat_map(|r| r.when.status.iter().copied())
            .collect();
        let types: FxHashSet<&'static str> = RULES
            .iter()
            .flat_map(|r| r.when.error_type.iter().copied())
            .filter(|t| !t.is_empty())
            .collect();
        let mut candidates = FxHashMap::default();
        let status_keys = statuses.iter().copied().chain([NO_STATUS, OTHER_STATUS]);
        for status in status_keys {
            for &error_type in types.iter().chain(&[NO_TYPE, OTHER_TYPE]) {
                let fits: Vec<&'static Rule> = order
                    .iter()
                    .copied()
                    .filter(|r| {
                        let w = &r.when;
                        (w.status.is_empty() || w.status.contains(&status))
                            && (w.error_type.is_empty() || w.error_type.contains(&error_type))
                    })
                    .collect();
                candidates.insert((status, error_type), fits.into_boxed_slice());
            }
        }
        MapClassifier {
            candidates,
            statuses,
            types,
        }
    }

    pub fn find(&self, q: &Query<'_>) -> Option<RuleId> {
        let status = match q.status {
            None => NO_STATUS,
            Some(s) if self.statuses.contains(&s) => s,
            Some(_) => OTHER_STATUS,
        };
        let error_type = match q.error_type {
            None | Some("") => NO_TYPE,
            Some(t) => self.types.get(t).copied().unwrap_or(OTHER_TYPE),
        };
        self.candidates
            .get(&(status, error_type))?
            .iter()
            .find(|r| matches(&r.when, q))
            .map(|r| r.id)
    }
}
