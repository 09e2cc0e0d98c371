//! With the `tracing` feature, one event per decision, carrying the answer.
#![cfg(feature = "tracing")]

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use debitura_triage_reqwest::Triage;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use wiremock::{matchers::any, Mock, MockServer, ResponseTemplate};

/// Keeps each event's fields as `name=value` text.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

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
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        if event.metadata().target() == "debitura_triage" {
            let mut fields = Fields(String::new());
            event.record(&mut fields);
            self.0.lock().unwrap().push(fields.0);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test(start_paused = true)]
async fn each_decision_is_one_event_with_rule_attempt_and_delay() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());

    let client = reqwest_middleware::ClientBuilder::new(
        reqwest::Client::builder()
            .pool_idle_timeout(None)
            .build()
            .unwrap(),
    )
    .with(Triage::new())
    .build();
    client
        .get(format!("{}/v1/cases/c-1", server.uri()))
        .send()
        .await
        .unwrap_err();

    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(events.len(), 3, "{events:#?}");
    for (n, event) in events.iter().enumerate() {
        assert!(event.contains(r#"rule="upstream-unavailable""#), "{event}");
        assert!(event.contains(r#"retry="backoff""#), "{event}");
        assert!(event.contains(&format!("attempt={}", n + 1)), "{event}");
    }
    // A field with no value (no delay on a stop) is left out of the event.
    assert!(events[0].contains(r#"action="backoff""#) && events[0].contains("delay_ms="));
    assert!(events[2].contains(r#"action="stop""#) && !events[2].contains("delay_ms="));
}
