//! Claims in a PostgreSQL table every instance shares (the `postgres`
//! feature), and handlers whose writes commit with the event's "done".
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use debitura_triage_axum::{postgres::PgClaims, Event, HandlerError, Receiver};
//!
//! async fn handle(event: Event) -> Result<(), HandlerError> {
//!     println!("{} {}", event.id(), event.event());
//!     Ok(())
//! }
//!
//! // A unix-socket host is written as a path: postgres://app@%2Frun%2Fpostgresql/app
//! let claims = PgClaims::connect("postgres://app@127.0.0.1/app")?;
//! claims.create_table().await?;
//! let receiver = Receiver::new(&[std::env::var("DEBITURA_WEBHOOK_SECRET")?], handle)?
//!     .claims(claims);
//! # Ok(())
//! # }
//! ```
//!
//! Every time is the database's (`clock_timestamp()`), so instances whose
//! clocks disagree still agree on when a lease lapses. Queries are prepared
//! at run time; nothing needs a database to compile.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::str::FromStr;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod, Runtime};
use tokio_postgres::NoTls;

use crate::claims::{Claim, ClaimError, Claims, Holder};
use crate::event::Event;
use crate::receiver::{HandlerError, Work, Worked};

/// The table's SQL, as [`PgClaims::create_table`] runs it: give it to a
/// migration tool instead when the service's role may not create tables.
pub const SCHEMA: &str = include_str!("../../sql/claims.sql");

/// How long a connection, a place in the pool or a query may take before
/// the store counts as down (and the delivery is answered 503).
const STORE_TIMEOUT: Duration = Duration::from_secs(2);

/// Connections kept at most.
const POOL_SIZE: usize = 16;

/// An advisory lock key, so that instances creating the table at once do
/// not race each other's `CREATE`.
const SCHEMA_LOCK: i64 = 0x6465_6269_7475_7261;

const CLAIM: &str = "WITH claimed AS (
    INSERT INTO debitura_webhook_claims AS c (id, holder, until)
    VALUES ($1, $2, clock_timestamp() + $3::int8 * interval '1 millisecond')
    ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
        WHERE c.until <= clock_timestamp()
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM claimed),
       (SELECT holder IS NULL FROM debitura_webhook_claims WHERE id = $1)";

const RENEW: &str = "UPDATE debitura_webhook_claims
    SET until = clock_timestamp() + $3::int8 * interval '1 millisecond'
    WHERE id = $1 AND holder = $2 AND until > clock_timestamp()";

const COMPLETE: &str = "UPDATE debitura_webhook_claims
    SET holder = NULL, until = clock_timestamp() + $3::int8 * interval '1 millisecond'
    WHERE id = $1 AND holder = $2 AND until > clock_timestamp()";

const RELEASE: &str = "DELETE FROM debitura_webhook_claims
    WHERE id = $1 AND holder = $2 AND until > clock_timestamp()";

const SWEEP: &str = "DELETE FROM debitura_webhook_claims WHERE until <= clock_timestamp()";

/// Claims in the `debitura_webhook_claims` table ([`SCHEMA`]), over a pool
/// of connections. Cloning shares the pool.
///
/// A claim is one statement (an insert that takes over a lapsed row); the
/// holder's renew, complete and release each change the row only while the
/// holder's lease lasts. A store that cannot be reached within 2 s is an
/// error: the receiver answers the delivery 503 and runs no handler.
/// Lapsed and expired rows count as absent; [`PgClaims::sweep`] deletes
/// them.
#[derive(Clone)]
pub struct PgClaims {
    pool: Pool,
}

impl fmt::Debug for PgClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = self.pool.status();
        f.debug_struct("PgClaims")
            .field("connections", &status.size)
            .field("max", &status.max_size)
            .finish()
    }
}

