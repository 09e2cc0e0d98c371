//! One call to Debitura carried out: the machine that says, after each
//! failed send, whether to send again, when and how, or why to stop.
//!
//! It is sans-IO, as h11, quinn-proto and rustls are: it opens no socket,
//! reads no clock and never waits. A driver (the reqwest layer, the Python
//! and Node packages) does the I/O and feeds the machine what happened and
//! the time; every decision is the machine's:
//!
//! 1. Describe the request ([`Request`]) and [`Call::start`] it: the call
//!    says whether to get a bearer token first ([`Call::needs_token`]) and
//!    which `Idempotency-Key` to add ([`Call::key_to_add`]).
//! 2. Send. An answer below 400 ends the call ([`Call::failed`] says which
//!    answers are failures); for a failure, read its body (at most
//!    [`MAX_SCAN`](crate::MAX_SCAN) bytes) and hand it over as an
//!    [`Attempt`]; so too a request that was never sent, or got no answer.
//! 3. [`Call::read`] diagnoses it; [`Call::next`] says what comes next:
//!    [`Next::Resend`] after a wait (the same request, with the same key,
//!    and with a fresh token when it says so), or [`Next::Stop`] with the
//!    [`Reason`].
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use debitura_triage::call::{Attempt, Call, Next, Reason, Request, RetryBudget};
//! use debitura_triage::RuleId;
//!
//! let budget = RetryBudget::default();
//! let mut now = Duration::ZERO; // the driver's monotonic clock
//! let request = Request::new("POST", "https://testcustomer-api.debitura.com/v1/cases")
//!     .tenant(); // a token source serves this call's tenant
//! let mut call = Call::start(request, &budget, now);
//! assert!(call.needs_token());
//! let key = call.key_to_add().expect("POST /cases takes a key").to_owned();
//!
//! // The first send is answered 503: sent again after a wait, with `key`.
//! let failure = call.read(Attempt::answered(503, b"", SystemTime::now()));
//! let Next::Resend { after, fresh_token } = call.next(&failure, now) else { panic!() };
//! assert!(after >= Duration::from_millis(900) && !fresh_token);
//! now += after;
//!
//! // A 422 the user must act on stops the call.
//! let body = br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","message":"sign"}]}"#;
//! let failure = call.read(Attempt::answered(422, body, SystemTime::now()));
//! assert_eq!(failure.diagnosis().rule_id(), Some(RuleId::MissingPowerOfAttorney));
//! assert_eq!(call.next(&failure, now), Next::Stop(Reason::Policy));
//! assert_eq!(call.attempts(), 2);
//! # let _ = key;
//! ```

mod budget;
mod random;
mod request;

use std::fmt;
use std::time::{Duration, SystemTime};

pub use budget::{Account, InvalidBudget, RetryBudget, MAX_HOSTS};
pub use request::Request;

use crate::response::{diagnose_response, ResponseDiagnosis};
use crate::{diagnose, Diagnosis, Operation, Query, Retry, Symptom};

/// Why a call stopped and handed its failure to the caller.
///
/// `Display` writes its stable name ([`Reason::as_str`]), as
/// [`Retry`] does; [`Reason::description`] says it in a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// The policy does not resend: `never`, `after-user-action`, or no rule
    /// recognised the failure.
    Policy,
    /// Every attempt the policy's bounds allow was made.
    AttemptsUsedUp,
    /// The server asked for a longer wait than the policy's longest delay:
    /// reschedule the work after the server's delay instead of holding it.
    WaitTooLong,
    /// The request's body is a stream that cannot be sent twice.
    BodyNotCloneable,
    /// A new token was called for, but the request names no tenant or the
    /// driver has no token source.
    NoTokenSource,
    /// No bearer token could be had: the token source failed, or a mint's
    /// own call stopped (its answer comes with the failure).
    TokenUnavailable,
    /// The host's [`RetryBudget`] allows no more resends for now: reschedule
    /// the work (after the server's delay when it gave one).
    BudgetSpent,
    /// The call's deadline passed, or the next wait would have crossed it.
    Deadline,
    /// The request is marked never to be sent twice.
    NoResend,
}

