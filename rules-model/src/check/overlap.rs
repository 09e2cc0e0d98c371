//! No two rules leave a query without a most specific answer, and every
//! rule can win some query.

use std::collections::BTreeSet;

use crate::check::at::at;
use crate::check::examples::uncovered_query;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::index::Index;
use crate::model::vocabulary::Vocabulary;
use crate::model::{Conditions, Rule};

/// Every pair `(later, earlier)` of rules that sit in one leaf of the index:
/// the only pairs that can share a query. Sorted, so reports keep rule order.
pub fn sharing_pairs(index: &Index) -> BTreeSet<(usize, usize)> {
    let mut pairs = BTreeSet::new();
    for group in index.groups() {
        for (n, &a) in group.iter().enumerate() {
            for &b in &group[..n] {
                pairs.insert((a.max(b), a.min(b)));
            }
        }
    }
    pairs
}

/// Two rules that share a query, where neither lies within the other, leave
/// that query without a most specific answer.
pub fn check_overlaps(rules: &[Rule], pairs: &BTreeSet<(usize, usize)>, out: &mut Vec<Diagnostic>) {
    for &(later_index, earlier_index) in pairs {
        let (later, earlier) = (&rules[later_index], &rules[earlier_index]);
        let Some(shared) = earlier.when.common_query(&later.when) else {
            continue;
        };
        let inner = later.when.is_within(&earlier.when);
        let outer = earlier.when.is_within(&later.when);
        if inner && outer {
            out.push(
                at(
                    Code::SameConditions,
                    later,
                    format!(
                        "has the same conditions as `{}` ({}:{})",
                        earlier.id, earlier.origin.file, earlier.origin.line
                    ),
                )
                .hint("merge the two rules, or add a condition that tells them apart"),
            );
        } else if !inner && !outer {
            out.push(at(Code::Overlap, later, format!("overlaps `{}` ({}:{}): both match `{shared}` and neither is more specific", earlier.id, earlier.origin.file, earlier.origin.line)).hint("add a condition to one rule so that it lies within the other, or so that they cannot both match"));
        }
    }
}

/// A rule every one of whose queries is answered by more specific rules can
/// never win.
pub fn check_shadowed(
    vocabulary: &Vocabulary,
    rules: &[Rule],
    pairs: &BTreeSet<(usize, usize)>,
    out: &mut Vec<Diagnostic>,
) {
    // A rule within another shares its queries, so it shares a leaf with it.
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); rules.len()];
    for &(a, b) in pairs {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    for (index, rule) in rules.iter().enumerate() {
        let mut near = neighbours[index].clone();
        near.sort_unstable();
        let inner: Vec<&Rule> = near
            .iter()
            .map(|&i| &rules[i])
            .filter(|o| o.when.is_within(&rule.when) && !rule.when.is_within(&o.when))
            .collect();
        if inner.is_empty() {
            continue;
        }
        let conditions: Vec<&Conditions> = inner.iter().map(|r| &r.when).collect();
        if uncovered_query(vocabulary, &rule.when, &conditions).is_none() {
            let names: Vec<String> = inner.iter().map(|r| format!("`{}`", r.id)).collect();
            out.push(
                at(
                    Code::Shadowed,
                    rule,
                    "can never win: every query it matches is answered by a more specific rule"
                        .into(),
                )
                .hint(format!(
                    "covered by {}; remove the rule or narrow those",
                    names.join(", ")
                )),
            );
        }
    }
}
