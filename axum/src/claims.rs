//! Once per event id: claims on ids, in memory or in a store the service
//! shares between its instances.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

pub mod conformance;

/// Who holds a claim: the token a store gives with a new claim. Renewing,
/// completing and releasing act only for the holder whose token they
/// carry, so that a worker whose lease lapsed cannot complete or free a
/// newer holder's claim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Holder(Box<str>);

impl Holder {
    /// A holder named by `token` (unique among the store's claims).
    pub fn new(token: impl Into<Box<str>>) -> Self {
        Holder(token.into())
    }

    /// The token.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A token no other holder has, in this process or another: `kind`,
    /// then 64 bits from the process's random hash keys and a count.
    #[cfg_attr(not(any(feature = "postgres", feature = "redis")), allow(dead_code))]
    pub(crate) fn fresh(kind: &str) -> Self {
        use std::hash::{BuildHasher, Hasher};
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(n);
        hasher.write_u32(std::process::id());
        Holder::new(format!("{kind}-{:016x}-{n:x}", hasher.finish()))
    }
}

/// What a claim on an event id found.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Claim {
    /// Nobody held the id: it is now claimed by this holder, and the
    /// handler may run.
    New(Holder),
    /// Another copy of the event is being handled right now.
    InFlight,
    /// The event was handled.
    Done,
}

/// A claim store failed: the delivery is answered 503, so that Debitura
/// sends it again later.
pub type ClaimError = Box<dyn std::error::Error + Send + Sync>;

