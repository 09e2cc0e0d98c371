//! Compiles `rules/*.yaml` into `OUT_DIR/catalog.rs`. A bad rule stops the
//! build with `file:line: rule `id`: problem (hint)` lines.

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    let out_dir = env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    debitura_triage_codegen::build_script(Path::new("rules"), &out_dir.join("catalog.rs"));
}
