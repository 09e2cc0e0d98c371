//! Missing events and test deliveries, carried out: the subscriptions and
//! why one is disabled, the deliveries that failed, replaying them and
//! firing test events, every request through the [`Triage`](crate::Triage)
//! layer of the client it is given (so that a replay whose outcome is
//! unknown is never sent again, a 429's delay is honoured and a refused
//! token is replaced once).
//!
//! ```no_run
//! use debitura_triage_reqwest::webhooks::{Api, Endpoints, WebhookClient};
//! use debitura_triage_reqwest::{Environment, OAuthTokens, Triage};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let key = std::env::var("DEBITURA_API_KEY")?;
//! let http = reqwest::Client::new();
//! let tokens = OAuthTokens::new(http.clone(), Environment::Test, key.clone());
//! let client = reqwest_middleware::ClientBuilder::new(http).with(Triage::with_tokens(tokens)).build();
//! let webhooks = WebhookClient::new(client, Endpoints::of(Environment::Test), key);
//! for s in webhooks.subscriptions(Api::ReferralPartner, None).await? {
//!     println!("{} {} {:?}", s.url, s.active, s.disabled_reason);
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::Arc;

use debitura_triage::{
    diagnose, diagnose_response, Diagnosis, Environment, Operation, Query, RuleId,
};
use reqwest_middleware::ClientWithMiddleware;
use serde_json::{json, Map, Value};

use crate::{Error, Tenant};

/// The longest answer read from a list (subscriptions, the delivery log);
/// one that goes on is refused, not cut.
pub const MAX_LIST: usize = 8 * 1024 * 1024;

/// The longest answer read from anything else.
const MAX_ANSWER: usize = 64 * 1024;

/// Which of Debitura's APIs a subscription belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Api {
    /// The Referral Partner API (`XApiKey`): `/v1/Webhooks`.
    ReferralPartner,
    /// The Customer API (a client's bearer token): `/webhooks`.
    Customer,
}

impl Api {
    /// `referral-partner` or `customer`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Api::ReferralPartner => "referral-partner",
            Api::Customer => "customer",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the two APIs are: Debitura's hosts for an environment, or one base
/// URL for both (a gateway, or a test server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    referral: String,
    customer: String,
    environment: Option<Environment>,
}

impl Endpoints {
    /// Debitura's hosts for `environment`, from the vocabulary.
    #[must_use]
    pub fn of(environment: Environment) -> Self {
        let host = |api: Operation| {
            api.host(environment)
                .map_or_else(String::new, |h| format!("https://{h}"))
        };
        Endpoints {
            referral: host(Operation::ReferralApi),
            customer: host(Operation::CustomerApi),
            environment: Some(environment),
        }
    }

    /// Both APIs under `base_url` (no trailing `/` needed); `environment`
    /// is the one it stands for, when it stands for one (the test trigger
    /// is refused in production and when it is not known).
    #[must_use]
    pub fn at(base_url: &str, environment: Option<Environment>) -> Self {
        let base = base_url.trim_end_matches('/').to_owned();
        Endpoints {
            referral: base.clone(),
            customer: base,
            environment,
        }
    }

    /// The environment these endpoints stand for, when known.
    #[must_use]
    pub fn environment(&self) -> Option<Environment> {
        self.environment
    }
}

/// A webhook subscription, as either API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The API it belongs to.
    pub api: Api,
    /// Its id.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// The events it listens for.
    pub events: Vec<String>,
    /// Whether deliveries are made.
    pub active: bool,
    /// Whether it is a test subscription, when the API says.
    pub test_mode: Option<bool>,
    /// Why it was disabled, when it was (`Exceeded maximum retry attempts
    /// (8 failures)`, `Endpoint returned 410 Gone`).
    pub disabled_reason: Option<String>,
}

