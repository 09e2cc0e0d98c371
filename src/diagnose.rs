//! Classification: a query in, a diagnosis out. Pure, allocation-free.

use crate::catalog::{Rule, Section};
use crate::found::{Found, Several};
use crate::lookup::lookup;
use crate::query::Query;
use crate::vocabulary::{Retry, RuleId};

/// The answer to a [`Query`]: the matching rule; or the several rules that
/// fit what the query gives, none of them singled out
/// ([`Diagnosis::several`]); or an explicit "unrecognised" when none fits.
///
/// Two answers are equal when they name the same rule (or the same rules)
/// for the same status. `Debug` is short (rule id, retry, status); the rule
/// itself is reachable through [`Diagnosis::rule`].
#[derive(Clone, Copy)]
#[must_use]
pub struct Diagnosis {
    rule: Option<&'static Rule>,
    several: Option<&'static Several>,
    status: Option<u16>,
}

impl PartialEq for Diagnosis {
    fn eq(&self, other: &Self) -> bool {
        (self.rule_id(), self.candidates(), self.status)
            == (other.rule_id(), other.candidates(), other.status)
    }
}

impl Eq for Diagnosis {}

impl core::hash::Hash for Diagnosis {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        (self.rule_id(), self.candidates(), self.status).hash(state);
    }
}

impl core::fmt::Debug for Diagnosis {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("Diagnosis");
        d.field("rule", &self.rule_id().map(RuleId::as_str));
        if let Some(several) = self.several {
            d.field("several", &Ids(several.rules));
        }
        d.field("retry", &self.retry().as_str())
            .field("status", &self.status)
            .finish()
    }
}

