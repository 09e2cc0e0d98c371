//! The catalog file: the page, its sections, every rule with its text and
//! conditions, the retired ids and the coverage table, and the links from a
//! rule id to its rule and its docs.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use debitura_triage_rules_model::model::vocabulary::Vocabulary;
use debitura_triage_rules_model::model::{Catalog, Field, Query, Retired, Rule};
use debitura_triage_rules_model::variant_name;

use crate::emit::names::{ident, opt_str, rule_variant, variant};
use crate::emit::vocabulary::opt_bounds;

/// Every item of the catalog file; each rule's docs URL is
/// [`docs_url`]`(docs_base, id)`.
pub(super) fn items(catalog: &Catalog, docs_base: &str) -> Vec<TokenStream> {
    vec![
        links(catalog, docs_base),
        page(catalog),
        sections(catalog),
        rules(catalog),
        retired(catalog),
        coverage(catalog),
    ]
}

/// From a rule id to its rule and to where it is explained.
fn links(catalog: &Catalog, docs_base: &str) -> TokenStream {
    let variants: Vec<Ident> = catalog.rules.iter().map(rule_variant).collect();
    let urls = catalog.rules.iter().map(|r| docs_url(docs_base, &r.id));
    quote! {
        impl crate::vocabulary::RuleId {
            /// Where the rule is explained. By default its entry in the
            /// error reference in the repository (`docs/error-reference.md#ID`);
            /// a build with `DEBITURA_TRIAGE_DOCS_URL` set points at the
            /// published `debitura-triage docs --html` site, whose catalog
            /// page has the entry (`BASE/index.html#ID`).
            pub const fn docs_url(self) -> &'static str {
                match self { #( crate::vocabulary::RuleId::#variants => #urls, )* }
            }

            /// The rule this id names.
            #[inline]
            pub fn rule(self) -> &'static crate::catalog::Rule {
                &RULES[self as usize]
            }
        }
    }
}

fn page(catalog: &Catalog) -> TokenStream {
    let (title, intro) = match &catalog.page {
        Some(page) => (page.title.as_str(), page.intro.as_str()),
        None => ("Troubleshooting", ""),
    };
    quote! {
        /// The troubleshooting page's header.
        pub static PAGE: crate::catalog::Page = crate::catalog::Page { title: #title, intro: #intro };
    }
}

fn sections(catalog: &Catalog) -> TokenStream {
    let count = catalog.sections.len();
    let items = catalog.sections.iter().map(|s| {
        let (slug, title, summary, show_cause) = (&s.slug, &s.title, &s.summary, s.show_cause);
        let intro = opt_str(s.intro.as_deref());
        let outro = opt_str(s.outro.as_deref());
        quote! {
            crate::catalog::Section {
                slug: #slug,
                title: #title,
                summary: #summary,
                intro: #intro,
                outro: #outro,
                show_cause: #show_cause,
            }
        }
    });
    quote! {
        /// Every section, in troubleshooting-page order.
        pub static SECTIONS: [crate::catalog::Section; #count] = [ #( #items ),* ];
    }
}

/// The values a rule accepts for `field`, as declared: operations are stored
/// expanded to their descendants, so only those whose parent is absent remain.
fn declared<'r>(vocabulary: &Vocabulary, rule: &'r Rule, field: Field) -> Vec<&'r str> {
    let Some(set) = rule.when.get(field) else {
        return Vec::new();
    };
    set.iter()
        .map(String::as_str)
        // "No event / no symptom" is implied by every rule that names none.
        .filter(|v| field.implicit_condition() != Some(v))
        .filter(|v| {
            field != Field::Operation
                || !vocabulary
                    .ancestry(v)
                    .nth(1)
                    .is_some_and(|p| set.contains(p))
        })
        .collect()
}