impl Reason {
    /// Every reason, in declaration order.
    pub const ALL: [Reason; 9] = [
        Reason::Policy,
        Reason::AttemptsUsedUp,
        Reason::WaitTooLong,
        Reason::BodyNotCloneable,
        Reason::NoTokenSource,
        Reason::TokenUnavailable,
        Reason::BudgetSpent,
        Reason::Deadline,
        Reason::NoResend,
    ];

    /// Its stable name, for logs and metrics: `policy`, `attempts-used-up`,
    /// `wait-too-long`, `body-not-cloneable`, `no-token-source`,
    /// `token-unavailable`, `budget-spent`, `deadline` or `no-resend`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Reason::Policy => "policy",
            Reason::AttemptsUsedUp => "attempts-used-up",
            Reason::WaitTooLong => "wait-too-long",
            Reason::BodyNotCloneable => "body-not-cloneable",
            Reason::NoTokenSource => "no-token-source",
            Reason::TokenUnavailable => "token-unavailable",
            Reason::BudgetSpent => "budget-spent",
            Reason::Deadline => "deadline",
            Reason::NoResend => "no-resend",
        }
    }

    /// What it means, in a sentence.
    #[must_use]
    pub const fn description(self) -> &'static str {
        match self {
            Reason::Policy => "the policy does not resend it",
            Reason::AttemptsUsedUp => "every attempt the policy allows was made",
            Reason::WaitTooLong => "the server asks for a longer wait than the policy allows",
            Reason::BodyNotCloneable => {
                "not resent: its body is a stream that cannot be sent twice"
            }
            Reason::NoTokenSource => {
                "not resent: the request names no tenant, or the layer has no token source"
            }
            Reason::TokenUnavailable => "no bearer token could be had",
            Reason::BudgetSpent => {
                "not resent: the retry budget for this host is spent; reschedule the work"
            }
            Reason::Deadline => "the call's deadline passed, or the next wait would cross it",
            Reason::NoResend => "not resent: the request is marked never to be sent twice",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Reason {
    type Err = crate::ParseNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Reason::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                crate::ParseNameError::among("reason", s, Reason::ALL.iter().map(|r| r.as_str()))
            })
    }
}

/// What came of one send.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Attempt<'a> {
    /// The server answered with a failure.
    Answered {
        /// The status, 400 or above.
        status: u16,
        /// The `Retry-After` header's value, as it came.
        retry_after: Option<&'a [u8]>,
        /// The body as read: at most [`MAX_SCAN`](crate::MAX_SCAN) bytes.
        body: &'a [u8],
        /// Whether all of the body was read: false when the read stopped at
        /// the limit, failed part way, or was cut by the deadline.
        complete: bool,
        /// The wall-clock time it arrived, which dates a `Retry-After` given
        /// as an HTTP date.
        received: SystemTime,
    },
    /// The request never left: the connection could not be made (refused,
    /// no route, name not resolved, TLS refused).
    NotSent,
    /// The request went out and no answer came (reset, closed, timed out):
    /// whether the server acted on it is unknown.
    NoAnswer,
}

impl<'a> Attempt<'a> {
    /// A failure answered with this status and whole body, and no
    /// `Retry-After` header.
    #[must_use]
    pub const fn answered(status: u16, body: &'a [u8], received: SystemTime) -> Self {
        Attempt::Answered {
            status,
            retry_after: None,
            body,
            complete: true,
            received,
        }
    }

    /// The same answer with the response's `Retry-After` header value.
    #[must_use]
    pub const fn retry_after(self, value: &'a [u8]) -> Self {
        match self {
            Attempt::Answered {
                status,
                body,
                complete,
                received,
                ..
            } => Attempt::Answered {
                status,
                retry_after: Some(value),
                body,
                complete,
                received,
            },
            other => other,
        }
    }

    /// The symptom of a send that got no answer; `None` for an answer.
    #[must_use]
    pub const fn symptom(&self) -> Option<Symptom> {
        match self {
            Attempt::Answered { .. } => None,
            Attempt::NotSent => Some(Symptom::NotSent),
            Attempt::NoAnswer => Some(Symptom::NoResponse),
        }
    }

    /// The same answer, its body read only in part.
    #[must_use]
    pub const fn partial(self) -> Self {
        match self {
            Attempt::Answered {
                status,
                retry_after,
                body,
                received,
                ..
            } => Attempt::Answered {
                status,
                retry_after,
                body,
                complete: false,
                received,
            },
            other => other,
        }
    }
}

