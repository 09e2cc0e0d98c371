//! Compiles `rules/*.yaml` into four files in `OUT_DIR`: `vocabulary.rs`,
//! `catalog.rs`, `lookup.rs` (the matcher) and `suggest.rs` (the "did you
//! mean" every parse error shares). A bad rule stops the build with
//! `file:line: rule `id`: problem (hint)` lines.

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    let out_dir = env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    debitura_triage_codegen::build_script(Path::new("rules"), &out_dir.join("catalog.rs"));
}
