//! What a service would write to read a response body without the crate:
//! serde_json into derived structs, or into a `Value`, then the same
//! extraction the crate does (each error diagnosed, the strictest decides,
//! the URL to show, the delay), so that both give the crate's answer.

use std::collections::BTreeMap;
use std::time::Duration;

use debitura_triage::{diagnose, Diagnosis, Query, Retry, RuleId, BODY_KEYS, MAX_RETRY_AFTER};
use serde::Deserialize;
use serde_json::Value;

/// What every route must agree on.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub rule: Option<RuleId>,
    pub retry: Retry,
    pub url: Option<String>,
    pub delay: Option<Duration>,
}

/// One error as read from a body.
#[derive(Default)]
struct Error {
    error_type: Option<String>,
    message: Option<String>,
    url: Option<String>,
}

/// Everything the extraction needs, however the body was parsed.
#[derive(Default)]
struct Parsed {
    errors: Vec<Error>,
    top: Error,
    signing_url: Option<String>,
    onboarding_url: Option<String>,
    retry_after: Option<f64>,
}

fn strictness(d: &Diagnosis) -> u8 {
    match (d.is_matched(), d.retry()) {
        (false, _) => 0,
        (true, Retry::Never) => 4,
        (true, Retry::AfterUserAction) => 3,
        (true, Retry::TokenRefresh) => 2,
        (true, _) => 1,
    }
}

/// A ProblemDetails `type` is a URL and a legacy `error` may be a sentence.
fn identifier(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
}

fn answer(status: u16, context: &Query<'_>, p: Parsed) -> Answer {
    let mut context = *context;
    context.status = Some(status);
    let ask = |e: &Error| {
        let mut q = context;
        q.error_type = e.error_type.as_deref();
        q.message = e.message.as_deref();
        diagnose(&q)
    };
    let errors = if p.errors.is_empty() && (p.top.error_type.is_some() || p.top.message.is_some()) {
        vec![p.top]
    } else {
        p.errors
    };
    let mut decisive: Option<(&Error, Diagnosis)> = None;
    for error in &errors {
        let d = ask(error);
        if decisive
            .as_ref()
            .is_none_or(|(_, best)| strictness(&d) > strictness(best))
        {
            decisive = Some((error, d));
        }
    }
    let diagnosis = decisive
        .as_ref()
        .map_or_else(|| diagnose(&context), |(_, d)| *d);
    let url = p
        .signing_url
        .or_else(|| decisive.and_then(|(e, _)| e.url.clone()))
        .or(p.onboarding_url);
    let delay = p
        .retry_after
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(MAX_RETRY_AFTER.as_secs_f64())));
    Answer {
        rule: diagnosis.rule_id(),
        retry: diagnosis.retry(),
        url,
        delay,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Body {
    #[serde(rename = "businessErrors")]
    business_errors: Vec<Entry>,
    #[serde(rename = "signingHandoff")]
    signing_handoff: Option<Handoff>,
    #[serde(rename = "type")]
    error_type: Option<String>,
    error: Option<String>,
    message: Option<String>,
    title: Option<String>,
    detail: Option<String>,
    #[serde(rename = "retryAfter")]
    retry_after: Option<f64>,
    data: Option<ConflictData>,
    #[serde(rename = "caseResults")]
    case_results: Option<CaseResults>,
    /// Field-validation lists: `{"Field": ["message", …]}`.
    #[serde(flatten)]
    fields: BTreeMap<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry {
    #[serde(rename = "type")]
    error_type: Option<String>,
    message: Option<String>,
    #[serde(rename = "solutionUrl")]
    solution_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Handoff {
    #[serde(rename = "combinedSigningUrl")]
    combined_signing_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConflictData {
    #[serde(rename = "onboardingLinks")]
    onboarding_links: Option<Link>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Link {
    url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CaseResults {
    #[serde(rename = "failedCases")]
    failed_cases: Vec<FailedCase>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FailedCase {
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    #[serde(rename = "errorMessage")]
    error_message: Option<String>,
}

/// Field-validation messages of `fields`, in key order.
fn field_errors<'a>(fields: impl Iterator<Item = (&'a String, &'a Value)>) -> Vec<Error> {
    fields
        .filter_map(|(_, v)| v.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .map(|m| Error {
            message: Some(m.to_string()),
            ..Error::default()
        })
        .collect()
}

/// serde_json into derived structs.
pub fn with_structs(status: u16, body: &[u8], context: &Query<'_>) -> Answer {
    let b: Body = serde_json::from_slice(body).unwrap_or_default();
    let mut errors: Vec<Error> = b
        .business_errors
        .into_iter()
        .map(|e| Error {
            error_type: e.error_type,
            message: e.message,
            url: e.solution_url,
        })
        .collect();
    errors.extend(
        b.case_results
            .into_iter()
            .flat_map(|c| c.failed_cases)
            .map(|f| Error {
                error_type: f.error_type,
                message: f.error_message,
                url: None,
            }),
    );
    errors.extend(field_errors(
        b.fields
            .iter()
            .filter(|(k, _)| !BODY_KEYS.contains(&k.as_str())),
    ));
    let parsed = Parsed {
        errors,
        top: Error {
            error_type: b
                .error_type
                .filter(|t| identifier(t))
                .or(b.error.filter(|e| identifier(e))),
            message: b.detail.or(b.message).or(b.title),
            url: None,
        },
        signing_url: b.signing_handoff.and_then(|h| h.combined_signing_url),
        onboarding_url: b.data.and_then(|d| d.onboarding_links).and_then(|l| l.url),
        retry_after: b.retry_after,
    };
    answer(status, context, parsed)
}

/// serde_json into a `Value`.
pub fn with_value(status: u16, body: &[u8], context: &Query<'_>) -> Answer {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(String::from);
    let mut errors: Vec<Error> = v
        .get("businessErrors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| Error {
            error_type: text(e, "type"),
            message: text(e, "message"),
            url: text(e, "solutionUrl"),
        })
        .collect();
    let failed = v
        .pointer("/caseResults/failedCases")
        .and_then(Value::as_array);
    errors.extend(failed.into_iter().flatten().map(|f| Error {
        error_type: text(f, "errorType"),
        message: text(f, "errorMessage"),
        url: None,
    }));
    if let Some(map) = v.as_object() {
        errors.extend(field_errors(
            map.iter().filter(|(k, _)| !BODY_KEYS.contains(&k.as_str())),
        ));
    }
    let identifier_at = |key: &str| text(&v, key).filter(|t| identifier(t));
    let parsed = Parsed {
        errors,
        top: Error {
            error_type: identifier_at("type").or_else(|| identifier_at("error")),
            message: text(&v, "detail")
                .or_else(|| text(&v, "message"))
                .or_else(|| text(&v, "title")),
            url: None,
        },
        signing_url: v
            .pointer("/signingHandoff/combinedSigningUrl")
            .and_then(Value::as_str)
            .map(String::from),
        onboarding_url: v
            .pointer("/data/onboardingLinks/url")
            .and_then(Value::as_str)
            .map(String::from),
        retry_after: v.get("retryAfter").and_then(Value::as_f64),
    };
    answer(status, context, parsed)
}
