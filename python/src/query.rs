//! A question from keyword arguments: each name is a query field the core
//! knows (`status`, `type`, `operation`, …), each value checked by the core
//! (`Query::set`); `None` leaves a field unknown.

use debitura_triage::{diagnose as diagnose_query, Query, QueryError, Value};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};

/// A keyword argument's value, held while the query borrows it.
pub enum Given {
    Text(PyBackedStr),
    Number(f64),
    Flag(bool),
}

impl Given {
    pub fn value(&self) -> Value<'_> {
        match self {
            Given::Text(text) => Value::Text(text),
            Given::Number(n) => Value::Number(*n),
            Given::Flag(b) => Value::Flag(*b),
        }
    }
}

/// The keyword arguments, each with its value; those given as `None` are
/// left out.
pub fn given(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(PyBackedStr, Given)>> {
    let Some(kwargs) = kwargs else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(kwargs.len());
    for (name, value) in kwargs.iter() {
        let name: PyBackedStr = name.extract()?;
        let given = if value.is_none() {
            continue;
        } else if value.is_instance_of::<PyBool>() {
            Given::Flag(value.extract()?)
        } else if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
            // An integer too large for a float is no status either.
            Given::Number(value.extract::<f64>().unwrap_or(f64::INFINITY))
        } else if value.is_instance_of::<PyString>() {
            Given::Text(value.extract()?)
        } else {
            return Err(PyTypeError::new_err(format!(
                "`{}` takes text, a number or a bool, not {}",
                &*name,
                value.get_type().name()?
            )));
        };
        out.push((name, given));
    }
    Ok(out)
}

/// The query the arguments describe.
pub fn query(given: &[(PyBackedStr, Given)]) -> PyResult<Query<'_>> {
    let mut q = Query::new();
    for (name, value) in given {
        q.set(name, value.value()).map_err(error)?;
    }
    Ok(q)
}

/// The core's error as Python's: an unknown keyword or a value of the wrong
/// kind is a `TypeError`, a bad value a `ValueError`.
pub fn error(e: QueryError) -> PyErr {
    match e {
        QueryError::UnknownField(_) | QueryError::Kind { .. } => {
            PyTypeError::new_err(e.to_string())
        }
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// What a failure means and what to do, from what the caller knows of it.
/// Every argument is a keyword naming a query field; one left out (or
/// `None`) is unknown.
#[pyfunction]
#[pyo3(signature = (**fields))]
pub fn diagnose<'py>(
    py: Python<'py>,
    fields: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let given = given(fields)?;
    Ok(crate::answer::answer(py, &diagnose_query(&query(&given)?))?.into_any())
}
