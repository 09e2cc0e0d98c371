//! A write is sent twice only when a second copy cannot act twice. Each test
//! runs a fake Debitura on 127.0.0.1 that stores what it receives, so a
//! duplicate shows as a second record.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use debitura_triage_reqwest::{Error, Reason, Retry, RuleId, Triage};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

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
    /// Store it (once per `Idempotency-Key`) and answer 201.
    Store,
}

/// One request as stored: its method, path and `Idempotency-Key`.
type Stored = (String, String, Option<String>);

/// A server that answers the n-th request with `answers[n]` (the last one
/// after that) and records every request it read.
async fn fake_debitura(answers: Vec<Answer>) -> (String, Arc<Mutex<Vec<Stored>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let stored: Arc<Mutex<Vec<Stored>>> = Arc::default();
    let log = Arc::clone(&stored);
    tokio::spawn(async move {
        let mut n = 0;
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let answer = answers[n.min(answers.len() - 1)];
            n += 1;
            let Some(request) = read_request(&mut socket).await else {
                continue;
            };
            log.lock().unwrap().push(request);
            let reply: &[u8] = match answer {
                Answer::StoreThenClose => continue,
                Answer::StoreThen503 => {
                    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                }
                Answer::Store => b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
            };
            let _ = socket.write_all(reply).await;
        }
    });
    (base, stored)
}

/// Reads one request's head and its `content-length` body.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Stored> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            })
            .map(|(_, v)| v.trim().to_string())
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let mut first = head.lines().next()?.split(' ');
    let (method, path) = (first.next()?.to_string(), first.next()?.to_string());
    Some((method, path, header("idempotency-key")))
}

#[tokio::test]
async fn a_webhook_subscription_answered_503_is_sent_once_and_fails_typed() {
    let (base, stored) = fake_debitura(vec![Answer::StoreThen503, Answer::Store]).await;
    let err = client()
        .post(format!("{base}/v1/Webhooks"))
        .body(r#"{"url":"https://partner.example/hooks","events":["case.created"]}"#)
        .send()
        .await
        .unwrap_err();

    assert_eq!(stored.lock().unwrap().len(), 1, "sent exactly once");
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
    let (base, stored) = fake_debitura(vec![Answer::StoreThenClose, Answer::Store]).await;
    let response = client()
        .post(format!("{base}/v1/cases"))
        .body(r#"{"creditorReference":"INV-7"}"#)
        .send()
        .await
        .expect("the resend is answered");

    assert_eq!(response.status(), 201);
    let stored = stored.lock().unwrap();
    assert_eq!(stored.len(), 2, "{stored:?}");
    let keys: Vec<&str> = stored
        .iter()
        .map(|(_, _, k)| k.as_deref().unwrap())
        .collect();
    assert_eq!(keys[0], keys[1], "the resend keeps the key");
    // One case: the server stores a key once.
    let mut cases = keys.clone();
    cases.dedup();
    assert_eq!(cases.len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_subscription_whose_connection_closed_after_sending_is_not_resent() {
    let (base, stored) = fake_debitura(vec![Answer::StoreThenClose, Answer::Store]).await;
    let err = client()
        .post(format!("{base}/v1/Webhooks"))
        .body("{}")
        .send()
        .await
        .unwrap_err();

    assert_eq!(stored.lock().unwrap().len(), 1, "sent exactly once");
    let e = Error::of(&err).expect("a typed error, not a bare reqwest one");
    assert_eq!(e.rule_id(), Some(RuleId::NoResponseOutcomeUnknown));
    assert_eq!(
        (e.status(), e.attempts(), e.reason()),
        (None, 1, Reason::Policy)
    );
    let source = std::error::Error::source(e).expect("the connection error");
    assert!(source.downcast_ref::<reqwest::Error>().is_some());
}

#[tokio::test(start_paused = true)]
async fn a_read_whose_connection_closed_is_backed_off() {
    let (base, stored) = fake_debitura(vec![Answer::StoreThenClose, Answer::Store]).await;
    let response = tokio::time::timeout(
        Duration::from_secs(60),
        client().get(format!("{base}/v1/Webhooks")).send(),
    )
    .await
    .expect("answered in time")
    .expect("the resend is answered");
    assert_eq!(response.status(), 201);
    assert_eq!(stored.lock().unwrap().len(), 2);
}
