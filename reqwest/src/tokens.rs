//! Customer API bearer tokens: where the layer gets them, and a ready
//! source that mints them with the Referral Partner API.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use debitura_triage::{Environment, Operation, Query};
use http::HeaderValue;
use tokio::time::Instant;

use crate::failure::{diagnose_failure, no_response, read_bounded};

/// What a [`TokenSource`] fails with. An [`Error`](crate::Error) inside it (as
/// [`OAuthTokens`] gives, e.g. `token-minting-not-found` for a tenant with
/// no active client link) reaches the caller as it is.
pub type TokenError = Box<dyn std::error::Error + Send + Sync>;

/// A bearer token, kept as the ready `Authorization: Bearer …` header
/// value (marked sensitive), so that each request only copies a reference.
/// It is a secret: neither `Debug` nor any error shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(HeaderValue);

impl BearerToken {
    /// Wraps the `accessToken` a mint returned; `None` when it holds
    /// characters a header cannot carry.
    #[must_use]
    pub fn new(token: &str) -> Option<Self> {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
        value.set_sensitive(true);
        Some(BearerToken(value))
    }

    /// The `Authorization` header value.
    pub(crate) fn header(&self) -> &HeaderValue {
        &self.0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(…)")
    }
}

/// Where the layer gets Customer API tokens for a tenant (the
/// `externalTenantId` of a client).
///
/// `stale` is the token the API just refused with a `token-refresh`
/// answer: the source must not hand it out again. When several requests
/// refuse the same token at once, a source should mint one replacement and
/// give it to all of them (as [`OAuthTokens`] does).
pub trait TokenSource: Send + Sync + 'static {
    /// A token for `tenant` other than `stale`.
    fn token(
        &self,
        tenant: &str,
        stale: Option<&BearerToken>,
    ) -> impl Future<Output = Result<BearerToken, TokenError>> + Send;
}

/// No token source: requests carry whatever `Authorization` the caller set,
/// and a `token-refresh` answer fails with [`Reason::NoTokenSource`](crate::Reason::NoTokenSource).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTokens;

impl TokenSource for NoTokens {
    async fn token(&self, _: &str, _: Option<&BearerToken>) -> Result<BearerToken, TokenError> {
        Err("no token source is configured".into())
    }
}

/// Mints tokens with `POST /oauth/token` on the Referral Partner API
/// (`XApiKey` header, body `{"externalTenantId": …}`), caches each tenant's
/// token until shortly before its `expiresIn` runs out, and mints at most
/// one token at a time per tenant: concurrent requests for a tenant whose
/// token expired or was refused wait for the same mint.
///
/// A cached token is replaced a minute before it expires (or after half its
/// life, for one that lives under two minutes), so that it does not expire
/// in flight.
pub struct OAuthTokens {
    client: reqwest::Client,
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

    /// Mints at `base_url` (scheme and host, e.g. a local fake's
    /// `http://127.0.0.1:8080`) instead of Debitura's documented host.
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
            client,
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
            .header(API_KEY_HEADER, &self.api_key)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        let context = Query::new().operation(Operation::MintToken);
        let mut response = match sent {
            Ok(r) if r.status().is_success() => r,
            Ok(r) => return Err(Box::new(diagnose_failure(r, &context).await?)),
            Err(e) => return Err(Box::new(no_response(&context, e))),
        };
        let (bytes, _) = read_bounded(&mut response, MAX_MINT_BODY).await?;
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

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl TokenSource for OAuthTokens {
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
