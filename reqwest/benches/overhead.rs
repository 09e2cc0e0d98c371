//! The layer's cost on the success path: one GET answered 200 by a server
//! on 127.0.0.1, sent by bare reqwest, through `Triage` without tokens, and
//! through `Triage` with a cached bearer token for a tenant. The layer reads
//! nothing of a success, so the difference is its own work per request.
//!
//! `cargo bench -p debitura-triage-reqwest --bench overhead`

use std::sync::OnceLock;

use debitura_triage_reqwest::{OAuthTokens, Tenant, Triage};
use divan::Bencher;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use serde_json::json;
use tokio::runtime::Runtime;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn main() {
    divan::main();
}

struct Setup {
    runtime: Runtime,
    /// Kept alive for the benchmarks' whole run.
    _server: MockServer,
    url: String,
    bare: reqwest::Client,
    layer: ClientWithMiddleware,
    with_tokens: ClientWithMiddleware,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(async {
            let server = MockServer::start().await;
            Mock::given(path("/oauth/token"))
                .respond_with(ResponseTemplate::new(200).set_body_json(
                    json!({"accessToken": "t1", "tokenType": "Bearer", "expiresIn": 1800}),
                ))
                .mount(&server)
                .await;
            Mock::given(path("/v1/cases/c-1"))
                .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id":"c-1"}"#))
                .mount(&server)
                .await;
            server
        });
        let bare = reqwest::Client::new();
        let tokens = OAuthTokens::with_base_url(bare.clone(), server.uri(), "key");
        Setup {
            url: format!("{}/v1/cases/c-1", server.uri()),
            layer: ClientBuilder::new(bare.clone()).with(Triage::new()).build(),
            with_tokens: ClientBuilder::new(bare.clone())
                .with(Triage::with_tokens(tokens))
                .build(),
            bare,
            runtime,
            _server: server,
        }
    })
}

#[divan::bench(sample_count = 3000)]
fn bare_reqwest(b: Bencher) {
    let s = setup();
    b.bench(|| {
        s.runtime.block_on(async {
            let r = s.bare.get(&s.url).send().await.unwrap();
            r.bytes().await.unwrap()
        })
    });
}

#[divan::bench(sample_count = 3000)]
fn through_triage(b: Bencher) {
    let s = setup();
    b.bench(|| {
        s.runtime.block_on(async {
            let r = s.layer.get(&s.url).send().await.unwrap();
            r.bytes().await.unwrap()
        })
    });
}

#[divan::bench(sample_count = 3000)]
fn through_triage_with_a_cached_token(b: Bencher) {
    let s = setup();
    let tenant = Tenant::new("acme-42");
    b.bench(|| {
        s.runtime.block_on(async {
            let r = s
                .with_tokens
                .get(&s.url)
                .with_extension(tenant.clone())
                .send()
                .await
                .unwrap();
            r.bytes().await.unwrap()
        })
    });
}
