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

/// Which dict a template is: its answer's rule and set of rules (their
/// places in the catalog's statics) and, for a response or a finding, the
/// parts of it that repeat (each a static name's address, or a number).
type Key = (usize, usize, usize, usize, usize, usize);

fn key(d: &Diagnosis) -> [usize; 2] {
    [
        d.rule().map_or(0, |r| std::ptr::from_ref(r) as usize),
        d.several().map_or(0, |s| std::ptr::from_ref(s) as usize),
    ]
}

/// The address of a static name, which tells it apart.
fn at(name: &'static str) -> usize {
    name.as_ptr() as usize
}

/// Hashes a key of addresses and small numbers by mixing them: they are
/// already unique.
#[derive(Default)]
struct Addresses(u64);

impl Hasher for Addresses {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_usize(usize::from(*b));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(29) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type Templates = HashMap<Key, Template, BuildHasherDefault<Addresses>>;

/// A dict to copy, and what in it a copy needs its own of.
struct Template {
    dict: Py<PyDict>,
    own: Own,
}

/// What a copied answer needs its own of: its lists (`several` and
/// `telling`, empty or not) and its `backoff` bounds, when it has them.
#[derive(Clone, Copy, Default)]
struct Own {
    lists: bool,
    backoff: bool,
    full: bool,
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

/// The templates built so far: at most one per rule and set of rules, one
/// per response's repeating parts (shape, decision, deciding finding) and
/// one per finding's (source, rule, retry, decisive, and its type when its
/// rule names it). Each part has a few values, so the map stays small.
static TEMPLATES: OnceLock<Mutex<Templates>> = OnceLock::new();

/// A copy of the template at `key`, built with `build` the first time.
fn copy<'py>(
    py: Python<'py>,
    key: Key,
    build: impl FnOnce() -> PyResult<(Bound<'py, PyDict>, Own)>,
) -> PyResult<(Bound<'py, PyDict>, Own)> {
    let templates = TEMPLATES.get_or_init(Mutex::default);
    let known = templates
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
        .map(|t| (t.dict.clone_ref(py), t.own));
    let (dict, own) = match known {
        Some((dict, own)) => (dict.into_bound(py), own),
        None => {
            let (dict, own) = build()?;
            let template = Template {
                dict: dict.clone().unbind(),
                own,
            };
            templates
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(key, template);
            (dict, own)
        }
    };
    Ok((dict.copy()?, own))
}

/// The answer to `d` as a fresh dict.
pub fn answer<'py>(py: Python<'py>, d: &Diagnosis) -> PyResult<Bound<'py, PyDict>> {
    let [rule, several] = key(d);
    let (out, own) = copy(py, (rule, several, 0, 0, 0, 0), || built(py, d))?;
    fresh_parts(py, &out, own)?;
    Ok(out)
}

/// The answer to `d` as the core gives it, and what a copy of it needs its
/// own of.
fn built<'py>(py: Python<'py>, d: &Diagnosis) -> PyResult<(Bound<'py, PyDict>, Own)> {
    let owned = d.answer();
    let dict = to_python(py, &owned)?.cast_into::<PyDict>()?;
    let own = Own {
        lists: !owned.several.is_empty() || !owned.telling.is_empty(),
        backoff: owned.backoff.is_some(),
        full: true,
    };
    Ok((dict, own))
}

/// Gives a copied answer lists and `backoff` of its own, so that nothing a
/// caller changes reaches another answer.
fn fresh_parts(py: Python<'_>, out: &Bound<'_, PyDict>, own: Own) -> PyResult<()> {
    if !own.full {
        return Ok(());
    }
    for name in [intern!(py, "several"), intern!(py, "telling")] {
        let copy = if own.lists {
            match out.get_item(name)? {
                Some(list) => PyList::new(py, list.cast::<PyList>()?.iter())?,
                None => PyList::empty(py),
            }
        } else {
            PyList::empty(py)
        };
        out.set_item(name, copy)?;
    }
    if own.backoff {
        let backoff = intern!(py, "backoff");
        if let Some(bounds) = out.get_item(backoff)? {
            if let Ok(bounds) = bounds.cast::<PyDict>() {
                out.set_item(backoff, bounds.copy()?)?;
            }
        }
    }
    Ok(())
}

