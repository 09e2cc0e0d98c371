//! A claim plus its completion on loopback PostgreSQL and Redis (servers
//! started here as the tests start them, on unix sockets, but both durable:
//! a cluster with PostgreSQL's default fsync and synchronous commit, a
//! Redis whose append-only file is written before each answer), against
//! what a careful partner would write by hand:
//!
//! - PostgreSQL by hand: a transaction that locks the row (`SELECT … FOR
//!   UPDATE`), inserts or takes it over, commits, and a completion that
//!   checks the holder: the same guarantees, more round trips.
//! - Redis by hand: `SET NX PX` (and a `GET` when taken), then a completion
//!   with `WATCH`, `GET`, `MULTI`, `SET … PX`, `EXEC` on a connection of its
//!   own, instead of one Lua call.
//!
//! Each pair is checked to give the same answers (new, in flight, done,
//! and a stale holder refused) before any timing. First the latency of
//! 5 000 claim-and-complete rounds one after another (p50, p99), then
//! divan's figures.
//!
//! `cargo bench -p debitura-triage-axum --features postgres,redis --bench stores`

#[path = "../tests/support/servers.rs"]
mod servers;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use debitura_triage_axum::postgres::PgClaims;
use debitura_triage_axum::redis::RedisClaims;
use debitura_triage_axum::{Claim, Claims, Holder};
use divan::Bencher;
use servers::{Postgres, Redis};

const LEASE: Duration = Duration::from_secs(120);
const TTL: Duration = Duration::from_secs(24 * 60 * 60);

struct World {
    runtime: tokio::runtime::Runtime,
    pg: PgClaims,
    pg_hand: deadpool_postgres::Pool,
    redis: RedisClaims,
    redis_hand: tokio::sync::Mutex<redis::aio::MultiplexedConnection>,
    _servers: (Postgres, Redis),
}

static WORLD: OnceLock<World> = OnceLock::new();

fn world() -> &'static World {
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // Both durable as a service runs them: PostgreSQL's defaults
        // (fsync and synchronous commit on), Redis's append-only file
        // written before each answer.
        let (pg_server, redis_server) = (Postgres::start_with(&[]), Redis::start());
        let pg = PgClaims::connect(&pg_server.socket_url()).unwrap();
        let redis = {
            let _inside = runtime.enter();
            RedisClaims::connect(&redis_server.socket_url()).unwrap()
        };
        let redis_hand = runtime.block_on(async {
            pg.create_table().await.unwrap();
            redis::Client::open(redis_server.socket_url())
                .unwrap()
                .get_multiplexed_async_connection()
                .await
                .unwrap()
        });
        World {
            pg_hand: pg.pool().clone(),
            pg,
            redis,
            redis_hand: tokio::sync::Mutex::new(redis_hand),
            runtime,
            _servers: (pg_server, redis_server),
        }
    })
}

