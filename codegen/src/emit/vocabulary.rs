//! The vocabulary file: the rule ids and the enums of the words rules are
//! written in (retry policies, operations with their routes, environments),
//! with the event and symptom names. It names nothing of the catalog, so the
//! library's `Query` can be built from these types alone.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use debitura_triage_rules_model::model::vocabulary::{
    Bounds, Named, Resend, Vocabulary, SAFE_METHODS,
};
use debitura_triage_rules_model::model::{Catalog, Field};
use debitura_triage_rules_model::variant_name;

use crate::emit::names::{field_variant, ident, rule_variant, variant};

/// Every item of the vocabulary file.
pub(super) fn items(catalog: &Catalog) -> Vec<TokenStream> {
    let v = &catalog.vocabulary;
    vec![
        rule_id_enum(catalog),
        name_enum(
            "Retry",
            "What a service should do about a failed call.",
            v.retry
                .iter()
                .map(|r| (r.name.as_str(), r.meaning.as_str())),
        ),
        retry_bounds(v),
        name_enum(
            "Operation",
            "The call a service was making. A rule written for a parent \
             operation (see [`Operation::parent`]) also covers its children.",
            v.operations
                .iter()
                .map(|o| (o.name.as_str(), o.description.as_str())),
        ),
        operation_parents(v),
        name_enum(
            "Resend",
            "Why sending a request a second time acts no more than the first, or \
             that it may act again. Declared in `rules/vocabulary.yaml` for every \
             operation's writes; [`Operation::resend`] answers it for a request. \
             Ordered from the least safe to the safest.",
            Resend::ALL.iter().map(|r| (r.as_str(), r.meaning())),
        ),
        resend_safety(),
        query_fields(),
        routes(v),
        name_enum(
            "Environment",
            "The environment a call went to.",
            v.environments
                .iter()
                .map(|e| (e.name.as_str(), e.description.as_str())),
        ),
        name_enum(
            "Credential",
            "The credential a request carried.",
            v.credentials
                .iter()
                .map(|c| (c.name.as_str(), c.description.as_str())),
        ),
        names_list(
            "EVENTS",
            "The webhook event names, with what each announces.",
            &v.events,
        ),
        name_enum(
            "Symptom",
            "A named symptom: a failure a query describes by name rather than by \
             a response (no response at all, a webhook trouble).",
            v.symptoms
                .iter()
                .map(|s| (s.name.as_str(), s.description.as_str())),
        ),
        names_list(
            "SYMPTOMS",
            "The named symptoms a query may carry, with what each means.",
            &v.symptoms,
        ),
    ]
}

/// The rule id enum: its names and their lookup. The links to the catalog
/// (the rule and its docs URL) are emitted with the catalog.
pub(super) fn rule_id_enum(catalog: &Catalog) -> TokenStream {
    let variants: Vec<Ident> = catalog.rules.iter().map(rule_variant).collect();
    let docs = catalog.rules.iter().map(|r| r.title.as_str());
    let ids = catalog.rules.iter().map(|r| r.id.as_str());
    let ids_again = ids.clone();
    // A retired id still finds the rule that answers its queries now.
    let replaced: Vec<(&str, Ident)> = catalog
        .lifecycle
        .iter()
        .flat_map(|l| &l.retired)
        .filter_map(|r| {
            Some((
                r.id.as_str(),
                ident(&variant_name(r.replaced_by.as_deref()?)),
            ))
        })
        .collect();
    let retired_ids = replaced.iter().map(|(id, _)| *id);
    let replacements = replaced.iter().map(|(_, v)| v);
    quote! {
        /// The stable identifier of a rule. Ids are never reused; the kebab-case
        /// form ([`RuleId::as_str`]) is what the CLI, the JSON output and the
        /// docs anchors use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum RuleId {
            #( #[doc = #docs] #variants, )*
        }

        impl RuleId {
            /// Every rule id, in catalog order.
            pub const ALL: &'static [RuleId] = &[ #( RuleId::#variants ),* ];

            /// The kebab-case id, as written in `rules/`.
            #[inline]
            pub const fn as_str(self) -> &'static str {
                match self { #( RuleId::#variants => #ids, )* }
            }

            /// Looks up a kebab-case id. A retired id finds the rule that
            /// replaced it (see [`RETIRED`](crate::catalog::RETIRED)).
            pub fn from_id(id: &str) -> Option<RuleId> {
                match id {
                    #( #ids_again => Some(RuleId::#variants), )*
                    #( #retired_ids => Some(RuleId::#replacements), )*
                    _ => None
                }
            }

        }
    }
}

