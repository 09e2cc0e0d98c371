//! What the receiver tells about each delivery: the outcome recorded on
//! the delivery's `tracing` span and, with the `metrics` feature, counters
//! and histograms through the `metrics` facade:
//!
//! - `debitura_webhook_deliveries_total` (counter), labelled `outcome`;
//! - `debitura_webhook_handler_seconds` (histogram), each handler's run;
//! - `debitura_webhook_claim_seconds` (histogram), each claim's round trip
//!   to the store;
//! - `debitura_webhook_live_claims` (gauge), claims this instance holds.

use std::time::Duration;

/// How a delivery ended; the span's `outcome` and the counter's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Handled now: 200.
    Processed,
    /// Handled before: 200 without the handler.
    Duplicate,
    /// Another copy is being handled: 503.
    InFlight,
    /// The claim store failed or did not answer: 503, no handler.
    StoreUnavailable,
    /// Too many handlers running: 503.
    Busy,
    /// The handler failed or panicked: 500, claim released.
    Failed,
    /// Handled, but the claim was lost before it was marked done: 503.
    ClaimLost,
    /// The handler outlived the deadline (it keeps running): 503.
    StillRunning,
    /// A shutdown is under way: 503.
    ShuttingDown,
    /// Not a valid delivery (method, size, signature, timestamp, body): 4xx.
    Rejected,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Outcome::Processed => "processed",
            Outcome::Duplicate => "duplicate",
            Outcome::InFlight => "in-flight",
            Outcome::StoreUnavailable => "store-unavailable",
            Outcome::Busy => "busy",
            Outcome::Failed => "failed",
            Outcome::ClaimLost => "claim-lost",
            Outcome::StillRunning => "still-running",
            Outcome::ShuttingDown => "shutting-down",
            Outcome::Rejected => "rejected",
        }
    }
}

/// A delivery answered with `outcome`, recorded on its `span`.
pub(crate) fn delivered(span: &tracing::Span, outcome: Outcome) {
    span.record("outcome", outcome.as_str());
    #[cfg(feature = "metrics")]
    metrics::counter!("debitura_webhook_deliveries_total", "outcome" => outcome.as_str())
        .increment(1);
}

/// A handler ran for `took`.
pub(crate) fn handler_time(took: Duration) {
    #[cfg(feature = "metrics")]
    metrics::histogram!("debitura_webhook_handler_seconds").record(took.as_secs_f64());
    #[cfg(not(feature = "metrics"))]
    let _ = took;
}

/// A claim took `took` to answer.
pub(crate) fn claim_time(took: Duration) {
    #[cfg(feature = "metrics")]
    metrics::histogram!("debitura_webhook_claim_seconds").record(took.as_secs_f64());
    #[cfg(not(feature = "metrics"))]
    let _ = took;
}

/// A claim taken (`true`) or given up, completed or released (`false`).
pub(crate) fn live_claim(taken: bool) {
    #[cfg(feature = "metrics")]
    {
        let gauge = metrics::gauge!("debitura_webhook_live_claims");
        if taken {
            gauge.increment(1.0);
        } else {
            gauge.decrement(1.0);
        }
    }
    #[cfg(not(feature = "metrics"))]
    let _ = taken;
}
