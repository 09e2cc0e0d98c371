//! Claims in a Redis every instance shares (the `redis` feature).
//!
//! ```no_run
//! # fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use debitura_triage_axum::{redis::RedisClaims, Event, HandlerError, Receiver};
//!
//! async fn handle(event: Event) -> Result<(), HandlerError> {
//!     println!("{} {}", event.id(), event.event());
//!     Ok(())
//! }
//!
//! // Or a unix socket: redis+unix:///run/redis/redis.sock
//! let claims = RedisClaims::connect("redis://127.0.0.1:6379/")?;
//! let receiver = Receiver::new(&[std::env::var("DEBITURA_WEBHOOK_SECRET")?], handle)?
//!     .claims(claims);
//! # Ok(())
//! # }
//! ```
//!
//! One key per event id, `debitura:webhook:claim:<id>`: `held:<holder>`
//! while a worker handles it, `done` once handled, each with Redis's own
//! expiry (the lease, then the time to live), so that the times are the
//! server's. A claim is `SET key held:<holder> NX PX <lease> GET`; renew,
//! complete and release are Lua scripts that compare the holder before they
//! `PEXPIRE`, `SET … PX` or `DEL`.

use std::fmt;
use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, Script};

use crate::claims::{Claim, ClaimError, Claims, Holder};

/// How long connecting or a command may take before the store counts as
/// down (and the delivery is answered 503).
const STORE_TIMEOUT: Duration = Duration::from_secs(2);

const PREFIX: &str = "debitura:webhook:claim:";
const DONE: &str = "done";

static RENEW: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0",
    )
});

static COMPLETE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then
            redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
            return 1
        end
        return 0",
    )
});

static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then
            return redis.call('DEL', KEYS[1])
        end
        return 0",
    )
});

/// Claims in Redis, over one multiplexed connection that reconnects by
/// itself. Cloning shares the connection.
///
/// A Redis that cannot be reached or does not answer within 2 s is an
/// error: the receiver answers the delivery 503 and runs no handler. Keys
/// expire by themselves; nothing needs sweeping. Redis 7 or later (`SET`
/// with both `NX` and `GET`).
#[derive(Clone)]
pub struct RedisClaims {
    connection: ConnectionManager,
}

impl fmt::Debug for RedisClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisClaims").finish_non_exhaustive()
    }
}

impl RedisClaims {
    /// Claims in the Redis at `url` (`redis://[:password@]host:port/db`, or
    /// a unix socket, `redis+unix:///path/to/redis.sock`). Nothing is
    /// connected until the first claim; call it inside the Tokio runtime
    /// that will use it (outside one it is an error).
    pub fn connect(url: &str) -> Result<Self, ClaimError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err("RedisClaims::connect needs a Tokio runtime: call it inside one".into());
        }
        let client =
            Client::open(url).map_err(|e| format!("the Redis address is not usable: {e}"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(STORE_TIMEOUT))
            .set_response_timeout(Some(STORE_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(STORE_TIMEOUT);
        Ok(RedisClaims {
            connection: client.get_connection_manager_lazy(config)?,
        })
    }

    /// Claims over a connection the service made (its own TLS or
    /// settings).
    #[must_use]
    pub fn from_connection(connection: ConnectionManager) -> Self {
        RedisClaims { connection }
    }

    async fn held(
        &self,
        script: &Script,
        id: &str,
        holder: &Holder,
        ms: Option<u64>,
    ) -> Result<bool, ClaimError> {
        let mut connection = self.connection.clone();
        let mut invocation = script.key(key(id));
        invocation.arg(held(holder));
        if let Some(ms) = ms {
            invocation.arg(ms);
        }
        let changed: i64 = invocation.invoke_async(&mut connection).await?;
        Ok(changed == 1)
    }
}

fn key(id: &str) -> String {
    format!("{PREFIX}{id}")
}

fn held(holder: &Holder) -> String {
    format!("held:{}", holder.as_str())
}

/// A duration in whole milliseconds, as `PX` takes it (at least 1).
fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl Claims for RedisClaims {
    async fn claim(&self, id: &str, lease: Duration) -> Result<Claim, ClaimError> {
        let holder = Holder::fresh("redis");
        let mut connection = self.connection.clone();
        let before: Option<String> = redis::cmd("SET")
            .arg(key(id))
            .arg(held(&holder))
            .arg("NX")
            .arg("PX")
            .arg(millis(lease))
            .arg("GET")
            .query_async(&mut connection)
            .await?;
        Ok(match before.as_deref() {
            None => Claim::New(holder),
            Some(DONE) => Claim::Done,
            Some(_) => Claim::InFlight,
        })
    }

    async fn renew(&self, id: &str, holder: &Holder, lease: Duration) -> Result<bool, ClaimError> {
        self.held(&RENEW, id, holder, Some(millis(lease))).await
    }

    async fn complete(&self, id: &str, holder: &Holder, ttl: Duration) -> Result<bool, ClaimError> {
        self.held(&COMPLETE, id, holder, Some(millis(ttl))).await
    }

    async fn release(&self, id: &str, holder: &Holder) -> Result<bool, ClaimError> {
        self.held(&RELEASE, id, holder, None).await
    }

    async fn ready(&self) -> Result<(), ClaimError> {
        let mut connection = self.connection.clone();
        let _: String = redis::cmd("PING").query_async(&mut connection).await?;
        Ok(())
    }
}
