//! The core's call machine for the package's drivers (`calls.js`): `Call`
//! says what to do after each send, `RetryBudget` bounds resends across a
//! process. Time comes in as seconds on the driver's monotonic clock
//! (`performance.now() / 1000`).

use std::time::Duration;

use debitura_triage::call::{self, Attempt, Failure, Next};
use napi::bindgen_prelude::Uint8Array;
use napi::Result;
use napi_derive::napi;
use serde_json::{json, Value};

use crate::answer::{invalid, to_js};

/// The bounds of a budget: resends may add `ratio` of the first attempts
/// of the last `windowSecs`, plus `reservePerSecond` (per instance).
#[napi(object)]
pub struct BudgetOptions {
    pub ratio: Option<f64>,
    pub reserve_per_second: Option<u32>,
    pub window_secs: Option<u32>,
}

/// Bounds the resends of every call that shares it, one account per API
/// host.
#[napi]
pub struct RetryBudget {
    inner: call::RetryBudget,
}

#[napi]
impl RetryBudget {
    /// A budget of `ratio` (0.2), `reservePerSecond` (10, this instance's)
    /// and `windowSecs` (10).
    #[napi(constructor)]
    pub fn new(options: Option<BudgetOptions>) -> Result<Self> {
        let o = options.unwrap_or(BudgetOptions {
            ratio: None,
            reserve_per_second: None,
            window_secs: None,
        });
        #[allow(clippy::cast_possible_truncation)] // a ratio of 0 to 1000
        let ratio = o.ratio.unwrap_or(0.2) as f32;
        call::RetryBudget::new(
            ratio,
            o.reserve_per_second.unwrap_or(10),
            Duration::from_secs(u64::from(o.window_secs.unwrap_or(10))),
        )
        .map(|inner| RetryBudget { inner })
        .map_err(|e| invalid(e.to_string()))
    }

    /// The default budget for one of `instances` processes sharing an API
    /// key: the reserve divided between them.
    #[napi(factory)]
    pub fn for_instances(instances: u32) -> Result<Self> {
        call::RetryBudget::for_instances(instances)
            .map(|inner| RetryBudget { inner })
            .map_err(|e| invalid(e.to_string()))
    }

    #[napi(getter)]
    pub fn ratio(&self) -> f64 {
        f64::from(self.inner.ratio())
    }

    #[napi(getter)]
    pub fn reserve_per_second(&self) -> u32 {
        self.inner.reserve_per_second()
    }

    #[napi(getter)]
    pub fn window_secs(&self) -> f64 {
        self.inner.window().as_secs_f64()
    }
}

/// Seconds on a clock as a `Duration`; negative or not a number is 0.
fn seconds(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::ZERO)
}

/// One call in progress: the core decides, the driver sends, reads, waits
/// and mints.
#[napi]
pub struct Call {
    inner: call::Call,
}

