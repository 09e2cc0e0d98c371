//! A ready token source: mints Customer API tokens with the Referral
//! Partner API, through the layer's own policy.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use debitura_triage::{Environment, Operation};
use reqwest_middleware::ClientWithMiddleware;
use tokio::time::Instant;

use crate::budget::RetryBudget;
use crate::error::{DeadlinePassed, Error};
use crate::failure::{read_bounded, BodyEnd};
use crate::layer::Triage;
use crate::tokens::{BearerToken, TokenError, TokenSource};

/// Mints tokens with `POST /oauth/token` on the Referral Partner API
/// (`XApiKey` header, body `{"externalTenantId": …}`), caches each tenant's
/// token until shortly before its `expiresIn` runs out, and mints at most
/// one token at a time per tenant: concurrent requests for a tenant whose
/// token expired or was refused wait for the same mint.
///
/// A cached token is replaced a minute before it expires (or after half its
/// life, for one that lives under two minutes), so that it does not expire
/// in flight. A mint follows the same policy as any other call: it goes
/// through a [`Triage`] of its own, so that a `503` is backed off within the
/// budget (the layer's, once it is given to [`Triage::with_tokens`]), and a
/// failure is the typed [`Error`](crate::Error) for `mint-token`.
pub struct OAuthTokens {
    http: reqwest::Client,
    client: ClientWithMiddleware,
    endpoint: String,
    api_key: String,
    tenants: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Cached>>>>>,
}

struct Cached {
    token: BearerToken,
    renew_at: Instant,
}

/// Longest mint response read; a real one is a few hundred bytes.
const MAX_MINT_BODY: usize = 16 * 1024;

/// The Referral Partner API's authentication header.
const API_KEY_HEADER: &str = "XApiKey";

impl OAuthTokens {
    /// Mints with `api_key` on `environment`'s Referral Partner API host.
    pub fn new(
        client: reqwest::Client,
        environment: Environment,
        api_key: impl Into<String>,
    ) -> Self {
        let host = Operation::MintToken.host(environment).unwrap_or_default();
        OAuthTokens::with_base_url(client, format!("https://{host}"), api_key)
    }

    /// Mints at `base_url` (scheme and host, and a path prefix if any: a
    /// proxy, a gateway, or a local fake's `http://127.0.0.1:8080`) instead of
    /// Debitura's documented host.
    ///
    /// ```
    /// use debitura_triage_reqwest::{OAuthTokens, Triage};
    ///
    /// let http = reqwest::Client::new();
    /// let tokens = OAuthTokens::with_base_url(http.clone(), "http://127.0.0.1:8080", "test-key");
    /// let client = reqwest_middleware::ClientBuilder::new(http)
    ///     .with(Triage::with_tokens(tokens))
    ///     .build();
    /// # drop(client);
    /// ```
    pub fn with_base_url(
        client: reqwest::Client,
        base_url: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        let (_, path) = Operation::MintToken
            .routes()
            .next()
            .unwrap_or(("POST", "/oauth/token"));
        OAuthTokens {
            client: mint_client(&client, RetryBudget::default()),
            http: client,
            endpoint: format!("{}{path}", base_url.into().trim_end_matches('/')),
            api_key: api_key.into(),
            tenants: Mutex::new(HashMap::new()),
        }
    }

    async fn mint(&self, tenant: &str) -> Result<Cached, TokenError> {
        let body = serde_json::json!({ "externalTenantId": tenant }).to_string();
        let sent = self
            .client
            .post(&self.endpoint)
            .with_extension(Operation::MintToken)
            .header(API_KEY_HEADER, &self.api_key)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let mut response = match sent {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => return Err(format!("the token mint answered {}", r.status()).into()),
            Err(reqwest_middleware::Error::Middleware(e)) => {
                return Err(match e.downcast::<Error>() {
                    Ok(own) => Box::new(own),
                    Err(other) => other.into(),
                })
            }
            Err(reqwest_middleware::Error::Reqwest(e)) => return Err(Box::new(e)),
        };
        let bytes = match read_bounded(&mut response, MAX_MINT_BODY, None).await {
            (bytes, BodyEnd::Whole) => bytes,
            (_, BodyEnd::Cut) => return Err("the token response is longer than 16 KiB".into()),
            (_, BodyEnd::Failed(e)) => return Err(Box::new(e)),
            (_, BodyEnd::Late) => return Err(Box::new(DeadlinePassed)),
        };
        let parsed: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("the token response is not JSON: {e}"))?;
        let token = parsed["accessToken"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or("the token response has no `accessToken`")?;
        let lifetime = Duration::from_secs(parsed["expiresIn"].as_u64().unwrap_or(0));
        let margin = Duration::from_secs(60).min(lifetime / 2);
        Ok(Cached {
            token: BearerToken::new(token).ok_or("the `accessToken` cannot be sent in a header")?,
            renew_at: Instant::now() + (lifetime - margin),
        })
    }
}

/// The client mints go through: the policy's own layer on `http`.
fn mint_client(http: &reqwest::Client, budget: RetryBudget) -> ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(http.clone())
        .with(Triage::new().budget(budget))
        .build()
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl TokenSource for OAuthTokens {
    fn use_budget(&mut self, budget: &RetryBudget) {
        self.client = mint_client(&self.http, budget.clone());
    }

    async fn token(
        &self,
        tenant: &str,
        stale: Option<&BearerToken>,
    ) -> Result<BearerToken, TokenError> {
        let slot = {
            let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
            // Looked up before inserting, so a known tenant costs no allocation.
            match tenants.get(tenant) {
                Some(slot) => Arc::clone(slot),
                None => Arc::clone(tenants.entry(tenant.to_owned()).or_default()),
            }
        };
        // One mint per tenant at a time: whoever waits here finds the
        // token the first one minted.
        let mut cached = slot.lock().await;
        if let Some(c) = cached.as_ref() {
            if Instant::now() < c.renew_at && Some(&c.token) != stale {
                return Ok(c.token.clone());
            }
        }
        let fresh = self.mint(tenant).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }
}
