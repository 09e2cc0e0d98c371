//! Customer API bearer tokens: where the layer gets them.

use std::fmt;
use std::future::Future;

use http::HeaderValue;

use crate::budget::RetryBudget;

/// What a [`TokenSource`] fails with. An [`Error`](crate::Error) inside it (as
/// [`OAuthTokens`](crate::OAuthTokens) gives, e.g. `token-minting-not-found` for a tenant with
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
/// give it to all of them (as [`OAuthTokens`](crate::OAuthTokens) does).
pub trait TokenSource: Send + Sync + 'static {
    /// A token for `tenant` other than `stale`.
    fn token(
        &self,
        tenant: &str,
        stale: Option<&BearerToken>,
    ) -> impl Future<Output = Result<BearerToken, TokenError>> + Send;

    /// Called by [`Triage::with_tokens`](crate::Triage::with_tokens) and
    /// [`Triage::budget`](crate::Triage::budget) with the layer's budget, so
    /// that a source that calls Debitura (as [`OAuthTokens`](crate::OAuthTokens) does) can draw
    /// its own resends from it. The default ignores it.
    fn use_budget(&mut self, budget: &RetryBudget) {
        let _ = budget;
    }
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
