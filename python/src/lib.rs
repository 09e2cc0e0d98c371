//! `debitura_triage._native`: the library's matcher, response reader and
//! webhook check for Python. Every answer is a frozen object; the package's
//! `__init__.py` re-exports them beside the `Retry` string enum.
//!
//! Arguments are checked here and refused with `ValueError` naming the
//! nearest valid names; nothing a caller passes can panic, and text from a
//! response is bounded by the library's own limits.
#![forbid(unsafe_code)]

use std::time::{Duration, SystemTime};

use debitura_triage::webhook::{self, Delivery, Tolerance, Verdict, MAX_SECRETS};
use debitura_triage::{
    diagnose as diagnose_query, diagnose_response as read_response, printable, Backoff, Credential,
    Diagnosis as Answer, Environment, Operation, Query, Rule as CatalogRule, RuleId, RULES,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyTuple};

/// The package's `Retry` members, in `Retry::ALL` order, looked up once.
static RETRY_MEMBERS: PyOnceLock<Vec<Py<PyAny>>> = PyOnceLock::new();

/// The `Retry` member for `retry`, from the package's string enum.
fn retry_enum<'py>(py: Python<'py>, retry: debitura_triage::Retry) -> PyResult<Bound<'py, PyAny>> {
    let members = RETRY_MEMBERS.get_or_try_init(py, || -> PyResult<Vec<Py<PyAny>>> {
        let class = py.import("debitura_triage")?.getattr("Retry")?;
        debitura_triage::Retry::ALL
            .iter()
            .map(|r| class.call1((r.as_str(),)).map(Bound::unbind))
            .collect()
    })?;
    debitura_triage::Retry::ALL
        .iter()
        .position(|r| *r == retry)
        .and_then(|at| members.get(at))
        .map(|member| member.bind(py).clone())
        .ok_or_else(|| PyValueError::new_err(format!("no Retry member for `{retry}`")))
}

fn operation(name: Option<&str>) -> PyResult<Option<Operation>> {
    name.map(|n| {
        n.parse::<Operation>()
            .map_err(|e| PyValueError::new_err(e.to_string()))
    })
    .transpose()
}

fn credential(name: Option<&str>) -> PyResult<Option<Credential>> {
    name.map(|n| {
        n.parse::<Credential>()
            .map_err(|e| PyValueError::new_err(e.to_string()))
    })
    .transpose()
}

fn environment(name: Option<&str>) -> PyResult<Option<Environment>> {
    name.map(|n| {
        n.parse::<Environment>()
            .map_err(|e| PyValueError::new_err(e.to_string()))
    })
    .transpose()
}

fn status(value: Option<u32>) -> PyResult<Option<u16>> {
    match value {
        None => Ok(None),
        Some(s @ 100..=999) => Ok(Some(s as u16)),
        Some(s) => Err(PyValueError::new_err(format!(
            "status {s} is not an HTTP status (100 to 999)"
        ))),
    }
}

/// The bounds of a rule that backs off.
#[pyclass(
    frozen,
    skip_from_py_object,
    module = "debitura_triage",
    name = "Backoff"
)]
#[derive(Clone)]
pub struct PyBackoff {
    inner: Backoff,
}

impl From<Backoff> for PyBackoff {
    fn from(inner: Backoff) -> Self {
        PyBackoff { inner }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[pymethods]
impl PyBackoff {
    /// Sends in all, the first one included.
    #[getter]
    fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The wait before the first resend, in milliseconds.
    #[getter]
    fn base_delay_ms(&self) -> u64 {
        millis(self.inner.base_delay)
    }

    /// No wait is longer, in milliseconds.
    #[getter]
    fn max_delay_ms(&self) -> u64 {
        millis(self.inner.max_delay)
    }

    /// How far, in percent, each wait may be spread at random either way.
    #[getter]
    fn jitter_percent(&self) -> u8 {
        self.inner.jitter_percent
    }

    /// Whether the server's delay is the least wait.
    #[getter]
    fn honour_retry_after(&self) -> bool {
        self.inner.honour_retry_after
    }

    /// The wait in seconds before resend `resend` (1 for the first), before
    /// jitter; `None` once the attempts are used up.
    fn delay(&self, resend: u32) -> Option<f64> {
        self.inner.delay(resend).map(|d| d.as_secs_f64())
    }

    fn __repr__(&self) -> String {
        format!(
            "Backoff(attempts={}, base_delay_ms={}, max_delay_ms={}, jitter_percent={}, honour_retry_after={})",
            self.attempts(),
            self.base_delay_ms(),
            self.max_delay_ms(),
            self.jitter_percent(),
            if self.inner.honour_retry_after { "True" } else { "False" }
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyBackoff>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __hash__(&self) -> u64 {
        u64::from(self.inner.attempts)
            ^ self.base_delay_ms().rotate_left(8)
            ^ self.max_delay_ms().rotate_left(24)
    }
}

/// What a failure means and what to do: the rule that matched (or none, or
/// the several that fit), its cause and solution, and the retry policy.
#[pyclass(frozen, module = "debitura_triage", name = "Diagnosis")]
pub struct PyDiagnosis {
    answer: Answer,
}

#[pymethods]
impl PyDiagnosis {
    /// The id of the rule that matched; `None` when none did or several fit.
    #[getter]
    fn rule(&self) -> Option<&'static str> {
        self.answer.rule_id().map(RuleId::as_str)
    }

    /// Whether one rule matched.
    #[getter]
    fn matched(&self) -> bool {
        self.answer.is_matched()
    }

    /// The rule's title; `None` without a rule.
    #[getter]
    fn title(&self) -> Option<&'static str> {
        self.answer.rule().map(|r| r.title)
    }

    /// The section of the troubleshooting page, if one applies.
    #[getter]
    fn section(&self) -> Option<&'static str> {
        self.answer.section().map(|s| s.title)
    }

    /// Why it happens.
    #[getter]
    fn cause(&self) -> &'static str {
        self.answer.cause()
    }

