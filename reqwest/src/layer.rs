//! The middleware: send, diagnose a failure, and act on the answer, within
//! the call's deadline and the host's retry budget.

use std::sync::Arc;
use std::time::Duration;

use debitura_triage::call::{self, Call};
use debitura_triage::{diagnose, Diagnosis, Operation, Query};
use http::header::{HeaderValue, AUTHORIZATION};
use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::budget::RetryBudget;
use crate::error::{DeadlinePassed, Error, Reason};
use crate::failure::{attempt_of, no_response, Read};
use crate::tokens::{BearerToken, NoTokens, TokenError, TokenSource};

/// The header Debitura reads to make a write safe to resend.
const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The client (its `externalTenantId`) a Customer API request acts for:
/// set it with `RequestBuilder::with_extension` and the layer puts that
/// tenant's bearer token on the request, and refreshes it when refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tenant(Arc<str>);

impl Tenant {
    /// The tenant with this `externalTenantId`.
    pub fn new(external_tenant_id: impl AsRef<str>) -> Self {
        Tenant(Arc::from(external_tenant_id.as_ref()))
    }

    /// Its `externalTenantId`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.0
    }
}

/// Marks a request never to be sent twice, whatever the policy says: set it
/// with `RequestBuilder::with_extension(NoResend)` and the call ends with
/// the first answer, as [`Reason::NoResend`] when the policy would have sent
/// again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NoResend;

/// The longest a call may take, every attempt, wait and token mint included,
/// counted from when the layer sees the request. Set it on a request with
/// `RequestBuilder::with_extension`; it replaces [`Triage::deadline`] for
/// that request. The layer never waits past it: when the next wait would
/// cross it, or it passes during a send, the call ends as
/// [`Reason::Deadline`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Deadline(Duration);

impl Deadline {
    /// A deadline `duration` after the request reaches the layer.
    #[must_use]
    pub const fn after(duration: Duration) -> Self {
        Deadline(duration)
    }

    /// How long after the request reaches the layer it falls.
    #[must_use]
    pub const fn duration(self) -> Duration {
        self.0
    }
}

/// The middleware.
///
/// The operation of a request comes from an [`Operation`] extension when the
/// caller set one (needed for a path that is not Debitura's own, such as one
/// behind a gateway's prefix), else from its method, host and path
/// ([`Query::request`]). Without one, a failure is still diagnosed, but a
/// `401` gets no token refresh, no `Idempotency-Key` is added, and only a
/// request safe by its method is resent; with the `tracing` feature, one
/// warning per call says so.
///
/// Every call through one `Triage` shares its [`RetryBudget`], one account
/// per API host; each call may have a [`Deadline`].
#[derive(Debug, Default)]
pub struct Triage<T = NoTokens> {
    tokens: T,
    budget: RetryBudget,
    deadline: Option<Duration>,
}

impl Triage<NoTokens> {
    /// A layer without a token source: it backs off and stops as the policy
    /// says, and leaves `Authorization` to the caller.
    #[must_use]
    pub fn new() -> Self {
        Triage::default()
    }
}

impl<T: TokenSource> Triage<T> {
    /// A layer that gets bearer tokens from `tokens` for requests that name
    /// a [`Tenant`] and set no `Authorization` of their own. The token
    /// source's own calls draw on the layer's budget.
    pub fn with_tokens(mut tokens: T) -> Self {
        let budget = RetryBudget::default();
        tokens.use_budget(&budget);
        Triage {
            tokens,
            budget,
            deadline: None,
        }
    }

    /// Draws every resend from `budget` instead of the layer's own default
    /// ([`RetryBudget::default`]); the token source draws on it too. Give
    /// the same budget to every layer whose requests share Debitura's
    /// limits.
    #[must_use]
    pub fn budget(mut self, budget: RetryBudget) -> Self {
        self.tokens.use_budget(&budget);
        self.budget = budget;
        self
    }

