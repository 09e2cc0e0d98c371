//! One call's decisions: after each failed send, whether to send again and
//! when, from the core's answer, the call's deadline, the caller's
//! `NoResend` and the host's retry budget.

use std::time::Duration;

use debitura_triage::Retry;
use tokio::time::Instant;

use crate::budget::Account;
use crate::error::{Error, Reason};
use crate::random::jitter;

/// What the answer to one send calls for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// Send again after this wait.
    Wait(Duration),
    /// Send again with a new bearer token.
    Refresh,
    /// Hand the failure to the caller.
    Stop(Reason),
}

/// A call in progress.
pub(crate) struct Call {
    account: Account,
    deadline: Option<Instant>,
    no_resend: bool,
    attempts: u32,
    refreshed: bool,
}

impl Call {
    /// Starts a call: its first attempt is a deposit into the host's account.
    pub(crate) fn start(account: Account, deadline: Option<Instant>, no_resend: bool) -> Self {
        account.deposit();
        Call {
            account,
            deadline,
            no_resend,
            attempts: 0,
            refreshed: false,
        }
    }

    /// When the call must be over, if it has a deadline.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Counts a send; returns how many were made, this one included.
    pub(crate) fn sent(&mut self) -> u32 {
        self.attempts += 1;
        self.attempts
    }

    /// Sends made so far.
    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// What to do after `error`, the answer to the last send. `resendable`
    /// says whether the request can be sent again at all (its body can be
    /// copied), `refreshable` whether a new token can be had for it (it
    /// names a tenant). A resend is withdrawn from the budget only when
    /// everything else allows it.
    pub(crate) fn decide(&mut self, error: &Error, resendable: bool, refreshable: bool) -> Step {
        let step = policy(error, self.attempts, self.refreshed);
        let stop = match step {
            Step::Stop(_) => return step,
            _ if self.no_resend => Reason::NoResend,
            _ if !resendable => Reason::BodyNotCloneable,
            Step::Refresh if !refreshable => Reason::NoTokenSource,
            Step::Wait(wait) if self.too_late_after(wait) => Reason::Deadline,
            _ if !self.account.withdraw() => Reason::BudgetSpent,
            Step::Refresh => {
                self.refreshed = true;
                return step;
            }
            Step::Wait(_) => return step,
        };
        Step::Stop(stop)
    }

    /// Whether the deadline falls before `wait` from now has passed. (A
    /// refresh needs no check here: the token is fetched within the
    /// deadline.)
    fn too_late_after(&self, wait: Duration) -> bool {
        self.deadline.is_some_and(|deadline| {
            Instant::now()
                .checked_add(wait)
                .is_none_or(|then| then >= deadline)
        })
    }
}

/// The policy applied: a `token-refresh` answer once, a `backoff` answer
/// within its rule's bounds, anything else never.
fn policy(error: &Error, attempts: u32, refreshed: bool) -> Step {
    match error.retry() {
        Retry::TokenRefresh if !refreshed => Step::Refresh,
        Retry::Backoff => {
            let Some(bounds) = error.diagnosis().rule().and_then(|r| r.backoff) else {
                return Step::Stop(Reason::Policy);
            };
            let Some(wait) = bounds.delay(attempts) else {
                return Step::Stop(Reason::AttemptsUsedUp);
            };
            let wait = jitter(wait, &bounds);
            match error.retry_after().filter(|_| bounds.honour_retry_after) {
                Some(hint) if hint > bounds.max_delay => Step::Stop(Reason::WaitTooLong),
                Some(hint) => Step::Wait(wait.max(hint)),
                None => Step::Wait(wait),
            }
        }
        _ => Step::Stop(Reason::Policy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RetryBudget;
    use debitura_triage::{diagnose, diagnose_response, Operation, Query, RuleId};
    use http::HeaderMap;

    fn call() -> Call {
        Call::start(RetryBudget::default().account("h", 443), None, false)
    }

    fn answer_429(retry_after: u64) -> Error {
        let body = format!(
            r#"{{"error":"rate_limit_exceeded","message":"Too many requests.","retryAfter":{retry_after}}}"#
        );
        let query = Query::new().operation(Operation::CreateCase);
        let answer = diagnose_response(429, body.as_bytes(), &query);
        Error::response(&answer, None, HeaderMap::new(), body.as_bytes(), true)
    }

    #[test]
    fn a_server_delay_up_to_the_longest_wait_is_waited_and_a_longer_one_stops() {
        let bounds = RuleId::RateLimited.rule().backoff.unwrap();
        let longest = bounds.max_delay.as_secs();
        let mut c = call();
        c.sent();
        assert_eq!(
            c.decide(&answer_429(longest), true, false),
            Step::Wait(bounds.max_delay)
        );
        assert_eq!(
            c.decide(&answer_429(longest + 1), true, false),
            Step::Stop(Reason::WaitTooLong)
        );
    }

    #[test]
    fn a_token_is_refreshed_once_per_call_whatever_the_answers() {
        let query = Query::new()
            .status(401)
            .operation(Operation::GetCase)
            .credential(debitura_triage::Credential::Bearer);
        let refused = Error::without_response(diagnose(&query), None, None);
        assert_eq!(refused.retry(), Retry::TokenRefresh);
        let mut c = call();
        c.sent();
        assert_eq!(c.decide(&refused, true, true), Step::Refresh);
        c.sent();
        assert_eq!(c.decide(&refused, true, true), Step::Stop(Reason::Policy));
        assert_eq!(c.attempts(), 2);
    }
}
