//! Diagnosis of a real HTTP response: status, raw body bytes and context in,
//! the same answer as [`crate::diagnose`] out, plus what the service needs
//! next (the URL to show, the server's retry delay).
//!
//! [`body`] reads the body with the bounded scanner in [`json`]: no
//! recursion, no allocation, at most [`MAX_SCAN`](json::MAX_SCAN) bytes. A
//! body that is empty, not JSON, truncated or of an unknown shape still gets
//! an answer: the status and the context decide, here.

pub(crate) mod body;
pub(crate) mod json;
pub(crate) mod retry_after;

use core::time::Duration;

use crate::diagnose::{diagnose, Diagnosis};
use crate::query::Query;
use crate::response::body::{Entry, Read, SuccessFailure};
use crate::response::json::{JsonStr, Stop};
use crate::response::retry_after::parse_retry_after;
use crate::vocabulary::{Retry, RuleId, Symptom};

pub use body::{BodyShape, ErrorSource, BODY_KEYS, MAX_ERRORS};

/// One error the body reports, and how it alone would be diagnosed.
#[derive(Debug, Clone, Copy)]
pub struct Finding<'a> {
    /// Where it was found.
    pub source: ErrorSource,
    /// Its error type, if the body gives one.
    pub error_type: Option<JsonStr<'a>>,
    /// Its message, if any.
    pub message: Option<JsonStr<'a>>,
    /// The field it concerns, for field-validation messages.
    pub field: Option<JsonStr<'a>>,
    /// Its `solutionUrl`, if any.
    pub solution_url: Option<JsonStr<'a>>,
    /// The diagnosis of this error on its own.
    pub diagnosis: Diagnosis,
}

/// How the deciding error was chosen among several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Decision {
    /// The body names no error: the status and the context decided.
    StatusOnly,
    /// The body names one error.
    Single,
    /// Several errors with the same retry policy: the first one listed decides.
    FirstOfEqual,
    /// Several errors: the one whose retry policy is strictest decides
    /// (`never` over `after-user-action` over `token-refresh` over `backoff`),
    /// because retrying cannot help while it stands.
    Strictest,
    /// Several errors, only some recognised: the strictest recognised one decides.
    Recognised,
}

impl Decision {
    /// Its kebab-case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Decision::StatusOnly => "status-only",
            Decision::Single => "single",
            Decision::FirstOfEqual => "first-of-equal",
            Decision::Strictest => "strictest",
            Decision::Recognised => "recognised",
        }
    }
}

/// The answer for one HTTP response. Its `Debug` is short (rule id, retry,
/// status, shape, number of errors); the details have their accessors.
#[derive(Clone, Copy)]
#[must_use]
pub struct ResponseDiagnosis<'a> {
    diagnosis: Diagnosis,
    findings: [Option<Finding<'a>>; MAX_ERRORS],
    dropped: usize,
    decided_by: Option<usize>,
    decision: Decision,
    shape: BodyShape,
    stop: Stop,
    combined_signing_url: Option<JsonStr<'a>>,
    onboarding_url: Option<JsonStr<'a>>,
    retry_after: Option<Duration>,
}

impl core::fmt::Debug for ResponseDiagnosis<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let d = &self.diagnosis;
        f.debug_struct("ResponseDiagnosis")
            .field("rule", &d.rule_id().map(RuleId::as_str))
            .field("retry", &d.retry().as_str())
            .field("status", &d.status())
            .field("shape", &self.shape)
            .field("errors", &self.findings().count())
            .finish()
    }
}

impl<'a> ResponseDiagnosis<'a> {
    /// The deciding diagnosis: rule, cause, solution and retry policy.
    pub fn diagnosis(&self) -> Diagnosis {
        self.diagnosis
    }

    /// The retry policy (shorthand for `diagnosis().retry()`).
    pub fn retry(&self) -> Retry {
        self.diagnosis.retry()
    }

