//! What each fuzz target does with its input. The same functions run every
//! file of `fuzz/corpus/` as ordinary tests on stable (`tests/fuzz_corpus.rs`
//! and `codegen/tests/fuzz_corpus.rs` include these files), so the crash
//! cases stay covered without a nightly toolchain.

mod call;
mod response;
mod rules;
mod webhook;

pub use call::call_bytes;
pub use response::diagnose_response_bytes;
pub use rules::rules_bytes;
pub use webhook::webhook_bytes;