/// A `#[non_exhaustive]` enum over a vocabulary table, with its names and docs.
pub(super) fn name_enum<'a>(
    name: &str,
    doc: &str,
    table: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> TokenStream {
    let ty = ident(name);
    let variants: Vec<Ident> = table.clone().map(|(n, _)| variant(n)).collect();
    let names: Vec<&str> = table.clone().map(|(n, _)| n).collect();
    let texts: Vec<&str> = table.map(|(_, d)| d).collect();
    // `///` and the text, as a person writes it.
    let docs: Vec<String> = texts.iter().map(|d| format!(" {d}")).collect();
    let doc = format!(" {doc}");
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #ty {
            #( #[doc = #docs] #variants, )*
        }

        impl #ty {
            /// Every value, in declaration order.
            pub const ALL: &'static [#ty] = &[ #( #ty::#variants ),* ];

            /// The kebab-case name used in rules, on the command line and in JSON.
            #[inline]
            pub const fn as_str(self) -> &'static str {
                match self { #( #ty::#variants => #names, )* }
            }

            /// What this value means, in one or two sentences.
            pub const fn description(self) -> &'static str {
                match self { #( #ty::#variants => #texts, )* }
            }

            /// Looks up a kebab-case name.
            pub fn from_name(name: &str) -> Option<#ty> {
                match name { #( #names => Some(#ty::#variants), )* _ => None }
            }
        }

        impl core::fmt::Display for #ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

