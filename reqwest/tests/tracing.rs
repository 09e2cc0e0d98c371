//! With the `tracing` feature, one event per decision, carrying the answer;
//! a warning for a call whose operation is unknown, and for a resend the
//! retry budget refused.
#![cfg(feature = "tracing")]

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use std::time::Duration;

use debitura_triage_reqwest::{Error, Operation, Reason, RetryBudget, Triage};
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
            let mut fields = Fields(format!("{} ", event.metadata().level()));
            event.record(&mut fields);
            self.0.lock().unwrap().push(fields.0);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn client(layer: Triage) -> reqwest_middleware::ClientWithMiddleware {
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    reqwest_middleware::ClientBuilder::new(http)
        .with(layer)
        .build()
}

async fn always_503() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    server
}

#[tokio::test(start_paused = true)]
async fn each_decision_is_one_event_with_rule_attempt_and_delay() {
    let server = always_503().await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());

    client(Triage::new())
        .get(format!("{}/v1/cases/c-1", server.uri()))
        .with_extension(Operation::GetCase)
        .send()
        .await
        .unwrap_err();

    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(events.len(), 3, "{events:#?}");
    for (n, event) in events.iter().enumerate() {
        assert!(event.starts_with("INFO "), "{event}");
        assert!(event.contains(r#"rule="upstream-unavailable""#), "{event}");
        assert!(event.contains(r#"retry="backoff""#), "{event}");
        assert!(event.contains(&format!("attempt={}", n + 1)), "{event}");
    }
    // A field with no value (no delay on a stop) is left out of the event.
    assert!(events[0].contains(r#"action="backoff""#) && events[0].contains("delay_ms="));
    assert!(!events[0].contains("reason="), "{}", events[0]);
    assert!(events[2].contains(r#"action="stop""#) && !events[2].contains("delay_ms="));
    assert!(
        events[2].contains(r#"reason="attempts-used-up""#),
        "{}",
        events[2]
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_whose_operation_is_unknown_is_one_warning() {
    let server = always_503().await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());

    // `/v1/cases/{id}` is a route of both APIs; behind a gateway's prefix,
    // no route is known at all.
    for path in ["/v1/cases/c-1", "/gateway/debitura/v1/cases/c-1"] {
        client(Triage::new())
            .get(format!("{}{path}", server.uri()))
            .send()
            .await
            .unwrap_err();
    }

    let events = recorder.0.lock().unwrap().clone();
    let warnings: Vec<&String> = events.iter().filter(|e| e.starts_with("WARN ")).collect();
    assert_eq!(
        warnings.len(),
        2,
        "one per call, not per attempt: {events:#?}"
    );
    assert!(warnings[1].contains(r#"path="/gateway/debitura/v1/cases/c-1""#));
    assert!(
        warnings[1].contains("with_extension(Operation::"),
        "{}",
        warnings[1]
    );
    assert_eq!(events.len(), 2 + 2 * 3, "{events:#?}");
}

#[tokio::test(start_paused = true)]
async fn a_resend_the_budget_refuses_is_a_warning_naming_the_host() {
    let server = always_503().await;
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    // One resend per first attempt and no reserve: the call's first resend
    // is allowed, its second refused.
    let budget = RetryBudget::new(1.0, 0, Duration::from_secs(10)).unwrap();

    let err = client(Triage::new().budget(budget))
        .get(format!("{}/v1/cases/c-1", server.uri()))
        .with_extension(Operation::GetCase)
        .send()
        .await
        .unwrap_err();

    let e = Error::of(&err).unwrap();
    assert_eq!((e.attempts(), e.reason()), (2, Reason::BudgetSpent));
    let events = recorder.0.lock().unwrap().clone();
    assert_eq!(events.len(), 3, "{events:#?}");
    assert!(
        events[1].contains(r#"reason="budget-spent""#),
        "{}",
        events[1]
    );
    assert!(events[2].starts_with("WARN "), "{}", events[2]);
    assert!(events[2].contains(r#"host="127.0.0.1""#), "{}", events[2]);
    assert!(events[2].contains("retry budget spent"), "{}", events[2]);
}