    /// Every error found in the body, in body order.
    pub fn findings(&self) -> impl Iterator<Item = &Finding<'a>> {
        self.findings.iter().flatten()
    }

    /// Errors beyond [`MAX_ERRORS`] that were seen but not kept.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// The index (in [`Self::findings`]) of the error that decided.
    pub fn decided_by(&self) -> Option<usize> {
        self.decided_by
    }

    /// How the deciding error was chosen.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// The body's shape.
    pub fn shape(&self) -> BodyShape {
        self.shape
    }

    /// How reading the body ended (complete, empty, malformed at an offset, too long).
    pub fn stop(&self) -> Stop {
        self.stop
    }

    /// The URL to present to the user: `signingHandoff.combinedSigningUrl`
    /// when present, else the deciding error's `solutionUrl`, else the 409's
    /// `data.onboardingLinks.url`.
    pub fn url(&self) -> Option<JsonStr<'a>> {
        let decisive = self.decided_by.and_then(|i| self.findings[i]);
        self.combined_signing_url
            .or(decisive.and_then(|f| f.solution_url))
            .or(self.onboarding_url)
    }

    /// The server's delay hint (`retryAfter` in a 429 body, or a
    /// `Retry-After` header given to [`Self::with_retry_after_header`]), at
    /// most [`MAX_RETRY_AFTER`](crate::MAX_RETRY_AFTER).
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Takes the response's `Retry-After` header into account (see
    /// [`parse_retry_after`](crate::parse_retry_after)): when both it and the
    /// body give a delay, the longer one stands, so neither is cut short.
    ///
    /// ```
    /// use debitura_triage::{diagnose_response, Query};
    /// use std::time::{Duration, SystemTime};
    ///
    /// let r = diagnose_response(429, br#"{"retryAfter":2}"#, &Query::new())
    ///     .with_retry_after_header(b"5", SystemTime::now());
    /// assert_eq!(r.retry_after(), Some(Duration::from_secs(5)));
    /// ```
    pub fn with_retry_after_header(mut self, value: &[u8], now: std::time::SystemTime) -> Self {
        if let Some(header) = parse_retry_after(value, now) {
            self.retry_after = Some(self.retry_after.map_or(header, |body| body.max(header)));
        }
        self
    }
}

/// Diagnoses a response from its status and raw body. `context` carries what
/// the body cannot say (operation, environment, whether this call followed a
/// token refresh); its status, type and message are ignored.
///
/// ```
/// use debitura_triage::{diagnose_response, Operation, Query, Retry, RuleId};
///
/// let body = br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","message":"...",
///     "solutionUrl":"https://example.org/poa"}]}"#;
/// let r = diagnose_response(422, body, &Query::new().operation(Operation::CreateCase));
/// assert_eq!(r.diagnosis().rule_id(), Some(RuleId::MissingPowerOfAttorney));
/// assert_eq!(r.retry(), Retry::AfterUserAction);
/// assert_eq!(r.url().unwrap().raw(), "https://example.org/poa");
///
/// // Not JSON at all: the status decides, with what the context says of
/// // the request: a read may be sent again, a request of unknown kind not.
/// let html = b"<html>Service Unavailable</html>";
/// let r = diagnose_response(503, html, &Query::new().operation(Operation::GetCase));
/// assert_eq!(r.retry(), Retry::Backoff);
/// let r = diagnose_response(503, html, &Query::new());
/// assert_eq!(r.retry(), Retry::AfterUserAction);
/// ```
pub fn diagnose_response<'a>(
    status: u16,
    body: &'a [u8],
    context: &Query<'_>,
) -> ResponseDiagnosis<'a> {
    let (read, stop) = Read::body(body);
    let context = Query {
        status: Some(status),
        error_type: None,
        message: None,
        ..*context
    };

    let mut findings: [Option<Finding<'a>>; MAX_ERRORS] = [None; MAX_ERRORS];
    let mut count = 0;
    // Field-validation messages come under a summary (`message`, `title`):
    // `Case validation failed` on `POST /clients` says more than the case
    // fields it lists, so a summary that a rule names by its text is the
    // first finding.
    let fields_only = read
        .entries
        .iter()
        .flatten()
        .all(|e| e.source == ErrorSource::FieldValidation);
    let summary = read
        .top_level()
        .map(|top| finding(&top, &context))
        .filter(|f| {
            let named = |r: &crate::catalog::Rule| r.when.message.iter().any(|m| !m.is_empty());
            fields_only && f.message.is_some() && f.diagnosis.rule().is_some_and(named)
        });
    for found in summary.into_iter().chain(
        read.entries
            .iter()
            .flatten()
            .map(|entry| finding(entry, &context)),
    ) {
        if count == MAX_ERRORS {
            break;
        }
        findings[count] = Some(found);
        count += 1;
    }
    // A success that reports a failure is asked by its symptom; its own
    // `message` only describes it.
    let success = success_symptom(status, &read).filter(|_| count == 0);
    if count == 0 && success.is_none() {
        if let Some(top) = read.top_level() {
            findings[0] = Some(finding(&top, &context));
            count = 1;
        }
    }

    let (decided_by, decision) = decide(&findings[..count]);
    let context = match success {
        Some(symptom) => context.symptom(symptom),
        None => context,
    };
    let diagnosis = match decided_by {
        Some(i) => findings[i].map_or_else(|| diagnose(&context), |f| f.diagnosis),
        None => diagnose(&context),
    };
    ResponseDiagnosis {
        diagnosis,
        findings,
        dropped: read.dropped,
        decided_by,
        decision,
        shape: read.shape(stop),
        stop,
        combined_signing_url: read.combined_signing_url,
        onboarding_url: read.onboarding_url,
        retry_after: read.retry_after,
    }
}

