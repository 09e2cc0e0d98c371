//! Tells a service what to do when Debitura's referral-partner APIs say no.
//!
//! The troubleshooting knowledge lives as YAML rules under `rules/`; the build
//! compiles them into a static [`RULES`] catalog and a matcher. [`diagnose`]
//! takes what a service knows about a failure (HTTP status, error type,
//! operation, …) and answers with the matching rule's cause, solution and
//! [`Retry`] policy, or an explicit "unrecognised".
//!
//! ```
//! use debitura_triage::{diagnose, Query, Retry, RuleId};
//!
//! let d = diagnose(&Query::new().status(409).error_type("ClientExistsNeedsLinking"));
//! assert_eq!(d.rule_id(), Some(RuleId::ClientExistsNeedsLinking));
//! assert_eq!(d.retry(), Retry::AfterUserAction);
//! println!("{}: {}", d.cause(), d.solution());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod answer;
mod backoff;
pub mod call;
mod catalog;
mod diagnose;
mod found;
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;
mod lookup;
mod names;
mod query;
mod resend;
mod response;
mod route;
mod text;
mod vocabulary;
#[cfg(feature = "webhook")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
pub mod webhook;

#[cfg(feature = "webhook")]
pub use answer::WebhookAnswer;
pub use answer::{Answer, FindingAnswer, ResponseAnswer};
pub use backoff::Backoff;
pub use catalog::{
    CoverageRow, Page, Retired, Rule, Section, When, COVERAGE, PAGE, RETIRED, RULES, SECTIONS,
};
pub use diagnose::{diagnose, Diagnosis};
pub use found::Several;
pub use names::{nearest, ParseNameError};
pub use query::{Query, QueryError, Value, STATUSES};
pub use resend::Resend;
pub use response::json::{JsonStr, Stop, MAX_PATH, MAX_SCAN};
pub use response::retry_after::{parse_retry_after, MAX_RETRY_AFTER};
pub use response::{
    diagnose_response, BodyShape, Decision, ErrorSource, Finding, ResponseDiagnosis, BODY_KEYS,
    MAX_ERRORS,
};
pub use text::{printable, Printable, ShellWord};
pub use vocabulary::{
    Credential, Environment, Field, Operation, Retry, RuleId, Symptom, EVENTS, SYMPTOMS,
};

/// A matcher compiled from 10 000 synthetic rules, to measure lookups at
/// scale. Benchmarks only: it is built with the `synthetic` feature.
#[cfg(feature = "synthetic")]
#[doc(hidden)]
pub mod synthetic {
    include!(concat!(env!("OUT_DIR"), "/synthetic.rs"));

    /// The synthetic rule matching `query`, if one answers it alone.
    #[inline]
    pub fn diagnose(query: &crate::query::Query<'_>) -> Option<RuleId> {
        match lookup(query) {
            crate::found::Found::Rule(id) => Some(id),
            _ => None,
        }
    }
}

// The README's code is compiled and run as a doc test, so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
