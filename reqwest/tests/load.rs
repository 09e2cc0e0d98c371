//! The retry budget under load: 200 concurrent calls against a Debitura that
//! answers every request 503 add at most the budget's share of resends, the
//! calls succeed again as soon as it recovers, and the layer's memory does
//! not grow with the calls it made. Waits run on tokio's paused clock; the
//! number of calls is fixed, so the test's time is too.
//!
//! It is the only test in this binary, so that the allocator's count is the
//! test's own.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use debitura_triage_reqwest::{Error, Operation, Reason, RetryBudget, Triage};
use reqwest_middleware::ClientWithMiddleware;
use support::Reply;

/// Counts the bytes held, to see whether they grow with the calls made.
struct Counting;

static HELD: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only
// the count is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        HELD.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's layout, as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HELD.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CALLS: usize = 200;

/// Sends `CALLS` reads at once and returns how each ended.
async fn round(client: &ClientWithMiddleware, base: &str) -> Vec<Result<u16, (u32, Reason)>> {
    let calls = (0..CALLS).map(|n| {
        let request = client
            .get(format!("{base}/v1/cases/c-{n}"))
            .with_extension(Operation::GetCase);
        tokio::spawn(async move {
            match request.send().await {
                Ok(response) => Ok(response.status().as_u16()),
                Err(err) => {
                    let e = Error::of(&err).expect("a typed error");
                    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)), "{e}");
                    Err((e.attempts(), e.reason()))
                }
            }
        })
    });
    let mut ended = Vec::with_capacity(CALLS);
    for call in calls.collect::<Vec<_>>() {
        ended.push(call.await.unwrap());
    }
    ended
}

#[tokio::test(start_paused = true)]
async fn two_hundred_calls_against_a_503_send_at_most_the_budgets_share_more() {
    let down = Arc::new(AtomicBool::new(true));
    let state = Arc::clone(&down);
    let fake = support::serve_counting(move |_, _| {
        if state.load(Ordering::SeqCst) {
            Reply::empty("503 Service Unavailable", "retry-after: 1\r\n")
        } else {
            Reply::json("200 OK", r#"{"id":"c-1"}"#)
        }
    })
    .await;
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let (ratio, reserve_per_second, window) = (0.2, 10, Duration::from_secs(10));
    let budget = RetryBudget::new(ratio, reserve_per_second, window).unwrap();
    let client = reqwest_middleware::ClientBuilder::new(http)
        .with(Triage::new().budget(budget))
        .build();

    // Down: each call alone would be sent 3 times (600 requests).
    let ended = round(&client, &fake.base).await;
    let share =
        reserve_per_second as usize * window.as_secs() as usize + (ratio * CALLS as f32) as usize;
    let sent = fake.count();
    assert!(sent <= CALLS + share, "{sent} requests for {CALLS} calls");
    assert!(sent > CALLS, "the reserve allows some resends: {sent}");
    let spent = ended
        .iter()
        .filter(|e| matches!(e, Err((_, Reason::BudgetSpent))))
        .count();
    assert!(spent > 0, "{ended:?}");
    assert!(
        ended
            .iter()
            .all(|e| matches!(e, Err((_, Reason::BudgetSpent | Reason::AttemptsUsedUp)))),
        "{ended:?}"
    );

    // Recovered: every call succeeds on its first attempt, at once, though
    // the budget's window has not passed.
    down.store(false, Ordering::SeqCst);
    let before = fake.count();
    let start = tokio::time::Instant::now();
    let ended = round(&client, &fake.base).await;
    assert!(ended.iter().all(|e| *e == Ok(200)), "{ended:?}");
    assert_eq!(fake.count() - before, CALLS);
    assert!(start.elapsed() < Duration::from_millis(100));

    // Memory: after a first round of each kind, more rounds hold no more.
    down.store(true, Ordering::SeqCst);
    round(&client, &fake.base).await;
    let held = HELD.load(Ordering::SeqCst);
    for _ in 0..3 {
        tokio::time::advance(window).await;
        round(&client, &fake.base).await;
    }
    let grown = HELD.load(Ordering::SeqCst) - held;
    assert!(
        grown < 32 * 1024,
        "{grown} more bytes held after {} more calls",
        3 * CALLS
    );
}
