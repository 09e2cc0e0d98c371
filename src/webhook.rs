//! Webhook signatures: sign a body as Debitura does, and when a partner's
//! verification fails, find which documented mistake they made.
//!
//! Debitura sends `X-Debitura-Signature: t={unix seconds},v1={hex}` where
//! `v1` is the lower-case hex HMAC-SHA256 of `{t}.{raw body}`, keyed with the
//! base64-decoded webhook secret, and rejects nothing older or newer than
//! [`TOLERANCE_SECS`]. Each mistake found here is a rule in
//! `rules/webhooks.yaml`, so it carries an id, a cause and a solution.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::{diagnose, Diagnosis, Query};

/// How far a delivery's timestamp may be from now, in seconds, either way.
pub const TOLERANCE_SECS: u64 = 300;

/// Headers longer than this are rejected unread.
pub const MAX_HEADER_LEN: usize = 1024;

/// The symptom the signature rules are filed under.
const SYMPTOM: &str = "signature-verification-failing";

type HmacSha256 = Hmac<Sha256>;

/// A documented way to get signature verification wrong. Each is the error
/// type of a rule under the `signature-verification-failing` symptom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mistake {
    /// The secret was used as text instead of base64-decoded first.
    SecretUsedAsText,
    /// The body verified was parsed and re-serialised, not the raw bytes.
    BodyReserialised,
    /// The computed signature is base64 or upper-case hex; `v1` is lower-case hex.
    SignatureEncoding,
    /// The timestamp is more than [`TOLERANCE_SECS`] from now.
    TimestampOutsideTolerance,
    /// The header lacks `t` or `v1`, has several `v1`, or a non-numeric `t`.
    MalformedHeader,
    /// The secret is not base64 at all, so it cannot be the one Debitura shows.
    SecretNotBase64,
    /// Nothing else explains it: the secret is another environment's, or was rotated.
    WrongSecret,
}

impl Mistake {
    /// The error type of this mistake's rule.
    pub const fn code(self) -> &'static str {
        match self {
            Mistake::SecretUsedAsText => "secret-used-as-text",
            Mistake::BodyReserialised => "body-re-serialised",
            Mistake::SignatureEncoding => "signature-encoding",
            Mistake::TimestampOutsideTolerance => "timestamp-outside-tolerance",
            Mistake::MalformedHeader => "malformed-header",
            Mistake::SecretNotBase64 => "secret-not-base64",
            Mistake::WrongSecret => "wrong-secret",
        }
    }

    /// The rule that explains this mistake.
    pub fn diagnosis(self) -> Diagnosis {
        diagnose(&Query::new().symptom(SYMPTOM).error_type(self.code()))
    }
}

/// The answer of [`check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The header verifies against the body, the timestamp is within
    /// tolerance, and the computed signature (if given) is the right one.
    Valid,
    /// The most likely mistake.
    Mistake(Mistake),
}

/// What [`check`] needs: the secret as Debitura shows it (base64), the
/// `X-Debitura-Signature` header, the body bytes the partner's code verified,
/// the current Unix time, and optionally the signature that code computed.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The webhook secret exactly as Debitura displayed it.
    pub secret: &'a str,
    /// The `X-Debitura-Signature` header value.
    pub header: &'a str,
    /// The body bytes that were verified.
    pub body: &'a [u8],
    /// Now, in Unix seconds.
    pub now: u64,
    /// The signature the partner's code computed, if known.
    pub computed: Option<&'a str>,
}

/// A parsed `X-Debitura-Signature` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// `t`: when Debitura signed, in Unix seconds.
    pub timestamp: u64,
    /// `v1`: the signature, lower-case hex.
    pub v1: &'a str,
}

/// Parses `t=…,v1=…`. Unknown keys are ignored, as future signature
/// versions would add them.
pub fn parse_header(header: &str) -> Result<Header<'_>, Mistake> {
    if header.len() > MAX_HEADER_LEN {
        return Err(Mistake::MalformedHeader);
    }
    let (mut t, mut v1) = (None, None);
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            continue;
        };
        let slot = match key.trim() {
            "t" => &mut t,
            "v1" => &mut v1,
            _ => continue,
        };
        if slot.replace(value.trim()).is_some() {
            return Err(Mistake::MalformedHeader);
        }
    }
    let timestamp = t
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| t.parse().ok())
        .ok_or(Mistake::MalformedHeader)?;
    let v1 = v1
        .filter(|v| !v.is_empty())
        .ok_or(Mistake::MalformedHeader)?;
    Ok(Header { timestamp, v1 })
}

/// The `X-Debitura-Signature` value Debitura would send for `body` at
/// `timestamp`.
///
/// ```
/// use debitura_triage::webhook::{check, sign, Delivery, Verdict};
///
/// let secret = "c2VjcmV0LWJ5dGVzLWZvci10ZXN0cw=="; // base64, as Debitura shows it
/// let body = br#"{"id":"1","event":"case.created"}"#;
/// let header = sign(secret, 1_700_000_000, body).unwrap();
/// assert!(header.starts_with("t=1700000000,v1="));
///
/// let delivery = Delivery { secret, header: &header, body, now: 1_700_000_010, computed: None };
/// assert_eq!(check(&delivery), Verdict::Valid);
/// ```
pub fn sign(secret: &str, timestamp: u64, body: &[u8]) -> Result<String, Mistake> {
    let key = decode_secret(secret)?;
    Ok(format!(
        "t={timestamp},v1={}",
        hex(&mac(&key, timestamp, body))
    ))
}

