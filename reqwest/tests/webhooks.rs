//! The webhook client against a fake Debitura on 127.0.0.1: a disabled
//! subscription on each API, a delivery log with failed and delivered
//! events, replays answered, refused, lost and left unknown, and the test
//! trigger.

mod support;

use debitura_triage_reqwest::webhooks::{
    Api, Endpoints, Replayed, TriggerFor, WebhookClient, WebhookError,
};
use debitura_triage_reqwest::{Environment, OAuthTokens, RuleId, Triage};
use support::{serve, Fake, Received, Reply};

const KEY: &str = "rp-key-7f3a";
const TOKEN: &str = "tok-91c2";
const TENANT: &str = "acme-42";

const RP_HOOKS: &str = r#"[
  {"Id":"w-rp-1","Url":"https://partner.example/hooks","Events":["case.created","case.closed"],
   "IsActive":false,"IsTestMode":false,"DisabledReason":"Exceeded maximum retry attempts (8 failures)"},
  {"Id":"w-rp-2","Url":"https://partner.example/other","Events":["client.linked"],
   "IsActive":true,"IsTestMode":false,"DisabledReason":null}
]"#;

const CA_HOOKS: &str = r#"[{"id":"w-ca-1","url":"https://partner.example/ca","events":["payment.created"],
  "isActive":true,"isTestMode":true,"disabledReason":null}]"#;

const LOG: &str = r#"[
  {"id":"e-1","eventType":"case.created","subscriptionId":"w-ca-1","caseId":"c-1","attemptCount":8,
   "lastResponseCode":401,"lastError":"HTTP 401: Unauthorized","deliveredAt":null},
  {"id":"e-2","eventType":"case.closed","subscriptionId":"w-ca-1","caseId":"c-1","attemptCount":1,
   "lastResponseCode":200,"lastError":null,"deliveredAt":"2026-12-01T10:00:00Z"},
  {"id":"e-3","eventType":"payment.created","subscriptionId":"w-ca-1","caseId":"c-2","attemptCount":3,
   "lastResponseCode":null,"lastError":"Request timed out after 10 seconds","deliveredAt":null}
]"#;

