//! The `debitura-triage` command's parts: arguments, reports, the pages
//! generated from the catalog (the Markdown pages and the docs site), and
//! the `policy` and `webhook` commands (`remote`: the webhook commands that
//! call Debitura).
//! The binary (`src/main.rs`) wires them to standard input and output.
#![forbid(unsafe_code)]

pub mod args;
mod calls;
pub mod conformance;
pub mod docs;
mod html;
pub mod pages;
pub mod policy;
pub mod remote;
pub mod report;
pub mod site;
pub mod webhook;

/// Text from outside made safe for a terminal: the library's one escaping.
pub use debitura_triage::printable;

use std::fs;
use std::io::Read;

/// The body named by `--body` (a file, or standard input for `-`), read up to
/// `limit` bytes and no further: the flag says whether more was there. The
/// rest is left unread, so a pipe that never ends cannot exhaust memory.
pub fn read_body(source: &str, limit: usize) -> Result<(Vec<u8>, bool), String> {
    let reader: Box<dyn Read> = if source == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = fs::File::open(source)
            .map_err(|e| format!("cannot read the body from {}: {e}", printable(source)))?;
        Box::new(file)
    };
    // One byte past the limit tells a body that fits from one that does not.
    let wanted = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut body = Vec::new();
    reader
        .take(wanted)
        .read_to_end(&mut body)
        .map_err(|e| format!("cannot read the body from {}: {e}", printable(source)))?;
    let cut = body.len() > limit;
    Ok((body, cut))
}
