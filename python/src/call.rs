//! The core's call machine for Python's drivers (`debitura_triage.calls`):
//! `Call` says what to do after each send, `RetryBudget` bounds resends
//! across a process. Time comes in as seconds on the driver's monotonic
//! clock (`time.monotonic()`).

use debitura_triage::call::{self, Attempt, Failure, Next};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::input::{header, seconds};

/// Bounds the resends of every call that shares it, one account per API
/// host: resends may add `ratio` of the first attempts of the last
/// `window_secs`, plus `reserve_per_second` (per instance) for each second.
#[pyclass(module = "debitura_triage._native", frozen)]
pub struct RetryBudget {
    inner: call::RetryBudget,
}

#[pymethods]
impl RetryBudget {
    #[new]
    #[pyo3(signature = (ratio=0.2, reserve_per_second=10, window_secs=10))]
    fn new(ratio: f32, reserve_per_second: u32, window_secs: u64) -> PyResult<Self> {
        call::RetryBudget::new(
            ratio,
            reserve_per_second,
            std::time::Duration::from_secs(window_secs),
        )
        .map(|inner| RetryBudget { inner })
        .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The default budget for one of `instances` processes sharing an API
    /// key: the reserve divided between them.
    #[staticmethod]
    fn for_instances(instances: u32) -> PyResult<Self> {
        call::RetryBudget::for_instances(instances)
            .map(|inner| RetryBudget { inner })
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    #[getter]
    fn ratio(&self) -> f32 {
        self.inner.ratio()
    }

    #[getter]
    fn reserve_per_second(&self) -> u32 {
        self.inner.reserve_per_second()
    }

    #[getter]
    fn window_secs(&self) -> f64 {
        self.inner.window().as_secs_f64()
    }

    fn __repr__(&self) -> String {
        format!(
            "RetryBudget(ratio={}, reserve_per_second={}, window_secs={})",
            self.inner.ratio(),
            self.inner.reserve_per_second(),
            self.inner.window().as_secs()
        )
    }
}

/// One call in progress: the core decides, the driver sends, reads, waits
/// and mints.
#[pyclass(module = "debitura_triage._native")]
pub struct Call {
    inner: call::Call,
}

#[pymethods]
impl Call {
    /// Starts a call of `method` to `url` at `now`: `headers` are those the
    /// request carries (`Authorization`, `XApiKey` and `Idempotency-Key`
    /// are read), `operation` names it when its path is not Debitura's
    /// own, `tenant` says a token source serves it, `replayable` whether its
    /// body can be sent again, `no_resend` forbids a second send, and
    /// `deadline` (on the same clock as `now`) is when it must be over.
    #[new]
    #[pyo3(signature = (method, url, budget, now, headers=None, operation=None, tenant=false, replayable=true, no_resend=false, deadline=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        method: &str,
        url: &str,
        budget: &RetryBudget,
        now: f64,
        headers: Option<&Bound<'_, PyAny>>,
        operation: Option<&str>,
        tenant: bool,
        replayable: bool,
        no_resend: bool,
        deadline: Option<f64>,
    ) -> PyResult<Self> {
        let held = crate::input::headers(headers)?;
        let operation = operation
            .map(str::parse::<debitura_triage::Operation>)
            .transpose()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mut request = call::Request::new(method, url)
            .operation(operation)
            .replayable(replayable)
            .deadline(deadline.map(seconds));
        for (name, value) in &held {
            request = request.header(name, value);
        }
        if tenant {
            request = request.tenant();
        }
        if no_resend {
            request = request.no_resend();
        }
        Ok(Call {
            inner: call::Call::start(request, &budget.inner, seconds(now)),
        })
    }

    /// Whether a status is a failure the driver hands over (400 and above).
    #[staticmethod]
    fn failed(status: i64) -> bool {
        status >= 400
    }

    /// Whether to get the tenant's token before the first send.
    #[getter]
    fn needs_token(&self) -> bool {
        self.inner.needs_token()
    }

    /// The `Idempotency-Key` to add to every copy, when the operation takes
    /// one and the caller sent none.
    #[getter]
    fn key_to_add(&self) -> Option<&str> {
        self.inner.key_to_add()
    }

    /// The operation's name, from the route or the caller's word.
    #[getter]
    fn operation(&self) -> Option<&'static str> {
        self.inner
            .operation()
            .map(debitura_triage::Operation::as_str)
    }

