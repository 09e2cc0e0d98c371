//! The Node-API addon behind the `debitura-triage` npm package, thin over
//! the core. A question arrives as an object whose keys are the query's
//! field names in camelCase (`query.rs`); an answer leaves as the core's
//! owned answer with its field names in camelCase (`answer.rs`). The
//! package's `index.js` freezes every answer.
//!
//! Nothing a caller passes can panic: every name and value is checked by
//! the core and refused with its error, and text from a response is bounded
//! by the library's own limits. The code here has no `unsafe`; the
//! registration code `#[napi]` generates is allowed its own.
#![deny(unsafe_code)]

pub mod answer;
pub mod call;
pub mod catalog;
pub mod query;
pub mod response;
pub mod webhook;
