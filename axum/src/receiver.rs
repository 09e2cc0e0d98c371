//! The receiver: a `tower` service that verifies, deduplicates and hands
//! each event to the service's handler, and answers Debitura in time.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{to_bytes, Body};
use axum::response::Response;
use debitura_triage::webhook::{verify, Mistake, Secret, Tolerance, MAX_SECRETS};
use http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use tokio::sync::{oneshot, watch, Semaphore};
use tokio::time::Instant;
use tracing::field::{display, Empty};
use tracing::{Instrument, Span};

use crate::claims::{Claim, ClaimError, Claims, Holder, MemoryClaims};
use crate::event::{Envelope, Event, MAX_ID_LEN};
use crate::observe::{self, Outcome};

/// What a handler fails with: the claim is released and the delivery
/// answered 500, so that Debitura sends the event again.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The service's work for one event. Any `Fn(Event) -> impl Future<Output =
/// Result<(), HandlerError>>` is one.
pub trait Handler: Send + Sync + 'static {
    /// Handles `event`; runs once per event id.
    fn handle(&self, event: Event) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

impl<F, Fut> Handler for F
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    fn handle(&self, event: Event) -> impl Future<Output = Result<(), HandlerError>> + Send {
        self(event)
    }
}

/// What a receiver runs for each event it claims: any [`Handler`], after
/// which the receiver marks the claim done, or (with the `postgres`
/// feature) an `postgres::InTransaction` handler,
/// whose writes commit together with "done". Not meant to be implemented
/// elsewhere.
pub trait Work<C>: Send + Sync + 'static {
    /// Runs the work for `event`, whose claim in `claims` `holder` holds;
    /// a claim marked done is kept for `ttl`.
    fn work(
        &self,
        event: Event,
        claims: &C,
        holder: &Holder,
        ttl: Duration,
    ) -> impl Future<Output = Result<Worked, HandlerError>> + Send;
}

/// What the work for one event came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worked {
    /// Handled: the receiver marks the claim done.
    Handled,
    /// Handled and marked done in one commit (`true`), or rolled back
    /// because the claim was no longer held (`false`).
    Committed(bool),
}

impl<H: Handler, C: Claims> Work<C> for H {
    async fn work(
        &self,
        event: Event,
        _: &C,
        _: &Holder,
        _: Duration,
    ) -> Result<Worked, HandlerError> {
        self.handle(event).await?;
        Ok(Worked::Handled)
    }
}

/// The signature header.
const SIGNATURE: &str = "x-debitura-signature";
const TEST: &str = "x-debitura-test";
const REPLAY: &str = "x-debitura-replay";
const EVENT: &str = "x-debitura-event";

/// Debitura's own delay before its next attempt, told to a delivery answered
/// 503 (its schedule waits at least this long anyway).
const RETRY_AFTER_SECS: &str = "60";

/// Verifies Debitura's webhook deliveries and hands each event to a
/// [`Handler`] once. Mount it on a route with axum's `route_service`, or use
/// it as any `tower` service:
///
/// - the body is read as raw bytes, at most [`Receiver::max_body`] (64 KiB by
///   default; a larger one is answered 413), and `X-Debitura-Signature` is
///   verified on exactly those bytes, in constant time, against every
///   secret given (a rotation), accepting any matching `v1`;
/// - the timestamp must be within the [`Tolerance`] (300 s old, 30 s ahead
///   by default);
/// - a rejected delivery is answered 401 (400 for a missing or malformed
///   header or a body that is not an envelope), with one `tracing` warning
///   naming the mistake and its rule; never the secret or the body;
/// - each event id is claimed before the handler runs ([`Claims`]): a copy
///   of a handled event is answered 200 without calling the handler; a copy
///   that arrives while another is being handled is answered 503, so that
///   Debitura tries it again after the first is done;
/// - the handler runs in a task of its own under a deadline
///   ([`Receiver::deadline`], 5 s by default, well inside Debitura's 10 s):
///   done in time, the delivery is answered 200, or 500 when it failed (the
///   claim released, so that the retry is handled). Past the deadline the
///   delivery is answered 503 and the handler keeps running, holding the
///   claim: when it finishes, Debitura's next attempt finds the event done
///   (200) or released (handled again). A slow handler thus neither
///   disables the endpoint nor runs twice.
///
/// [`Receiver::shutdown`] stops it gracefully: new deliveries are answered
/// 503, running handlers get a grace period, and the claims of those it
/// then stops are released.
///
/// It never answers 410, which would disable the subscription at once.
pub struct Receiver<H, C = MemoryClaims> {
    inner: Arc<Inner<H, C>>,
}

