//! The string literals a lookup tests, numbered: one constant per literal,
//! named after it, and one function per set of literals a test tells apart,
//! by length, then a distinguishing byte, then one comparison.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use debitura_triage_rules_model::model::Field;

use crate::emit::names::{field_name, ident};
use crate::emit::tree::{is_string, Node, Tree};

/// The literals the tree tests, per string field, each with the constant
/// that names it.
pub(super) struct Strings {
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
    pub(super) fn new(tree: &Tree) -> Strings {
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
    pub(super) fn dispatch(&self, field: Field, literals: &BTreeSet<String>) -> TokenStream {
        let module = ident(field_name(field));
        let n = self.tables[&field]
            .iter()
            .position(|t| t == literals)
            .expect("every test's literals are a table");
        let function = ident(&format!("of_{}", n + 1));
        quote! { #module::#function(s) }
    }

    pub(super) fn constant(&self, field: Field, literal: &str) -> TokenStream {
        let module = ident(field_name(field));
        let name = ident(&self.names[&field][literal]);
        quote! { #module::#name }
    }

    /// One module per string field, numbering its literals.
    pub(super) fn items(&self) -> Vec<TokenStream> {
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