/// The core's answer to one failed send.
#[derive(Debug, Clone)]
pub struct Failure<'a> {
    diagnosis: Diagnosis,
    response: Option<ResponseDiagnosis<'a>>,
    complete: bool,
}

impl<'a> Failure<'a> {
    /// What the catalog says of it.
    pub fn diagnosis(&self) -> Diagnosis {
        self.diagnosis
    }

    /// The diagnosis of the response's body, when there was a response.
    #[must_use]
    pub fn response(&self) -> Option<&ResponseDiagnosis<'a>> {
        self.response.as_ref()
    }

    /// The server's delay (the body's `retryAfter` or the `Retry-After`
    /// header, the longer), kept so that a stopped call can be rescheduled.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.response
            .as_ref()
            .and_then(ResponseDiagnosis::retry_after)
    }

    /// Whether the whole answer arrived: false for no answer at all, and for
    /// a body read only in part.
    #[must_use]
    pub fn complete(&self) -> bool {
        self.complete
    }
}

/// What the driver does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Send the same request again, with the same `Idempotency-Key`, no
    /// sooner than `after` from now; with a new bearer token first when
    /// `fresh_token` says so.
    Resend {
        /// The least wait.
        after: Duration,
        /// Whether to get a new token (other than the one just refused).
        fresh_token: bool,
    },
    /// Hand the failure to the caller.
    Stop(Reason),
}

/// One call in progress.
///
/// Time comes in as `now`: the driver's monotonic clock as a [`Duration`]
/// from an origin of its choosing, the same one its [`RetryBudget`] sees.
#[derive(Debug)]
pub struct Call {
    method: Option<&'static str>,
    operation: Option<Operation>,
    environment: Option<crate::Environment>,
    credential: Option<crate::Credential>,
    key: bool,
    key_to_add: Option<String>,
    tenant: bool,
    needs_token: bool,
    replayable: bool,
    no_resend: bool,
    deadline: Option<Duration>,
    account: Account,
    attempts: u32,
    refreshed: bool,
}

impl Call {
    /// Starts a call at `now`: its first attempt is a deposit into its host's
    /// account of `budget`.
    #[must_use]
    pub fn start(request: Request<'_>, budget: &RetryBudget, now: Duration) -> Self {
        let (host, port) = request.account_key();
        let account = budget.account(host, port);
        account.deposit(now);
        let context = request.context();
        let key_to_add = (context
            .operation
            .is_some_and(Operation::takes_idempotency_key)
            && !request.idempotency_key)
            .then(random::idempotency_key);
        Call {
            method: request.method,
            operation: context.operation,
            environment: context.environment,
            credential: context.credential,
            key: request.idempotency_key || key_to_add.is_some(),
            key_to_add,
            tenant: request.tenant,
            needs_token: request.needs_token(),
            replayable: request.replayable,
            no_resend: request.no_resend,
            deadline: request.deadline,
            account,
            attempts: 0,
            refreshed: false,
        }
    }

    /// Whether the status is a failure the driver hands over (400 and
    /// above); anything else is the call's answer, passed on untouched.
    #[must_use]
    pub const fn failed(status: u16) -> bool {
        status >= 400
    }

    /// Whether to get the tenant's bearer token before the first send: the
    /// request names a tenant and carries no `Authorization` of its own.
    #[must_use]
    pub fn needs_token(&self) -> bool {
        self.needs_token
    }

    /// The `Idempotency-Key` to add to the request, when its operation takes
    /// one and the caller sent none. Every copy of the request carries it.
    #[must_use]
    pub fn key_to_add(&self) -> Option<&str> {
        self.key_to_add.as_deref()
    }

    /// The operation, from the request's route or the caller's word.
    #[must_use]
    pub fn operation(&self) -> Option<Operation> {
        self.operation
    }

    /// When the call must be over, on the driver's clock: no send, read or
    /// wait may run past it.
    #[must_use]
    pub fn deadline(&self) -> Option<Duration> {
        self.deadline
    }

