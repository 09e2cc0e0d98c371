//! `StatusStrategy` inside reqwest-retry's own middleware, against a real
//! server on 127.0.0.1.
#![cfg(feature = "reqwest-retry")]

use std::time::Duration;

use debitura_triage_reqwest::StatusStrategy;
use reqwest_retry::policies::ExponentialBackoff;
use reqwest_retry::RetryTransientMiddleware;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn sends_for(statuses: &[u16]) -> (u16, usize) {
    let server = MockServer::start().await;
    for &status in statuses {
        Mock::given(path("/v1/cases"))
            .respond_with(ResponseTemplate::new(status))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    let policy = ExponentialBackoff::builder()
        .retry_bounds(Duration::from_millis(1), Duration::from_millis(2))
        .build_with_max_retries(3);
    let retry = RetryTransientMiddleware::new_with_policy_and_strategy(policy, StatusStrategy);
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(retry)
        .build();
    let status = client
        .post(format!("{}/v1/cases", server.uri()))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (status, server.received_requests().await.unwrap().len())
}

#[tokio::test]
async fn backoff_statuses_are_transient_and_the_rest_fatal() {
    assert_eq!(sends_for(&[429, 429, 200]).await, (200, 3));
    // The strategy never sees the request, so nothing says a resend after
    // a failure of unknown outcome is safe.
    assert_eq!(sends_for(&[503, 200]).await, (503, 1));
    assert_eq!(sends_for(&[500, 201]).await, (500, 1));
    assert_eq!(
        sends_for(&[401, 200]).await,
        (401, 1),
        "no token refresh here"
    );
    assert_eq!(sends_for(&[422, 200]).await, (422, 1));
    assert_eq!(sends_for(&[418, 200]).await, (418, 1));
}
