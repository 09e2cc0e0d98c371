//! `debitura_triage._native`: the library's matcher, response reader and
//! webhook check for Python, thin over the core. A question arrives as
//! keyword arguments named as the core names the query's fields
//! (`query.rs`); an answer leaves as the core's owned answer, turned into
//! plain Python data with the core's field names (`answer.rs`). The
//! package's `__init__.py` re-exports them beside the `Retry` string enum.
//!
//! Nothing a caller passes can panic: every name and value is checked by
//! the core and refused with its error, and text from a response is bounded
//! by the library's own limits.
#![forbid(unsafe_code)]

mod answer;
mod call;
mod catalog;
mod input;
mod query;
mod response;
mod webhook;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(query::diagnose, m)?)?;
    m.add_function(wrap_pyfunction!(response::diagnose_response, m)?)?;
    m.add_function(wrap_pyfunction!(webhook::check_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::rules, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::rule, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::backoff_delay, m)?)?;
    m.add_function(wrap_pyfunction!(catalog::host, m)?)?;
    m.add_class::<call::Call>()?;
    m.add_class::<call::RetryBudget>()?;
    m.add("MAX_SCAN", debitura_triage::MAX_SCAN)?;
    catalog::add_names(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
