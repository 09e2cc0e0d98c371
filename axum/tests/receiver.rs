//! The receiver mounted in axum on 127.0.0.1, with deliveries sent by
//! reqwest: signed by the core's signer or by a vector computed outside the
//! code, and each documented way a delivery goes wrong. The clock is
//! injected; deadlines are short, so nothing waits long.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use debitura_triage::webhook::sign;
use debitura_triage_axum::{Event, HandlerError, Receiver};
use tokio::sync::Notify;

#[path = "support/serve.rs"]
mod support;
use support::serve;

const T: u64 = 1_700_000_000;

fn secret() -> String {
    base64::engine::general_purpose::STANDARD.encode(b"known secret bytes for the tests")
}

fn envelope(id: &str, event: &str) -> String {
    format!(
        r#"{{"id":"{id}","specVersion":"1.0","event":"{event}","timestamp":"2026-01-31T15:23:45Z","data":{{"caseId":"c1"}}}}"#
    )
}

/// One event as the handler saw it: id, type, test, replay, data.
type Handled = (String, String, bool, bool, String);

/// Its envelope's `specVersion` and `timestamp`, its `X-Debitura-Event`
/// header, and its `Debug`.
type Told = (Option<String>, Option<String>, Option<String>, String);

/// What the handler saw.
#[derive(Default)]
struct Seen {
    calls: AtomicUsize,
    events: Mutex<Vec<Handled>>,
    told: Mutex<Vec<Told>>,
}

/// A receiver whose clock reads `T + 5`, recording each event.
async fn recording(secrets: &[String]) -> (String, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let record = Arc::clone(&seen);
    let receiver = Receiver::new(secrets, move |event: Event| {
        let record = Arc::clone(&record);
        async move {
            record.calls.fetch_add(1, Ordering::SeqCst);
            record.events.lock().unwrap().push((
                event.id().to_owned(),
                event.event().to_owned(),
                event.is_test(),
                event.is_replay(),
                event.data().to_owned(),
            ));
            record.told.lock().unwrap().push((
                event.spec_version().map(str::to_owned),
                event.timestamp().map(str::to_owned),
                event.announced().map(str::to_owned),
                format!("{event:?}"),
            ));
            Ok::<(), HandlerError>(())
        }
    })
    .unwrap()
    .clock(|| T + 5);
    (serve(receiver).await, seen)
}

async fn post(url: &str, signature: Option<&str>, body: &str) -> u16 {
    post_with(url, signature, body, &[]).await
}

