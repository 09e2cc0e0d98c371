//! A response: its status, raw body bytes, `Retry-After` and what the
//! caller knows of the request.

use std::time::{Duration, SystemTime};

use debitura_triage::{diagnose_response as read_response, QueryError, Value};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyDict};

use crate::answer::to_python;
use crate::query::{error, given, query};

/// A `Retry-After` value: the header's text, or seconds as a number (read
/// as the header would be: a whole number of seconds, else no delay).
#[derive(FromPyObject)]
pub enum RetryAfter {
    Seconds(f64),
    Header(PyBackedStr),
}

/// What a response means: its status, its raw body bytes, its
/// `Retry-After` header if any, and, as keywords, what the caller knows of
/// the request (`operation`, `method`, `idempotency_key`, `auth`, …). `now`
/// (Unix seconds) dates a `Retry-After` given as an HTTP date; by default
/// the clock's.
#[pyfunction]
#[pyo3(signature = (status, body, *, retry_after=None, now=None, **context))]
pub fn diagnose_response<'py>(
    py: Python<'py>,
    status: f64,
    body: &Bound<'py, PyBytes>,
    retry_after: Option<RetryAfter>,
    now: Option<u64>,
    context: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let given = given(context)?;
    let context = query(&given)?;
    let mut checked = context;
    checked
        .set("status", Value::Number(status))
        .map_err(error)?;
    let status = checked
        .status
        .ok_or_else(|| error(QueryError::Status(status)))?;
    let mut r = read_response(status, body.as_bytes(), &context);
    if let Some(value) = retry_after {
        let clock = match now {
            Some(secs) => SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
            None => SystemTime::now(),
        };
        r = match &value {
            RetryAfter::Seconds(secs) => {
                r.with_retry_after_header(secs.to_string().as_bytes(), clock)
            }
            RetryAfter::Header(text) => r.with_retry_after_header(text.as_bytes(), clock),
        };
    }
    to_python(py, &r.answer())
}