/// Atomic claims on event ids, so that a handler runs once per id across
/// every copy of an event, concurrent ones included, and across every
/// instance that shares the store.
///
/// A claim is held by the [`Holder`] it returns, for a lease the receiver
/// renews while the handler runs; `renew`, `complete` and `release` act
/// only for that holder while its lease lasts, and answer `false` (doing
/// nothing) otherwise. Back it with a store every instance shares when
/// there are several, and check an implementation with
/// [`conformance::check`].
pub trait Claims: Send + Sync + 'static {
    /// Claims `id` unless a live claim exists; an in-flight claim lapses
    /// after `lease`, so that a copy can be handled after a crash.
    fn claim(
        &self,
        id: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<Claim, ClaimError>> + Send;

    /// Extends `holder`'s in-flight claim on `id` to `lease` from now;
    /// `false` when it no longer holds it.
    fn renew(
        &self,
        id: &str,
        holder: &Holder,
        lease: Duration,
    ) -> impl Future<Output = Result<bool, ClaimError>> + Send;

    /// Marks `id` handled and keeps it so for `ttl`, if `holder` still
    /// holds it; `false` (nothing changed) otherwise.
    fn complete(
        &self,
        id: &str,
        holder: &Holder,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, ClaimError>> + Send;

    /// Forgets `holder`'s claim on `id`, so that the next copy is handled;
    /// `false` (nothing changed) when it no longer holds it.
    fn release(
        &self,
        id: &str,
        holder: &Holder,
    ) -> impl Future<Output = Result<bool, ClaimError>> + Send;

    /// Whether the store answers now (a readiness check asks it through
    /// [`Receiver::ready`](crate::Receiver::ready)); always ready unless the
    /// store says otherwise.
    fn ready(&self) -> impl Future<Output = Result<(), ClaimError>> + Send {
        std::future::ready(Ok(()))
    }
}

/// One store shared by several receivers (say, one per route) or kept by
/// the service to read as well.
impl<C: Claims> Claims for std::sync::Arc<C> {
    fn claim(
        &self,
        id: &str,
        lease: Duration,
    ) -> impl Future<Output = Result<Claim, ClaimError>> + Send {
        C::claim(self, id, lease)
    }

    fn renew(
        &self,
        id: &str,
        holder: &Holder,
        lease: Duration,
    ) -> impl Future<Output = Result<bool, ClaimError>> + Send {
        C::renew(self, id, holder, lease)
    }

    fn complete(
        &self,
        id: &str,
        holder: &Holder,
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, ClaimError>> + Send {
        C::complete(self, id, holder, ttl)
    }

    fn release(
        &self,
        id: &str,
        holder: &Holder,
    ) -> impl Future<Output = Result<bool, ClaimError>> + Send {
        C::release(self, id, holder)
    }

    fn ready(&self) -> impl Future<Output = Result<(), ClaimError>> + Send {
        C::ready(self)
    }
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
    holders: AtomicU64,
}

#[derive(Debug, Clone)]
struct Held {
    /// The holder of an in-flight claim; none once done.
    holder: Option<Holder>,
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
            holders: AtomicU64::new(0),
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

impl MemoryClaims {
    /// `f` of `holder`'s live in-flight claim on `id`, if it has one.
    fn held_by<T>(
        &self,
        id: &str,
        holder: &Holder,
        f: impl FnOnce(&mut HashMap<Box<str>, Held>) -> T,
    ) -> Option<T> {
        let now = Instant::now();
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        let live = ids
            .get(id)
            .is_some_and(|h| h.until > now && h.holder.as_ref() == Some(holder));
        live.then(|| f(&mut ids))
    }
}

impl Claims for MemoryClaims {
    async fn claim(&self, id: &str, lease: Duration) -> Result<Claim, ClaimError> {
        let now = Instant::now();
        let mut ids = self.ids.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(held) = ids.get(id).filter(|h| h.until > now) {
            return Ok(if held.holder.is_none() {
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
        let n = self.holders.fetch_add(1, Ordering::Relaxed);
        let holder = Holder::new(format!("memory-{n}"));
        ids.insert(
            id.into(),
            Held {
                holder: Some(holder.clone()),
                until,
            },
        );
        Ok(Claim::New(holder))
    }

    async fn renew(&self, id: &str, holder: &Holder, lease: Duration) -> Result<bool, ClaimError> {
        let now = Instant::now();
        let renewed = self.held_by(id, holder, |ids| {
            if let Some(held) = ids.get_mut(id) {
                held.until = now.checked_add(lease).unwrap_or(now);
            }
        });
        Ok(renewed.is_some())
    }

    async fn complete(&self, id: &str, holder: &Holder, ttl: Duration) -> Result<bool, ClaimError> {
        let now = Instant::now();
        let until = now.checked_add(ttl).unwrap_or(now);
        let done = self.held_by(id, holder, |ids| {
            ids.insert(
                id.into(),
                Held {
                    holder: None,
                    until,
                },
            );
        });
        Ok(done.is_some())
    }

    async fn release(&self, id: &str, holder: &Holder) -> Result<bool, ClaimError> {
        let released = self.held_by(id, holder, |ids| {
            ids.remove(id);
        });
        Ok(released.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(60);

    async fn new(claims: &MemoryClaims, id: &str) -> Holder {
        match claims.claim(id, LEASE).await.unwrap() {
            Claim::New(holder) => holder,
            other => panic!("{id}: {other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_claim_is_new_then_in_flight_then_done_until_its_time_runs_out() {
        let claims = MemoryClaims::new(10);
        let holder = new(&claims, "a").await;
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::InFlight);
        assert!(claims
            .complete("a", &holder, Duration::from_secs(3600))
            .await
            .unwrap());
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::Done);
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert!(matches!(
            claims.claim("a", LEASE).await.unwrap(),
            Claim::New(_)
        ));
    }

    #[tokio::test(start_paused = true)]
    async fn a_released_or_lapsed_claim_can_be_taken_again_by_another_holder() {
        let claims = MemoryClaims::new(10);
        let first = new(&claims, "a").await;
        assert!(claims.release("a", &first).await.unwrap());
        let second = new(&claims, "a").await;
        assert_ne!(first, second);
        tokio::time::advance(LEASE).await;
        let third = new(&claims, "a").await;
        assert!(
            !claims.renew("a", &second, LEASE).await.unwrap(),
            "lapsed and taken over"
        );
        assert!(!claims.complete("a", &second, LEASE).await.unwrap());
        assert!(!claims.release("a", &second).await.unwrap());
        assert_eq!(claims.claim("a", LEASE).await.unwrap(), Claim::InFlight);
        tokio::time::advance(LEASE / 2).await;
        assert!(claims.renew("a", &third, LEASE).await.unwrap());
        tokio::time::advance(LEASE / 2 + LEASE / 4).await;
        assert_eq!(
            claims.claim("a", LEASE).await.unwrap(),
            Claim::InFlight,
            "renewed"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_store_refuses_new_ids_until_claims_lapse() {
        let claims = MemoryClaims::new(2);
        new(&claims, "a").await;
        new(&claims, "b").await;
        let full = claims.claim("c", LEASE).await.unwrap_err();
        assert_eq!(full.downcast_ref::<Full>(), Some(&Full { capacity: 2 }));
        assert_eq!(
            claims.claim("a", LEASE).await.unwrap(),
            Claim::InFlight,
            "a held id still answers"
        );
        tokio::time::advance(LEASE).await;
        let c = new(&claims, "c").await;
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
        assert!(claims.release("c", &c).await.unwrap());
        assert!(claims.is_empty());
        assert_eq!(claims.len(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lease_ends_at_its_last_instant_for_the_holder_as_for_a_new_claim() {
        let claims = MemoryClaims::new(10);
        let holder = new(&claims, "a").await;
        assert!(holder.as_str().starts_with("memory-"), "{holder:?}");
        assert_ne!(holder.as_str(), new(&claims, "b").await.as_str());
        tokio::time::advance(LEASE).await;
        assert!(
            !claims.renew("a", &holder, LEASE).await.unwrap(),
            "the lease is over at its end"
        );
        assert!(matches!(
            claims.claim("a", LEASE).await.unwrap(),
            Claim::New(_)
        ));
    }

    #[tokio::test]
    async fn the_memory_store_passes_the_conformance_suite() {
        conformance::check(std::sync::Arc::new(MemoryClaims::default())).await;
    }
}