/// Rule ids as a `Debug` list of their names.
struct Ids(&'static [RuleId]);

impl core::fmt::Debug for Ids {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|r| r.as_str()))
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

    /// The rules that fit what the query gives when none of them is singled
    /// out: each answers some way of filling in the fields it left out (the
    /// status, operation or environment). `None` when one rule answers, or
    /// none fits.
    ///
    /// ```
    /// use debitura_triage::{diagnose, Query, Retry, RuleId};
    ///
    /// let d = diagnose(&Query::new().error_type("NoPartnerAvailable"));
    /// let several = d.several().expect("two rules fit");
    /// assert!(several.rules.contains(&RuleId::NoPartnerAvailable));
    /// assert_eq!(d.retry(), Retry::Never);
    /// assert!(!d.is_matched() && !d.is_unrecognised());
    /// ```
    #[inline]
    pub fn several(&self) -> Option<&'static Several> {
        self.several
    }

    /// The rules that fit when several do, else none.
    #[inline]
    pub fn candidates(&self) -> &'static [RuleId] {
        self.several.map_or(&[], |s| s.rules)
    }

    /// True when no rule fits at all.
    #[inline]
    pub fn is_unrecognised(&self) -> bool {
        self.rule.is_none() && self.several.is_none()
    }

    /// The matching rule's section, or the one every fitting rule shares.
    #[inline]
    pub fn section(&self) -> Option<&'static Section> {
        if let Some(rule) = self.rule {
            return Some(rule.section);
        }
        let (first, rest) = self.candidates().split_first()?;
        let section = first.rule().section;
        rest.iter()
            .all(|r| core::ptr::eq(r.rule().section, section))
            .then_some(section)
    }

    /// What to do about retrying. When several rules fit, the most cautious
    /// of their policies. An unrecognised failure is never retried:
    /// repeating a request nobody understands risks duplicating its effects.
    #[inline]
    pub fn retry(&self) -> Retry {
        match (self.rule, self.several) {
            (Some(rule), _) => rule.retry,
            (None, Some(several)) => several.retry,
            (None, None) => Retry::Never,
        }
    }

    /// Why the failure happened.
    #[inline]
    pub fn cause(&self) -> &'static str {
        match (self.rule, self.several) {
            (Some(rule), _) => rule.cause,
            (None, Some(several)) => several.cause(),
            (None, None) => unrecognised(self.status).0,
        }
    }

    /// What to do about it.
    #[inline]
    pub fn solution(&self) -> &'static str {
        match (self.rule, self.several) {
            (Some(rule), _) => rule.solution,
            (None, Some(several)) => several.solution(),
            (None, None) => unrecognised(self.status).1,
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
/// use debitura_triage::{diagnose, Credential, Operation, Query, Retry, RuleId};
///
/// let sent = Query::new().status(401).operation(Operation::CreateCase);
/// let d = diagnose(&sent.credential(Credential::Bearer));
/// assert_eq!(d.rule_id(), Some(RuleId::BearerTokenExpired));
/// assert_eq!(d.retry(), Retry::TokenRefresh);
///
/// // The same failure right after a refresh is a different rule.
/// let again = sent.credential(Credential::Bearer).after_token_refresh(true);
/// assert_eq!(diagnose(&again).retry(), Retry::Never);
///
/// // Nothing unsaid is assumed: with the credential left out, a refresh
/// // and a refused key both fit, and the cautious answer stands.
/// let d = diagnose(&sent);
/// assert!(d.candidates().contains(&RuleId::CustomerApiKeyRejected));
/// assert_eq!(d.retry(), Retry::Never);
///
/// // Nothing matches: an explicit "unrecognised" answer, never retried.
/// let unknown = diagnose(&Query::new().status(418).error_type("TeapotOverflow"));
/// assert!(!unknown.is_matched());
/// assert_eq!(unknown.retry(), Retry::Never);
/// ```
#[inline]
pub fn diagnose(query: &Query<'_>) -> Diagnosis {
    let (rule, several) = match lookup(query) {
        Found::Rule(id) => (Some(id.rule()), None),
        Found::Several(several) => (None, Some(several)),
        Found::None => (None, None),
    };
    Diagnosis {
        rule,
        several,
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
            let d = Diagnosis {
                rule: None,
                several: None,
                status,
            };
            assert_eq!(d.cause(), cause, "{status:?}");
            assert!(d.solution().starts_with("Do not retry automatically."));
            assert_eq!(d.retry(), Retry::Never);
            assert!(!d.is_matched() && d.rule_id().is_none() && d.section().is_none());
        }
        let solutions: Vec<&str> = [Some(400), Some(500), None]
            .map(|status| {
                Diagnosis {
                    rule: None,
                    several: None,
                    status,
                }
                .solution()
            })
            .to_vec();
        assert!(solutions[0].contains("fix the request"));
        assert!(solutions[1].contains("contact Debitura support"));
        assert!(solutions[2].contains("debitura-triage rules"));
    }

    #[test]
    fn a_matched_answer_carries_its_rule() {
        use crate::vocabulary::Operation;

        let d = diagnose(
            &Query::new()
                .status(401)
                .operation(Operation::CreateCase)
                .credential(crate::vocabulary::Credential::Bearer),
        );
        let rule = d
            .rule()
            .expect("a 401 on case creation with a token is known");
        assert!(d.is_matched());
        assert_eq!(d.rule_id(), Some(rule.id));
        assert_eq!((d.cause(), d.solution()), (rule.cause, rule.solution));
        assert_eq!(d.retry(), Retry::TokenRefresh);
        assert!(core::ptr::eq(d.section().unwrap(), rule.section));
    }

    #[test]
    fn whether_a_request_is_safe_to_resend_never_decides_which_failure_it_is() {
        use crate::vocabulary::Operation;

        // The type alone singles its rule out, however safe the request.
        for q in [
            Query::new().error_type("ClientExistsNeedsLinking"),
            Query::new()
                .error_type("ClientExistsNeedsLinking")
                .method("GET"),
            Query::new()
                .status(409)
                .error_type("ClientExistsNeedsLinking")
                .operation(Operation::CreateClient),
        ] {
            assert_eq!(
                diagnose(&q).rule_id(),
                Some(RuleId::ClientExistsNeedsLinking),
                "{q}"
            );
        }
    }

    #[test]
    fn a_delivery_error_is_a_message_under_its_symptom() {
        let q = Query::new().delivery_error("Request timed out after 10 seconds");
        assert_eq!(
            q.symptom,
            Some(crate::vocabulary::Symptom::WebhookDeliveryFailed)
        );
        assert_eq!(q.message, Some("Request timed out after 10 seconds"));
        assert!(diagnose(&q).is_matched());
    }
}
