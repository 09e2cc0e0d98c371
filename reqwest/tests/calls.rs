//! One call's limits and controls, against a fake Debitura on 127.0.0.1: a
//! deadline across attempts and waits, bodies and connections that fail
//! part way, a token mint the policy resends, and the per-request
//! extensions. Waits run on tokio's paused clock.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use debitura_triage_reqwest::{
    BearerToken, Deadline, Error, NoResend, OAuthTokens, Operation, Reason, Retry, RetryBudget,
    RuleId, Tenant, TokenError, TokenSource, Triage,
};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use support::Reply;
use tokio::time::Instant;

/// A client whose own timeout bounds each send, as a service's would.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(None)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn client(layer: Triage) -> ClientWithMiddleware {
    ClientBuilder::new(http()).with(layer).build()
}

/// The layer's typed error, or the bare error the test then fails with.
fn typed(err: &reqwest_middleware::Error) -> &Error {
    Error::of(err).unwrap_or_else(|| panic!("a bare error reached the caller: {err:?}"))
}

const STALLED_503: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: 400\r\n\r\n{\"error\":\"unavail";

#[tokio::test(start_paused = true)]
async fn a_503_whose_body_stalls_is_backed_off_and_the_resend_succeeds() {
    let fake = support::serve(|n, _| match n {
        0 => Reply::Stall(STALLED_503.to_vec()),
        _ => Reply::json("200 OK", r#"{"id":"c-1"}"#),
    })
    .await;

    let response = client(Triage::new())
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Operation::GetCase)
        .send()
        .await
        .expect("the resend is answered");

    assert_eq!(response.status(), 200);
    assert_eq!(fake.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_503_whose_body_always_stalls_ends_typed_with_what_was_read() {
    let fake = support::serve(|_, _| Reply::Stall(STALLED_503.to_vec())).await;

    let err = client(Triage::new())
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Operation::GetCase)
        .send()
        .await
        .unwrap_err();

    let e = typed(&err);
    let bounds = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
    assert_eq!(e.rule_id(), Some(RuleId::UpstreamUnavailable));
    assert_eq!(
        (e.status(), e.attempts(), e.reason()),
        (Some(503), bounds.attempts, Reason::AttemptsUsedUp)
    );
    assert!(!e.body_complete());
    assert_eq!(e.body(), br#"{"error":"unavail"#);
    let source = std::error::Error::source(e).expect("the failed read");
    let read = source.downcast_ref::<reqwest::Error>().unwrap();
    assert!(read.is_timeout() || read.is_body(), "{read:?}");
    assert_eq!(fake.count(), bounds.attempts as usize);
}

#[tokio::test(start_paused = true)]
async fn a_case_whose_connection_always_closes_keeps_its_key_and_ends_typed() {
    let fake = support::serve(|_, _| Reply::Close).await;

    let err = client(Triage::new())
        .post(format!("{}/v1/cases", fake.base))
        .body(r#"{"creditorReference":"INV-9"}"#)
        .send()
        .await
        .unwrap_err();

    let e = typed(&err);
    assert_eq!(e.rule_id(), Some(RuleId::NoResponse));
    assert_eq!((e.status(), e.reason()), (None, Reason::AttemptsUsedUp));
    let sent = fake.received();
    assert_eq!(sent.len() as u32, e.attempts());
    assert!(sent.len() > 1, "a case with its key is resent");
    let key = sent[0].idempotency_key.clone().expect("a key was added");
    assert!(sent
        .iter()
        .all(|r| r.idempotency_key.as_ref() == Some(&key)));
    assert!(
        e.to_string()
            .starts_with("create-case: no response no-response"),
        "{e}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_deadline_of_2_s_stops_a_call_whose_next_wait_would_cross_it() {
    let fake = support::serve(|_, _| Reply::empty("503 Service Unavailable", "")).await;
    let start = Instant::now();

    let err = client(Triage::new().deadline(Duration::from_secs(2)))
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Operation::GetCase)
        .send()
        .await
        .unwrap_err();
    let took = start.elapsed();

    // The first wait (1 s ± 10 %) fits; the second (2 s ± 10 %) would end
    // past the deadline, so the call stops instead of sleeping.
    let e = typed(&err);
    assert_eq!(e.rule_id(), Some(RuleId::UpstreamUnavailable));
    assert_eq!((e.attempts(), e.reason()), (2, Reason::Deadline));
    assert_eq!(fake.count(), 2);
    assert!(took < Duration::from_millis(1200), "took {took:?}");
    assert!(e.to_string().ends_with(
        "Stopped after 2 attempts: the call's deadline passed, or the next wait would cross it."
    ));
}

#[tokio::test(start_paused = true)]
async fn a_request_deadline_ends_a_send_that_never_answers_at_the_deadline() {
    // Headers never come; the client's own timeout (5 s) is later.
    let fake = support::serve(|_, _| Reply::Stall(Vec::new())).await;
    let start = Instant::now();

    let err = client(Triage::new().deadline(Duration::from_secs(60)))
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Operation::GetCase)
        .with_extension(Deadline::after(Duration::from_secs(2)))
        .send()
        .await
        .unwrap_err();
    let took = start.elapsed();

    let e = typed(&err);
    assert_eq!(
        took,
        Duration::from_secs(2),
        "the request's own deadline wins"
    );
    assert_eq!(
        (e.status(), e.attempts(), e.reason()),
        (None, 1, Reason::Deadline)
    );
    // Whether it reached the server is unknown: the answer for a lost reply.
    assert_eq!(e.rule_id(), Some(RuleId::NoResponse));
    let source = std::error::Error::source(e).unwrap();
    assert_eq!(source.to_string(), "the call's deadline passed");
}

#[tokio::test(start_paused = true)]
async fn a_mint_answered_503_then_200_is_resent_and_the_call_succeeds() {
    let mints = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&mints);
    let fake = support::serve(move |_, r| match r.path.as_str() {
        "/oauth/token" => match counter.fetch_add(1, Ordering::SeqCst) {
            0 => Reply::empty("503 Service Unavailable", ""),
            _ => Reply::json(
                "200 OK",
                r#"{"accessToken":"t1","tokenType":"Bearer","expiresIn":1800}"#,
            ),
        },
        _ => Reply::json("201 Created", r#"{"id":"c-1"}"#),
    })
    .await;
    let tokens = OAuthTokens::with_base_url(http(), &fake.base, "test-key");

    let response = ClientBuilder::new(http())
        .with(Triage::with_tokens(tokens))
        .build()
        .post(format!("{}/v1/cases", fake.base))
        .with_extension(Tenant::new("acme-42"))
        .body("{}")
        .send()
        .await
        .expect("the case is created once the mint succeeds");

    assert_eq!(response.status(), 201);
    assert_eq!(mints.load(Ordering::SeqCst), 2);
    let paths: Vec<String> = fake.received().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/oauth/token", "/oauth/token", "/v1/cases"]);
}

#[tokio::test(start_paused = true)]
async fn a_mint_that_keeps_failing_ends_as_the_mints_own_error() {
    let fake = support::serve(|_, _| Reply::empty("503 Service Unavailable", "")).await;
    let tokens = OAuthTokens::with_base_url(http(), &fake.base, "test-key");

    let err = ClientBuilder::new(http())
        .with(Triage::with_tokens(tokens))
        .build()
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Tenant::new("acme-42"))
        .send()
        .await
        .unwrap_err();

    let e = typed(&err);
    let bounds = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
    assert_eq!(e.operation(), Some(Operation::MintToken));
    assert_eq!(e.retry(), Retry::Backoff);
    assert_eq!(
        (e.attempts(), e.reason()),
        (0, Reason::TokenUnavailable),
        "the call itself was never sent"
    );
    let mint = std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<Error>())
        .expect("the mint's error");
    assert_eq!(
        (mint.attempts(), mint.reason()),
        (bounds.attempts, Reason::AttemptsUsedUp),
        "it says backoff because it backed off until the bounds ran out"
    );
    assert!(fake.received().iter().all(|r| r.path == "/oauth/token"));
}

#[tokio::test(start_paused = true)]
async fn a_request_marked_no_resend_is_sent_once() {
    let fake = support::serve(|_, _| Reply::empty("503 Service Unavailable", "")).await;

    let err = client(Triage::new())
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Operation::GetCase)
        .with_extension(NoResend)
        .send()
        .await
        .unwrap_err();

    let e = typed(&err);
    assert_eq!(e.retry(), Retry::Backoff, "the policy would have resent it");
    assert_eq!((e.attempts(), e.reason()), (1, Reason::NoResend));
    assert_eq!(fake.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn an_operation_given_behind_a_gateway_prefix_gets_its_key_and_resend() {
    let fake = support::serve(|n, _| match n {
        0 => Reply::empty("502 Bad Gateway", ""),
        _ => Reply::json("201 Created", "{}"),
    })
    .await;

    let response = client(Triage::new())
        .post(format!("{}/debitura/v1/cases", fake.base))
        .with_extension(Operation::CreateCase)
        .body("{}")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 201);
    let keys: Vec<Option<String>> = fake
        .received()
        .into_iter()
        .map(|r| r.idempotency_key)
        .collect();
    assert_eq!(keys.len(), 2);
    assert!(keys[0].is_some() && keys[0] == keys[1], "{keys:?}");
}

#[tokio::test(start_paused = true)]
async fn without_the_operation_an_unknown_path_gets_no_key_and_is_not_resent() {
    let fake = support::serve(|_, _| Reply::empty("502 Bad Gateway", "")).await;

    let err = client(Triage::new())
        .post(format!("{}/debitura/v1/cases", fake.base))
        .body("{}")
        .send()
        .await
        .unwrap_err();

    let e = typed(&err);
    assert_eq!(e.operation(), None);
    assert_eq!((e.attempts(), e.reason()), (1, Reason::Policy));
    assert_eq!(fake.received()[0].idempotency_key, None);
}

#[tokio::test]
async fn a_400_is_a_failure_and_not_passed_through_as_a_success() {
    let fake = support::serve(|_, _| {
        Reply::json(
            "400 Bad Request",
            r#"{"errors":{"creditorReference":["The creditorReference field is required."]}}"#,
        )
    })
    .await;
    let err = client(Triage::new())
        .post(format!("{}/v1/cases", fake.base))
        .body("{}")
        .send()
        .await
        .unwrap_err();
    assert_eq!(typed(&err).status(), Some(400));
}

#[tokio::test]
async fn a_401_for_a_request_without_a_tenant_is_not_resent() {
    let fake = support::serve(|_, _| Reply::empty("401 Unauthorized", "")).await;
    let err = client(Triage::new())
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Operation::GetCase)
        .bearer_auth("the caller's own")
        .send()
        .await
        .unwrap_err();
    let e = typed(&err);
    assert_eq!(e.retry(), Retry::TokenRefresh);
    assert_eq!((e.attempts(), e.reason()), (1, Reason::NoTokenSource));
    assert_eq!(fake.count(), 1);
}

