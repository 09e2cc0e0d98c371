//! The `debitura-triage` command's parts: arguments, reports, the pages
//! generated from the catalog, and the `policy` and `webhook` commands.
//! The binary (`src/main.rs`) wires them to standard input and output.
#![forbid(unsafe_code)]

pub mod args;
pub mod docs;
mod html;
pub mod pages;
pub mod policy;
pub mod report;
pub mod webhook;

use std::borrow::Cow;
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

/// `text` made safe to print on a terminal: control characters (which could
/// move the cursor, clear the screen or set the window title) and the
/// invisible characters that reorder text are written as `\u{..}` escapes.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_and_reordering_characters_are_escaped() {
        assert_eq!(printable("MissingKyc"), "MissingKyc");
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("\u{1b}]0;title\u{7}"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(printable("x\ny\r\t"), "x\\u{a}y\\u{d}\\u{9}");
        assert_eq!(printable("\u{9b}\u{7f}"), "\\u{9b}\\u{7f}");
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("Zürich €"), "Zürich €");
    }
}
