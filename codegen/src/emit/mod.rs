//! Model → Rust: the three files a catalog compiles to, each `include!`d by
//! the library module of its name, each naming what it uses from elsewhere
//! by its full path (the build writes a fourth, `suggest.rs`, which does not
//! depend on the rules: see [`crate::plan`]).
//!
//! - `vocabulary.rs`: the rule ids and the vocabulary's enums;
//! - `catalog.rs`: the page, sections, rules, retired ids and coverage;
//! - `lookup.rs`: the matcher, a decision tree compiled from the rules.

mod catalog;
mod leaves;
mod lookup;
mod names;
mod render;
mod strings;
mod tree;
mod vocabulary;

use quote::quote;

use debitura_triage_rules_model::model::Catalog;

pub use catalog::{docs_url, REPOSITORY_DOCS};
use render::render;
pub use render::HEADER;

/// The Rust source of a checked catalog, one file per library module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// For `src/vocabulary.rs`: `RuleId`, `Retry`, `Operation`, `Environment`,
    /// the routes, events and symptoms.
    pub vocabulary: String,
    /// For `src/catalog.rs`: `PAGE`, `SECTIONS`, `RULES`, `RETIRED`, `COVERAGE`.
    pub catalog: String,
    /// For `src/lookup.rs`: the matcher.
    pub lookup: String,
}

impl Generated {
    /// Each file's name in `OUT_DIR` and its content.
    pub fn files(&self) -> [(&'static str, &str); 3] {
        [
            ("vocabulary.rs", &self.vocabulary),
            ("catalog.rs", &self.catalog),
            ("lookup.rs", &self.lookup),
        ]
    }
}

/// Rust source for the checked catalog, ready to `include!`. Each rule's
/// docs URL is [`docs_url`]`(docs_base, id)`.
pub fn generate(catalog: &Catalog, docs_base: &str) -> Generated {
    Generated {
        vocabulary: render(&vocabulary::items(catalog)),
        catalog: render(&catalog::items(catalog, docs_base)),
        lookup: lookup::source(catalog, Some(quote! { crate::vocabulary::RuleId })),
    }
}

/// Rust source for the rule ids and the matcher alone, for a rule set that
/// is only measured (the synthetic sets): it uses the library's `Query`,
/// `Operation` and `Environment` and has no catalog.
pub fn generate_matcher(catalog: &Catalog) -> String {
    let ids = render(&[vocabulary::rule_id_enum(catalog)]);
    let lookup = lookup::source(catalog, None);
    format!("{ids}\n{}", lookup.strip_prefix(HEADER).unwrap_or(&lookup))
}
