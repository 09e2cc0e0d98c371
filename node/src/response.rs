//! A response: its status, raw body bytes, `Retry-After` and what the
//! caller knows of the request.

use std::time::{Duration, SystemTime};

use debitura_triage::call::Request;
use debitura_triage::{
    diagnose_response as read_response, nearest, printable, Field, Query, QueryError,
    Value as Given,
};
use napi::bindgen_prelude::Uint8Array;
use napi::Result;
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::answer::{camel, invalid, to_js};
use crate::query::{error, fields, onto};

const WHAT: &str = "diagnoseResponse";

/// An option that is neither a field of the question nor one of the
/// response's own (`retryAfter`, `now`), with the nearest of them all.
fn beside_the_fields(fields: &[(String, Value)]) -> Option<napi::Error> {
    let (name, _) = fields
        .iter()
        .find(|(name, _)| name.parse::<Field>().is_err())?;
    let names = Field::ALL
        .iter()
        .map(|f| f.as_str())
        .chain(["retry_after", "now", "url"]);
    let hint = match nearest(name, names).first() {
        Some(near) => format!("; did you mean `{}`?", camel(near)),
        None => String::new(),
    };
    Some(invalid(format!(
        "unknown option `{}` for {WHAT}{hint}",
        printable(&camel(name))
    )))
}

/// Unix seconds as a time; out of range, the epoch.
fn unix(secs: f64) -> SystemTime {
    if secs.is_finite() && secs >= 0.0 {
        SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs.min(1e12))
    } else {
        SystemTime::UNIX_EPOCH
    }
}

/// What a response means: its status, its raw body bytes and what the
/// caller knows: the request's fields (`operation`, `method`,
/// `idempotencyKey`, `auth`, …) or its `method` and `url`, and `retryAfter`
/// (the header's text or seconds) with `now` (Unix seconds) to date it.
#[napi(js_name = "diagnoseResponse")]
pub fn diagnose_response(
    status: f64,
    body: Uint8Array,
    context: Option<Map<String, Value>>,
) -> Result<Value> {
    let mut context = context.unwrap_or_default();
    let retry_after = context.remove("retryAfter");
    let now = context.remove("now");
    let url = context.remove("url");
    let fields = fields(Some(context));
    let text = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_str())
    };
    let base = match &url {
        Some(Value::String(url)) => {
            // The request's method and URL tell its operation; the
            // credential tells apart the routes both APIs have.
            let mut request = Request::new(text("method").unwrap_or(""), url);
            match text("auth") {
                Some("bearer") => request = request.header("Authorization", b"Bearer "),
                Some("api-key") => request = request.header("XApiKey", b""),
                _ => {}
            }
            request.context()
        }
        None | Some(Value::Null) => Query::new(),
        Some(_) => return Err(invalid("`url` takes text".into())),
    };
    let q = onto(base, WHAT, &fields).map_err(|e| beside_the_fields(&fields).unwrap_or(e))?;
    let mut checked = q;
    checked
        .set("status", Given::Number(status))
        .map_err(|e| error(WHAT, &e))?;
    let code = checked
        .status
        .ok_or_else(|| error(WHAT, &QueryError::Status(status)))?;
    let mut r = read_response(code, &body, &q);
    let header = match retry_after {
        Some(Value::String(text)) => Some(text),
        Some(Value::Number(n)) => n.as_f64().map(|secs| secs.to_string()),
        _ => None,
    };
    if let Some(header) = header {
        let clock = now
            .as_ref()
            .and_then(Value::as_f64)
            .map_or_else(SystemTime::now, unix);
        r = r.with_retry_after_header(header.as_bytes(), clock);
    }
    to_js(&r.answer())
}
