//! A service-side handler for a failed call to Debitura: the status, the body
//! bytes and the operation in, one action out, for every retry policy.
//!
//! ```sh
//! cargo run --example service
//! ```

use std::time::Duration;

use debitura_triage::{diagnose_response, Credential, Operation, Query, ResponseDiagnosis, Retry};

/// What the service does next.
#[derive(Debug, PartialEq)]
enum Action {
    /// Mint a new bearer token and send the call once more.
    RefreshTokenAndRetryOnce,
    /// Wait, then send the same request again (with the same Idempotency-Key).
    RetryAfter(Duration),
    /// Stop and show the user what to do, with the URL to open if there is one.
    AskTheUser {
        solution: String,
        url: Option<String>,
    },
    /// Stop: the request fails the same way until something else changes.
    GiveUp { cause: String },
}

/// The first wait when the server gives no delay; doubled by the caller per attempt.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);

fn handle(status: u16, body: &[u8], operation: Operation, after_refresh: bool) -> Action {
    // Nothing unsaid is assumed, so the service says what it sent: this one
    // calls the Customer API with a bearer token, and puts an
    // Idempotency-Key on every write that takes one.
    let context = Query::new()
        .operation(operation)
        .credential(Credential::Bearer)
        .idempotency_key(operation.takes_idempotency_key())
        .after_token_refresh(after_refresh);
    let answer: ResponseDiagnosis<'_> = diagnose_response(status, body, &context);
    let d = answer.diagnosis();
    match d.retry() {
        Retry::TokenRefresh => Action::RefreshTokenAndRetryOnce,
        Retry::Backoff => Action::RetryAfter(answer.retry_after().unwrap_or(DEFAULT_BACKOFF)),
        Retry::AfterUserAction => Action::AskTheUser {
            solution: d.solution().to_string(),
            url: answer.url().map(|u| u.to_string()),
        },
        // `Never`, an unrecognised failure (also `Never`), and any policy a
        // later version adds: do not repeat a request nobody understands.
        _ => Action::GiveUp {
            cause: d.cause().to_string(),
        },
    }
}

fn main() {
    let cases: [(&str, u16, &[u8], Operation, bool); 5] = [
        ("expired token", 401, b"", Operation::CreateCase, false),
        ("the same 401 right after a refresh", 401, b"", Operation::CreateCase, true),
        (
            "rate limited",
            429,
            br#"{"error":"rate_limit_exceeded","message":"Too many requests.","retryAfter":42}"#,
            Operation::CreateCase,
            false,
        ),
        (
            "contract to sign",
            422,
            br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","solutionUrl":"https://example.org/poa"}],
                "signingHandoff":{"combinedSigningUrl":"https://example.org/sign-all"}}"#,
            Operation::CreateCase,
            false,
        ),
        ("a teapot", 418, b"<html>I'm a teapot</html>", Operation::GetCase, false),
    ];
    for (what, status, body, operation, after_refresh) in cases {
        println!(
            "{what}: {:?}",
            handle(status, body, operation, after_refresh)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_policy_leads_to_its_action() {
        assert_eq!(
            handle(401, b"", Operation::CreateCase, false),
            Action::RefreshTokenAndRetryOnce
        );
        assert!(matches!(
            handle(401, b"", Operation::CreateCase, true),
            Action::GiveUp { .. }
        ));
        assert_eq!(
            handle(429, br#"{"retryAfter":42}"#, Operation::CreateCase, false),
            Action::RetryAfter(Duration::from_secs(42))
        );
        assert_eq!(
            handle(503, b"", Operation::CreateCase, false),
            Action::RetryAfter(DEFAULT_BACKOFF)
        );
        let body = br#"{"businessErrors":[{"type":"MissingPowerOfAttorney","solutionUrl":"https://example.org/poa"}]}"#;
        assert!(matches!(
            handle(422, body, Operation::CreateCase, false),
            Action::AskTheUser { url: Some(u), .. } if u == "https://example.org/poa"
        ));
        assert!(matches!(
            handle(418, b"", Operation::GetCase, false),
            Action::GiveUp { .. }
        ));
    }
}
