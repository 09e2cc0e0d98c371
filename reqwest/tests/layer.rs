//! The layer against a real HTTP server on 127.0.0.1 that serves Debitura's
//! documented bodies and records what it received. Backoff waits run on
//! tokio's paused clock, so the suite takes no real time to wait.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use debitura_triage_reqwest::{
    Error, OAuthTokens, Operation, Reason, Retry, RuleId, Tenant, Triage,
};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use serde_json::json;
use tokio::time::Instant;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TENANT: &str = "acme-42";

/// A client with no timer of its own: on the paused clock, a pending timer
/// (such as the connection pool's idle check) would be jumped to while the
/// test waits for the server, and the elapsed time would measure it.
fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap()
}

fn bare_client(tokens: Option<OAuthTokens>) -> ClientWithMiddleware {
    let builder = ClientBuilder::new(http());
    match tokens {
        Some(t) => builder.with(Triage::with_tokens(t)),
        None => builder.with(Triage::new()),
    }
    .build()
}

/// A mint endpoint that hands out `t1`, `t2`, … and counts its calls.
async fn mint_endpoint(server: &MockServer, expires_in: u64) -> Arc<AtomicUsize> {
    let mints = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&mints);
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("XApiKey", "test-key"))
        .respond_with(move |req: &Request| {
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
            assert_eq!(body["externalTenantId"], TENANT);
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(json!({
                "accessToken": format!("t{n}"),
                "tokenType": "Bearer",
                "expiresIn": expires_in,
                "externalTenantId": TENANT,
                "creditorId": "5f0c8a52-8b1e-4c55-9d0e-2f8f1c7e1a11"
            }))
        })
        .mount(server)
        .await;
    mints
}

fn client_with_tokens(server: &MockServer) -> ClientWithMiddleware {
    let tokens = OAuthTokens::with_base_url(http(), server.uri(), "test-key");
    bare_client(Some(tokens))
}

async fn received(server: &MockServer, route: &str) -> Vec<Request> {
    let all = server.received_requests().await.unwrap();
    all.into_iter().filter(|r| r.url.path() == route).collect()
}

fn bearer(req: &Request) -> &str {
    req.headers.get("authorization").unwrap().to_str().unwrap()
}

#[tokio::test]
async fn a_refused_token_is_replaced_once_and_the_resend_succeeds() {
    let server = MockServer::start().await;
    let mints = mint_endpoint(&server, 1800).await;
    Mock::given(method("POST"))
        .and(path("/v1/cases"))
        .and(header("authorization", "Bearer t1"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "c-1"})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/cases"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;

    let response = client_with_tokens(&server)
        .post(format!("{}/v1/cases", server.uri()))
        .bearer_auth("expired")
        .with_extension(Tenant::new(TENANT))
        .body(r#"{"creditorReference":"INV-1"}"#)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 201);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"id":"c-1"}"#,
        "the body is the caller's to read"
    );
    assert_eq!(mints.load(Ordering::SeqCst), 1);
    let sent = received(&server, "/v1/cases").await;
    assert_eq!(
        sent.iter().map(bearer).collect::<Vec<_>>(),
        ["Bearer expired", "Bearer t1"]
    );
}

