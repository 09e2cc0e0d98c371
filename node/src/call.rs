//! The core's call machine for the package's drivers (`calls.js`): `Call`
//! says what to do after each send, `RetryBudget` bounds resends across a
//! process. Time comes in as seconds on the driver's monotonic clock
//! (`performance.now() / 1000`).

use std::sync::{Mutex, PoisonError};
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

/// The budgets the package's `RetryBudget`s name by number, so that a call
/// names its budget without the addon unwrapping an object. A budget
/// dropped (its `RetryBudget` collected) leaves its place to the next.
struct Budgets {
    budgets: Vec<Option<call::RetryBudget>>,
    free: Vec<u32>,
}

static BUDGETS: Mutex<Budgets> = Mutex::new(Budgets {
    budgets: Vec::new(),
    free: Vec::new(),
});

/// Keeps `budget` and returns the number that names it.
fn keep(budget: call::RetryBudget) -> Result<u32> {
    let mut kept = BUDGETS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(id) = kept.free.pop() {
        kept.budgets[id as usize] = Some(budget);
        return Ok(id);
    }
    let id = u32::try_from(kept.budgets.len()).map_err(|_| invalid("too many budgets".into()))?;
    kept.budgets.push(Some(budget));
    Ok(id)
}

/// A budget of `ratio` (0.2), `reservePerSecond` (10, this instance's) and
/// `windowSecs` (10); returns its number.
#[napi(js_name = "budgetNew")]
pub fn budget_new(options: Option<BudgetOptions>) -> Result<u32> {
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
    .map_err(|e| invalid(e.to_string()))
    .and_then(keep)
}

/// The default budget for one of `instances` processes sharing an API key
/// (the reserve divided between them); returns its number.
#[napi(js_name = "budgetForInstances")]
pub fn budget_for_instances(instances: u32) -> Result<u32> {
    call::RetryBudget::for_instances(instances)
        .map_err(|e| invalid(e.to_string()))
        .and_then(keep)
}

/// A budget's settings as the core holds them.
#[napi(object)]
pub struct BudgetSettings {
    pub ratio: f64,
    pub reserve_per_second: u32,
    pub window_secs: f64,
}

/// The settings of budget `id`.
#[napi(js_name = "budgetSettings")]
pub fn budget_settings(id: u32) -> Result<BudgetSettings> {
    with_budget(id, |b| BudgetSettings {
        ratio: f64::from(b.ratio()),
        reserve_per_second: b.reserve_per_second(),
        window_secs: b.window().as_secs_f64(),
    })
}

/// Counts first attempts sent before the machine was asked anything, each
/// a budget's number, a URL and the time it was sent (the same length
/// each): the successes of requests that needed nothing before their first
/// send, which the driver did not start a call for. A number that names no
/// budget is passed over.
#[napi(js_name = "budgetFirstAttempts")]
pub fn budget_first_attempts(budgets: Vec<u32>, urls: Vec<String>, times: Vec<f64>) {
    let kept = BUDGETS.lock().unwrap_or_else(PoisonError::into_inner);
    for ((id, url), at) in budgets.iter().zip(&urls).zip(&times) {
        if let Some(Some(budget)) = kept.budgets.get(*id as usize) {
            budget.first_attempt(&call::Request::new("GET", url), seconds(*at));
        }
    }
}

/// What a request asks of the machine before its first send, read once so
/// that a request that asks nothing crosses into the addon only after a
/// failure: `keyMethods`, the methods (upper case) of the routes whose
/// operation takes an `Idempotency-Key`; `tokenFirst[tenant * 2 +
/// authorization]`, whether a token is got first for a request a token
/// source serves (or not) that carries an `Authorization` (or not).
#[napi(object)]
pub struct StartFacts {
    pub key_methods: Vec<String>,
    pub token_first: Vec<bool>,
}

#[napi(js_name = "startFacts")]
pub fn start_facts() -> StartFacts {
    const METHODS: [&str; 7] = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];
    let token_first = [(false, false), (false, true), (true, false), (true, true)]
        .into_iter()
        .map(|(tenant, authorization)| {
            let mut request = call::Request::new("GET", "/");
            if tenant {
                request = request.tenant();
            }
            if authorization {
                request = request.header("authorization", b"");
            }
            request.needs_token()
        })
        .collect();
    StartFacts {
        key_methods: METHODS
            .into_iter()
            .filter(|m| call::Request::may_add_key(m))
            .map(str::to_owned)
            .collect(),
        token_first,
    }
}

/// Forgets budget `id`; calls that hold one of its accounts keep it.
#[napi(js_name = "budgetDrop")]
pub fn budget_drop(id: u32) {
    let mut kept = BUDGETS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(slot @ Some(_)) = kept.budgets.get_mut(id as usize) {
        *slot = None;
        kept.free.push(id);
    }
}

