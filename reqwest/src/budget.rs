//! The retry budget: how many resends all calls through one layer may make
//! together, per API host.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tower::retry::budget::{Budget, TpsBudget};

/// Bounds the resends of every call through a [`Triage`](crate::Triage)
/// together, one account per API host (host and port), as
/// Finagle's and Linkerd's retry budgets do.
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
/// four times with each call's own bounds alone; Debitura's limit of 2,000
/// requests a minute per key leaves room for the reserve of 600 a minute.
///
/// A budget only bounds the resends it sees: a retry loop around the layer
/// (reqwest-retry, a job queue's own retries) multiplies the load again.
///
/// Clones share one set of accounts: give the same budget to every layer
/// whose requests count against the same limits. [`Triage::budget`]
/// passes it on to its token source, so token mints draw on it too.
///
/// [`Triage::budget`]: crate::Triage::budget
#[derive(Clone)]
pub struct RetryBudget(Arc<Accounts>);

struct Accounts {
    settings: Settings,
    /// One account per host and port, at most [`MAX_HOSTS`]; later hosts
    /// share `overflow`. A short list: a lookup costs no allocation.
    hosts: Mutex<Vec<HostAccount>>,
    overflow: Arc<TpsBudget>,
}

struct HostAccount {
    host: Box<str>,
    port: u16,
    account: Arc<TpsBudget>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Settings {
    ratio: f32,
    reserve_per_second: u32,
    window: Duration,
}

impl Settings {
    fn account(self) -> TpsBudget {
        TpsBudget::new(self.window, self.reserve_per_second, self.ratio)
    }
}

/// Hosts that get an account of their own. A service talks to two or three
/// of Debitura's; the bound keeps a caller that sends to ever new hosts from
/// growing the table without end.
pub(crate) const MAX_HOSTS: usize = 64;

/// Settings [`RetryBudget::new`] refuses, with the bound each one broke.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum InvalidBudget {
    /// The ratio is not a number from 0 to 1000.
    Ratio(f32),
    /// The window is shorter than 1 second or longer than 60.
    Window(Duration),
    /// The reserve is `i32::MAX` per second or more.
    Reserve(u32),
}

impl fmt::Display for InvalidBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidBudget::Ratio(r) => {
                write!(f, "a retry budget's ratio must be from 0 to 1000, not {r}")
            }
            InvalidBudget::Window(w) => write!(
                f,
                "a retry budget's window must be from 1 s to 60 s, not {} s",
                w.as_secs_f64()
            ),
            InvalidBudget::Reserve(r) => write!(
                f,
                "a retry budget's reserve must be below {} per second, not {r}",
                i32::MAX
            ),
        }
    }
}

impl std::error::Error for InvalidBudget {}

impl RetryBudget {
    /// A budget that lets resends add `ratio` (0.2 = 20 %) of the first
    /// attempts made in the last `window` (1 to 60 s), plus
    /// `reserve_per_second` resends for each second of the window.
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
        if !(0.0..=1000.0).contains(&ratio) {
            return Err(InvalidBudget::Ratio(ratio));
        }
        if !(Duration::from_secs(1)..=Duration::from_secs(60)).contains(&window) {
            return Err(InvalidBudget::Window(window));
        }
        if reserve_per_second >= i32::MAX.unsigned_abs() {
            return Err(InvalidBudget::Reserve(reserve_per_second));
        }
        Ok(RetryBudget::with(Settings {
            ratio,
            reserve_per_second,
            window,
        }))
    }

    /// From settings within the bounds [`RetryBudget::new`] checks.
    fn with(settings: Settings) -> Self {
        RetryBudget(Arc::new(Accounts {
            settings,
            hosts: Mutex::new(Vec::new()),
            overflow: Arc::new(settings.account()),
        }))
    }

    /// The account of `host` and `port`, opened on first use.
    pub(crate) fn account(&self, host: &str, port: u16) -> Account {
        let accounts = &self.0;
        let mut hosts = accounts
            .hosts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let found = match hosts.iter().find(|h| &*h.host == host && h.port == port) {
            Some(known) => Arc::clone(&known.account),
            None if hosts.len() < MAX_HOSTS => {
                let account = Arc::new(accounts.settings.account());
                hosts.push(HostAccount {
                    host: host.into(),
                    port,
                    account: Arc::clone(&account),
                });
                account
            }
            None => Arc::clone(&accounts.overflow),
        };
        Account(found)
    }

    /// How many hosts have an account of their own.
    #[cfg(test)]
    fn hosts(&self) -> usize {
        self.0
            .hosts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Default for RetryBudget {
    /// 20 % over 10 seconds, with a reserve of 10 resends a second.
    fn default() -> Self {
        RetryBudget::with(Settings {
            ratio: 0.2,
            reserve_per_second: 10,
            window: Duration::from_secs(10),
        })
    }
}

impl fmt::Debug for RetryBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.settings;
        f.debug_struct("RetryBudget")
            .field("ratio", &s.ratio)
            .field("reserve_per_second", &s.reserve_per_second)
            .field("window", &s.window)
            .finish_non_exhaustive()
    }
}

