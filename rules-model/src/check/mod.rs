//! Checks that need the whole catalog: unique ids, valid cross-references, no
//! ambiguous or unreachable rules, and examples that resolve where they say.

mod at;
mod coverage;
pub mod examples;
mod lifecycle;
mod names;
mod overlap;
mod resend;

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::index::Index;
use crate::model::{Catalog, Rule};
use at::{at_line, line_of};

/// Runs every check of the whole set, adding what it finds to `out`.
pub fn check(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    let ids: Vec<&str> = catalog.rules.iter().map(|r| r.id.as_str()).collect();
    coverage::check(&catalog.coverage, &ids, out);
    let mut first_seen: HashMap<&str, &Rule> = HashMap::new();
    for rule in &catalog.rules {
        if let Some(first) = first_seen.get(rule.id.as_str()) {
            out.push(
                at_line(
                    Code::DuplicateId,
                    rule,
                    rule.origin.id_line,
                    "duplicate id".into(),
                )
                .hint(format!(
                    "`{}` is already defined at {}:{}; ids are stable and never reused",
                    rule.id, first.origin.file, first.origin.line
                )),
            );
        } else {
            first_seen.insert(&rule.id, rule);
        }
    }
    names::check_rust_names(&catalog.rules, out);
    if let Some(lifecycle) = &catalog.lifecycle {
        lifecycle::check_lifecycle(&catalog.rules, lifecycle, out);
    }
    for rule in &catalog.rules {
        for (n, target) in rule.see_also.iter().enumerate() {
            if !first_seen.contains_key(target.as_str()) {
                let line = line_of(&rule.origin.see_also_lines, n, rule);
                let message = format!("`see_also` names unknown rule `{target}`");
                out.push(at_line(Code::UnknownRule, rule, line, message).suggest(
                    target,
                    first_seen.keys().copied(),
                    "`see_also` lists ids of other rules",
                ));
            }
        }
    }
    resend::check_unsafe_resends(&catalog.vocabulary, &catalog.rules, out);
    let index = Index::new(&catalog.rules);
    let pairs = overlap::sharing_pairs(&index);
    overlap::check_overlaps(&catalog.rules, &pairs, out);
    overlap::check_shadowed(&catalog.vocabulary, &catalog.rules, &pairs, out);
    // Resolution is only well defined once the rules are unambiguous, and
    // only complete when no rule was left out for its own problems.
    if out.is_empty() {
        examples::check_examples(catalog, &index, out);
    }
}