/// How the fake answers a replay of each event.
fn replay_of(path: &str) -> Reply {
    match path {
        p if p.contains("/e-503/") => Reply::json("503 Service Unavailable", ""),
        p if p.contains("/e-lost/") => Reply::Close,
        p if p.contains("/e-404/") => Reply::json("404 Not Found", r#"{"error":"not_found"}"#),
        _ => Reply::json("202 Accepted", r#"{"replayed":true}"#),
    }
}

fn fake_debitura(r: &Received) -> Reply {
    let path = r.path.as_str();
    match (r.method.as_str(), path) {
        ("POST", "/oauth/token") => Reply::json(
            "200 OK",
            &format!(r#"{{"accessToken":"{TOKEN}","tokenType":"Bearer","expiresIn":1800}}"#),
        ),
        ("GET", "/v1/Webhooks") => Reply::json("200 OK", RP_HOOKS),
        ("GET", "/webhooks") => Reply::json("200 OK", CA_HOOKS),
        ("GET", p) if p.starts_with("/webhooks/events?") => Reply::json("200 OK", LOG),
        ("PUT", "/v1/Webhooks/w-rp-1") | ("PATCH", "/webhooks/w-ca-1") => {
            Reply::json("200 OK", r#"{"isActive":true}"#)
        }
        ("POST", p) if p.ends_with("/replay") => replay_of(p),
        ("POST", "/v1/Webhooks/test") => {
            let body = String::from_utf8_lossy(&r.body);
            let count = if body.contains("payment.deleted") {
                0
            } else {
                2
            };
            Reply::json(
                "200 OK",
                &format!(
                    r#"{{"eventType":"case.updated","enqueuedCount":{count},"message":"queued"}}"#
                ),
            )
        }
        _ => Reply::json("404 Not Found", r#"{"error":"not_found"}"#),
    }
}

async fn client(environment: Option<Environment>) -> (Fake, WebhookClient) {
    let fake = serve(|_, r| fake_debitura(r)).await;
    let http = reqwest::Client::new();
    let tokens = OAuthTokens::with_base_url(http.clone(), &fake.base, KEY);
    let middleware = reqwest_middleware::ClientBuilder::new(http)
        .with(Triage::with_tokens(tokens))
        .build();
    let endpoints = Endpoints::at(&fake.base, environment);
    (fake, WebhookClient::new(middleware, endpoints, KEY))
}

fn header<'r>(r: &'r Received, name: &str) -> Option<&'r str> {
    r.head.lines().find_map(|l| {
        l.split_once(':')
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    })
}

#[tokio::test]
async fn the_disabled_subscription_is_found_with_its_reason_on_each_api() {
    let (fake, webhooks) = client(Some(Environment::Test)).await;
    let rp = webhooks
        .subscriptions(Api::ReferralPartner, None)
        .await
        .unwrap();
    assert_eq!(rp.len(), 2);
    let disabled: Vec<_> = rp.iter().filter(|s| !s.active).collect();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].id, "w-rp-1");
    assert_eq!(
        disabled[0].disabled_reason.as_deref(),
        Some("Exceeded maximum retry attempts (8 failures)")
    );
    assert_eq!(
        disabled[0].diagnosis().and_then(|d| d.rule_id()),
        Some(RuleId::WebhookDisabledAfterFailures)
    );
    let ca = webhooks
        .subscriptions(Api::Customer, Some(TENANT))
        .await
        .unwrap();
    assert_eq!(
        (ca.len(), ca[0].api, ca[0].active),
        (1, Api::Customer, true)
    );
    assert!(matches!(
        webhooks.subscriptions(Api::Customer, None).await,
        Err(WebhookError::NoTenant)
    ));
    let seen = fake.received();
    let rp_list = seen.iter().find(|r| r.path == "/v1/Webhooks").unwrap();
    assert_eq!(header(rp_list, "xapikey"), Some(KEY));
    assert_eq!(header(rp_list, "authorization"), None);
    let ca_list = seen.iter().find(|r| r.path == "/webhooks").unwrap();
    assert_eq!(
        header(ca_list, "authorization"),
        Some(&*format!("Bearer {TOKEN}"))
    );
    let mint = seen.iter().find(|r| r.path == "/oauth/token").unwrap();
    assert!(String::from_utf8_lossy(&mint.body).contains(TENANT));
}

#[tokio::test]
async fn missed_lists_exactly_the_failed_deliveries_each_with_its_rule() {
    let (fake, webhooks) = client(Some(Environment::Test)).await;
    let log = webhooks
        .deliveries(TENANT, "2026-12-01T00:00:00Z", Some("c 1/x"))
        .await
        .unwrap();
    let missed: Vec<_> = log.iter().filter(|d| d.missed()).collect();
    let ids: Vec<&str> = missed.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["e-1", "e-3"]);
    let rules: Vec<_> = missed.iter().map(|d| d.diagnosis().rule_id()).collect();
    assert_eq!(
        rules,
        [
            Some(RuleId::WebhookDeliveryUnauthorized),
            Some(RuleId::WebhookDeliveryTimeout)
        ]
    );
    assert_eq!(missed[0].subscription.as_deref(), Some("w-ca-1"));
    let asked = fake
        .received()
        .into_iter()
        .find(|r| r.path.starts_with("/webhooks/events"))
        .unwrap();
    assert_eq!(
        asked.path,
        "/webhooks/events?since=2026-12-01T00%3A00%3A00Z&caseId=c%201%2Fx"
    );
}

