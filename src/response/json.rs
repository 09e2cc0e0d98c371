//! A bounded JSON scanner for error bodies: it walks the bytes once, without
//! recursion or allocation, and reports each scalar with the path to it.
//!
//! Bounds: at most [`MAX_SCAN`] bytes are read, paths are tracked to a depth
//! of [`MAX_PATH`] (deeper values are skipped by counting brackets), and a
//! syntax error ends the scan. Whatever was reported before stays valid, so a
//! truncated body still yields the fields that precede the cut.

use core::fmt;

/// Bytes of a body the scanner reads at most. Error bodies are a few hundred
/// bytes; anything past this is ignored.
pub const MAX_SCAN: usize = 64 * 1024;

/// Depth of the paths the scanner reports. The documented shapes need four.
pub const MAX_PATH: usize = 6;

/// Bytes an escaped string may decode to on the stack when it is matched.
pub const DECODE_BUFFER: usize = 512;

/// A JSON string as it appears in the body, escapes and all.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsonStr<'a> {
    raw: &'a str,
}

impl<'a> JsonStr<'a> {
    /// Wraps text read from a body (JSON escapes, if any, still in place).
    pub(crate) fn from_raw(raw: &'a str) -> Self {
        JsonStr { raw }
    }

    /// The text between the quotes, with JSON escapes left as written.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// True when the string holds escapes, so [`JsonStr::raw`] differs from the text.
    pub fn has_escapes(&self) -> bool {
        self.raw.contains('\\')
    }

    /// Calls `f` with the decoded text. Strings without escapes are passed as
    /// they are; others are decoded into a 512-byte stack buffer
    /// bytes, and passed raw if they do not fit.
    pub fn with_text<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        if !self.has_escapes() {
            return f(self.raw);
        }
        let mut buf = [0u8; DECODE_BUFFER];
        let mut len = 0;
        for c in self.chars() {
            let mut tmp = [0u8; 4];
            let bytes = c.encode_utf8(&mut tmp).as_bytes();
            if len + bytes.len() > buf.len() {
                return f(self.raw);
            }
            buf[len..len + bytes.len()].copy_from_slice(bytes);
            len += bytes.len();
        }
        // The buffer only ever receives whole UTF-8 encoded chars.
        f(core::str::from_utf8(&buf[..len]).unwrap_or(self.raw))
    }

    /// The decoded characters.
    pub fn chars(&self) -> impl Iterator<Item = char> + 'a {
        Unescape {
            rest: self.raw.chars(),
        }
    }
}

impl fmt::Display for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        self.chars().try_for_each(|c| f.write_char(c))
    }
}

impl fmt::Debug for JsonStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.raw)
    }
}

struct Unescape<'a> {
    rest: core::str::Chars<'a>,
}

impl Unescape<'_> {
    fn hex4(&mut self) -> Option<u32> {
        let mut value = 0;
        for _ in 0..4 {
            value = value * 16 + self.rest.next()?.to_digit(16)?;
        }
        Some(value)
    }
}

impl Iterator for Unescape<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let c = self.rest.next()?;
        if c != '\\' {
            return Some(c);
        }
        Some(match self.rest.next() {
            Some('n') => '\n',
            Some('t') => '\t',
            Some('r') => '\r',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('u') => {
                let high = self.hex4().unwrap_or(0xFFFD);
                if (0xD800..0xDC00).contains(&high) {
                    let mut probe = self.rest.clone();
                    let low = (probe.next() == Some('\\') && probe.next() == Some('u'))
                        .then(|| {
                            Unescape {
                                rest: probe.clone(),
                            }
                            .hex4()
                        })
                        .flatten();
                    match low {
                        Some(low @ 0xDC00..0xE000) => {
                            self.rest.nth(5);
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                                .unwrap_or('\u{FFFD}')
                        }
                        _ => '\u{FFFD}',
                    }
                } else {
                    char::from_u32(high).unwrap_or('\u{FFFD}')
                }
            }
            Some(other) => other,
            None => '\u{FFFD}',
        })
    }
}

/// One step of a path: an object key (raw, as written) or an array index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A scalar value found in the body.
#[derive(Debug, Clone, Copy)]
pub enum Scalar<'a> {
    Str(JsonStr<'a>),
    Num(f64),
}

