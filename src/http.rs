//! The same answers for the `http` crate's types, so that a service on any
//! HTTP stack built on them (hyper, axum, reqwest, …) hands over its
//! response as it is.
//!
//! ```
//! use debitura_triage::{http::diagnose, Operation, Query, Retry};
//! use std::time::SystemTime;
//!
//! let request = http::Request::post("https://customer-api.debitura.com/v1/cases").body(()).unwrap();
//! let context = Query::new().http_request(request.method(), request.uri());
//! assert_eq!(context.operation, Some(Operation::CreateCase));
//!
//! let response = http::Response::builder()
//!     .status(429)
//!     .header("Retry-After", "42")
//!     .body(br#"{"error":"rate_limit_exceeded"}"#.to_vec())
//!     .unwrap();
//! let answer = diagnose(&response, &context, SystemTime::now());
//! assert_eq!(answer.retry(), Retry::Backoff);
//! assert_eq!(answer.retry_after(), Some(std::time::Duration::from_secs(42)));
//! ```

use std::time::SystemTime;

use ::http::{header::RETRY_AFTER, HeaderMap, Method, Response, StatusCode, Uri};

use crate::query::Query;
use crate::response::{diagnose_response, ResponseDiagnosis};

/// Diagnoses a response whose body is already in memory: its status, its
/// `Retry-After` header and its body, with `context` as in
/// [`diagnose_response`]. `now` dates a `Retry-After` given as an HTTP date.
pub fn diagnose<'a, B: AsRef<[u8]>>(
    response: &'a Response<B>,
    context: &Query<'_>,
    now: SystemTime,
) -> ResponseDiagnosis<'a> {
    diagnose_parts(
        response.status(),
        response.headers(),
        response.body().as_ref(),
        context,
        now,
    )
}

/// [`diagnose`] for a response taken apart: a client that reads the body
/// itself (bounded, say) passes the status, headers and bytes it holds.
pub fn diagnose_parts<'a>(
    status: StatusCode,
    headers: &HeaderMap,
    body: &'a [u8],
    context: &Query<'_>,
    now: SystemTime,
) -> ResponseDiagnosis<'a> {
    let answer = diagnose_response(status.as_u16(), body, context);
    match headers.get(RETRY_AFTER) {
        Some(value) => answer.with_retry_after_header(value.as_bytes(), now),
        None => answer,
    }
}

impl<'a> Query<'a> {
    /// [`Query::request`] for the `http` crate's method and URI: a URI
    /// without a host (as a server sees it) is matched by its route alone.
    #[must_use]
    pub fn http_request(self, method: &'a Method, uri: &Uri) -> Self {
        self.request(method.as_str(), uri.host(), uri.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Environment, Operation, Retry, RuleId};
    use std::time::{Duration, UNIX_EPOCH};

    fn response(status: u16, retry_after: Option<&str>, body: &str) -> Response<Vec<u8>> {
        let mut b = Response::builder().status(status);
        if let Some(v) = retry_after {
            b = b.header(RETRY_AFTER, v);
        }
        b.body(body.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn the_longer_of_header_and_body_delay_stands() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_717);
        let wait =
            |header, body| diagnose(&response(429, header, body), &Query::new(), now).retry_after();
        assert_eq!(
            wait(Some("7"), r#"{"retryAfter":42.0}"#),
            Some(Duration::from_secs(42))
        );
        assert_eq!(
            wait(Some("50"), r#"{"retryAfter":42.0}"#),
            Some(Duration::from_secs(50))
        );
        assert_eq!(
            wait(Some("Sun, 06 Nov 1994 08:49:37 GMT"), ""),
            Some(Duration::from_secs(60))
        );
        assert_eq!(wait(Some("later"), ""), None);
        assert_eq!(wait(None, ""), None);
    }

    #[test]
    fn the_body_and_the_request_decide_as_in_the_core() {
        let uri: Uri = "https://customer-api.debitura.com/v1/cases"
            .parse()
            .unwrap();
        let context = Query::new().http_request(&Method::POST, &uri);
        assert_eq!(context.operation, Some(Operation::CreateCase));
        assert_eq!(context.environment, Some(Environment::Production));
        let body = r#"{"businessErrors":[{"type":"MissingKycVerification"}]}"#;
        let r = response(422, None, body);
        let answer = diagnose(&r, &context, SystemTime::now());
        assert_eq!(
            answer.diagnosis().rule_id(),
            Some(RuleId::MissingKycVerification)
        );
        assert_eq!(answer.retry(), Retry::AfterUserAction);

        let uri: Uri = "/clients/abc/kyc-verification".parse().unwrap();
        let context = Query::new().http_request(&Method::POST, &uri);
        assert_eq!(context.operation, Some(Operation::SubmitKyc));
        assert_eq!(context.environment, None);
    }
}