#[tokio::test]
async fn a_subscription_is_enabled_and_each_missed_event_replayed_once() {
    let (fake, webhooks) = client(Some(Environment::Test)).await;
    let rp = webhooks
        .subscriptions(Api::ReferralPartner, None)
        .await
        .unwrap();
    let disabled = rp.iter().find(|s| !s.active).unwrap();
    webhooks.enable(disabled, None).await.unwrap();
    let ca = webhooks
        .subscriptions(Api::Customer, Some(TENANT))
        .await
        .unwrap();
    webhooks.enable(&ca[0], Some(TENANT)).await.unwrap();
    for id in ["e-1", "e-3"] {
        assert!(matches!(webhooks.replay(TENANT, id).await, Replayed::Sent));
    }
    let seen = fake.received();
    let put = seen.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(put.path, "/v1/Webhooks/w-rp-1");
    assert_eq!(String::from_utf8_lossy(&put.body), r#"{"IsActive":true}"#);
    let patch = seen.iter().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(String::from_utf8_lossy(&patch.body), r#"{"isActive":true}"#);
    let replays: Vec<&str> = seen
        .iter()
        .filter(|r| r.path.ends_with("/replay"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(
        replays,
        ["/webhooks/events/e-1/replay", "/webhooks/events/e-3/replay"]
    );
}

#[tokio::test]
async fn a_replay_answered_503_or_cut_off_is_unknown_and_not_sent_again() {
    let (fake, webhooks) = client(Some(Environment::Test)).await;
    for id in ["e-503", "e-lost"] {
        match webhooks.replay(TENANT, id).await {
            Replayed::Unknown(e) => {
                let triage = e.triage().expect("the core's answer");
                assert_eq!(triage.attempts(), 1, "{id}");
            }
            other => panic!("{id}: {other:?}"),
        }
        let sent = fake
            .received()
            .iter()
            .filter(|r| r.path.contains(&format!("/{id}/")))
            .count();
        assert_eq!(sent, 1, "{id} was sent once");
    }
    match webhooks.replay(TENANT, "e-404").await {
        Replayed::Failed(e) => assert_eq!(e.triage().and_then(|t| t.status()), Some(404)),
        other => panic!("e-404: {other:?}"),
    }
}

#[tokio::test]
async fn a_test_event_is_fired_in_the_test_environment_only() {
    let (fake, webhooks) = client(Some(Environment::Test)).await;
    let fired = webhooks
        .trigger("case.updated", TriggerFor::Case("c-1"))
        .await
        .unwrap();
    assert_eq!(fired.enqueued_count, Some(2));
    assert!(fired.diagnosis.is_none());
    let none = webhooks
        .trigger("payment.deleted", TriggerFor::Client(TENANT))
        .await
        .unwrap();
    assert_eq!(none.enqueued_count, Some(0));
    assert_eq!(
        none.diagnosis.and_then(|d| d.rule_id()),
        Some(RuleId::TestWebhookNotEnqueued)
    );
    assert_eq!(fake.count(), 2);
    for environment in [Some(Environment::Production), None] {
        let (fake, webhooks) = client(environment).await;
        assert!(matches!(
            webhooks
                .trigger("case.updated", TriggerFor::Case("c-1"))
                .await,
            Err(WebhookError::NotInTest)
        ));
        assert_eq!(fake.count(), 0, "nothing sent for {environment:?}");
    }
}

/// A list of one subscription padded with spaces to `len` bytes.
fn padded_list(len: usize) -> String {
    let mut list = String::from(
        r#"[{"Id":"w-1","Url":"https://x.example/h","Events":["case.created"],"IsActive":false}"#,
    );
    list.push_str(&" ".repeat(len - list.len() - 1));
    list.push(']');
    list
}

#[tokio::test]
async fn answers_are_read_up_to_their_limit_and_refused_beyond_it() {
    use debitura_triage_reqwest::webhooks::MAX_LIST;
    let at_limit = padded_list(MAX_LIST);
    let over = padded_list(MAX_LIST + 1);
    // An answer to an enable: 2 KiB is read; over 64 KiB is refused.
    let long = format!(r#"{{"IsActive":true,"Note":"{}"}}"#, "x".repeat(2000));
    let too_long = format!(r#"{{"IsActive":true,"Note":"{}"}}"#, "x".repeat(64 * 1024));
    // A delivery log of 2 MiB is ordinary: read.
    let two_mib = padded_list(2 * 1024 * 1024);
    let fake = serve(move |n, r| match (n, r.method.as_str()) {
        (0, "GET") => Reply::json("200 OK", &two_mib),
        (1, "GET") => Reply::json("200 OK", &at_limit),
        (2, "GET") => Reply::json("200 OK", &over),
        (3, "PUT") => Reply::json("200 OK", &long),
        (4, "PUT") => Reply::json("200 OK", &too_long),
        _ => Reply::json("404 Not Found", "{}"),
    })
    .await;
    let middleware = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(Triage::new())
        .build();
    let webhooks = WebhookClient::new(
        middleware,
        Endpoints::at(&fake.base, Some(Environment::Test)),
        KEY,
    );
    webhooks
        .subscriptions(Api::ReferralPartner, None)
        .await
        .expect("a list of 2 MiB is read");
    let listed = webhooks
        .subscriptions(Api::ReferralPartner, None)
        .await
        .expect("a list of exactly MAX_LIST bytes is read");
    assert_eq!(listed.len(), 1);
    let refused = webhooks.subscriptions(Api::ReferralPartner, None).await;
    assert!(
        matches!(&refused, Err(WebhookError::Answer(what)) if what.contains("longer than")),
        "{refused:?}"
    );
    webhooks
        .enable(&listed[0], None)
        .await
        .expect("a 2 KiB answer is read");
    let refused = webhooks.enable(&listed[0], None).await;
    assert!(
        matches!(&refused, Err(WebhookError::Answer(what)) if what.contains("longer than")),
        "{refused:?}"
    );
}