/// The symptom of a failure a 2xx body reports: a test trigger that
/// enqueued nothing, a case accepted with unsigned contracts, a deletion
/// check with blockers, or a 202 whose link is a contract upgrade rather
/// than a first onboarding.
fn success_symptom(status: u16, read: &Read<'_>) -> Option<Symptom> {
    if !(200..300).contains(&status) {
        return None;
    }
    let upgrade = read
        .onboarding_url
        .is_some_and(|url| url.raw().contains("/ContractUpgrade/"));
    match read.success_failure {
        Some(SuccessFailure::NothingEnqueued) => Some(Symptom::TestWebhookNotEnqueued),
        Some(SuccessFailure::PendingContracts) => Some(Symptom::CasePendingContractSigning),
        Some(SuccessFailure::DeletionBlocked) => Some(Symptom::ClientDeletionBlocked),
        None if status == 202 && upgrade => Some(Symptom::ContractUpgradeRequired),
        None => None,
    }
}

/// How strongly a finding's policy binds: an error that retrying cannot fix
/// outranks one a retry might. The vocabulary lists the policies from the
/// most cautious to the most eager, and `Retry` keeps that order; any
/// recognised error outranks an unrecognised one.
fn strictness(d: &Diagnosis) -> usize {
    match d.is_matched() {
        false => 0,
        true => Retry::ALL.len() - d.retry() as usize,
    }
}

fn decide(findings: &[Option<Finding<'_>>]) -> (Option<usize>, Decision) {
    let ranked = findings
        .iter()
        .map(|f| f.map_or(0, |f| strictness(&f.diagnosis)));
    let Some(best) = ranked.clone().max() else {
        return (None, Decision::StatusOnly);
    };
    // The first finding of the highest rank; with no rule matching, the first.
    let index = ranked.clone().position(|r| r == best).unwrap_or(0);
    let decision = if findings.len() == 1 {
        Decision::Single
    } else if ranked.clone().all(|r| r == best) {
        Decision::FirstOfEqual
    } else if ranked.clone().any(|r| r == 0) {
        Decision::Recognised
    } else {
        Decision::Strictest
    };
    (Some(index), decision)
}

/// The diagnosis of one error read from the body, in `context`.
fn finding<'a>(entry: &Entry<'a>, context: &Query<'_>) -> Finding<'a> {
    let ask = |error_type: Option<JsonStr<'a>>| {
        with_opt(error_type, |error_type| {
            with_opt(entry.message, |message| {
                diagnose(&Query {
                    error_type,
                    message,
                    ..*context
                })
            })
        })
    };
    let mut diagnosis = ask(entry.error_type);
    // A type no rule knows says nothing the catalog can use: a legacy
    // top-level `error` label (`UnprocessableEntity`, `BusinessRule`), or a
    // newer body's type on a failure whose rule was written for the untyped
    // body. The error is then asked without it, by its message, status and
    // operation.
    if entry.error_type.is_some() && diagnosis.is_unrecognised() {
        let alone = ask(None);
        if !alone.is_unrecognised() {
            diagnosis = alone;
        }
    }
    Finding {
        source: entry.source,
        error_type: entry.error_type,
        message: entry.message,
        field: entry.field,
        solution_url: entry.solution_url,
        diagnosis,
    }
}