/// Why a scan stopped before the end of the body, if it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The whole body was one well-formed JSON value.
    Complete,
    /// The body was empty or only whitespace.
    Empty,
    /// The body is not JSON, or is malformed or truncated at this byte offset.
    Malformed(usize),
    /// The body is longer than [`MAX_SCAN`]; the rest was not read.
    TooLong,
}

impl Stop {
    /// True when the body was not read whole: malformed, or too long.
    pub fn is_partial(self) -> bool {
        matches!(self, Stop::Malformed(_) | Stop::TooLong)
    }
}

/// One sentence on how the body was read.
impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Complete => f.write_str("read whole"),
            Stop::Empty => f.write_str("empty"),
            Stop::Malformed(at) => {
                write!(f, "not valid JSON from byte {at}; read what came before")
            }
            Stop::TooLong => write!(f, "longer than {MAX_SCAN} bytes; the rest was not read"),
        }
    }
}

#[derive(Clone, Copy)]
struct Frame<'a> {
    array: bool,
    key: &'a str,
    index: usize,
}

/// Scans `body`, calling `visit(path, value)` for every string and number
/// whose path is at most [`MAX_PATH`] deep.
pub fn scan<'a>(body: &'a [u8], mut visit: impl FnMut(&[Step<'a>], Scalar<'a>)) -> Stop {
    let too_long = body.len() > MAX_SCAN;
    let bytes = &body[..body.len().min(MAX_SCAN)];
    let mut s = Cursor {
        bytes,
        text: core::str::from_utf8(bytes).ok(),
        pos: 0,
    };
    let fail = |pos: usize| {
        if too_long {
            Stop::TooLong
        } else {
            Stop::Malformed(pos)
        }
    };
    let mut frames = [Frame {
        array: false,
        key: "",
        index: 0,
    }; MAX_PATH];
    let mut depth = 0usize;

    s.skip_ws();
    if s.pos == s.bytes.len() {
        return if too_long { Stop::TooLong } else { Stop::Empty };
    }
    'value: loop {
        s.skip_ws();
        let Some(b) = s.peek() else {
            return fail(s.pos);
        };
        match b {
            // Deeper containers are skipped whole: nothing there is reported.
            b'{' | b'[' if depth == MAX_PATH => {
                if !s.skip_container() {
                    return fail(s.pos);
                }
            }
            b'{' | b'[' => {
                s.pos += 1;
                let array = b == b'[';
                frames[depth] = Frame {
                    array,
                    key: "",
                    index: 0,
                };
                depth += 1;
                s.skip_ws();
                if s.peek() == Some(if array { b']' } else { b'}' }) {
                    s.pos += 1;
                    depth -= 1;
                } else if array {
                    continue 'value;
                } else {
                    let Some(key) = s.key() else {
                        return fail(s.pos);
                    };
                    frames[depth - 1].key = key;
                    continue 'value;
                }
            }
            b'"' => {
                let Some(raw) = s.string() else {
                    return fail(s.pos);
                };
                visit_at(&frames[..depth], Scalar::Str(JsonStr { raw }), &mut visit);
            }
            b'-' | b'0'..=b'9' => {
                let Some(number) = s.number() else {
                    return fail(s.pos);
                };
                visit_at(&frames[..depth], Scalar::Num(number), &mut visit);
            }
            b't' | b'f' | b'n' => {
                let word: &[u8] = match b {
                    b't' => b"true",
                    b'f' => b"false",
                    _ => b"null",
                };
                if !s.bytes[s.pos..].starts_with(word) {
                    return fail(s.pos);
                }
                s.pos += word.len();
            }
            _ => return fail(s.pos),
        }
        // A value ended: what follows is a separator, a closing bracket, or the end.
        loop {
            s.skip_ws();
            let Some(top) = depth.checked_sub(1).map(|d| &mut frames[d]) else {
                return match (s.pos == s.bytes.len(), too_long) {
                    (true, false) => Stop::Complete,
                    (true, true) => Stop::TooLong,
                    (false, _) => fail(s.pos),
                };
            };
            match s.peek() {
                Some(b',') if top.array => {
                    s.pos += 1;
                    top.index += 1;
                    continue 'value;
                }
                Some(b',') => {
                    s.pos += 1;
                    let Some(key) = s.key() else {
                        return fail(s.pos);
                    };
                    top.key = key;
                    continue 'value;
                }
                Some(b']') if top.array => {
                    s.pos += 1;
                    depth -= 1;
                }
                Some(b'}') if !top.array => {
                    s.pos += 1;
                    depth -= 1;
                }
                _ => return fail(s.pos),
            }
        }
    }
}

