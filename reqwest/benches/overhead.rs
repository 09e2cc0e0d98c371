//! The layer's cost on the success path: one GET answered 200 by a server
//! on 127.0.0.1, sent by bare reqwest, through `Triage` without tokens (its
//! retry budget on, as always), through `Triage` with a deadline, and
//! through `Triage` with a cached bearer token for a tenant. The layer reads
//! nothing of a success, so the difference is its own work per request:
//! finding the operation, the budget's deposit, and the deadline's timer.
//! Before timing, each way is checked to give the same answer.
//!
//! `cargo bench -p debitura-triage-reqwest --bench overhead`

use std::sync::OnceLock;
use std::time::Duration;

use debitura_triage_reqwest::{OAuthTokens, Tenant, Triage};
use divan::Bencher;
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware};
use serde_json::json;
use tokio::runtime::Runtime;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn main() {
    same_answers();
    divan::main();
}

struct Setup {
    runtime: Runtime,
    /// Kept alive for the benchmarks' whole run.
    _server: MockServer,
    url: String,
    bare: reqwest::Client,
    layer: ClientWithMiddleware,
    with_deadline: ClientWithMiddleware,
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
            with_deadline: ClientBuilder::new(bare.clone())
                .with(Triage::new().deadline(Duration::from_secs(30)))
                .build(),
            with_tokens: ClientBuilder::new(bare.clone())
                .with(Triage::with_tokens(tokens))
                .build(),
            bare,
            runtime,
            _server: server,
        }
    })
}

/// Checks, before any timing, that every way answers alike.
fn same_answers() {
    let s = setup();
    let tenant = Tenant::new("acme-42");
    s.runtime.block_on(async {
        let bare = s.bare.get(&s.url).send().await.unwrap();
        let want = (bare.status(), bare.bytes().await.unwrap());
        let sent = [
            s.layer.get(&s.url),
            s.with_deadline.get(&s.url),
            s.with_tokens.get(&s.url).with_extension(tenant),
        ];
        for request in sent {
            let r = request.send().await.unwrap();
            assert_eq!((r.status(), r.bytes().await.unwrap()), want);
        }
    });
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
fn through_triage_with_a_deadline(b: Bencher) {
    let s = setup();
    b.bench(|| {
        s.runtime.block_on(async {
            let r = s.with_deadline.get(&s.url).send().await.unwrap();
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

/// The layer's own work alone, with no network: a last middleware answers
/// 200 in place of the connection, so that the loopback's noise (tens of
/// microseconds between runs) does not hide a cost of well under one.
mod in_process {
    use std::sync::OnceLock;
    use std::time::Duration;

    use debitura_triage_reqwest::{Operation, Triage};
    use divan::Bencher;
    use http::Extensions;
    use reqwest::{Request, Response};
    use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, Middleware, Next};

    /// Answers every request 200 without sending it.
    struct Answer200;

    #[async_trait::async_trait]
    impl Middleware for Answer200 {
        async fn handle(
            &self,
            _: Request,
            _: &mut Extensions,
            _: Next<'_>,
        ) -> reqwest_middleware::Result<Response> {
            Ok(Response::from(http::Response::new("{\"id\":\"c-1\"}")))
        }
    }

    struct Clients {
        runtime: tokio::runtime::Runtime,
        none: ClientWithMiddleware,
        triage: ClientWithMiddleware,
        with_deadline: ClientWithMiddleware,
    }

    fn clients() -> &'static Clients {
        static CLIENTS: OnceLock<Clients> = OnceLock::new();
        CLIENTS.get_or_init(|| {
            let http = reqwest::Client::new();
            let with = |layer: Option<Triage>| {
                let builder = ClientBuilder::new(http.clone());
                match layer {
                    Some(layer) => builder.with(layer),
                    None => builder,
                }
                .with(Answer200)
                .build()
            };
            let clients = Clients {
                runtime: tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap(),
                none: with(None),
                triage: with(Some(Triage::new())),
                with_deadline: with(Some(Triage::new().deadline(Duration::from_secs(30)))),
            };
            // The same answer every way, before any timing.
            clients.runtime.block_on(async {
                for client in [&clients.none, &clients.triage, &clients.with_deadline] {
                    let r = send(client).await;
                    assert_eq!(r.status(), 200);
                    assert_eq!(&r.bytes().await.unwrap()[..], b"{\"id\":\"c-1\"}");
                }
            });
            clients
        })
    }

    const URL: &str = "https://testcustomer-api.debitura.com/v1/cases/c-1";

    async fn send(client: &ClientWithMiddleware) -> Response {
        client
            .get(URL)
            .with_extension(Operation::GetCase)
            .send()
            .await
            .unwrap()
    }

    fn run(b: Bencher, pick: fn(&Clients) -> &ClientWithMiddleware) {
        let c = clients();
        let client = pick(c);
        b.bench(|| c.runtime.block_on(send(client)));
    }

    #[divan::bench(sample_count = 2000, sample_size = 10)]
    fn no_layer(b: Bencher) {
        run(b, |c| &c.none);
    }

    #[divan::bench(sample_count = 2000, sample_size = 10)]
    fn triage_with_its_budget(b: Bencher) {
        run(b, |c| &c.triage);
    }

    #[divan::bench(sample_count = 2000, sample_size = 10)]
    fn triage_with_its_budget_and_a_deadline(b: Bencher) {
        run(b, |c| &c.with_deadline);
    }
}
