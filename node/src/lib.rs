//! The Node-API addon behind the `debitura-triage` npm package: the library's
//! matcher, response reader and webhook check, answering with plain objects
//! in JavaScript naming. The package's `index.js` checks option names and
//! freezes every answer.
//!
//! Arguments are checked here and refused with an error naming the nearest
//! valid names; nothing a caller passes can panic, and text from a response
//! is bounded by the library's own limits. The code here has no `unsafe`;
//! the registration code `#[napi]` generates is allowed its own.
#![deny(unsafe_code)]

use std::time::{Duration, SystemTime};

use debitura_triage::webhook::{self, Delivery, Tolerance as Window, Verdict, MAX_SECRETS};
use debitura_triage::{
    diagnose as diagnose_query, diagnose_response as read_response, printable, Backoff as Bounds,
    Credential, Diagnosis as Answer, Environment, Operation, Query, Rule as CatalogRule, RuleId,
    RULES,
};
use napi::bindgen_prelude::{Either, Uint8Array};
use napi::{Error, Result, Status};
use napi_derive::napi;

fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}

fn operation(name: Option<&str>) -> Result<Option<Operation>> {
    name.map(|n| n.parse::<Operation>().map_err(|e| invalid(e.to_string())))
        .transpose()
}

fn credential(name: Option<&str>) -> Result<Option<Credential>> {
    name.map(|n| n.parse::<Credential>().map_err(|e| invalid(e.to_string())))
        .transpose()
}

fn environment(name: Option<&str>) -> Result<Option<Environment>> {
    name.map(|n| n.parse::<Environment>().map_err(|e| invalid(e.to_string())))
        .transpose()
}

fn status(value: Option<u32>) -> Result<Option<u16>> {
    match value {
        None => Ok(None),
        Some(s @ 100..=999) => Ok(Some(s as u16)),
        Some(s) => Err(invalid(format!(
            "status {s} is not an HTTP status (100 to 999)"
        ))),
    }
}

/// The bounds of a rule that backs off.
#[napi(object)]
pub struct Backoff {
    /// Sends in all, the first one included.
    pub attempts: u32,
    /// The wait before the first resend, in milliseconds.
    pub base_delay_ms: u32,
    /// No wait is longer, in milliseconds.
    pub max_delay_ms: u32,
    /// How far, in percent, each wait may be spread at random either way.
    pub jitter_percent: u32,
    /// Whether the server's delay is the least wait.
    pub honour_retry_after: bool,
}

fn backoff(b: Option<Bounds>) -> Option<Backoff> {
    let ms = |d: Duration| u32::try_from(d.as_millis()).unwrap_or(u32::MAX);
    b.map(|b| Backoff {
        attempts: b.attempts,
        base_delay_ms: ms(b.base_delay),
        max_delay_ms: ms(b.max_delay),
        jitter_percent: u32::from(b.jitter_percent),
        honour_retry_after: b.honour_retry_after,
    })
}

/// What a failure means and what to do.
#[napi(object)]
pub struct Diagnosis {
    /// The id of the rule that matched; null when none did or several fit.
    pub rule: Option<String>,
    /// Whether one rule matched.
    pub matched: bool,
    /// The rule's title.
    pub title: Option<String>,
    /// The section of the troubleshooting page, if one applies.
    pub section: Option<String>,
    /// Why it happens.
    pub cause: String,
    /// What to do about it.
    pub solution: String,
    /// `never`, `after-user-action`, `token-refresh` or `backoff`.
    pub retry: String,
    /// The bounds of the retries, for a rule that backs off.
    pub backoff: Option<Backoff>,
    /// Where the rule is explained.
    pub docs_url: Option<String>,
    /// The ids of the rules that fit when the question says too little.
    pub several: Vec<String>,
    /// When several fit: whether some way of filling in the question has no rule.
    pub or_none: bool,
}

fn diagnosis(a: &Answer) -> Diagnosis {
    let several = a.several();
    Diagnosis {
        rule: a.rule_id().map(|id| id.as_str().to_string()),
        matched: a.is_matched(),
        title: a.rule().map(|r| r.title.to_string()),
        section: a.section().map(|s| s.title.to_string()),
        cause: a.cause().to_string(),
        solution: a.solution().to_string(),
        retry: a.retry().as_str().to_string(),
        backoff: backoff(a.rule().and_then(|r| r.backoff)),
        docs_url: a.rule_id().map(|id| id.docs_url().to_string()),
        several: several
            .map(|s| s.rules.iter().map(|r| r.as_str().to_string()).collect())
            .unwrap_or_default(),
        or_none: several.is_some_and(|s| s.or_none),
    }
}

