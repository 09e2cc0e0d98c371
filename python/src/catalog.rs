//! The catalog: every rule, one rule by id, a rule's backoff waits, and
//! the names of the operations and environments.

use debitura_triage::{printable, Environment, Operation, RuleId, RULES};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::answer::to_python;

/// Every rule of the catalog, in its order.
#[pyfunction]
pub fn rules(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_python(py, &RULES[..])
}

fn rule_id(id: &str) -> PyResult<RuleId> {
    RuleId::from_id(id).ok_or_else(|| {
        PyValueError::new_err(
            id.parse::<RuleId>()
                .err()
                .map_or_else(|| format!("no rule `{}`", printable(id)), |e| e.to_string()),
        )
    })
}

/// The rule with this id (a retired id gives the rule that replaced it).
#[pyfunction]
pub fn rule<'py>(py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyAny>> {
    to_python(py, rule_id(id)?.rule())
}

/// Seconds to wait before resend `resend` (1 for the first) of a call that
/// rule `id` backs off, before jitter; `None` once its attempts are used up
/// or when the rule does not back off.
#[pyfunction]
pub fn backoff_delay(id: &str, resend: u32) -> PyResult<Option<f64>> {
    Ok(rule_id(id)?
        .rule()
        .backoff
        .and_then(|b| b.delay(resend))
        .map(|d| d.as_secs_f64()))
}

/// `OPERATIONS` and `ENVIRONMENTS`: the names the query's fields take.
pub fn add_names(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add(
        "OPERATIONS",
        PyTuple::new(m.py(), Operation::ALL.iter().map(|o| o.as_str()))?,
    )?;
    m.add(
        "ENVIRONMENTS",
        PyTuple::new(m.py(), Environment::ALL.iter().map(|e| e.as_str()))?,
    )?;
    Ok(())
}

/// The base host of `operation`'s API in `environment` (`"test"` or
/// `"production"`), e.g. where `mint-token` is sent.
#[pyfunction]
pub fn host(operation: &str, environment: &str) -> PyResult<Option<&'static str>> {
    let operation: debitura_triage::Operation = operation
        .parse()
        .map_err(|e: debitura_triage::ParseNameError| PyValueError::new_err(e.to_string()))?;
    let environment: debitura_triage::Environment = environment
        .parse()
        .map_err(|e: debitura_triage::ParseNameError| PyValueError::new_err(e.to_string()))?;
    Ok(operation.host(environment))
}