struct Inner<H, C> {
    secrets: Arc<[Secret]>,
    handler: Arc<H>,
    claims: Arc<C>,
    settings: Settings,
    running: Arc<Semaphore>,
    stopping: Arc<Stopping>,
}

/// A graceful shutdown's state, shared by every copy of a receiver.
struct Stopping {
    /// New deliveries are answered 503.
    refusing: AtomicBool,
    /// Set when the grace period is over: running handlers are stopped and
    /// their claims released.
    stop: watch::Sender<bool>,
    /// Handlers stopped that way.
    stopped: AtomicUsize,
}

impl Default for Stopping {
    fn default() -> Self {
        Stopping {
            refusing: AtomicBool::new(false),
            stop: watch::Sender::new(false),
            stopped: AtomicUsize::new(0),
        }
    }
}

/// What a graceful shutdown did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Handlers still running when the grace period ended: stopped, their
    /// claims released, so that Debitura's next attempt is handled
    /// elsewhere.
    pub stopped: usize,
}

/// A copy sharing the handler, the claims and the bound on running handlers.
impl<H, C> Clone for Inner<H, C> {
    fn clone(&self) -> Self {
        Inner {
            secrets: Arc::clone(&self.secrets),
            handler: Arc::clone(&self.handler),
            claims: Arc::clone(&self.claims),
            settings: self.settings.clone(),
            running: Arc::clone(&self.running),
            stopping: Arc::clone(&self.stopping),
        }
    }
}

#[derive(Clone)]
struct Settings {
    tolerance: Tolerance,
    max_body: usize,
    deadline: Duration,
    lease: Duration,
    ttl: Duration,
    clock: Arc<dyn Fn() -> u64 + Send + Sync>,
}

/// The settings a receiver starts with.
const MAX_BODY: usize = 64 * 1024;
const DEADLINE: Duration = Duration::from_secs(5);
const LEASE: Duration = Duration::from_secs(2 * 60);
const TTL: Duration = Duration::from_secs(24 * 60 * 60);
const MAX_RUNNING: usize = 64;
/// How long a shutdown waits for stopped handlers to release their claims.
const STOP_WAIT: Duration = Duration::from_secs(10);

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Why [`Receiver::new`] refused its secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretsError {
    /// No secret was given.
    None,
    /// More than [`MAX_SECRETS`] were given.
    TooMany,
    /// The secret at this place (from 0) is not usable: empty, or not base64.
    Unusable(usize, Mistake),
}

impl fmt::Display for SecretsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretsError::None => f.write_str("no webhook secret was given"),
            SecretsError::TooMany => write!(f, "more than {MAX_SECRETS} webhook secrets were given"),
            SecretsError::Unusable(at, mistake) => write!(
                f,
                "webhook secret {} of the list is unusable ({}): give it as Debitura showed it, base64",
                at + 1,
                mistake.code()
            ),
        }
    }
}

impl std::error::Error for SecretsError {}

