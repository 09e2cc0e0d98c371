//! The core's owned answers as plain Python data: dicts keyed by the
//! core's field names, lists, strings, numbers and `None`.
//!
//! An answer to a question depends only on the rule, or the set of rules,
//! that answered it; its dict is built once (through the answer's
//! `Serialize`, so the keys and values are the core's) and each call gets a
//! fresh copy, its lists and `backoff` copied too, so that nothing a caller
//! changes reaches another answer. A response's own keys are written here,
//! as `ResponseAnswer` serialises them (`tests/test_conformance.py` compares
//! every documented response's answer with the suite's).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, OnceLock, PoisonError};

use debitura_triage::{Diagnosis, ResponseDiagnosis};
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
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

/// Hashes a key of two addresses by mixing them: they are already unique.
#[derive(Default)]
struct Addresses(u64);

impl Hasher for Addresses {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(29) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Answers = HashMap<Key, Built, BuildHasherDefault<Addresses>>;

/// An answer's dict, the same with a response's keys (all `None`) after
/// its own, and whether its lists hold anything.
struct Built {
    dict: Py<PyDict>,
    response: Py<PyDict>,
    lists: bool,
}

/// A response's own keys, in the order `ResponseAnswer` writes them.
const RESPONSE_KEYS: [&str; 8] = [
    "url",
    "retry_after_secs",
    "body",
    "body_note",
    "findings",
    "findings_not_kept",
    "decided_by",
    "decision",
];

/// A finding's keys, in the order `FindingAnswer` writes them.
const FINDING_KEYS: [&str; 8] = [
    "source",
    "type",
    "message",
    "field",
    "solution_url",
    "rule",
    "retry",
    "decisive",
];

/// A finding's dict with every key, to copy: a copy is sized for them all.
static FINDING: OnceLock<Py<PyDict>> = OnceLock::new();

/// The answers built so far: at most one per rule and per set of rules.
static ANSWERS: OnceLock<Mutex<Answers>> = OnceLock::new();

/// The answer to `d` as a fresh dict.
pub fn answer<'py>(py: Python<'py>, d: &Diagnosis) -> PyResult<Bound<'py, PyDict>> {
    fresh(py, d, false)
}

/// A fresh copy of the answer to `d`, with a response's keys (`None` for
/// now) when `response` says so.
fn fresh<'py>(py: Python<'py>, d: &Diagnosis, response: bool) -> PyResult<Bound<'py, PyDict>> {
    let answers = ANSWERS.get_or_init(Mutex::default);
    let key = key(d);
    let pick = |b: &Built| {
        let dict = if response { &b.response } else { &b.dict };
        (dict.clone_ref(py), b.lists)
    };
    let known = answers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
        .map(pick);
    let (built, lists) = match known {
        Some((dict, lists)) => (dict.into_bound(py), lists),
        None => {
            let owned = d.answer();
            let dict = to_python(py, &owned)?.cast_into::<PyDict>()?;
            let with_response = dict.copy()?;
            for name in RESPONSE_KEYS {
                with_response.set_item(name, py.None())?;
            }
            let built = Built {
                dict: dict.unbind(),
                response: with_response.unbind(),
                lists: !owned.several.is_empty() || !owned.telling.is_empty(),
            };
            let (dict, lists) = pick(&built);
            answers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key, built);
            (dict.into_bound(py), lists)
        }
    };
    let out = built.copy()?;
    for name in [intern!(py, "several"), intern!(py, "telling")] {
        let copy = match built.get_item(name)? {
            Some(list) if lists => PyList::new(py, list.cast::<PyList>()?.iter())?,
            _ => PyList::empty(py),
        };
        out.set_item(name, copy)?;
    }
    let backoff = intern!(py, "backoff");
    if let Some(bounds) = built.get_item(backoff)? {
        if let Ok(bounds) = bounds.cast::<PyDict>() {
            out.set_item(backoff, bounds.copy()?)?;
        }
    }
    Ok(out)
}

/// What a response means as a fresh dict: the answer's keys, then the
/// response's own.
pub fn response<'py>(py: Python<'py>, r: &ResponseDiagnosis<'_>) -> PyResult<Bound<'py, PyDict>> {
    let text = |t: Option<debitura_triage::JsonStr<'_>>| -> Bound<'py, PyAny> {
        match t {
            // Most text has no escape: it goes across as it is.
            Some(t) if !t.has_escapes() => PyString::new(py, t.raw()).into_any(),
            Some(t) => PyString::new(py, &t.to_string()).into_any(),
            None => py.None().into_bound(py),
        }
    };
    let template = match FINDING.get() {
        Some(t) => t.bind(py).clone(),
        None => {
            let t = PyDict::new(py);
            for name in FINDING_KEYS {
                t.set_item(name, py.None())?;
            }
            FINDING.get_or_init(|| t.clone().unbind());
            t
        }
    };
    let out = fresh(py, &r.diagnosis(), true)?;
    out.set_item(intern!(py, "url"), text(r.url()))?;
    out.set_item(
        intern!(py, "retry_after_secs"),
        r.retry_after().map(|d| d.as_secs_f64()),
    )?;
    out.set_item(intern!(py, "body"), r.shape().as_str())?;
    let stop = r.stop();
    out.set_item(
        intern!(py, "body_note"),
        stop.is_partial().then(|| stop.to_string()),
    )?;
    let findings = PyList::empty(py);
    for (i, f) in r.findings().enumerate() {
        let d = template.copy()?;
        d.set_item(intern!(py, "source"), f.source.as_str())?;
        d.set_item(intern!(py, "type"), text(f.error_type))?;
        d.set_item(intern!(py, "message"), text(f.message))?;
        d.set_item(intern!(py, "field"), text(f.field))?;
        d.set_item(intern!(py, "solution_url"), text(f.solution_url))?;
        d.set_item(
            intern!(py, "rule"),
            f.diagnosis.rule_id().map(debitura_triage::RuleId::as_str),
        )?;
        d.set_item(intern!(py, "retry"), f.diagnosis.retry().as_str())?;
        d.set_item(intern!(py, "decisive"), r.decided_by() == Some(i))?;
        findings.append(d)?;
    }
    out.set_item(intern!(py, "findings"), findings)?;
    out.set_item(intern!(py, "findings_not_kept"), r.dropped())?;
    out.set_item(intern!(py, "decided_by"), r.decided_by())?;
    out.set_item(intern!(py, "decision"), r.decision().as_str())?;
    Ok(out)
}
