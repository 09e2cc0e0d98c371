//! Rust names and literals the emitted files share.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use debitura_triage_rules_model::model::Rule;
use debitura_triage_rules_model::variant_name;

/// An identifier, as written.
pub(super) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The `RuleId` variant of a rule.
pub(super) fn rule_variant(rule: &Rule) -> Ident {
    ident(&variant_name(&rule.id))
}

/// The Rust variant of a vocabulary name (checked to make one).
pub(super) fn variant(name: &str) -> Ident {
    ident(&variant_name(name))
}

/// `Some("…")` or `None`.
pub(super) fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote! { Some(#v) },
        None => quote! { None },
    }
}