    /// What to do about it.
    #[getter]
    fn solution(&self) -> &'static str {
        self.answer.solution()
    }

    /// Whether and how to retry, as a `Retry`.
    #[getter]
    fn retry<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        retry_enum(py, self.answer.retry())
    }

    /// The bounds of the retries, for a rule that backs off.
    #[getter]
    fn backoff(&self) -> Option<PyBackoff> {
        self.answer
            .rule()
            .and_then(|r| r.backoff)
            .map(PyBackoff::from)
    }

    /// Where the rule is explained.
    #[getter]
    fn docs_url(&self) -> Option<&'static str> {
        self.answer.rule_id().map(RuleId::docs_url)
    }

    /// The ids of the rules that fit when the question says too little to
    /// tell them apart; empty otherwise.
    #[getter]
    fn several<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let ids: Vec<&str> = self
            .answer
            .several()
            .map(|s| s.rules.iter().map(|r| r.as_str()).collect())
            .unwrap_or_default();
        PyTuple::new(py, ids)
    }

    /// When several fit: whether some way of filling in the question has no rule.
    #[getter]
    fn or_none(&self) -> bool {
        self.answer.several().is_some_and(|s| s.or_none)
    }

    fn __repr__(&self) -> String {
        diagnosis_repr("Diagnosis", &self.answer, "")
    }
}

fn diagnosis_repr(name: &str, answer: &Answer, more: &str) -> String {
    let rule = match (answer.rule_id(), answer.several()) {
        (Some(id), _) => format!("rule='{id}'"),
        (None, Some(s)) => {
            let ids: Vec<String> = s.rules.iter().map(|r| format!("'{r}'")).collect();
            let tuple = match ids.as_slice() {
                [one] => format!("({one},)"),
                _ => format!("({})", ids.join(", ")),
            };
            let or_none = if s.or_none { "True" } else { "False" };
            format!("rule=None, several={tuple}, or_none={or_none}")
        }
        (None, None) => "rule=None".to_string(),
    };
    format!("{name}({rule}, retry='{}'{more})", answer.retry())
}

/// One error a response body reported, and how it alone would be diagnosed.
#[pyclass(frozen, module = "debitura_triage", name = "Finding")]
pub struct PyFinding {
    /// Where in the body it was found (`business-errors`, `validation`, …).
    #[pyo3(get)]
    source: &'static str,
    /// Its error type, if the body gives one.
    #[pyo3(get, name = "type")]
    error_type: Option<String>,
    /// Its message, if any.
    #[pyo3(get)]
    message: Option<String>,
    /// The field it concerns, for field-validation messages.
    #[pyo3(get)]
    field: Option<String>,
    /// Its `solutionUrl`, if any.
    #[pyo3(get)]
    solution_url: Option<String>,
    /// Whether it decided the answer.
    #[pyo3(get)]
    decisive: bool,
    answer: Answer,
}