/// What a response means as a fresh dict: the answer's keys, then the
/// response's own.
pub fn response<'py>(py: Python<'py>, r: &ResponseDiagnosis<'_>) -> PyResult<Bound<'py, PyDict>> {
    // The last text made, to share when the same text comes again (a
    // response's URL is one of its findings' `solutionUrl`).
    let mut last: Option<((usize, usize), Bound<'py, PyAny>)> = None;
    let mut text = |t: Option<debitura_triage::JsonStr<'_>>| -> Bound<'py, PyAny> {
        let Some(t) = t else {
            return py.None().into_bound(py);
        };
        let place = (t.raw().as_ptr() as usize, t.raw().len());
        if let Some((seen, made)) = &last {
            if *seen == place {
                return made.clone();
            }
        }
        let made = if t.has_escapes() {
            PyString::new(py, &t.to_string()).into_any()
        } else {
            // Most text has no escape: it goes across as it is.
            PyString::new(py, t.raw()).into_any()
        };
        last = Some((place, made.clone()));
        made
    };
    let d = r.diagnosis();
    let [rule, several] = key(&d);
    let (shape, decision, decided_by) = (r.shape(), r.decision(), r.decided_by());
    let parts = (
        rule,
        several,
        at(shape.as_str()),
        at(decision.as_str()),
        decided_by.map_or(0, |i| i + 1),
        0,
    );
    let (out, own) = copy(py, parts, || {
        let (dict, own) = built(py, &d)?;
        dict.set_item("url", py.None())?;
        dict.set_item("retry_after_secs", py.None())?;
        dict.set_item("body", shape.as_str())?;
        dict.set_item("body_note", py.None())?;
        dict.set_item("findings", py.None())?;
        dict.set_item("findings_not_kept", 0)?;
        dict.set_item("decided_by", decided_by)?;
        dict.set_item("decision", decision.as_str())?;
        debug_assert!(RESPONSE_KEYS
            .iter()
            .all(|k| dict.contains(k).unwrap_or(false)));
        Ok((dict, own))
    })?;
    fresh_parts(py, &out, own)?;
    if let Some(url) = r.url() {
        out.set_item(intern!(py, "url"), text(Some(url)))?;
    }
    if let Some(delay) = r.retry_after() {
        out.set_item(intern!(py, "retry_after_secs"), delay.as_secs_f64())?;
    }
    let stop = r.stop();
    if stop.is_partial() {
        out.set_item(intern!(py, "body_note"), stop.to_string())?;
    }
    let mut findings = Vec::new();
    for (i, f) in r.findings().enumerate() {
        let rule = f.diagnosis.rule_id().map(debitura_triage::RuleId::as_str);
        let retry = f.diagnosis.retry().as_str();
        let decisive = decided_by == Some(i);
        // A type the finding's rule names is the rule's own text: the
        // template holds it, made once.
        let named = f.error_type.filter(|t| !t.has_escapes()).and_then(|t| {
            let when = &f.diagnosis.rule()?.when;
            when.error_type.iter().copied().find(|k| *k == t.raw())
        });
        let parts = (
            rule.map_or(0, at),
            at(retry),
            at(f.source.as_str()),
            usize::from(decisive),
            named.map_or(0, at),
            usize::MAX, // a finding, apart from every answer
        );
        let (d, _) = copy(py, parts, || {
            let d = PyDict::new(py);
            for name in FINDING_KEYS {
                d.set_item(name, py.None())?;
            }
            d.set_item("source", f.source.as_str())?;
            d.set_item("type", named)?;
            d.set_item("rule", rule)?;
            d.set_item("retry", retry)?;
            d.set_item("decisive", decisive)?;
            Ok((d, Own::default()))
        })?;
        let error_type = if named.is_some() { None } else { f.error_type };
        for (name, value) in [
            (intern!(py, "type"), error_type),
            (intern!(py, "message"), f.message),
            (intern!(py, "field"), f.field),
            (intern!(py, "solution_url"), f.solution_url),
        ] {
            if value.is_some() {
                d.set_item(name, text(value))?;
            }
        }
        findings.push(d);
    }
    out.set_item(intern!(py, "findings"), PyList::new(py, findings)?)?;
    if r.dropped() > 0 {
        out.set_item(intern!(py, "findings_not_kept"), r.dropped())?;
    }
    Ok(out)
}
