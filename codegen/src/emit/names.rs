//! Rust names and literals the emitted files share.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use debitura_triage_rules_model::model::{Field, Rule};
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

/// The library's `Field` variant of a query's field name
/// (`after_token_refresh` → `AfterTokenRefresh`).
pub(super) fn field_variant(name: &str) -> Ident {
    ident(&variant_name(&name.replace('_', "-")))
}

/// `Some("…")` or `None`.
pub(super) fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote! { Some(#v) },
        None => quote! { None },
    }
}

/// The name of a query field, as the library's `Query` struct spells it:
/// the rule model's key, but for the two the struct spells its own way.
pub(super) fn field_name(field: Field) -> &'static str {
    match field {
        // `type` is a Rust keyword.
        Field::Type => "error_type",
        // The builder and the field say what the rules' `auth` holds.
        Field::Credential => "credential",
        _ => field.key(),
    }
}