    /// Ends every call that takes longer than `deadline` in all, unless the
    /// request carries a [`Deadline`] of its own. Without one, a call takes
    /// as long as its attempts and the policy's waits (at most 30 s each)
    /// do, bounded only by the client's own timeouts.
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// A token for the call's tenant, within the call's deadline; when none
    /// can be had, the call's typed error: its deadline, or
    /// [`Reason::TokenUnavailable`] carrying the mint's own answer.
    async fn token(
        &self,
        tenant: &Tenant,
        stale: Option<&BearerToken>,
        call: &Call,
        answer: Diagnosis,
    ) -> Result<BearerToken, Error> {
        let minted = self.tokens.token(tenant.id(), stale);
        let minted = match call.deadline() {
            Some(deadline) => {
                match tokio::time::timeout_at(self.budget.instant(deadline), minted).await {
                    Ok(minted) => minted,
                    Err(_) => Err(Box::new(DeadlinePassed) as TokenError),
                }
            }
            None => minted.await,
        };
        minted.map_err(|e| {
            let reason = call.token_failed(self.budget.now());
            match e.downcast::<Error>() {
                // The mint's own diagnosed failure, carried as it is.
                Ok(mint) => Error::token_unavailable(*mint, reason, call.attempts()),
                Err(other) => Error::without_response(answer, call.operation(), Some(other))
                    .stopped(reason, call.attempts()),
            }
        })
    }
}

#[async_trait::async_trait]
impl<T: TokenSource> Middleware for Triage<T> {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let tenant = extensions.get::<Tenant>().cloned();
        let url = request.url().clone();
        let mut described = call::Request::new(request.method().as_str(), url.as_str())
            .operation(extensions.get::<Operation>().copied())
            .replayable(request.body().is_none_or(|b| b.as_bytes().is_some()))
            .deadline(
                extensions
                    .get::<Deadline>()
                    .map(|d| d.duration())
                    .or(self.deadline)
                    .and_then(|d| self.budget.now().checked_add(d)),
            );
        for name in [AUTHORIZATION.as_str(), API_KEY, IDEMPOTENCY_KEY] {
            if let Some(value) = request.headers().get(name) {
                described = described.header(name, value.as_bytes());
            }
        }
        if tenant.is_some() {
            described = described.tenant();
        }
        if extensions.get::<NoResend>().is_some() {
            described = described.no_resend();
        }
        let mut call = Call::start(described, self.budget.core(), self.budget.now());
        if call.operation().is_none() {
            unknown_operation(request.method(), &url);
        }
        let deadline = call.deadline().map(|at| self.budget.instant(at));

        let mut token = None;
        if let (true, Some(tenant)) = (call.needs_token(), &tenant) {
            let fresh = self
                .token(tenant, None, &call, diagnose(&Query::new()))
                .await
                .map_err(reqwest_middleware::Error::middleware)?;
            set_bearer(&mut request, &fresh);
            token = Some(fresh);
        }
        if let Some(key) = call.key_to_add() {
            if let Ok(key) = HeaderValue::from_str(key) {
                request.headers_mut().insert(IDEMPOTENCY_KEY, key);
            }
        }