#[pymethods]
impl PyFinding {
    /// The rule this error alone matches, if any.
    #[getter]
    fn rule(&self) -> Option<&'static str> {
        self.answer.rule_id().map(RuleId::as_str)
    }

    /// Its retry policy on its own.
    #[getter]
    fn retry<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        retry_enum(py, self.answer.retry())
    }

    fn __repr__(&self) -> String {
        let what = self
            .error_type
            .as_deref()
            .or(self.message.as_deref())
            .unwrap_or("");
        format!(
            "Finding(source='{}', type_or_message='{}', rule={}, decisive={})",
            self.source,
            printable(what),
            self.rule().map_or("None".to_string(), |r| format!("'{r}'")),
            if self.decisive { "True" } else { "False" }
        )
    }
}

/// The answer to a response: the diagnosis of the error that decided, the
/// URL to show, the server's delay, and every error the body reported.
#[pyclass(frozen, module = "debitura_triage", name = "ResponseDiagnosis")]
pub struct PyResponseDiagnosis {
    answer: Answer,
    /// The URL to show the user (a signing or approval link), if the body has one.
    #[pyo3(get)]
    url: Option<String>,
    /// How long the server asked to wait, in seconds, if it said.
    #[pyo3(get)]
    retry_after: Option<f64>,
    /// The body's shape (`business-errors`, `problem-details`, `empty`, …).
    #[pyo3(get)]
    body: &'static str,
    /// Why the body was not read whole, if it was not.
    #[pyo3(get)]
    body_note: Option<String>,
    /// How the deciding error was chosen (`single`, `strictest`, …).
    #[pyo3(get)]
    decision: &'static str,
    /// The index in `findings` of the error that decided, if one did.
    #[pyo3(get)]
    decided_by: Option<usize>,
    /// Errors beyond those kept, which were counted but not read.
    #[pyo3(get)]
    errors_not_kept: usize,
    findings: Py<PyTuple>,
}

#[pymethods]
impl PyResponseDiagnosis {
    /// The diagnosis of the error that decided (or of the status and context).
    #[getter]
    fn diagnosis(&self) -> PyDiagnosis {
        PyDiagnosis {
            answer: self.answer,
        }
    }

    /// The id of the rule that decided; `None` when none did or several fit.
    #[getter]
    fn rule(&self) -> Option<&'static str> {
        self.answer.rule_id().map(RuleId::as_str)
    }

    /// Whether and how to retry, as a `Retry`.
    #[getter]
    fn retry<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        retry_enum(py, self.answer.retry())
    }

    /// The bounds of the retries, for a rule that backs off.
    #[getter]
    fn backoff(&self) -> Option<PyBackoff> {
        self.answer
            .rule()
            .and_then(|r| r.backoff)
            .map(PyBackoff::from)
    }

    /// Why it happens.
    #[getter]
    fn cause(&self) -> &'static str {
        self.answer.cause()
    }

    /// What to do about it.
    #[getter]
    fn solution(&self) -> &'static str {
        self.answer.solution()
    }

    /// Every error the body reported, in order (a tuple of `Finding`).
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> Bound<'py, PyTuple> {
        self.findings.bind(py).clone()
    }

    fn __repr__(&self) -> String {
        let mut more = String::new();
        if let Some(url) = &self.url {
            more += &format!(", url='{}'", printable(url));
        }
        if let Some(secs) = self.retry_after {
            more += &format!(", retry_after={secs}");
        }
        diagnosis_repr("ResponseDiagnosis", &self.answer, &more)
    }
}

/// One rule of the catalog.
#[pyclass(frozen, module = "debitura_triage", name = "Rule")]
pub struct PyRule {
    rule: &'static CatalogRule,
}

#[pymethods]
impl PyRule {
    /// Its stable id.
    #[getter]
    fn id(&self) -> &'static str {
        self.rule.id.as_str()
    }
    /// The failure as a reader would search for it.
    #[getter]
    fn title(&self) -> &'static str {
        self.rule.title
    }
    /// The section of the troubleshooting page it belongs to.
    #[getter]
    fn section(&self) -> &'static str {
        self.rule.section.title
    }
    /// Why it happens.
    #[getter]
    fn cause(&self) -> &'static str {
        self.rule.cause
    }
    /// What to do about it.
    #[getter]
    fn solution(&self) -> &'static str {
        self.rule.solution
    }
    /// Whether and how to retry, as a `Retry`.
    #[getter]
    fn retry<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        retry_enum(py, self.rule.retry)
    }
    /// The bounds of the retries, for a rule that backs off.
    #[getter]
    fn backoff(&self) -> Option<PyBackoff> {
        self.rule.backoff.map(PyBackoff::from)
    }
    /// Background, and which source the rule follows where sources disagree.
    #[getter]
    fn notes(&self) -> Option<&'static str> {
        self.rule.notes
    }
    /// Where the rule is explained.
    #[getter]
    fn docs_url(&self) -> &'static str {
        self.rule.id.docs_url()
    }
    /// The ids of related rules.
    #[getter]
    fn see_also<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.rule.see_also.iter().map(|id| id.as_str()))
    }

    fn __repr__(&self) -> String {
        format!("Rule(id='{}', retry='{}')", self.rule.id, self.rule.retry)
    }
}

