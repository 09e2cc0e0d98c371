//! The lookup file: the decision tree as `match` code a person can read.
//!
//! - A string field is read where the tree tests it (at most once on any
//!   path, since the tree tests the fields in one order): `error_type::of`
//!   turns it into the number of the literal it equals, a constant named
//!   after the literal (`error_type::CLIENT_EXISTS_NEEDS_LINKING`), and the
//!   test is a `match` on numbers.
//! - A subtree that several branches reach is one function, named after the
//!   field it tests, and called from each.
//! - Each leaf ends its line with a comment naming the rule it answers and
//!   where the rule is written, or why there is no answer.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use debitura_triage_rules_model::model::{Catalog, Field, Rule};

use crate::emit::names::{ident, rule_variant, variant};
use crate::emit::render::HEADER;
use crate::emit::tree::{is_string, Leaf, Node, NodeId, Test, Tree};

/// The code a leaf marker stands for until the file is formatted:
/// prettyplease keeps no comments, so leaves are written as `leaf!(N)` and
/// replaced afterwards by their answer and its comment.
const MARKER: &str = "leaf!(";

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
    let mut imports = vec![quote! { crate::query::Query }];
    imports.extend(rule_id);
    if tested(Field::Operation) {
        imports.push(quote! { crate::vocabulary::Operation });
    }
    if tested(Field::Environment) {
        imports.push(quote! { crate::vocabulary::Environment });
    }
    let file = quote! {
        #( use #imports; )*

        /// The most specific rule matching `q`, as a decision tree over the
        /// query's fields (`rules/*.yaml` are its source).
        pub(crate) fn lookup(q: &Query<'_>) -> Option<RuleId> {
            #body
        }

        #( #interned )*

        #( #functions )*
    };
    let file: syn::File = syn::parse2(file).expect("the emitter produces valid Rust");
    let text = prettyplease::unparse(&file);
    let leaves = emitter.leaves;
    let code = comment_leaves(&text, &leaves, &catalog.rules);
    format!("{HEADER}\n{code}")
}

/// The name of a query field, as the library's `Query` spells it.
fn field_name(field: Field) -> &'static str {
    match field {
        Field::Status => "status",
        Field::Type => "error_type",
        Field::Message => "message",
        Field::Operation => "operation",
        Field::Event => "event",
        Field::Symptom => "symptom",
        Field::AfterTokenRefresh => "after_token_refresh",
        Field::Environment => "environment",
    }
}

/// The literals the tree tests, per string field, each with the constant
/// that names it.
struct Strings {
    /// Field → literal → constant name.
    names: BTreeMap<Field, BTreeMap<String, String>>,
}

/// The number of a string no literal of a test names.
const OTHER: &str = "OTHER";

impl Strings {
    /// The literals of the string fields that some test of `tree` has an
    /// arm for.
    fn new(tree: &Tree) -> Strings {
        let mut names: BTreeMap<Field, BTreeMap<String, String>> = BTreeMap::new();
        for node in &tree.nodes {
            let Node::Test(test) = node else { continue };
            if !is_string(test.field) {
                continue;
            }
            let table = names.entry(test.field).or_default();
            for (values, _) in &test.arms {
                for value in values {
                    table.entry(value.clone()).or_default();
                }
            }
        }
        names.retain(|_, table| !table.is_empty());
        for table in names.values_mut() {
            let mut taken: BTreeSet<String> = [OTHER.to_string()].into();
            for (literal, name) in table.iter_mut() {
                let base = constant_name(literal);
                let mut candidate = base.clone();
                let mut n = 2;
                while !taken.insert(candidate.clone()) {
                    candidate = format!("{base}_{n}");
                    n += 1;
                }
                *name = candidate;
            }
        }
        Strings { names }
    }