impl<H: Send + Sync + 'static> Receiver<H> {
    /// A receiver for deliveries signed with any of `secrets` (base64, as
    /// Debitura shows them: the current one and any being rotated out),
    /// handing events to `handler` (a [`Handler`], or an
    /// `postgres::InTransaction` one with a
    /// PostgreSQL store), with its claims in memory.
    pub fn new<S: AsRef<str>>(secrets: &[S], handler: H) -> Result<Self, SecretsError> {
        if secrets.is_empty() {
            return Err(SecretsError::None);
        }
        if secrets.len() > MAX_SECRETS {
            return Err(SecretsError::TooMany);
        }
        let secrets = secrets
            .iter()
            .enumerate()
            .map(|(at, s)| {
                Secret::from_base64(s.as_ref()).map_err(|m| SecretsError::Unusable(at, m))
            })
            .collect::<Result<Arc<[_]>, _>>()?;
        Ok(Receiver {
            inner: Arc::new(Inner {
                secrets,
                handler: Arc::new(handler),
                claims: Arc::new(MemoryClaims::default()),
                settings: Settings {
                    tolerance: Tolerance::DEBITURA,
                    max_body: MAX_BODY,
                    deadline: DEADLINE,
                    lease: LEASE,
                    ttl: TTL,
                    clock: Arc::new(unix_now),
                },
                running: Arc::new(Semaphore::new(MAX_RUNNING)),
                stopping: Arc::default(),
            }),
        })
    }
}

impl<H: Send + Sync + 'static, C: Claims> Receiver<H, C> {
    /// Keeps claims in `claims` instead of this process's memory: a store
    /// every instance of the service shares.
    pub fn claims<D: Claims>(self, claims: D) -> Receiver<H, D> {
        let inner = &self.inner;
        Receiver {
            inner: Arc::new(Inner {
                secrets: Arc::clone(&inner.secrets),
                handler: Arc::clone(&inner.handler),
                claims: Arc::new(claims),
                settings: inner.settings.clone(),
                running: Arc::clone(&inner.running),
                stopping: Arc::clone(&inner.stopping),
            }),
        }
    }

    /// Whether this instance can take deliveries now: the claim store
    /// answers within the deadline and no shutdown is under way. Serve it
    /// as the instance's readiness check, so that a load balancer sends
    /// deliveries elsewhere while the store is down.
    pub async fn ready(&self) -> Result<(), ClaimError> {
        let inner = &self.inner;
        if inner.stopping.refusing.load(Ordering::Acquire) {
            return Err("shutting down".into());
        }
        match tokio::time::timeout(inner.settings.deadline, inner.claims.ready()).await {
            Ok(answer) => answer,
            Err(_) => Err("the claim store did not answer in time".into()),
        }
    }

    /// Shuts down gracefully: from now on every delivery is answered 503
    /// (Debitura sends it again, to another instance or after the restart);
    /// handlers running are waited for up to `grace`; those still running
    /// then are stopped and their claims released, so that the event is
    /// handled again rather than held until its lease lapses. Call it when
    /// the server stops accepting connections (axum's
    /// `with_graceful_shutdown`), before the process exits.
    pub async fn shutdown(&self, grace: Duration) -> Stopped {
        let inner = &self.inner;
        inner.stopping.refusing.store(true, Ordering::Release);
        let all = u32::try_from(MAX_RUNNING).unwrap_or(u32::MAX);
        let running = Arc::clone(&inner.running);
        let finished = tokio::time::timeout(grace, running.acquire_many(all)).await;
        if finished.is_err() {
            inner.stopping.stop.send_replace(true);
            // Each stopped handler releases its claim and its place.
            let _ = tokio::time::timeout(STOP_WAIT, inner.running.acquire_many(all)).await;
        }
        Stopped {
            stopped: inner.stopping.stopped.load(Ordering::Relaxed),
        }
    }

    /// The window a delivery's timestamp must fall in.
    #[must_use]
    pub fn tolerance(self, tolerance: Tolerance) -> Self {
        self.with(|s| s.tolerance = tolerance)
    }

    /// The largest body read; a larger one is answered 413.
    #[must_use]
    pub fn max_body(self, bytes: usize) -> Self {
        self.with(|s| s.max_body = bytes)
    }

    /// How long a delivery waits for its handler before it is answered 503
    /// (the handler keeps running). Keep it well under Debitura's 10 s.
    #[must_use]
    pub fn deadline(self, deadline: Duration) -> Self {
        self.with(|s| s.deadline = deadline)
    }

    /// How long an event's claim holds unless renewed (2 minutes by default;
    /// renewed every third of it while the handler runs, so that after a
    /// crash another instance takes over within about two of Debitura's
    /// attempts), and how long a handled event's is kept (24 hours, beyond
    /// Debitura's 1.5-hour retry schedule and same-day replays).
    #[must_use]
    pub fn claim_times(self, lease: Duration, ttl: Duration) -> Self {
        self.with(|s| {
            s.lease = lease;
            s.ttl = ttl;
        })
    }

    /// Where "now" comes from, in Unix seconds (for tests).
    #[must_use]
    pub fn clock(self, now: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
        self.with(|s| s.clock = Arc::new(now))
    }

    /// The same receiver with other settings; clones made before keep
    /// theirs.
    fn with(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut inner = Inner::clone(&self.inner);
        change(&mut inner.settings);
        Receiver {
            inner: Arc::new(inner),
        }
    }
}