/// The query the keyword arguments describe; strings are borrowed from them.
#[allow(clippy::too_many_arguments)]
fn query<'a>(
    status_code: Option<u32>,
    error_type: Option<&'a str>,
    message: Option<&'a str>,
    operation_name: Option<&'a str>,
    event: Option<&'a str>,
    symptom: Option<&'a str>,
    after_token_refresh: bool,
    environment_name: Option<&'a str>,
    auth: Option<&'a str>,
    method: Option<&'a str>,
    idempotency_key: Option<bool>,
) -> PyResult<Query<'a>> {
    let mut q = Query::new();
    q.status = status(status_code)?;
    q.error_type = error_type;
    q.message = message;
    q.operation = operation(operation_name)?;
    q.event = event;
    q.symptom = symptom;
    q.after_token_refresh = after_token_refresh;
    q.environment = environment(environment_name)?;
    q.credential = credential(auth)?;
    q.method = method;
    q.idempotency_key = idempotency_key;
    Ok(q)
}

/// What a failure means and what to do, from what the caller knows of it.
/// Every argument is optional and keyword-only; a field left out is unknown.
#[pyfunction]
#[pyo3(signature = (*, status=None, r#type=None, message=None, operation=None, event=None, symptom=None, after_token_refresh=false, environment=None, auth=None, method=None, idempotency_key=None))]
#[allow(clippy::too_many_arguments)]
fn diagnose(
    status: Option<u32>,
    r#type: Option<PyBackedStr>,
    message: Option<PyBackedStr>,
    operation: Option<PyBackedStr>,
    event: Option<PyBackedStr>,
    symptom: Option<PyBackedStr>,
    after_token_refresh: bool,
    environment: Option<PyBackedStr>,
    auth: Option<PyBackedStr>,
    method: Option<PyBackedStr>,
    idempotency_key: Option<bool>,
) -> PyResult<PyDiagnosis> {
    let q = query(
        status,
        r#type.as_deref(),
        message.as_deref(),
        operation.as_deref(),
        event.as_deref(),
        symptom.as_deref(),
        after_token_refresh,
        environment.as_deref(),
        auth.as_deref(),
        method.as_deref(),
        idempotency_key,
    )?;
    Ok(PyDiagnosis {
        answer: diagnose_query(&q),
    })
}

/// A `Retry-After` value: the header's text, or seconds as a number.
#[derive(FromPyObject)]
enum RetryAfter {
    Seconds(u64),
    Header(PyBackedStr),
}

/// What a response means: its status, its raw body bytes, the operation it
/// answered and its `Retry-After` header, if any. `now` (Unix seconds)
/// dates a `Retry-After` given as an HTTP date; by default the clock's.
#[pyfunction]
#[pyo3(signature = (status, body, operation=None, retry_after=None, *, method=None, idempotency_key=None, auth=None, after_token_refresh=false, environment=None, now=None))]
#[allow(clippy::too_many_arguments)]
fn diagnose_response(
    py: Python<'_>,
    status: u32,
    body: &Bound<'_, PyBytes>,
    operation: Option<PyBackedStr>,
    retry_after: Option<RetryAfter>,
    method: Option<PyBackedStr>,
    idempotency_key: Option<bool>,
    auth: Option<PyBackedStr>,
    after_token_refresh: bool,
    environment: Option<PyBackedStr>,
    now: Option<u64>,
) -> PyResult<PyResponseDiagnosis> {
    let context = query(
        None,
        None,
        None,
        operation.as_deref(),
        None,
        None,
        after_token_refresh,
        environment.as_deref(),
        auth.as_deref(),
        method.as_deref(),
        idempotency_key,
    )?;
    let status = self::status(Some(status))?.unwrap_or_default();
    let bytes = body.as_bytes();
    let mut r = read_response(status, bytes, &context);
    if let Some(value) = retry_after {
        let clock = match now {
            Some(secs) => SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
            None => SystemTime::now(),
        };
        r = match &value {
            RetryAfter::Seconds(secs) => {
                r.with_retry_after_header(secs.to_string().as_bytes(), clock)
            }
            RetryAfter::Header(text) => r.with_retry_after_header(text.as_bytes(), clock),
        };
    }
    let findings: Vec<PyFinding> = r
        .findings()
        .enumerate()
        .map(|(i, f)| PyFinding {
            source: f.source.as_str(),
            error_type: f.error_type.map(|t| t.to_string()),
            message: f.message.map(|t| t.to_string()),
            field: f.field.map(|t| t.to_string()),
            solution_url: f.solution_url.map(|t| t.to_string()),
            decisive: r.decided_by() == Some(i),
            answer: f.diagnosis,
        })
        .collect();
    let findings = PyTuple::new(
        py,
        findings
            .into_iter()
            .map(|f| Py::new(py, f))
            .collect::<PyResult<Vec<_>>>()?,
    )?;
    Ok(PyResponseDiagnosis {
        answer: r.diagnosis(),
        url: r.url().map(|u| u.to_string()),
        retry_after: r.retry_after().map(|d| d.as_secs_f64()),
        body: r.shape().as_str(),
        body_note: r.stop().is_partial().then(|| r.stop().to_string()),
        decision: r.decision().as_str(),
        decided_by: r.decided_by(),
        errors_not_kept: r.dropped(),
        findings: findings.unbind(),
    })
}

