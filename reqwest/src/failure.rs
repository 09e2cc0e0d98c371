//! Reading a failure: a failed response's body, up to a bound and the
//! call's deadline, and the core's diagnosis of it; or the symptom of a
//! request that got no response.

use std::time::SystemTime;

use debitura_triage::http::diagnose_parts;
use debitura_triage::{diagnose, Query, Symptom, MAX_SCAN};
use reqwest::Response;
use tokio::time::Instant;

use crate::error::{DeadlinePassed, Error};

/// The symptom of a transport error: the request never left when the
/// connection could not be made (refused, no route, name not resolved, TLS
/// refused); otherwise it went out and its outcome is unknown (the client's
/// timeout passed, or the connection was reset or closed).
pub(crate) fn symptom_of(e: &reqwest::Error) -> Symptom {
    if e.is_connect() {
        Symptom::NotSent
    } else {
        Symptom::NoResponse
    }
}

/// A request that got no response: the core's answer in `context` for the
/// symptom of its error, keeping the error as the source.
pub(crate) fn no_response(context: &Query<'_>, e: reqwest::Error) -> Error {
    let answer = diagnose(&context.symptom(symptom_of(&e)));
    Error::without_response(answer, context.operation, Some(Box::new(e)))
}

/// A request whose call's deadline passed before an answer came: whether
/// it reached the server is unknown, so its outcome is too.
pub(crate) fn late(context: &Query<'_>) -> Error {
    let answer = diagnose(&context.symptom(Symptom::NoResponse));
    Error::without_response(answer, context.operation, Some(Box::new(DeadlinePassed)))
}

/// Reads the failed response's body (bounded, and stopping at the
/// deadline) and diagnoses what was read: a body that failed or stalled part
/// way still has its status and headers, and is diagnosed on them and on
/// whatever of it arrived. The second value is true when the deadline cut
/// the read short.
pub(crate) async fn diagnose_failure(
    mut response: Response,
    context: &Query<'_>,
    deadline: Option<Instant>,
) -> (Error, bool) {
    let status = response.status();
    let headers = response.headers().clone();
    let (body, end) = read_bounded(&mut response, MAX_SCAN, deadline).await;
    let answer = diagnose_parts(status, &headers, &body, context, SystemTime::now());
    let error = Error::response(
        &answer,
        context.operation,
        headers,
        &body,
        matches!(end, BodyEnd::Whole),
    );
    match end {
        BodyEnd::Whole | BodyEnd::Cut => (error, false),
        BodyEnd::Failed(e) => (error.with_source(Box::new(e)), false),
        BodyEnd::Late => (error.with_source(Box::new(DeadlinePassed)), true),
    }
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
