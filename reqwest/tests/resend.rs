//! A write is sent twice only when a second copy cannot act twice. Each test
//! runs a fake Debitura on 127.0.0.1 that stores what it receives, so a
//! duplicate shows as a second record.

use std::time::Duration;

mod support;

use debitura_triage_reqwest::{Error, Operation, Reason, Retry, RuleId, Triage};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use support::{Fake, Reply};

fn client() -> ClientWithMiddleware {
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    ClientBuilder::new(http).with(Triage::new()).build()
}

/// What the fake server does with each request it has read in full.
#[derive(Clone, Copy)]
enum Answer {
    /// Store it, then answer 503 (the server acted; the answer says not).
    StoreThen503,
    /// Store it, then close the connection without answering.
    StoreThenClose,
    /// Store it and answer 201.
    Store,
}

/// A server that answers the n-th request with `answers[n]` (the last one
/// after that) and stores every request it read.
async fn fake_debitura(answers: Vec<Answer>) -> Fake {
    support::serve(move |n, _| match answers[n.min(answers.len() - 1)] {
        Answer::StoreThen503 => Reply::empty("503 Service Unavailable", ""),
        Answer::StoreThenClose => Reply::Close,
        Answer::Store => Reply::json("201 Created", "{}"),
    })
    .await
}

#[tokio::test]
async fn a_webhook_subscription_answered_503_is_sent_once_and_fails_typed() {
    let fake = fake_debitura(vec![Answer::StoreThen503, Answer::Store]).await;
    // Both APIs create a subscription with `POST /webhooks`: behind a
    // local host the caller names the operation.
    let err = client()
        .post(format!("{}/v1/Webhooks", fake.base))
        .with_extension(Operation::ManageWebhooks)
        .body(r#"{"url":"https://partner.example/hooks","events":["case.created"]}"#)
        .send()
        .await
        .unwrap_err();

    assert_eq!(fake.count(), 1, "sent exactly once");
    let e = Error::of(&err).expect("a typed error");
    assert_eq!(e.rule_id(), Some(RuleId::OutcomeUnknownServerError));
    assert_eq!(
        (e.status(), e.attempts(), e.reason()),
        (Some(503), 1, Reason::Policy)
    );
    assert_eq!(e.retry(), Retry::AfterUserAction);
    assert!(
        e.solution().contains("GET /v1/Webhooks"),
        "{}",
        e.solution()
    );
}

#[tokio::test(start_paused = true)]
async fn a_case_whose_connection_closed_after_sending_is_resent_with_its_key_once() {
    let fake = fake_debitura(vec![Answer::StoreThenClose, Answer::Store]).await;
    let response = client()
        .post(format!("{}/v1/cases", fake.base))
        .body(r#"{"creditorReference":"INV-7"}"#)
        .send()
        .await
        .expect("the resend is answered");

    assert_eq!(response.status(), 201);
    let stored = fake.received();
    assert_eq!(stored.len(), 2, "{stored:?}");
    let keys: Vec<&str> = stored
        .iter()
        .map(|r| r.idempotency_key.as_deref().unwrap())
        .collect();
    assert_eq!(keys[0], keys[1], "the resend keeps the key");
    // One case: the server stores a key once.
    let mut cases = keys.clone();
    cases.dedup();
    assert_eq!(cases.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_subscription_whose_connection_closed_after_sending_is_not_resent() {
    let fake = fake_debitura(vec![Answer::StoreThenClose, Answer::Store]).await;
    let err = client()
        .post(format!("{}/v1/Webhooks", fake.base))
        .body("{}")
        .send()
        .await
        .unwrap_err();

    assert_eq!(fake.count(), 1, "sent exactly once");
    let e = Error::of(&err).expect("a typed error, not a bare reqwest one");
    // Matched on its path alone, the request is either API's `POST
    // /webhooks`: nothing says it is safe to send twice, so both answers
    // are named and the cautious one stands.
    assert_eq!(e.rule_id(), None);
    assert!(e
        .diagnosis()
        .candidates()
        .contains(&RuleId::NoResponseOutcomeUnknown));
    assert_eq!(e.retry(), Retry::AfterUserAction);
    assert_eq!(
        (e.status(), e.attempts(), e.reason()),
        (None, 1, Reason::Policy)
    );
    let source = std::error::Error::source(e).expect("the connection error");
    assert!(source.downcast_ref::<reqwest::Error>().is_some());
}

#[tokio::test(start_paused = true)]
async fn a_read_whose_connection_closed_is_backed_off() {
    let fake = fake_debitura(vec![Answer::StoreThenClose, Answer::Store]).await;
    let response = tokio::time::timeout(
        Duration::from_secs(60),
        client().get(format!("{}/v1/Webhooks", fake.base)).send(),
    )
    .await
    .expect("answered in time")
    .expect("the resend is answered");
    assert_eq!(response.status(), 201);
    assert_eq!(fake.count(), 2);
}