/// What the caller knows of a failure; every field is optional.
#[napi(object)]
pub struct Question {
    /// The HTTP status.
    pub status: Option<u32>,
    /// The error type the body names.
    #[napi(js_name = "type")]
    pub error_type: Option<String>,
    /// The error message.
    pub message: Option<String>,
    /// The operation called, e.g. `create-case`.
    pub operation: Option<String>,
    /// A webhook event type.
    pub event: Option<String>,
    /// A symptom, for failures with no HTTP answer.
    pub symptom: Option<String>,
    /// Whether the call was already retried with a fresh token.
    pub after_token_refresh: Option<bool>,
    /// `production` or `test`.
    pub environment: Option<String>,
    /// The credential sent: `api-key` or `bearer`.
    pub auth: Option<String>,
    /// The HTTP method sent.
    pub method: Option<String>,
    /// Whether the request carried an `Idempotency-Key`; not assumed.
    pub idempotency_key: Option<bool>,
}

fn query(q: &Question) -> Result<Query<'_>> {
    let mut query = Query::new();
    query.status = status(q.status)?;
    query.error_type = q.error_type.as_deref();
    query.message = q.message.as_deref();
    query.operation = operation(q.operation.as_deref())?;
    query.event = q.event.as_deref();
    query.symptom = q.symptom.as_deref();
    query.after_token_refresh = q.after_token_refresh.unwrap_or(false);
    query.environment = environment(q.environment.as_deref())?;
    query.credential = credential(q.auth.as_deref())?;
    query.method = q.method.as_deref();
    query.idempotency_key = q.idempotency_key;
    Ok(query)
}

/// What a failure means and what to do, from what the caller knows of it.
#[napi(js_name = "diagnose")]
pub fn diagnose(question: Option<Question>) -> Result<Diagnosis> {
    let question = question.unwrap_or(Question {
        status: None,
        error_type: None,
        message: None,
        operation: None,
        event: None,
        symptom: None,
        after_token_refresh: None,
        environment: None,
        auth: None,
        method: None,
        idempotency_key: None,
    });
    Ok(diagnosis(&diagnose_query(&query(&question)?)))
}

/// One error a response body reported.
#[napi(object)]
pub struct Finding {
    /// Where in the body it was found.
    pub source: String,
    /// Its error type, if the body gives one.
    #[napi(js_name = "type")]
    pub error_type: Option<String>,
    /// Its message, if any.
    pub message: Option<String>,
    /// The field it concerns, for field-validation messages.
    pub field: Option<String>,
    /// Its `solutionUrl`, if any.
    pub solution_url: Option<String>,
    /// The rule this error alone matches, if any.
    pub rule: Option<String>,
    /// Its retry policy on its own.
    pub retry: String,
    /// Whether it decided the answer.
    pub decisive: bool,
}

/// The answer to a response.
#[napi(object)]
pub struct ResponseDiagnosis {
    /// The diagnosis of the error that decided (or of the status and context).
    pub diagnosis: Diagnosis,
    /// The id of the rule that decided.
    pub rule: Option<String>,
    /// `never`, `after-user-action`, `token-refresh` or `backoff`.
    pub retry: String,
    /// The bounds of the retries, for a rule that backs off.
    pub backoff: Option<Backoff>,
    /// The URL to show the user, if the body has one.
    pub url: Option<String>,
    /// How long the server asked to wait, in seconds, if it said.
    pub retry_after: Option<f64>,
    /// The body's shape.
    pub body: String,
    /// Why the body was not read whole, if it was not.
    pub body_note: Option<String>,
    /// How the deciding error was chosen.
    pub decision: String,
    /// The index in `findings` of the error that decided, if one did.
    pub decided_by: Option<u32>,
    /// Errors beyond those kept, counted but not read.
    pub errors_not_kept: u32,
    /// Every error the body reported, in order.
    pub findings: Vec<Finding>,
}

/// What the caller knows of the call a response answered.
#[napi(object)]
pub struct ResponseContext {
    /// The operation called.
    pub operation: Option<String>,
    /// The `Retry-After` header: its text, or seconds.
    pub retry_after: Option<Either<String, f64>>,
    /// The HTTP method sent.
    pub method: Option<String>,
    /// Whether the request carried an `Idempotency-Key`; not assumed.
    pub idempotency_key: Option<bool>,
    /// The credential sent: `api-key` or `bearer`.
    pub auth: Option<String>,
    /// Whether the call was already retried with a fresh token.
    pub after_token_refresh: Option<bool>,
    /// `production` or `test`.
    pub environment: Option<String>,
    /// Now, in Unix seconds, for a `Retry-After` given as a date.
    pub now: Option<f64>,
}