/// Hands out one token, then fails.
struct OneToken(AtomicUsize);

impl TokenSource for OneToken {
    async fn token(&self, _: &str, _: Option<&BearerToken>) -> Result<BearerToken, TokenError> {
        match self.0.fetch_add(1, Ordering::SeqCst) {
            0 => Ok(BearerToken::new("t1").unwrap()),
            _ => Err("the vault is sealed".into()),
        }
    }
}

#[tokio::test]
async fn a_token_source_that_fails_ends_the_call_with_its_error_as_the_source() {
    let fake = support::serve(|_, _| Reply::empty("401 Unauthorized", "")).await;
    let err = ClientBuilder::new(http())
        .with(Triage::with_tokens(OneToken(AtomicUsize::new(0))))
        .build()
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Operation::GetCase)
        .with_extension(Tenant::new("acme-42"))
        .send()
        .await
        .unwrap_err();
    let e = typed(&err);
    assert_eq!((e.attempts(), e.reason()), (1, Reason::TokenUnavailable));
    assert_eq!(
        e.rule_id(),
        Some(RuleId::BearerTokenExpired),
        "the answer that called for it"
    );
    let source = std::error::Error::source(e).unwrap();
    assert_eq!(source.to_string(), "the vault is sealed");

    // Before any send: no token at all, no request.
    let err = client(Triage::new())
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Tenant::new("acme-42"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (typed(&err).attempts(), typed(&err).reason()),
        (0, Reason::TokenUnavailable)
    );
    assert_eq!(fake.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_request_that_cannot_be_resent_costs_the_budget_nothing() {
    let fake = support::serve(|n, _| match n {
        0 | 1 => Reply::empty("503 Service Unavailable", ""),
        _ => Reply::json("200 OK", "{}"),
    })
    .await;
    // A reserve of exactly one resend.
    let budget = RetryBudget::new(0.0, 1, Duration::from_secs(1)).unwrap();
    let client = client(Triage::new().budget(budget));
    // A wrapped `http_body::Body`, as a stream is: reqwest cannot copy it.
    let stream = reqwest::Body::wrap(String::from("{}"));
    let err = client
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Operation::GetCase)
        .body(stream)
        .send()
        .await
        .unwrap_err();
    assert_eq!(typed(&err).reason(), Reason::BodyNotCloneable);

    let response = client
        .get(format!("{}/v1/cases/c-2", fake.base))
        .with_extension(Operation::GetCase)
        .send()
        .await
        .expect("the reserve's one resend is still there");
    assert_eq!(response.status(), 200);
}

