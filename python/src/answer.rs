//! The core's owned answers as plain Python data: dicts keyed by the
//! core's field names, lists, strings, numbers and `None`.
//!
//! An answer to a question depends only on the rule, or the set of rules,
//! that answered it; its dict is built once (through the answer's
//! `Serialize`, so the keys are the core's) and each call gets a fresh copy,
//! its lists and `backoff` copied too, so that nothing a caller changes
//! reaches another answer.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use debitura_triage::{Diagnosis, ResponseDiagnosis};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;

/// `value` as Python data, through its `Serialize`.
pub fn to_python<'py, T: Serialize + ?Sized>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Which answer a diagnosis gives: its rule's and its set of rules' places
/// in the catalog's statics.
type Key = (usize, usize);

fn key(d: &Diagnosis) -> Key {
    (
        d.rule().map_or(0, |r| std::ptr::from_ref(r) as usize),
        d.several().map_or(0, |s| std::ptr::from_ref(s) as usize),
    )
}

/// The answers built so far: at most one per rule and per set of rules.
static ANSWERS: OnceLock<Mutex<HashMap<Key, Py<PyDict>>>> = OnceLock::new();

/// The answer to `d` as a fresh dict.
pub fn answer<'py>(py: Python<'py>, d: &Diagnosis) -> PyResult<Bound<'py, PyDict>> {
    let answers = ANSWERS.get_or_init(Mutex::default);
    let key = key(d);
    let known = answers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
        .map(|a| a.clone_ref(py));
    let built = match known {
        Some(built) => built.into_bound(py),
        None => {
            let built = to_python(py, &d.answer())?.cast_into::<PyDict>()?;
            answers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key, built.clone().unbind());
            built
        }
    };
    fresh(py, &built)
}

/// A copy of `dict` whose lists and dicts are copies too.
fn fresh<'py>(py: Python<'py>, dict: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyDict>> {
    let out = dict.copy()?;
    for (name, value) in dict.iter() {
        if let Ok(list) = value.cast::<PyList>() {
            out.set_item(name, PyList::new(py, list.iter())?)?;
        } else if let Ok(inner) = value.cast::<PyDict>() {
            out.set_item(name, inner.copy()?)?;
        }
    }
    Ok(out)
}

/// What a response means as a fresh dict: the answer's keys, then the
/// response's own (as `ResponseAnswer` serialises them).
pub fn response<'py>(py: Python<'py>, r: &ResponseDiagnosis<'_>) -> PyResult<Bound<'py, PyDict>> {
    let out = answer(py, &r.diagnosis())?;
    let owned = r.answer();
    out.set_item("url", owned.url)?;
    out.set_item("retry_after_secs", owned.retry_after_secs)?;
    out.set_item("body", to_python(py, &owned.body)?)?;
    out.set_item("body_note", owned.body_note)?;
    out.set_item("findings", to_python(py, &owned.findings)?)?;
    out.set_item("findings_not_kept", owned.findings_not_kept)?;
    out.set_item("decided_by", owned.decided_by)?;
    out.set_item("decision", to_python(py, &owned.decision)?)?;
    Ok(out)
}
