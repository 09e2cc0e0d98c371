//! What the matcher finds for a query: one rule, several that fit what it
//! gives with none singled out, or none.

use crate::vocabulary::{Retry, RuleId};

/// The generated matcher's answer, over the rule ids of its catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found<Id: 'static = RuleId> {
    /// This rule answers.
    Rule(Id),
    /// Several rules fit and none is singled out.
    Several(&'static Several<Id>),
    /// No rule fits.
    None,
}

/// Several rules that fit what a query gives, none of them singled out:
/// each answers some way of filling in the fields it left out. Written by
/// the build for each such set.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Several<Id: 'static = RuleId> {
    /// The rules that fit, in catalog order.
    pub rules: &'static [Id],
    /// True when some way of filling in the fields has no rule at all.
    pub or_none: bool,
    /// The fields the query left out that tell the rules apart, by their
    /// `diagnose` flags (`--status`, `--op`, …).
    pub telling: &'static [&'static str],
    /// The most cautious of their retry policies (`never` when some way of
    /// filling in the fields has no rule): the one to follow until the query
    /// says more.
    pub retry: Retry,
    /// Their shared cause, or a sentence naming them.
    pub cause: &'static str,
    /// Their shared solution, or what would tell them apart.
    pub solution: &'static str,
}
