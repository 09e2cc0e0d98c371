//! Diagnosis of a real HTTP response: status, raw body bytes and context in,
//! the same answer as [`crate::diagnose`] out, plus what the service needs
//! next (the URL to show, the server's retry delay).
//!
//! The body is read with the bounded scanner in [`crate::json`]: no
//! recursion, no allocation, at most [`MAX_SCAN`](crate::json::MAX_SCAN)
//! bytes. A body that is empty, not JSON, truncated or of an unknown shape
//! still gets an answer: the status and the context decide.

use core::time::Duration;

use crate::json::{self, JsonStr, Scalar, Step, Stop};

use crate::{diagnose, Diagnosis, Query, Retry};

/// Errors one body can report at most; further ones are counted, not kept.
pub const MAX_ERRORS: usize = 8;

/// The longest delay a body's `retryAfter` may ask for; larger values are
/// clamped, so a hostile body cannot park a client forever.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Where an error was found in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorSource {
    /// An entry of `businessErrors[]`.
    BusinessError,
    /// A field-validation message (`{"Field": ["message", …]}`, also under
    /// `validationErrors` or ProblemDetails `errors`).
    FieldValidation,
    /// A failed case in a `POST /clients` response (`caseResults.failedCases[]`).
    FailedCase,
    /// The body's own top-level fields: the 409 `type`, a legacy `error`
    /// label, ProblemDetails `title`/`detail`, or a `message`.
    TopLevel,
}

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The shape the body was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyShape {
    /// Empty or whitespace.
    Empty,
    /// Not JSON, or malformed before anything useful was found.
    NotJson,
    /// The `businessErrors[]` envelope.
    BusinessErrors,
    /// The 409 `ConflictResponse` (`type`, `data.onboardingLinks.url`).
    Conflict,
    /// A field-validation object.
    FieldValidation,
    /// An ASP.NET ProblemDetails object.
    ProblemDetails,
    /// The 429 body with `retryAfter`.
    RateLimit,
    /// A `POST /clients` response with failed cases.
    CaseResults,
    /// JSON of no documented shape.
    Other,
}

