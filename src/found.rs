//! What the matcher finds for a query: one rule, several that fit what it
//! gives with none singled out, or none.

use crate::catalog::Rule;
use crate::vocabulary::Field;
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
    /// The fields the query left out that tell the rules apart. Each edge
    /// words them in its own terms (the CLI as flags, Python as keywords).
    pub telling: &'static [Field],
    /// The most cautious of their retry policies (`never` when some way of
    /// filling in the fields has no rule): the one to follow until the query
    /// says more.
    pub retry: Retry,
}

/// The cause when the fitting rules give different ones.
const SEVERAL_CAUSES: &str =
    "Several rules fit what was given, and none is singled out: the fields left out decide.";
/// The solution until the query says more.
const UNTIL_TOLD: &str = "Give the fields that tell the answers apart. Until then, follow the \
                          most cautious of their retry policies.";

impl Several {
    /// The fitting rules' shared cause, or a sentence saying that the
    /// fields left out decide between them.
    #[must_use]
    pub fn cause(&self) -> &'static str {
        match self.shared(|r| r.cause) {
            Some(cause) => cause,
            None => SEVERAL_CAUSES,
        }
    }

    /// The fitting rules' shared solution when every way of filling in the
    /// fields has a rule; else what to do until the query says more.
    #[must_use]
    pub fn solution(&self) -> &'static str {
        match self.shared(|r| r.solution) {
            Some(solution) if !self.or_none => solution,
            _ => UNTIL_TOLD,
        }
    }

    /// `text` of the fitting rules when they all give the same one.
    fn shared(&self, text: fn(&Rule) -> &'static str) -> Option<&'static str> {
        let (first, rest) = self.rules.split_first()?;
        let first = text(first.rule());
        rest.iter()
            .all(|r| text(r.rule()) == first)
            .then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn several(rules: &'static [RuleId], or_none: bool) -> Several {
        Several {
            rules,
            or_none,
            telling: &[Field::Status],
            retry: Retry::Never,
        }
    }

    #[test]
    fn the_words_of_several_rules_are_theirs_when_they_agree() {
        let one = RuleId::ALL[0];
        let rule = one.rule();
        let alone = several(core::slice::from_ref(&RuleId::ALL[0]), false);
        assert_eq!(
            (alone.cause(), alone.solution()),
            (rule.cause, rule.solution)
        );
        // Some way of filling in the fields has no rule: the rule's cause
        // stands, its solution does not.
        let or_none = several(core::slice::from_ref(&RuleId::ALL[0]), true);
        assert_eq!(
            (or_none.cause(), or_none.solution()),
            (rule.cause, UNTIL_TOLD)
        );
        // Two rules that say different things.
        let other = *RuleId::ALL
            .iter()
            .find(|r| r.rule().cause != rule.cause && r.rule().solution != rule.solution)
            .expect("the catalog has rules that differ");
        let pair: &'static [RuleId] = Box::leak(Box::new([one, other]));
        let both = several(pair, false);
        assert_eq!(
            (both.cause(), both.solution()),
            (SEVERAL_CAUSES, UNTIL_TOLD)
        );
        assert!(!SEVERAL_CAUSES.contains("--") && !UNTIL_TOLD.contains("--"));
    }
}
