//! What the compiler emits for a small catalog that uses every kind of
//! condition: the whole generated file, reviewed as a snapshot. A change in
//! the emitter shows up here as a diff of the code it writes.

use std::path::Path;

use debitura_triage_codegen::{generate, generate_matcher, REPOSITORY_DOCS};
use debitura_triage_rules_model::{load, read_dir, Catalog};

fn fixture() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules-model/tests/fixtures/catalog");
    let sources = read_dir(&dir, "fixture").expect("the fixture reads");
    load(&sources).unwrap_or_else(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        panic!("the fixture has problems:\n{}", lines.join("\n"))
    })
}

#[test]
fn the_generated_files() {
    let generated = generate(&fixture(), REPOSITORY_DOCS);
    for (name, code) in generated.files() {
        insta::assert_snapshot!(name, code);
    }
}

#[test]
fn the_generated_bare_matcher() {
    insta::assert_snapshot!(generate_matcher(&fixture()));
}