impl<H, C> Clone for Receiver<H, C> {
    fn clone(&self) -> Self {
        Receiver {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<H, C> fmt::Debug for Receiver<H, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.inner.settings;
        f.debug_struct("Receiver")
            .field("secrets", &self.inner.secrets.len())
            .field("tolerance", &s.tolerance)
            .field("max_body", &s.max_body)
            .field("deadline", &s.deadline)
            .field("lease", &s.lease)
            .field("ttl", &s.ttl)
            .finish_non_exhaustive()
    }
}

impl<H: Work<C>, C: Claims> tower_service::Service<Request<Body>> for Receiver<H, C> {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let inner = Arc::clone(&self.inner);
        Box::pin(async move { Ok(inner.receive(request).await) })
    }
}

impl<H: Work<C>, C: Claims> Inner<H, C> {
    /// Answers one delivery inside its own span, which ends up naming the
    /// event and how the delivery ended.
    async fn receive(self: Arc<Self>, request: Request<Body>) -> Response {
        let span = tracing::info_span!(
            target: "debitura_triage",
            "delivery",
            event_id = Empty,
            event_type = Empty,
            test = Empty,
            replay = Empty,
            outcome = Empty,
        );
        let (outcome, response) = self
            .answer(request, span.clone())
            .instrument(span.clone())
            .await;
        observe::delivered(&span, outcome);
        response
    }