fn unix(secs: f64) -> SystemTime {
    if secs.is_finite() && secs >= 0.0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs.min(1e12))
    } else {
        SystemTime::UNIX_EPOCH
    }
}

/// What a response means: its status, its raw body and what the caller knows.
#[napi(js_name = "diagnoseResponse")]
pub fn diagnose_response(
    status_code: u32,
    body: Uint8Array,
    context: Option<ResponseContext>,
) -> Result<ResponseDiagnosis> {
    let code = status(Some(status_code))?.unwrap_or_default();
    let ctx = context.unwrap_or(ResponseContext {
        operation: None,
        retry_after: None,
        method: None,
        idempotency_key: None,
        auth: None,
        after_token_refresh: None,
        environment: None,
        now: None,
    });
    let mut q = Query::new();
    q.operation = operation(ctx.operation.as_deref())?;
    q.environment = environment(ctx.environment.as_deref())?;
    q.credential = credential(ctx.auth.as_deref())?;
    q.method = ctx.method.as_deref();
    q.idempotency_key = ctx.idempotency_key;
    q.after_token_refresh = ctx.after_token_refresh.unwrap_or(false);
    let bytes: &[u8] = &body;
    let mut r = read_response(code, bytes, &q);
    if let Some(value) = &ctx.retry_after {
        let clock = ctx.now.map_or_else(SystemTime::now, unix);
        let header = match value {
            Either::A(text) => text.clone(),
            Either::B(secs) if secs.is_finite() && *secs >= 0.0 => format!("{}", secs.floor()),
            Either::B(_) => String::new(),
        };
        r = r.with_retry_after_header(header.as_bytes(), clock);
    }
    let text = |t: Option<debitura_triage::JsonStr<'_>>| t.map(|t| t.to_string());
    let findings = r
        .findings()
        .enumerate()
        .map(|(i, f)| Finding {
            source: f.source.as_str().to_string(),
            error_type: text(f.error_type),
            message: text(f.message),
            field: text(f.field),
            solution_url: text(f.solution_url),
            rule: f.diagnosis.rule_id().map(|id| id.as_str().to_string()),
            retry: f.diagnosis.retry().as_str().to_string(),
            decisive: r.decided_by() == Some(i),
        })
        .collect();
    let answer = r.diagnosis();
    Ok(ResponseDiagnosis {
        diagnosis: diagnosis(&answer),
        rule: answer.rule_id().map(|id| id.as_str().to_string()),
        retry: r.retry().as_str().to_string(),
        backoff: backoff(answer.rule().and_then(|r| r.backoff)),
        url: r.url().map(|u| u.to_string()),
        retry_after: r.retry_after().map(|d| d.as_secs_f64()),
        body: r.shape().as_str().to_string(),
        body_note: r.stop().is_partial().then(|| r.stop().to_string()),
        decision: r.decision().as_str().to_string(),
        decided_by: r.decided_by().and_then(|i| u32::try_from(i).ok()),
        errors_not_kept: u32::try_from(r.dropped()).unwrap_or(u32::MAX),
        findings,
    })
}

/// The window a delivery's timestamp must fall in, in seconds around now.
#[napi(object)]
pub struct Tolerance {
    /// How old it may be.
    pub past: u32,
    /// How far ahead it may be.
    pub future: u32,
}

/// How a webhook delivery is checked.
#[napi(object)]
pub struct WebhookOptions {
    /// Now, in Unix seconds; the clock's by default.
    pub now: Option<f64>,
    /// The window; Debitura's (300 s old, 30 s ahead) by default.
    pub tolerance: Option<Tolerance>,
    /// The signature the caller's own code computed, if known.
    pub computed: Option<String>,
}

/// The verdict on one webhook delivery.
#[napi(object)]
pub struct WebhookCheck {
    /// Whether the delivery is Debitura's, unchanged and on time.
    pub valid: bool,
    /// The most likely mistake's code; null when valid.
    pub mistake: Option<String>,
    /// The id of the rule that explains the mistake; null when valid.
    pub rule: Option<String>,
    /// The diagnosis that explains the mistake; null when valid.
    pub diagnosis: Option<Diagnosis>,
}

