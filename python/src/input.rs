//! What clients hold, taken as it comes: a body as `bytes`, `str`,
//! `bytearray`, `memoryview` or `None`; headers as any mapping (`dict`,
//! httpx's `Headers`, urllib3's `HTTPHeaderDict`), names compared without
//! regard to case; a `Retry-After` as the header gives it (text, bytes, a
//! number, or `None`); a time as seconds.

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// A body's bytes, borrowed from a `bytes` object or copied from the rest.
pub enum Body<'py> {
    Bytes(Bound<'py, PyBytes>),
    Owned(Vec<u8>),
}

impl Body<'_> {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Body::Bytes(b) => b.as_bytes(),
            Body::Owned(v) => v,
        }
    }
}

/// The bytes of `value`: `bytes` as they are, `str` as UTF-8, a
/// `bytearray` or `memoryview` copied, `None` as no body.
pub fn body<'py>(value: Option<&Bound<'py, PyAny>>) -> PyResult<Body<'py>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(Body::Owned(Vec::new()));
    };
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Body::Bytes(bytes.clone()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        return Ok(Body::Owned(text.to_cow()?.as_bytes().to_vec()));
    }
    if let Ok(array) = value.cast::<PyByteArray>() {
        return Ok(Body::Owned(array.to_vec()));
    }
    if value.get_type().name()?.to_cow()? == "memoryview" {
        let bytes = value.call_method0("tobytes")?;
        return Ok(Body::Bytes(bytes.cast_into::<PyBytes>()?));
    }
    Err(PyTypeError::new_err(format!(
        "a body is bytes, str, bytearray, memoryview or None, not {}",
        value.get_type().name()?
    )))
}

/// Text or bytes as bytes; `None` for anything else.
fn raw(value: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    with_raw(value, <[u8]>::to_vec)
}

/// `f` of the bytes of text or bytes, borrowed; `None` for anything else.
fn with_raw<T>(value: &Bound<'_, PyAny>, f: impl FnOnce(&[u8]) -> T) -> Option<T> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Some(f(bytes.as_bytes()));
    }
    let text = value.cast::<PyString>().ok()?;
    text.to_str().ok().map(|t| f(t.as_bytes()))
}

/// The headers the core reads of a request or a response.
const READ: [&str; 4] = ["authorization", "xapikey", "idempotency-key", "retry-after"];

/// Which of `READ` a header's name is, if any.
fn known(name: &[u8]) -> Option<&'static str> {
    READ.iter()
        .find(|r| r.len() == name.len() && r.as_bytes().eq_ignore_ascii_case(name))
        .copied()
}

const NOT_HEADERS: &str =
    "headers are a mapping of names to values, or a list of (name, value) pairs";

/// Every `(name, value)` of a mapping that the core reads (`READ`) and
/// whose value is text or bytes; the rest are passed over unread.
pub fn headers(mapping: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(&'static str, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut take = |name: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>| {
        if let Some(Some(known)) = with_raw(name, known) {
            if let Some(value) = raw(value) {
                out.push((known, value));
            }
        }
    };
    let Some(mapping) = mapping.filter(|m| !m.is_none()) else {
        return Ok(out);
    };
    if let Ok(dict) = mapping.cast::<PyDict>() {
        for (name, value) in dict.iter() {
            take(&name, &value);
        }
        return Ok(out);
    }
    // A sequence of pairs as it is (httpx's `Headers.raw`), or a mapping's
    // items (httpx's `Headers`, urllib3's `HTTPHeaderDict`).
    let items = if mapping.is_instance_of::<PyList>() || mapping.is_instance_of::<PyTuple>() {
        mapping.clone()
    } else {
        mapping.call_method0("items").map_err(|_| {
            PyTypeError::new_err(format!(
                "headers are a mapping of names to values, not {}",
                mapping
                    .get_type()
                    .name()
                    .map_or_else(|_| "?".into(), |n| n.to_string())
            ))
        })?
    };
    for item in items.try_iter()? {
        let item = item?;
        let pair = item
            .cast::<PyTuple>()
            .ok()
            .filter(|t| t.len() == 2)
            .ok_or_else(|| PyTypeError::new_err(NOT_HEADERS))?;
        take(&pair.get_item(0)?, &pair.get_item(1)?);
    }
    Ok(out)
}

/// The value of header `name` among `headers`, compared without regard to case.
pub fn header<'h>(headers: &'h [(&str, Vec<u8>)], name: &str) -> Option<&'h [u8]> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// A `Retry-After` as the header gives it: its text or bytes, or a number
/// of seconds (read as the header would be: a whole number, else no delay).
pub fn retry_after(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<u8>>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Some(bytes) = raw(value) {
        return Ok(Some(bytes));
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        let secs: f64 = value.extract().unwrap_or(f64::NAN);
        return Ok(Some(secs.to_string().into_bytes()));
    }
    Err(PyTypeError::new_err(format!(
        "a Retry-After is text, bytes, a number or None, not {}",
        value.get_type().name()?
    )))
}

/// Seconds on a clock as a `Duration`; negative or not a number is 0.
pub fn seconds(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::ZERO)
}