#[tokio::test]
async fn a_second_401_after_the_refresh_is_the_invalid_client_link() {
    let server = MockServer::start().await;
    let mints = mint_endpoint(&server, 1800).await;
    Mock::given(method("GET"))
        .and(path("/v1/cases/c-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;

    let err = client_with_tokens(&server)
        .get(format!("{}/v1/cases/c-1", server.uri()))
        .bearer_auth("expired")
        .with_extension(Tenant::new(TENANT))
        .with_extension(Operation::GetCase)
        .send()
        .await
        .unwrap_err();

    let e = Error::of(&err).expect("a triage error");
    assert_eq!(e.rule_id(), Some(RuleId::ClientLinkInvalid));
    assert_eq!(e.retry(), Retry::Never);
    assert_eq!(
        (e.status(), e.attempts(), e.reason()),
        (Some(401), 2, Reason::Policy)
    );
    assert_eq!(received(&server, "/v1/cases/c-1").await.len(), 2);
    assert_eq!(mints.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_429_waits_its_retry_after_before_the_one_resend() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/cases"))
        .respond_with(ResponseTemplate::new(429).set_body_json(json!({
            "error": "rate_limit_exceeded",
            "message": "Too many requests. Please try again later or contact support if you need higher limits.",
            "retryAfter": 1
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/cases"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;

    let start = Instant::now();
    let response = bare_client(None)
        .post(format!("{}/v1/cases", server.uri()))
        .body("{}")
        .send()
        .await
        .unwrap();
    let waited = start.elapsed();

    assert_eq!(response.status(), 201);
    // The rule's first wait is 2 s ± 10 %; the server's 1 s is shorter, and
    // only ever lengthens a wait.
    assert!(
        waited >= Duration::from_millis(1800),
        "resent after {waited:?}"
    );
    assert!(
        waited < Duration::from_millis(2200),
        "resent after {waited:?}"
    );
    assert_eq!(received(&server, "/v1/cases").await.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_503_on_every_attempt_stops_at_the_bound_with_one_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/cases"))
        .respond_with(
            ResponseTemplate::new(503).set_body_string("<html>Service Unavailable</html>"),
        )
        .mount(&server)
        .await;

    let err = bare_client(None)
        .post(format!("{}/v1/cases", server.uri()))
        .body(r#"{"creditorReference":"INV-2"}"#)
        .send()
        .await
        .unwrap_err();

    let bounds = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
    let e = Error::of(&err).unwrap();
    assert_eq!(e.rule_id(), Some(RuleId::UpstreamUnavailable));
    assert_eq!(
        (e.attempts(), e.reason()),
        (bounds.attempts, Reason::AttemptsUsedUp)
    );
    let sent = received(&server, "/v1/cases").await;
    assert_eq!(sent.len(), bounds.attempts as usize);
    let keys: Vec<&str> = sent
        .iter()
        .map(|r| r.headers.get("idempotency-key").unwrap().to_str().unwrap())
        .collect();
    assert_eq!(keys[0].len(), 36, "a key was added: {keys:?}");
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
}

#[tokio::test(start_paused = true)]
async fn the_callers_idempotency_key_is_kept_and_reads_get_none() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/cases"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;

    let client = bare_client(None);
    client
        .post(format!("{}/v1/cases", server.uri()))
        .header("Idempotency-Key", "mine-1")
        .send()
        .await
        .unwrap();
    client
        .get(format!("{}/v1/cases/c-1", server.uri()))
        .send()
        .await
        .unwrap();

    let all = server.received_requests().await.unwrap();
    let keys: Vec<Option<&str>> = all
        .iter()
        .map(|r| {
            r.headers
                .get("idempotency-key")
                .map(|v| v.to_str().unwrap())
        })
        .collect();
    assert_eq!(keys, [Some("mine-1"), Some("mine-1"), None]);
}

#[tokio::test]
async fn a_signing_error_stops_at_once_with_the_combined_signing_url() {
    let server = MockServer::start().await;
    let url = "https://testreferral.debitura.com/sign?returnUrl=https%3A%2F%2Fexample.org";
    Mock::given(method("POST"))
        .and(path("/v1/cases"))
        .respond_with(ResponseTemplate::new(422).set_body_json(json!({
            "businessErrors": [{
                "type": "MissingPowerOfAttorney",
                "message": "Power of attorney is not signed",
                "solutionUrl": "https://testreferral.debitura.com/poa"
            }],
            "signingHandoff": { "combinedSigningUrl": url }
        })))
        .mount(&server)
        .await;

    let err = bare_client(None)
        .post(format!("{}/v1/cases", server.uri()))
        .body("{}")
        .send()
        .await
        .unwrap_err();

    let e = Error::of(&err).unwrap();
    assert_eq!(e.rule_id(), Some(RuleId::MissingPowerOfAttorney));
    assert_eq!(e.retry(), Retry::AfterUserAction);
    assert_eq!(e.url(), Some(url));
    assert_eq!(
        e.findings()[0].solution_url.as_deref(),
        Some("https://testreferral.debitura.com/poa")
    );
    assert!(e.to_string().contains(url), "{e}");
    assert_eq!(received(&server, "/v1/cases").await.len(), 1);
}

#[tokio::test]
async fn a_409_carries_the_approval_url() {
    let server = MockServer::start().await;
    let approve = "https://app.debitura.com/ReferralPartner/Approve?token=abc123";
    Mock::given(method("POST"))
        .and(path("/clients"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "type": "ClientExistsNeedsLinking",
            "message": "Client already exists in Debitura. Approval required to link to referral partner.",
            "data": {
                "externalTenantId": TENANT,
                "onboardingLinks": { "url": approve },
                "isAttributedClient": false
            }
        })))
        .mount(&server)
        .await;

    let err = bare_client(None)
        .post(format!("{}/clients", server.uri()))
        .body("{}")
        .send()
        .await
        .unwrap_err();

    let e = Error::of(&err).unwrap();
    assert_eq!(e.rule_id(), Some(RuleId::ClientExistsNeedsLinking));
    assert_eq!(e.operation(), Some(Operation::CreateClient));
    assert_eq!(e.url(), Some(approve));
    assert_eq!(received(&server, "/clients").await.len(), 1);
}

#[tokio::test]
async fn an_unknown_418_is_unrecognised_and_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(418).set_body_string(r#"{"teapot":true}"#))
        .mount(&server)
        .await;

    let err = bare_client(None)
        .get(server.uri())
        .send()
        .await
        .unwrap_err();

    let e = Error::of(&err).unwrap();
    assert_eq!(
        (e.rule_id(), e.retry(), e.status()),
        (None, Retry::Never, Some(418))
    );
    assert_eq!(e.body(), br#"{"teapot":true}"#);
    assert!(e.body_complete());
    assert_eq!(
        e.headers()["content-length"],
        "15",
        "the response's headers are kept too"
    );
    assert!(e.to_string().starts_with("418 (unrecognised)"), "{e}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_was_never_sent_so_even_a_write_without_a_key_is_backed_off() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let start = Instant::now();
    // Creating a webhook subscription takes no key: a resend is safe only
    // because nothing was sent.
    let err = bare_client(None)
        .post(format!("http://127.0.0.1:{port}/v1/Webhooks"))
        .body("{}")
        .send()
        .await
        .unwrap_err();

    let e = Error::of(&err).unwrap();
    let bounds = RuleId::RequestNotSent.rule().backoff.unwrap();
    assert_eq!(e.rule_id(), Some(RuleId::RequestNotSent));
    assert_eq!(
        (e.status(), e.attempts(), e.reason()),
        (None, bounds.attempts, Reason::AttemptsUsedUp)
    );
    let source = std::error::Error::source(e).expect("the connection error");
    assert!(source
        .downcast_ref::<reqwest::Error>()
        .is_some_and(reqwest::Error::is_connect));
    // Waits of 1 s and 2 s, each ± 10 %.
    let waited = start.elapsed();
    assert!(
        (Duration::from_millis(2700)..Duration::from_millis(3300)).contains(&waited),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_streamed_body_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;

    // A case creation (it takes a key) may be resent; its streamed body cannot.
    let file = tokio_file_body();
    let err = bare_client(None)
        .post(format!("{}/v1/cases", server.uri()))
        .body(file)
        .send()
        .await
        .unwrap_err();

    let e = Error::of(&err).unwrap();
    assert_eq!((e.attempts(), e.reason()), (1, Reason::BodyNotCloneable));
    assert!(e.to_string().contains("cannot be sent twice"), "{e}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

/// A body reqwest cannot clone: a wrapped `http_body::Body`, as a stream is.
fn tokio_file_body() -> reqwest::Body {
    reqwest::Body::wrap(String::from("file bytes"))
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_requests_with_an_expired_token_mint_once() {
    let server = MockServer::start().await;
    let mints = mint_endpoint(&server, 600).await;
    Mock::given(method("GET"))
        .and(path("/v1/cases/c-1"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let client = client_with_tokens(&server);
    let get = || {
        client
            .get(format!("{}/v1/cases/c-1", server.uri()))
            .with_extension(Tenant::new(TENANT))
            .send()
    };
    get().await.unwrap();
    assert_eq!(mints.load(Ordering::SeqCst), 1);

    tokio::time::advance(Duration::from_secs(600)).await;
    let all = futures_join_all((0..50).map(|_| get())).await;
    assert!(all
        .iter()
        .all(|r| r.as_ref().is_ok_and(|r| r.status() == 200)));

    assert_eq!(mints.load(Ordering::SeqCst), 2, "one mint for the fifty");
    let sent = received(&server, "/v1/cases/c-1").await;
    assert_eq!(sent.len(), 51);
    assert!(sent[1..].iter().all(|r| bearer(r) == "Bearer t2"));
}

#[tokio::test]
async fn fifty_concurrent_401s_for_one_token_mint_one_replacement() {
    let server = MockServer::start().await;
    let mints = mint_endpoint(&server, 1800).await;
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .and(header("authorization", "Bearer t2"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/users"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let client = client_with_tokens(&server);

    let all = futures_join_all((0..50).map(|_| {
        client
            .get(format!("{}/v1/users", server.uri()))
            .with_extension(Tenant::new(TENANT))
            .send()
    }))
    .await;

    assert!(all
        .iter()
        .all(|r| r.as_ref().is_ok_and(|r| r.status() == 200)));
    assert_eq!(
        mints.load(Ordering::SeqCst),
        2,
        "the first token, and one replacement for all"
    );
    assert_eq!(received(&server, "/v1/users").await.len(), 100);
}

/// Runs futures concurrently on the test's runtime and collects their outputs.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_mint_refused_for_the_tenant_reaches_the_caller_diagnosed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": "Client link not found",
            "message": "Client link not found",
            "businessErrors": []
        })))
        .mount(&server)
        .await;

    let err = client_with_tokens(&server)
        .get(format!("{}/v1/users", server.uri()))
        .with_extension(Tenant::new(TENANT))
        .send()
        .await
        .unwrap_err();

    let e = Error::of(&err).unwrap();
    assert_eq!(e.rule_id(), Some(RuleId::TokenMintingNotFound));
    // The call stops for want of a token, nothing sent, carrying the mint's
    // answer; the mint's own error, as it stopped, is its source.
    assert_eq!(
        (e.operation(), e.attempts(), e.reason()),
        (Some(Operation::MintToken), 0, Reason::TokenUnavailable)
    );
    let mint = std::error::Error::source(e)
        .and_then(|s| s.downcast_ref::<Error>())
        .expect("the mint's error");
    assert_eq!(
        (mint.rule_id(), mint.attempts(), mint.reason()),
        (Some(RuleId::TokenMintingNotFound), 1, Reason::Policy)
    );
    assert!(
        e.to_string()
            .starts_with("mint-token: 404 token-minting-not-found"),
        "{e}"
    );
    assert_eq!(
        received(&server, "/v1/users").await.len(),
        0,
        "nothing sent without a token"
    );
}
