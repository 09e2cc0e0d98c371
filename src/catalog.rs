//! The rule catalog, compiled from `rules/*.yaml` at build time.

use core::time::Duration;

use crate::matcher::Query;

/// One section of the troubleshooting page (one file under `rules/`).
#[derive(Debug)]
#[non_exhaustive]
pub struct Section {
    /// Stable slug, from the rules file name (`case-creation`).
    pub slug: &'static str,
    /// Heading on the troubleshooting page.
    pub title: &'static str,
    /// One line saying what the section covers.
    pub summary: &'static str,
    /// Markdown shown above the section's table on the troubleshooting page.
    pub intro: Option<&'static str>,
    /// Markdown shown below the section's table.
    pub outro: Option<&'static str>,
    /// Whether the section's table has a Cause column.
    pub show_cause: bool,
}

/// The header of the troubleshooting page.
#[derive(Debug)]
#[non_exhaustive]
pub struct Page {
    /// The page title.
    pub title: &'static str,
    /// The paragraph under the title.
    pub intro: &'static str,
}

/// What a rule requires of a query. An empty list (or `None`) accepts any
/// value, except that `event` and `symptom` then require none. In
/// `error_type` and `message` an empty string stands for "no type" / "no
/// message"; a message ending in `*` accepts every message with that prefix.
#[derive(Debug)]
#[non_exhaustive]
pub struct When {
    /// Accepted HTTP statuses.
    pub status: &'static [u16],
    /// Accepted error type strings, compared exactly.
    pub error_type: &'static [&'static str],
    /// Accepted error messages: exact, or a prefix followed by `*`.
    pub message: &'static [&'static str],
    /// Accepted operations; each also covers its children.
    pub operation: &'static [Operation],
    /// Accepted webhook event names.
    pub event: &'static [&'static str],
    /// Accepted symptom names.
    pub symptom: &'static [&'static str],
    /// Whether the failing call must (or must not) follow a token refresh.
    pub after_token_refresh: Option<bool>,
    /// Accepted environments.
    pub environment: &'static [Environment],
}

/// One known failure: when it applies, why it happens and what to do.
#[derive(Debug)]
#[non_exhaustive]
pub struct Rule {
    /// Stable id.
    pub id: RuleId,
    /// The section the rule belongs to.
    pub section: &'static Section,
    /// The failure as a reader would search for it (the table's Issue column).
    pub title: &'static str,
    /// Why it happens.
    pub cause: &'static str,
    /// What to do about it.
    pub solution: &'static str,
    /// Whether and how to retry.
    pub retry: Retry,
    /// The limits of automatic retries, for a rule whose policy backs off:
    /// its policy's defaults ([`Retry::default_backoff`]) or its own.
    pub backoff: Option<Backoff>,
    /// Background, and where sources disagree, which one the rule follows.
    pub notes: Option<&'static str>,
    /// Related rules.
    pub see_also: &'static [RuleId],
    /// The conditions under which the rule applies.
    pub when: When,
    /// Queries that resolve to this rule; each one is tested.
    pub examples: &'static [Query<'static>],
    /// Queries that must not resolve to this rule; each one is tested.
    pub counter_examples: &'static [Query<'static>],
}

/// A rule id that is no longer a rule. Its queries are answered by
/// `replaced_by` (which [`RuleId::from_id`] returns for it), or by no rule.
#[derive(Debug)]
#[non_exhaustive]
pub struct Retired {
    /// The id as it was released.
    pub id: &'static str,
    /// When it was retired, `YYYY-MM-DD`.
    pub on: &'static str,
    /// The rule that answers its queries now, if any.
    pub replaced_by: Option<RuleId>,
}

/// The limits of automatic retries with exponential backoff.
///
/// The first send counts as an attempt. Before resend `n` (1, 2, …) a
/// service waits `base_delay × 2^(n-1)`, at most `max_delay`
/// ([`Backoff::delay`]), spread at random by up to `jitter_percent` either
/// way. When `honour_retry_after` is set, the server's delay hint (the 429
/// body's `retryAfter`, or a `Retry-After` header) is the least wait; a hint
/// longer than `max_delay` means giving up for now rather than holding the
/// request that long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Backoff {
    /// Sends in all, the first one included.
    pub attempts: u32,
    /// The wait before the first resend.
    pub base_delay: Duration,
    /// No wait is longer.
    pub max_delay: Duration,
    /// How far, in percent, each wait may be spread at random either way.
    pub jitter_percent: u8,
    /// Whether the server's delay hint is the least wait.
    pub honour_retry_after: bool,
}

impl Backoff {
    /// The wait before resend `resend` (1 for the first), before jitter:
    /// `base_delay` doubled for each resend after the first, at most
    /// `max_delay`. `None` once the attempts are used up (and for 0).
    ///
    /// ```
    /// use debitura_triage::{Retry, RuleId};
    /// use std::time::Duration;
    ///
    /// let b = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
    /// assert_eq!(b.delay(1), Some(b.base_delay));
    /// assert_eq!(b.delay(2), Some((b.base_delay * 2).min(b.max_delay)));
    /// assert_eq!(b.delay(b.attempts), None);
    /// ```
    #[must_use]
    pub fn delay(&self, resend: u32) -> Option<Duration> {
        if resend == 0 || resend >= self.attempts {
            return None;
        }
        let factor = 1u32.checked_shl(resend - 1).unwrap_or(u32::MAX);
        Some(
            self.base_delay
                .checked_mul(factor)
                .map_or(self.max_delay, |d| d.min(self.max_delay)),
        )
    }
}

/// The bounds in one line, as the docs and `explain` show them.
///
/// ```
/// use debitura_triage::RuleId;
///
/// let b = RuleId::UpstreamUnavailable.rule().backoff.unwrap();
/// assert!(b.to_string().starts_with("3 attempts in all"));
/// ```
impl core::fmt::Display for Backoff {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} attempts in all; waits {}, doubling each time, at most {}, spread by ±{} %",
            self.attempts,
            Seconds(self.base_delay),
            Seconds(self.max_delay),
            self.jitter_percent
        )?;
        if self.honour_retry_after {
            f.write_str("; never less than the server's retryAfter")?;
        }
        Ok(())
    }
}

/// A duration in seconds, or milliseconds below one second.
struct Seconds(Duration);

impl core::fmt::Display for Seconds {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let ms = self.0.as_millis();
        if ms.is_multiple_of(1000) {
            write!(f, "{} s", ms / 1000)
        } else {
            write!(f, "{ms} ms")
        }
    }
}

/// One row of the catalogue the rules were written from (`rules/coverage.yaml`),
/// with the rules that answer it: what the coverage page lists.
#[derive(Debug)]
#[non_exhaustive]
pub struct CoverageRow {
    /// The area of the catalogue the row belongs to.
    pub group: &'static str,
    /// The row, as a reader would look it up.
    pub row: &'static str,
    /// The rules that answer it.
    pub rules: &'static [RuleId],
    /// Why the rules cover it only in part, when they do.
    pub note: Option<&'static str>,
}

/// One documented route: the operation a method and path template perform.
pub(crate) struct Route {
    pub(crate) operation: Operation,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
}

/// One API: its root operation, base hosts and accepted path prefixes.
pub(crate) struct Api {
    pub(crate) operation: Operation,
    pub(crate) hosts: &'static [(Environment, &'static str)],
    pub(crate) prefixes: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