impl PgClaims {
    /// Claims in the database at `url` (`postgres://user:password@host:port/db`;
    /// a unix-socket host is a path, written `%2Frun%2Fpostgresql` or
    /// `?host=/run/postgresql`), without TLS, at most 16 connections.
    /// Nothing is connected until the first claim.
    pub fn connect(url: &str) -> Result<Self, ClaimError> {
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| format!("the PostgreSQL address is not usable: {e}"))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(STORE_TIMEOUT);
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(STORE_TIMEOUT))
            .create_timeout(Some(STORE_TIMEOUT))
            .recycle_timeout(Some(STORE_TIMEOUT))
            .build()?;
        Ok(PgClaims { pool })
    }

    /// Claims over a pool the service built (its own TLS, sizes and
    /// timeouts).
    #[must_use]
    pub fn from_pool(pool: Pool) -> Self {
        PgClaims { pool }
    }

    /// The pool, for the service's own queries.
    #[must_use]
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Creates the table and its index when they are missing ([`SCHEMA`]);
    /// safe to call from every instance at once.
    pub async fn create_table(&self) -> Result<(), ClaimError> {
        let client = self.client().await?;
        let sql = format!("BEGIN; SELECT pg_advisory_xact_lock({SCHEMA_LOCK}); {SCHEMA} COMMIT;");
        timed(client.batch_execute(&sql)).await
    }

    /// Deletes the rows whose lease or time to live is over, returning how
    /// many; run it now and then (hourly is plenty) to keep the table small.
    pub async fn sweep(&self) -> Result<u64, ClaimError> {
        let client = self.client().await?;
        timed(client.execute(SWEEP, &[])).await
    }

    async fn client(&self) -> Result<Object, ClaimError> {
        Ok(self.pool.get().await?)
    }

    /// Runs `sql` on a pooled connection with the id, the holder and a
    /// number of milliseconds, returning the rows changed.
    async fn change(
        &self,
        sql: &str,
        id: &str,
        holder: &Holder,
        ms: Option<i64>,
    ) -> Result<u64, ClaimError> {
        let client = self.client().await?;
        let statement = timed(client.prepare_cached(sql)).await?;
        match ms {
            Some(ms) => timed(client.execute(&statement, &[&id, &holder.as_str(), &ms])).await,
            None => timed(client.execute(&statement, &[&id, &holder.as_str()])).await,
        }
    }
}

/// A duration in whole milliseconds, as the queries take it (at least 1).
fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

/// `query` within the store's timeout.
async fn timed<T>(
    query: impl Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, ClaimError> {
    match tokio::time::timeout(STORE_TIMEOUT, query).await {
        Ok(result) => Ok(result?),
        Err(_) => Err("PostgreSQL did not answer within 2 s".into()),
    }
}

impl Claims for PgClaims {
    async fn claim(&self, id: &str, lease: Duration) -> Result<Claim, ClaimError> {
        let holder = Holder::fresh("pg");
        let client = self.client().await?;
        let statement = timed(client.prepare_cached(CLAIM)).await?;
        let row =
            timed(client.query_one(&statement, &[&id, &holder.as_str(), &millis(lease)])).await?;
        let new: bool = row.try_get(0)?;
        let done: Option<bool> = row.try_get(1)?;
        Ok(if new {
            Claim::New(holder)
        } else if done == Some(true) {
            Claim::Done
        } else {
            // Held, or taken and let go between the two reads: either way
            // another copy is being handled or has just been.
            Claim::InFlight
        })
    }

    async fn renew(&self, id: &str, holder: &Holder, lease: Duration) -> Result<bool, ClaimError> {
        Ok(self.change(RENEW, id, holder, Some(millis(lease))).await? == 1)
    }

    async fn complete(&self, id: &str, holder: &Holder, ttl: Duration) -> Result<bool, ClaimError> {
        Ok(self.change(COMPLETE, id, holder, Some(millis(ttl))).await? == 1)
    }

    async fn release(&self, id: &str, holder: &Holder) -> Result<bool, ClaimError> {
        Ok(self.change(RELEASE, id, holder, None).await? == 1)
    }

    async fn ready(&self) -> Result<(), ClaimError> {
        let client = self.client().await?;
        timed(client.batch_execute("SELECT 1")).await
    }
}

/// A database transaction handed to an [`InTransaction`] handler: its
/// writes commit together with the event's "done", or not at all. It
/// dereferences to the connection's [`tokio_postgres::Client`]; run the
/// handler's statements on it and hand it back. Do not `COMMIT` or
/// `ROLLBACK` it yourself.
///
/// Dropped without being handed back (the handler failed, panicked or was
/// stopped), its connection is closed rather than returned to the pool, so
/// the server rolls the transaction back.
pub struct Transaction {
    client: Option<Object>,
}

impl Transaction {
    fn client(&self) -> &Object {
        // Present from `begin` until `finish` or the drop.
        self.client
            .as_ref()
            .expect("an open transaction has its connection")
    }
}

impl Deref for Transaction {
    type Target = tokio_postgres::Client;

    fn deref(&self) -> &tokio_postgres::Client {
        self.client()
    }
}

impl fmt::Debug for Transaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction").finish_non_exhaustive()
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Out of the pool: dropping the connection ends the session and
            // the server rolls the open transaction back.
            drop(Object::take(client));
        }
    }
}

