//! The matcher as a decision tree over the query's fields, built once per
//! distinct subtree: equal subtrees are one node (hash-consing), a test whose
//! branches all lead to one node is no test, and a branch that leads where
//! the default does is left to the default.

use std::collections::{BTreeMap, HashMap};

use debitura_triage_rules_model::model::resolve::{resolution, Resolution};
use debitura_triage_rules_model::model::vocabulary::Vocabulary;
use debitura_triage_rules_model::model::{Field, Rule, FIELDS, NONE};

/// A node's index in [`Tree::nodes`].
pub(super) type NodeId = usize;

/// What a query that reaches a leaf gets.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Leaf {
    /// The rule at this index answers.
    Rule(usize),
    /// No rule accepts what the query gives.
    NoRule,
    /// Several rules fit what the query gives (these, in catalog order, and
    /// none when `true` is set), and none of them is singled out; `fields`
    /// are those the query left out that would tell them apart.
    Several(Vec<usize>, bool, Vec<Field>),
}

/// One test of one field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Test {
    pub field: Field,
    /// Where a query that leaves the field out goes (status, operation,
    /// environment); `None` sends it to the default.
    pub unknown: Option<NodeId>,
    /// Where a query with no value goes (type, message, event, symptom);
    /// `None` sends it to the default.
    pub absent: Option<NodeId>,
    /// Literal values and where they go, in the order rules name them.
    pub arms: Vec<(Vec<String>, NodeId)>,
    /// Message prefixes, longest first, for values no literal arm claims.
    pub prefixes: Vec<(String, NodeId)>,
    /// Where every other value goes.
    pub default: NodeId,
    /// True when the arms name every value the field can take, so that
    /// the default stands for the arms it absorbed.
    pub exhaustive: bool,
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Node {
    /// An answer.
    Leaf(Leaf),
    /// A test.
    Test(Test),
}

impl Test {
    /// Every node the test leads to, once per branch.
    pub fn children(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.unknown
            .iter()
            .chain(&self.absent)
            .copied()
            .chain(self.arms.iter().map(|(_, n)| *n))
            .chain(self.prefixes.iter().map(|(_, n)| *n))
            .chain(std::iter::once(self.default))
    }
}

/// What a branch of the tree knows of the query: the fields it leaves out
/// because they are unknown, and those it gives at their "none" value (no
/// type, not after a token refresh), which single out no rule.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct Path {
    unknown: Vec<Field>,
    defaulted: Vec<Field>,
}

impl Path {
    fn with(&self, field: Field, unknown: bool) -> Path {
        let mut next = self.clone();
        if unknown {
            next.unknown.push(field);
        } else {
            next.defaulted.push(field);
        }
        next
    }
}

/// The decision tree of a rule set.
pub(super) struct Tree {
    /// Every distinct node; children come before their parents.
    pub nodes: Vec<Node>,
    /// The node every query starts at.
    pub root: NodeId,
}

impl Tree {
    /// The tree for `rules`, written in `vocabulary`.
    pub fn new(vocabulary: &Vocabulary, rules: &[Rule]) -> Tree {
        let mut builder = Builder {
            vocabulary,
            rules,
            nodes: Vec::new(),
            interned: BTreeMap::new(),
            memo: HashMap::new(),
        };
        let all: Vec<usize> = (0..rules.len()).collect();
        let root = builder.decide(&all, 0, &Path::default());
        Tree {
            nodes: builder.nodes,
            root,
        }
    }
}

struct Builder<'c> {
    vocabulary: &'c Vocabulary,
    rules: &'c [Rule],
    nodes: Vec<Node>,
    interned: BTreeMap<Node, NodeId>,
    memo: HashMap<(Vec<usize>, usize, Path), NodeId>,
}

