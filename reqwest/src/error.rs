//! The typed error a call fails with once the policy says stop.

use std::fmt;
use std::time::Duration;

use http::HeaderMap;

use debitura_triage::{
    Answer, Diagnosis, FindingAnswer, Operation, Printable, ResponseDiagnosis, Retry, RuleId,
};

pub use debitura_triage::call::Reason;

/// The source of an error whose call's deadline passed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeadlinePassed;

impl fmt::Display for DeadlinePassed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the call's deadline passed")
    }
}

impl std::error::Error for DeadlinePassed {}

/// A call the layer gave up on: what failed, what the catalog says about
/// it, and why nothing more was tried. It reaches the caller inside
/// [`reqwest_middleware::Error::Middleware`]; [`Error::of`] finds it there.
///
/// `Display` gives the operation, status, rule, cause and solution, the URL
/// to show, and the reason; text from the response body is printed with
/// control, zero-width and bidi characters escaped
/// ([`Printable`](debitura_triage::Printable)), so that it cannot drive or
/// disguise itself on the terminal that prints it.
pub struct Error {
    status: Option<u16>,
    operation: Option<Operation>,
    diagnosis: Diagnosis,
    url: Option<String>,
    retry_after: Option<Duration>,
    findings: Vec<FindingAnswer>,
    headers: HeaderMap,
    body: Vec<u8>,
    body_complete: bool,
    attempts: u32,
    reason: Reason,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// From a diagnosed response and its bounded body.
    pub(crate) fn response(
        answer: &ResponseDiagnosis<'_>,
        operation: Option<Operation>,
        headers: HeaderMap,
        body: &[u8],
        body_complete: bool,
    ) -> Self {
        let text = |s: Option<debitura_triage::JsonStr<'_>>| s.map(|s| s.to_string());
        Error {
            status: answer.diagnosis().status(),
            operation,
            diagnosis: answer.diagnosis(),
            url: text(answer.url()),
            retry_after: answer.retry_after(),
            findings: answer.answer().findings,
            headers,
            body: body.to_vec(),
            body_complete,
            attempts: 1,
            reason: Reason::Policy,
            source: None,
        }
    }

    /// From a diagnosis without a response (no response at all, or a
    /// token that could not be had), keeping the underlying error.
    pub(crate) fn without_response(
        diagnosis: Diagnosis,
        operation: Option<Operation>,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error {
            status: diagnosis.status(),
            operation,
            diagnosis,
            url: None,
            retry_after: None,
            findings: Vec::new(),
            headers: HeaderMap::new(),
            body: Vec::new(),
            body_complete: true,
            attempts: 1,
            reason: Reason::Policy,
            source,
        }
    }

    /// A call stopped for `reason` (no token, or its deadline) when a mint
    /// failed with its own diagnosed error: the mint's answer, carried as
    /// the call's, with the mint's whole error as its source.
    pub(crate) fn token_unavailable(mint: Error, reason: Reason, attempts: u32) -> Self {
        Error {
            status: mint.status,
            operation: mint.operation,
            diagnosis: mint.diagnosis,
            url: mint.url.clone(),
            retry_after: mint.retry_after,
            findings: mint.findings.clone(),
            headers: mint.headers.clone(),
            body: mint.body.clone(),
            body_complete: mint.body_complete,
            attempts,
            reason,
            source: Some(Box::new(mint)),
        }
    }

    /// The same error, with what went wrong underneath it.
    pub(crate) fn with_source(mut self, source: Box<dyn std::error::Error + Send + Sync>) -> Self {
        self.source = Some(source);
        self
    }

    pub(crate) fn stopped(mut self, reason: Reason, attempts: u32) -> Self {
        self.reason = reason;
        self.attempts = attempts;
        self
    }

    /// The `Error` inside a failed call's error, if the layer raised it.
    #[must_use]
    pub fn of(error: &reqwest_middleware::Error) -> Option<&Error> {
        match error {
            reqwest_middleware::Error::Middleware(e) => e.downcast_ref(),
            reqwest_middleware::Error::Reqwest(_) => None,
        }
    }

    /// The HTTP status of the last response; `None` when there was none.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The operation the request was taken for.
    #[must_use]
    pub fn operation(&self) -> Option<Operation> {
        self.operation
    }

    /// The core's full answer: rule, section, cause, solution.
    pub fn diagnosis(&self) -> Diagnosis {
        self.diagnosis
    }

    /// The answer as the core's owned data, the same every edge exposes
    /// (with the crate's `serde` feature, the CLI's `--json` keys).
    pub fn answer(&self) -> Answer {
        self.diagnosis.answer()
    }

    /// The rule that recognised the failure; `None` when unrecognised.
    #[must_use]
    pub fn rule_id(&self) -> Option<RuleId> {
        self.diagnosis.rule_id()
    }