pub(super) fn operation_parents(v: &Vocabulary) -> TokenStream {
    let arms = v.operations.iter().map(|op| {
        let this = variant(&op.name);
        match &op.parent {
            Some(p) => {
                let p = variant(p);
                quote! { Operation::#this => Some(Operation::#p) }
            }
            None => quote! { Operation::#this => None },
        }
    });
    quote! {
        impl Operation {
            /// The broader operation this one belongs to; `None` for an API
            /// (a root operation).
            pub const fn parent(self) -> Option<Operation> {
                match self { #( #arms, )* }
            }
        }
    }
}

/// The fields a query gives, named once in the rule model: the names
/// `Query::set` reads, the answer's `telling` lists and the edges word.
pub(super) fn query_fields() -> TokenStream {
    let names = Field::query_fields();
    let variants: Vec<Ident> = names.iter().map(|n| field_variant(n)).collect();
    let docs = names.iter().map(|n| format!(" The query's `{n}`."));
    quote! {
        /// One thing a [`Query`](crate::Query) may say about a failure. Its
        /// name ([`Field::as_str`]) is the key the conformance suite, `--json`
        /// and the packages use (Node's in camelCase).
        ///
        /// ```
        /// use debitura_triage::Field;
        ///
        /// assert_eq!("after_token_refresh".parse::<Field>(), Ok(Field::AfterTokenRefresh));
        /// assert_eq!(Field::Auth.as_str(), "auth");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Field {
            #( #[doc = #docs] #variants, )*
        }

        impl Field {
            /// Every field, in the order a query lists them.
            pub const ALL: &'static [Field] = &[ #( Field::#variants ),* ];

            /// The field's name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { #( Field::#variants => #names, )* }
            }

            /// The field named `name`, if one is.
            #[must_use]
            pub fn from_name(name: &str) -> Option<Field> {
                match name { #( #names => Some(Field::#variants), )* _ => None }
            }
        }

        impl core::fmt::Display for Field {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

/// Whether a request of each reason may be sent again, and the methods
/// that make a resend safe by themselves, as the rule model says.
pub(super) fn resend_safety() -> TokenStream {
    let arms = Resend::ALL.iter().map(|r| {
        let this = ident(r.variant());
        match r.safe_alone() {
            Some(safe) => quote! { Resend::#this => #safe },
            None => quote! { Resend::#this => with_key },
        }
    });
    let methods = SAFE_METHODS.iter();
    let count = SAFE_METHODS.len();
    quote! {
        impl Resend {
            /// True when a request with this reason may be sent again without
            /// acting twice; `with_key` tells whether it carries an
            /// `Idempotency-Key`.
            #[must_use]
            #[inline]
            pub const fn is_safe(self, with_key: bool) -> bool {
                match self { #( #arms, )* }
            }
        }

        /// The methods whose second send acts no more than the first.
        pub(crate) const SAFE_METHODS: [&str; #count] = [ #( #methods ),* ];
    }
}

/// The routes of every operation, and each API's hosts and path prefixes,
/// for the library's route lookups.
pub(super) fn routes(v: &Vocabulary) -> TokenStream {
    let routes = v.operations.iter().flat_map(|op| {
        let this = variant(&op.name);
        op.routes.iter().map(move |r| {
            let (method, path) = (&r.method, &r.path);
            let resend = variant(op.resend_of(r).as_str());
            quote! {
                crate::vocabulary::Route {
                    operation: Operation::#this, method: #method, path: #path,
                    resend: Resend::#resend,
                }
            }
        })
    });
    let apis = v
        .operations
        .iter()
        .filter(|op| op.parent.is_none())
        .map(|op| {
            let this = variant(&op.name);
            let hosts = op.hosts.iter().map(|(env, host)| {
                let env = variant(env);
                quote! { (Environment::#env, #host) }
            });
            let prefixes = &op.prefixes;
            let credentials = op.credentials.iter().map(|c| variant(c));
            quote! {
                crate::vocabulary::Api {
                    operation: Operation::#this,
                    hosts: &[ #( #hosts ),* ],
                    prefixes: &[ #( #prefixes ),* ],
                    credentials: &[ #( Credential::#credentials ),* ],
                }
            }
        });
    quote! {
        /// Every documented route, in declaration order.
        pub(crate) static ROUTES: &[crate::vocabulary::Route] = &[ #( #routes ),* ];

        /// Every API (root operation) with its hosts and path prefixes.
        pub(crate) static APIS: &[crate::vocabulary::Api] = &[ #( #apis ),* ];
    }
}

/// Each retry policy's default backoff bounds.
pub(super) fn retry_bounds(v: &Vocabulary) -> TokenStream {
    let arms = v.retry.iter().map(|policy| {
        let this = variant(&policy.name);
        let bounds = opt_bounds(policy.bounds.as_ref());
        let resends = policy.resends;
        (
            quote! { Retry::#this => #bounds },
            quote! { Retry::#this => #resends },
        )
    });
    let (bounds, resends): (Vec<_>, Vec<_>) = arms.unzip();
    quote! {
        impl Retry {
            /// The policy's default bounds, for a policy that backs off; a
            /// rule may narrow them ([`Rule::backoff`](crate::catalog::Rule::backoff)).
            pub const fn default_backoff(self) -> Option<crate::backoff::Backoff> {
                match self { #( #bounds, )* }
            }

            /// How many times a service sends the request again on its own
            /// under this policy (with its default bounds).
            pub const fn resends(self) -> u32 {
                match self { #( #resends, )* }
            }
        }
    }
}

pub(super) fn opt_bounds(bounds: Option<&Bounds>) -> TokenStream {
    match bounds {
        Some(b) => {
            let (attempts, base, max, jitter, honour) = (
                b.attempts,
                b.base_delay_ms,
                b.max_delay_ms,
                b.jitter_percent,
                b.honour_retry_after,
            );
            quote! {
                Some(crate::backoff::Backoff {
                    attempts: #attempts,
                    base_delay: core::time::Duration::from_millis(#base),
                    max_delay: core::time::Duration::from_millis(#max),
                    jitter_percent: #jitter,
                    honour_retry_after: #honour,
                })
            }
        }
        None => quote! { None },
    }
}

/// A list of names with their descriptions.
pub(super) fn names_list(name: &str, doc: &str, entries: &[Named]) -> TokenStream {
    let ty = ident(name);
    let names = entries.iter().map(|e| e.name.as_str());
    let docs = entries.iter().map(|e| e.description.as_str());
    quote! {
        #[doc = #doc]
        pub const #ty: &[(&str, &str)] = &[ #( (#names, #docs) ),* ];
    }
}