/// The answer for one HTTP response.
#[derive(Debug, Clone, Copy)]
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

    /// The server's delay hint (`retryAfter` in a 429 body), at most [`MAX_RETRY_AFTER`].
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
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
/// // Not JSON at all: the status decides.
/// let r = diagnose_response(503, b"<html>Service Unavailable</html>", &Query::new());
/// assert_eq!(r.retry(), Retry::Backoff);
/// ```
pub fn diagnose_response<'a>(
    status: u16,
    body: &'a [u8],
    context: &Query<'_>,
) -> ResponseDiagnosis<'a> {
    let mut read = Read::default();
    let stop = json::scan(body, |path, value| read.visit(path, value));
    let context = Query {
        status: Some(status),
        error_type: None,
        message: None,
        ..*context
    };

    let mut findings: [Option<Finding<'a>>; MAX_ERRORS] = [None; MAX_ERRORS];
    let mut count = 0;
    for entry in read.entries.iter().flatten() {
        findings[count] = Some(entry.finding(&context));
        count += 1;
    }
    if count == 0 {
        if let Some(top) = read.top_level() {
            findings[0] = Some(top.finding(&context));
            count = 1;
        }
    }

    let (decided_by, decision) = decide(&findings[..count]);
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

/// How strongly a finding's policy binds: an error that retrying cannot fix
/// outranks one a retry might.
fn strictness(d: &Diagnosis) -> u8 {
    match (d.is_matched(), d.retry()) {
        (false, _) => 0,
        (true, Retry::Never) => 4,
        (true, Retry::AfterUserAction) => 3,
        (true, Retry::TokenRefresh) => 2,
        (true, _) => 1,
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

/// One error as read from the body, before diagnosis.
#[derive(Clone, Copy)]
struct Entry<'a> {
    source: ErrorSource,
    /// Index in its array, to tell entries apart while keys arrive in any order.
    index: usize,
    error_type: Option<JsonStr<'a>>,
    message: Option<JsonStr<'a>>,
    field: Option<JsonStr<'a>>,
    solution_url: Option<JsonStr<'a>>,
}

impl<'a> Entry<'a> {
    fn new(source: ErrorSource, index: usize) -> Self {
        Entry {
            source,
            index,
            error_type: None,
            message: None,
            field: None,
            solution_url: None,
        }
    }

    fn finding(&self, context: &Query<'_>) -> Finding<'a> {
        let diagnosis = with_opt(self.error_type, |error_type| {
            with_opt(self.message, |message| {
                diagnose(&Query {
                    error_type,
                    message,
                    ..*context
                })
            })
        });
        Finding {
            source: self.source,
            error_type: self.error_type,
            message: self.message,
            field: self.field,
            solution_url: self.solution_url,
            diagnosis,
        }
    }
}

/// Calls `f` with the decoded text of `s`, or `None`.
fn with_opt<R>(s: Option<JsonStr<'_>>, f: impl FnOnce(Option<&str>) -> R) -> R {
    match s {
        Some(s) => s.with_text(|text| f(Some(text.trim()).filter(|t| !t.is_empty()))),
        None => f(None),
    }
}

/// Everything of interest read from one body.
#[derive(Default)]
struct Read<'a> {
    entries: [Option<Entry<'a>>; MAX_ERRORS],
    dropped: usize,
    last_dropped: Option<(ErrorSource, usize)>,
    top_type: Option<JsonStr<'a>>,
    error_label: Option<JsonStr<'a>>,
    message: Option<JsonStr<'a>>,
    title: Option<JsonStr<'a>>,
    detail: Option<JsonStr<'a>>,
    problem_status: bool,
    retry_after: Option<Duration>,
    onboarding_url: Option<JsonStr<'a>>,
    combined_signing_url: Option<JsonStr<'a>>,
    /// Whether any string or number was read.
    read_any: bool,
}

/// Top-level keys with a meaning of their own; any other key holding an
/// array of strings is a field-validation entry.
const KNOWN_KEYS: &[&str] = &[
    "error",
    "message",
    "type",
    "title",
    "detail",
    "status",
    "instance",
    "traceId",
    "retryAfter",
    "businessErrors",
    "signingHandoff",
    "data",
    "conflictResponse",
    "caseResults",
    "errors",
    "validationErrors",
    "solutionUrl",
];

impl<'a> Read<'a> {
    fn visit(&mut self, path: &[Step<'a>], value: Scalar<'a>) {
        use Step::{Index, Key};
        self.read_any = true;
        match (path, value) {
            ([Key("retryAfter")], Scalar::Num(secs)) if secs.is_finite() && secs >= 0.0 => {
                // Clamped before conversion: `Duration` cannot hold every finite f64.
                self.retry_after = Some(Duration::from_secs_f64(
                    secs.min(MAX_RETRY_AFTER.as_secs_f64()),
                ));
            }
            ([Key("status")], Scalar::Num(_)) => self.problem_status = true,
            ([Key("businessErrors"), Index(i), Key(key)], Scalar::Str(s)) => {
                self.entry_field(ErrorSource::BusinessError, *i, key, s);
            }
            ([Key("caseResults"), Key("failedCases"), Index(i), Key(key)], Scalar::Str(s)) => {
                let key = match *key {
                    "errorType" => "type",
                    "errorMessage" => "message",
                    other => other,
                };
                self.entry_field(ErrorSource::FailedCase, *i, key, s);
            }
            ([Key("signingHandoff"), Key("combinedSigningUrl")], Scalar::Str(s)) => {
                self.combined_signing_url = Some(s);
            }
            (
                [Key("data"), Key("onboardingLinks"), Key("url")]
                | [Key("conflictResponse"), Key("data"), Key("onboardingLinks"), Key("url")],
                Scalar::Str(s),
            ) => self.onboarding_url = Some(s),
            ([Key("conflictResponse"), Key("type")], Scalar::Str(s)) => self.top_type = Some(s),
            ([Key("conflictResponse"), Key("message")], Scalar::Str(s)) => self.message = Some(s),
            ([Key("type")], Scalar::Str(s)) => self.top_type = Some(s),
            ([Key("error")], Scalar::Str(s)) => self.error_label = Some(s),
            ([Key("message")], Scalar::Str(s)) => self.message = Some(s),
            ([Key("title")], Scalar::Str(s)) => self.title = Some(s),
            ([Key("detail")], Scalar::Str(s)) => self.detail = Some(s),
            (
                [Key("errors" | "validationErrors"), Key(field), Index(_)] | [Key(field), Index(_)],
                Scalar::Str(message),
            ) if path.len() == 3 || !KNOWN_KEYS.contains(field) => {
                self.push(Entry {
                    field: Some(JsonStr::from_raw(field)),
                    message: Some(message),
                    ..Entry::new(ErrorSource::FieldValidation, usize::MAX)
                });
            }
            _ => {}
        }
    }

    /// Sets `key` of the entry `source[index]`, creating the entry on first sight.
    fn entry_field(&mut self, source: ErrorSource, index: usize, key: &str, value: JsonStr<'a>) {
        let slot = self
            .entries
            .iter()
            .position(|e| e.is_some_and(|e| e.source == source && e.index == index));
        let slot = match slot {
            Some(slot) => slot,
            None => match self.push(Entry::new(source, index)) {
                Some(slot) => slot,
                None => return,
            },
        };
        if let Some(entry) = self.entries[slot].as_mut() {
            match key {
                "type" => entry.error_type = Some(value),
                "message" => entry.message = Some(value),
                "solutionUrl" => entry.solution_url = Some(value),
                _ => {}
            }
        }
    }

    fn push(&mut self, entry: Entry<'a>) -> Option<usize> {
        match self.entries.iter().position(Option::is_none) {
            Some(slot) => {
                self.entries[slot] = Some(entry);
                Some(slot)
            }
            None => {
                // The fields of one array entry arrive together: count the entry once.
                let id = (entry.source, entry.index);
                if entry.index == usize::MAX || self.last_dropped != Some(id) {
                    self.dropped += 1;
                    self.last_dropped = Some(id);
                }
                None
            }
        }
    }

    /// The error described by the top-level fields, when no entry was found.
    fn top_level(&self) -> Option<Entry<'a>> {
        // A ProblemDetails `type` is a URL, and a legacy `error` may be a
        // sentence: only identifier-like strings count as an error type.
        let identifier = |s: &JsonStr<'_>| {
            let raw = s.raw();
            !raw.is_empty()
                && raw
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        };
        let error_type = self
            .top_type
            .filter(identifier)
            .or(self.error_label.filter(identifier));
        let message = self.detail.or(self.message).or(self.title);
        (error_type.is_some() || message.is_some()).then(|| Entry {
            error_type,
            message,
            ..Entry::new(ErrorSource::TopLevel, 0)
        })
    }

    fn shape(&self, stop: Stop) -> BodyShape {
        let sources = |s: ErrorSource| self.entries.iter().flatten().any(|e| e.source == s);
        if stop == Stop::Empty {
            BodyShape::Empty
        } else if sources(ErrorSource::BusinessError) {
            BodyShape::BusinessErrors
        } else if sources(ErrorSource::FailedCase) {
            BodyShape::CaseResults
        } else if self.onboarding_url.is_some() || (self.top_type.is_some() && !self.problem_status)
        {
            BodyShape::Conflict
        } else if self.problem_status || self.title.is_some() {
            BodyShape::ProblemDetails
        } else if sources(ErrorSource::FieldValidation) {
            BodyShape::FieldValidation
        } else if self.retry_after.is_some() {
            BodyShape::RateLimit
        } else if self.read_any || stop == Stop::Complete {
            BodyShape::Other
        } else {
            BodyShape::NotJson
        }
    }
}