async fn post_with(
    url: &str,
    signature: Option<&str>,
    body: &str,
    headers: &[(&str, &str)],
) -> u16 {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("X-Debitura-Signature", signature);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn a_delivery_signed_by_the_core_is_handled_with_its_envelope_and_headers() {
    let (url, seen) = recording(&[secret()]).await;
    let body = envelope("e-1", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    let headers = [
        ("X-Debitura-Test", "true"),
        ("X-Debitura-Event", "case.created"),
    ];
    let status = post_with(&url, Some(&header), &body, &headers).await;
    assert_eq!(status, 200);
    let events = seen.events.lock().unwrap().clone();
    assert_eq!(
        events,
        [(
            "e-1".to_owned(),
            "case.created".to_owned(),
            true,
            false,
            r#"{"caseId":"c1"}"#.to_owned()
        )]
    );
    let told = seen.told.lock().unwrap().clone();
    assert_eq!(
        told,
        [(
            Some("1.0".to_owned()),
            Some("2026-01-31T15:23:45Z".to_owned()),
            Some("case.created".to_owned()),
            r#"Event { id: "e-1", event: "case.created", test: true, replay: false, .. }"#
                .to_owned()
        )]
    );
}

#[tokio::test]
async fn a_replay_of_an_event_not_yet_handled_is_handled_and_marked() {
    let (url, seen) = recording(&[secret()]).await;
    let body = envelope("e-r", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    let replay = [("X-Debitura-Replay", "true")];
    assert_eq!(post_with(&url, Some(&header), &body, &replay).await, 200);
    let events = seen.events.lock().unwrap().clone();
    assert_eq!(
        (events[0].2, events[0].3),
        (false, true),
        "not a test, a replay"
    );
}

/// Computed once outside the code, with Python's standard library:
/// `hmac.new(b"known secret bytes for the tests", b"1700000000." + body,
/// hashlib.sha256).hexdigest()`.
#[tokio::test]
async fn a_known_answer_vector_is_accepted() {
    let (url, seen) = recording(&["a25vd24gc2VjcmV0IGJ5dGVzIGZvciB0aGUgdGVzdHM=".to_owned()]).await;
    let body = r#"{"id":"550e8400","event":"case.created"}"#;
    let header = "t=1700000000,v1=64104063fee8cf0716049ed8e9bea6c15b86d420064cd0913417060c0f5ac8b4";
    assert_eq!(post(&url, Some(header), body).await, 200);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn each_documented_mistake_is_refused_without_calling_the_handler() {
    let (url, seen) = recording(&[secret()]).await;
    let body = envelope("e-2", "case.created");
    let good = sign(&secret(), T, body.as_bytes()).unwrap();
    let other = base64::engine::general_purpose::STANDARD.encode(b"another environment's secret");
    let pretty = body.replace(',', ", ");
    let cases: Vec<(String, Option<String>, String, u16)> = vec![
        (
            "wrong secret".into(),
            Some(sign(&other, T, body.as_bytes()).unwrap()),
            body.clone(),
            401,
        ),
        ("re-serialised body".into(), Some(good.clone()), pretty, 401),
        (
            "301 s old".into(),
            Some(sign(&secret(), T + 5 - 301, body.as_bytes()).unwrap()),
            body.clone(),
            401,
        ),
        (
            "31 s ahead".into(),
            Some(sign(&secret(), T + 5 + 31, body.as_bytes()).unwrap()),
            body.clone(),
            401,
        ),
        ("no header".into(), None, body.clone(), 400),
        (
            "malformed header".into(),
            Some("t=soon,v1=zz".into()),
            body.clone(),
            400,
        ),
    ];
    for (what, header, body, want) in cases {
        assert_eq!(post(&url, header.as_deref(), &body).await, want, "{what}");
    }
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
    // At the edges of the window: 300 s old and 30 s ahead are accepted.
    for (n, t) in [(3, T + 5 - 300), (4, T + 5 + 30)] {
        let body = envelope(&format!("e-{n}"), "case.created");
        let header = sign(&secret(), t, body.as_bytes()).unwrap();
        assert_eq!(
            post(&url, Some(&header), &body).await,
            200,
            "t = now - {}",
            T + 5 - t
        );
    }
}

#[tokio::test]
async fn during_a_rotation_the_old_and_the_new_secret_are_both_accepted() {
    let new = base64::engine::general_purpose::STANDARD.encode(b"the regenerated secret");
    let (url, seen) = recording(&[new.clone(), secret()]).await;
    for (n, signer) in [new, secret()].iter().enumerate() {
        let body = envelope(&format!("r-{n}"), "case.created");
        let header = sign(signer, T, body.as_bytes()).unwrap();
        assert_eq!(post(&url, Some(&header), &body).await, 200);
    }
    assert_eq!(seen.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_header_with_two_v1_is_accepted_when_one_matches() {
    let (url, seen) = recording(&[secret()]).await;
    let body = envelope("v-1", "case.created");
    let good = sign(&secret(), T, body.as_bytes()).unwrap();
    let v1 = good.split_once("v1=").unwrap().1;
    let header = format!("t={T},v1={},v1={v1}", "0".repeat(64));
    assert_eq!(post(&url, Some(&header), &body).await, 200);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_duplicate_id_is_answered_200_without_calling_the_handler_again() {
    let (url, seen) = recording(&[secret()]).await;
    let body = envelope("d-1", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&header), &body).await, 200);
    let replay = [("X-Debitura-Replay", "true")];
    assert_eq!(post_with(&url, Some(&header), &body, &replay).await, 200);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_hundred_concurrent_copies_of_one_id_call_the_handler_once() {
    let (url, seen) = recording(&[secret()]).await;
    let body = envelope("c-1", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    let copies: Vec<_> = (0..100)
        .map(|_| {
            let (url, header, body) = (url.clone(), header.clone(), body.clone());
            tokio::spawn(async move { post(&url, Some(&header), &body).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for copy in copies {
        statuses.push(copy.await.unwrap());
    }
    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    // Each copy is answered 200 (handled, or a duplicate of a handled one)
    // or 503 (another copy was being handled): Debitura sends that one again.
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 503),
        "{statuses:?}"
    );
    assert!(statuses.contains(&200));
}

#[tokio::test]
async fn a_failing_handler_releases_the_claim_so_the_next_delivery_is_handled() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let receiver = Receiver::new(&[secret()], move |_: Event| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            if n == 0 {
                Err::<(), HandlerError>("the database is down".into())
            } else {
                Ok(())
            }
        }
    })
    .unwrap()
    .clock(|| T);
    let url = serve(receiver).await;
    let body = envelope("f-1", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&header), &body).await, 500);
    assert_eq!(post(&url, Some(&header), &body).await, 200);
    assert_eq!(post(&url, Some(&header), &body).await, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_panicking_handler_is_a_failure_and_the_next_delivery_is_handled() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let receiver = Receiver::new(&[secret()], move |_: Event| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        async move {
            assert!(n > 0, "the first run fails");
            Ok::<(), HandlerError>(())
        }
    })
    .unwrap()
    .clock(|| T);
    let url = serve(receiver).await;
    let body = envelope("p-1", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&header), &body).await, 500);
    assert_eq!(post(&url, Some(&header), &body).await, 200);
}

#[tokio::test]
async fn a_body_over_the_limit_is_answered_413() {
    let (url, seen) = recording(&[secret()]).await;
    let body = envelope(&"x".repeat(100), &"y".repeat(70 * 1024));
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&header), &body).await, 413);
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_slow_handler_is_answered_within_the_deadline_and_still_runs_once() {
    let release = Arc::new(Notify::new());
    let calls = Arc::new(AtomicUsize::new(0));
    let (gate, counter) = (Arc::clone(&release), Arc::clone(&calls));
    let receiver = Receiver::new(&[secret()], move |_: Event| {
        let (gate, counter) = (Arc::clone(&gate), Arc::clone(&counter));
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            gate.notified().await;
            Ok::<(), HandlerError>(())
        }
    })
    .unwrap()
    .clock(|| T)
    .deadline(Duration::from_millis(100));
    let url = serve(receiver).await;
    let body = envelope("s-1", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();

    let started = std::time::Instant::now();
    assert_eq!(post(&url, Some(&header), &body).await, 503);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Debitura's next attempt while the handler still runs: not run again.
    assert_eq!(post(&url, Some(&header), &body).await, 503);
    release.notify_one();
    // Once it is done, the next attempt is a duplicate.
    let mut status = 0;
    for _ in 0..50 {
        status = post(&url, Some(&header), &body).await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_event_type_the_vocabulary_does_not_list_is_passed_on() {
    let (url, seen) = recording(&[secret()]).await;
    let body = envelope("u-1", "case.teleported");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&header), &body).await, 200);
    assert_eq!(seen.events.lock().unwrap()[0].1, "case.teleported");
}

