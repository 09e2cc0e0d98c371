//! A question from keyword arguments: each name is a query field the core
//! knows (`status`, `type`, `operation`, …), each value checked by the core
//! (`Query::set_field`); `None` leaves a field unknown. The fields are the
//! functions' own keyword parameters, so that Python matches them by name
//! without building a dict (a keyword neither function has is Python's own
//! `TypeError`).

use debitura_triage::{diagnose as diagnose_query, Field, Query, QueryError, Value};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

/// A keyword argument's value, borrowed from the argument while the query
/// borrows it.
pub enum Given<'a> {
    Text(&'a str),
    Number(f64),
    Flag(bool),
}

impl<'a> Given<'a> {
    pub fn value(&self) -> Value<'a> {
        match *self {
            Given::Text(text) => Value::Text(text),
            Given::Number(n) => Value::Number(n),
            Given::Flag(b) => Value::Flag(b),
        }
    }

    /// The value of the keyword `name`; `None` for `None`.
    fn of(name: &str, value: &'a Bound<'_, PyAny>) -> PyResult<Option<Given<'a>>> {
        Ok(Some(if value.is_none() {
            return Ok(None);
        } else if let Ok(text) = value.cast::<PyString>() {
            Given::Text(text.to_str()?)
        } else if value.is_instance_of::<PyBool>() {
            Given::Flag(value.extract()?)
        } else if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
            // An integer too large for a float is no status either.
            Given::Number(value.extract::<f64>().unwrap_or(f64::INFINITY))
        } else {
            return Err(PyTypeError::new_err(format!(
                "`{name}` takes text, a number or a bool, not {}",
                value.get_type().name()?
            )));
        }))
    }
}

/// The fields a function takes by name, in `Field` order, and the values
/// given for them.
pub type Named<'a, 'py> = [(Field, Option<&'a Bound<'py, PyAny>>)];

/// The most fields a function takes by name.
const MOST: usize = 11;

/// The named fields given a value, in the order they are named; those given
/// as `None` are left out.
pub struct Fields<'a> {
    given: [Option<(Field, Given<'a>)>; MOST],
}

impl<'a> Fields<'a> {
    fn iter(&self) -> impl Iterator<Item = &(Field, Given<'a>)> {
        self.given.iter().flatten()
    }

    /// The text given for `field`, if any.
    pub fn text(&self, field: Field) -> Option<&'a str> {
        self.iter().find_map(|(f, g)| match g {
            Given::Text(text) if *f == field => Some(*text),
            _ => None,
        })
    }
}

/// Reads the named fields, at most `MOST` of them.
pub fn given<'a>(named: &Named<'a, '_>) -> PyResult<Fields<'a>> {
    let mut out = Fields {
        given: [const { None }; MOST],
    };
    for ((field, value), slot) in named.iter().zip(&mut out.given) {
        if let Some(value) = value {
            *slot = Given::of(field.as_str(), value)?.map(|g| (*field, g));
        }
    }
    debug_assert!(named.len() <= MOST);
    Ok(out)
}

/// Sets every field given on `q`.
pub fn fill<'a>(q: &mut Query<'a>, given: &Fields<'a>) -> PyResult<()> {
    for (field, value) in given.iter() {
        q.set_field(*field, value.value()).map_err(error)?;
    }
    Ok(())
}

/// The core's error as Python's: a value of the wrong kind is a
/// `TypeError`, a bad value a `ValueError`.
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
#[pyo3(signature = (*, status=None, r#type=None, message=None, operation=None, event=None, symptom=None, after_token_refresh=None, environment=None, auth=None, method=None, idempotency_key=None))]
#[allow(clippy::too_many_arguments)]
pub fn diagnose<'py>(
    py: Python<'py>,
    status: Option<&Bound<'py, PyAny>>,
    r#type: Option<&Bound<'py, PyAny>>,
    message: Option<&Bound<'py, PyAny>>,
    operation: Option<&Bound<'py, PyAny>>,
    event: Option<&Bound<'py, PyAny>>,
    symptom: Option<&Bound<'py, PyAny>>,
    after_token_refresh: Option<&Bound<'py, PyAny>>,
    environment: Option<&Bound<'py, PyAny>>,
    auth: Option<&Bound<'py, PyAny>>,
    method: Option<&Bound<'py, PyAny>>,
    idempotency_key: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let given = given(&[
        (Field::Status, status),
        (Field::Type, r#type),
        (Field::Message, message),
        (Field::Operation, operation),
        (Field::Event, event),
        (Field::Symptom, symptom),
        (Field::AfterTokenRefresh, after_token_refresh),
        (Field::Environment, environment),
        (Field::Auth, auth),
        (Field::Method, method),
        (Field::IdempotencyKey, idempotency_key),
    ])?;
    let mut q = Query::new();
    fill(&mut q, &given)?;
    Ok(crate::answer::answer(py, &diagnose_query(&q))?.into_any())
}
