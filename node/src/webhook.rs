//! A webhook delivery's signature, checked against its raw body.

use std::time::SystemTime;

use debitura_triage::webhook::{self, Delivery, Tolerance as Window, MAX_SECRETS};
use napi::bindgen_prelude::{Either, Uint8Array};
use napi::Result;
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::answer::{invalid, to_js};

/// What `checkWebhook` may be told besides the delivery: `now` (Unix
/// seconds; the clock's by default), `tolerance` (`{ past, future }` in
/// seconds; Debitura's 300 and 30 by default) and `computed` (the signature
/// the caller's own code computed, if known).
const OPTIONS: [&str; 3] = ["now", "tolerance", "computed"];

/// Seconds as a whole number, `None` for anything else.
fn seconds(value: Option<&Value>) -> Option<u64> {
    value
        .and_then(Value::as_f64)
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| s.min(1e15) as u64)
}

/// Checks a webhook delivery's `X-Debitura-Signature` header against its
/// raw body, and names the mistake when it does not verify.
#[napi(js_name = "checkWebhook")]
pub fn check_webhook(
    secret: Either<String, Vec<String>>,
    header: String,
    body: Uint8Array,
    options: Option<Map<String, Value>>,
) -> Result<Value> {
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
    let options = options.unwrap_or_default();
    if let Some(key) = options.keys().find(|k| !OPTIONS.contains(&k.as_str())) {
        return Err(invalid(format!(
            "unknown option `{}` for checkWebhook; the options are {}",
            debitura_triage::printable(key),
            OPTIONS.join(", ")
        )));
    }
    let now = match options.get("now").filter(|v| !v.is_null()) {
        Some(value) => seconds(Some(value)).unwrap_or(0),
        None => SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    let tolerance = match options.get("tolerance").filter(|v| !v.is_null()) {
        Some(window) => Window {
            past: seconds(window.get("past")).unwrap_or(Window::DEBITURA.past),
            future: seconds(window.get("future")).unwrap_or(Window::DEBITURA.future),
        },
        None => Window::DEBITURA,
    };
    let computed = options.get("computed").and_then(Value::as_str);
    let delivery = Delivery {
        secrets: &secrets,
        header: &header,
        body: &body,
        now,
        tolerance,
        computed,
    };
    to_js(&webhook::check(&delivery).answer())
}
