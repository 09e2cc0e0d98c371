//! Every input kept in `fuzz/corpus/` for the response and webhook targets,
//! run through the targets' own code: the crash cases found by fuzzing stay
//! covered on stable, without libFuzzer.

#[path = "../fuzz/src/call.rs"]
mod call;
#[path = "../fuzz/src/response.rs"]
mod response;
#[cfg(feature = "webhook")]
#[path = "../fuzz/src/webhook.rs"]
mod webhook;

use std::path::Path;

/// The files of `fuzz/corpus/{target}`, which must not be empty.
fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "{} is empty", dir.display());
    inputs
}

/// Runs `target` on every input, naming the input that panics.
pub fn run_corpus(target: &str, run: fn(&[u8])) {
    for (name, data) in corpus(target) {
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            panic!("fuzz/corpus/{target}/{name} fails");
        }
    }
}

#[test]
fn the_call_corpus_is_carried_through_the_machine() {
    run_corpus("call", call::call_bytes);
}

#[test]
fn the_response_corpus_gets_answers() {
    run_corpus("diagnose_response", response::diagnose_response_bytes);
}

#[cfg(feature = "webhook")]
#[test]
fn the_webhook_corpus_gets_verdicts() {
    run_corpus("webhook", webhook::webhook_bytes);
}
