//! The `diagnose_response` target.

use debitura_triage::{diagnose_response, Operation, Query, MAX_RETRY_AFTER};

/// The input's first two bytes pick the status (100-599) and the third the
/// operation; the rest is the body. Whatever the body, the answer exists,
/// its delay is clamped, and every string in it can be printed.
pub fn diagnose_response_bytes(data: &[u8]) {
    let (status, op, body) = match data {
        [a, b, op, body @ ..] => (100 + u16::from_le_bytes([*a, *b]) % 500, *op, body),
        _ => (500, 0, data),
    };
    let all = Operation::ALL;
    let mut query = Query::new();
    if let Some(&operation) = all.get(usize::from(op) % (all.len() + 1)) {
        query = query.operation(operation);
    }
    let r = diagnose_response(status, body, &query);
    let d = r.diagnosis();
    assert!(!d.cause().is_empty() && !d.solution().is_empty());
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