#[napi]
impl Call {
    /// Starts a call of `method` to `url` at `now` (seconds on the
    /// driver's clock). The request carries `authorization`, `xapikey` and
    /// `idempotencyKey` (each header's value, or `null`); `operation` names
    /// it for a path the core does not know; `tenant` says a token source
    /// serves it; `replayable` whether its body can be sent again;
    /// `noResend` forbids a second send; `deadline` (on the same clock) is
    /// when it must be over. By position: the quickest way across.
    #[napi(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        method: String,
        url: String,
        budget: &RetryBudget,
        now: f64,
        authorization: Option<String>,
        xapikey: Option<String>,
        idempotency_key: Option<String>,
        operation: Option<String>,
        tenant: Option<bool>,
        replayable: Option<bool>,
        no_resend: Option<bool>,
        deadline: Option<f64>,
    ) -> Result<Self> {
        let operation = operation
            .as_deref()
            .map(str::parse::<debitura_triage::Operation>)
            .transpose()
            .map_err(|e| invalid(e.to_string()))?;
        let mut request = call::Request::new(&method, &url)
            .operation(operation)
            .replayable(replayable.unwrap_or(true))
            .deadline(deadline.map(seconds));
        for (name, value) in [
            ("authorization", &authorization),
            ("xapikey", &xapikey),
            ("idempotency-key", &idempotency_key),
        ] {
            if let Some(value) = value {
                request = request.header(name, value.as_bytes());
            }
        }
        if tenant.unwrap_or(false) {
            request = request.tenant();
        }
        if no_resend.unwrap_or(false) {
            request = request.no_resend();
        }
        Ok(Call {
            inner: call::Call::start(request, &budget.inner, seconds(now)),
        })
    }

    /// Whether a status is a failure the driver hands over (400 and above).
    #[napi]
    pub fn failed(status: f64) -> bool {
        status >= 400.0
    }

    /// Whether to get the tenant's token before the first send.
    #[napi(getter)]
    pub fn needs_token(&self) -> bool {
        self.inner.needs_token()
    }

    /// The `Idempotency-Key` to add to every copy, when the operation takes
    /// one and the caller sent none; `null` otherwise.
    #[napi(getter)]
    pub fn key_to_add(&self) -> Option<String> {
        self.inner.key_to_add().map(str::to_owned)
    }

    /// The operation's name, from the route or the caller's word.
    #[napi(getter)]
    pub fn operation(&self) -> Option<&'static str> {
        self.inner
            .operation()
            .map(debitura_triage::Operation::as_str)
    }

    /// When the call must be over, on the driver's clock, in seconds.
    #[napi(getter)]
    pub fn deadline(&self) -> Option<f64> {
        self.inner.deadline().map(|d| d.as_secs_f64())
    }

    /// Sends made so far.
    #[napi(getter)]
    pub fn attempts(&self) -> u32 {
        self.inner.attempts()
    }

    /// A failed answer: its status, its body as read (at most `MAX_SCAN`
    /// bytes; `complete` false when the read stopped short), and its
    /// `Retry-After` as the header gives it. Returns the step.
    #[napi]
    pub fn answered(
        &mut self,
        status: u32,
        body: Uint8Array,
        now: f64,
        retry_after: Option<String>,
        complete: Option<bool>,
    ) -> Result<Value> {
        let status = u16::try_from(status)
            .ok()
            .filter(|s| (100..=999).contains(s))
            .ok_or_else(|| invalid(format!("{status} is not an HTTP status")))?;
        let mut attempt = Attempt::answered(status, &body, std::time::SystemTime::now());
        if let Some(value) = &retry_after {
            attempt = attempt.retry_after(value.as_bytes());
        }
        if !complete.unwrap_or(true) {
            attempt = attempt.partial();
        }
        let failure = self.inner.read(attempt);
        let next = self.inner.next(&failure, seconds(now));
        step(&failure, next, self.inner.attempts())
    }

    /// A send that never left (the connection could not be made). Returns
    /// the step.
    #[napi]
    pub fn not_sent(&mut self, now: f64) -> Result<Value> {
        let failure = self.inner.read(Attempt::NotSent);
        let next = self.inner.next(&failure, seconds(now));
        step(&failure, next, self.inner.attempts())
    }

    /// A send that went out and got no answer. Returns the step.
    #[napi]
    pub fn no_answer(&mut self, now: f64) -> Result<Value> {
        let failure = self.inner.read(Attempt::NoAnswer);
        let next = self.inner.next(&failure, seconds(now));
        step(&failure, next, self.inner.attempts())
    }

    /// Why the call stops when no token could be had at `now`:
    /// `"deadline"` or `"token-unavailable"`.
    #[napi]
    pub fn token_failed(&self, now: f64) -> &'static str {
        self.inner.token_failed(seconds(now)).as_str()
    }

    /// The answer a call carries when it stops before any failure was read
    /// (no token could be had): what the request alone tells.
    #[napi]
    pub fn unanswered(&self) -> Result<Value> {
        no_response(&debitura_triage::diagnose(&self.inner.context()))
    }
}

/// The answer to a failure without a response, with a response's keys.
fn no_response(d: &debitura_triage::Diagnosis) -> Result<Value> {
    let mut answer = to_js(&d.answer())?;
    if let Value::Object(map) = &mut answer {
        map.insert("url".into(), Value::Null);
        map.insert("retryAfterSecs".into(), Value::Null);
        map.insert("findings".into(), json!([]));
    }
    Ok(answer)
}

/// The step: `resend` with `after` (seconds) and `freshToken`, or a stop
/// with its `reason`; `attempts` so far; and `answer`, the core's answer to
/// the failure (the keys of `diagnoseResponse`'s; `url`, `retryAfterSecs`
/// and `findings` empty when there was no response).
fn step(failure: &Failure<'_>, next: Next, attempts: u32) -> Result<Value> {
    let answer = match failure.response() {
        Some(response) => to_js(&response.answer())?,
        None => no_response(&failure.diagnosis())?,
    };
    let (resend, after, fresh_token, reason) = match next {
        Next::Resend { after, fresh_token } => (true, after.as_secs_f64(), fresh_token, None),
        Next::Stop(reason) => (false, 0.0, false, Some(reason.as_str())),
    };
    Ok(json!({
        "resend": resend,
        "after": after,
        "freshToken": fresh_token,
        "reason": reason,
        "attempts": attempts,
        "answer": answer,
    }))
}

/// The most bytes of a failed response's body the drivers read: what the
/// core reads of a body.
#[napi(js_name = "maxScan")]
pub fn max_scan() -> u32 {
    u32::try_from(debitura_triage::MAX_SCAN).unwrap_or(u32::MAX)
}