    async fn answer(self: Arc<Self>, request: Request<Body>, span: Span) -> (Outcome, Response) {
        if self.stopping.refusing.load(Ordering::Acquire) {
            return (Outcome::ShuttingDown, Outcome::ShuttingDown.response());
        }
        if request.method() != Method::POST {
            let mut response = answer(StatusCode::METHOD_NOT_ALLOWED, "POST only\n");
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return (Outcome::Rejected, response);
        }
        let rejected = |response| (Outcome::Rejected, response);
        let (parts, body) = request.into_parts();
        let Ok(body) = to_bytes(body, self.settings.max_body).await else {
            // Over the limit, or the connection failed part way.
            return rejected(answer(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body too large or cut short\n",
            ));
        };
        let Some(signature) = parts.headers.get(SIGNATURE).and_then(|v| v.to_str().ok()) else {
            warn_rejected(Mistake::MalformedHeader);
            return rejected(answer(
                StatusCode::BAD_REQUEST,
                "missing X-Debitura-Signature\n",
            ));
        };
        let now = (self.settings.clock)();
        if let Err(mistake) = verify(
            &self.secrets,
            signature,
            &body,
            now,
            self.settings.tolerance,
        ) {
            warn_rejected(mistake);
            return rejected(match mistake {
                Mistake::MalformedHeader => {
                    answer(StatusCode::BAD_REQUEST, "malformed X-Debitura-Signature\n")
                }
                _ => answer(StatusCode::UNAUTHORIZED, "signature not valid\n"),
            });
        }
        let Some(envelope) = Envelope::read(&body) else {
            tracing::warn!(
                target: "debitura_triage",
                "debitura-triage webhook: a signed body is not an event envelope (no `id` or `event`)"
            );
            return rejected(answer(StatusCode::BAD_REQUEST, "not an event envelope\n"));
        };
        let announced = parts
            .headers
            .get(EVENT)
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.len() <= MAX_ID_LEN)
            .map(Box::from);
        let event = Event {
            envelope,
            announced,
            test: flag(&parts.headers, TEST),
            replay: flag(&parts.headers, REPLAY),
        };
        span.record("event_id", display(debitura_triage::Printable(event.id())));
        span.record(
            "event_type",
            display(debitura_triage::Printable(event.event())),
        );
        span.record("test", event.test);
        span.record("replay", event.replay);
        let outcome = self.dispatch(event, span).await;
        (outcome, outcome.response())
    }

    /// Claims the event's id and runs the handler once, within the deadline.
    async fn dispatch(self: Arc<Self>, event: Event, span: Span) -> Outcome {
        let id: Box<str> = event.envelope.id().into();
        let asked = Instant::now();
        let claimed = tokio::time::timeout(
            self.settings.deadline,
            self.claims.claim(&id, self.settings.lease),
        )
        .await;
        observe::claim_time(asked.elapsed());
        let holder = match claimed {
            Ok(Ok(Claim::New(holder))) => holder,
            Ok(Ok(Claim::Done)) => return Outcome::Duplicate,
            Ok(Ok(Claim::InFlight)) => return Outcome::InFlight,
            Ok(Err(e)) => {
                tracing::error!(target: "debitura_triage", error = %e, "debitura-triage webhook: claim store failed");
                return Outcome::StoreUnavailable;
            }
            Err(_) => {
                tracing::error!(target: "debitura_triage", "debitura-triage webhook: claim store did not answer within the deadline");
                return Outcome::StoreUnavailable;
            }
        };
        observe::live_claim(true);
        let Ok(permit) = Arc::clone(&self.running).try_acquire_owned() else {
            let _ = self.claims.release(&id, &holder).await;
            observe::live_claim(false);
            return Outcome::Busy;
        };
        let (done, outcome) = oneshot::channel();
        let this = Arc::clone(&self);
        let task = async move {
            let _permit = permit;
            let started = Instant::now();
            // The handler runs in a task of its own, so that a panic in it
            // is seen here as a failure and releases the claim.
            let mut handling = {
                let (this, holder) = (Arc::clone(&this), holder.clone());
                tokio::spawn(
                    async move {
                        let ttl = this.settings.ttl;
                        this.handler.work(event, &this.claims, &holder, ttl).await
                    }
                    .instrument(Span::current()),
                )
            };
            // The claim is renewed every third of its lease while the
            // handler runs; once a renewal fails, the claim is not this
            // worker's to complete or release.
            let every = this.settings.lease / 3;
            let mut held = true;
            let mut stop = this.stopping.stop.subscribe();
            if *stop.borrow() {
                // Started after the grace period ended: stopped at once.
                stop.mark_changed();
            }
            let handled = loop {
                tokio::select! {
                    handled = &mut handling => break handled,
                    Ok(()) = stop.changed() => {
                        let stopping = *stop.borrow_and_update();
                        if !stopping {
                            continue;
                        }
                        // The grace period is over: stop the handler and
                        // free the claim for another instance.
                        handling.abort();
                        if held {
                            if let Err(e) = this.claims.release(&id, &holder).await {
                                tracing::error!(target: "debitura_triage", error = %e, "debitura-triage webhook: claim store failed while shutting down");
                            }
                        }
                        observe::live_claim(false);
                        this.stopping.stopped.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(target: "debitura_triage", "debitura-triage webhook: handler stopped by the shutdown; its claim is released");
                        let _ = done.send(Outcome::ShuttingDown);
                        return;
                    }
                    () = tokio::time::sleep(every), if held => {
                        held = match this.claims.renew(&id, &holder, this.settings.lease).await {
                            Ok(true) => true,
                            Ok(false) => {
                                tracing::error!(target: "debitura_triage", "debitura-triage webhook: the claim lapsed while the handler ran; it is not marked done");
                                false
                            }
                            Err(e) => {
                                tracing::error!(target: "debitura_triage", error = %e, "debitura-triage webhook: the claim could not be renewed; it is not marked done");
                                false
                            }
                        };
                    }
                }
            };
            observe::handler_time(started.elapsed());
            let ok = matches!(handled, Ok(Ok(_)));
            let stored = match (&handled, held) {
                // Marked done in the handler's own commit, which checked
                // the holder.
                (Ok(Ok(Worked::Committed(kept))), _) => Ok(*kept),
                (_, false) => Ok(false),
                (Ok(Ok(Worked::Handled)), true) => {
                    this.claims.complete(&id, &holder, this.settings.ttl).await
                }
                (_, true) => this.claims.release(&id, &holder).await,
            };
            observe::live_claim(false);
            let kept = match stored {
                Ok(kept) => kept,
                Err(e) => {
                    tracing::error!(target: "debitura_triage", error = %e, "debitura-triage webhook: claim store failed after the handler");
                    false
                }
            };
            match &handled {
                Ok(Err(e)) => {
                    tracing::warn!(target: "debitura_triage", error = %e, "debitura-triage webhook: handler failed; the claim is released for Debitura's retry")
                }
                Err(_) => {
                    tracing::error!(target: "debitura_triage", "debitura-triage webhook: handler panicked; the claim is released for Debitura's retry")
                }
                Ok(Ok(_)) => {}
            }
            let _ = done.send(match (ok, kept) {
                (true, true) => Outcome::Processed,
                // Handled, but the claim was lost: not marked done, so the
                // next copy is handled again rather than answered as done.
                (true, false) => Outcome::ClaimLost,
                (false, _) => Outcome::Failed,
            });
        };
        tokio::spawn(task.instrument(span));
        match tokio::time::timeout(self.settings.deadline, outcome).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Outcome::Failed,
            Err(_) => Outcome::StillRunning,
        }
    }
}

