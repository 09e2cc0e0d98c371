//! For services that keep reqwest-retry's own retry loop.

use debitura_triage::{diagnose, Query, Retry, Symptom};
use reqwest_retry::{Retryable, RetryableStrategy};

/// A [`RetryableStrategy`] that asks the core what a status alone calls
/// for: `Transient` when the answer is `backoff` (a 429, or a request that
/// was never sent because the connection could not be made); `Fatal` for
/// every other failure; `None` for a success.
///
/// It is the weaker option, and [`Triage`](crate::Triage) is the stronger
/// one: reqwest-retry shows a strategy the response but not the request, so
/// it cannot tell whether a request is safe to send twice, and a 500, 502,
/// 503, 504 or lost answer is `Fatal` (it may have acted); a 422 is judged
/// without its `businessErrors[].type`; a 401 is `Fatal` because it cannot
/// refresh a token; its waits come from its own policy, not the rule's
/// bounds, and ignore the server's `retryAfter`; it adds no
/// `Idempotency-Key`; and its resends draw on no
/// [`RetryBudget`](crate::RetryBudget).
///
/// ```
/// use debitura_triage_reqwest::StatusStrategy;
/// use reqwest_retry::{policies::ExponentialBackoff, RetryTransientMiddleware};
///
/// let policy = ExponentialBackoff::builder().build_with_max_retries(2);
/// let retry = RetryTransientMiddleware::new_with_policy_and_strategy(policy, StatusStrategy);
/// let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).with(retry).build();
/// # drop(client);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct StatusStrategy;

impl RetryableStrategy for StatusStrategy {
    fn handle(
        &self,
        res: &Result<reqwest::Response, reqwest_middleware::Error>,
    ) -> Option<Retryable> {
        let query = match res {
            Ok(response) if response.status().as_u16() < 400 => return None,
            Ok(response) => Query::new().status(response.status().as_u16()),
            Err(reqwest_middleware::Error::Reqwest(e)) if !e.is_builder() => {
                let attempt = crate::failure::attempt_of(e);
                Query::new().symptom(attempt.symptom().unwrap_or(Symptom::NoResponse))
            }
            Err(_) => return Some(Retryable::Fatal),
        };
        Some(match diagnose(&query).retry() {
            Retry::Backoff => Retryable::Transient,
            _ => Retryable::Fatal,
        })
    }
}