/// Checks a delivery's `X-Debitura-Signature` header against its raw body.
#[napi(js_name = "checkWebhook")]
pub fn check_webhook(
    secret: Either<String, Vec<String>>,
    header: String,
    body: Uint8Array,
    options: Option<WebhookOptions>,
) -> Result<WebhookCheck> {
    let secrets: Vec<&str> = match &secret {
        Either::A(one) => vec![one.as_str()],
        Either::B(list) => list.iter().map(String::as_str).collect(),
    };
    if secrets.len() > MAX_SECRETS {
        return Err(invalid(format!(
            "{} secrets given; at most {MAX_SECRETS} are checked during a rotation",
            secrets.len()
        )));
    }
    let options = options.unwrap_or(WebhookOptions {
        now: None,
        tolerance: None,
        computed: None,
    });
    let now = options
        .now
        .map_or_else(SystemTime::now, unix)
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let tolerance = options.tolerance.map_or(Window::DEBITURA, |t| Window {
        past: u64::from(t.past),
        future: u64::from(t.future),
    });
    let bytes: &[u8] = &body;
    let delivery = Delivery {
        secrets: &secrets,
        header: &header,
        body: bytes,
        now,
        tolerance,
        computed: options.computed.as_deref(),
    };
    Ok(match webhook::check(&delivery) {
        Verdict::Mistake(m) => {
            let d = m.diagnosis();
            WebhookCheck {
                valid: false,
                mistake: Some(m.code().to_string()),
                rule: d.rule_id().map(|id| id.as_str().to_string()),
                diagnosis: Some(diagnosis(&d)),
            }
        }
        _ => WebhookCheck {
            valid: true,
            mistake: None,
            rule: None,
            diagnosis: None,
        },
    })
}

/// One rule of the catalog.
#[napi(object)]
pub struct Rule {
    /// Its stable id.
    pub id: String,
    /// The failure as a reader would search for it.
    pub title: String,
    /// The section of the troubleshooting page it belongs to.
    pub section: String,
    /// Why it happens.
    pub cause: String,
    /// What to do about it.
    pub solution: String,
    /// Its retry policy.
    pub retry: String,
    /// The bounds of the retries, for a rule that backs off.
    pub backoff: Option<Backoff>,
    /// Background, and which source the rule follows.
    pub notes: Option<String>,
    /// Where the rule is explained.
    pub docs_url: String,
    /// The ids of related rules.
    pub see_also: Vec<String>,
}

fn rule_object(rule: &CatalogRule) -> Rule {
    Rule {
        id: rule.id.as_str().to_string(),
        title: rule.title.to_string(),
        section: rule.section.title.to_string(),
        cause: rule.cause.to_string(),
        solution: rule.solution.to_string(),
        retry: rule.retry.as_str().to_string(),
        backoff: backoff(rule.backoff),
        notes: rule.notes.map(str::to_string),
        docs_url: rule.id.docs_url().to_string(),
        see_also: rule
            .see_also
            .iter()
            .map(|id| id.as_str().to_string())
            .collect(),
    }
}

/// Every rule of the catalog, in its order.
#[napi(js_name = "rules")]
pub fn rules() -> Vec<Rule> {
    RULES.iter().map(rule_object).collect()
}

/// The rule with this id (a retired id gives the rule that replaced it).
#[napi(js_name = "rule")]
pub fn rule(id: String) -> Result<Rule> {
    match RuleId::from_id(&id) {
        Some(found) => Ok(rule_object(found.rule())),
        None => Err(invalid(id.parse::<RuleId>().err().map_or_else(
            || format!("no rule `{}`", printable(&id)),
            |e| e.to_string(),
        ))),
    }
}

/// The wait in seconds before resend `resend` (1 for the first) of a call
/// that rule `id` backs off, before jitter; null once its attempts are used
/// up, or for a rule that does not back off.
#[napi(js_name = "backoffDelay")]
pub fn backoff_delay(id: String, resend: u32) -> Result<Option<f64>> {
    let found = rule(id)?;
    let rule = RuleId::from_id(&found.id).map(RuleId::rule);
    Ok(rule
        .and_then(|r| r.backoff)
        .and_then(|b| b.delay(resend))
        .map(|d| d.as_secs_f64()))
}

/// The valid operation names.
#[napi(js_name = "operations")]
pub fn operations() -> Vec<&'static str> {
    Operation::ALL.iter().map(|o| o.as_str()).collect()
}

/// The valid environment names.
#[napi(js_name = "environments")]
pub fn environments() -> Vec<&'static str> {
    Environment::ALL.iter().map(|e| e.as_str()).collect()
}