/// The verdict on one webhook delivery.
#[pyclass(frozen, module = "debitura_triage", name = "WebhookCheck")]
pub struct PyWebhookCheck {
    verdict: Verdict,
}

#[pymethods]
impl PyWebhookCheck {
    /// Whether the delivery is Debitura's, unchanged and on time.
    #[getter]
    fn valid(&self) -> bool {
        self.verdict == Verdict::Valid
    }

    /// The most likely mistake's code (`wrong-secret`, …); `None` when valid.
    #[getter]
    fn mistake(&self) -> Option<&'static str> {
        match self.verdict {
            Verdict::Mistake(m) => Some(m.code()),
            _ => None,
        }
    }

    /// The diagnosis that explains the mistake; `None` when valid.
    #[getter]
    fn diagnosis(&self) -> Option<PyDiagnosis> {
        match self.verdict {
            Verdict::Mistake(m) => Some(PyDiagnosis {
                answer: m.diagnosis(),
            }),
            _ => None,
        }
    }

    /// The id of the rule that explains the mistake; `None` when valid.
    #[getter]
    fn rule(&self) -> Option<&'static str> {
        match self.verdict {
            Verdict::Mistake(m) => m.diagnosis().rule_id().map(RuleId::as_str),
            _ => None,
        }
    }

    fn __repr__(&self) -> String {
        match self.mistake() {
            None => "WebhookCheck(valid=True)".to_string(),
            Some(code) => format!("WebhookCheck(valid=False, mistake='{code}')"),
        }
    }
}

/// One secret, or the secrets of a rotation.
#[derive(FromPyObject)]
enum Secrets {
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
fn check_webhook(
    secret: Secrets,
    header: PyBackedStr,
    body: &Bound<'_, PyBytes>,
    now: Option<u64>,
    tolerance: Option<(u64, u64)>,
    computed: Option<PyBackedStr>,
) -> PyResult<PyWebhookCheck> {
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
    Ok(PyWebhookCheck {
        verdict: webhook::check(&delivery),
    })
}

/// Every rule of the catalog, in its order.
#[pyfunction]
fn rules<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
    let rules = RULES
        .iter()
        .map(|rule| Py::new(py, PyRule { rule }))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, rules)
}

/// The rule with this id (a retired id gives the rule that replaced it).
#[pyfunction]
fn rule(id: &str) -> PyResult<PyRule> {
    match RuleId::from_id(id) {
        Some(found) => Ok(PyRule { rule: found.rule() }),
        None => Err(PyValueError::new_err(
            id.parse::<RuleId>()
                .err()
                .map_or_else(|| format!("no rule `{}`", printable(id)), |e| e.to_string()),
        )),
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(diagnose, m)?)?;
    m.add_function(wrap_pyfunction!(diagnose_response, m)?)?;
    m.add_function(wrap_pyfunction!(check_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(rules, m)?)?;
    m.add_function(wrap_pyfunction!(rule, m)?)?;
    m.add_class::<PyDiagnosis>()?;
    m.add_class::<PyResponseDiagnosis>()?;
    m.add_class::<PyFinding>()?;
    m.add_class::<PyBackoff>()?;
    m.add_class::<PyRule>()?;
    m.add_class::<PyWebhookCheck>()?;
    m.add(
        "OPERATIONS",
        PyTuple::new(m.py(), Operation::ALL.iter().map(|o| o.as_str()))?,
    )?;
    m.add(
        "ENVIRONMENTS",
        PyTuple::new(m.py(), Environment::ALL.iter().map(|e| e.as_str()))?,
    )?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