/// `f` of budget `id`; an error when there is none.
fn with_budget<T>(id: u32, f: impl FnOnce(&call::RetryBudget) -> T) -> Result<T> {
    let kept = BUDGETS.lock().unwrap_or_else(PoisonError::into_inner);
    match kept.budgets.get(id as usize) {
        Some(Some(budget)) => Ok(f(budget)),
        _ => Err(invalid("no budget has this number".into())),
    }
}

/// Seconds on a clock as a `Duration`; negative or not a number is 0.
fn seconds(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::ZERO)
}

/// The calls in progress, each in a slot the driver names by a handle (its
/// place and the slot's generation), so that starting a call makes no
/// JavaScript object the collector must finalize. A handle whose call
/// ended names nothing.
struct Slots {
    slots: Vec<(u32, Option<call::Call>)>,
    free: Vec<u32>,
}

static CALLS: Mutex<Slots> = Mutex::new(Slots {
    slots: Vec::new(),
    free: Vec::new(),
});

/// A handle: the slot's generation above its place. `callStart`'s answer
/// carries two flags below it (`handle * 4 + flags`).
fn handle(place: u32, generation: u32) -> f64 {
    f64::from(generation) * 4_294_967_296.0 + f64::from(place)
}

/// `callStart`'s flags: the call needs a token before its first send.
const NEEDS_TOKEN: f64 = 1.0;
/// `callStart`'s flags: the call has an `Idempotency-Key` to add.
const HAS_KEY: f64 = 2.0;

/// `f` of the call `handle` names; an error when it has ended.
fn with<T>(handle: f64, f: impl FnOnce(&mut call::Call) -> T) -> Result<T> {
    let mut calls = CALLS.lock().unwrap_or_else(PoisonError::into_inner);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked below
    let (place, generation) = (
        (handle % 4_294_967_296.0) as u32,
        (handle / 4_294_967_296.0) as u32,
    );
    match calls.slots.get_mut(place as usize) {
        Some((g, Some(call))) if *g == generation && handle >= 0.0 => Ok(f(call)),
        _ => Err(invalid("no call in progress has this handle".into())),
    }
}

/// `callStart`'s request flags: a token source serves the call.
const TENANT: u32 = 1;
/// `callStart`'s request flags: the body cannot be sent again.
const NOT_REPLAYABLE: u32 = 2;
/// `callStart`'s request flags: the call may not be sent twice.
const NO_RESEND: u32 = 4;
/// `callStart`'s request flags: the request carries an `XApiKey`.
const HAS_API_KEY: u32 = 8;
/// `callStart`'s request flags: the request carries an `Idempotency-Key`.
const HAS_IDEMPOTENCY_KEY: u32 = 16;

/// Starts a call of `method` to `url` at `now` (seconds on the driver's
/// clock) on budget number `budget`, and returns its handle. `flags` say
/// what else the core reads of the request (1: a token source serves it;
/// 2: its body cannot be sent again; 4: no second send; 8: it carries an
/// `XApiKey`; 16: it carries an `Idempotency-Key`); `authorization` is its
/// `Authorization` header (or `null`); `operation` names it for a path the
/// core does not know; `deadline` (on the same clock; NaN for none) is when
/// it must be over; `ended` is the handle of a call the driver has ended
/// since (or -1), ended here first, so that ending a call costs no crossing
/// of its own. Numbers and few strings: the quickest way across.
/// Returns the call's handle times four plus two flags (1: it needs a token
/// before its first send; 2: it has an `Idempotency-Key` to add), so that a
/// call that needs neither asks nothing more before it is sent. End it with
/// `callEnd`.
#[napi(js_name = "callStart")]
#[allow(clippy::too_many_arguments)] // by position: the quickest way across
pub fn call_start(
    method: String,
    url: String,
    budget: u32,
    now: f64,
    flags: u32,
    authorization: Option<String>,
    operation: Option<String>,
    deadline: f64,
    ended: f64,
) -> Result<f64> {
    let mut calls = CALLS.lock().unwrap_or_else(PoisonError::into_inner);
    end(&mut calls, ended);
    let operation = operation
        .as_deref()
        .map(str::parse::<debitura_triage::Operation>)
        .transpose()
        .map_err(|e| invalid(e.to_string()))?;
    let mut request = call::Request::new(&method, &url)
        .operation(operation)
        .replayable(flags & NOT_REPLAYABLE == 0)
        .deadline((!deadline.is_nan()).then(|| seconds(deadline)));
    if let Some(value) = &authorization {
        request = request.header("authorization", value.as_bytes());
    }
    if flags & HAS_API_KEY != 0 {
        request = request.header("xapikey", b"");
    }
    if flags & HAS_IDEMPOTENCY_KEY != 0 {
        request = request.header("idempotency-key", b"");
    }
    if flags & TENANT != 0 {
        request = request.tenant();
    }
    if flags & NO_RESEND != 0 {
        request = request.no_resend();
    }
    let call = with_budget(budget, |b| call::Call::start(request, b, seconds(now)))?;
    let place = match calls.free.pop() {
        Some(place) => place,
        None => {
            let place = u32::try_from(calls.slots.len())
                .map_err(|_| invalid("too many calls in progress".into()))?;
            calls.slots.push((0, None));
            place
        }
    };
    let flags = if call.needs_token() { NEEDS_TOKEN } else { 0.0 }
        + if call.key_to_add().is_some() {
            HAS_KEY
        } else {
            0.0
        };
    let slot = &mut calls.slots[place as usize];
    slot.1 = Some(call);
    Ok(handle(place, slot.0) * 4.0 + flags)
}

