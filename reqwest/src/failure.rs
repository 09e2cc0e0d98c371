//! Reading a failed response: its body, up to a bound, and the core's
//! diagnosis of it. The middleware and the token mint both read failures
//! this way.

use std::time::SystemTime;

use debitura_triage::http::diagnose_parts;
use debitura_triage::{diagnose, Query, Symptom, MAX_SCAN};
use reqwest::Response;

use crate::error::Error;

/// The symptom of a transport error: the request never left when the
/// connection could not be made (refused, no route, name not resolved, TLS
/// refused); otherwise it went out and its outcome is unknown (the client's
/// timeout passed, or the connection was reset or closed).
pub(crate) fn symptom_of(e: &reqwest::Error) -> &'static str {
    if e.is_connect() {
        Symptom::NotSent.as_str()
    } else {
        Symptom::NoResponse.as_str()
    }
}

/// A request that got no response: the core's answer in `context` for the
/// symptom of its error, keeping the error as the source.
pub(crate) fn no_response(context: &Query<'_>, e: reqwest::Error) -> Error {
    let answer = diagnose(&context.symptom(symptom_of(&e)));
    Error::without_response(answer, context.operation, Some(Box::new(e)))
}

/// Reads the failed response's body (bounded) and diagnoses it.
pub(crate) async fn diagnose_failure(
    mut response: Response,
    context: &Query<'_>,
) -> reqwest::Result<Error> {
    let status = response.status();
    let headers = response.headers().clone();
    let (body, complete) = read_bounded(&mut response, MAX_SCAN).await?;
    let answer = diagnose_parts(status, &headers, &body, context, SystemTime::now());
    Ok(Error::response(
        &answer,
        context.operation,
        headers,
        &body,
        complete,
    ))
}

/// The body's first `limit` bytes, and whether that is all of it. Reading
/// stops at the limit: a hostile body cannot make the client hold more.
pub(crate) async fn read_bounded(
    response: &mut Response,
    limit: usize,
) -> reqwest::Result<(Vec<u8>, bool)> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, false));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, true))
}
