//! The retry budget: how many resends all calls sharing it may make
//! together, one account per API host, on the driver's clock.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Bounds the resends of every call that shares it, one account per API
/// host (host and port), as Finagle's and Linkerd's retry budgets do.
///
/// Each first attempt deposits; each resend (a backoff or a token refresh)
/// withdraws. Resends may add at most `ratio` of the first attempts made in
/// the last `window`, plus a reserve of `reserve_per_second` resends per
/// second of the window, so that a quiet service can still resend. When the
/// account is spent, a call that would be resent stops with
/// [`Reason::BudgetSpent`](super::Reason::BudgetSpent), keeping the
/// server's delay so that the caller can reschedule.
///
/// The default is a 20 % ratio over 10 seconds with a reserve of 10 per
/// second (Finagle's and Linkerd's defaults). While Debitura is down, a busy
/// service then sends at most 1.2 times its usual traffic, instead of up to
/// four times with each call's own bounds alone.
///
/// **The reserve is per instance**: each process holds its own budget, so a
/// fleet of `n` instances may resend `n` times the reserve. Debitura's limit
/// is 2,000 requests a minute per key; the default reserve is 600 a minute
/// for one instance, so a fleet of more than three should divide it
/// ([`RetryBudget::for_instances`]).
///
/// Time is an input: every method takes `now`, the time on the driver's
/// monotonic clock as a [`Duration`] from an origin of its choosing, the same
/// for every call that shares the budget.
///
/// Clones share one set of accounts: give the same budget to every call
/// whose requests count against the same limits.
#[derive(Clone)]
pub struct RetryBudget(Arc<Accounts>);

struct Accounts {
    settings: Settings,
    /// One account per host and port, at most [`MAX_HOSTS`]; later hosts
    /// share `overflow`. A short list: a lookup costs no allocation.
    hosts: Mutex<Vec<HostAccount>>,
    overflow: Arc<Mutex<Ledger>>,
}

struct HostAccount {
    host: Box<str>,
    port: u16,
    ledger: Arc<Mutex<Ledger>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Settings {
    ratio: f32,
    reserve_per_second: u32,
    window: Duration,
}

/// Hosts that get an account of their own. A service talks to two or three
/// of Debitura's; the bound keeps a caller that sends to ever new hosts from
/// growing the table without end.
pub const MAX_HOSTS: usize = 64;

/// The window is kept as this many slots, each expiring as a whole.
const SLOTS: usize = 10;

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
    /// The number of instances is 0.
    Instances,
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
            InvalidBudget::Instances => {
                f.write_str("a retry budget is shared by at least one instance, not 0")
            }
        }
    }
}

impl std::error::Error for InvalidBudget {}

impl RetryBudget {
    /// A budget that lets resends add `ratio` (0.2 = 20 %) of the first
    /// attempts made in the last `window` (1 to 60 s), plus
    /// `reserve_per_second` resends for each second of the window, for this
    /// instance.
    ///
    /// ```
    /// use std::time::Duration;
    /// use debitura_triage::call::RetryBudget;
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

    /// The default budget for one of `instances` processes that share an
    /// API key: the fleet's reserve of 10 a second divided between them
    /// (rounded up, so that each keeps at least one a second).
    ///
    /// ```
    /// use debitura_triage::call::RetryBudget;
    ///
    /// let four = RetryBudget::for_instances(4).unwrap();
    /// assert_eq!(four.reserve_per_second(), 3);
    /// assert!(RetryBudget::for_instances(0).is_err());
    /// ```
    pub fn for_instances(instances: u32) -> Result<Self, InvalidBudget> {
        if instances == 0 {
            return Err(InvalidBudget::Instances);
        }
        let default = Settings::DEFAULT;
        Ok(RetryBudget::with(Settings {
            reserve_per_second: default.reserve_per_second.div_ceil(instances),
            ..default
        }))
    }

    fn with(settings: Settings) -> Self {
        RetryBudget(Arc::new(Accounts {
            settings,
            hosts: Mutex::new(Vec::new()),
            overflow: Arc::new(Mutex::new(Ledger::new(settings))),
        }))
    }

    /// The share of first attempts resends may add.
    #[must_use]
    pub fn ratio(&self) -> f32 {
        self.0.settings.ratio
    }

    /// Resends a second this instance keeps in reserve.
    #[must_use]
    pub fn reserve_per_second(&self) -> u32 {
        self.0.settings.reserve_per_second
    }

    /// How far back first attempts count.
    #[must_use]
    pub fn window(&self) -> Duration {
        self.0.settings.window
    }

    /// The account of `host` and `port`, opened on first use.
    #[must_use]
    pub fn account(&self, host: &str, port: u16) -> Account {
        let accounts = &self.0;
        let mut hosts = accounts
            .hosts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let found = match hosts.iter().find(|h| &*h.host == host && h.port == port) {
            Some(known) => Arc::clone(&known.ledger),
            None if hosts.len() < MAX_HOSTS => {
                let ledger = Arc::new(Mutex::new(Ledger::new(accounts.settings)));
                hosts.push(HostAccount {
                    host: host.into(),
                    port,
                    ledger: Arc::clone(&ledger),
                });
                ledger
            }
            None => Arc::clone(&accounts.overflow),
        };
        Account(found)
    }

