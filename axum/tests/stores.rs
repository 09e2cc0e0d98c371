//! The shared stores against real servers started here (a throwaway
//! PostgreSQL cluster and a Redis, each on a unix socket in a temporary
//! folder and on 127.0.0.1): the conformance suite over both addresses,
//! four receivers sharing one store, Debitura's retry schedule after a
//! crash, the store stopped and restarted, a receiver process killed by
//! its pid, and PostgreSQL's transaction mode.
#![cfg(all(feature = "postgres", feature = "redis"))]

#[path = "support/serve.rs"]
mod serve;
#[path = "support/servers.rs"]
mod servers;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use debitura_triage::webhook::sign;
use debitura_triage_axum::postgres::{InTransaction, PgClaims, Transaction};
use debitura_triage_axum::redis::RedisClaims;
use debitura_triage_axum::{conformance, Claim, Claims, Event, HandlerError, Receiver};
use serve::serve;
use servers::{Postgres, Redis};

fn secret() -> String {
    base64::engine::general_purpose::STANDARD.encode(b"known secret bytes for the tests")
}

fn envelope(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","specVersion":"1.0","event":"case.created","timestamp":"2026-01-31T15:23:45Z","data":{{"caseId":"c1"}}}}"#
    )
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// One delivery of event `id`, signed now; its status.
async fn deliver(client: &reqwest::Client, url: &str, id: &str) -> u16 {
    let body = envelope(id);
    let header = sign(&secret(), unix_now(), body.as_bytes()).unwrap();
    client
        .post(url)
        .header("content-type", "application/json")
        .header("X-Debitura-Signature", header)
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The ids a handler was called with, in order.
#[derive(Default, Clone)]
struct Calls(Arc<Mutex<Vec<String>>>);

impl Calls {
    fn of(&self, id: &str) -> usize {
        self.0.lock().unwrap().iter().filter(|c| *c == id).count()
    }

    /// A handler that records its event and takes `work`.
    fn handler(&self, work: Duration) -> impl debitura_triage_axum::Handler {
        let calls = self.clone();
        move |event: Event| {
            let calls = calls.clone();
            async move {
                calls.0.lock().unwrap().push(event.id().to_owned());
                tokio::time::sleep(work).await;
                Ok::<(), HandlerError>(())
            }
        }
    }
}

/// Four receivers, each with a store of its own (`store()`) on one server,
/// and 100 concurrent copies of one event spread across them: the handler
/// runs once, and every answer is 200 or 503.
async fn fleet<C: Claims>(store: impl Fn() -> C, run: &str) {
    let calls = Calls::default();
    let mut urls = Vec::new();
    for _ in 0..4 {
        let receiver = Receiver::new(&[secret()], calls.handler(Duration::from_millis(300)))
            .unwrap()
            .claims(store());
        urls.push(serve(receiver).await);
    }
    let id = format!("{run}-fleet");
    let client = reqwest::Client::new();
    let mut copies = tokio::task::JoinSet::new();
    for n in 0..100 {
        let (client, url, id) = (client.clone(), urls[n % 4].clone(), id.clone());
        copies.spawn(async move { deliver(&client, &url, &id).await });
    }
    let mut answers: HashMap<u16, usize> = HashMap::new();
    while let Some(status) = copies.join_next().await {
        *answers.entry(status.unwrap()).or_default() += 1;
    }
    assert!(
        answers.keys().all(|s| *s == 200 || *s == 503),
        "{run}: only 200 and 503, got {answers:?}"
    );
    // Once the first copy is handled, every instance answers 200.
    let until = Instant::now() + Duration::from_secs(5);
    for url in &urls {
        while deliver(&client, url, &id).await != 200 {
            assert!(Instant::now() < until, "{run}: never answered 200");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(
        calls.of(&id),
        1,
        "{run}: handled once across four instances"
    );
}

/// Debitura's schedule (attempts at +1, +3, +7, +15, +31 minutes after the
/// first) replayed with the clock scaled so that its minute is half the
/// lease (two minutes to one, as by default): a worker took the claim in
/// attempt 1 and crashed. At most two attempts fail before another
/// instance handles the event, once.
async fn schedule_after_crash<C: Claims>(store: impl Fn() -> C, run: &str) {
    let lease = Duration::from_millis(1000);
    let minute = lease / 2;
    let id = format!("{run}-crash");
    let crashed = store();
    assert!(matches!(
        crashed.claim(&id, lease).await.unwrap(),
        Claim::New(_)
    ));
    let start = Instant::now();
    let mut failed = 1; // attempt 1, whose worker crashed
    let calls = Calls::default();
    let receiver = Receiver::new(&[secret()], calls.handler(Duration::ZERO))
        .unwrap()
        .claim_times(lease, Duration::from_secs(60))
        .claims(store());
    let url = serve(receiver).await;
    let client = reqwest::Client::new();
    let mut handled = false;
    for at in [1, 3, 7, 15, 31] {
        tokio::time::sleep_until((start + minute * at).into()).await;
        if deliver(&client, &url, &id).await == 200 {
            handled = true;
            break;
        }
        failed += 1;
    }
    assert!(handled, "{run}: handled within the schedule");
    assert!(
        failed <= 2,
        "{run}: {failed} failed attempts before it was handled"
    );
    assert_eq!(calls.of(&id), 1, "{run}");
}

/// A handler slower than its lease (2 s against 600 ms) runs once: its
/// claim is renewed in the store while it runs, so copies find it in
/// flight, and then done.
async fn slower_than_its_lease<C: Claims>(store: impl Fn() -> C, run: &str) {
    let calls = Calls::default();
    let mut urls = Vec::new();
    for _ in 0..2 {
        let receiver = Receiver::new(&[secret()], calls.handler(Duration::from_secs(2)))
            .unwrap()
            .deadline(Duration::from_millis(100))
            .claim_times(Duration::from_millis(600), Duration::from_secs(60))
            .claims(store());
        urls.push(serve(receiver).await);
    }
    let id = format!("{run}-slow");
    let client = reqwest::Client::new();
    let start = Instant::now();
    assert_eq!(
        deliver(&client, &urls[0], &id).await,
        503,
        "{run}: past the deadline"
    );
    while start.elapsed() < Duration::from_millis(1800) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(
            deliver(&client, &urls[1], &id).await,
            503,
            "{run}: still in flight"
        );
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(deliver(&client, &urls[1], &id).await, 200, "{run}: done");
    assert_eq!(calls.of(&id), 1, "{run}: ran once");
}

/// The store stopped: deliveries are answered 503 and no handler runs, and
/// the receiver is not ready; restarted: each event is handled once.
async fn store_down<C: Claims>(store: C, stop: impl FnOnce(), resume: impl FnOnce(), run: &str) {
    let calls = Calls::default();
    let receiver = Receiver::new(&[secret()], calls.handler(Duration::ZERO))
        .unwrap()
        .claims(store);
    let ready = receiver.clone();
    let url = serve(receiver).await;
    let client = reqwest::Client::new();
    let ids: Vec<String> = (0..3).map(|n| format!("{run}-down-{n}")).collect();
    assert_eq!(deliver(&client, &url, &ids[0]).await, 200);
    assert!(
        ready.ready().await.is_ok(),
        "{run}: ready while the store answers"
    );
    stop();
    for id in &ids[1..] {
        assert_eq!(deliver(&client, &url, id).await, 503, "{run}: store down");
    }
    assert!(
        ready.ready().await.is_err(),
        "{run}: not ready while the store is down"
    );
    assert_eq!(
        calls.0.lock().unwrap().len(),
        1,
        "{run}: no handler while down"
    );
    resume();
    let until = Instant::now() + Duration::from_secs(15);
    while ready.ready().await.is_err() {
        assert!(
            Instant::now() < until,
            "{run}: ready again after the restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for id in &ids {
        let mut status = deliver(&client, &url, id).await;
        while status != 200 {
            assert_eq!(status, 503, "{run}");
            assert!(Instant::now() < until, "{run}: handled after the restart");
            tokio::time::sleep(Duration::from_millis(100)).await;
            status = deliver(&client, &url, id).await;
        }
        assert_eq!(deliver(&client, &url, id).await, 200, "{run}: a copy after");
    }
    for id in &ids {
        assert_eq!(calls.of(id), 1, "{run}: {id} handled once");
    }
}

/// A run name no other run shares (stores outlive nothing, but the
/// servers are shared within a test).
fn run(kind: &str) -> String {
    format!("{kind}-{}", std::process::id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_holds_every_promise_of_the_claims() {
    let pg = Postgres::start();
    let socket = PgClaims::connect(&pg.socket_url()).unwrap();
    socket.create_table().await.unwrap();
    // Again, and from several at once: nothing changes, nothing fails.
    let mut creating = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let claims = PgClaims::connect(&pg.socket_url()).unwrap();
        creating.spawn(async move { claims.create_table().await.map_err(|e| e.to_string()) });
    }
    while let Some(created) = creating.join_next().await {
        created.unwrap().unwrap();
    }
    conformance::check(Arc::new(socket.clone())).await;
    conformance::check(Arc::new(PgClaims::connect(&pg.tcp_url()).unwrap())).await;
    // The sweep deletes rows past their time and nothing live.
    socket.sweep().await.unwrap();
    let lapsing = socket
        .claim("sweep-lapsed", Duration::from_millis(1))
        .await
        .unwrap();
    assert!(matches!(lapsing, Claim::New(_)));
    let live = socket
        .claim("sweep-live", Duration::from_secs(60))
        .await
        .unwrap();
    assert!(matches!(live, Claim::New(_)));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(socket.sweep().await.unwrap(), 1);
    let rows = socket.pool().get().await.unwrap();
    let left: i64 = rows
        .query_one(
            "SELECT count(*) FROM debitura_webhook_claims WHERE id LIKE 'sweep-%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 1, "the lapsed row is gone, the live one kept");
    assert_eq!(
        socket
            .claim("sweep-live", Duration::from_secs(60))
            .await
            .unwrap(),
        Claim::InFlight
    );

    let url = pg.socket_url();
    let run = run("pg");
    fleet(|| PgClaims::connect(&url).unwrap(), &run).await;
    schedule_after_crash(|| PgClaims::connect(&url).unwrap(), &run).await;
    slower_than_its_lease(|| PgClaims::connect(&url).unwrap(), &run).await;
    store_down(
        PgClaims::connect(&url).unwrap(),
        || pg.stop(),
        || pg.resume(),
        &run,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_holds_every_promise_of_the_claims() {
    let redis = Arc::new(Mutex::new(Redis::start()));
    let (socket_url, tcp_url) = {
        let r = redis.lock().unwrap();
        (r.socket_url(), r.tcp_url())
    };
    conformance::check(Arc::new(RedisClaims::connect(&socket_url).unwrap())).await;
    conformance::check(Arc::new(RedisClaims::connect(&tcp_url).unwrap())).await;

    let run = run("redis");
    fleet(|| RedisClaims::connect(&socket_url).unwrap(), &run).await;
    schedule_after_crash(|| RedisClaims::connect(&socket_url).unwrap(), &run).await;
    slower_than_its_lease(|| RedisClaims::connect(&socket_url).unwrap(), &run).await;
    store_down(
        RedisClaims::connect(&tcp_url).unwrap(),
        || redis.lock().unwrap().stop(),
        || redis.lock().unwrap().resume(),
        &run,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_claims_meet_the_schedule_after_a_crash() {
    let store = Arc::new(debitura_triage_axum::MemoryClaims::default());
    conformance::check(Arc::clone(&store)).await;
    fleet(|| Arc::clone(&store), "memory").await;
    schedule_after_crash(|| Arc::clone(&store), "memory").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_a_transaction_a_handler_s_writes_and_done_commit_together_or_not_at_all() {
    let pg = Postgres::start();
    let claims = PgClaims::connect(&pg.socket_url()).unwrap();
    claims.create_table().await.unwrap();
    let admin = claims.pool().get().await.unwrap();
    admin
        .batch_execute("CREATE TABLE effects (event_id text NOT NULL)")
        .await
        .unwrap();
    // The handler writes its effect, then fails on its first run; on the
    // event "taken-over" its lease lapses and another worker takes the
    // claim before it commits.
    let runs = Arc::new(Mutex::new(0usize));
    let thief = claims.clone();
    let counter = Arc::clone(&runs);
    let handle = move |event: Event, tx: Transaction| {
        let (counter, thief) = (Arc::clone(&counter), thief.clone());
        async move {
            tx.execute("INSERT INTO effects VALUES ($1)", &[&event.id()])
                .await?;
            let run = {
                let mut runs = counter.lock().unwrap();
                *runs += 1;
                *runs
            };
            if event.id() == "taken-over" {
                let other = thief.pool().get().await?;
                other
                    .execute(
                        "UPDATE debitura_webhook_claims SET until = clock_timestamp() WHERE id = $1",
                        &[&event.id()],
                    )
                    .await?;
                assert!(matches!(
                    thief.claim(event.id(), Duration::from_secs(60)).await?,
                    Claim::New(_)
                ));
                return Ok(tx);
            }
            if run == 1 {
                return Err::<Transaction, HandlerError>("failed after writing".into());
            }
            Ok(tx)
        }
    };
    let receiver = Receiver::new(&[secret()], InTransaction(handle))
        .unwrap()
        .claims(claims.clone());
    let url = serve(receiver).await;
    let client = reqwest::Client::new();
    let count = |sql: &'static str, id: &'static str| {
        let pool = claims.pool().clone();
        async move {
            let client = pool.get().await.unwrap();
            let row = client.query_one(sql, &[&id]).await.unwrap();
            row.get::<_, i64>(0)
        }
    };
    let effects = "SELECT count(*) FROM effects WHERE event_id = $1";
    let done = "SELECT count(*) FROM debitura_webhook_claims WHERE id = $1 AND holder IS NULL";

    // Failed after writing: neither the write nor "done".
    assert_eq!(deliver(&client, &url, "e-1").await, 500);
    assert_eq!(count(effects, "e-1").await, 0, "the write rolled back");
    assert_eq!(count(done, "e-1").await, 0, "not done");
    // Debitura's retry: handled, the write and "done" committed together.
    assert_eq!(deliver(&client, &url, "e-1").await, 200);
    assert_eq!(count(effects, "e-1").await, 1);
    assert_eq!(count(done, "e-1").await, 1);
    // A copy: answered as done, no second write.
    assert_eq!(deliver(&client, &url, "e-1").await, 200);
    assert_eq!(count(effects, "e-1").await, 1);
    assert_eq!(*runs.lock().unwrap(), 2);

    // The claim taken over before the commit: nothing of this run stays.
    assert_eq!(deliver(&client, &url, "taken-over").await, 503);
    assert_eq!(count(effects, "taken-over").await, 0);
    assert_eq!(count(done, "taken-over").await, 0);
}

/// The example receiver built with the stores, started as a process of its
/// own.
struct Instance {
    child: Child,
    url: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Instance {
    async fn start(claims: &str, work_ms: u64, lease_ms: u64) -> Instance {
        let exe = std::env::current_exe().unwrap();
        let examples = exe.parent().unwrap().parent().unwrap().join("examples");
        let binary = examples.join("receiver");
        assert!(
            binary.exists(),
            "the example receiver is built by `cargo test -p debitura-triage-axum --all-features` at {}",
            binary.display()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(binary)
            .args(["--listen", &format!("127.0.0.1:{port}"), "--claims", claims])
            .args(["--work-ms", &work_ms.to_string()])
            .args(["--lease-ms", &lease_ms.to_string()])
            .env("DEBITURA_WEBHOOK_SECRET", secret())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let read = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                read.lock().unwrap().push(line);
            }
        });
        let told = Arc::new(Mutex::new(String::new()));
        let write = Arc::clone(&told);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut told = write.lock().unwrap();
                told.push_str(&line);
                told.push('\n');
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = reqwest::get(format!("{base}/ready")).await;
            if ready.is_ok_and(|r| r.status() == 200) {
                break;
            }
            let exited = child.try_wait().unwrap();
            assert!(
                exited.is_none() && Instant::now() < until,
                "the receiver at {base} never got ready ({exited:?}): {}",
                told.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Instance {
            child,
            url: format!("{base}/webhooks/debitura"),
            lines,
        }
    }

    fn processed(&self, id: &str) -> usize {
        let line = format!("processed {id} case.created");
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| **l == line)
            .count()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether a worker holds a live claim on `id` in the store at `url`,
/// asked of the store itself.
async fn held(url: &str, id: &str) -> bool {
    if url.starts_with("postgres") {
        let pool = PgClaims::connect(url).unwrap();
        let client = pool.pool().get().await.unwrap();
        let row = client
            .query_one(
                "SELECT count(*) FROM debitura_webhook_claims \
                 WHERE id = $1 AND holder IS NOT NULL AND until > clock_timestamp()",
                &[&id],
            )
            .await
            .unwrap();
        row.get::<_, i64>(0) == 1
    } else {
        let client = redis::Client::open(url).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        let value: Option<String> = redis::cmd("GET")
            .arg(format!("debitura:webhook:claim:{id}"))
            .query_async(&mut connection)
            .await
            .unwrap();
        value.is_some_and(|v| v.starts_with("held:"))
    }
}

/// A receiver process killed by its pid while it handles an event: copies
/// before its lease lapses are answered 503; after, another instance
/// handles the event once.
async fn killed_while_handling(claims: &str, run: &str) {
    // Long enough that a loaded machine still sends the first copies
    // within it.
    let lease = Duration::from_millis(3000);
    let lease_ms = u64::try_from(lease.as_millis()).unwrap();
    let mut first = Instance::start(claims, 10_000, lease_ms).await;
    let second = Instance::start(claims, 0, lease_ms).await;
    let id = format!("{run}-killed");
    let client = reqwest::Client::new();
    // The first instance takes the event and works on it; it is killed
    // before it answers.
    let sent = Instant::now();
    let body = envelope(&id);
    let header = sign(&secret(), unix_now(), body.as_bytes()).unwrap();
    let to_first = client
        .post(&first.url)
        .header("X-Debitura-Signature", header)
        .body(body)
        .send();
    let answered = tokio::spawn(to_first);
    let until = Instant::now() + Duration::from_secs(5);
    while !held(claims, &id).await {
        assert!(
            Instant::now() < until,
            "the first instance never took the event"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let status = Command::new("kill")
        .args(["-KILL", &first.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = first.child.wait();
    assert!(
        answered.await.unwrap().is_err(),
        "the killed instance never answered"
    );
    // Within the lease: the second finds the event in flight.
    assert_eq!(deliver(&client, &second.url, &id).await, 503);
    assert!(sent.elapsed() < lease, "checked within the lease");
    // After it: handled by the second, once.
    tokio::time::sleep_until((sent + lease + Duration::from_millis(200)).into()).await;
    assert_eq!(deliver(&client, &second.url, &id).await, 200);
    assert_eq!(deliver(&client, &second.url, &id).await, 200);
    assert_eq!(first.processed(&id), 0);
    assert_eq!(second.processed(&id), 1, "{run}: handled once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_instance_s_event_is_handled_once_by_another_after_its_lease() {
    let pg = Postgres::start();
    let mut redis = Redis::start();
    killed_while_handling(&pg.socket_url(), &run("pg")).await;
    killed_while_handling(&redis.socket_url(), &run("redis")).await;
    redis.stop();
}