#[tokio::test]
async fn a_signed_body_that_is_no_envelope_and_other_methods_are_refused_plainly() {
    let (url, seen) = recording(&[secret()]).await;
    let body = r#"{"hello":"world"}"#;
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&header), body).await, 400);
    let get = reqwest::get(&url).await.unwrap();
    assert_eq!(get.status(), 405);
    assert_eq!(get.headers()["allow"], "POST");
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}

#[test]
fn secrets_that_cannot_be_used_are_refused_when_the_receiver_is_built() {
    let handler = |_: Event| async { Ok::<(), HandlerError>(()) };
    let none: [&str; 0] = [];
    assert_eq!(
        Receiver::new(&none, handler).unwrap_err().to_string(),
        "no webhook secret was given"
    );
    let err = Receiver::new(&[secret().as_str(), "not base64!"], handler).unwrap_err();
    assert_eq!(
        err.to_string(),
        "webhook secret 2 of the list is unusable (secret-not-base64): give it as Debitura showed it, base64"
    );
    let shown = format!("{:?}", Receiver::new(&[secret()], handler).unwrap());
    assert!(!shown.contains(&secret()), "{shown}");
    // The documented defaults.
    assert_eq!(
        shown,
        "Receiver { secrets: 1, tolerance: Tolerance { past: 300, future: 30 }, max_body: 65536, \
         deadline: 5s, lease: 120s, ttl: 86400s, .. }"
    );
}

#[tokio::test]
async fn with_the_system_clock_a_fresh_delivery_is_accepted_and_an_old_one_refused() {
    let receiver =
        Receiver::new(&[secret()], |_: Event| async { Ok::<(), HandlerError>(()) }).unwrap();
    let url = serve(receiver).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let body = envelope("n-1", "case.created");
    let fresh = sign(&secret(), now, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&fresh), &body).await, 200);
    let old = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&old), &body).await, 401);
}

/// A handler that takes `slow` the first time it runs, counting its runs.
fn slow_first(slow: Duration, calls: &Arc<AtomicUsize>) -> impl debitura_triage_axum::Handler {
    let calls = Arc::clone(calls);
    move |_: Event| {
        let calls = Arc::clone(&calls);
        async move {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                tokio::time::sleep(slow).await;
            }
            Ok::<(), HandlerError>(())
        }
    }
}

