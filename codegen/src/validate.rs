//! Checks that need the whole catalog: unique ids, valid cross-references, no
//! ambiguous or unreachable rules, and examples that resolve where they say.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::index::Index;
use crate::model::{Catalog, Conditions, Field, Lifecycle, Origin, Query, Retired, Rule};
use crate::vocabulary::Vocabulary;

pub fn validate(catalog: &Catalog, out: &mut Vec<Diagnostic>) {
    let mut first_seen: HashMap<&str, &Rule> = HashMap::new();
    for rule in &catalog.rules {
        if let Some(first) = first_seen.get(rule.id.as_str()) {
            out.push(at_line(
                rule,
                rule.origin.id_line,
                "duplicate id".into(),
                format!(
                    "`{}` is already defined at {}:{}; ids are stable and never reused",
                    rule.id, first.origin.file, first.origin.line
                ),
            ));
        } else {
            first_seen.insert(&rule.id, rule);
        }
    }
    check_rust_names(&catalog.rules, out);
    if let Some(lifecycle) = &catalog.lifecycle {
        check_lifecycle(&catalog.rules, lifecycle, out);
    }
    for rule in &catalog.rules {
        for (n, target) in rule.see_also.iter().enumerate() {
            if !first_seen.contains_key(target.as_str()) {
                let hint = match did_you_mean(target, first_seen.keys().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "`see_also` lists ids of other rules".into(),
                };
                out.push(at_line(
                    rule,
                    line_of(&rule.origin.see_also_lines, n, rule),
                    format!("`see_also` names unknown rule `{target}`"),
                    hint,
                ));
            }
        }
    }
    let index = Index::new(&catalog.rules);
    let pairs = sharing_pairs(&index);
    check_overlaps(&catalog.rules, &pairs, out);
    check_shadowed(&catalog.vocabulary, &catalog.rules, &pairs, out);
    // Resolution is only well defined once the rules are unambiguous, and
    // only complete when no rule was left out for its own problems.
    if out.is_empty() {
        check_examples(catalog, &index, out);
    }
}

fn at(rule: &Rule, problem: String, hint: String) -> Diagnostic {
    at_line(rule, rule.origin.line, problem, hint)
}

fn at_line(rule: &Rule, line: usize, problem: String, hint: String) -> Diagnostic {
    Diagnostic {
        file: rule.origin.file.clone(),
        line,
        rule: Some(rule.id.clone()),
        problem,
        hint: Some(hint),
    }
}

/// The line of entry `n` of a list, or the rule's line if it was not found.
fn line_of(lines: &[usize], n: usize, rule: &Rule) -> usize {
    lines.get(n).copied().unwrap_or(rule.origin.line)
}

/// Ids once released are never lost or reused: every rule's id is released,
/// every released id is a rule or retired, and a retired id is no rule's.
fn check_lifecycle(rules: &[Rule], lifecycle: &Lifecycle, out: &mut Vec<Diagnostic>) {
    let at_origin = |origin: &Origin, id: &str, problem: String, hint: &str| Diagnostic {
        file: origin.file.clone(),
        line: origin.line,
        rule: Some(id.to_string()),
        problem,
        hint: Some(hint.to_string()),
    };
    let file = lifecycle
        .released
        .first()
        .map(|(_, o)| o.file.as_str())
        .or(lifecycle.retired.first().map(|r| r.origin.file.as_str()))
        .unwrap_or("the file of released ids");
    let mut released: HashMap<&str, &Origin> = HashMap::new();
    for (id, origin) in &lifecycle.released {
        if released.insert(id, origin).is_some() {
            out.push(at_origin(
                origin,
                id,
                "released twice".into(),
                "list each id once",
            ));
        }
    }
    let retired: HashMap<&str, &Retired> = lifecycle
        .retired
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let current: HashMap<&str, &Rule> = rules.iter().map(|r| (r.id.as_str(), r)).collect();
    for rule in rules {
        if let Some(record) = retired.get(rule.id.as_str()) {
            out.push(at_line(
                rule,
                rule.origin.id_line,
                format!(
                    "id `{}` was retired on {} ({}:{}); released ids are never reused",
                    rule.id, record.on, record.origin.file, record.origin.line
                ),
                "choose a new id".into(),
            ));
        } else if !released.contains_key(rule.id.as_str()) {
            out.push(at_line(
                rule,
                rule.origin.id_line,
                format!("id `{}` is not in the released ids ({file})", rule.id),
                format!(
                    "add `{}` to `released:` in {file}; from then on it is never reused",
                    rule.id
                ),
            ));
        }
    }
    for (id, origin) in &lifecycle.released {
        if !current.contains_key(id.as_str()) && !retired.contains_key(id.as_str()) {
            out.push(at_origin(
                origin,
                id,
                format!("released id `{id}` is no rule's any more, and has no retirement record"),
                "restore the rule, or retire the id: add `- { id: ..., retired: YYYY-MM-DD, replaced_by: new-id }` under `retired:`",
            ));
        }
    }
    for record in &lifecycle.retired {
        if !released.contains_key(record.id.as_str()) {
            out.push(at_origin(
                &record.origin,
                &record.id,
                format!("retired id `{}` was never released", record.id),
                "list it under `released:` too, or drop the record",
            ));
        }
        if let Some(target) = &record.replaced_by {
            if !current.contains_key(target.as_str()) {
                let hint = match did_you_mean(target, current.keys().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => "`replaced_by` names a current rule".into(),
                };
                out.push(at_origin(
                    &record.origin,
                    &record.id,
                    format!("`replaced_by` names `{target}`, which is no rule"),
                    &hint,
                ));
            }
        }
    }
}