fn mint_answer(body: String) -> impl Fn(usize, &support::Received) -> Reply {
    move |_, r| match r.path.as_str() {
        "/oauth/token" => Reply::json("200 OK", &body),
        _ => Reply::json("200 OK", "{}"),
    }
}

fn token_body(expires_in: u64, padding: usize) -> String {
    format!(
        r#"{{"accessToken":"t1","tokenType":"Bearer","expiresIn":{expires_in},"externalTenantId":"{}"}}"#,
        "x".repeat(padding)
    )
}

async fn send_as_tenant(client: &ClientWithMiddleware, base: &str) -> reqwest::StatusCode {
    client
        .get(format!("{base}/v1/cases/c-1"))
        .with_extension(Tenant::new("acme-42"))
        .send()
        .await
        .unwrap()
        .status()
}

fn mints(fake: &support::Fake) -> usize {
    fake.received()
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .count()
}

#[tokio::test(start_paused = true)]
async fn a_mint_answer_of_a_few_kilobytes_is_read_and_a_token_is_renewed_on_time() {
    let fake = support::serve(mint_answer(token_body(1800, 4096))).await;
    let tokens = OAuthTokens::with_base_url(http(), &fake.base, "test-key");
    let client = ClientBuilder::new(http())
        .with(Triage::with_tokens(tokens))
        .build();

    assert_eq!(send_as_tenant(&client, &fake.base).await, 200);
    // Renewed a minute before `expiresIn` runs out, not a moment later.
    tokio::time::advance(Duration::from_secs(1739)).await;
    assert_eq!(send_as_tenant(&client, &fake.base).await, 200);
    assert_eq!(mints(&fake), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(send_as_tenant(&client, &fake.base).await, 200);
    assert_eq!(mints(&fake), 2);
}

#[tokio::test(start_paused = true)]
async fn a_short_lived_token_is_kept_for_half_its_life() {
    let fake = support::serve(mint_answer(token_body(60, 0))).await;
    let tokens = OAuthTokens::with_base_url(http(), &fake.base, "test-key");
    let client = ClientBuilder::new(http())
        .with(Triage::with_tokens(tokens))
        .build();
    assert_eq!(send_as_tenant(&client, &fake.base).await, 200);
    tokio::time::advance(Duration::from_secs(29)).await;
    assert_eq!(send_as_tenant(&client, &fake.base).await, 200);
    assert_eq!(mints(&fake), 1);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(send_as_tenant(&client, &fake.base).await, 200);
    assert_eq!(mints(&fake), 2);
}

#[tokio::test]
async fn a_mint_answered_without_a_body_is_a_clear_error() {
    let fake = support::serve(|_, _| Reply::empty("302 Found", "")).await;
    let tokens = OAuthTokens::with_base_url(http(), &fake.base, "test-key");
    let err = ClientBuilder::new(http())
        .with(Triage::with_tokens(tokens))
        .build()
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Tenant::new("acme-42"))
        .send()
        .await
        .unwrap_err();
    let source = std::error::Error::source(typed(&err)).unwrap().to_string();
    assert_eq!(source, "the token mint answered 302 Found");
}

