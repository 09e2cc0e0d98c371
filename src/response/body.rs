//! The body reader: one bounded pass of the JSON scanner over a response
//! body, keeping what the decision needs (each error's type, message,
//! field and URL, the top-level error, the server's delay, the URLs to
//! show) and the body's shape. It decides nothing.

use core::time::Duration;

use crate::response::json::{scan, JsonStr, Scalar, Step, Stop};
use crate::response::retry_after::MAX_RETRY_AFTER;

/// Errors one body can report at most; further ones are counted, not kept.
pub const MAX_ERRORS: usize = 8;

/// Where an error was found in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl ErrorSource {
    /// Its kebab-case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorSource::BusinessError => "business-error",
            ErrorSource::FieldValidation => "field-validation",
            ErrorSource::FailedCase => "failed-case",
            ErrorSource::TopLevel => "top-level",
        }
    }
}

/// The shape the body was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

impl BodyShape {
    /// Its kebab-case name, as in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            BodyShape::Empty => "empty",
            BodyShape::NotJson => "not-json",
            BodyShape::BusinessErrors => "business-errors",
            BodyShape::Conflict => "conflict",
            BodyShape::FieldValidation => "field-validation",
            BodyShape::ProblemDetails => "problem-details",
            BodyShape::RateLimit => "rate-limit",
            BodyShape::CaseResults => "case-results",
            BodyShape::Other => "other",
        }
    }
}

/// One error as read from the body, before diagnosis.
#[derive(Clone, Copy)]
pub(crate) struct Entry<'a> {
    pub(crate) source: ErrorSource,
    /// Index in its array, to tell entries apart while keys arrive in any order.
    pub(crate) index: usize,
    pub(crate) error_type: Option<JsonStr<'a>>,
    pub(crate) message: Option<JsonStr<'a>>,
    pub(crate) field: Option<JsonStr<'a>>,
    pub(crate) solution_url: Option<JsonStr<'a>>,
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
}

/// Everything of interest read from one body.
#[derive(Default)]
pub(crate) struct Read<'a> {
    pub(crate) entries: [Option<Entry<'a>>; MAX_ERRORS],
    pub(crate) dropped: usize,
    pub(crate) last_dropped: Option<(ErrorSource, usize)>,
    pub(crate) top_type: Option<JsonStr<'a>>,
    pub(crate) error_label: Option<JsonStr<'a>>,
    pub(crate) message: Option<JsonStr<'a>>,
    pub(crate) title: Option<JsonStr<'a>>,
    pub(crate) detail: Option<JsonStr<'a>>,
    pub(crate) problem_status: bool,
    pub(crate) retry_after: Option<Duration>,
    pub(crate) onboarding_url: Option<JsonStr<'a>>,
    pub(crate) combined_signing_url: Option<JsonStr<'a>>,
    /// Whether any string or number was read.
    pub(crate) read_any: bool,
    /// What a success body says went wrong, when it says so.
    pub(crate) success_failure: Option<SuccessFailure>,
}

/// A failure a 2xx body reports: the call succeeded, and what it did was
/// not what was asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SuccessFailure {
    /// A test trigger enqueued no delivery (`enqueuedCount: 0`).
    NothingEnqueued,
    /// A case accepted with contracts unsigned (`lifecycle: PendingContractSigning`).
    PendingContracts,
    /// An `is-deletable` answer that lists what blocks the deletion (`blockers[]`).
    DeletionBlocked,
}

/// The top-level body keys with a meaning of their own. Any other top-level
/// key holding an array of strings is a field-validation entry
/// (`{"Email": ["The Email field is required."]}`), and is read as one.
///
/// ```
/// assert!(debitura_triage::BODY_KEYS.contains(&"businessErrors"));
/// ```
pub const BODY_KEYS: &[&str] = &[
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
    "blockers",
    "onboardingLinks",
];

impl<'a> Read<'a> {
    /// Everything of interest in `body`, read in one bounded pass, and how
    /// the pass ended.
    pub(crate) fn body(body: &'a [u8]) -> (Read<'a>, Stop) {
        let mut read = Read::default();
        let stop = scan(body, |path, value| read.visit(path, value));
        (read, stop)
    }

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
            ([Key("enqueuedCount")], Scalar::Num(0.0)) => {
                self.success_failure = Some(SuccessFailure::NothingEnqueued);
            }
            ([Key("lifecycle")], Scalar::Str(s)) if s.raw() == "PendingContractSigning" => {
                self.success_failure = Some(SuccessFailure::PendingContracts);
            }
            ([Key("blockers"), Index(_), ..], _) => {
                self.success_failure = Some(SuccessFailure::DeletionBlocked);
            }
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
                | [Key("onboardingLinks"), Key("url")]
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
            ) if path.len() == 3 || !BODY_KEYS.contains(field) => {
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
    pub(crate) fn top_level(&self) -> Option<Entry<'a>> {
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

    pub(crate) fn shape(&self, stop: Stop) -> BodyShape {
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
