//! A partition of the rules that keeps whole-catalog checks near-linear.
//!
//! The rules are split field by field (symptom, event, status, type) on the
//! literal values they name; a rule that accepts any value of a field goes to
//! every part. Every rule that matches a query therefore sits in the one leaf
//! that query leads to, so two rules can only overlap if some leaf holds both,
//! and resolving a query only has to scan its leaf.

use std::collections::HashMap;

use crate::model::resolve::{resolution, Resolution};
use crate::model::vocabulary::Vocabulary;
use crate::model::{Field, Query, Rule};

/// The fields split on.
const SPLIT: [Field; 5] = [
    Field::Symptom,
    Field::Event,
    Field::Status,
    Field::Type,
    Field::Message,
];

/// Messages are split on their first characters: a prefix pattern shorter
/// than this, or a shorter literal, goes to every part.
const MESSAGE_KEY: usize = 12;

/// The part of `field` a pattern (or, with `query`, a query value) belongs
/// to; `None` for "every part".
fn key(field: Field, value: &str, query: bool) -> Option<&str> {
    if field != Field::Message {
        return Some(value);
    }
    let literal = if query {
        value
    } else {
        field.prefix_of(value).unwrap_or(value)
    };
    literal
        .char_indices()
        .nth(MESSAGE_KEY)
        .map(|(end, _)| &literal[..end])
}

/// Leaves smaller than this are not split further.
const LEAF: usize = 8;

enum Node {
    Leaf(Vec<usize>),
    Split {
        field: Field,
        by_value: HashMap<String, Node>,
        other: Box<Node>,
    },
}

/// The rules partitioned by the literal values they name, to find the
/// rules a query can match without scanning them all.
pub struct Index<'r> {
    rules: &'r [Rule],
    root: Node,
}

impl<'r> Index<'r> {
    /// Partitions `rules`.
    pub fn new(rules: &'r [Rule]) -> Self {
        let all = (0..rules.len()).collect();
        Index {
            rules,
            root: build(rules, all, 0),
        }
    }

    /// Every leaf's rules: each group of rules that may share a query.
    pub fn groups(&self) -> Vec<&[usize]> {
        let mut out = Vec::new();
        let mut stack = vec![&self.root];
        while let Some(node) = stack.pop() {
            match node {
                Node::Leaf(members) => out.push(members.as_slice()),
                Node::Split {
                    by_value, other, ..
                } => {
                    stack.extend(by_value.values());
                    stack.push(other);
                }
            }
        }
        out
    }

    /// Same answer as [`Catalog::resolve`](crate::model::Catalog::resolve), scanning only the
    /// leaves the query can reach: one, or, when it leaves out a field the
    /// index splits on, every part of that split.
    pub fn resolve(&self, vocabulary: &Vocabulary, query: &Query) -> Option<usize> {
        self.resolution(vocabulary, query).rule()
    }

    /// [`Catalog::resolution`](crate::model::Catalog::resolution), reaching
    /// only the leaves the query's values lead to.
    pub fn resolution(&self, vocabulary: &Vocabulary, query: &Query) -> Resolution {
        let unknown = query.unknown_fields();
        let defaulted = query.defaulted_fields();
        let mut reached = Vec::new();
        let mut stack = vec![&self.root];
        while let Some(node) = stack.pop() {
            match node {
                Node::Leaf(members) => reached.extend_from_slice(members),
                Node::Split {
                    field,
                    by_value,
                    other,
                } => {
                    if unknown.contains(field) {
                        stack.extend(by_value.values());
                        stack.push(other);
                    } else {
                        stack.push(
                            query
                                .get(*field)
                                .and_then(|v| key(*field, v, true))
                                .and_then(|k| by_value.get(k))
                                .unwrap_or(other),
                        );
                    }
                }
            }
        }
        reached.sort_unstable();
        reached.dedup();
        reached.retain(|&i| self.rules[i].when.matches_except(query, &unknown));
        resolution(vocabulary, self.rules, &reached, &unknown, &defaulted)
    }
}

fn build(rules: &[Rule], members: Vec<usize>, depth: usize) -> Node {
    let Some(&field) = SPLIT.get(depth) else {
        return Node::Leaf(members);
    };
    if members.len() <= LEAF {
        return Node::Leaf(members);
    }
    // A rule goes to the parts of the keys it names, or to every part when it
    // accepts any value or names a pattern too short to have a key.
    let keys_of = |i: usize| -> Option<Vec<&str>> {
        rules[i]
            .when
            .get(field)?
            .iter()
            .map(|p| key(field, p, false))
            .collect()
    };
    let mut parts: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut wild = Vec::new();
    for &i in &members {
        match keys_of(i) {
            Some(keys) => {
                for k in keys {
                    let part = parts.entry(k).or_default();
                    // A rule naming two values with one key joins that part once.
                    if part.last() != Some(&i) {
                        part.push(i);
                    }
                }
            }
            None => wild.push(i),
        }
    }
    if parts.is_empty() {
        return build(rules, members, depth + 1);
    }
    let by_value = parts
        .into_iter()
        .map(|(k, mut part)| {
            part.extend_from_slice(&wild);
            part.sort_unstable();
            (k.to_string(), build(rules, part, depth + 1))
        })
        .collect();
    Node::Split {
        field,
        by_value,
        // The wild rules name no value of `field`: building them from this
        // depth finds no part and moves on to the next field.
        other: Box::new(build(rules, wild, depth)),
    }
}