#[tokio::test]
async fn a_handler_slower_than_its_lease_runs_once_while_the_claim_is_renewed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = Receiver::new(&[secret()], slow_first(Duration::from_millis(1200), &calls))
        .unwrap()
        .clock(|| T)
        .deadline(Duration::from_millis(50))
        .claim_times(Duration::from_millis(300), Duration::from_secs(60));
    let url = serve(receiver).await;
    let body = envelope("renewed-1", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(post(&url, Some(&header), &body).await, 503);
    // Copies through four leases while it runs: each finds it in flight.
    for _ in 0..8 {
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(post(&url, Some(&header), &body).await, 503);
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(post(&url, Some(&header), &body).await, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_handler_whose_claim_cannot_be_renewed_is_not_marked_done() {
    use debitura_triage_axum::{Claim, Claims, MemoryClaims};
    let store = Arc::new(MemoryClaims::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = Receiver::new(&[secret()], slow_first(Duration::from_millis(400), &calls))
        .unwrap()
        .clock(|| T)
        .deadline(Duration::from_secs(2))
        .claim_times(Duration::from_millis(150), Duration::from_secs(60))
        .claims(RefusingRenewals(Arc::clone(&store)));
    let url = serve(receiver).await;
    let body = envelope("unrenewed-1", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    // Handled, but the claim was lost on the way: not answered as done.
    assert_eq!(post(&url, Some(&header), &body).await, 503);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(
        matches!(
            store
                .claim("unrenewed-1", Duration::from_secs(1))
                .await
                .unwrap(),
            Claim::New(_)
        ),
        "not marked done"
    );
}

#[tokio::test]
async fn a_shutdown_refuses_new_deliveries_waits_for_handlers_and_frees_the_claims_of_those_it_stops(
) {
    use debitura_triage_axum::{Claim, Claims, MemoryClaims};
    let store = Arc::new(MemoryClaims::default());
    let calls = Arc::new(AtomicUsize::new(0));
    // "quick" takes 150 ms, "stuck" never ends.
    let counter = Arc::clone(&calls);
    let receiver = Receiver::new(&[secret()], move |event: Event| {
        let counter = Arc::clone(&counter);
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            if event.id() == "stuck" {
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
            Ok::<(), HandlerError>(())
        }
    })
    .unwrap()
    .clock(|| T)
    .deadline(Duration::from_millis(20))
    .claims(Arc::clone(&store));
    let url = serve(receiver.clone()).await;
    for id in ["quick", "stuck"] {
        let body = envelope(id, "case.created");
        let header = sign(&secret(), T, body.as_bytes()).unwrap();
        assert_eq!(
            post(&url, Some(&header), &body).await,
            503,
            "{id}: past the deadline"
        );
    }
    let shutting = tokio::spawn({
        let receiver = receiver.clone();
        async move { receiver.shutdown(Duration::from_millis(400)).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let body = envelope("late", "case.created");
    let header = sign(&secret(), T, body.as_bytes()).unwrap();
    assert_eq!(
        post(&url, Some(&header), &body).await,
        503,
        "refused while shutting down"
    );
    let stopped = shutting.await.unwrap();
    assert_eq!(stopped.stopped, 1, "the stuck handler was stopped");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the late delivery ran nothing"
    );
    let lease = Duration::from_secs(1);
    assert_eq!(
        store.claim("quick", lease).await.unwrap(),
        Claim::Done,
        "waited for"
    );
    assert!(
        matches!(store.claim("stuck", lease).await.unwrap(), Claim::New(_)),
        "the stopped handler's claim was released"
    );
}

/// A store the test reads as well as the receiver, which refuses every
/// renewal.
struct RefusingRenewals(Arc<debitura_triage_axum::MemoryClaims>);

impl debitura_triage_axum::Claims for RefusingRenewals {
    async fn claim(
        &self,
        id: &str,
        lease: Duration,
    ) -> Result<debitura_triage_axum::Claim, debitura_triage_axum::ClaimError> {
        self.0.claim(id, lease).await
    }

    async fn renew(
        &self,
        id: &str,
        holder: &debitura_triage_axum::Holder,
        lease: Duration,
    ) -> Result<bool, debitura_triage_axum::ClaimError> {
        let _ = (id, holder, lease);
        Err("the store refuses renewals".into())
    }

    async fn complete(
        &self,
        id: &str,
        holder: &debitura_triage_axum::Holder,
        ttl: Duration,
    ) -> Result<bool, debitura_triage_axum::ClaimError> {
        self.0.complete(id, holder, ttl).await
    }

    async fn release(
        &self,
        id: &str,
        holder: &debitura_triage_axum::Holder,
    ) -> Result<bool, debitura_triage_axum::ClaimError> {
        self.0.release(id, holder).await
    }
}
