//! Reading a failure: a failed response's body, up to a bound and the
//! call's deadline, handed to the call machine; or what came of a request
//! that got no response.

use std::time::{Duration, SystemTime};

use debitura_triage::call::{Attempt, Call, Failure, Next};
use debitura_triage::MAX_SCAN;
use http::header::RETRY_AFTER;
use http::{HeaderMap, StatusCode};
use reqwest::Response;
use tokio::time::Instant;

use crate::error::{DeadlinePassed, Error};

/// What came of a send whose transport failed: the request never left when
/// the connection could not be made (refused, no route, name not resolved,
/// TLS refused); otherwise it went out and no answer came (the client's
/// timeout passed, or the connection was reset or closed).
pub(crate) fn attempt_of(e: &reqwest::Error) -> Attempt<'static> {
    if e.is_connect() {
        Attempt::NotSent
    } else {
        Attempt::NoAnswer
    }
}

/// A failed response as read: its status, headers and bounded body, and
/// how reading ended.
pub(crate) struct Read {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
    end: BodyEnd,
}

impl Read {
    /// Reads the failed response's body, bounded, and stopping at the
    /// deadline: a body that fails or stalls part way still has its status
    /// and headers, and whatever of it arrived.
    pub(crate) async fn of(mut response: Response, deadline: Option<Instant>) -> Read {
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let (body, end) = read_bounded(&mut response, MAX_SCAN, deadline).await;
        Read {
            status,
            headers,
            body,
            end,
        }
    }

    /// Hands it to the call machine at `now`: the typed error for the
    /// machine's answer, and what the machine says comes next.
    pub(crate) fn decide(self, call: &mut Call, now: Duration) -> (Error, Next) {
        let Read {
            status,
            headers,
            body,
            end,
        } = self;
        let mut attempt = Attempt::answered(status.as_u16(), &body, SystemTime::now());
        let retry_after = headers.get(RETRY_AFTER).cloned();
        if let Some(value) = &retry_after {
            attempt = attempt.retry_after(value.as_bytes());
        }
        let complete = matches!(end, BodyEnd::Whole);
        if !complete {
            attempt = attempt.partial();
        }
        let failure = call.read(attempt);
        let next = call.next(&failure, now);
        let error = match failure.response() {
            Some(answer) => Error::response(answer, call.operation(), headers, &body, complete),
            None => Error::without_response(failure.diagnosis(), call.operation(), None),
        };
        let error = match end {
            BodyEnd::Whole | BodyEnd::Cut => error,
            BodyEnd::Failed(e) => error.with_source(Box::new(e)),
            BodyEnd::Late => error.with_source(Box::new(DeadlinePassed)),
        };
        (error, next)
    }
}

/// The typed error for a send that got no response, keeping what went
/// wrong underneath.
pub(crate) fn no_response(
    call: &Call,
    failure: &Failure<'_>,
    source: Box<dyn std::error::Error + Send + Sync>,
) -> Error {
    Error::without_response(failure.diagnosis(), call.operation(), Some(source))
}

/// How reading a body ended.
#[derive(Debug)]
pub(crate) enum BodyEnd {
    /// All of it was read.
    Whole,
    /// Reading stopped at the limit.
    Cut,
    /// The connection failed, or the client's own timeout passed, part way.
    Failed(reqwest::Error),
    /// The call's deadline passed part way.
    Late,
}

/// The body's first `limit` bytes, and how reading ended. Reading stops at
/// the limit, so that a hostile body cannot make the client hold more, and
/// at the deadline, so that a stalled one cannot hold the call.
pub(crate) async fn read_bounded(
    response: &mut Response,
    limit: usize,
    deadline: Option<Instant>,
) -> (Vec<u8>, BodyEnd) {
    let mut body = Vec::new();
    loop {
        let chunk = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, response.chunk()).await {
                Ok(chunk) => chunk,
                Err(_) => return (body, BodyEnd::Late),
            },
            None => response.chunk().await,
        };
        let chunk = match chunk {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return (body, BodyEnd::Whole),
            Err(e) => return (body, BodyEnd::Failed(e)),
        };
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return (body, BodyEnd::Cut);
        }
        body.extend_from_slice(&chunk);
    }
}
