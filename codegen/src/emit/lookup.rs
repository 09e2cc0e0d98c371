//! The lookup file: the decision tree as `match` code a person can read.
//!
//! - A string field is read where the tree tests it (at most once on any
//!   path, since the tree tests the fields in one order): its literals are
//!   numbered (`strings`), and the test is a `match` on numbers.
//! - A subtree that several branches reach is one function, named after the
//!   field it tests, and called from each.
//! - Each leaf ends its line with a comment naming the rule it answers and
//!   where the rule is written, or why there is no answer (`leaves`).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use debitura_triage_rules_model::model::{Catalog, Field, NONE};

use crate::emit::leaves::{comment_leaves, several_table, Several};
use crate::emit::names::{field_name, ident, variant};
use crate::emit::render::HEADER;
use crate::emit::strings::Strings;
use crate::emit::tree::{is_string, Leaf, Node, NodeId, Test, Tree, ORDER};

/// The lookup file for `catalog`. `rule_id` is where `RuleId` comes from,
/// imported by the file itself so that it depends on nothing around it;
/// `None` when the file defines it.
pub(super) fn source(catalog: &Catalog, rule_id: Option<TokenStream>) -> String {
    let tree = Tree::new(&catalog.vocabulary, &catalog.rules);
    let strings = Strings::new(&tree);
    let mut emitter = Emitter::new(&tree, &strings);
    let body = emitter.node(tree.root, true);
    let functions = emitter.functions();
    let interned = strings.items();
    let tested = |field: Field| {
        tree.nodes
            .iter()
            .any(|n| matches!(n, Node::Test(t) if t.field == field))
    };
    let several: Vec<Several<'_>> = emitter
        .leaves
        .iter()
        .filter_map(|l| match l {
            Leaf::Several(fit, or_none, telling) => Some((fit, *or_none, telling.as_slice())),
            _ => None,
        })
        .collect();
    let several_table = several_table(catalog, &several);
    let mut imports = vec![
        quote! { crate::query::Query },
        quote! { crate::found::Found },
    ];
    imports.extend(rule_id);
    if tested(Field::Operation) {
        imports.push(quote! { crate::vocabulary::Operation });
    }
    if tested(Field::Environment) {
        imports.push(quote! { crate::vocabulary::Environment });
    }
    if tested(Field::Credential) {
        imports.push(quote! { crate::vocabulary::Credential });
    }
    if tested(Field::Symptom) {
        imports.push(quote! { crate::vocabulary::Symptom });
    }
    if !several.is_empty() {
        imports.push(quote! { crate::found::Several });
        imports.push(quote! { crate::vocabulary::Field });
        imports.push(quote! { crate::vocabulary::Retry });
    }
    let file = quote! {
        #( use #imports; )*

        /// The most specific rule matching `q`, as a decision tree over the
        /// query's fields (`rules/*.yaml` are its source).
        pub(crate) fn lookup(q: &Query<'_>) -> Found<RuleId> {
            #body
        }

        #( #interned )*

        #( #functions )*
    };
    let file: syn::File = syn::parse2(file).expect("the emitter produces valid Rust");
    let text = prettyplease::unparse(&file);
    let leaves = emitter.leaves;
    let code = comment_leaves(&text, &leaves, &catalog.rules);
    format!("{HEADER}\n{code}{several_table}")
}