/// Calls `f` with the decoded text of `s`, or `None`.
fn with_opt<R>(s: Option<JsonStr<'_>>, f: impl FnOnce(Option<&str>) -> R) -> R {
    match s {
        Some(s) => s.with_text(|text| f(Some(text.trim()).filter(|t| !t.is_empty()))),
        None => f(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::retry_after::MAX_RETRY_AFTER;
    use crate::Operation;

    fn only_finding(body: &str) -> Finding<'_> {
        let r = diagnose_response(409, body.as_bytes(), &Query::new());
        let found: Vec<&Finding<'_>> = r.findings().collect();
        assert_eq!(found.len(), 1, "{body}");
        *found[0]
    }

    fn text(s: Option<JsonStr<'_>>) -> Option<String> {
        s.map(|s| s.to_string())
    }

    #[test]
    fn top_level_fields_make_one_finding() {
        let cases = [
            (
                r#"{"type":"ClientExistsNeedsLinking"}"#,
                Some("ClientExistsNeedsLinking"),
                None,
            ),
            (
                r#"{"error":"rate_limit_exceeded","message":"Slow down"}"#,
                Some("rate_limit_exceeded"),
                Some("Slow down"),
            ),
            (
                r#"{"type":"Client.Exists","error":"other"}"#,
                Some("Client.Exists"),
                None,
            ),
            (r#"{"message":"m"}"#, None, Some("m")),
            (r#"{"title":"t"}"#, None, Some("t")),
            (r#"{"detail":"d"}"#, None, Some("d")),
            (
                r#"{"title":"t","detail":"d","message":"m"}"#,
                None,
                Some("d"),
            ),
            (r#"{"title":"t","message":"m"}"#, None, Some("m")),
            // A ProblemDetails `type` is a URL and a legacy `error` may be a
            // sentence: neither is an error type.
            (
                r#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404}"#,
                None,
                Some("Not Found"),
            ),
            (
                r#"{"error":"Something went wrong","message":"m"}"#,
                None,
                Some("m"),
            ),
            (
                r#"{"conflictResponse":{"type":"ClientExistsNeedsLinking","message":"m"}}"#,
                Some("ClientExistsNeedsLinking"),
                Some("m"),
            ),
        ];
        for (body, error_type, message) in cases {
            let f = only_finding(body);
            assert_eq!(f.source, ErrorSource::TopLevel, "{body}");
            assert_eq!(text(f.error_type).as_deref(), error_type, "{body}");
            assert_eq!(text(f.message).as_deref(), message, "{body}");
        }
        for body in [
            r#"{"error":"Something went wrong"}"#,
            r#"{"type":""}"#,
            "{}",
        ] {
            let r = diagnose_response(409, body.as_bytes(), &Query::new());
            assert_eq!(r.findings().count(), 0, "{body}");
            assert_eq!(r.decision(), Decision::StatusOnly, "{body}");
        }
    }

    #[test]
    fn entries_win_over_the_top_level() {
        let body = r#"{"error":"label","message":"m","businessErrors":[{"type":"NoPartnerAvailable","message":"none","solutionUrl":"https://e.org/s"}]}"#;
        let f = only_finding(body);
        assert_eq!(f.source, ErrorSource::BusinessError);
        assert_eq!(text(f.error_type).as_deref(), Some("NoPartnerAvailable"));
        assert_eq!(text(f.message).as_deref(), Some("none"));
        assert_eq!(text(f.solution_url).as_deref(), Some("https://e.org/s"));
        let body = r#"{"caseResults":{"failedCases":[{"errorType":"NoPartnerAvailable","errorMessage":"m"}]}}"#;
        let f = only_finding(body);
        assert_eq!(f.source, ErrorSource::FailedCase);
        assert_eq!(text(f.error_type).as_deref(), Some("NoPartnerAvailable"));
        assert_eq!(text(f.message).as_deref(), Some("m"));
        let f = only_finding(r#"{"Email":["The Email field is not valid."]}"#);
        assert_eq!(f.source, ErrorSource::FieldValidation);
        assert_eq!(text(f.field).as_deref(), Some("Email"));
        for body in [
            r#"{"errors":{"Email":["bad"]}}"#,
            r#"{"validationErrors":{"Email":["bad"]}}"#,
        ] {
            assert_eq!(
                text(only_finding(body).field).as_deref(),
                Some("Email"),
                "{body}"
            );
        }
        // Known keys holding lists are not field names.
        let r = diagnose_response(400, br#"{"message":["a"],"errors":["b"]}"#, &Query::new());
        assert!(r
            .findings()
            .all(|f| f.source != ErrorSource::FieldValidation));
    }

    #[test]
    fn each_body_shape_is_told_apart() {
        let cases = [
            ("", BodyShape::Empty),
            ("<html>", BodyShape::NotJson),
            (r#"{"a"#, BodyShape::NotJson),
            (r#"{"a":1"#, BodyShape::Other),
            ("{}", BodyShape::Other),
            (
                r#"{"businessErrors":[{"type":"X"}],"data":{"onboardingLinks":{"url":"u"}}}"#,
                BodyShape::BusinessErrors,
            ),
            (
                r#"{"caseResults":{"failedCases":[{"errorType":"X"}]},"type":"Y"}"#,
                BodyShape::CaseResults,
            ),
            (
                r#"{"type":"ClientExistsNeedsLinking"}"#,
                BodyShape::Conflict,
            ),
            (
                r#"{"data":{"onboardingLinks":{"url":"u"}},"status":409}"#,
                BodyShape::Conflict,
            ),
            (r#"{"type":"X","status":404}"#, BodyShape::ProblemDetails),
            (
                r#"{"title":"T","errors":{"F":["m"]}}"#,
                BodyShape::ProblemDetails,
            ),
            (r#"{"F":["m"],"retryAfter":5}"#, BodyShape::FieldValidation),
            (r#"{"retryAfter":5}"#, BodyShape::RateLimit),
        ];
        for (body, shape) in cases {
            let r = diagnose_response(400, body.as_bytes(), &Query::new());
            assert_eq!(r.shape(), shape, "{body}");
        }
    }

    #[test]
    fn strictness_orders_every_pair_of_policies() {
        let create = |q: Query<'static>| {
            diagnose(
                &q.operation(Operation::CreateCase)
                    .credential(crate::Credential::Bearer)
                    .idempotency_key(true),
            )
        };
        let ranked = [
            create(Query::new().status(422).error_type("NoPartnerAvailable")),
            create(
                Query::new()
                    .status(422)
                    .error_type("MissingPowerOfAttorney"),
            ),
            create(Query::new().status(401)),
            create(Query::new().status(503)),
            create(Query::new().status(418).error_type("TeapotOverflow")),
        ];
        let policies: Vec<(bool, Retry)> =
            ranked.iter().map(|d| (d.is_matched(), d.retry())).collect();
        assert_eq!(
            policies,
            [
                (true, Retry::Never),
                (true, Retry::AfterUserAction),
                (true, Retry::TokenRefresh),
                (true, Retry::Backoff),
                (false, Retry::Never),
            ]
        );
        for (i, stricter) in ranked.iter().enumerate() {
            for looser in &ranked[i + 1..] {
                assert!(
                    strictness(stricter) > strictness(looser),
                    "{:?} must outrank {:?}",
                    stricter.rule_id(),
                    looser.rule_id()
                );
            }
        }
    }

    #[test]
    fn the_decision_names_how_it_was_made() {
        let decide_body = |body: &str| {
            let r = diagnose_response(
                422,
                body.as_bytes(),
                &Query::new().operation(Operation::CreateCase),
            );
            (r.decided_by(), r.decision())
        };
        assert_eq!(decide_body("{}"), (None, Decision::StatusOnly));
        assert_eq!(
            decide_body(r#"{"businessErrors":[{"type":"NoPartnerAvailable"}]}"#),
            (Some(0), Decision::Single)
        );
        assert_eq!(
            decide_body(
                r#"{"businessErrors":[{"type":"MissingPowerOfAttorney"},{"type":"NoPartnerAvailable"}]}"#
            ),
            (Some(1), Decision::Strictest)
        );
        assert_eq!(
            decide_body(
                r#"{"businessErrors":[{"type":"Unknown1"},{"type":"MissingPowerOfAttorney"}]}"#
            ),
            (Some(1), Decision::Recognised)
        );
        assert_eq!(
            decide_body(
                r#"{"businessErrors":[{"type":"MissingPowerOfAttorney"},{"type":"MissingPowerOfAttorney"}]}"#
            ),
            (Some(0), Decision::FirstOfEqual)
        );
        assert_eq!(
            decide_body(r#"{"businessErrors":[{"type":"Unknown1"},{"type":"Unknown2"}]}"#),
            (Some(0), Decision::FirstOfEqual)
        );
    }

    #[test]
    fn the_url_to_show_prefers_the_signing_handoff() {
        let url = |body: &str| {
            diagnose_response(422, body.as_bytes(), &Query::new())
                .url()
                .map(|u| u.to_string())
        };
        let both = r#"{"businessErrors":[{"type":"MissingPowerOfAttorney","solutionUrl":"https://e.org/poa"}],"signingHandoff":{"combinedSigningUrl":"https://e.org/all"}}"#;
        assert_eq!(url(both).as_deref(), Some("https://e.org/all"));
        let entry = r#"{"businessErrors":[{"type":"MissingPowerOfAttorney","solutionUrl":"https://e.org/poa"}],"data":{"onboardingLinks":{"url":"https://e.org/link"}}}"#;
        assert_eq!(url(entry).as_deref(), Some("https://e.org/poa"));
        let link = r#"{"type":"ClientExistsNeedsLinking","data":{"onboardingLinks":{"url":"https://e.org/link"}}}"#;
        assert_eq!(url(link).as_deref(), Some("https://e.org/link"));
        let wrapped =
            r#"{"conflictResponse":{"data":{"onboardingLinks":{"url":"https://e.org/w"}}}}"#;
        assert_eq!(url(wrapped).as_deref(), Some("https://e.org/w"));
        assert_eq!(url("{}"), None);
    }

    #[test]
    fn the_context_gives_no_type_or_message_of_its_own() {
        // The body speaks for the error; a type or message in the context is ignored.
        let context = Query::new()
            .error_type("MissingPowerOfAttorney")
            .message("Invalid currency code: XYZ")
            .operation(Operation::CreateCase);
        let r = diagnose_response(422, b"{}", &context);
        let status_only = diagnose(&Query::new().status(422).operation(Operation::CreateCase));
        assert_eq!(r.diagnosis(), status_only);
        let r = diagnose_response(400, b"", &context);
        let status_only = diagnose(&Query::new().status(400).operation(Operation::CreateCase));
        assert_eq!(r.diagnosis(), status_only);
    }

    #[test]
    fn debug_output_is_short() {
        let body = br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","message":"A long message that would flood logs if printed whole.","solutionUrl":"https://example.org/a/very/long/url/for/signing/the/power/of/attorney"},{"type":"NoPartnerAvailable"}],"signingHandoff":{"combinedSigningUrl":"https://example.org/sign"}}"#;
        let r = diagnose_response(422, body, &Query::new().operation(Operation::CreateCase));
        let shown = format!("{r:?}");
        assert!(shown.len() < 200, "{} bytes: {shown}", shown.len());
        assert!(
            shown.contains("no-partner-available") && shown.contains("Some(422)"),
            "{shown}"
        );
        let shown = format!("{:?}", r.diagnosis());
        assert!(shown.len() < 200, "{shown}");
        assert_eq!(
            shown,
            r#"Diagnosis { rule: Some("no-partner-available"), retry: "never", status: Some(422) }"#
        );
    }

    #[test]
    fn retry_after_counts_only_at_the_top_and_when_usable() {
        let delay =
            |body: &str| diagnose_response(429, body.as_bytes(), &Query::new()).retry_after();
        assert_eq!(delay(r#"{"retryAfter":0}"#), Some(Duration::ZERO));
        assert_eq!(
            delay(r#"{"retryAfter":2.5}"#),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(delay(r#"{"retryAfter":-1}"#), None);
        assert_eq!(delay(r#"{"retryAfter":"5"}"#), None);
        assert_eq!(delay(r#"{"x":{"retryAfter":5}}"#), None);
        assert_eq!(delay(r#"{"retryAfter":86401}"#), Some(MAX_RETRY_AFTER));
    }
}