fn query_literal(vocabulary: &Vocabulary, query: &Query) -> TokenStream {
    let status = match query.get(Field::Status).and_then(|s| s.parse::<u16>().ok()) {
        Some(code) => quote! { Some(#code) },
        None => quote! { None },
    };
    let named = |f: Field| query.get(f).filter(|v| !v.is_empty());
    let error_type = opt_str(named(Field::Type));
    let message = opt_str(named(Field::Message));
    let event = opt_str(named(Field::Event));
    let symptom = match named(Field::Symptom) {
        Some(symptom) => {
            let v = variant(symptom);
            quote! { Some(crate::vocabulary::Symptom::#v) }
        }
        None => quote! { None },
    };
    let operation = match query.get(Field::Operation) {
        Some(op) => {
            let v = variant(op);
            quote! { Some(crate::vocabulary::Operation::#v) }
        }
        None => quote! { None },
    };
    let environment = match query.get(Field::Environment) {
        Some(env) => {
            let v = variant(env);
            quote! { Some(crate::vocabulary::Environment::#v) }
        }
        None => quote! { None },
    };
    let credential = match query.get(Field::Credential) {
        Some(c) => {
            let v = variant(c);
            quote! { Some(crate::vocabulary::Credential::#v) }
        }
        None => quote! { None },
    };
    let after = query.after_token_refresh();
    // A request whose safety to resend is the example's: the checks refuse
    // an example no request can be.
    let (method, key) = vocabulary
        .request_with(query.get(Field::Operation), query.safe_to_resend())
        .unwrap_or((None, None));
    let method = opt_str(method);
    let key = match key {
        Some(k) => quote! { Some(#k) },
        None => quote! { None },
    };
    quote! {
        crate::query::Query {
            status: #status,
            error_type: #error_type,
            message: #message,
            operation: #operation,
            event: #event,
            symptom: #symptom,
            after_token_refresh: #after,
            environment: #environment,
            credential: #credential,
            method: #method,
            idempotency_key: #key,
        }
    }
}

fn rules(catalog: &Catalog) -> TokenStream {
    let count = catalog.rules.len();
    let v = &catalog.vocabulary;
    let declared = |rule, field| declared(v, rule, field);
    let items = catalog.rules.iter().map(|rule| {
        let id = rule_variant(rule);
        let section = rule.section;
        let (title, cause, solution) = (&rule.title, &rule.cause, &rule.solution);
        let file = &rule.origin.file;
        let line = u32::try_from(rule.origin.line).unwrap_or(u32::MAX);
        let retry = variant(&rule.retry);
        let backoff = opt_bounds(rule.backoff.as_ref());
        let notes = opt_str(rule.notes.as_deref());
        let page_cause = opt_str(rule.page_cause.as_deref());
        let page_solution = opt_str(rule.page_solution.as_deref());
        let see_also = rule.see_also.iter().map(|s| ident(&variant_name(s)));
        let status = declared(rule, Field::Status)
            .into_iter()
            .map(|s| Literal::u16_unsuffixed(s.parse().expect("validated status")));
        let types = declared(rule, Field::Type);
        let messages = declared(rule, Field::Message);
        let operations = declared(rule, Field::Operation).into_iter().map(variant);
        let events = declared(rule, Field::Event);
        let symptoms = declared(rule, Field::Symptom);
        let environments = declared(rule, Field::Environment).into_iter().map(variant);
        let credentials = declared(rule, Field::Credential).into_iter().map(variant);
        let after = match declared(rule, Field::AfterTokenRefresh).first() {
            Some(v) => {
                let v = *v == "true";
                quote! { Some(#v) }
            }
            None => quote! { None },
        };
        let safe = match declared(rule, Field::SafeToResend).first() {
            Some(v) => {
                let v = *v == "true";
                quote! { Some(#v) }
            }
            None => quote! { None },
        };
        let examples = rule.examples.iter().map(|q| query_literal(v, q));
        let counter = rule.counter_examples.iter().map(|q| query_literal(v, q));
        quote! {
            crate::catalog::Rule {
                id: crate::vocabulary::RuleId::#id,
                file: #file,
                line: #line,
                section: &SECTIONS[#section],
                title: #title,
                cause: #cause,
                solution: #solution,
                page_cause: #page_cause,
                page_solution: #page_solution,
                retry: crate::vocabulary::Retry::#retry,
                backoff: #backoff,
                notes: #notes,
                see_also: &[ #( crate::vocabulary::RuleId::#see_also ),* ],
                when: crate::catalog::When {
                    status: &[ #( #status ),* ],
                    error_type: &[ #( #types ),* ],
                    message: &[ #( #messages ),* ],
                    operation: &[ #( crate::vocabulary::Operation::#operations ),* ],
                    event: &[ #( #events ),* ],
                    symptom: &[ #( #symptoms ),* ],
                    after_token_refresh: #after,
                    environment: &[ #( crate::vocabulary::Environment::#environments ),* ],
                    credential: &[ #( crate::vocabulary::Credential::#credentials ),* ],
                    safe_to_resend: #safe,
                },
                examples: &[ #( #examples ),* ],
                counter_examples: &[ #( #counter ),* ],
            }
        }
    });
    quote! {
        /// Every rule, indexed by `RuleId as usize`, in troubleshooting-page order.
        pub static RULES: [crate::catalog::Rule; #count] = [ #( #items ),* ];
    }
}

/// The source catalogue's rows, for the coverage page of the docs.
fn coverage(catalog: &Catalog) -> TokenStream {
    let rows = catalog.coverage.iter().map(|r| {
        let (group, row) = (&r.group, &r.row);
        let rules = r.rules.iter().map(|id| variant(id));
        let note = opt_str(r.note.as_deref());
        quote! { crate::catalog::CoverageRow { group: #group, row: #row, rules: &[ #( crate::vocabulary::RuleId::#rules ),* ], note: #note } }
    });
    quote! {
        /// The rows of the catalogue the rules were written from, from
        /// `rules/coverage.yaml`, with the rules that answer each.
        pub static COVERAGE: &[crate::catalog::CoverageRow] = &[ #( #rows ),* ];
    }
}

/// The retired ids, with when and what replaced them.
fn retired(catalog: &Catalog) -> TokenStream {
    let records: Vec<&Retired> = catalog.lifecycle.iter().flat_map(|l| &l.retired).collect();
    let count = records.len();
    let items = records.iter().map(|r| {
        let (id, on) = (&r.id, &r.on);
        let replaced_by = match &r.replaced_by {
            Some(target) => {
                let variant = ident(&variant_name(target));
                quote! { Some(crate::vocabulary::RuleId::#variant) }
            }
            None => quote! { None },
        };
        quote! { crate::catalog::Retired { id: #id, on: #on, replaced_by: #replaced_by } }
    });
    quote! {
        /// Rule ids that are no longer rules, from `rules/lifecycle.yaml`.
        pub static RETIRED: [crate::catalog::Retired; #count] = [ #(#items),* ];
    }
}

/// The docs base of the Markdown pages in the repository, used when the
/// build names no published site.
pub const REPOSITORY_DOCS: &str = "docs/";

/// The URL of rule `id`'s entry under `base`: the error reference in the
/// repository's Markdown, or the catalog page (`index.html`) of the site
/// `docs --html` renders for publishing. The anchor is the id on both.
pub fn docs_url(base: &str, id: &str) -> String {
    let page = if base == REPOSITORY_DOCS {
        "error-reference.md"
    } else {
        "index.html"
    };
    format!("{base}{page}#{id}")
}