    fn constant(&self, field: Field, literal: &str) -> TokenStream {
        let module = ident(field_name(field));
        let name = ident(&self.names[&field][literal]);
        quote! { #module::#name }
    }

    /// One module per string field, numbering its literals.
    fn items(&self) -> Vec<TokenStream> {
        self.names
            .iter()
            .map(|(field, table)| {
                let module = ident(field_name(*field));
                let doc = format!(
                    " The `{}` values the tests name, numbered.",
                    field_name(*field)
                );
                let constants = table.iter().enumerate().map(|(n, (literal, name))| {
                    let name = ident(name);
                    let number = Literal::u16_unsuffixed(
                        u16::try_from(n + 1).expect("fewer than 65 535 literals"),
                    );
                    let doc = format!(" `{}`", literal.escape_debug());
                    quote! {
                        #[doc = #doc]
                        pub(super) const #name: u16 = #number;
                    }
                });
                quote! {
                    #[doc = #doc]
                    mod #module {
                        /// A value none of a test's literals names.
                        pub(super) const OTHER: u16 = 0;
                        #( #constants )*
                    }
                }
            })
            .collect()
    }
}

/// `Unknown country: *` → `UNKNOWN_COUNTRY`: upper-case words of the
/// literal, at most eight of them.
fn constant_name(literal: &str) -> String {
    let words: Vec<String> = literal
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(split_camel)
        .take(8)
        .collect();
    let name = words.join("_").to_ascii_uppercase();
    match name.chars().next() {
        None => "VALUE".to_string(),
        Some(c) if c.is_ascii_digit() => format!("V_{name}"),
        Some(_) => name,
    }
}