impl Outcome {
    /// The answer a delivery that ended so gets (but [`Outcome::Rejected`],
    /// whose answers say what was wrong).
    fn response(self) -> Response {
        match self {
            Outcome::Processed => answer(StatusCode::OK, "processed\n"),
            Outcome::Duplicate => answer(StatusCode::OK, "duplicate: already handled\n"),
            Outcome::InFlight => retry_later("being handled; try again\n"),
            Outcome::StoreUnavailable => retry_later("claim store unavailable\n"),
            Outcome::Busy => retry_later("too many events being handled\n"),
            Outcome::Failed => answer(StatusCode::INTERNAL_SERVER_ERROR, "handler failed\n"),
            Outcome::ClaimLost => retry_later("handled, but the claim was lost; try again\n"),
            Outcome::StillRunning => retry_later("still being handled; try again\n"),
            Outcome::ShuttingDown => retry_later("shutting down; try again\n"),
            Outcome::Rejected => answer(StatusCode::BAD_REQUEST, "rejected\n"),
        }
    }
}

/// One warning for a rejected delivery: the mistake and its rule, nothing
/// of the secret or the body.
fn warn_rejected(mistake: Mistake) {
    tracing::warn!(
        target: "debitura_triage",
        mistake = mistake.code(),
        rule = mistake.diagnosis().rule_id().map(debitura_triage::RuleId::as_str),
        "debitura-triage webhook: delivery rejected"
    );
}

fn flag(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

fn answer(status: StatusCode, text: &'static str) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// 503 with Debitura's own first retry delay: the event is not lost.
fn retry_later(text: &'static str) -> Response {
    let mut response = answer(StatusCode::SERVICE_UNAVAILABLE, text);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from_static(RETRY_AFTER_SECS),
    );
    response
}
