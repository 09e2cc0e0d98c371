//! A rejected delivery is one `tracing` warning naming the mistake and its
//! rule, and nothing of the secret or the body.

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use axum::Router;
use base64::Engine;
use debitura_triage::webhook::sign;
use debitura_triage_axum::{Event, HandlerError, Receiver};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event as TracingEvent, Metadata, Subscriber};

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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new().route_service("/hook", receiver);
    tokio::spawn(async move { axum::serve(listener, app).await });

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