fn visit_at<'a>(
    frames: &[Frame<'a>],
    value: Scalar<'a>,
    visit: &mut impl FnMut(&[Step<'a>], Scalar<'a>),
) {
    let mut path = [Step::Index(0); MAX_PATH];
    for (slot, frame) in path.iter_mut().zip(frames) {
        *slot = if frame.array {
            Step::Index(frame.index)
        } else {
            Step::Key(frame.key)
        };
    }
    visit(&path[..frames.len()], value);
}

struct Cursor<'a> {
    bytes: &'a [u8],
    /// The same bytes as text, when they are valid UTF-8 (the usual case):
    /// strings are then sliced from it without validating each one again.
    text: Option<&'a str>,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// `"key"` and its colon, after optional whitespace.
    fn key(&mut self) -> Option<&'a str> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return None;
        }
        let key = self.string()?;
        self.skip_ws();
        (self.peek() == Some(b':')).then(|| {
            self.pos += 1;
            key
        })
    }

    /// Skips a whole array or object by counting brackets outside strings.
    /// False when the body ends first.
    fn skip_container(&mut self) -> bool {
        let mut open = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    if self.string_end().is_none() {
                        return false;
                    }
                    continue;
                }
                b'[' | b'{' => open += 1,
                b']' | b'}' => {
                    open -= 1;
                    if open == 0 {
                        self.pos += 1;
                        return true;
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        false
    }

    /// Moves past the string starting at the opening quote, returning the
    /// offset of its closing quote.
    fn string_end(&mut self) -> Option<usize> {
        let mut i = self.pos + 1;
        loop {
            i += find_special(self.bytes.get(i..)?)?;
            match self.bytes[i] {
                b'"' => break,
                b'\\' => i += 2,
                // A raw control character: not a JSON string.
                _ => return None,
            }
        }
        self.pos = i + 1;
        Some(i)
    }

    /// A string starting at the opening quote; returns the raw text between
    /// the quotes, which must be valid UTF-8 without control characters.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.pos + 1;
        let end = self.string_end()?;
        match self.text {
            Some(text) => text.get(start..end),
            None => core::str::from_utf8(self.bytes.get(start..end)?).ok(),
        }
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.pos += 1;
        }
        core::str::from_utf8(&self.bytes[start..self.pos])
            .ok()?
            .parse()
            .ok()
    }
}

/// Offset of the first `"`, `\\` or control character in `bytes`. Eight bytes
/// are tested at a time, the last few padded with spaces; in a word's mask
/// the lowest flagged byte is always a real hit (a false flag can only sit
/// above one), so its place is the answer.
fn find_special(bytes: &[u8]) -> Option<usize> {
    let mut start = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if let Some(at) = special_in(u64::from_le_bytes(word)) {
            return Some(start + at);
        }
        start += 8;
    }
    let rest = chunks.remainder();
    let mut word = [b' '; 8];
    word[..rest.len()].copy_from_slice(rest);
    special_in(u64::from_le_bytes(word)).map(|at| start + at)
}