#[tokio::test(start_paused = true)]
async fn a_mint_draws_on_the_layers_budget() {
    let fake = support::serve(|_, _| Reply::empty("503 Service Unavailable", "")).await;
    let tokens = OAuthTokens::with_base_url(http(), &fake.base, "test-key");
    // No resend at all: the mint's 503 is not resent either.
    let none = RetryBudget::new(0.0, 0, Duration::from_secs(1)).unwrap();
    let err = ClientBuilder::new(http())
        .with(Triage::with_tokens(tokens).budget(none))
        .build()
        .get(format!("{}/v1/cases/c-1", fake.base))
        .with_extension(Tenant::new("acme-42"))
        .send()
        .await
        .unwrap_err();
    let e = typed(&err);
    assert_eq!(e.operation(), Some(Operation::MintToken));
    assert_eq!((e.attempts(), e.reason()), (0, Reason::TokenUnavailable));
    let mint = std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<Error>())
        .expect("the mint's error");
    assert_eq!((mint.attempts(), mint.reason()), (1, Reason::BudgetSpent));
    assert_eq!(fake.count(), 1);
}

#[test]
fn debug_output_is_short_and_shows_no_secret() {
    let tokens = OAuthTokens::with_base_url(http(), "http://127.0.0.1:9", "the-api-key");
    let shown = format!("{tokens:?}");
    assert_eq!(
        shown,
        r#"OAuthTokens { endpoint: "http://127.0.0.1:9/oauth/token", .. }"#
    );
}