/// One host's account, held by a call for its whole life.
#[derive(Clone)]
pub(crate) struct Account(Arc<TpsBudget>);

impl Account {
    /// A first attempt.
    pub(crate) fn deposit(&self) {
        self.0.deposit();
    }

    /// A resend, if the account allows one.
    pub(crate) fn withdraw(&self) -> bool {
        self.0.withdraw()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_out_of_bounds_are_refused_with_the_bound() {
        let ten = Duration::from_secs(10);
        for ratio in [f32::NAN, -0.1, 1000.5, f32::INFINITY] {
            assert!(matches!(
                RetryBudget::new(ratio, 10, ten),
                Err(InvalidBudget::Ratio(_))
            ));
        }
        for window in [
            Duration::ZERO,
            Duration::from_millis(999),
            Duration::from_secs(61),
        ] {
            assert_eq!(
                RetryBudget::new(0.2, 10, window).unwrap_err(),
                InvalidBudget::Window(window)
            );
        }
        assert_eq!(
            RetryBudget::new(0.2, u32::MAX, ten).unwrap_err(),
            InvalidBudget::Reserve(u32::MAX)
        );
        assert_eq!(
            RetryBudget::new(0.2, 10, Duration::from_secs(61))
                .unwrap_err()
                .to_string(),
            "a retry budget's window must be from 1 s to 60 s, not 61 s"
        );
        for edge in [(0.0, 0, 1), (1000.0, 0, 60)] {
            let (ratio, reserve, secs) = edge;
            assert!(RetryBudget::new(ratio, reserve, Duration::from_secs(secs)).is_ok());
        }
    }

    #[tokio::test(start_paused = true)]
    async fn resends_are_a_share_of_first_attempts_plus_the_reserve() {
        // 50 % and a reserve of 1 a second over 2 s: 2 resends in reserve,
        // and one more for every two first attempts.
        let budget = RetryBudget::new(0.5, 1, Duration::from_secs(2)).unwrap();
        let account = budget.account("api.example", 443);
        let drain = |a: &Account| (0..100).take_while(|_| a.withdraw()).count();
        assert_eq!(drain(&account), 2, "the reserve alone");
        for _ in 0..10 {
            account.deposit();
        }
        assert_eq!(drain(&account), 5, "half of ten first attempts");
    }

    #[tokio::test(start_paused = true)]
    async fn each_host_has_its_own_account_and_clones_share_them() {
        let budget = RetryBudget::new(0.0, 1, Duration::from_secs(1)).unwrap();
        let a = budget.account("a", 443);
        assert!(a.withdraw());
        assert!(!a.withdraw(), "a's reserve of one is spent");
        assert!(budget.account("b", 443).withdraw(), "b has its own");
        assert!(
            !budget.clone().account("a", 443).withdraw(),
            "a clone shares a's"
        );
    }

    #[test]
    fn the_table_of_hosts_is_bounded() {
        let budget = RetryBudget::default();
        for n in 0..10 * MAX_HOSTS {
            budget.account(&format!("host-{n}"), 443);
        }
        assert_eq!(budget.hosts(), MAX_HOSTS);
        budget.account("host-0", 8443);
        assert_eq!(budget.hosts(), MAX_HOSTS, "a port makes another host");
    }

    #[test]
    fn the_default_is_twenty_percent_over_ten_seconds_with_ten_a_second() {
        let default = format!("{:?}", RetryBudget::default());
        let spelled = RetryBudget::new(0.2, 10, Duration::from_secs(10)).unwrap();
        assert_eq!(default, format!("{spelled:?}"));
        assert!(default.contains("ratio: 0.2"), "{default}");
    }
}