    /// Counts a first attempt of `request`, sent at `now`, in its host's
    /// account, as [`Call::start`](super::Call::start) does: for a driver
    /// that sends a request needing nothing before it first and starts the
    /// machine only after a failure (with the time the request was sent).
    pub fn first_attempt(&self, request: &super::Request<'_>, now: Duration) {
        let (host, port) = request.account_key();
        self.account(host, port).deposit(now);
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

impl Settings {
    const DEFAULT: Settings = Settings {
        ratio: 0.2,
        reserve_per_second: 10,
        window: Duration::from_secs(10),
    };
}

impl Default for RetryBudget {
    /// 20 % over 10 seconds, with a reserve of 10 resends a second.
    fn default() -> Self {
        RetryBudget::with(Settings::DEFAULT)
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
pub struct Account(Arc<Mutex<Ledger>>);

impl Account {
    /// A first attempt, at `now`.
    pub fn deposit(&self, now: Duration) {
        self.ledger().put(now);
    }

    /// A resend at `now`, if the account allows one.
    #[must_use]
    pub fn withdraw(&self, now: Duration) -> bool {
        self.ledger().take(now)
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account").finish_non_exhaustive()
    }
}

/// The balance of one account: deposits and withdrawals of the current
/// slot, and those of the slots before it within the window. A deposit is
/// worth `deposit` units and a resend costs `withdraw`, so that a ratio of
/// 0.2 makes five first attempts pay for one resend; the reserve is counted
/// in the same units.
struct Ledger {
    slots: [i64; SLOTS],
    current: i64,
    index: usize,
    /// When the current slot began.
    began: Duration,
    slot: Duration,
    reserve: i64,
    deposit: i64,
    withdraw: i64,
}

impl Ledger {
    fn new(settings: Settings) -> Self {
        // Whole units, so that the balance is exact; worked out in `f32`, the
        // ratio's own precision (in `f64`, 1 / 0.2 falls just short of 5).
        let ratio = settings.ratio;
        let (deposit, withdraw) = if ratio == 0.0 {
            (0, 1)
        } else if ratio <= 1.0 {
            (1, (1.0 / ratio) as i64)
        } else {
            (1000, (1000.0 / ratio) as i64)
        };
        let reserve = i64::from(settings.reserve_per_second)
            .saturating_mul(settings.window.as_secs() as i64)
            .saturating_mul(withdraw);
        Ledger {
            slots: [0; SLOTS],
            current: 0,
            index: 0,
            began: Duration::ZERO,
            slot: settings.window / SLOTS as u32,
            reserve,
            deposit,
            withdraw,
        }
    }

    /// Closes the slots that have ended by `now`: the current one keeps its
    /// sum, and every whole slot that passed after it is emptied.
    fn expire(&mut self, now: Duration) {
        let mut passed = now.saturating_sub(self.began);
        if passed < self.slot {
            return;
        }
        self.slots[self.index] = std::mem::take(&mut self.current);
        let mut index = (self.index + 1) % SLOTS;
        // Once round at most: after that every slot is empty.
        for _ in 0..SLOTS {
            if passed <= self.slot {
                break;
            }
            self.slots[index] = 0;
            passed -= self.slot;
            index = (index + 1) % SLOTS;
        }
        self.index = index;
        self.began = now;
    }

    fn balance(&self) -> i64 {
        self.slots
            .iter()
            .fold(self.current, |sum, s| sum.saturating_add(*s))
            .saturating_add(self.reserve)
    }

    fn put(&mut self, now: Duration) {
        self.expire(now);
        self.current = self.current.saturating_add(self.deposit);
    }

    fn take(&mut self, now: Duration) -> bool {
        self.expire(now);
        if self.balance() >= self.withdraw {
            self.current = self.current.saturating_sub(self.withdraw);
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Duration = Duration::ZERO;

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
        for (ratio, reserve, secs) in [(0.0, 0, 1), (1000.0, 0, 60)] {
            assert!(RetryBudget::new(ratio, reserve, Duration::from_secs(secs)).is_ok());
        }
    }

    fn drain(a: &Account, now: Duration) -> usize {
        (0..10_000).take_while(|_| a.withdraw(now)).count()
    }

    #[test]
    fn resends_are_a_share_of_first_attempts_plus_the_reserve() {
        // 50 % and a reserve of 1 a second over 2 s: 2 resends in reserve,
        // and one more for every two first attempts.
        let budget = RetryBudget::new(0.5, 1, Duration::from_secs(2)).unwrap();
        let account = budget.account("api.example", 443);
        assert_eq!(drain(&account, T0), 2, "the reserve alone");
        for _ in 0..10 {
            account.deposit(T0);
        }
        assert_eq!(drain(&account, T0), 5, "half of ten first attempts");
    }

    #[test]
    fn first_attempts_count_for_the_window_only() {
        let budget = RetryBudget::new(1.0, 0, Duration::from_secs(1)).unwrap();
        let account = budget.account("h", 443);
        for _ in 0..4 {
            account.deposit(T0);
        }
        assert_eq!(drain(&account, Duration::from_millis(950)), 4);
        for _ in 0..4 {
            account.deposit(Duration::from_secs(2));
        }
        assert_eq!(
            drain(&account, Duration::from_millis(4500)),
            0,
            "expired after the window"
        );
        for _ in 0..3 {
            account.deposit(Duration::from_secs(5));
        }
        assert_eq!(drain(&account, Duration::from_millis(5500)), 3);
    }

    #[test]
    fn a_fifth_is_one_resend_for_five_first_attempts() {
        let budget = RetryBudget::new(0.2, 0, Duration::from_secs(1)).unwrap();
        let account = budget.account("h", 443);
        for _ in 0..10 {
            account.deposit(T0);
        }
        assert_eq!(drain(&account, T0), 2);
    }

    #[test]
    fn a_large_ratio_is_counted_in_thousandths() {
        let budget = RetryBudget::new(2.0, 0, Duration::from_secs(1)).unwrap();
        let account = budget.account("h", 443);
        account.deposit(T0);
        assert_eq!(drain(&account, T0), 2, "two resends for each first attempt");
        let none = RetryBudget::new(0.0, 1, Duration::from_secs(1)).unwrap();
        let account = none.account("h", 443);
        account.deposit(T0);
        assert_eq!(drain(&account, T0), 1, "the reserve only");
    }

    #[test]
    fn each_host_has_its_own_account_and_clones_share_them() {
        let budget = RetryBudget::new(0.0, 1, Duration::from_secs(1)).unwrap();
        let a = budget.account("a", 443);
        assert!(a.withdraw(T0));
        assert!(!a.withdraw(T0), "a's reserve of one is spent");
        assert!(budget.account("b", 443).withdraw(T0), "b has its own");
        assert!(
            !budget.clone().account("a", 443).withdraw(T0),
            "a clone shares a's"
        );
    }

    #[test]
    fn the_table_of_hosts_is_bounded() {
        let budget = RetryBudget::default();
        for n in 0..10 * MAX_HOSTS {
            let _ = budget.account(&format!("host-{n}"), 443);
        }
        assert_eq!(budget.hosts(), MAX_HOSTS);
        let _ = budget.account("host-0", 8443);
        assert_eq!(budget.hosts(), MAX_HOSTS, "a port makes another host");
    }

    #[test]
    fn the_default_is_twenty_percent_over_ten_seconds_with_ten_a_second() {
        let default = format!("{:?}", RetryBudget::default());
        let spelled = RetryBudget::new(0.2, 10, Duration::from_secs(10)).unwrap();
        assert_eq!(default, format!("{spelled:?}"));
        assert!(default.contains("ratio: 0.2"), "{default}");
        let one = RetryBudget::for_instances(1).unwrap();
        assert_eq!(format!("{one:?}"), default);
        assert_eq!(
            RetryBudget::for_instances(3).unwrap().reserve_per_second(),
            4
        );
        assert_eq!(
            RetryBudget::for_instances(50).unwrap().reserve_per_second(),
            1
        );
        assert_eq!(
            RetryBudget::for_instances(0).unwrap_err().to_string(),
            "a retry budget is shared by at least one instance, not 0"
        );
    }

    #[test]
    fn first_attempts_leave_the_window_slot_by_slot_as_towers_budget_lets_them() {
        // A window of 1 s is ten slots of 100 ms; a first attempt counts
        // until the slot it was made in is a whole window old.
        let budget = RetryBudget::new(1.0, 0, Duration::from_secs(1)).unwrap();
        let account = budget.account("h", 443);
        let ms = Duration::from_millis;
        account.deposit(T0);
        account.deposit(ms(100));
        assert!(
            account.withdraw(ms(1100)),
            "the attempt at 100 ms still counts"
        );
        assert!(!account.withdraw(ms(1100)), "the one at 0 ms does not");
        account.deposit(ms(1200));
        assert!(account.withdraw(ms(2150)));
        assert!(!account.withdraw(ms(2200)));
    }

    #[test]
    fn the_settings_read_back_and_an_account_debugs_short() {
        let budget = RetryBudget::new(0.5, 3, Duration::from_secs(7)).unwrap();
        assert_eq!(
            (budget.ratio(), budget.reserve_per_second(), budget.window()),
            (0.5, 3, Duration::from_secs(7))
        );
        assert_eq!(format!("{:?}", budget.account("h", 1)), "Account { .. }");
    }

    #[test]
    fn time_going_back_is_read_as_no_time_passing() {
        let budget = RetryBudget::new(1.0, 0, Duration::from_secs(1)).unwrap();
        let account = budget.account("h", 443);
        account.deposit(Duration::from_secs(100));
        assert!(account.withdraw(Duration::from_secs(3)));
    }
}
