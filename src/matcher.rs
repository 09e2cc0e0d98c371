//! Classification: a query in, a diagnosis out. Pure, allocation-free.

use crate::catalog::{Rule, Section};
use crate::lookup::lookup;
use crate::query::Query;
use crate::vocabulary::{Retry, RuleId};

/// The answer to a [`Query`]: the matching rule, or an explicit "unrecognised".
///
/// Two answers are equal when they name the same rule for the same status.
/// `Debug` is short (rule id, retry, status); the rule itself is reachable
/// through [`Diagnosis::rule`].
#[derive(Clone, Copy)]
#[must_use]
pub struct Diagnosis {
    rule: Option<&'static Rule>,
    status: Option<u16>,
}

impl PartialEq for Diagnosis {
    fn eq(&self, other: &Self) -> bool {
        (self.rule_id(), self.status) == (other.rule_id(), other.status)
    }
}

impl Eq for Diagnosis {}

impl core::hash::Hash for Diagnosis {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        (self.rule_id(), self.status).hash(state);
    }
}

impl core::fmt::Debug for Diagnosis {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Diagnosis")
            .field("rule", &self.rule_id().map(RuleId::as_str))
            .field("retry", &self.retry().as_str())
            .field("status", &self.status)
            .finish()
    }
}

impl Diagnosis {
    /// The matching rule, or `None` when the failure is unrecognised.
    #[inline]
    pub fn rule(&self) -> Option<&'static Rule> {
        self.rule
    }

    /// The matching rule's id.
    #[inline]
    pub fn rule_id(&self) -> Option<RuleId> {
        self.rule.map(|r| r.id)
    }

    /// The HTTP status the answer was given for, if the query had one.
    #[inline]
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// True when a rule matched.
    #[inline]
    pub fn is_matched(&self) -> bool {
        self.rule.is_some()
    }

    /// The matching rule's section.
    #[inline]
    pub fn section(&self) -> Option<&'static Section> {
        self.rule.map(|r| r.section)
    }

    /// What to do about retrying. An unrecognised failure is never retried:
    /// repeating a request nobody understands risks duplicating its effects.
    #[inline]
    pub fn retry(&self) -> Retry {
        self.rule.map_or(Retry::Never, |r| r.retry)
    }

    /// Why the failure happened.
    #[inline]
    pub fn cause(&self) -> &'static str {
        match self.rule {
            Some(rule) => rule.cause,
            None => unrecognised(self.status).0,
        }
    }

    /// What to do about it.
    #[inline]
    pub fn solution(&self) -> &'static str {
        match self.rule {
            Some(rule) => rule.solution,
            None => unrecognised(self.status).1,
        }
    }
}

/// Cause and solution for a failure no rule covers, by status class.
fn unrecognised(status: Option<u16>) -> (&'static str, &'static str) {
    match status {
        Some(400..=499) => (
            "No rule in the catalog matches this client error.",
            "Do not retry automatically. Read the response body's error type and message, fix the request or the account, and report the case so a rule can be added.",
        ),
        Some(500..=599) => (
            "No rule in the catalog matches this server error.",
            "Do not retry automatically. Check the response body, and contact Debitura support if it persists.",
        ),
        _ => (
            "No rule in the catalog matches this failure.",
            "Do not retry automatically. Check the status, error type and operation you passed, or see `debitura-triage rules` for the known failures.",
        ),
    }
}

/// Classifies a failure. Pure and allocation-free: a compiled decision tree
/// over the query's fields picks the most specific matching rule.
///
/// ```
/// use debitura_triage::{diagnose, Operation, Query, Retry, RuleId};
///
/// let d = diagnose(&Query::new().status(401).operation(Operation::CreateCase));
/// assert_eq!(d.rule_id(), Some(RuleId::BearerTokenExpired));
/// assert_eq!(d.retry(), Retry::TokenRefresh);
///
/// // The same failure right after a refresh is a different rule.
/// let again = Query::new().status(401).operation(Operation::CreateCase).after_token_refresh(true);
/// assert_eq!(diagnose(&again).retry(), Retry::Never);
///
/// // Nothing matches: an explicit "unrecognised" answer, never retried.
/// let unknown = diagnose(&Query::new().status(418).error_type("TeapotOverflow"));
/// assert!(!unknown.is_matched());
/// assert_eq!(unknown.retry(), Retry::Never);
/// ```
#[inline]
pub fn diagnose(query: &Query<'_>) -> Diagnosis {
    Diagnosis {
        rule: lookup(query).map(RuleId::rule),
        status: query.status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unrecognised_answer_follows_the_status_class() {
        let client = "No rule in the catalog matches this client error.";
        let server = "No rule in the catalog matches this server error.";
        let other = "No rule in the catalog matches this failure.";
        let cases = [
            (Some(399), other),
            (Some(400), client),
            (Some(499), client),
            (Some(500), server),
            (Some(599), server),
            (Some(600), other),
            (None, other),
        ];
        for (status, cause) in cases {
            let d = Diagnosis { rule: None, status };
            assert_eq!(d.cause(), cause, "{status:?}");
            assert!(d.solution().starts_with("Do not retry automatically."));
            assert_eq!(d.retry(), Retry::Never);
            assert!(!d.is_matched() && d.rule_id().is_none() && d.section().is_none());
        }
        let solutions: Vec<&str> = [Some(400), Some(500), None]
            .map(|status| Diagnosis { rule: None, status }.solution())
            .to_vec();
        assert!(solutions[0].contains("fix the request"));
        assert!(solutions[1].contains("contact Debitura support"));
        assert!(solutions[2].contains("debitura-triage rules"));
    }

    #[test]
    fn a_matched_answer_carries_its_rule() {
        use crate::vocabulary::Operation;

        let d = diagnose(&Query::new().status(401).operation(Operation::CreateCase));
        let rule = d.rule().expect("a 401 on case creation is known");
        assert!(d.is_matched());
        assert_eq!(d.rule_id(), Some(rule.id));
        assert_eq!((d.cause(), d.solution()), (rule.cause, rule.solution));
        assert_eq!(d.retry(), Retry::TokenRefresh);
        assert!(core::ptr::eq(d.section().unwrap(), rule.section));
    }

    #[test]
    fn a_delivery_error_is_a_message_under_its_symptom() {
        let q = Query::new().delivery_error("Request timed out after 10 seconds");
        assert_eq!(
            q.symptom,
            Some(crate::vocabulary::Symptom::WebhookDeliveryFailed.as_str())
        );
        assert_eq!(q.message, Some("Request timed out after 10 seconds"));
        assert!(diagnose(&q).is_matched());
    }
}