/// Checks a delivery, and names the most likely mistake when it fails.
///
/// The order follows what can be known: an unreadable header or secret
/// first; then, if the header verifies against the body, whether the partner's
/// own computation differs (text secret, encoding) and whether the timestamp
/// is stale; if it does not verify, whether a re-serialisation of the body
/// does (the raw bytes were lost), and whether the partner's signature shows
/// a text secret; otherwise the secret is the wrong one.
pub fn check(delivery: &Delivery<'_>) -> Verdict {
    match find_mistake(delivery) {
        Some(mistake) => Verdict::Mistake(mistake),
        None => Verdict::Valid,
    }
}

fn find_mistake(d: &Delivery<'_>) -> Option<Mistake> {
    let header = match parse_header(d.header) {
        Ok(header) => header,
        Err(mistake) => return Some(mistake),
    };
    let key = match decode_secret(d.secret) {
        Ok(key) => key,
        Err(mistake) => return Some(mistake),
    };
    let Some(expected) = unhex(header.v1) else {
        return Some(Mistake::MalformedHeader);
    };
    let verifies = |key: &[u8], body: &[u8]| verify(key, header.timestamp, body, &expected);
    let stale = d.now.abs_diff(header.timestamp) > TOLERANCE_SECS;

    let computed = d.computed.map(str::trim);
    if verifies(&key, d.body) {
        if let Some(computed) = computed.filter(|c| *c != header.v1) {
            let encoding_only =
                computed.eq_ignore_ascii_case(header.v1) || computed == BASE64.encode(&expected);
            return Some(if encoding_only {
                Mistake::SignatureEncoding
            } else if signed_with_text(computed, d, &header) {
                Mistake::SecretUsedAsText
            } else {
                Mistake::WrongSecret
            });
        }
        return stale.then_some(Mistake::TimestampOutsideTolerance);
    }
    if computed.is_some_and(|c| signed_with_text(c, d, &header)) {
        return Some(Mistake::SecretUsedAsText);
    }
    let reserialised = [compact(d.body), indented(d.body, 2), indented(d.body, 4)];
    if reserialised
        .iter()
        .flatten()
        .any(|body| verifies(&key, body))
    {
        return Some(Mistake::BodyReserialised);
    }
    Some(Mistake::WrongSecret)
}

/// True when `computed` is the signature keyed with the secret's text
/// instead of its base64-decoded bytes (in hex or base64).
fn signed_with_text(computed: &str, d: &Delivery<'_>, header: &Header<'_>) -> bool {
    let digest = mac(d.secret.as_bytes(), header.timestamp, d.body);
    computed.eq_ignore_ascii_case(&hex(&digest)) || computed == BASE64.encode(digest)
}

fn decode_secret(secret: &str) -> Result<Vec<u8>, Mistake> {
    BASE64
        .decode(secret.trim())
        .map_err(|_| Mistake::SecretNotBase64)
}

fn keyed(key: &[u8], timestamp: u64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn mac(key: &[u8], timestamp: u64, body: &[u8]) -> Vec<u8> {
    keyed(key, timestamp, body).finalize().into_bytes().to_vec()
}

/// Constant-time comparison, by the HMAC crate.
fn verify(key: &[u8], timestamp: u64, body: &[u8], expected: &[u8]) -> bool {
    keyed(key, timestamp, body).verify_slice(expected).is_ok()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// Lower- or upper-case hex to bytes.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digit = |c: u8| char::from(c).to_digit(16);
            u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()
        })
        .collect()
}

/// The JSON in `body` without insignificant whitespace, or `None` if there
/// was none to remove.
fn compact(body: &[u8]) -> Option<Vec<u8>> {
    let out = reformat(body, None)?;
    (out != body).then_some(out)
}

/// The JSON in `body` pretty-printed with `width`-space indentation, as
/// common serialisers write it.
fn indented(body: &[u8], width: usize) -> Option<Vec<u8>> {
    let out = reformat(body, Some(width))?;
    (out != body).then_some(out)
}

/// Re-lays out JSON text token by token, keeping strings and numbers as
/// written. `None` when the body does not look like JSON.
fn reformat(body: &[u8], indent: Option<usize>) -> Option<Vec<u8>> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if !matches!(first, b'{' | b'[') {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        if let Some(width) = indent {
            out.push(b'\n');
            out.extend(std::iter::repeat_n(b' ', depth * width));
        }
    };
    let mut bytes = body.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        if in_string {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                out.push(b);
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            b'{' | b'[' => {
                out.push(b);
                depth += 1;
                // An empty container stays on one line.
                while bytes.peek().is_some_and(u8::is_ascii_whitespace) {
                    bytes.next();
                }
                if !matches!(bytes.peek(), Some(b'}' | b']')) {
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if !matches!(out.last(), Some(b'{' | b'[')) {
                    newline(&mut out, depth);
                }
                out.push(b);
            }
            b',' => {
                out.push(b);
                newline(&mut out, depth);
            }
            b':' => {
                out.push(b);
                if indent.is_some() {
                    out.push(b' ');
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(hex(&bytes), "0001abff");
        assert_eq!(unhex("0001ABff"), Some(bytes.to_vec()));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }

    #[test]
    fn reformatting_keeps_strings_and_order() {
        let pretty = b"{\n  \"b\": \"x, y: {z}\",\n  \"a\": [\n    1,\n    2\n  ],\n  \"e\": {}\n}";
        let compacted = compact(pretty).unwrap();
        assert_eq!(compacted, br#"{"b":"x, y: {z}","a":[1,2],"e":{}}"#);
        assert_eq!(indented(&compacted, 2).unwrap(), pretty);
        assert_eq!(compact(b"not json"), None);
    }
}