        loop {
            let spare = request.try_clone();
            let sent = next.clone().run(request, extensions);
            let sent = match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, sent)
                    .await
                    .unwrap_or_else(|_| Err(late())),
                None => sent.await,
            };
            let (error, step) = match sent {
                Ok(response) if !Call::failed(response.status().as_u16()) => return Ok(response),
                Ok(response) => {
                    let read = Read::of(response, deadline).await;
                    read.decide(&mut call, self.budget.now())
                }
                // A request that could not be built was never a failure of the API.
                Err(reqwest_middleware::Error::Reqwest(e)) if e.is_builder() => {
                    return Err(reqwest_middleware::Error::Reqwest(e))
                }
                Err(reqwest_middleware::Error::Reqwest(e)) => {
                    let failure = call.read(attempt_of(&e));
                    let step = call.next(&failure, self.budget.now());
                    (no_response(&call, &failure, Box::new(e)), step)
                }
                Err(reqwest_middleware::Error::Middleware(e)) if e.is::<DeadlinePassed>() => {
                    let failure = call.read(call::Attempt::NoAnswer);
                    let step = call.next(&failure, self.budget.now());
                    (no_response(&call, &failure, Box::new(DeadlinePassed)), step)
                }
                Err(other) => return Err(other),
            };
            decision(&error, call.attempts(), step, &url);
            let (call::Next::Resend { after, fresh_token }, Some(mut resend)) = (step, spare)
            else {
                let reason = match step {
                    call::Next::Stop(reason) => reason,
                    // The machine stops a call whose body cannot be sent again.
                    call::Next::Resend { .. } => Reason::BodyNotCloneable,
                };
                return Err(stopped(error, reason, call.attempts()));
            };
            if !after.is_zero() {
                tokio::time::sleep(after).await;
            }
            if let (true, Some(tenant)) = (fresh_token, &tenant) {
                let fresh = self
                    .token(tenant, token.as_ref(), &call, error.diagnosis())
                    .await
                    .map_err(reqwest_middleware::Error::middleware)?;
                set_bearer(&mut resend, &fresh);
                token = Some(fresh);
            }
            request = resend;
        }
    }
}

/// The error a send cut short by the call's deadline stands for.
fn late() -> reqwest_middleware::Error {
    reqwest_middleware::Error::middleware(DeadlinePassed)
}

fn stopped(error: Error, reason: Reason, attempts: u32) -> reqwest_middleware::Error {
    reqwest_middleware::Error::middleware(error.stopped(reason, attempts))
}

/// The header of the APIs' keys.
const API_KEY: &str = "xapikey";

fn set_bearer(request: &mut Request, token: &BearerToken) {
    request
        .headers_mut()
        .insert(AUTHORIZATION, token.header().clone());
}

/// One event per decision, with the answer that made it; a stop because the
/// host's budget is spent is a warning.
#[cfg(feature = "tracing")]
fn decision(error: &Error, attempt: u32, step: call::Next, url: &reqwest::Url) {
    let (action, delay_ms, reason) = match step {
        call::Next::Resend {
            fresh_token: true, ..
        } => ("token-refresh", None, None),
        call::Next::Resend { after, .. } => (
            "backoff",
            Some(u64::try_from(after.as_millis()).unwrap_or(u64::MAX)),
            None,
        ),
        call::Next::Stop(reason) => ("stop", None, Some(reason.as_str())),
    };
    tracing::info!(
        target: "debitura_triage",
        rule = error.rule_id().map(debitura_triage::RuleId::as_str),
        retry = error.retry().as_str(),
        status = error.status(),
        attempt,
        action,
        delay_ms,
        reason,
        "debitura-triage decision"
    );
    if step == call::Next::Stop(Reason::BudgetSpent) {
        tracing::warn!(
            target: "debitura_triage",
            host = url.host_str(),
            port = url.port_or_known_default(),
            rule = error.rule_id().map(debitura_triage::RuleId::as_str),
            retry_after_ms = error
                .retry_after()
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            "debitura-triage retry budget spent: not resent; reschedule the work"
        );
    }
}

#[cfg(not(feature = "tracing"))]
fn decision(_: &Error, _: u32, _: call::Next, _: &reqwest::Url) {}

/// One warning for a call whose operation neither an extension nor the
/// route tells.
#[cfg(feature = "tracing")]
fn unknown_operation(method: &http::Method, url: &reqwest::Url) {
    tracing::warn!(
        target: "debitura_triage",
        method = method.as_str(),
        host = url.host_str(),
        path = url.path(),
        "debitura-triage knows no operation for this request: no token refresh, no \
         Idempotency-Key, and no resend unless its method is safe; give it one with \
         `.with_extension(Operation::…)`"
    );
}

#[cfg(not(feature = "tracing"))]
fn unknown_operation(_: &http::Method, _: &reqwest::Url) {}
