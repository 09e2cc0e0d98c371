//! The middleware: send, diagnose a failure, and act on the answer.

use std::sync::Arc;
use std::time::Duration;

use debitura_triage::{diagnose, Diagnosis, Operation, Query, Retry};
use http::header::{HeaderValue, AUTHORIZATION};
use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::error::{Error, Reason};
use crate::failure::{diagnose_failure, no_response};
use crate::random::{idempotency_key, jitter};
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

/// The middleware. The operation of a request comes from an [`Operation`]
/// extension when the caller set one, else from its method, host and path
/// ([`Query::request`]).
#[derive(Debug, Default)]
pub struct Triage<T = NoTokens> {
    tokens: T,
}

impl Triage<NoTokens> {
    /// A layer without a token source: it backs off and stops as the policy
    /// says, and leaves `Authorization` to the caller.
    #[must_use]
    pub fn new() -> Self {
        Triage { tokens: NoTokens }
    }
}

impl<T: TokenSource> Triage<T> {
    /// A layer that gets bearer tokens from `tokens` for requests that name
    /// a [`Tenant`] and set no `Authorization` of their own.
    pub fn with_tokens(tokens: T) -> Self {
        Triage { tokens }
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
        let method = request.method().clone();
        let url = request.url().clone();
        let mut context = Query::new().request(method.as_str(), url.host_str(), url.path());
        if let Some(op) = extensions.get::<Operation>() {
            context.operation = Some(*op);
        }
        let operation = context.operation;
        let tenant = extensions.get::<Tenant>().cloned();

        let mut token = None;
        if let Some(tenant) = &tenant {
            if !request.headers().contains_key(AUTHORIZATION) {
                let fresh = self
                    .tokens
                    .token(tenant.id(), None)
                    .await
                    .map_err(|e| token_failure(e, diagnose(&Query::new()), operation, 1))?;
                set_bearer(&mut request, &fresh);
                token = Some(fresh);
            }
        }
        if operation.is_some_and(Operation::takes_idempotency_key)
            && !request.headers().contains_key(IDEMPOTENCY_KEY)
        {
            if let Ok(key) = HeaderValue::from_str(&idempotency_key()) {
                request.headers_mut().insert(IDEMPOTENCY_KEY, key);
            }
        }
        // Whether a resend is safe depends on the key the request carries,
        // the caller's or the one added above.
        context.idempotency_key = Some(request.headers().contains_key(IDEMPOTENCY_KEY));

        let mut attempts = 0;
        loop {
            attempts += 1;
            let spare = request.try_clone();
            let error = match next.clone().run(request, extensions).await {
                Ok(response) if response.status().as_u16() < 400 => return Ok(response),
                Ok(response) => diagnose_failure(response, &context).await?,
                // A request that could not be built was never a failure of the API.
                Err(reqwest_middleware::Error::Reqwest(e)) if e.is_builder() => {
                    return Err(reqwest_middleware::Error::Reqwest(e))
                }
                Err(reqwest_middleware::Error::Reqwest(e)) => no_response(&context, e),
                Err(other) => return Err(other),
            };
            let step = next_step(&error, attempts, context.after_token_refresh);
            decision(&error, attempts, step);
            let (step, Some(mut resend)) = (step, spare) else {
                let reason = match step {
                    Step::Stop(reason) => reason,
                    _ => Reason::BodyNotCloneable,
                };
                return Err(stopped(error, reason, attempts));
            };
            match step {
                Step::Stop(reason) => return Err(stopped(error, reason, attempts)),
                Step::Wait(wait) => tokio::time::sleep(wait).await,
                Step::Refresh => {
                    let Some(tenant) = &tenant else {
                        return Err(stopped(error, Reason::NoTokenSource, attempts));
                    };
                    let fresh = self
                        .tokens
                        .token(tenant.id(), token.as_ref())
                        .await
                        .map_err(|e| token_failure(e, error.diagnosis(), operation, attempts))?;
                    set_bearer(&mut resend, &fresh);
                    token = Some(fresh);
                    context.after_token_refresh = true;
                }
            }
            request = resend;
        }
    }
}

/// What the answer to one send calls for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    /// Send again after this wait.
    Wait(Duration),
    /// Send again with a new bearer token.
    Refresh,
    /// Hand the failure to the caller.
    Stop(Reason),
}

/// The policy applied: a `token-refresh` answer once, a `backoff` answer
/// within its rule's bounds, anything else never.
fn next_step(error: &Error, attempts: u32, refreshed: bool) -> Step {
    match error.retry() {
        Retry::TokenRefresh if !refreshed => Step::Refresh,
        Retry::Backoff => {
            let Some(bounds) = error.diagnosis().rule().and_then(|r| r.backoff) else {
                return Step::Stop(Reason::Policy);
            };
            let Some(wait) = bounds.delay(attempts) else {
                return Step::Stop(Reason::AttemptsUsedUp);
            };
            let wait = jitter(wait, &bounds);
            match error.retry_after().filter(|_| bounds.honour_retry_after) {
                Some(hint) if hint > bounds.max_delay => Step::Stop(Reason::WaitTooLong),
                Some(hint) => Step::Wait(wait.max(hint)),
                None => Step::Wait(wait),
            }
        }
        _ => Step::Stop(Reason::Policy),
    }
}

fn stopped(error: Error, reason: Reason, attempts: u32) -> reqwest_middleware::Error {
    reqwest_middleware::Error::middleware(error.stopped(reason, attempts))
}

fn set_bearer(request: &mut Request, token: &BearerToken) {
    request
        .headers_mut()
        .insert(AUTHORIZATION, token.header().clone());
}

/// The source's own [`Error`] when it gave one (a mint's diagnosed
/// failure), else the answer that called for the token, with what the
/// source said as its source.
fn token_failure(
    e: TokenError,
    answer: Diagnosis,
    operation: Option<Operation>,
    attempts: u32,
) -> reqwest_middleware::Error {
    let error = match e.downcast::<Error>() {
        Ok(own) => *own,
        Err(other) => Error::without_response(answer, operation, Some(other)),
    }
    .stopped(Reason::TokenUnavailable, attempts);
    reqwest_middleware::Error::middleware(error)
}

/// One event per decision, with the answer that made it.
#[cfg(feature = "tracing")]
fn decision(error: &Error, attempt: u32, step: Step) {
    let (action, delay_ms) = match step {
        Step::Wait(d) => (
            "backoff",
            Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        ),
        Step::Refresh => ("token-refresh", None),
        Step::Stop(_) => ("stop", None),
    };
    tracing::info!(
        target: "debitura_triage",
        rule = error.rule_id().map(debitura_triage::RuleId::as_str),
        retry = error.retry().as_str(),
        status = error.status(),
        attempt,
        action,
        delay_ms,
        "debitura-triage decision"
    );
}

#[cfg(not(feature = "tracing"))]
fn decision(_: &Error, _: u32, _: Step) {}