/// `ClientExistsNeedsLinking` → `Client`, `Exists`, `Needs`, `Linking`.
fn split_camel(word: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = word.chars().collect();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()));
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The number of the literal `s` equals, among `table`: `s.len()` first,
/// then the bytes that tell literals of one length apart, then one
/// comparison. `other` is the number of every other string.
fn by_length(table: &[(&str, TokenStream)], other: &TokenStream) -> TokenStream {
    let mut lengths: BTreeMap<usize, Vec<(&str, TokenStream)>> = BTreeMap::new();
    for (value, name) in table {
        lengths
            .entry(value.len())
            .or_default()
            .push((value, name.clone()));
    }
    let arms = lengths
        .into_iter()
        .map(|(len, group)| arm(quote! { #len }, &group, other));
    quote! {
        match s.len() {
            #( #arms )*
            _ => #other,
        }
    }
}

/// One arm of a discrimination: a lone literal is confirmed in the guard,
/// several are told apart by [`by_byte`].
fn arm(key: TokenStream, group: &[(&str, TokenStream)], other: &TokenStream) -> TokenStream {
    match group {
        [(value, name)] => quote! { #key if s == #value => #name, },
        _ => {
            let inner = by_byte(group, other);
            quote! { #key => #inner, }
        }
    }
}

/// Literals of one length: switch on the byte position that splits them
/// most, until one is left.
fn by_byte(group: &[(&str, TokenStream)], other: &TokenStream) -> TokenStream {
    let len = group[0].0.len();
    let position = (0..len)
        .max_by_key(|&p| {
            let distinct: BTreeSet<u8> = group.iter().map(|(v, _)| v.as_bytes()[p]).collect();
            (distinct.len(), std::cmp::Reverse(p))
        })
        .unwrap_or(0);
    let mut bytes: BTreeMap<u8, Vec<(&str, TokenStream)>> = BTreeMap::new();
    for (value, name) in group {
        bytes
            .entry(value.as_bytes()[position])
            .or_default()
            .push((value, name.clone()));
    }
    let arms = bytes.into_iter().map(|(byte, sub)| {
        let byte = Literal::u8_suffixed(byte);
        arm(quote! { #byte }, &sub, other)
    });
    quote! {
        match s.as_bytes()[#position] {
            #( #arms )*
            _ => #other,
        }
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
}

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
            Node::Test(test) if top || self.uses[id] < 2 => self.test(test),
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
            let body = self.node(id, true);
            let Node::Test(test) = &self.tree.nodes[id] else {
                unreachable!("only tests are shared")
            };
            let answers = self.answers(id);
            let doc = format!(
                " Tests `{}` for the {} branches that reach it; answers {answers}.",
                field_name(test.field),
                self.uses[id]
            );
            out.push(quote! {
                #[doc = #doc]
                #[inline]
                fn #name(q: &Query<'_>) -> Option<RuleId> {
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
        let scrutinee = ident(field_name(test.field));
        let unknown = test.unknown.map(|n| {
            let body = self.node(n, false);
            quote! { None => #body, }
        });
        let arms: Vec<TokenStream> = test
            .arms
            .iter()
            .map(|(values, n)| {
                let patterns = values.iter().map(|v| pattern(test.field, v));
                let body = self.node(*n, false);
                quote! { #( #patterns )|* => #body, }
            })
            .collect();
        let default = self.node(test.default, false);
        quote! {
            match q.#scrutinee {
                #unknown
                #( #arms )*
                _ => #default,
            }
        }
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
        let mut table: Vec<(&str, TokenStream)> = Vec::new();
        let arms: Vec<TokenStream> = test
            .arms
            .iter()
            .map(|(values, n)| {
                let patterns: Vec<TokenStream> = values
                    .iter()
                    .map(|v| self.strings.constant(field, v))
                    .collect();
                for (v, p) in values.iter().zip(&patterns) {
                    table.push((v.as_str(), p.clone()));
                }
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
            let other = quote! { #name::OTHER };
            let dispatch = by_length(&table, &other);
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

/// The pattern for one value of a field matched directly.
fn pattern(field: Field, value: &str) -> TokenStream {
    match field {
        Field::Status => {
            let code = Literal::u16_unsuffixed(value.parse().expect("checked status"));
            quote! { Some(#code) }
        }
        Field::Operation => {
            let v = variant(value);
            quote! { Some(Operation::#v) }
        }
        Field::Environment => {
            let v = variant(value);
            quote! { Some(Environment::#v) }
        }
        Field::AfterTokenRefresh => {
            let b = value == "true";
            quote! { #b }
        }
        Field::Type | Field::Message | Field::Event | Field::Symptom => {
            unreachable!("string fields are matched by number")
        }
    }
}

/// The formatted file with each `leaf!(N)` replaced by its answer, and a
/// comment at the end of its line naming the rule and where it is written,
/// or why there is no answer.
fn comment_leaves(text: &str, leaves: &[Leaf], rules: &[Rule]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        let mut rest = line;
        let mut code = String::new();
        let mut notes: Vec<String> = Vec::new();
        while let Some(at) = rest.find(MARKER) {
            code.push_str(&rest[..at]);
            let after = &rest[at + MARKER.len()..];
            let close = after.find(')').expect("a leaf marker closes");
            let n: usize = after[..close].parse().expect("a leaf number");
            let (answer, note) = leaf_code(&leaves[n], rules);
            code.push_str(&answer);
            notes.push(note);
            rest = &after[close + 1..];
        }
        code.push_str(rest);
        out.push_str(&code);
        if !notes.is_empty() {
            out.push_str(" // ");
            out.push_str(&notes.join("; "));
        }
        out.push('\n');
    }
    out
}

/// A leaf's expression and the comment that says what it is.
fn leaf_code(leaf: &Leaf, rules: &[Rule]) -> (String, String) {
    match leaf {
        Leaf::Rule(i) => {
            let rule = &rules[*i];
            let variant = rule_variant(rule);
            (
                format!("Some(RuleId::{variant})"),
                format!("{}: {}:{}", rule.id, rule.origin.file, rule.origin.line),
            )
        }
        Leaf::NoRule => ("None".into(), "no rule accepts these values".into()),
        Leaf::Ambiguous => (
            "None".into(),
            "several rules fit and none is singled out".into(),
        ),
    }
}