/// Every id becomes a `RuleId` variant: it must make a Rust name that is not
/// a keyword, and no two ids may make the same one (`a-2` and `a2` both make
/// `A2`).
fn check_rust_names(rules: &[Rule], out: &mut Vec<Diagnostic>) {
    let mut taken: HashMap<String, &Rule> = HashMap::new();
    for rule in rules {
        let name = crate::emit::variant_name(&rule.id);
        if syn::parse_str::<syn::Ident>(&name).is_err() {
            out.push(at_line(
                rule,
                rule.origin.id_line,
                format!("id `{}` makes the Rust name `{name}`, which Rust cannot use", rule.id),
                "start the id with a letter and avoid Rust keywords such as `self`; the id names a `RuleId` variant".into(),
            ));
            continue;
        }
        match taken.get(&name) {
            Some(first) if first.id != rule.id => out.push(at_line(
                rule,
                rule.origin.id_line,
                format!(
                    "id `{}` makes the Rust name `{name}`, as `{}` does ({}:{})",
                    rule.id, first.id, first.origin.file, first.origin.id_line
                ),
                "ids that differ only in `-` before a digit collide; choose a distinct id".into(),
            )),
            _ => {
                taken.entry(name).or_insert(rule);
            }
        }
    }
}

/// Every pair `(later, earlier)` of rules that sit in one leaf of the index:
/// the only pairs that can share a query. Sorted, so reports keep rule order.
fn sharing_pairs(index: &Index) -> BTreeSet<(usize, usize)> {
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
fn check_overlaps(rules: &[Rule], pairs: &BTreeSet<(usize, usize)>, out: &mut Vec<Diagnostic>) {
    for &(later_index, earlier_index) in pairs {
        let (later, earlier) = (&rules[later_index], &rules[earlier_index]);
        let Some(shared) = earlier.when.common_query(&later.when) else {
            continue;
        };
        let inner = later.when.is_within(&earlier.when);
        let outer = earlier.when.is_within(&later.when);
        if inner && outer {
            out.push(at(
                later,
                format!(
                    "has the same conditions as `{}` ({}:{})",
                    earlier.id, earlier.origin.file, earlier.origin.line
                ),
                "merge the two rules, or add a condition that tells them apart".into(),
            ));
        } else if !inner && !outer {
            out.push(at(later, format!("overlaps `{}` ({}:{}): both match `{shared}` and neither is more specific", earlier.id, earlier.origin.file, earlier.origin.line), "add a condition to one rule so that it lies within the other, or so that they cannot both match".into()));
        }
    }
}

/// A rule every one of whose queries is answered by more specific rules can
/// never win.
fn check_shadowed(
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
            out.push(at(
                rule,
                "can never win: every query it matches is answered by a more specific rule".into(),
                format!(
                    "covered by {}; remove the rule or narrow those",
                    names.join(", ")
                ),
            ));
        }
    }
}

/// A query `outer` accepts that none of `inner` accepts, if one exists.
///
/// Fields are assigned one at a time, keeping only the inner rules that still
/// match; as soon as none is left, the partial query is a witness. Candidate
/// values per field come from [`crate::model::candidates`]: the values the
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
        let candidates = crate::model::candidates(vocabulary, field, outer.get(field), inner);
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

fn check_examples(catalog: &Catalog, index: &Index, out: &mut Vec<Diagnostic>) {
    for (rule_index, rule) in catalog.rules.iter().enumerate() {
        for (n, example) in rule.examples.iter().enumerate() {
            let resolved = index.resolve(&catalog.vocabulary, example);
            if resolved == Some(rule_index) {
                continue;
            }
            let problem = match resolved {
                _ if !rule.when.matches(example) => format!(
                    "example {} (`{example}`) does not match this rule's `when`",
                    n + 1
                ),
                Some(other) => format!(
                    "example {} (`{example}`) resolves to `{}`, not to this rule",
                    n + 1,
                    catalog.rules[other].id
                ),
                None => format!("example {} (`{example}`) resolves to no rule", n + 1),
            };
            out.push(at_line(
                rule,
                line_of(&rule.origin.example_lines, n, rule),
                problem,
                "fix the example, or the `when` of the rules involved".into(),
            ));
        }
        for (n, counter) in rule.counter_examples.iter().enumerate() {
            if index.resolve(&catalog.vocabulary, counter) == Some(rule_index) {
                out.push(at_line(
                    rule,
                    line_of(&rule.origin.counter_example_lines, n, rule),
                    format!(
                        "counter-example {} (`{counter}`) resolves to this rule",
                        n + 1
                    ),
                    "narrow the rule's `when`, or drop the counter-example".into(),
                ));
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
