//! No rule resends a request that may already have acted and is not safe to
//! send twice: after a failure of unknown outcome (the vocabulary's
//! `unknown_outcome`), a rule that resends must require `safe_to_resend`.

use crate::check::at::at;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::resolve::resends;
use crate::model::vocabulary::Vocabulary;
use crate::model::{Field, Rule, NONE};

/// Adds a problem for each rule that resends after a failure of unknown
/// outcome without requiring that the request be safe to send twice.
pub fn check_unsafe_resends(vocabulary: &Vocabulary, rules: &[Rule], out: &mut Vec<Diagnostic>) {
    for rule in rules {
        let count = resends(vocabulary, rule);
        if count == 0 || requires_safe(rule) {
            continue;
        }
        let Some(failure) = unknown_outcome_reached(vocabulary, rule) else {
            continue;
        };
        let message = format!(
            "`{}` resends ({count} time(s)) after {failure}, whose outcome is unknown, and reaches \
             requests not safe to send twice",
            rule.retry
        );
        out.push(at(Code::UnsafeResend, rule, message).hint(
            "add `safe_to_resend: true` to its `when`, and answer the unsafe requests with a rule \
             of `safe_to_resend: false` that sends nothing again and says how to check whether \
             the request took effect",
        ));
    }
}

/// True when the rule only accepts requests safe to send twice.
fn requires_safe(rule: &Rule) -> bool {
    rule.when
        .get(Field::SafeToResend)
        .is_some_and(|set| !set.contains("false"))
}

/// The first failure of unknown outcome the rule accepts, as prose.
fn unknown_outcome_reached(vocabulary: &Vocabulary, rule: &Rule) -> Option<String> {
    let accepts = |field: Field, value: &str| match rule.when.get(field) {
        None => field
            .implicit_condition()
            .is_none_or(|implicit| implicit == value),
        Some(set) => set.iter().any(|p| field.accepts(p, value)),
    };
    let outcome = &vocabulary.unknown_outcome;
    // A status comes with no symptom.
    let status = accepts(Field::Symptom, NONE)
        .then(|| outcome.statuses.iter().find(|s| accepts(Field::Status, s)))
        .flatten()
        .map(|s| format!("a {s}"));
    status.or_else(|| {
        outcome
            .symptoms
            .iter()
            .find(|s| accepts(Field::Symptom, s))
            .map(|s| format!("the symptom `{s}`"))
    })
}