    /// Sends made so far.
    #[must_use]
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// What the core knows of the request, as a query: what every failure is
    /// diagnosed with.
    #[must_use]
    pub fn context(&self) -> Query<'static> {
        let mut q = Query::new();
        q.operation = self.operation;
        q.environment = self.environment;
        q.credential = self.credential;
        q.method = self.method;
        q.idempotency_key = Some(self.key);
        q.after_token_refresh = self.refreshed;
        q
    }

    /// The core's answer to what came of a send.
    #[must_use]
    pub fn read<'a>(&self, attempt: Attempt<'a>) -> Failure<'a> {
        let context = self.context();
        match attempt {
            Attempt::Answered {
                status,
                retry_after,
                body,
                complete,
                received,
            } => {
                let mut answer = diagnose_response(status, body, &context);
                if let Some(value) = retry_after {
                    answer = answer.with_retry_after_header(value, received);
                }
                Failure {
                    diagnosis: answer.diagnosis(),
                    response: Some(answer),
                    complete,
                }
            }
            Attempt::NotSent | Attempt::NoAnswer => Failure {
                diagnosis: diagnose(
                    &context.symptom(attempt.symptom().unwrap_or(Symptom::NoResponse)),
                ),
                response: None,
                complete: false,
            },
        }
    }

    /// What to do after `failure`, the answer to the last send, at `now`. A
    /// resend is withdrawn from the budget only when everything else allows
    /// it.
    pub fn next(&mut self, failure: &Failure<'_>, now: Duration) -> Next {
        self.attempts = self.attempts.saturating_add(1);
        if !failure.complete && self.past_deadline(now) {
            return Next::Stop(Reason::Deadline);
        }
        let next = policy(failure, self.attempts, self.refreshed);
        let stop = match next {
            Next::Stop(_) => return next,
            _ if self.no_resend => Reason::NoResend,
            _ if !self.replayable => Reason::BodyNotCloneable,
            Next::Resend {
                fresh_token: true, ..
            } if !self.tenant => Reason::NoTokenSource,
            Next::Resend { after, .. } if self.too_late_after(after, now) => Reason::Deadline,
            _ if !self.account.withdraw(now) => Reason::BudgetSpent,
            Next::Resend { fresh_token, .. } => {
                self.refreshed |= fresh_token;
                return next;
            }
        };
        Next::Stop(stop)
    }

    /// Why the call stops when no token could be had for it at `now`: the
    /// deadline, when it has passed, else [`Reason::TokenUnavailable`].
    #[must_use]
    pub fn token_failed(&self, now: Duration) -> Reason {
        if self.past_deadline(now) {
            Reason::Deadline
        } else {
            Reason::TokenUnavailable
        }
    }

    fn past_deadline(&self, now: Duration) -> bool {
        self.deadline.is_some_and(|deadline| now >= deadline)
    }

    /// Whether the deadline falls before `wait` from `now` has passed. (A
    /// refresh needs no check here: the token is fetched within the
    /// deadline.)
    fn too_late_after(&self, wait: Duration, now: Duration) -> bool {
        self.deadline
            .is_some_and(|deadline| now.checked_add(wait).is_none_or(|then| then >= deadline))
    }
}

/// The policy applied: a `token-refresh` answer once, a `backoff` answer
/// within its rule's bounds, anything else never.
fn policy(failure: &Failure<'_>, attempts: u32, refreshed: bool) -> Next {
    match failure.diagnosis.retry() {
        Retry::TokenRefresh if !refreshed => Next::Resend {
            after: Duration::ZERO,
            fresh_token: true,
        },
        Retry::Backoff => {
            let Some(bounds) = failure.diagnosis.rule().and_then(|r| r.backoff) else {
                return Next::Stop(Reason::Policy);
            };
            let Some(wait) = bounds.delay(attempts) else {
                return Next::Stop(Reason::AttemptsUsedUp);
            };
            let wait = random::jitter(wait, &bounds);
            let after = match failure.retry_after().filter(|_| bounds.honour_retry_after) {
                Some(hint) if hint > bounds.max_delay => return Next::Stop(Reason::WaitTooLong),
                Some(hint) => wait.max(hint),
                None => wait,
            };
            Next::Resend {
                after,
                fresh_token: false,
            }
        }
        _ => Next::Stop(Reason::Policy),
    }
}

#[cfg(test)]
mod tests;
