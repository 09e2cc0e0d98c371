//! With the `metrics` feature, the receiver counts deliveries by outcome,
//! times handlers and claims, and keeps a gauge of the claims it holds,
//! through the `metrics` facade (here a recorder that keeps every value).
#![cfg(feature = "metrics")]

#[path = "support/serve.rs"]
mod support;
use support::serve;

use std::time::Duration;

use base64::Engine;
use debitura_triage::webhook::sign;
use debitura_triage_axum::{Event, HandlerError, Receiver};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use metrics_util::MetricKind;

#[tokio::test]
async fn deliveries_handlers_claims_and_live_claims_are_measured() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    recorder.install().unwrap();

    let secret = base64::engine::general_purpose::STANDARD.encode(b"the receiver's own secret");
    let receiver = Receiver::new(&[&secret], |event: Event| async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if event.id() == "fails" {
            return Err::<(), HandlerError>("no".into());
        }
        Ok(())
    })
    .unwrap()
    .clock(|| 1_700_000_000);
    let url = serve(receiver).await;
    let client = reqwest::Client::new();
    let send = |id: &str| {
        let body = format!(r#"{{"id":"{id}","event":"case.created","data":{{}}}}"#);
        let header = sign(&secret, 1_700_000_000, body.as_bytes()).unwrap();
        client
            .post(&url)
            .header("X-Debitura-Signature", header)
            .body(body)
            .send()
    };
    assert_eq!(send("e-1").await.unwrap().status(), 200);
    assert_eq!(send("e-1").await.unwrap().status(), 200);
    assert_eq!(send("fails").await.unwrap().status(), 500);
    let unsigned = client.post(&url).body("{}").send().await.unwrap();
    assert_eq!(unsigned.status(), 400);

    let snapshot = snapshotter.snapshot().into_vec();
    let find = |kind: MetricKind, name: &str, outcome: Option<&str>| {
        snapshot
            .iter()
            .find(|(key, ..)| {
                key.kind() == kind
                    && key.key().name() == name
                    && outcome.is_none_or(|o| {
                        key.key()
                            .labels()
                            .any(|l| l.key() == "outcome" && l.value() == o)
                    })
            })
            .map(|(.., value)| value)
    };
    let deliveries = "debitura_webhook_deliveries_total";
    for (outcome, count) in [
        ("processed", 1),
        ("duplicate", 1),
        ("failed", 1),
        ("rejected", 1),
    ] {
        assert_eq!(
            find(MetricKind::Counter, deliveries, Some(outcome)),
            Some(&DebugValue::Counter(count)),
            "{outcome}: {snapshot:#?}"
        );
    }
    let Some(DebugValue::Histogram(handlers)) = find(
        MetricKind::Histogram,
        "debitura_webhook_handler_seconds",
        None,
    ) else {
        panic!("no handler histogram: {snapshot:#?}");
    };
    assert_eq!(handlers.len(), 2, "two handler runs");
    assert!(
        handlers.iter().all(|s| s.into_inner() >= 0.02),
        "{handlers:?}"
    );
    let Some(DebugValue::Histogram(claims)) = find(
        MetricKind::Histogram,
        "debitura_webhook_claim_seconds",
        None,
    ) else {
        panic!("no claim histogram: {snapshot:#?}");
    };
    assert_eq!(claims.len(), 3, "three claims");
    // Every claim taken was completed or released.
    assert_eq!(
        find(MetricKind::Gauge, "debitura_webhook_live_claims", None),
        Some(&DebugValue::Gauge(0.0.into()))
    );
}
