//! What every [`Claims`] store must do, as a check any implementation can
//! run in its own tests against a real store:
//!
//! ```no_run
//! # async fn run() {
//! use std::sync::Arc;
//! use debitura_triage_axum::{conformance, MemoryClaims};
//!
//! conformance::check(Arc::new(MemoryClaims::default())).await;
//! # }
//! ```
//!
//! It uses ids of its own (a prefix unique to the run), waits in real time
//! (about two seconds in all: leases and times to live of a few hundred
//! milliseconds, measured by the store's clock) and panics with what the
//! store did wrong.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Claim, Claims, Holder};

/// The lease and the time to live the checks give; the waits are longer by
/// half again, so that a store's clock a little ahead or behind passes.
const SHORT: Duration = Duration::from_millis(400);

/// Copies of one event claimed at once.
const CONCURRENT: usize = 100;

/// Checks `store`: a claim is atomic under 100 concurrent callers; a lapsed
/// lease is taken over by a new holder; the old holder's renew, complete
/// and release then do nothing; a renewed lease outlives its first term;
/// a done id is kept for its time to live and then claimable; a released
/// id is claimable again at once. Panics with the first thing that is
/// wrong.
pub async fn check<C: Claims>(store: Arc<C>) {
    let run = unique_prefix();
    let id = |name: &str| format!("{run}-{name}");

    // Atomic under concurrent callers: exactly one new claim.
    let atomic = id("atomic");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENT {
        let (store, atomic) = (Arc::clone(&store), atomic.clone());
        tasks.spawn(async move { store.claim(&atomic, Duration::from_secs(60)).await });
    }
    let mut new = 0;
    while let Some(result) = tasks.join_next().await {
        match result
            .expect("a claim task ran")
            .expect("the store answered")
        {
            Claim::New(_) => new += 1,
            Claim::InFlight => {}
            Claim::Done => panic!("a claim on a fresh id found it done"),
        }
    }
    assert_eq!(
        new, 1,
        "{CONCURRENT} concurrent claims on one id: exactly one is new"
    );

    // A lapsed lease is taken over; the stale holder can change nothing.
    let lapsing = id("lapsing");
    let stale = holder(&*store, &lapsing, SHORT).await;
    assert_eq!(
        claim(&*store, &lapsing).await,
        Claim::InFlight,
        "held within the lease"
    );
    tokio::time::sleep(SHORT + SHORT / 2).await;
    let current = holder(&*store, &lapsing, Duration::from_secs(60)).await;
    assert_ne!(stale, current, "a takeover gets a holder of its own");
    assert!(
        !store
            .renew(&lapsing, &stale, Duration::from_secs(60))
            .await
            .unwrap(),
        "a stale holder cannot renew"
    );
    assert!(
        !store
            .complete(&lapsing, &stale, Duration::from_secs(60))
            .await
            .unwrap(),
        "a stale holder cannot complete"
    );
    assert!(
        !store.release(&lapsing, &stale).await.unwrap(),
        "a stale holder cannot release"
    );
    assert_eq!(
        claim(&*store, &lapsing).await,
        Claim::InFlight,
        "the current holder still holds it"
    );
    assert!(store
        .complete(&lapsing, &current, Duration::from_secs(60))
        .await
        .unwrap());
    assert_eq!(claim(&*store, &lapsing).await, Claim::Done);
    assert!(
        !store.release(&lapsing, &current).await.unwrap(),
        "a done claim is no longer held: it cannot be released"
    );

    // A renewed lease outlives its first term.
    let renewed = id("renewed");
    let h = holder(&*store, &renewed, SHORT).await;
    tokio::time::sleep(SHORT / 2).await;
    assert!(
        store.renew(&renewed, &h, SHORT * 3).await.unwrap(),
        "the holder renews"
    );
    tokio::time::sleep(SHORT).await;
    assert_eq!(
        claim(&*store, &renewed).await,
        Claim::InFlight,
        "renewed: still held past the first lease"
    );

    // Done is kept for its time to live, then the id is claimable again.
    let done = id("done");
    let h = holder(&*store, &done, Duration::from_secs(60)).await;
    assert!(store.complete(&done, &h, SHORT).await.unwrap());
    assert_eq!(claim(&*store, &done).await, Claim::Done);
    tokio::time::sleep(SHORT + SHORT / 2).await;
    assert!(
        matches!(claim(&*store, &done).await, Claim::New(_)),
        "claimable once its time to live is over"
    );

    // Released: claimable again at once.
    let released = id("released");
    let h = holder(&*store, &released, Duration::from_secs(60)).await;
    assert!(store.release(&released, &h).await.unwrap());
    assert!(
        matches!(claim(&*store, &released).await, Claim::New(_)),
        "claimable again once released"
    );
}

async fn claim<C: Claims>(store: &C, id: &str) -> Claim {
    store
        .claim(id, Duration::from_secs(60))
        .await
        .expect("the store answered")
}

async fn holder<C: Claims>(store: &C, id: &str, lease: Duration) -> Holder {
    match store.claim(id, lease).await.expect("the store answered") {
        Claim::New(holder) => holder,
        other => panic!("a claim on a free id {id} found {other:?}"),
    }
}

/// A prefix no other run shares: the time and a count within the process.
fn unique_prefix() -> String {
    static RUNS: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "conformance-{nanos:x}-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    )
}
