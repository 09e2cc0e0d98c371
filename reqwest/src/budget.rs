//! The retry budget on tokio's clock: the core's budget, and the origin
//! from which the layer tells it the time.

use std::fmt;
use std::time::Duration;

use debitura_triage::call::{self, InvalidBudget};
use tokio::time::Instant;

/// Bounds the resends of every call through a [`Triage`](crate::Triage)
/// together, one account per API host (host and port): the core's
/// [`call::RetryBudget`], read on tokio's clock.
///
/// Each first attempt deposits; each resend (a backoff or a token refresh)
/// withdraws. Resends may add at most `ratio` of the first attempts made in
/// the last `window`, plus a reserve of `reserve_per_second` resends per
/// second of the window, so that a quiet service can still resend. When the
/// account is spent, a call that would be resent stops with
/// [`Reason::BudgetSpent`](crate::Reason::BudgetSpent), keeping the server's
/// delay so that the caller can reschedule.
///
/// The default is a 20 % ratio over 10 seconds with a reserve of 10 per
/// second (Finagle's and Linkerd's defaults). While Debitura is down, a busy
/// service then sends at most 1.2 times its usual traffic, instead of up to
/// four times with each call's own bounds alone.
///
/// **The reserve is per instance**: a fleet of `n` instances may resend `n`
/// times it. Debitura's limit is 2,000 requests a minute per key, and the
/// default reserve is 600 a minute: a fleet of more than three instances
/// should divide it with [`RetryBudget::for_instances`].
///
/// A budget only bounds the resends it sees: a retry loop around the layer
/// (reqwest-retry, a job queue's own retries) multiplies the load again.
///
/// Clones share one set of accounts: give the same budget to every layer
/// whose requests count against the same limits. [`Triage::budget`]
/// passes it on to its token source, so token mints draw on it too.
///
/// [`Triage::budget`]: crate::Triage::budget
#[derive(Clone, Default)]
pub struct RetryBudget {
    core: call::RetryBudget,
    origin: Origin,
}

/// The instant the budget's clock counts from: when it was made.
#[derive(Clone, Copy)]
struct Origin(Instant);

impl Default for Origin {
    fn default() -> Self {
        Origin(Instant::now())
    }
}

impl RetryBudget {
    /// The core's budget of these settings
    /// ([`call::RetryBudget::new`]), read on tokio's clock.
    ///
    /// ```
    /// use std::time::Duration;
    /// use debitura_triage_reqwest::RetryBudget;
    ///
    /// let budget = RetryBudget::new(0.1, 5, Duration::from_secs(10)).unwrap();
    /// assert!(RetryBudget::new(f32::NAN, 5, Duration::from_secs(10)).is_err());
    /// # drop(budget);
    /// ```
    pub fn new(
        ratio: f32,
        reserve_per_second: u32,
        window: Duration,
    ) -> Result<Self, InvalidBudget> {
        Ok(RetryBudget::from(call::RetryBudget::new(
            ratio,
            reserve_per_second,
            window,
        )?))
    }

    /// The default budget for one of `instances` processes sharing an API
    /// key: the reserve divided between them
    /// ([`call::RetryBudget::for_instances`]).
    pub fn for_instances(instances: u32) -> Result<Self, InvalidBudget> {
        Ok(RetryBudget::from(call::RetryBudget::for_instances(
            instances,
        )?))
    }

    /// The core's budget, which the layer's calls draw on.
    #[must_use]
    pub fn core(&self) -> &call::RetryBudget {
        &self.core
    }

    /// Now, on the budget's clock.
    pub(crate) fn now(&self) -> Duration {
        Instant::now().saturating_duration_since(self.origin.0)
    }

    /// The instant a time on the budget's clock falls at.
    pub(crate) fn instant(&self, at: Duration) -> Instant {
        self.origin.0 + at
    }
}

impl From<call::RetryBudget> for RetryBudget {
    /// The core's budget, read on tokio's clock from now on.
    fn from(core: call::RetryBudget) -> Self {
        RetryBudget {
            core,
            origin: Origin::default(),
        }
    }
}

impl fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}
