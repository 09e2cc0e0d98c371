//! A webhook receiver for axum and `tower` services that cannot get
//! Debitura's deliveries wrong: each delivery is verified on its raw bytes
//! (constant time, several secrets during a rotation, any matching `v1`),
//! refused outside the timestamp window, handled once per event id, and
//! answered within Debitura's 10 s, never with the 410 that would disable
//! the subscription.
//!
//! ```no_run
//! use axum::Router;
//! use debitura_triage_axum::{Event, HandlerError, Receiver};
//!
//! async fn handle(event: Event) -> Result<(), HandlerError> {
//!     println!("{} {}", event.id(), event.event());
//!     Ok(())
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let receiver = Receiver::new(&[std::env::var("DEBITURA_WEBHOOK_SECRET")?], handle)?;
//! let app = Router::new().route_service("/webhooks/debitura", receiver);
//! axum::serve(tokio::net::TcpListener::bind("127.0.0.1:8080").await?, app).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Verification is the core's ([`debitura_triage::webhook::verify`]); a
//! rejected delivery's mistake is one `tracing` warning (target
//! `debitura_triage`) with its rule id.
//!
//! Features (none by default): `postgres` (`postgres::PgClaims`
//! and handlers whose writes commit with the event's "done"), `redis`
//! (`redis::RedisClaims`), both for several instances that
//! handle each event once between them; `metrics` (counters and histograms
//! through the `metrics` facade).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The README's examples, compiled as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

mod claims;
mod event;
mod observe;
mod receiver;
#[cfg(any(feature = "postgres", feature = "redis"))]
mod stores;

pub use claims::{conformance, Claim, ClaimError, Claims, Full, Holder, MemoryClaims};
pub use debitura_triage::webhook::{Tolerance, FUTURE_TOLERANCE_SECS, TOLERANCE_SECS};
pub use event::{Event, MAX_ID_LEN};
pub use receiver::{Handler, HandlerError, Receiver, SecretsError, Stopped, Work, Worked};
#[cfg(feature = "postgres")]
pub use stores::postgres;
#[cfg(feature = "redis")]
pub use stores::redis;
