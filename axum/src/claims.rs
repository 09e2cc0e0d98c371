//! Once per event id: claims on ids, in memory or in a store the service
//! shares between its instances.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// What a claim on an event id found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Claim {
    /// Nobody held the id: it is now claimed, and the handler may run.
    New,
    /// Another copy of the event is being handled right now.
    InFlight,
    /// The event was handled.
    Done,
}

/// A claim store failed: the delivery is answered 503, so that Debitura
/// sends it again later.
pub type ClaimError = Box<dyn std::error::Error + Send + Sync>;

/// Atomic claims on event ids, so that a handler runs once per id across
/// every copy of an event, concurrent ones included.
///
/// Back it with a store every instance of the service shares when there are
/// several, e.g. Redis: `claim` is `SET id in-flight NX PX lease` (and a
/// `GET` when it is taken), `complete` is `SET id done PX ttl`, `release` is
/// `DEL id`.
pub trait Claims: Send + Sync + 'static {
    /// Claims `id` unless a live claim exists; an in-flight claim lapses
    /// after `lease`, so that a copy can be handled after a crash.
    fn claim(
        &self,
        id: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<Claim, ClaimError>> + Send;

    /// Marks `id` handled, and keeps it so for `ttl`.
    fn complete(
        &self,
        id: &str,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), ClaimError>> + Send;

    /// Forgets the claim on `id`, so that the next copy is handled.
    fn release(&self, id: &str) -> impl Future<Output = Result<(), ClaimError>> + Send;
}

/// Claims held in this process's memory, at most `capacity` at a time.
///
/// When it is full of live claims, a new id is refused ([`Full`]) and the
/// delivery answered 503 rather than an old claim dropped: an event is never
/// handled twice, and Debitura sends it again later. Size the capacity above
/// the events expected within the claims' time to live, or share a store.
pub struct MemoryClaims {
    capacity: usize,
    ids: Mutex<HashMap<Box<str>, Held>>,
}

#[derive(Debug, Clone, Copy)]
struct Held {
    done: bool,
    until: Instant,
}

/// A [`MemoryClaims`] full of live claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full {
    /// Its capacity.
    pub capacity: usize,
}

impl fmt::Display for Full {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the in-memory claims hold {} live event ids; raise the capacity or share a store",
            self.capacity
        )
    }
}

impl std::error::Error for Full {}

impl MemoryClaims {
    /// Room for `capacity` live claims.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        MemoryClaims {
            capacity,
            ids: Mutex::new(HashMap::new()),
        }
    }

    /// Claims held now, live or lapsed but not yet swept.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether it holds no claim.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemoryClaims {
    /// Room for 100 000 live claims (about 15 MB).
    fn default() -> Self {
        MemoryClaims::new(100_000)
    }
}

impl fmt::Debug for MemoryClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryClaims")
            .field("capacity", &self.capacity)
            .field("held", &self.len())
            .finish()
    }
}

impl Claims for MemoryClaims {
    async fn claim(&self, id: &str, lease: Duration) -> Result<Claim, ClaimError> {
        let now = Instant::now();
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = ids.get(id).filter(|h| h.until > now) {
            return Ok(if held.done {
                Claim::Done
            } else {
                Claim::InFlight
            });
        }
        if ids.len() >= self.capacity {
            // Full: sweep the lapsed claims once, then refuse if still full.
            ids.retain(|_, h| h.until > now);
            if ids.len() >= self.capacity {
                return Err(Box::new(Full {
                    capacity: self.capacity,
                }));
            }
        }
        let until = now.checked_add(lease).unwrap_or(now);
        ids.insert(id.into(), Held { done: false, until });
        Ok(Claim::New)
    }

    async fn complete(&self, id: &str, ttl: Duration) -> Result<(), ClaimError> {
        let now = Instant::now();
        let until = now.checked_add(ttl).unwrap_or(now);
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        ids.insert(id.into(), Held { done: true, until });
        Ok(())
    }

    async fn release(&self, id: &str) -> Result<(), ClaimError> {
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        ids.remove(id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(60);

    #[tokio::test(start_paused = true)]
    async fn a_claim_is_new_then_in_flight_then_done_until_its_time_runs_out() {
        let claims = MemoryClaims::new(10);
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::New);
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::InFlight);
        claims
            .complete("a", Duration::from_secs(3600))
            .await
            .unwrap();
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::Done);
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::New);
    }

    #[tokio::test(start_paused = true)]
    async fn a_released_or_lapsed_claim_can_be_taken_again() {
        let claims = MemoryClaims::new(10);
        claims.claim("a", LEASE).await.unwrap();
        claims.release("a").await.unwrap();
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::New);
        tokio::time::advance(LEASE).await;
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::New);
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_store_refuses_new_ids_until_claims_lapse() {
        let claims = MemoryClaims::new(2);
        claims.claim("a", LEASE).await.unwrap();
        claims.claim("b", LEASE).await.unwrap();
        let full = claims.claim("c", LEASE).await.unwrap_err();
        assert_eq!(full.downcast_ref::<Full>(), Some(&Full { capacity: 2 }));
        assert_eq!(
            claims.claim("a", LEASE).await.unwrap(),
            Claim::InFlight,
            "a held id still answers"
        );
        tokio::time::advance(LEASE).await;
        assert_eq!(claims.claim("c", LEASE).await.unwrap(), Claim::New);
        assert_eq!(claims.len(), 1, "the lapsed ones were swept");
        assert!(!claims.is_empty());
        assert_eq!(
            full.to_string(),
            "the in-memory claims hold 2 live event ids; raise the capacity or share a store"
        );
        assert_eq!(
            format!("{claims:?}"),
            "MemoryClaims { capacity: 2, held: 1 }"
        );
        claims.release("c").await.unwrap();
        assert!(claims.is_empty());
        assert_eq!(claims.len(), 0);
    }
}
