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

use debitura_triage_rules_model::model::resolve::Resolution;
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
    let several: Vec<Several<'_>> = emitter
        .leaves
        .iter()
        .filter_map(|l| match l {
            Leaf::Several(fit, or_none, telling) => Some((fit, *or_none, telling.as_slice())),
            _ => None,
        })
        .collect();
    let several_items = several_statics(catalog, &several);
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
    let file = quote! {
        #( use #imports; )*

        /// The most specific rule matching `q`, as a decision tree over the
        /// query's fields (`rules/*.yaml` are its source).
        pub(crate) fn lookup(q: &Query<'_>) -> Found<RuleId> {
            #body
        }

        #several_items

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
        Field::Credential => "credential",
        Field::SafeToResend => "safe_to_resend",
    }
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

/// The literals the tree tests, per string field, each with the constant
/// that names it.
struct Strings {
    /// Field → literal → constant name.
    names: BTreeMap<Field, BTreeMap<String, String>>,
    /// Field → the literal sets tests tell apart, each one function.
    tables: BTreeMap<Field, Vec<BTreeSet<String>>>,
}

/// The number of a string no literal of a test names.
const OTHER: &str = "OTHER";

impl Strings {
    /// The literals of the string fields that some test of `tree` has an
    /// arm for.
    fn new(tree: &Tree) -> Strings {
        let mut names: BTreeMap<Field, BTreeMap<String, String>> = BTreeMap::new();
        let mut tables: BTreeMap<Field, Vec<BTreeSet<String>>> = BTreeMap::new();
        for node in &tree.nodes {
            let Node::Test(test) = node else { continue };
            if !is_string(test.field) || test.arms.is_empty() {
                continue;
            }
            let table = names.entry(test.field).or_default();
            let literals: BTreeSet<String> =
                test.arms.iter().flat_map(|(v, _)| v).cloned().collect();
            for value in &literals {
                table.entry(value.clone()).or_default();
            }
            let known = tables.entry(test.field).or_default();
            if !known.contains(&literals) {
                known.push(literals);
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
        Strings { names, tables }
    }

    /// The function that tells apart the literals of a test.
    fn dispatch(&self, field: Field, literals: &BTreeSet<String>) -> TokenStream {
        let module = ident(field_name(field));
        let n = self.tables[&field]
            .iter()
            .position(|t| t == literals)
            .expect("every test's literals are a table");
        let function = ident(&format!("of_{}", n + 1));
        quote! { #module::#function(s) }
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
                let functions = self.tables[field].iter().enumerate().map(|(n, literals)| {
                    let function = ident(&format!("of_{}", n + 1));
                    let entries: Vec<(&str, TokenStream)> = literals
                        .iter()
                        .map(|literal| {
                            let name = ident(&table[literal]);
                            (literal.as_str(), quote! { #name })
                        })
                        .collect();
                    let body = by_length(&entries, &quote! { OTHER });
                    let doc = format!(
                        " The number of the one of these {} literals `s` equals, or `OTHER`.",
                        entries.len()
                    );
                    // Inlined, the number folds into the test that reads it.
                    quote! {
                        #[doc = #doc]
                        #[inline(always)]
                        pub(super) fn #function(s: &str) -> u16 {
                            #body
                        }
                    }
                });
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
                        #( #functions )*
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
        let field = test.field;
        let scrutinee = scrutinee(field);
        let unknown = test.unknown.map(|n| {
            let body = self.node(n, false);
            quote! { None => #body, }
        });
        let arms: Vec<TokenStream> = test
            .arms
            .iter()
            .map(|(values, n)| {
                let patterns = pattern(field, values);
                let body = self.node(*n, false);
                quote! { #patterns => #body, }
            })
            .collect();
        let default = self.node(test.default, false);
        quote! {
            match #scrutinee {
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

/// The pattern for some values of a field matched directly.
fn pattern(field: Field, values: &[String]) -> TokenStream {
    match field {
        Field::Status => {
            let codes = values
                .iter()
                .map(|v| Literal::u16_unsuffixed(v.parse().expect("checked status")));
            quote! { #( Some(#codes) )|* }
        }
        Field::Operation => {
            let v = values.iter().map(|v| variant(v));
            quote! { #( Some(Operation::#v) )|* }
        }
        Field::Environment => {
            let v = values.iter().map(|v| variant(v));
            quote! { #( Some(Environment::#v) )|* }
        }
        Field::Credential => {
            let v = values.iter().map(|v| variant(v));
            quote! { #( Some(Credential::#v) )|* }
        }
        Field::AfterTokenRefresh => {
            let b = values.iter().map(|v| v == "true");
            quote! { #( #b )|* }
        }
        Field::SafeToResend => {
            let b = values.iter().map(|v| v == "true");
            quote! { #( Some(#b) )|* }
        }
        Field::Type | Field::Message | Field::Event | Field::Symptom => {
            unreachable!("string fields are matched by number")
        }
    }
}

/// The widest a line of alternatives is filled to.
const WIDTH: usize = 100;

/// The lines of `text` with the alternatives of a pattern that
/// prettyplease writes one per line (`| Some(Operation::ListUsers)`) filled
/// onto as few lines as fit in [`WIDTH`] columns.
fn fill_alternatives(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(last) = lines.last_mut() {
            let continues = trimmed.starts_with("| ")
                && (last.trim_start().starts_with("| ") || last.trim_end().ends_with(')'));
            if continues && last.len() + 1 + trimmed.len() <= WIDTH {
                last.push(' ');
                last.push_str(trimmed);
                continue;
            }
        }
        lines.push(line.to_string());
    }
    lines
}

/// The formatted file with each `leaf!(N)` replaced by its answer, and a
/// comment at the end of its line naming the rule and where it is written,
/// or why there is no answer.
fn comment_leaves(text: &str, leaves: &[Leaf], rules: &[Rule]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for line in fill_alternatives(text) {
        let mut rest = line.as_str();
        let mut code = String::new();
        let mut notes: Vec<String> = Vec::new();
        while let Some(at) = rest.find(MARKER) {
            code.push_str(&rest[..at]);
            let after = &rest[at + MARKER.len()..];
            let close = after.find(')').expect("a leaf marker closes");
            let n: usize = after[..close].parse().expect("a leaf number");
            let (answer, note) = leaf_code(n, leaves, rules);
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

/// Leaf `n`'s expression and the comment that says what it is; the leaves
/// where several rules fit are numbered in `leaves`' order.
fn leaf_code(n: usize, leaves: &[Leaf], rules: &[Rule]) -> (String, String) {
    match &leaves[n] {
        Leaf::Rule(i) => {
            let rule = &rules[*i];
            let variant = rule_variant(rule);
            (
                format!("Found::Rule(RuleId::{variant})"),
                format!("{}: {}:{}", rule.id, rule.origin.file, rule.origin.line),
            )
        }
        Leaf::NoRule => ("Found::None".into(), "no rule accepts these values".into()),
        Leaf::Several(fit, ..) => {
            let n = leaves[..n]
                .iter()
                .filter(|l| matches!(l, Leaf::Several(..)))
                .count();
            let ids: Vec<&str> = fit.iter().map(|&i| rules[i].id.as_str()).collect();
            (
                format!("Found::Several(&SEVERAL[{n}])"),
                format!("several fit: {}", ids.join(", ")),
            )
        }
    }
}

/// The `diagnose` flag of a field.
fn flag(field: Field) -> &'static str {
    match field {
        Field::Status => "--status",
        Field::Type => "--type",
        Field::Message => "--message",
        Field::Operation => "--op",
        Field::Event => "--event",
        Field::Symptom => "--symptom",
        Field::AfterTokenRefresh => "--after-token-refresh",
        Field::Environment => "--env",
        Field::Credential => "--auth",
        Field::SafeToResend => "--idempotency-key/--no-idempotency-key and --method",
    }
}

/// One `Several` per leaf where several rules fit: the rules, the most
/// cautious retry, and a cause and solution, shared or written here.
/// A leaf where several rules fit: the rules, whether some completion fits
/// none, and the fields that would tell them apart.
type Several<'t> = (&'t Vec<usize>, bool, &'t [Field]);

fn several_statics(catalog: &Catalog, several: &[Several<'_>]) -> TokenStream {
    let rules = &catalog.rules;
    let vocabulary = &catalog.vocabulary;
    let items = several.iter().map(|&(fit, or_none, telling)| {
        let retry = Resolution::Several {
            rules: fit.clone(),
            unanswered: or_none,
        }
        .retry(vocabulary, rules)
        .to_string();
        let fit: Vec<&Rule> = fit.iter().map(|&i| &rules[i]).collect();
        let ids = fit.iter().map(|r| ident(&rule_variant(r).to_string()));
        let retry_variant = variant(&retry);
        let flags: Vec<&str> = telling.iter().map(|&f| flag(f)).collect();
        let shared = |text: fn(&Rule) -> &str| {
            let first = text(fit[0]);
            fit.iter().all(|r| text(r) == first).then_some(first)
        };
        let named: Vec<String> = fit
            .iter()
            .map(|r| format!("{} ({})", r.id, r.title))
            .collect();
        let cause = match shared(|r| r.cause.as_str()) {
            Some(cause) => cause.to_string(),
            None => format!(
                "Several rules fit what was given, and none is singled out: {}{}.",
                named.join("; "),
                if or_none { "; or none" } else { "" }
            ),
        };
        let solution = match shared(|r| r.solution.as_str()) {
            Some(solution) if !or_none => solution.to_string(),
            _ => {
                let give = if flags.is_empty() {
                    "more of the failure".to_string()
                } else {
                    flags.join(" and ")
                };
                if fit.len() == 1 {
                    format!(
                        "Give {give} to tell whether it is this rule's failure. Until then, follow \
                         the most cautious answer: {retry}."
                    )
                } else {
                    format!(
                        "Give {give} to tell them apart. Until then, follow the most cautious of \
                         their answers: {retry}."
                    )
                }
            }
        };
        quote! {
            crate::found::Several {
                rules: &[ #( RuleId::#ids ),* ],
                or_none: #or_none,
                telling: &[ #( #flags ),* ],
                retry: crate::vocabulary::Retry::#retry_variant,
                cause: #cause,
                solution: #solution,
            }
        }
    });
    let count = several.len();
    quote! {
        /// The answers where several rules fit, each with the most cautious
        /// retry and a cause and solution.
        static SEVERAL: [crate::found::Several<RuleId>; #count] = [ #( #items ),* ];
    }
}
