//! Every rules file kept in `fuzz/corpus/rules`, run through the fuzz
//! target's own code: it loads and generates parseable Rust, or each problem
//! names a line of the file with a hint.

#[path = "../../fuzz/src/rules.rs"]
mod rules;

#[test]
fn the_rules_corpus_loads_or_is_reported() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/rules");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/rules exists") {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| rules::rules_bytes(&data)).is_err() {
            panic!("{} fails", path.display());
        }
        count += 1;
    }
    assert!(count > 0, "the corpus is empty");
}