    /// When the call must be over, on the driver's clock.
    #[getter]
    fn deadline(&self) -> Option<f64> {
        self.inner.deadline().map(|d| d.as_secs_f64())
    }

    /// Sends made so far.
    #[getter]
    fn attempts(&self) -> u32 {
        self.inner.attempts()
    }

    /// A failed answer: its status, body as read (at most `MAX_SCAN` bytes;
    /// `complete` false when the read stopped short), headers (for
    /// `Retry-After`) or `retry_after` itself. Returns the step.
    #[pyo3(signature = (status, body, *, now, headers=None, retry_after=None, complete=true))]
    #[allow(clippy::too_many_arguments)]
    fn answered<'py>(
        &mut self,
        py: Python<'py>,
        status: u16,
        body: Option<&Bound<'py, PyAny>>,
        now: f64,
        headers: Option<&Bound<'py, PyAny>>,
        retry_after: Option<&Bound<'py, PyAny>>,
        complete: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let bytes = crate::input::body(body)?;
        let held = crate::input::headers(headers)?;
        let delay = match crate::input::retry_after(retry_after)? {
            Some(value) => Some(value),
            None => header(&held, "retry-after").map(<[u8]>::to_vec),
        };
        let mut attempt = Attempt::answered(status, bytes.as_bytes(), std::time::SystemTime::now());
        if let Some(value) = &delay {
            attempt = attempt.retry_after(value);
        }
        if !complete {
            attempt = attempt.partial();
        }
        self.decide(py, attempt, now)
    }

    /// A send that never left (the connection could not be made). Returns
    /// the step.
    #[pyo3(signature = (*, now))]
    fn not_sent<'py>(&mut self, py: Python<'py>, now: f64) -> PyResult<Bound<'py, PyDict>> {
        self.decide(py, Attempt::NotSent, now)
    }

    /// A send that went out and got no answer. Returns the step.
    #[pyo3(signature = (*, now))]
    fn no_answer<'py>(&mut self, py: Python<'py>, now: f64) -> PyResult<Bound<'py, PyDict>> {
        self.decide(py, Attempt::NoAnswer, now)
    }

    /// Why the call stops when no token could be had at `now`:
    /// `"deadline"` or `"token-unavailable"`.
    #[pyo3(signature = (*, now))]
    fn token_failed(&self, now: f64) -> &'static str {
        self.inner.token_failed(seconds(now)).as_str()
    }
}

impl Call {
    /// What the machine makes of `attempt` at `now`: the step.
    fn decide<'py>(
        &mut self,
        py: Python<'py>,
        attempt: Attempt<'_>,
        now: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let failure = self.inner.read(attempt);
        let next = self.inner.next(&failure, seconds(now));
        step(py, &failure, next, self.inner.attempts())
    }
}

/// The step as a dict: `resend` with `after` (seconds) and `fresh_token`,
/// or a stop with its `reason`; `attempts` so far; and `answer`, the core's
/// answer to the failure (the keys of `diagnose_response`'s, `url`,
/// `retry_after_secs` and `findings` empty when there was no response).
fn step<'py>(
    py: Python<'py>,
    failure: &Failure<'_>,
    next: Next,
    attempts: u32,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    match next {
        Next::Resend { after, fresh_token } => {
            out.set_item("resend", true)?;
            out.set_item("after", after.as_secs_f64())?;
            out.set_item("fresh_token", fresh_token)?;
            out.set_item("reason", py.None())?;
        }
        Next::Stop(reason) => {
            out.set_item("resend", false)?;
            out.set_item("after", 0.0)?;
            out.set_item("fresh_token", false)?;
            out.set_item("reason", reason.as_str())?;
        }
    }
    out.set_item("attempts", attempts)?;
    let answer = match failure.response() {
        Some(response) => crate::answer::response(py, response)?,
        None => {
            let answer = crate::answer::answer(py, &failure.diagnosis())?;
            answer.set_item("url", py.None())?;
            answer.set_item("retry_after_secs", py.None())?;
            answer.set_item("findings", pyo3::types::PyList::empty(py))?;
            answer
        }
    };
    out.set_item("answer", answer)?;
    Ok(out)
}