    /// Why it failed.
    #[must_use]
    pub fn cause(&self) -> &'static str {
        self.diagnosis.cause()
    }

    /// What to do about it.
    #[must_use]
    pub fn solution(&self) -> &'static str {
        self.diagnosis.solution()
    }

    /// The retry policy of the answer.
    #[must_use]
    pub fn retry(&self) -> Retry {
        self.diagnosis.retry()
    }

    /// The URL to show the user: the signing handoff's
    /// `combinedSigningUrl`, the deciding error's `solutionUrl`, or the
    /// 409's approval link (`data.onboardingLinks.url`).
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The server's delay hint, at most
    /// [`MAX_RETRY_AFTER`](crate::MAX_RETRY_AFTER).
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    /// Every error the body reported, in body order (at most
    /// [`MAX_ERRORS`](crate::MAX_ERRORS)).
    #[must_use]
    pub fn findings(&self) -> &[FindingAnswer] {
        &self.findings
    }

    /// The headers of the last response (empty when there was none).
    #[must_use]
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The response body as read: all of it, or its first
    /// [`MAX_SCAN`](crate::MAX_SCAN) bytes when
    /// [`Error::body_complete`] is false.
    #[must_use]
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// Whether [`Error::body`] is the whole body.
    #[must_use]
    pub fn body_complete(&self) -> bool {
        self.body_complete
    }

    /// Sends made, the first one included.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Why the layer stopped.
    #[must_use]
    pub fn reason(&self) -> Reason {
        self.reason
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.operation {
            write!(f, "{op}: ")?;
        }
        match self.status {
            Some(status) => write!(f, "{status} ")?,
            None => f.write_str("no response ")?,
        }
        match self.rule_id() {
            Some(id) => write!(f, "{id}")?,
            None => f.write_str("(unrecognised)")?,
        }
        let cause = self.cause();
        let stop = if cause.ends_with('.') { "" } else { "." };
        write!(
            f,
            " [retry: {}]: {cause}{stop} {}",
            self.retry(),
            self.solution()
        )?;
        if let Some(url) = &self.url {
            // The URL comes from the body: escaped, so that it cannot drive
            // the terminal that prints the error.
            write!(f, " Show the user: {}", Printable(url))?;
        }
        if let Some(wait) = self.retry_after {
            write!(f, " The server asks to wait {} s.", wait.as_secs_f64())?;
        }
        write!(f, " Stopped after {} attempt", self.attempts)?;
        if self.attempts != 1 {
            f.write_str("s")?;
        }
        write!(f, ": {}.", self.reason.description())
    }
}

/// Short on purpose: the body and the findings have their accessors.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("operation", &self.operation.map(Operation::as_str))
            .field("status", &self.status)
            .field("rule", &self.rule_id().map(RuleId::as_str))
            .field("retry", &self.retry().as_str())
            .field("reason", &self.reason)
            .field("attempts", &self.attempts)
            .field("url", &self.url)
            .field("retry_after", &self.retry_after)
            .field("findings", &self.findings.len())
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use debitura_triage::{diagnose_response, Query};

    #[test]
    fn display_escapes_control_characters_from_the_body() {
        let body = br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","solutionUrl":"https://x\u001b[2J/y"}]}"#;
        let answer = diagnose_response(422, body, &Query::new().operation(Operation::CreateCase));
        let e = Error::response(
            &answer,
            Some(Operation::CreateCase),
            HeaderMap::new(),
            body,
            true,
        );
        let text = e.to_string();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains(r"https://x\u{1b}[2J/y"), "{text}");
        assert!(
            text.starts_with(
                "create-case: 422 missing-power-of-attorney [retry: after-user-action]"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("Stopped after 1 attempt: the policy does not resend it."),
            "{text}"
        );
        assert_eq!(
            e.url(),
            Some("https://x\u{1b}[2J/y"),
            "the accessor keeps the exact URL"
        );
    }

    #[test]
    fn display_escapes_bidi_and_zero_width_characters_of_a_signing_url() {
        // A signing handoff whose URL hides and reorders text.
        let url = r"https://sign.example/\u202egnp.exe\u200b\u2066x\u2069\ufeff";
        let body = format!(
            r#"{{"businessErrors":[{{"type":"ContractSigningRequired","message":"Sign first"}}],"signingHandoff":{{"combinedSigningUrl":"{url}"}}}}"#
        );
        let answer = diagnose_response(
            422,
            body.as_bytes(),
            &Query::new().operation(Operation::CreateCase),
        );
        let e = Error::response(
            &answer,
            Some(Operation::CreateCase),
            HeaderMap::new(),
            body.as_bytes(),
            true,
        );
        let text = e.to_string();
        for c in ['\u{202e}', '\u{200b}', '\u{2066}', '\u{2069}', '\u{feff}'] {
            assert!(!text.contains(c), "{c:?} reached the text raw: {text}");
        }
        assert!(
            text.contains(r"https://sign.example/\u{202e}gnp.exe\u{200b}\u{2066}x\u{2069}\u{feff}"),
            "{text}"
        );
        assert_eq!(
            e.url(),
            Some("https://sign.example/\u{202e}gnp.exe\u{200b}\u{2066}x\u{2069}\u{feff}"),
            "the accessor keeps the exact URL"
        );
    }

    #[test]
    fn debug_is_short_and_leaves_the_body_out() {
        let body = br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","message":"secret-ish detail"}]}"#;
        let answer = diagnose_response(422, body, &Query::new().operation(Operation::CreateCase));
        let e = Error::response(
            &answer,
            Some(Operation::CreateCase),
            HeaderMap::new(),
            body,
            true,
        )
        .stopped(Reason::Policy, 1);
        assert_eq!(
            format!("{e:?}"),
            "Error { operation: Some(\"create-case\"), status: Some(422), rule: Some(\"missing-power-of-attorney\"), \
             retry: \"after-user-action\", reason: Policy, attempts: 1, url: None, retry_after: None, findings: 1 }"
        );
    }

    #[test]
    fn every_reason_has_a_distinct_kebab_name_its_display() {
        let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        for r in Reason::ALL {
            assert_eq!(r.to_string(), r.as_str());
            assert!(r
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-'));
            assert!(!r.description().is_empty());
        }
        assert_eq!(Reason::BudgetSpent.to_string(), "budget-spent");
    }
}