impl PgClaims {
    async fn begin(&self) -> Result<Transaction, ClaimError> {
        let client = self.client().await?;
        let transaction = Transaction {
            client: Some(client),
        };
        timed(transaction.client().batch_execute("BEGIN")).await?;
        Ok(transaction)
    }

    /// Completes `holder`'s claim inside `transaction` and commits it,
    /// answering whether it was still held (when not, everything rolls
    /// back).
    async fn finish(
        &self,
        mut transaction: Transaction,
        id: &str,
        holder: &Holder,
        ttl: Duration,
    ) -> Result<bool, ClaimError> {
        let client = transaction.client();
        let statement = timed(client.prepare_cached(COMPLETE)).await?;
        let done =
            timed(client.execute(&statement, &[&id, &holder.as_str(), &millis(ttl)])).await?;
        if done != 1 {
            // Dropped: rolled back with the handler's writes.
            return Ok(false);
        }
        timed(client.batch_execute("COMMIT")).await?;
        // Committed: the connection goes back to the pool.
        drop(transaction.client.take());
        Ok(true)
    }
}

/// The service's work for one event inside a [`Transaction`]: it writes
/// through the transaction and hands it back. Any `Fn(Event, Transaction)
/// -> impl Future<Output = Result<Transaction, HandlerError>>` is one.
pub trait TransactionHandler: Send + Sync + 'static {
    /// Handles `event`, writing through `transaction`.
    fn handle(
        &self,
        event: Event,
        transaction: Transaction,
    ) -> impl Future<Output = Result<Transaction, HandlerError>> + Send;
}

impl<F, Fut> TransactionHandler for F
where
    F: Fn(Event, Transaction) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Transaction, HandlerError>> + Send + 'static,
{
    fn handle(
        &self,
        event: Event,
        transaction: Transaction,
    ) -> impl Future<Output = Result<Transaction, HandlerError>> + Send {
        self(event, transaction)
    }
}

/// A handler whose writes and the event's "done" commit in one transaction:
/// `Receiver::new(&secrets, InTransaction(handle))?.claims(pg_claims)`.
/// The effects of an event then happen once: a handler that fails leaves
/// neither its writes nor "done", and one whose claim lapsed before the
/// commit leaves nothing (the copy that took over runs it again).
#[derive(Debug, Clone, Copy)]
pub struct InTransaction<H>(pub H);

impl<H: TransactionHandler> Work<PgClaims> for InTransaction<H> {
    async fn work(
        &self,
        event: Event,
        claims: &PgClaims,
        holder: &Holder,
        ttl: Duration,
    ) -> Result<Worked, HandlerError> {
        let id: Box<str> = event.id().into();
        let transaction = claims.begin().await?;
        let transaction = self.0.handle(event, transaction).await?;
        Ok(Worked::Committed(
            claims.finish(transaction, &id, holder, ttl).await?,
        ))
    }
}