/// The query's value of a field that is not a string: the library derives
/// whether a request is safe to send twice (`None` when the query does not
/// tell), the others it stores.
fn scrutinee(field: Field) -> TokenStream {
    let name = ident(field_name(field));
    match field {
        Field::SafeToResend => quote! { q.#name() },
        _ => quote! { q.#name },
    }
}

/// Turns tree nodes into code, sharing the subtrees several branches reach.
struct Emitter<'t> {
    tree: &'t Tree,
    strings: &'t Strings,
    /// How many branches lead to each node.
    uses: Vec<usize>,
    /// The function of each shared test, once named.
    names: BTreeMap<NodeId, Ident>,
    /// The functions to emit, in the order they were first reached.
    pending: Vec<NodeId>,
    /// The distinct leaves, numbered by their marker.
    leaves: Vec<Leaf>,
    /// How many tests enclose the code being emitted.
    depth: usize,
}

/// The most tests one function nests; a deeper one is a function of its
/// own, so that no line is pushed far right.
const MAX_DEPTH: usize = 5;

impl<'t> Emitter<'t> {
    fn new(tree: &'t Tree, strings: &'t Strings) -> Self {
        let mut uses = vec![0; tree.nodes.len()];
        let mut seen = vec![false; tree.nodes.len()];
        let mut stack = vec![tree.root];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id], true) {
                continue;
            }
            if let Node::Test(test) = &tree.nodes[id] {
                for child in test.children() {
                    uses[child] += 1;
                    stack.push(child);
                }
            }
        }
        Emitter {
            tree,
            strings,
            uses,
            names: BTreeMap::new(),
            pending: Vec::new(),
            leaves: Vec::new(),
            depth: 0,
        }
    }

    /// The code of node `id`: inline, or a call to its function when
    /// several branches reach it (`top` asks for the body itself).
    fn node(&mut self, id: NodeId, top: bool) -> TokenStream {
        match &self.tree.nodes[id] {
            Node::Leaf(leaf) => {
                let n = match self.leaves.iter().position(|l| l == leaf) {
                    Some(n) => n,
                    None => {
                        self.leaves.push(leaf.clone());
                        self.leaves.len() - 1
                    }
                };
                let n = Literal::usize_unsuffixed(n);
                quote! { leaf!(#n) }
            }
            Node::Test(test) if top || (self.uses[id] < 2 && self.depth < MAX_DEPTH) => {
                self.depth += 1;
                let code = self.test(test);
                self.depth -= 1;
                code
            }
            Node::Test(test) => {
                let name = match self.names.get(&id) {
                    Some(name) => name.clone(),
                    None => {
                        let name = ident(&format!(
                            "by_{}_{}",
                            field_name(test.field),
                            self.names.len() + 1
                        ));
                        self.names.insert(id, name.clone());
                        self.pending.push(id);
                        name
                    }
                };
                quote! { #name(q) }
            }
        }
    }

    /// Every shared subtree as a function; emitting one may name more.
    fn functions(&mut self) -> Vec<TokenStream> {
        let mut out = Vec::new();
        let mut next = 0;
        while next < self.pending.len() {
            let id = self.pending[next];
            next += 1;
            let name = self.names[&id].clone();
            let depth = std::mem::replace(&mut self.depth, 0);
            let body = self.node(id, true);
            self.depth = depth;
            let Node::Test(test) = &self.tree.nodes[id] else {
                unreachable!("only tests are shared")
            };
            let answers = self.answers(id);
            let reach = match self.uses[id] {
                1 => "one branch reaches it".to_string(),
                n => format!("{n} branches reach it"),
            };
            let doc = format!(
                " Tests `{}` ({reach}); answers {answers}.",
                field_name(test.field)
            );
            out.push(quote! {
                #[doc = #doc]
                #[inline]
                fn #name(q: &Query<'_>) -> Found<RuleId> {
                    #body
                }
            });
        }
        out
    }

    /// The rules a subtree can answer, for its doc comment.
    fn answers(&self, id: NodeId) -> String {
        let mut rules = BTreeSet::new();
        let mut none = false;
        let mut stack = vec![id];
        let mut seen = BTreeSet::new();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            match &self.tree.nodes[n] {
                Node::Leaf(Leaf::Rule(i)) => {
                    rules.insert(*i);
                }
                Node::Leaf(_) => none = true,
                Node::Test(test) => stack.extend(test.children()),
            }
        }
        let count = rules.len();
        let mut text = match count {
            0 => "no rule".to_string(),
            1 => "1 rule".to_string(),
            n => format!("{n} rules"),
        };
        if none {
            text.push_str(", or none");
        }
        text
    }

    fn test(&mut self, test: &Test) -> TokenStream {
        if is_string(test.field) {
            return self.string_test(test);
        }
        let rows = if read_directly(test.field) {
            self.rows(test)
        } else {
            self.arms(test)
        };
        let mut fields: Vec<Field> = rows.iter().flat_map(|(p, _)| p.keys().copied()).collect();
        fields.sort_by_key(|f| ORDER.iter().position(|o| o == f));
        fields.dedup();
        let arms = rows.iter().map(|(patterns, body)| {
            if patterns.values().all(|p| p.to_string() == "_") {
                return quote! { _ => #body, };
            }
            let cells = fields
                .iter()
                .map(|f| patterns.get(f).cloned().unwrap_or_else(|| quote! { _ }));
            match fields.len() {
                1 => quote! { #( #cells )* => #body, },
                _ => quote! { ( #( #cells ),* ) => #body, },
            }
        });
        let scrutinees = fields.iter().map(|&f| scrutinee(f));
        let scrutinee = match fields.len() {
            1 => quote! { #( #scrutinees )* },
            _ => quote! { ( #( #scrutinees ),* ) },
        };
        quote! {
            match #scrutinee {
                #( #arms )*
            }
        }
    }

    /// The arms of one test, each with the code of its branch.
    fn arms(&mut self, test: &Test) -> Vec<(BTreeMap<Field, TokenStream>, TokenStream)> {
        branches(test)
            .into_iter()
            .map(|(pattern, n)| ([(test.field, pattern)].into(), self.node(n, false)))
            .collect()
    }

    /// The arms of a test of a field read directly, with the tests of such
    /// fields that only it reaches folded in: one row per answer, a pattern
    /// for each field the row tests, in the order of the nested tests they
    /// replace (the first row that fits is the one nesting would reach).
    fn rows(&mut self, test: &Test) -> Vec<(BTreeMap<Field, TokenStream>, TokenStream)> {
        let field = test.field;
        let mut rows = Vec::new();
        for (pattern, n) in branches(test) {
            let folded = match &self.tree.nodes[n] {
                Node::Test(inner) if self.uses[n] < 2 && read_directly(inner.field) => {
                    Some(self.rows(inner))
                }
                _ => None,
            };
            match folded {
                Some(inner) => {
                    for (mut patterns, body) in inner {
                        patterns.insert(field, pattern.clone());
                        rows.push((patterns, body));
                    }
                }
                None => {
                    let body = self.node(n, false);
                    rows.push(([(field, pattern)].into(), body));
                }
            }
        }
        rows
    }

    /// A string field: an absent value, the literals of the test told apart
    /// by their numbers, then the message prefixes, then the default.
    fn string_test(&mut self, test: &Test) -> TokenStream {
        let field = test.field;
        let name = ident(field_name(field));
        let default = self.node(test.default, false);
        let absent = match test.absent {
            Some(n) => self.node(n, false),
            None => default.clone(),
        };
        let literals: BTreeSet<String> = test.arms.iter().flat_map(|(v, _)| v).cloned().collect();
        let arms: Vec<TokenStream> = test
            .arms
            .iter()
            .map(|(values, n)| {
                let patterns: Vec<TokenStream> = values
                    .iter()
                    .map(|v| self.strings.constant(field, v))
                    .collect();
                let body = self.node(*n, false);
                quote! { #( #patterns )|* => #body, }
            })
            .collect();
        // The prefixes, longest first, for a value no literal arm claims: a
        // flat list of guards, however many there are.
        let guards: Vec<(TokenStream, TokenStream)> = test
            .prefixes
            .iter()
            .map(|(prefix, n)| (quote! { s.starts_with(#prefix) }, self.node(*n, false)))
            .collect();
        let guard_tests: Vec<&TokenStream> = guards.iter().map(|(g, _)| g).collect();
        let guard_bodies: Vec<&TokenStream> = guards.iter().map(|(_, b)| b).collect();
        let present = if arms.is_empty() {
            quote! {
                #( Some(s) if #guard_tests => #guard_bodies, )*
                Some(_) => #default,
            }
        } else {
            let dispatch = self.strings.dispatch(field, &literals);
            quote! {
                Some(s) => match #dispatch {
                    #( #arms )*
                    #( _ if #guard_tests => #guard_bodies, )*
                    _ => #default,
                },
            }
        };
        // An empty string is no value at all, as in the rule model.
        quote! {
            match q.#name {
                None | Some("") => #absent,
                #present
            }
        }
    }
}

/// Each branch of a test of a field read directly: its pattern and where
/// it leads (a query that leaves the field out, each arm, the default).
fn branches(test: &Test) -> Vec<(TokenStream, NodeId)> {
    let unknown = test.unknown.map(|n| (quote! { None }, n));
    let arms = test
        .arms
        .iter()
        .map(|(values, n)| (pattern(test.field, values), *n));
    unknown
        .into_iter()
        .chain(arms)
        .chain([(quote! { _ }, test.default)])
        .collect()
}

/// True for the fields the query holds as they are, which a `match` on a
/// tuple may read all at once; whether a request is safe to send again is
/// worked out from its routes, so only the branches that test it ask.
fn read_directly(field: Field) -> bool {
    !is_string(field) && field != Field::SafeToResend
}

/// The pattern for some values of a field matched directly.
fn pattern(field: Field, values: &[String]) -> TokenStream {
    match field {
        Field::Status => {
            let mut codes: Vec<u16> = values
                .iter()
                .map(|v| v.parse().expect("checked status"))
                .collect();
            codes.sort_unstable();
            // Runs of three or more consecutive codes are written as ranges.
            let mut runs: Vec<(u16, u16)> = Vec::new();
            for code in codes {
                match runs.last_mut() {
                    Some((_, end)) if *end + 1 == code => *end = code,
                    _ => runs.push((code, code)),
                }
            }
            let alternatives = runs.into_iter().flat_map(|(start, end)| {
                let (a, b) = (Literal::u16_unsuffixed(start), Literal::u16_unsuffixed(end));
                match end - start {
                    0 => vec![quote! { #a }],
                    1 => vec![quote! { #a }, quote! { #b }],
                    _ => vec![quote! { #a..=#b }],
                }
            });
            quote! { Some( #( #alternatives )|* ) }
        }
        Field::Operation => {
            let v = values.iter().map(|v| variant(v));
            quote! { Some( #( Operation::#v )|* ) }
        }
        Field::Environment => {
            let v = values.iter().map(|v| variant(v));
            quote! { Some( #( Environment::#v )|* ) }
        }
        Field::Credential => {
            let v = values.iter().map(|v| variant(v));
            quote! { Some( #( Credential::#v )|* ) }
        }
        // The "none" value of a symptom is no symptom at all.
        Field::Symptom => {
            let none = values.iter().any(|v| v == NONE).then(|| quote! { None });
            let v = values.iter().filter(|v| *v != NONE).map(|v| variant(v));
            let some =
                (values.iter().any(|v| v != NONE)).then(|| quote! { Some( #( Symptom::#v )|* ) });
            let alternatives = none.into_iter().chain(some);
            quote! { #( #alternatives )|* }
        }
        Field::AfterTokenRefresh => {
            let b = values.iter().map(|v| v == "true");
            quote! { #( #b )|* }
        }
        Field::SafeToResend => {
            let b = values.iter().map(|v| v == "true");
            quote! { Some( #( #b )|* ) }
        }
        Field::Type | Field::Message | Field::Event => {
            unreachable!("string fields are matched by number")
        }
    }
}
