//! Carries out [`debitura_triage`]'s decisions inside a `reqwest` client.
//!
//! [`Triage`] is a [`reqwest_middleware::Middleware`]. On every failed
//! response (status 400 or above) it reads the body, bounded by
//! [`MAX_SCAN`], lets the core diagnose it with
//! the request's operation, and does what the answer's [`Retry`] says:
//!
//! - `token-refresh`: asks its [`TokenSource`] for a new bearer token and
//!   sends once more; the same failure after the refresh is the core's
//!   `client-link-invalid` answer, which is never retried;
//! - `backoff`: sends again within the rule's [`Backoff`] bounds, waiting
//!   exponentially longer with jitter, never less than the server's
//!   `retryAfter` body field or `Retry-After` header when the rule honours
//!   it, and always with the same `Idempotency-Key` (one is added to a write
//!   that takes it when the caller sent none). A request that got no
//!   response at all (connection refused or reset, timeout) is the core's
//!   `no-response` answer and is backed off the same way;
//! - `never`, `after-user-action`, or no rule: stops, and the call fails
//!   with an [`Error`] that carries the status, rule, cause, solution, the
//!   URL to show the user, the server's delay and every error of the body.
//!
//! Successful responses pass through untouched: the layer reads nothing.
//!
//! Every call through one `Triage` draws its resends from a shared
//! [`RetryBudget`] (one account per API host), may have a [`Deadline`], and
//! can be marked [`NoResend`]; a failure of a sent request always reaches
//! the caller as the typed [`Error`], whose [`Reason`] says why the layer
//! stopped.
//!
//! ```no_run
//! use debitura_triage_reqwest::{Environment, OAuthTokens, Tenant, Triage};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let http = reqwest::Client::new();
//! let tokens = OAuthTokens::new(http.clone(), Environment::Test, std::env::var("XAPIKEY")?);
//! let client = reqwest_middleware::ClientBuilder::new(http).with(Triage::with_tokens(tokens)).build();
//!
//! let sent = client
//!     .post("https://testcustomer-api.debitura.com/v1/cases")
//!     .with_extension(Tenant::new("acme-42"))
//!     .body(r#"{"creditorReference":"INV-1"}"#)
//!     .send()
//!     .await;
//! match sent {
//!     Ok(response) => println!("created: {}", response.status()),
//!     Err(e) => match debitura_triage_reqwest::Error::of(&e) {
//!         Some(triage) => eprintln!("{triage}"), // cause, solution, URL to show
//!         None => eprintln!("{e}"),
//!     },
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod budget;
mod error;
mod failure;
mod layer;
mod oauth;
#[cfg(feature = "reqwest-retry")]
#[cfg_attr(docsrs, doc(cfg(feature = "reqwest-retry")))]
mod strategy;
mod tokens;
pub mod webhooks;

pub use budget::RetryBudget;
pub use debitura_triage::call::InvalidBudget;
pub use debitura_triage::{
    Backoff, Credential, Environment, ErrorSource, Operation, Retry, RuleId, MAX_ERRORS,
    MAX_RETRY_AFTER, MAX_SCAN,
};
pub use error::{Error, Reason};
pub use layer::{Deadline, NoResend, Tenant, Triage};
pub use oauth::OAuthTokens;
#[cfg(feature = "reqwest-retry")]
pub use strategy::StatusStrategy;
pub use tokens::{BearerToken, NoTokens, TokenError, TokenSource};

/// The README's examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