impl Subscription {
    /// The catalog's answer to its disable reason, when it has one.
    #[must_use]
    pub fn diagnosis(&self) -> Option<Diagnosis> {
        self.disabled_reason
            .as_deref()
            .map(|reason| diagnose(&Query::new().delivery_error(reason)))
    }
}

/// One event's delivery, as the Customer API's delivery log lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The event's id: what a replay names.
    pub id: String,
    /// The event's type (`eventType`, or `event`), when the row gives it.
    pub event: Option<String>,
    /// The subscription it went to (`subscriptionId`, or `webhookId`), when
    /// the row gives it.
    pub subscription: Option<String>,
    /// The case it concerns (`caseId`), when the row gives it.
    pub case_id: Option<String>,
    /// Attempts made (`attemptCount`).
    pub attempt_count: Option<u64>,
    /// The receiver's last answer (`lastResponseCode`).
    pub last_response_code: Option<u64>,
    /// The last failure as the log words it (`lastError`).
    pub last_error: Option<String>,
    /// When it was answered 2xx (`deliveredAt`); none while it is not.
    pub delivered_at: Option<String>,
}

impl Delivery {
    /// Whether the receiver has not answered it 2xx: no `deliveredAt`, or a
    /// last answer outside 200–299.
    #[must_use]
    pub fn missed(&self) -> bool {
        self.delivered_at.is_none()
            || self
                .last_response_code
                .is_some_and(|c| !(200..300).contains(&c))
    }

    /// The catalog's answer to its last failure (the webhook-delivery
    /// rules: what to fix at the receiver).
    pub fn diagnosis(&self) -> Diagnosis {
        let text = match (&self.last_error, self.last_response_code) {
            (Some(error), _) => error.clone(),
            (None, Some(code)) => format!("HTTP {code}"),
            (None, None) => String::new(),
        };
        let query = if text.is_empty() {
            Query::new().symptom(debitura_triage::Symptom::WebhookDeliveryFailed)
        } else {
            Query::new().delivery_error(&text)
        };
        diagnose(&query)
    }
}

/// What became of a replay.
#[derive(Debug)]
pub enum Replayed {
    /// Debitura accepted it: the event goes out again as attempt 1, with
    /// `X-Debitura-Replay: true`.
    Sent,
    /// The request went out and no answer says whether Debitura acted on it
    /// (a 5xx, a dropped connection): it was not sent again, since each
    /// replay delivers again. Look at the delivery log before replaying it.
    Unknown(WebhookError),
    /// Refused, or never sent.
    Failed(WebhookError),
}

/// A test event's answer (`TriggerTestWebhookResponse`).
#[derive(Debug, Clone)]
pub struct Triggered {
    /// The event fired (`eventType`).
    pub event_type: Option<String>,
    /// Deliveries queued (`enqueuedCount`).
    pub enqueued_count: Option<u64>,
    /// Debitura's words (`message`).
    pub message: Option<String>,
    /// The catalog's answer when nothing was queued (no active
    /// subscription listens for the event).
    pub diagnosis: Option<Diagnosis>,
}

/// What a test event is about: a case (case events) or a client (client
/// events).
#[derive(Debug, Clone, Copy)]
pub enum TriggerFor<'a> {
    /// `caseId`.
    Case(&'a str),
    /// `externalTenantId`.
    Client(&'a str),
}

/// Why a webhook request gave no usable answer.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// The call failed: Debitura's answer diagnosed by the catalog (see
    /// [`Error::of`]), or no answer at all.
    Call(reqwest_middleware::Error),
    /// The answer is not what the API documents.
    Answer(String),
    /// A Customer API request needs the client's `externalTenantId`.
    NoTenant,
    /// The test trigger exists only in the test environment; nothing was
    /// sent.
    NotInTest,
}