fn fresh_id() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "bench-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// PostgreSQL by hand: lock, look, insert or take over, commit.
async fn pg_hand_claim(pool: &deadpool_postgres::Pool, id: &str, holder: &str) -> Claim {
    let mut client = pool.get().await.unwrap();
    let tx = client.transaction().await.unwrap();
    // Make sure a row exists to lock, without disturbing a live one.
    tx.execute(
        "INSERT INTO debitura_webhook_claims (id, holder, until) VALUES ($1, NULL, '-infinity') \
         ON CONFLICT (id) DO NOTHING",
        &[&id],
    )
    .await
    .unwrap();
    let row = tx
        .query_one(
            "SELECT holder, until > clock_timestamp() FROM debitura_webhook_claims \
             WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await
        .unwrap();
    let (old, live): (Option<String>, bool) = (row.get(0), row.get(1));
    let answer = if live {
        if old.is_none() {
            Claim::Done
        } else {
            Claim::InFlight
        }
    } else {
        tx.execute(
            "UPDATE debitura_webhook_claims SET holder = $2, \
             until = clock_timestamp() + $3::int8 * interval '1 millisecond' WHERE id = $1",
            &[&id, &holder, &(LEASE.as_millis() as i64)],
        )
        .await
        .unwrap();
        Claim::New(Holder::new(holder))
    };
    tx.commit().await.unwrap();
    answer
}

async fn pg_hand_complete(pool: &deadpool_postgres::Pool, id: &str, holder: &str) -> bool {
    let client = pool.get().await.unwrap();
    client
        .execute(
            "UPDATE debitura_webhook_claims SET holder = NULL, \
             until = clock_timestamp() + $3::int8 * interval '1 millisecond' \
             WHERE id = $1 AND holder = $2 AND until > clock_timestamp()",
            &[&id, &holder, &(TTL.as_millis() as i64)],
        )
        .await
        .unwrap()
        == 1
}

/// Redis by hand: `SET NX PX`, `GET` when taken.
async fn redis_hand_claim(
    connection: &mut redis::aio::MultiplexedConnection,
    id: &str,
    holder: &str,
) -> Claim {
    let key = format!("debitura:webhook:claim:{id}");
    let set: Option<String> = redis::cmd("SET")
        .arg(&key)
        .arg(format!("held:{holder}"))
        .arg("NX")
        .arg("PX")
        .arg(LEASE.as_millis() as u64)
        .query_async(connection)
        .await
        .unwrap();
    if set.is_some() {
        return Claim::New(Holder::new(holder));
    }
    let now: Option<String> = redis::cmd("GET")
        .arg(&key)
        .query_async(connection)
        .await
        .unwrap();
    match now.as_deref() {
        Some("done") => Claim::Done,
        _ => Claim::InFlight,
    }
}

/// Redis by hand: `WATCH`, `GET`, `MULTI`, `SET … PX`, `EXEC`.
async fn redis_hand_complete(
    connection: &mut redis::aio::MultiplexedConnection,
    id: &str,
    holder: &str,
) -> bool {
    let key = format!("debitura:webhook:claim:{id}");
    let _: () = redis::cmd("WATCH")
        .arg(&key)
        .query_async(connection)
        .await
        .unwrap();
    let now: Option<String> = redis::cmd("GET")
        .arg(&key)
        .query_async(connection)
        .await
        .unwrap();
    if now.as_deref() != Some(&format!("held:{holder}")) {
        let _: () = redis::cmd("UNWATCH").query_async(connection).await.unwrap();
        return false;
    }
    let done: Option<Vec<String>> = redis::pipe()
        .atomic()
        .cmd("SET")
        .arg(&key)
        .arg("done")
        .arg("PX")
        .arg(TTL.as_millis() as u64)
        .query_async(connection)
        .await
        .unwrap();
    done.is_some()
}

/// The four ways, each as one claim of a fresh id and its completion.
#[derive(Clone, Copy, Debug)]
enum Way {
    Postgres,
    PostgresByHand,
    Redis,
    RedisByHand,
}

const WAYS: [Way; 4] = [
    Way::Postgres,
    Way::PostgresByHand,
    Way::Redis,
    Way::RedisByHand,
];

async fn claim(world: &World, way: Way, id: &str, holder: &str) -> Claim {
    match way {
        Way::Postgres => world.pg.claim(id, LEASE).await.unwrap(),
        Way::Redis => world.redis.claim(id, LEASE).await.unwrap(),
        Way::PostgresByHand => pg_hand_claim(&world.pg_hand, id, holder).await,
        Way::RedisByHand => redis_hand_claim(&mut *world.redis_hand.lock().await, id, holder).await,
    }
}

async fn complete(world: &World, way: Way, id: &str, holder: &Holder) -> bool {
    match way {
        Way::Postgres => world.pg.complete(id, holder, TTL).await.unwrap(),
        Way::Redis => world.redis.complete(id, holder, TTL).await.unwrap(),
        Way::PostgresByHand => pg_hand_complete(&world.pg_hand, id, holder.as_str()).await,
        Way::RedisByHand => {
            redis_hand_complete(&mut *world.redis_hand.lock().await, id, holder.as_str()).await
        }
    }
}

/// One round: a fresh id claimed and completed.
async fn round(world: &World, way: Way) {
    let id = fresh_id();
    let Claim::New(holder) = claim(world, way, &id, &format!("hand-{id}")).await else {
        panic!("{way:?}: a fresh id was not new");
    };
    assert!(complete(world, way, &id, &holder).await);
}

/// Every way answers alike: new, in flight, a stale holder refused, done.
async fn same_answers(world: &World) {
    for way in WAYS {
        let id = fresh_id();
        let Claim::New(holder) = claim(world, way, &id, &format!("hand-{id}")).await else {
            panic!("{way:?}: new");
        };
        assert_eq!(
            claim(world, way, &id, "other").await,
            Claim::InFlight,
            "{way:?}"
        );
        assert!(
            !complete(world, way, &id, &Holder::new("stale")).await,
            "{way:?}"
        );
        assert!(complete(world, way, &id, &holder).await, "{way:?}");
        assert_eq!(
            claim(world, way, &id, "other").await,
            Claim::Done,
            "{way:?}"
        );
    }
}

fn main() {
    let world = world();
    world.runtime.block_on(same_answers(world));
    println!("claim + complete, 5 000 rounds one after another (after 500 to warm up):");
    for way in WAYS {
        let mut took: Vec<Duration> = world.runtime.block_on(async {
            for _ in 0..500 {
                round(world, way).await;
            }
            let mut took = Vec::with_capacity(5000);
            for _ in 0..5000 {
                let start = Instant::now();
                round(world, way).await;
                took.push(start.elapsed());
            }
            took
        });
        took.sort();
        let at = |q: f64| took[((took.len() as f64 - 1.0) * q) as usize];
        println!(
            "  {:<16} p50 {:>7.1} µs   p99 {:>7.1} µs",
            format!("{way:?}"),
            at(0.50).as_secs_f64() * 1e6,
            at(0.99).as_secs_f64() * 1e6
        );
    }
    divan::main();
}

#[divan::bench(args = WAYS)]
fn claim_and_complete(bencher: Bencher, way: Way) {
    let world = world();
    bencher.bench_local(|| world.runtime.block_on(round(world, way)));
}
