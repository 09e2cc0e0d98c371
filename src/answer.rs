//! The answer as owned data, with its field names chosen once: what the
//! CLI's `--json`, the Python and Node packages, the conformance suite and
//! the reqwest layer's error expose. With the `serde` feature it serialises
//! under the names its `Serialize` impls below write, each the field's own
//! (`FindingAnswer::error_type` as `type`); the Node package turns them to
//! camelCase. The impls are written out, not derived, so that no crate that
//! serialises answers compiles a proc-macro.

use crate::backoff::Backoff;
use crate::diagnose::Diagnosis;
use crate::response::{BodyShape, Decision, ErrorSource, ResponseDiagnosis};
use crate::vocabulary::Field;
use crate::vocabulary::{Retry, RuleId};

/// What a failure means and what to do, as owned data
/// ([`Diagnosis::answer`]). Every field is always there: `None`, `false` or
/// empty where there is nothing.
///
/// ```
/// use debitura_triage::{diagnose, Query, Retry, RuleId};
///
/// let a = diagnose(&Query::new().status(409).error_type("ClientExistsNeedsLinking")).answer();
/// assert_eq!(a.rule, Some(RuleId::ClientExistsNeedsLinking));
/// assert_eq!(a.retry, Retry::AfterUserAction);
/// assert!(a.matched && a.several.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Answer {
    /// The rule that matched; `None` when none did or several fit.
    pub rule: Option<RuleId>,
    /// Whether one rule matched.
    pub matched: bool,
    /// The rules that fit when the query says too little to tell them apart.
    pub several: Vec<RuleId>,
    /// When several fit: whether some way of filling in the query has no rule.
    pub or_none: bool,
    /// When several fit: the fields left out that would tell them apart.
    pub telling: Vec<Field>,
    /// The section of the troubleshooting page, if one applies.
    pub section: Option<&'static str>,
    /// The rule's title.
    pub title: Option<&'static str>,
    /// Why it happens.
    pub cause: &'static str,
    /// What to do about it.
    pub solution: &'static str,
    /// Whether and how to retry.
    pub retry: Retry,
    /// The bounds of the retries, for a rule that backs off.
    pub backoff: Option<Backoff>,
    /// Where the rule is explained.
    pub docs_url: Option<&'static str>,
}

impl Diagnosis {
    /// The answer as owned data, for a program or a language that does not
    /// hold the catalog's references.
    pub fn answer(&self) -> Answer {
        let several = self.several();
        Answer {
            rule: self.rule_id(),
            matched: self.is_matched(),
            several: self.candidates().to_vec(),
            or_none: several.is_some_and(|s| s.or_none),
            telling: several.map_or_else(Vec::new, |s| s.telling.to_vec()),
            section: self.section().map(|s| s.title),
            title: self.rule().map(|r| r.title),
            cause: self.cause(),
            solution: self.solution(),
            retry: self.retry(),
            backoff: self.rule().and_then(|r| r.backoff),
            docs_url: self.rule_id().map(RuleId::docs_url),
        }
    }
}

/// What a response means, as owned data ([`ResponseDiagnosis::answer`]):
/// the [`Answer`] for the error that decided, and what the body said.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResponseAnswer {
    /// The answer for the error that decided (or for the status and context).
    pub answer: Answer,
    /// The URL to show the user (a signing or approval link), if the body has one.
    pub url: Option<String>,
    /// How long the server asked to wait, in seconds, if it said.
    pub retry_after_secs: Option<f64>,
    /// The body's shape.
    pub body: BodyShape,
    /// Why the body was not read whole, if it was not.
    pub body_note: Option<String>,
    /// Every error the body reported, in order.
    pub findings: Vec<FindingAnswer>,
    /// Errors beyond those kept, counted but not read.
    pub findings_not_kept: usize,
    /// The index in `findings` of the error that decided, if one did.
    pub decided_by: Option<usize>,
    /// How the deciding error was chosen.
    pub decision: Decision,
}

/// One error a body reported, and how it alone is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FindingAnswer {
    /// Where in the body it was found.
    pub source: ErrorSource,
    /// Its error type, if the body gives one.
    pub error_type: Option<String>,
    /// Its message, if any.
    pub message: Option<String>,
    /// The field it concerns, for field-validation messages.
    pub field: Option<String>,
    /// Its `solutionUrl`, if any.
    pub solution_url: Option<String>,
    /// The rule it alone matches, if any.
    pub rule: Option<RuleId>,
    /// Its retry policy on its own.
    pub retry: Retry,
    /// Whether it decided the answer.
    pub decisive: bool,
}

impl ResponseDiagnosis<'_> {
    /// The answer as owned data, the body's text decoded.
    ///
    /// ```
    /// use debitura_triage::{diagnose_response, Query, RuleId};
    ///
    /// let body = br#"{"businessErrors":[{"type":"MissingPowerOfAttorney"}]}"#;
    /// let a = diagnose_response(422, body, &Query::new()).answer();
    /// assert_eq!(a.answer.rule, Some(RuleId::MissingPowerOfAttorney));
    /// assert_eq!(a.findings[0].error_type.as_deref(), Some("MissingPowerOfAttorney"));
    /// ```
    pub fn answer(&self) -> ResponseAnswer {
        let text = |t: Option<crate::JsonStr<'_>>| t.map(|t| t.to_string());
        ResponseAnswer {
            answer: self.diagnosis().answer(),
            url: text(self.url()),
            retry_after_secs: self.retry_after().map(|d| d.as_secs_f64()),
            body: self.shape(),
            body_note: self.stop().is_partial().then(|| self.stop().to_string()),
            findings: self
                .findings()
                .enumerate()
                .map(|(i, f)| FindingAnswer {
                    source: f.source,
                    error_type: text(f.error_type),
                    message: text(f.message),
                    field: text(f.field),
                    solution_url: text(f.solution_url),
                    rule: f.diagnosis.rule_id(),
                    retry: f.diagnosis.retry(),
                    decisive: self.decided_by() == Some(i),
                })
                .collect(),
            findings_not_kept: self.dropped(),
            decided_by: self.decided_by(),
            decision: self.decision(),
        }
    }
}