/// Ends the call `handle` names; its handle names nothing after. Ending
/// an ended call does nothing.
#[napi(js_name = "callEnd")]
pub fn call_end(handle: f64) {
    end(
        &mut CALLS.lock().unwrap_or_else(PoisonError::into_inner),
        handle,
    );
}

/// Ends the call `handle` names in `calls`, freeing its slot.
fn end(calls: &mut Slots, handle: f64) {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked below
    let (place, generation) = (
        (handle % 4_294_967_296.0) as u32,
        (handle / 4_294_967_296.0) as u32,
    );
    let ended = match calls.slots.get_mut(place as usize) {
        Some((g, call @ Some(_))) if *g == generation && handle >= 0.0 => {
            *call = None;
            *g = g.wrapping_add(1) % (1 << 20);
            true
        }
        _ => false,
    };
    if ended {
        calls.free.push(place);
    }
}

/// Whether a status is a failure the driver hands over (400 and above).
#[napi(js_name = "callFailed")]
pub fn call_failed(status: f64) -> bool {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // in range, checked
    let whole = status as u16;
    (0.0..=f64::from(u16::MAX)).contains(&status) && call::Call::failed(whole)
}

/// The least status the core hands over as a failure: every status from it
/// on is one (`callFailed`), read once so that a success asks nothing.
#[napi(js_name = "failedFrom")]
pub fn failed_from() -> u32 {
    (0..=u16::MAX)
        .find(|s| call::Call::failed(*s))
        .map_or(u32::MAX, u32::from)
}

/// The `Idempotency-Key` to add to every copy, when the operation takes
/// one and the caller sent none; `null` otherwise.
#[napi(js_name = "callKeyToAdd")]
pub fn call_key_to_add(handle: f64) -> Result<Option<String>> {
    with(handle, |c| c.key_to_add().map(str::to_owned))
}

/// The operation's name, from the route or the caller's word.
#[napi(js_name = "callOperation")]
pub fn call_operation(handle: f64) -> Result<Option<&'static str>> {
    with(handle, |c| {
        c.operation().map(debitura_triage::Operation::as_str)
    })
}

/// Sends made so far.
#[napi(js_name = "callAttempts")]
pub fn call_attempts(handle: f64) -> Result<u32> {
    with(handle, |c| c.attempts())
}

/// A failed answer: its status, its body as read (at most `MAX_SCAN`
/// bytes; `complete` false when the read stopped short), and its
/// `Retry-After` as the header gives it. Returns the step.
#[napi(js_name = "callAnswered")]
pub fn call_answered(
    handle: f64,
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
    with(handle, |c| {
        let mut attempt = Attempt::answered(status, &body, std::time::SystemTime::now());
        if let Some(value) = &retry_after {
            attempt = attempt.retry_after(value.as_bytes());
        }
        if !complete.unwrap_or(true) {
            attempt = attempt.partial();
        }
        decide(c, attempt, now)
    })?
}

/// What the machine makes of `attempt` at `now`: the step.
fn decide(c: &mut call::Call, attempt: Attempt<'_>, now: f64) -> Result<Value> {
    let failure = c.read(attempt);
    let next = c.next(&failure, seconds(now));
    step(&failure, next, c.attempts())
}

/// A send that never left (the connection could not be made). Returns the
/// step.
#[napi(js_name = "callNotSent")]
pub fn call_not_sent(handle: f64, now: f64) -> Result<Value> {
    with(handle, |c| decide(c, Attempt::NotSent, now))?
}

/// A send that went out and got no answer. Returns the step.
#[napi(js_name = "callNoAnswer")]
pub fn call_no_answer(handle: f64, now: f64) -> Result<Value> {
    with(handle, |c| decide(c, Attempt::NoAnswer, now))?
}

/// Why the call stops when no token could be had at `now`: `"deadline"`
/// or `"token-unavailable"`.
#[napi(js_name = "callTokenFailed")]
pub fn call_token_failed(handle: f64, now: f64) -> Result<&'static str> {
    with(handle, |c| c.token_failed(seconds(now)).as_str())
}

/// The answer a call carries when it stops before any failure was read
/// (no token could be had): what the request alone tells.
#[napi(js_name = "callUnanswered")]
pub fn call_unanswered(handle: f64) -> Result<Value> {
    let context = with(handle, |c| c.context())?;
    no_response(&debitura_triage::diagnose(&context))
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