/// The place of the first `"`, `\\` or control byte of a little-endian word.
fn special_in(w: u64) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    // High bit of each byte that is zero (and maybe of bytes above a real one).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let mask =
        zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) | below_space;
    (mask != 0).then(|| mask.trailing_zeros() as usize / 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every scalar reported, as `path=value`, and how the scan ended.
    fn trace(body: &[u8]) -> (Vec<String>, Stop) {
        let mut seen = Vec::new();
        let stop = scan(body, |path, value| {
            let path: Vec<String> = path
                .iter()
                .map(|step| match step {
                    Step::Key(k) => (*k).to_string(),
                    Step::Index(i) => i.to_string(),
                })
                .collect();
            let value = match value {
                Scalar::Str(s) => format!("{:?}", s.to_string()),
                Scalar::Num(n) => n.to_string(),
            };
            seen.push(format!("{}={value}", path.join(".")));
        });
        (seen, stop)
    }

    fn decoded(raw: &str) -> String {
        JsonStr::from_raw(raw).to_string()
    }

    #[test]
    fn paths_name_keys_and_indices() {
        let (seen, stop) = trace(
            br#"{"a":[1,{"b":"x"},[2,3]],"c":{"d":-4.5e1},"e":true,"f":false,"g":null,"h":"y"}"#,
        );
        assert_eq!(
            seen,
            [
                "a.0=1",
                "a.1.b=\"x\"",
                "a.2.0=2",
                "a.2.1=3",
                "c.d=-45",
                "h=\"y\""
            ]
        );
        assert_eq!(stop, Stop::Complete);
    }

    #[test]
    fn literals_are_checked_word_by_word() {
        for body in [&br#"{"a":true}"#[..], br#"[false]"#, br#"[null, true]"#] {
            assert_eq!(trace(body).1, Stop::Complete, "{body:?}");
        }
        assert_eq!(trace(br#"{"a":nul}"#).1, Stop::Malformed(5));
        assert_eq!(trace(br#"{"a":tru}"#).1, Stop::Malformed(5));
        assert_eq!(trace(br#"{"a":fals}"#).1, Stop::Malformed(5));
    }

    #[test]
    fn brackets_must_match_their_container() {
        assert_eq!(trace(br#"{"a":1]"#).1, Stop::Malformed(6));
        assert_eq!(trace(b"[1}").1, Stop::Malformed(2));
        assert_eq!(trace(b"[1,2]").1, Stop::Complete);
        assert_eq!(trace(br#"{"a":1,"b":2}"#).1, Stop::Complete);
        // A comma in an object is followed by a key, in an array by a value.
        assert_eq!(trace(br#"{"a":1,2}"#).1, Stop::Malformed(7));
        assert_eq!(
            trace(br#"[1,"b":2]"#),
            (vec!["0=1".into(), "1=\"b\"".into()], Stop::Malformed(6))
        );
        assert_eq!(trace(br#"{"a" 1}"#).1, Stop::Malformed(5));
        assert_eq!(trace(b"{1:2}").1, Stop::Malformed(1));
        assert_eq!(trace(b"[] x").1, Stop::Malformed(3));
        assert_eq!(trace(b"{} ").1, Stop::Complete);
        assert_eq!(trace(b"[ ]").1, Stop::Complete);
        assert_eq!(trace(b"{ }").1, Stop::Complete);
    }

    #[test]
    fn containers_deeper_than_the_path_are_skipped_whole() {
        let body = br#"{"a":{"b":{"c":{"d":{"e":{"f":{"g":"too deep","h":["]"]},"i":"kept"}}}}}}"#;
        let (seen, stop) = trace(body);
        assert_eq!(seen, ["a.b.c.d.e.i=\"kept\""]);
        assert_eq!(stop, Stop::Complete);
        // A deep container cut off before its end is malformed.
        let cut = br#"{"a":{"b":{"c":{"d":{"e":{"f":{"g":"x"#;
        assert!(matches!(trace(cut).1, Stop::Malformed(_)));
        let cut = br#"{"a":{"b":{"c":{"d":{"e":{"f":["#;
        assert!(matches!(trace(cut).1, Stop::Malformed(_)));
    }

    #[test]
    fn the_scan_stops_at_the_bound() {
        let mut fits = br#"{"a":""#.to_vec();
        fits.resize(MAX_SCAN - 2, b'x');
        fits.extend_from_slice(br#""}"#);
        assert_eq!(fits.len(), MAX_SCAN);
        assert_eq!(trace(&fits).1, Stop::Complete);
        let mut over = fits.clone();
        over.push(b' ');
        assert_eq!(trace(&over).1, Stop::TooLong);
        let spaces = vec![b' '; MAX_SCAN + 1];
        assert_eq!(trace(&spaces).1, Stop::TooLong);
        assert_eq!(trace(b"  ").1, Stop::Empty);
    }

    #[test]
    fn escapes_decode() {
        assert_eq!(
            decoded(r#"a\nb\tc\rd\be\ff\/g\"h\\i"#),
            "a\nb\tc\rd\u{8}e\u{c}f/g\"h\\i"
        );
        assert_eq!(decoded(r"\u00e9\u20AC"), "é€");
        assert_eq!(decoded(r"\ud83d\ude00!"), "😀!");
        assert_eq!(decoded(r"\uD83D\uDE00"), "😀");
        // A high surrogate without its low half stands alone, and what
        // follows it is kept.
        assert_eq!(decoded(r"\ud800x"), "\u{FFFD}x");
        assert_eq!(decoded(r"\ud800\u0041"), "\u{FFFD}A");
        assert_eq!(decoded(r"\ud800\n"), "\u{FFFD}\n");
        assert_eq!(decoded(r"\ud800\ud800\udc00"), "\u{FFFD}\u{10000}");
        assert_eq!(decoded(r"\udbff\udfff"), "\u{10FFFF}");
        assert_eq!(decoded(r"\udc00"), "\u{FFFD}");
        // A bad hex digit is taken as the end of the escape.
        assert_eq!(decoded(r"\uZZZZ"), "\u{FFFD}ZZZ");
        assert_eq!(decoded("end\\"), "end\u{FFFD}");
    }

    #[test]
    fn escapes_are_seen_and_shown_raw_in_debug() {
        assert!(!JsonStr::from_raw("plain").has_escapes());
        assert!(JsonStr::from_raw(r"a\nb").has_escapes());
        assert_eq!(format!("{:?}", JsonStr::from_raw(r"a\nb")), r#""a\\nb""#);
    }

    #[test]
    fn decoding_on_the_stack_is_bounded() {
        // 510 plain bytes and one escape decode to 511 or 512 bytes: decoded.
        let fits = format!("{}\\n", "x".repeat(DECODE_BUFFER - 1));
        JsonStr::from_raw(&fits).with_text(|t| assert_eq!(t.len(), DECODE_BUFFER));
        // One more byte does not fit: the raw text is passed instead.
        let over = format!("{}\\n", "x".repeat(DECODE_BUFFER));
        JsonStr::from_raw(&over).with_text(|t| assert_eq!(t, over));
        // A multi-byte char that would straddle the end does not fit either.
        let straddle = format!("{}\\u00e9", "x".repeat(DECODE_BUFFER - 1));
        JsonStr::from_raw(&straddle).with_text(|t| assert_eq!(t, straddle));
        JsonStr::from_raw("no escapes").with_text(|t| assert_eq!(t, "no escapes"));
    }

    #[test]
    fn strings_end_at_the_closing_quote_only() {
        let (seen, stop) = trace(br#"["a\"b","c\\","d"]"#);
        assert_eq!(seen, ["0=\"a\\\"b\"", "1=\"c\\\\\"", "2=\"d\""]);
        assert_eq!(stop, Stop::Complete);
        // A raw control character ends nothing: the string is not JSON.
        assert_eq!(trace(b"[\"a\x01b\"]").1, Stop::Malformed(1));
        // Long strings take the eight-bytes-at-a-time path.
        let long = format!(
            r#"["{}\"{}","{}"]"#,
            "x".repeat(20),
            "y".repeat(9),
            "z".repeat(17)
        );
        let (seen, stop) = trace(long.as_bytes());
        assert_eq!(seen.len(), 2);
        assert!(
            seen[0].ends_with(&format!("\\\"{}\"", "y".repeat(9))),
            "{seen:?}"
        );
        assert_eq!(stop, Stop::Complete);
    }

    #[test]
    fn special_bytes_are_found_at_every_offset() {
        for special in [b'"', b'\\', 0x00, 0x1f] {
            for at in 0..24 {
                let mut bytes = vec![b'a'; 24];
                bytes[at] = special;
                assert_eq!(find_special(&bytes), Some(at), "{special:#x} at {at}");
            }
        }
        assert_eq!(find_special(&[b' '; 24]), None);
        assert_eq!(
            find_special(&[0x7f, 0x80, 0xff, b'!', b'#', b'[', b']', b'~', 0x20]),
            None
        );
    }

    proptest::proptest! {
        /// The word-at-a-time search finds what a byte-by-byte one finds,
        /// for bytes drawn around the special ones.
        #[test]
        fn find_special_agrees_with_a_byte_scan(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![0u8, 0x1f, 0x20, 0x21, b'"', b'#', b'\\', b']', 0x7f, 0x80, 0xff, 0x01, 0xa2, 0xdc]),
                    proptest::arbitrary::any::<u8>(),
                ],
                0..48,
            )
        ) {
            let naive = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
            proptest::prop_assert_eq!(find_special(&bytes), naive);
        }
    }

    #[test]
    fn numbers_are_read_whole() {
        assert_eq!(trace(b"[1e3, -0.5, 2E-1]").0, ["0=1000", "1=-0.5", "2=0.2"]);
        // The cursor has moved past what looked like a number.
        assert_eq!(trace(b"[1e]").1, Stop::Malformed(3));
        assert_eq!(trace(b"[--1]").1, Stop::Malformed(4));
    }
}
