//! The `diagnose_response` target.

use debitura_triage::{diagnose_response, Credential, Operation, Query, MAX_RETRY_AFTER};

/// The methods a request may say it was sent with.
const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "post"];

/// The input's first two bytes pick the status (100-599), the third the
/// operation and the fourth what the request says of itself (its method,
/// key, credential and whether it followed a token refresh, each maybe
/// unsaid); the rest is the body. Whatever the body, the answer exists, its
/// delay is clamped, its words name no command-line flag, and every string
/// in it can be printed.
pub fn diagnose_response_bytes(data: &[u8]) {
    let (status, op, request, body) = match data {
        [a, b, op, request, body @ ..] => (
            100 + u16::from_le_bytes([*a, *b]) % 500,
            *op,
            *request,
            body,
        ),
        _ => (500, 0, 0, data),
    };
    let all = Operation::ALL;
    let mut query = Query::new();
    if let Some(&operation) = all.get(usize::from(op) % (all.len() + 1)) {
        query = query.operation(operation);
    }
    let request = usize::from(request);
    query.method = METHODS.get(request % 7).copied();
    query.idempotency_key = [None, Some(false), Some(true)][request / 7 % 3];
    query.credential = [None, Some(Credential::ApiKey), Some(Credential::Bearer)][request / 21 % 3];
    query.after_token_refresh = request / 63 % 2 == 1;
    let r = diagnose_response(status, body, &query);
    let d = r.diagnosis();
    assert!(!d.cause().is_empty() && !d.solution().is_empty());
    assert!(!d.cause().contains("--") && !d.solution().contains("--"));
    let answer = r.answer();
    assert_eq!(answer.answer.rule, d.rule_id());
    assert_eq!(answer.findings.len(), r.findings().count());
    if let Some(delay) = r.retry_after() {
        assert!(delay <= MAX_RETRY_AFTER);
    }
    assert!(r.findings().count() <= debitura_triage::MAX_ERRORS);
    if let Some(url) = r.url() {
        let _ = url.to_string();
    }
    for finding in r.findings() {
        let _ = finding.error_type.map(|t| t.to_string());
        let _ = finding.message.map(|m| m.to_string());
    }
}
