//! The `debitura-triage` binary's modules: arguments, reports, and the
//! `docs` and `webhook` commands.

pub mod args;
mod html;
pub mod pages;
pub mod report;
#[path = "../../codegen/src/suggest.rs"]
pub mod suggest;
pub mod webhook;

use std::fs;

/// The body named by `--body`: a file, or standard input for `-`.
pub fn read_body(source: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut body = Vec::new();
    let result = if source == "-" {
        std::io::stdin().read_to_end(&mut body).map(drop)
    } else {
        fs::File::open(source)
            .and_then(|mut f| f.read_to_end(&mut body))
            .map(drop)
    };
    result.map_err(|e| format!("cannot read the body from {source}: {e}"))?;
    Ok(body)
}
