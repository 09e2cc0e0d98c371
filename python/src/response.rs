//! A response: its status, body, `Retry-After` and what the caller knows of
//! the request, each taken as clients hold it (`input.rs`).

use std::time::{Duration, SystemTime};

use debitura_triage::call::Request;
use debitura_triage::{diagnose_response as read_response, Field, Query, QueryError, Value};
use pyo3::prelude::*;

use crate::input::header;
use crate::query::{error, fill, given};

/// What a response means: its status; its body (`bytes`, `str`,
/// `bytearray`, `memoryview` or `None`); its `Retry-After` (`retry_after`,
/// as the header gives it, or read from `headers`, any mapping); the
/// request's `method` and `url`, which tell its operation, environment and
/// credential; and, as keywords, whatever else the caller knows of the
/// request (`operation`, `idempotency_key`, `auth`, …). `now` (Unix
/// seconds) dates a `Retry-After` given as an HTTP date; by default the
/// clock's.
#[pyfunction]
#[pyo3(signature = (status, body=None, *, retry_after=None, headers=None, url=None, now=None, operation=None, method=None, idempotency_key=None, auth=None, after_token_refresh=None, environment=None))]
#[allow(clippy::too_many_arguments)]
pub fn diagnose_response<'py>(
    py: Python<'py>,
    status: f64,
    body: Option<&Bound<'py, PyAny>>,
    retry_after: Option<&Bound<'py, PyAny>>,
    headers: Option<&Bound<'py, PyAny>>,
    url: Option<&str>,
    now: Option<u64>,
    operation: Option<&Bound<'py, PyAny>>,
    method: Option<&Bound<'py, PyAny>>,
    idempotency_key: Option<&Bound<'py, PyAny>>,
    auth: Option<&Bound<'py, PyAny>>,
    after_token_refresh: Option<&Bound<'py, PyAny>>,
    environment: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let given = given(&[
        (Field::Operation, operation),
        (Field::AfterTokenRefresh, after_token_refresh),
        (Field::Environment, environment),
        (Field::Auth, auth),
        (Field::Method, method),
        (Field::IdempotencyKey, idempotency_key),
    ])?;
    let mut context = match url {
        Some(url) => {
            // The credential tells apart the routes both APIs have.
            let mut request = Request::new(given.text(Field::Method).unwrap_or(""), url);
            match given.text(Field::Auth) {
                Some("bearer") => request = request.header("Authorization", b"Bearer "),
                Some("api-key") => request = request.header("XApiKey", b""),
                _ => {}
            }
            request.context()
        }
        None => Query::new(),
    };
    fill(&mut context, &given)?;
    let mut checked = context;
    checked
        .set_field(Field::Status, Value::Number(status))
        .map_err(error)?;
    let status = checked
        .status
        .ok_or_else(|| error(QueryError::Status(status)))?;
    let bytes = crate::input::body(body)?;
    let mut r = read_response(status, bytes.as_bytes(), &context);
    let delay = match crate::input::retry_after(retry_after)? {
        Some(value) => Some(value),
        None => header(&crate::input::headers(headers)?, "retry-after").map(<[u8]>::to_vec),
    };
    if let Some(value) = delay {
        let clock = match now {
            Some(secs) => SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
            None => SystemTime::now(),
        };
        r = r.with_retry_after_header(&value, clock);
    }
    Ok(crate::answer::response(py, &r)?.into_any())
}
