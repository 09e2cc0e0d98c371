//! The shared claim stores, each behind a feature: PostgreSQL (with
//! handlers in its transactions) and Redis.

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
