//! The rule language of `debitura-triage`: reads `rules/*.yaml`, models the
//! rules and the vocabulary they are written in, checks the set as a whole,
//! and compares two sets by what they answer. It emits no code: the build
//! script's emitter (`debitura-triage-codegen`) and the CLI's `policy diff`
//! both sit on top of it.
//!
//! ```text
//! rules/*.yaml ─► read (one reader per kind of file) ─► model ─► check ─► Catalog
//!                      └──────────── diagnostic: code, severity, file:line, hint ─┘
//! Catalog ─► diff (policy diff)      Catalog ─► emit (debitura-triage-codegen)
//! ```
//!
//! The modules point one way: `names`, `suggest` and `diagnostic` are
//! leaves; `model` uses only them; `read` and `check` build on `model`;
//! `diff` compares models.
//!
//! [`model::Catalog::resolve`] is the scan-everything definition of the
//! matching semantics, which the generated matcher is tested against.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;
pub mod diagnostic;
pub mod diff;
pub mod model;
mod names;
mod read;
#[cfg(test)]
mod resolve_tests;
mod suggest;
pub mod synthetic;

pub use check::examples::uncovered_query;
pub use diagnostic::{did_you_mean, Code, Diagnostic, Severity};
pub use model::Catalog;
pub use names::{is_kebab, variant_name};
pub use read::vocabulary::is_vocabulary;
pub use read::{read_dir, Source};
pub use suggest::{edit_distance, nearest};

/// The source of the near-match suggestions, for the library to compile
/// into itself, so that its parse errors suggest names exactly as the rule
/// checks do without a runtime dependency on this crate.
pub const SUGGEST_SOURCE: &str = include_str!("suggest.rs");

/// Reads and checks rule files into a catalog, or returns every problem found.
pub fn load(sources: &[Source]) -> Result<Catalog, Vec<Diagnostic>> {
    load_keeping(sources, |_| true)
}

/// Reads and checks a rule set that may predate requirements the rule
/// language added later ([`Code::added_later`]), such as an earlier revision
/// compared by `policy diff`: those problems are not held against it, and
/// what they leave undeclared is read the cautious way (a write whose resend
/// safety is not declared is unsafe to resend).
pub fn load_earlier(sources: &[Source]) -> Result<Catalog, Vec<Diagnostic>> {
    load_keeping(sources, |d| !d.code.added_later())
}

fn load_keeping(
    sources: &[Source],
    keep: impl Fn(&Diagnostic) -> bool,
) -> Result<Catalog, Vec<Diagnostic>> {
    let (catalog, mut problems) = read::read(sources);
    check::check(&catalog, &mut problems);
    problems.retain(keep);
    if problems.is_empty() {
        Ok(catalog)
    } else {
        Err(problems)
    }
}