impl WebhookError {
    /// The catalog's diagnosis of a failed call, when it has one.
    #[must_use]
    pub fn triage(&self) -> Option<&Error> {
        match self {
            WebhookError::Call(e) => Error::of(e),
            _ => None,
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::Call(e) => match Error::of(e) {
                Some(triage) => write!(f, "{triage}"),
                None => write!(f, "{e}"),
            },
            WebhookError::Answer(what) => write!(f, "unexpected answer: {what}"),
            WebhookError::NoTenant => {
                f.write_str("the Customer API acts for one client: give its externalTenantId")
            }
            WebhookError::NotInTest => f.write_str(
                "test events can be fired in the test environment only; nothing was sent",
            ),
        }
    }
}

impl std::error::Error for WebhookError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WebhookError::Call(e) => Some(e),
            _ => None,
        }
    }
}

/// Reads the subscriptions, the delivery log, and replays and fires events,
/// through a client whose middleware is [`Triage`](crate::Triage) (with a
/// token source, for the Customer API).
#[derive(Clone)]
pub struct WebhookClient {
    client: ClientWithMiddleware,
    endpoints: Endpoints,
    api_key: Arc<str>,
}

impl fmt::Debug for WebhookClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookClient")
            .field("endpoints", &self.endpoints)
            .field("api_key", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl WebhookClient {
    /// A client of `endpoints` sending the Referral Partner API's requests
    /// with `api_key` as `XApiKey`.
    pub fn new(
        client: ClientWithMiddleware,
        endpoints: Endpoints,
        api_key: impl Into<String>,
    ) -> Self {
        WebhookClient {
            client,
            endpoints,
            api_key: api_key.into().into(),
        }
    }

    /// The endpoints it calls.
    #[must_use]
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The subscriptions of `api`: the partner's own (Referral Partner API),
    /// or a client's (`tenant`, Customer API).
    pub async fn subscriptions(
        &self,
        api: Api,
        tenant: Option<&str>,
    ) -> Result<Vec<Subscription>, WebhookError> {
        let (url, request) = match api {
            Api::ReferralPartner => {
                let url = format!("{}/v1/Webhooks", self.endpoints.referral);
                (url.clone(), self.referral(reqwest::Method::GET, &url))
            }
            Api::Customer => {
                let url = format!("{}/webhooks", self.endpoints.customer);
                (
                    url.clone(),
                    self.customer(reqwest::Method::GET, &url, tenant)?,
                )
            }
        };
        let body = self.send(request, MAX_LIST).await?;
        list(&body, &url)?
            .iter()
            .map(|item| subscription(api, item))
            .collect()
    }

    /// The Customer API's delivery log for `tenant` since `since` (as the
    /// API takes it), of one case when `case_id` is given. Rows appear up to
    /// about 30 seconds after an event.
    pub async fn deliveries(
        &self,
        tenant: &str,
        since: &str,
        case_id: Option<&str>,
    ) -> Result<Vec<Delivery>, WebhookError> {
        let mut url = format!(
            "{}/webhooks/events?since={}",
            self.endpoints.customer,
            encode(since)
        );
        if let Some(case) = case_id {
            url += &format!("&caseId={}", encode(case));
        }
        let request = self.customer(reqwest::Method::GET, &url, Some(tenant))?;
        let body = self.send(request, MAX_LIST).await?;
        list(&body, &url)?.iter().map(delivery).collect()
    }

    /// Sets `subscription` active again (RP: `PUT /v1/Webhooks/{id}`; CA:
    /// `PATCH /webhooks/{id}`, for `tenant`).
    pub async fn enable(
        &self,
        subscription: &Subscription,
        tenant: Option<&str>,
    ) -> Result<(), WebhookError> {
        let id = encode(&subscription.id);
        let request = match subscription.api {
            Api::ReferralPartner => {
                let url = format!("{}/v1/Webhooks/{id}", self.endpoints.referral);
                with_json(
                    self.referral(reqwest::Method::PUT, &url),
                    &json!({ "IsActive": true }),
                )
            }
            Api::Customer => {
                let url = format!("{}/webhooks/{id}", self.endpoints.customer);
                with_json(
                    self.customer(reqwest::Method::PATCH, &url, tenant)?,
                    &json!({ "isActive": true }),
                )
            }
        };
        self.send(request, MAX_ANSWER).await.map(drop)
    }

    /// Replays event `event_id` of `tenant`'s delivery log once (`POST
    /// /webhooks/events/{id}/replay`). Never sent twice: each replay
    /// delivers again.
    pub async fn replay(&self, tenant: &str, event_id: &str) -> Replayed {
        let url = format!(
            "{}/webhooks/events/{}/replay",
            self.endpoints.customer,
            encode(event_id)
        );
        let request = match self.customer(reqwest::Method::POST, &url, Some(tenant)) {
            Ok(request) => request,
            Err(e) => return Replayed::Failed(e),
        };
        match self.send(request, MAX_ANSWER).await {
            Ok(_) => Replayed::Sent,
            Err(WebhookError::Call(e)) => match Error::of(&e) {
                Some(triage) if outcome_unknown(triage) => Replayed::Unknown(WebhookError::Call(e)),
                _ => Replayed::Failed(WebhookError::Call(e)),
            },
            Err(e) => Replayed::Failed(e),
        }
    }

    /// Fires a test `event` for a case or a client (`POST /v1/Webhooks/test`,
    /// test environment only: refused before any request otherwise).
    pub async fn trigger(
        &self,
        event: &str,
        about: TriggerFor<'_>,
    ) -> Result<Triggered, WebhookError> {
        if self.endpoints.environment != Some(Environment::Test) {
            return Err(WebhookError::NotInTest);
        }
        let url = format!("{}/v1/Webhooks/test", self.endpoints.referral);
        let body = match about {
            TriggerFor::Case(id) => json!({ "eventType": event, "caseId": id }),
            TriggerFor::Client(id) => json!({ "eventType": event, "externalTenantId": id }),
        };
        let request = with_json(self.referral(reqwest::Method::POST, &url), &body);
        let bytes = self.send(request, MAX_ANSWER).await?;
        let answer: Value = serde_json::from_slice(&bytes)
            .map_err(|e| WebhookError::Answer(format!("{url}: not JSON ({e})")))?;
        let text = |key: &str| {
            field(&answer, key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let enqueued = field(&answer, "enqueuedCount").and_then(Value::as_u64);
        let diagnosis = diagnose_response(
            200,
            &bytes,
            &Query::new().operation(Operation::TriggerTestWebhook),
        )
        .diagnosis();
        Ok(Triggered {
            event_type: text("eventType"),
            enqueued_count: enqueued,
            message: text("message"),
            diagnosis: diagnosis.rule().is_some().then_some(diagnosis),
        })
    }

    fn referral(&self, method: reqwest::Method, url: &str) -> reqwest_middleware::RequestBuilder {
        self.client
            .request(method, url)
            .header("XApiKey", &*self.api_key)
    }

    fn customer(
        &self,
        method: reqwest::Method,
        url: &str,
        tenant: Option<&str>,
    ) -> Result<reqwest_middleware::RequestBuilder, WebhookError> {
        let tenant = tenant
            .filter(|t| !t.is_empty())
            .ok_or(WebhookError::NoTenant)?;
        Ok(self
            .client
            .request(method, url)
            .with_extension(Tenant::new(tenant)))
    }

    /// Sends `request` and reads its body, at most `limit` bytes; a longer
    /// one is refused.
    async fn send(
        &self,
        request: reqwest_middleware::RequestBuilder,
        limit: usize,
    ) -> Result<Vec<u8>, WebhookError> {
        let mut response = request.send().await.map_err(WebhookError::Call)?;
        let url = response.url().to_string();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| WebhookError::Call(e.into()))?
        {
            if body.len() + chunk.len() > limit {
                return Err(WebhookError::Answer(format!(
                    "{url}: the answer is longer than {limit} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// `request` with `body` as its JSON body.
fn with_json(
    request: reqwest_middleware::RequestBuilder,
    body: &Value,
) -> reqwest_middleware::RequestBuilder {
    request
        .header("Content-Type", "application/json")
        .body(body.to_string())
}

/// Whether the core says a failed request may have been acted on.
fn outcome_unknown(error: &Error) -> bool {
    matches!(
        error.rule_id(),
        Some(RuleId::OutcomeUnknownServerError | RuleId::NoResponseOutcomeUnknown)
    )
}

/// The items of a list answer: an array, or an object holding one
/// (`items`, `data`, `value`).
fn list(body: &[u8], url: &str) -> Result<Vec<Value>, WebhookError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| WebhookError::Answer(format!("{url}: not JSON ({e})")))?;
    match value {
        Value::Array(items) => Ok(items),
        Value::Object(mut map) => ["items", "data", "value"]
            .iter()
            .find_map(|k| match map.remove(*k) {
                Some(Value::Array(items)) => Some(items),
                _ => None,
            })
            .ok_or_else(|| WebhookError::Answer(format!("{url}: no list in the answer"))),
        _ => Err(WebhookError::Answer(format!(
            "{url}: no list in the answer"
        ))),
    }
}

/// A field of an object by its name in camelCase or PascalCase (the two
/// APIs spell them so).
fn field<'v>(value: &'v Value, camel: &str) -> Option<&'v Value> {
    let map: &Map<String, Value> = value.as_object()?;
    map.get(camel).or_else(|| {
        let mut pascal = camel.to_owned();
        if let Some(first) = pascal.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        map.get(&pascal)
    })
}

fn text_of(value: &Value, camel: &str) -> Option<String> {
    field(value, camel).and_then(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn subscription(api: Api, item: &Value) -> Result<Subscription, WebhookError> {
    let id = text_of(item, "id")
        .ok_or_else(|| WebhookError::Answer("a subscription without an id".into()))?;
    Ok(Subscription {
        api,
        id,
        url: text_of(item, "url").unwrap_or_default(),
        events: field(item, "events")
            .and_then(Value::as_array)
            .map(|events| {
                events
                    .iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        active: field(item, "isActive")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        test_mode: field(item, "isTestMode").and_then(Value::as_bool),
        disabled_reason: text_of(item, "disabledReason"),
    })
}

fn delivery(item: &Value) -> Result<Delivery, WebhookError> {
    let id = text_of(item, "id")
        .ok_or_else(|| WebhookError::Answer("a delivery without an id".into()))?;
    Ok(Delivery {
        id,
        event: text_of(item, "eventType").or_else(|| text_of(item, "event")),
        subscription: text_of(item, "subscriptionId").or_else(|| text_of(item, "webhookId")),
        case_id: text_of(item, "caseId"),
        attempt_count: field(item, "attemptCount").and_then(Value::as_u64),
        last_response_code: field(item, "lastResponseCode").and_then(Value::as_u64),
        last_error: text_of(item, "lastError"),
        delivered_at: text_of(item, "deliveredAt"),
    })
}

/// `text` percent-encoded for a path segment or a query value: every byte
/// but the unreserved ones.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out += &format!("%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_times_are_encoded_so_that_they_cannot_change_the_path() {
        assert_eq!(encode("e-1"), "e-1");
        assert_eq!(encode("../x?y=1#z"), "..%2Fx%3Fy%3D1%23z");
        assert_eq!(encode("2026-12-01T00:00:00Z"), "2026-12-01T00%3A00%3A00Z");
        assert_eq!(encode("ü"), "%C3%BC");
    }

    #[test]
    fn both_spellings_of_a_subscription_are_read() {
        let rp = json!({"Id": "w-1", "Url": "https://x.example/h", "Events": ["case.created"],
            "IsActive": false, "IsTestMode": true, "DisabledReason": "Endpoint returned 410 Gone"});
        let ca = json!({"id": "w-1", "url": "https://x.example/h", "events": ["case.created"],
            "isActive": false, "isTestMode": true, "disabledReason": "Endpoint returned 410 Gone"});
        let a = subscription(Api::ReferralPartner, &rp).unwrap();
        let b = subscription(Api::ReferralPartner, &ca).unwrap();
        assert_eq!(a, b);
        assert!(!a.active && a.test_mode == Some(true));
        assert_eq!(
            a.diagnosis().and_then(|d| d.rule_id()),
            Some(RuleId::WebhookEndpointGone)
        );
        assert!(subscription(Api::Customer, &json!({"url": "x"})).is_err());
    }

    #[test]
    fn a_delivery_is_missed_until_it_is_answered_2xx() {
        let row = |v: Value| delivery(&v).unwrap();
        assert!(
            row(json!({"id": "e", "attemptCount": 3, "lastError": "HTTP 401: Unauthorized"}))
                .missed()
        );
        assert!(row(json!({"id": "e", "deliveredAt": "t", "lastResponseCode": 500})).missed());
        assert!(!row(json!({"id": "e", "deliveredAt": "t", "lastResponseCode": 200})).missed());
        assert!(!row(json!({"id": "e", "deliveredAt": "t"})).missed());
        let unauthorized = row(json!({"id": "e", "lastError": "HTTP 401: Unauthorized"}));
        assert_eq!(
            unauthorized.diagnosis().rule_id(),
            Some(RuleId::WebhookDeliveryUnauthorized)
        );
        let only_code = row(json!({"id": "e", "lastResponseCode": 404}));
        assert_eq!(
            only_code.diagnosis().rule_id(),
            Some(RuleId::WebhookDeliveryWrongUrl)
        );
    }

    #[test]
    fn a_list_is_an_array_or_an_object_holding_one() {
        assert_eq!(list(b"[1,2]", "u").unwrap().len(), 2);
        assert_eq!(list(br#"{"items":[1]}"#, "u").unwrap().len(), 1);
        assert!(list(br#"{"x":1}"#, "u").is_err());
        assert!(list(b"<html>", "u").is_err());
    }

    #[test]
    fn names_environments_errors_and_numeric_ids_read_as_written() {
        assert_eq!(Api::ReferralPartner.to_string(), "referral-partner");
        assert_eq!(Api::Customer.to_string(), "customer");
        assert_eq!(
            Endpoints::of(Environment::Test).environment(),
            Some(Environment::Test)
        );
        assert_eq!(
            Endpoints::at("http://127.0.0.1:1", None).environment(),
            None
        );
        assert_eq!(
            WebhookError::NotInTest.to_string(),
            "test events can be fired in the test environment only; nothing was sent"
        );
        assert_eq!(
            WebhookError::Answer("u: odd".into()).to_string(),
            "unexpected answer: u: odd"
        );
        assert!(WebhookError::NoTenant
            .to_string()
            .contains("externalTenantId"));
        let failed = WebhookError::Call(reqwest_middleware::Error::middleware(
            std::io::Error::other("refused"),
        ));
        assert!(std::error::Error::source(&failed).is_some());
        assert!(failed.to_string().contains("refused"), "{failed}");
        assert!(std::error::Error::source(&WebhookError::NoTenant).is_none());
        let numeric = subscription(
            Api::ReferralPartner,
            &json!({"Id": 17, "Url": "https://x.example/h", "IsActive": true}),
        )
        .unwrap();
        assert_eq!(numeric.id, "17");
    }

    #[test]
    fn the_api_key_is_not_in_debug() {
        let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).build();
        let webhooks = WebhookClient::new(client, Endpoints::of(Environment::Test), "secret-key-1");
        let shown = format!("{webhooks:?}");
        assert!(
            !shown.contains("secret-key-1") && shown.contains("redacted"),
            "{shown}"
        );
    }
}
