//! Every example resolves to its rule and no counter-example does; the
//! search for a query no inner rule covers.

use crate::check::at::{at_line, line_of};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::index::Index;
use crate::model::resolve::candidates;
use crate::model::vocabulary::Vocabulary;
use crate::model::{Catalog, Conditions, Field, Query};

/// A query `outer` accepts that none of `inner` accepts, if one exists.
///
/// Fields are assigned one at a time, keeping only the inner rules that still
/// match; as soon as none is left, the partial query is a witness. Candidate
/// values per field come from [`candidates`]: the values the
/// rules name plus "something else", which is all that can make a difference.
pub fn uncovered_query(
    vocabulary: &Vocabulary,
    outer: &Conditions,
    inner: &[&Conditions],
) -> Option<Query> {
    fn search(
        vocabulary: &Vocabulary,
        depth: usize,
        outer: &Conditions,
        inner: &[&Conditions],
        query: &mut Query,
    ) -> bool {
        if inner.is_empty() {
            return true;
        }
        let Some(&field) = Field::ALL.get(depth) else {
            return false;
        };
        let candidates = candidates(vocabulary, field, outer.get(field), inner);
        for candidate in candidates {
            let still: Vec<&Conditions> = inner
                .iter()
                .copied()
                .filter(|c| match (c.get(field), &candidate) {
                    (None, _) => true,
                    (Some(set), Some(v)) => set.iter().any(|p| field.accepts(p, v)),
                    (Some(set), None) => field
                        .absent_value()
                        .is_some_and(|v| set.iter().any(|p| field.accepts(p, v))),
                })
                .collect();
            let saved = query.clone();
            if let Some(v) = candidate {
                query.set(field, v);
            }
            if search(vocabulary, depth + 1, outer, &still, query) {
                return true;
            }
            *query = saved;
        }
        false
    }
    let mut query = Query::default();
    search(vocabulary, 0, outer, inner, &mut query).then(|| {
        // Fields after the last one searched still have to satisfy `outer`.
        for f in Field::ALL {
            let Some(set) = outer.get(f) else { continue };
            if !query
                .get(f)
                .is_some_and(|v| set.iter().any(|p| f.accepts(p, v)))
            {
                if let Some(p) = set.iter().next() {
                    query.set(f, f.prefix_of(p).unwrap_or(p).to_string());
                }
            }
        }
        query
    })
}

pub fn check_examples(catalog: &Catalog, index: &Index, out: &mut Vec<Diagnostic>) {
    for (rule_index, rule) in catalog.rules.iter().enumerate() {
        for (n, example) in rule.examples.iter().enumerate() {
            let resolved = index.resolve(&catalog.vocabulary, example);
            if resolved == Some(rule_index) {
                continue;
            }
            let (code, problem) = match resolved {
                _ if !rule.when.matches(example) => (
                    Code::ExampleMismatch,
                    format!(
                        "example {} (`{example}`) does not match this rule's `when`",
                        n + 1
                    ),
                ),
                Some(other) => (
                    Code::ExampleElsewhere,
                    format!(
                        "example {} (`{example}`) resolves to `{}`, not to this rule",
                        n + 1,
                        catalog.rules[other].id
                    ),
                ),
                None => (
                    Code::ExampleUnresolved,
                    format!("example {} (`{example}`) resolves to no rule", n + 1),
                ),
            };
            out.push(
                at_line(
                    code,
                    rule,
                    line_of(&rule.origin.example_lines, n, rule),
                    problem,
                )
                .hint("fix the example, or the `when` of the rules involved"),
            );
        }
        for (n, counter) in rule.counter_examples.iter().enumerate() {
            if index.resolve(&catalog.vocabulary, counter) == Some(rule_index) {
                out.push(
                    at_line(
                        Code::CounterExampleMatches,
                        rule,
                        line_of(&rule.origin.counter_example_lines, n, rule),
                        format!(
                            "counter-example {} (`{counter}`) resolves to this rule",
                            n + 1
                        ),
                    )
                    .hint("narrow the rule's `when`, or drop the counter-example"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conditions(pairs: &[(Field, &[&str])]) -> Conditions {
        let mut c = Conditions::default();
        for (field, values) in pairs {
            c.set(*field, values.iter().map(|v| v.to_string()).collect());
        }
        c
    }

    #[test]
    fn the_uncovered_query_is_a_witness() {
        let outer = conditions(&[
            (Field::Status, &["409", "410"]),
            (Field::Message, &["Unknown*"]),
        ]);
        let inner = conditions(&[(Field::Status, &["409"])]);
        let vocabulary = Vocabulary::default();
        let witness = uncovered_query(&vocabulary, &outer, &[&inner]).expect("410 is not covered");
        assert!(outer.matches(&witness), "{witness}");
        assert!(!inner.matches(&witness), "{witness}");
        assert_eq!(witness.get(Field::Status), Some("410"));
        // A message prefix is filled in with the prefix itself.
        assert_eq!(witness.get(Field::Message), Some("Unknown"));
        let all = conditions(&[(Field::Status, &["409", "410"])]);
        assert_eq!(uncovered_query(&vocabulary, &outer, &[&inner, &all]), None);
    }
}
