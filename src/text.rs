//! Text from outside, written where people read it: escaped for a terminal,
//! or quoted for a shell. The one place either is done, for the library, the
//! CLI and the layers.

use std::borrow::Cow;
use std::fmt;

/// True for a character that must not reach a terminal raw: a control
/// character (which can move the cursor, clear the screen or set the window
/// title), a line or paragraph separator, or an invisible one that reorders
/// or hides text (zero-width spaces, joiners and no-break spaces, bidi marks,
/// embeddings, overrides and isolates, invisible operators).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Writes its text with every unsafe character as a `\u{..}` escape.
///
/// ```
/// use debitura_triage::Printable;
///
/// assert_eq!(Printable("a\u{1b}[2Jb").to_string(), r"a\u{1b}[2Jb");
/// assert_eq!(Printable("abc\u{202e}fed").to_string(), r"abc\u{202e}fed");
/// assert_eq!(Printable("Zürich €").to_string(), "Zürich €");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printable<'a>(pub &'a str);

impl fmt::Display for Printable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some((at, c)) = rest.char_indices().find(|&(_, c)| is_unsafe(c)) {
            f.write_str(&rest[..at])?;
            write!(f, "\\u{{{:x}}}", u32::from(c))?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// `text` safe to print on a terminal, borrowed when it already is
/// (see [`Printable`]).
pub fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(Printable(text).to_string())
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes a word as a POSIX shell reads it back: as it is when it holds
/// nothing a shell would split or expand, else single-quoted.
///
/// ```
/// use debitura_triage::ShellWord;
///
/// assert_eq!(ShellWord("create-case").to_string(), "create-case");
/// assert_eq!(ShellWord("Unknown country: XX").to_string(), "'Unknown country: XX'");
/// assert_eq!(ShellWord("it's").to_string(), r"'it'\''s'");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShellWord<'a>(pub &'a str);

impl fmt::Display for ShellWord<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = self.0;
        let plain = !word.is_empty()
            && word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c));
        if plain {
            return f.write_str(word);
        }
        f.write_str("'")?;
        for (i, part) in word.split('\'').enumerate() {
            if i > 0 {
                f.write_str(r"'\''")?;
            }
            f.write_str(part)?;
        }
        f.write_str("'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_reordering_characters_are_escaped() {
        assert_eq!(printable("MissingKyc"), "MissingKyc");
        assert!(matches!(printable("MissingKyc"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("\u{1b}]0;title\u{7}"), "\\u{1b}]0;title\\u{7}");
        assert_eq!(printable("x\ny\r\t"), "x\\u{a}y\\u{d}\\u{9}");
        assert_eq!(printable("\u{9b}\u{7f}"), "\\u{9b}\\u{7f}");
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("a\u{200b}b\u{2066}c"), "a\\u{200b}b\\u{2066}c");
        assert_eq!(printable("Zürich €"), "Zürich €");
        for c in [
            '\u{061c}', '\u{2028}', '\u{2029}', '\u{2060}', '\u{2064}', '\u{feff}',
        ] {
            let shown = printable(&format!("a{c}b")).into_owned();
            assert_eq!(shown, format!("a\\u{{{:x}}}b", u32::from(c)));
        }
        // Neighbours of the escaped ranges stay as they are.
        for c in [
            '\u{200a}', '\u{2027}', '\u{2065}', '\u{206a}', '\u{feef}', '—',
        ] {
            assert!(
                matches!(printable(&format!("a{c}b")), Cow::Borrowed(_)),
                "{c:?}"
            );
        }
    }

    #[test]
    fn a_shell_word_is_quoted_only_when_it_must_be() {
        assert_eq!(ShellWord("").to_string(), "''");
        assert_eq!(ShellWord("a b").to_string(), "'a b'");
        assert_eq!(ShellWord("$HOME").to_string(), "'$HOME'");
        assert_eq!(ShellWord("/v1/cases").to_string(), "/v1/cases");
    }
}