#[cfg(feature = "serde")]
mod serialize {
    use serde::ser::{SerializeMap, Serializer};
    use serde::Serialize;

    use super::{Answer, FindingAnswer, ResponseAnswer};
    use crate::response::{BodyShape, Decision, ErrorSource};

    /// The body's shape, the error's source and the decision serialise as
    /// their names.
    macro_rules! by_name {
        ($($type:ty),*) => {$(
            impl Serialize for $type {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }
        )*};
    }

    by_name!(BodyShape, Decision, ErrorSource);

    /// Writes the fields of an [`Answer`] into `map`.
    fn answer_entries<M: SerializeMap>(map: &mut M, a: &Answer) -> Result<(), M::Error> {
        map.serialize_entry("rule", &a.rule)?;
        map.serialize_entry("matched", &a.matched)?;
        map.serialize_entry("several", &a.several)?;
        map.serialize_entry("or_none", &a.or_none)?;
        map.serialize_entry("telling", &a.telling)?;
        map.serialize_entry("section", &a.section)?;
        map.serialize_entry("title", &a.title)?;
        map.serialize_entry("cause", a.cause)?;
        map.serialize_entry("solution", a.solution)?;
        map.serialize_entry("retry", &a.retry)?;
        map.serialize_entry("backoff", &a.backoff)?;
        map.serialize_entry("docs_url", &a.docs_url)
    }

    impl Serialize for Answer {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(None)?;
            answer_entries(&mut map, self)?;
            map.end()
        }
    }

    /// The fields of its [`Answer`], then its own.
    impl Serialize for ResponseAnswer {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(None)?;
            answer_entries(&mut map, &self.answer)?;
            map.serialize_entry("url", &self.url)?;
            map.serialize_entry("retry_after_secs", &self.retry_after_secs)?;
            map.serialize_entry("body", &self.body)?;
            map.serialize_entry("body_note", &self.body_note)?;
            map.serialize_entry("findings", &self.findings)?;
            map.serialize_entry("findings_not_kept", &self.findings_not_kept)?;
            map.serialize_entry("decided_by", &self.decided_by)?;
            map.serialize_entry("decision", &self.decision)?;
            map.end()
        }
    }

    impl Serialize for FindingAnswer {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(8))?;
            map.serialize_entry("source", &self.source)?;
            map.serialize_entry("type", &self.error_type)?;
            map.serialize_entry("message", &self.message)?;
            map.serialize_entry("field", &self.field)?;
            map.serialize_entry("solution_url", &self.solution_url)?;
            map.serialize_entry("rule", &self.rule)?;
            map.serialize_entry("retry", &self.retry)?;
            map.serialize_entry("decisive", &self.decisive)?;
            map.end()
        }
    }

    #[cfg(feature = "webhook")]
    impl Serialize for super::WebhookAnswer {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(4))?;
            map.serialize_entry("valid", &self.valid)?;
            map.serialize_entry("mistake", &self.mistake)?;
            map.serialize_entry("rule", &self.rule)?;
            map.serialize_entry("diagnosis", &self.diagnosis)?;
            map.end()
        }
    }
}

/// The verdict on a webhook delivery, as owned data
/// ([`webhook::Verdict::answer`](crate::webhook::Verdict::answer)).
#[cfg(feature = "webhook")]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookAnswer {
    /// Whether the delivery is Debitura's, unchanged and on time.
    pub valid: bool,
    /// The most likely mistake's code (`wrong-secret`, …), when not valid.
    pub mistake: Option<&'static str>,
    /// The rule that explains the mistake, when not valid.
    pub rule: Option<RuleId>,
    /// The answer of that rule, when not valid.
    pub diagnosis: Option<Answer>,
}

#[cfg(feature = "webhook")]
impl crate::webhook::Verdict {
    /// The verdict as owned data.
    ///
    /// ```
    /// use debitura_triage::webhook::{Mistake, Verdict};
    ///
    /// let a = Verdict::Mistake(Mistake::WrongSecret).answer();
    /// assert_eq!((a.valid, a.mistake), (false, Some("wrong-secret")));
    /// assert_eq!(a.rule, a.diagnosis.and_then(|d| d.rule));
    /// ```
    pub fn answer(&self) -> WebhookAnswer {
        match self {
            crate::webhook::Verdict::Mistake(mistake) => {
                let diagnosis = mistake.diagnosis();
                WebhookAnswer {
                    valid: false,
                    mistake: Some(mistake.code()),
                    rule: diagnosis.rule_id(),
                    diagnosis: Some(diagnosis.answer()),
                }
            }
            _ => WebhookAnswer {
                valid: true,
                mistake: None,
                rule: None,
                diagnosis: None,
            },
        }
    }
}
