//! A rejected delivery is one `tracing` warning naming the mistake and its
//! rule, and nothing of the secret or the body; every delivery is one span
//! naming the event and how the delivery ended.

#[path = "support/serve.rs"]
mod support;
use support::serve;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use base64::Engine;
use debitura_triage::webhook::sign;
use debitura_triage_axum::{Event, HandlerError, Receiver};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event as TracingEvent, Metadata, Subscriber};

/// The events of target `debitura_triage`, and the spans with the fields
/// recorded on them, by id.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>, Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0 += &format!("{}={value:?} ", field.name());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = Fields(format!("{} ", attributes.metadata().name()));
        attributes.record(&mut fields);
        let mut spans = self.1.lock().unwrap();
        spans.push(fields.0);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut fields = Fields(String::new());
        values.record(&mut fields);
        let at = usize::try_from(id.into_u64()).unwrap() - 1;
        self.1.lock().unwrap()[at] += &fields.0;
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &TracingEvent<'_>) {
        if event.metadata().target() == "debitura_triage" {
            let mut fields = Fields(format!("{} ", event.metadata().level()));
            event.record(&mut fields);
            self.0.lock().unwrap().push(fields.0);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn a_rejected_delivery_is_one_warning_with_the_rule_and_no_secret_or_body() {
    let recorder = Recorder::default();
    // The runtime has one thread, so the server's tasks see this subscriber.
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let secret = base64::engine::general_purpose::STANDARD.encode(b"the receiver's own secret");
    let other = base64::engine::general_purpose::STANDARD.encode(b"someone else's secret");
    let receiver = Receiver::new(&[&secret], |_: Event| async { Ok::<(), HandlerError>(()) })
        .unwrap()
        .clock(|| 1_700_000_000);
    let url = serve(receiver).await;

    let body = r#"{"id":"e-1","event":"case.created","data":{"note":"private words"}}"#;
    let header = sign(&other, 1_700_000_000, body.as_bytes()).unwrap();
    let status = reqwest::Client::new()
        .post(&url)
        .header("X-Debitura-Signature", &header)
        .body(body)
        .send()
        .await
        .unwrap()
        .status();

    assert_eq!(status, 401);
    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(events.len(), 1, "{events:#?}");
    let warning = &events[0];
    assert!(warning.starts_with("WARN "), "{warning}");
    assert!(warning.contains(r#"mistake="wrong-secret""#), "{warning}");
    assert!(
        warning.contains(r#"rule="webhook-wrong-secret""#),
        "{warning}"
    );
    for hidden in [secret.as_str(), other.as_str(), "private words", &header] {
        assert!(!warning.contains(hidden), "{warning}");
    }
}

#[tokio::test]
async fn each_delivery_is_one_span_with_the_event_and_its_outcome() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let secret = base64::engine::general_purpose::STANDARD.encode(b"the receiver's own secret");
    let receiver = Receiver::new(&[&secret], |_: Event| async { Ok::<(), HandlerError>(()) })
        .unwrap()
        .clock(|| 1_700_000_000);
    let url = serve(receiver).await;

    let body = r#"{"id":"e-7","event":"case.created","data":{}}"#;
    let header = sign(&secret, 1_700_000_000, body.as_bytes()).unwrap();
    let client = reqwest::Client::new();
    let send = |signature: &str, test: &str| {
        client
            .post(&url)
            .header("X-Debitura-Signature", signature)
            .header("X-Debitura-Test", test)
            .header("X-Debitura-Replay", "true")
            .body(body)
            .send()
    };
    assert_eq!(send(&header, "true").await.unwrap().status(), 200);
    assert_eq!(send(&header, "false").await.unwrap().status(), 200);
    assert_eq!(send("t=1,v1=00", "false").await.unwrap().status(), 400);

    let spans: Vec<String> = recorder
        .1
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.starts_with("delivery "))
        .cloned()
        .collect();
    assert_eq!(spans.len(), 3, "{spans:#?}");
    for (span, outcome) in spans.iter().zip(["processed", "duplicate"]) {
        assert!(span.contains("event_id=e-7 "), "{span}");
        assert!(span.contains("event_type=case.created "), "{span}");
        assert!(span.contains("replay=true "), "{span}");
        assert!(span.contains(&format!("outcome={outcome:?} ")), "{span}");
    }
    assert!(spans[0].contains("test=true "), "{}", spans[0]);
    assert!(spans[1].contains("test=false "), "{}", spans[1]);
    // Refused before the event was read: the outcome alone.
    assert!(spans[2].contains(r#"outcome="rejected" "#), "{}", spans[2]);
    assert!(!spans[2].contains("event_id"), "{}", spans[2]);
}
