//! A webhook delivery's signature, checked against its raw body.

use std::time::SystemTime;

use debitura_triage::webhook::{self, Delivery, Tolerance, MAX_SECRETS};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyBytes;

use crate::answer::to_python;

/// One secret, or the secrets of a rotation.
#[derive(FromPyObject)]
pub enum Secrets {
    One(PyBackedStr),
    Several(Vec<PyBackedStr>),
}

/// Checks a webhook delivery's `X-Debitura-Signature` header against its raw
/// body, and names the mistake when it does not verify. `secret` is the
/// secret as Debitura shows it, or a list of up to eight during a rotation;
/// `now` is Unix seconds (the clock's by default); `tolerance` is the
/// (past, future) window in seconds, Debitura's (300, 30) by default;
/// `computed` is the signature the caller's own code computed, if known.
#[pyfunction]
#[pyo3(signature = (secret, header, body, *, now=None, tolerance=None, computed=None))]
pub fn check_webhook<'py>(
    py: Python<'py>,
    secret: Secrets,
    header: PyBackedStr,
    body: &Bound<'py, PyBytes>,
    now: Option<u64>,
    tolerance: Option<(u64, u64)>,
    computed: Option<PyBackedStr>,
) -> PyResult<Bound<'py, PyAny>> {
    let secrets: Vec<&str> = match &secret {
        Secrets::One(s) => vec![&**s],
        Secrets::Several(list) => list.iter().map(|s| &**s).collect(),
    };
    if secrets.len() > MAX_SECRETS {
        return Err(PyValueError::new_err(format!(
            "{} secrets given; at most {MAX_SECRETS} are checked during a rotation",
            secrets.len()
        )));
    }
    let now = now.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let tolerance = tolerance.map_or(Tolerance::DEBITURA, |(past, future)| Tolerance {
        past,
        future,
    });
    let delivery = Delivery {
        secrets: &secrets,
        header: &header,
        body: body.as_bytes(),
        now,
        tolerance,
        computed: computed.as_deref(),
    };
    to_python(py, &webhook::check(&delivery).answer())
}