impl Builder<'_> {
    fn intern(&mut self, node: Node) -> NodeId {
        if let Some(&id) = self.interned.get(&node) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(node.clone());
        self.interned.insert(node, id);
        id
    }

    /// The node for `candidates`, testing the fields from `depth` on.
    ///
    /// A branch per value some candidate names (values leading to the same
    /// node share an arm), plus a default for the candidates that accept any
    /// value. Fields no candidate constrains are skipped; once the fields run
    /// out, the candidates left decide the answer.
    fn decide(&mut self, candidates: &[usize], depth: usize, path: &Path) -> NodeId {
        let key = (candidates.to_vec(), depth, path.clone());
        if let Some(&id) = self.memo.get(&key) {
            return id;
        }
        let id = self.decide_uncached(candidates, depth, path);
        self.memo.insert(key, id);
        id
    }

    fn decide_uncached(&mut self, candidates: &[usize], depth: usize, path: &Path) -> NodeId {
        let rules = self.rules;
        let Some((depth, field)) = ORDER
            .iter()
            .enumerate()
            .skip(depth)
            .find(|(_, &f)| candidates.iter().any(|&i| rules[i].when.get(f).is_some()))
            .map(|(d, &f)| (d, f))
        else {
            let leaf = match resolution(
                self.vocabulary,
                rules,
                candidates,
                &path.unknown,
                &path.defaulted,
            ) {
                Resolution::Rule(i) => Leaf::Rule(i),
                Resolution::None => Leaf::NoRule,
                Resolution::Several {
                    rules: fit,
                    unanswered,
                } => {
                    let telling: Vec<Field> = path
                        .unknown
                        .iter()
                        .copied()
                        .filter(|&f| fit.iter().any(|&i| rules[i].when.get(f).is_some()))
                        .collect();
                    Leaf::Several(fit, unanswered, telling)
                }
            };
            return self.intern(Node::Leaf(leaf));
        };
        let mut values: Vec<&String> = candidates
            .iter()
            .filter_map(|&i| rules[i].when.get(field))
            .flatten()
            .collect();
        values.sort_by_key(|v| (v.parse::<u32>().unwrap_or(u32::MAX), v.as_str()));
        values.dedup();
        let (prefixes, literals): (Vec<&String>, Vec<&String>) = values
            .into_iter()
            .partition(|v| field.prefix_of(v).is_some());
        // The candidates each literal value leaves: those naming the value,
        // those whose prefix accepts it, and those that accept anything.
        let mut leaves: HashMap<&str, Vec<usize>> =
            literals.iter().map(|v| (v.as_str(), Vec::new())).collect();
        for &i in candidates {
            match rules[i].when.get(field) {
                None => leaves.values_mut().for_each(|l| l.push(i)),
                Some(set) => {
                    for pattern in set {
                        match field.prefix_of(pattern) {
                            None => {
                                if let Some(l) = leaves.get_mut(pattern.as_str()) {
                                    l.push(i);
                                }
                            }
                            Some(_) => {
                                for (value, l) in leaves.iter_mut() {
                                    if field.accepts(pattern, value) && l.last() != Some(&i) {
                                        l.push(i);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let wildcard: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| rules[i].when.get(field).is_none())
            .collect();
        // The wildcard rules name nothing on `field`, so the search for their
        // next field passes it by itself.
        let default = self.decide(&wildcard, depth, path);
        // The "none" value singles out no rule when another field is unknown,
        // so its branch knows the field was defaulted.
        let absent_value = field.absent_value();
        let mut arms: Vec<(Vec<String>, NodeId)> = Vec::new();
        let mut absent = None;
        for value in &literals {
            let mut remaining = leaves.remove(value.as_str()).unwrap_or_default();
            remaining.sort_unstable();
            remaining.dedup();
            let is_absent = Some(value.as_str()) == absent_value;
            let next = if is_absent {
                self.decide(&remaining, depth + 1, &path.with(field, false))
            } else {
                self.decide(&remaining, depth + 1, path)
            };
            if is_string(field) && value.as_str() == NONE {
                absent = Some(next);
            } else {
                arms.push((vec![value.to_string()], next));
            }
        }
        // Prefixes are tried after the literals, longest first, so that the
        // first one that holds is the most specific.
        let mut prefixes = prefixes;
        prefixes.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let guards: Vec<(String, NodeId)> = prefixes
            .into_iter()
            .map(|pattern| {
                let remaining: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|&i| {
                        rules[i]
                            .when
                            .get(field)
                            .is_none_or(|s| s.iter().any(|q| field.covers(q, pattern)))
                    })
                    .collect();
                let prefix = field.prefix_of(pattern).unwrap_or(pattern).to_string();
                (prefix, self.decide(&remaining, depth + 1, path))
            })
            .collect();
        // A caller that does not know the field keeps every candidate, and the
        // leaf decides from the fields it gave.
        let unknown = field
            .may_be_unknown()
            .then(|| self.decide(candidates, depth + 1, &path.with(field, true)));
        let covered: usize = arms.iter().map(|(values, _)| values.len()).sum();
        let exhaustive = domain_size(field, self.vocabulary) == Some(covered);
        let test = simplify(Test {
            field,
            unknown,
            absent,
            arms,
            prefixes: guards,
            default,
            exhaustive,
        });
        match test {
            Ok(test) => self.intern(Node::Test(test)),
            Err(only) => only,
        }
    }
}

/// The order the tree tests the fields in. Symptom and event first (every
/// rule names them, "none" by default); then status and operation, which
/// split the catalog most, before the strings of the body; the request's
/// properties last. Any order answers alike; this one makes the smallest
/// tree of the catalog.
pub(super) const ORDER: [Field; FIELDS] = [
    Field::Symptom,
    Field::Event,
    Field::Status,
    Field::Operation,
    Field::Type,
    Field::Message,
    Field::AfterTokenRefresh,
    Field::Environment,
    Field::Credential,
    Field::SafeToResend,
];

/// How many values an arm may name for `field`, when they are a closed
/// list: the vocabulary's names (with "none" for a symptom, which a query
/// gives by leaving the symptom out).
fn domain_size(field: Field, vocabulary: &Vocabulary) -> Option<usize> {
    match field {
        Field::Symptom => Some(vocabulary.symptom_names().len() + 1),
        _ => field
            .closed_domain(vocabulary)
            .map(|domain| domain.iter().flatten().count()),
    }
}

/// The fields matched as strings: their values are interned once per query.
pub(super) fn is_string(field: Field) -> bool {
    matches!(field, Field::Type | Field::Message | Field::Event)
}

/// The test with its redundant branches dropped, or the one node every
/// branch leads to.
fn simplify(mut test: Test) -> Result<Test, NodeId> {
    // Values leading to one node share an arm.
    let mut merged: Vec<(Vec<String>, NodeId)> = Vec::new();
    for (values, node) in test.arms.drain(..) {
        match merged.iter_mut().find(|(_, n)| *n == node) {
            Some((existing, _)) => existing.extend(values),
            None => merged.push((values, node)),
        }
    }
    test.arms = merged;
    // With every value listed, the default is unreachable: the most common
    // arm takes its place.
    if test.exhaustive {
        let mut counts: Vec<(NodeId, usize)> = Vec::new();
        for (values, node) in &test.arms {
            match counts.iter_mut().find(|(n, _)| n == node) {
                Some((_, c)) => *c += values.len(),
                None => counts.push((*node, values.len())),
            }
        }
        if let Some(&(node, _)) = counts
            .iter()
            .max_by_key(|(n, c)| (*c, std::cmp::Reverse(*n)))
        {
            test.default = node;
        }
    }
    let default = test.default;
    // A literal that no prefix accepts and that goes where the default goes
    // needs no arm of its own.
    let prefixes = test.prefixes.clone();
    test.arms.retain(|(values, node)| {
        *node != default
            || values
                .iter()
                .any(|v| prefixes.iter().any(|(p, _)| v.starts_with(p.as_str())))
    });
    if test.unknown == Some(default) {
        test.unknown = None;
    }
    // The absent value never meets a prefix (an empty one included), so
    // its branch may only fall to the default when there is no prefix.
    if test.absent == Some(default) && test.prefixes.is_empty() {
        test.absent = None;
    }
    if test.children().all(|n| n == default) {
        return Err(default);
    }
    Ok(test)
}
