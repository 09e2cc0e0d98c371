//! Webhook signatures: sign a body as Debitura does, and when a partner's
//! verification fails, find which documented mistake they made.
//!
//! Debitura sends `X-Debitura-Signature: t={unix seconds},v1={hex}` where
//! `v1` is the lower-case hex HMAC-SHA256 of `{t}.{raw body}`, keyed with the
//! base64-decoded webhook secret. A receiver accepts a timestamp at most
//! [`TOLERANCE_SECS`] old and [`FUTURE_TOLERANCE_SECS`] ahead ([`Tolerance`]).
//! During a rotation a receiver holds several secrets, and a header may carry
//! several `v1`: a delivery is valid when any signature matches under any
//! secret. Each mistake found here is a rule in `rules/webhooks.yaml`, so it
//! carries an id, a cause and a solution.
//!
//! [`check`] names the mistake behind a failed verification; [`verify`] is
//! the receiver's fast path, with secrets decoded once ([`Secret`]).

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::matcher::{diagnose, Diagnosis};
use crate::query::Query;
use crate::vocabulary::Symptom;

/// How old a delivery's timestamp may be, in seconds.
pub const TOLERANCE_SECS: u64 = 300;

/// How far ahead of now a delivery's timestamp may be, in seconds: the skew
/// Debitura's sample receiver allows.
pub const FUTURE_TOLERANCE_SECS: u64 = 30;

/// Most `v1` signatures one header may carry.
pub const MAX_SIGNATURES: usize = 8;

/// Most secrets one check tries (the current one and those being rotated out).
pub const MAX_SECRETS: usize = 8;

/// Headers longer than this are rejected unread.
pub const MAX_HEADER_LEN: usize = 1024;

/// Hex digits of an HMAC-SHA256, as `v1` carries it.
const SIGNATURE_HEX_LEN: usize = 64;

/// The symptom the signature rules are filed under.
const SYMPTOM: &str = Symptom::SignatureVerificationFailing.as_str();

type HmacSha256 = Hmac<Sha256>;

/// A documented way to get signature verification wrong. Each is the error
/// type of a rule under the `signature-verification-failing` symptom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mistake {
    /// The secret was used as text instead of base64-decoded first.
    SecretUsedAsText,
    /// The body verified was parsed and re-serialised, not the raw bytes.
    BodyReserialised,
    /// The computed signature is base64 or upper-case hex; `v1` is lower-case hex.
    SignatureEncoding,
    /// The timestamp is outside the [`Tolerance`]: too old, or too far ahead.
    TimestampOutsideTolerance,
    /// The header lacks `t` or `v1`, has two `t` or more than
    /// [`MAX_SIGNATURES`] `v1`, a `t` that is not a plain number, or a `v1`
    /// that is not lower-case hex.
    MalformedHeader,
    /// The secret is not base64 at all, so it cannot be the one Debitura shows.
    SecretNotBase64,
    /// The secret is empty: the variable or file meant to hold it does not.
    SecretEmpty,
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
            Mistake::SecretEmpty => "secret-empty",
            Mistake::WrongSecret => "wrong-secret",
        }
    }

    /// The rule that explains this mistake.
    pub fn diagnosis(self) -> Diagnosis {
        diagnose(&Query::new().symptom(SYMPTOM).error_type(self.code()))
    }
}

/// The answer of [`check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use]
#[non_exhaustive]
pub enum Verdict {
    /// The header verifies against the body, the timestamp is within
    /// tolerance, and the computed signature (if given) is the right one.
    Valid,
    /// The most likely mistake.
    Mistake(Mistake),
}

/// The window a delivery's timestamp must fall in, in seconds around now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tolerance {
    /// How old it may be.
    pub past: u64,
    /// How far ahead it may be.
    pub future: u64,
}

impl Tolerance {
    /// Debitura's sample receiver: [`TOLERANCE_SECS`] old,
    /// [`FUTURE_TOLERANCE_SECS`] ahead. (Its text says 300 s either way; the
    /// stricter bound for the future is the one its code applies.)
    pub const DEBITURA: Tolerance = Tolerance {
        past: TOLERANCE_SECS,
        future: FUTURE_TOLERANCE_SECS,
    };

    /// Whether a delivery signed at `timestamp` is acceptable at `now`.
    ///
    /// ```
    /// use debitura_triage::webhook::Tolerance;
    ///
    /// let t = Tolerance::DEBITURA;
    /// assert!(t.admits(1_000, 1_300) && !t.admits(1_000, 1_301));
    /// assert!(t.admits(1_030, 1_000) && !t.admits(1_031, 1_000));
    /// ```
    #[must_use]
    pub const fn admits(self, timestamp: u64, now: u64) -> bool {
        if timestamp <= now {
            now - timestamp <= self.past
        } else {
            timestamp - now <= self.future
        }
    }
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance::DEBITURA
    }
}

/// What [`check`] needs: the secrets as Debitura shows them (base64; the
/// current one first, then any being rotated out), the
/// `X-Debitura-Signature` header, the body bytes the partner's code
/// verified, the current Unix time, the tolerance, and optionally the
/// signature that code computed.
///
/// Its `Debug` leaves the secrets and the body out.
#[derive(Clone, Copy, Default)]
pub struct Delivery<'a> {
    /// The webhook secrets exactly as Debitura displayed them, at most
    /// [`MAX_SECRETS`]; the first is the one a mistake is explained with.
    pub secrets: &'a [&'a str],
    /// The `X-Debitura-Signature` header value.
    pub header: &'a str,
    /// The body bytes that were verified.
    pub body: &'a [u8],
    /// Now, in Unix seconds.
    pub now: u64,
    /// The window the timestamp must fall in.
    pub tolerance: Tolerance,
    /// The signature the partner's code computed, if known.
    pub computed: Option<&'a str>,
}

impl core::fmt::Debug for Delivery<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Delivery")
            .field(
                "secrets",
                &format_args!("<{} redacted>", self.secrets.len()),
            )
            .field("header", &self.header)
            .field("body_len", &self.body.len())
            .field("now", &self.now)
            .field("tolerance", &self.tolerance)
            .field("computed", &self.computed)
            .finish()
    }
}

/// A parsed `X-Debitura-Signature` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// `t`: when Debitura signed, in Unix seconds.
    pub timestamp: u64,
    signatures: [&'a str; MAX_SIGNATURES],
    count: usize,
}

impl<'a> Header<'a> {
    /// The first `v1` signature, lower-case hex.
    #[must_use]
    pub fn v1(&self) -> &'a str {
        self.signatures[0]
    }

    /// Every `v1` signature, in header order.
    pub fn signatures(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.signatures[..self.count].iter().copied()
    }
}

/// Parses `t=…,v1=…[,v1=…]`. Unknown keys are ignored, as future signature
/// versions would add them.
///
/// `t` must be written as Debitura writes it (decimal, no sign, no leading
/// zero), since the signed message holds its text; each `v1` must be the 64
/// lower-case hex digits of an HMAC-SHA256, and there may be up to
/// [`MAX_SIGNATURES`] of them.
///
/// ```
/// use debitura_triage::webhook::parse_header;
///
/// let (a, b) = ("a".repeat(64), "b".repeat(64));
/// let text = format!("t=1700000000,v1={a},v1={b}");
/// let header = parse_header(&text).unwrap();
/// assert_eq!(header.timestamp, 1_700_000_000);
/// assert_eq!(header.signatures().collect::<Vec<_>>(), [a.as_str(), b.as_str()]);
/// ```
pub fn parse_header(header: &str) -> Result<Header<'_>, Mistake> {
    if header.len() > MAX_HEADER_LEN {
        return Err(Mistake::MalformedHeader);
    }
    let mut t = None;
    let mut signatures = [""; MAX_SIGNATURES];
    let mut count = 0;
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "t" if t.replace(value).is_some() => return Err(Mistake::MalformedHeader),
            "t" => {}
            "v1" => {
                let slot = signatures.get_mut(count).ok_or(Mistake::MalformedHeader)?;
                let hex = value.len() == SIGNATURE_HEX_LEN
                    && value
                        .bytes()
                        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                if !hex {
                    return Err(Mistake::MalformedHeader);
                }
                *slot = value;
                count += 1;
            }
            _ => {}
        }
    }
    let timestamp = t
        .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
        .filter(|t| *t == "0" || !t.starts_with('0'))
        .and_then(|t| t.parse().ok())
        .ok_or(Mistake::MalformedHeader)?;
    if count == 0 {
        return Err(Mistake::MalformedHeader);
    }
    Ok(Header {
        timestamp,
        signatures,
        count,
    })
}

/// A webhook secret, base64-decoded once, for [`verify`]. Neither `Debug`
/// nor anything else shows it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Decodes the secret exactly as Debitura displayed it.
    pub fn from_base64(secret: &str) -> Result<Secret, Mistake> {
        decode_secret(secret).map(Secret)
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A receiver's check of a delivery: the header parses, some `v1` matches
/// the HMAC of exactly `body` under some secret (compared in constant
/// time), and the timestamp is within `tolerance` of `now`. On failure,
/// the mistake is [`Mistake::MalformedHeader`], [`Mistake::WrongSecret`] or
/// [`Mistake::TimestampOutsideTolerance`]; [`check`] explains a failure
/// further when the receiver wants to know why.
///
/// ```
/// use debitura_triage::webhook::{sign, verify, Secret, Tolerance};
///
/// let text = "c2VjcmV0LWJ5dGVzLWZvci10ZXN0cw==";
/// let secrets = [Secret::from_base64(text).unwrap()];
/// let body = br#"{"id":"1","event":"case.created"}"#;
/// let header = sign(text, 1_700_000_000, body).unwrap();
/// let valid = verify(&secrets, &header, body, 1_700_000_010, Tolerance::DEBITURA).unwrap();
/// assert_eq!(valid.timestamp, 1_700_000_000);
/// ```
pub fn verify<'h>(
    secrets: &[Secret],
    header: &'h str,
    body: &[u8],
    now: u64,
    tolerance: Tolerance,
) -> Result<Header<'h>, Mistake> {
    let parsed = parse_header(header)?;
    let keys = secrets.iter().take(MAX_SECRETS).map(|s| s.0.as_slice());
    if matching(keys, &parsed, body).is_none() {
        return Err(Mistake::WrongSecret);
    }
    if !tolerance.admits(parsed.timestamp, now) {
        return Err(Mistake::TimestampOutsideTolerance);
    }
    Ok(parsed)
}

/// The first `v1` (as bytes) that matches the MAC of `body` under one of
/// `keys`, comparing in constant time.
fn matching<'k>(
    keys: impl Iterator<Item = &'k [u8]>,
    header: &Header<'_>,
    body: &[u8],
) -> Option<[u8; SIGNATURE_HEX_LEN / 2]> {
    let expected: Vec<[u8; SIGNATURE_HEX_LEN / 2]> =
        header.signatures().filter_map(unhex_signature).collect();
    for key in keys {
        let mac = keyed(key, header.timestamp, body);
        if let Some(found) = expected
            .iter()
            .find(|e| mac.clone().verify_slice(&e[..]).is_ok())
        {
            return Some(*found);
        }
    }
    None
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
/// let delivery = Delivery { secrets: &[secret], header: &header, body, now: 1_700_000_010, ..Delivery::default() };
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
    let texts = &d.secrets[..d.secrets.len().min(MAX_SECRETS)];
    if texts.is_empty() {
        return Some(Mistake::SecretEmpty);
    }
    // An unusable secret in the list does not spoil a usable one that
    // matches; it is the answer only when nothing matches.
    let mut unusable = None;
    let keys: Vec<Vec<u8>> = texts
        .iter()
        .filter_map(|t| {
            decode_secret(t)
                .map_err(|mistake| unusable = unusable.or(Some(mistake)))
                .ok()
        })
        .collect();
    if keys.is_empty() {
        return unusable;
    }
    let t = header.timestamp;
    let with_text = |computed: &str| {
        texts
            .iter()
            .any(|text| signed_with_text(computed, text, t, d.body))
    };
    let computed = d.computed.map(str::trim);
    if let Some(expected) = matching(keys.iter().map(Vec::as_slice), &header, d.body) {
        let v1 = hex(&expected);
        if let Some(computed) = computed.filter(|c| *c != v1) {
            let encoding_only =
                computed.eq_ignore_ascii_case(&v1) || computed == BASE64.encode(expected);
            return Some(if encoding_only {
                Mistake::SignatureEncoding
            } else if with_text(computed) {
                Mistake::SecretUsedAsText
            } else {
                Mistake::WrongSecret
            });
        }
        return (!d.tolerance.admits(t, d.now)).then_some(Mistake::TimestampOutsideTolerance);
    }
    if computed.is_some_and(with_text) {
        return Some(Mistake::SecretUsedAsText);
    }
    let expected: Vec<_> = header.signatures().filter_map(unhex_signature).collect();
    if keys
        .iter()
        .any(|key| relaid_out_verifies(key, t, d.body, &expected))
    {
        return Some(Mistake::BodyReserialised);
    }
    Some(unusable.unwrap_or(Mistake::WrongSecret))
}

/// True when `computed` is the signature keyed with the secret's text
/// instead of its base64-decoded bytes (in hex or base64).
fn signed_with_text(computed: &str, secret: &str, timestamp: u64, body: &[u8]) -> bool {
    let digest = mac(secret.as_bytes(), timestamp, body);
    computed.eq_ignore_ascii_case(&hex(&digest)) || computed == BASE64.encode(digest)
}

fn decode_secret(secret: &str) -> Result<Vec<u8>, Mistake> {
    if secret.trim().is_empty() {
        return Err(Mistake::SecretEmpty);
    }
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

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// A `v1` signature's bytes.
fn unhex_signature(text: &str) -> Option<[u8; SIGNATURE_HEX_LEN / 2]> {
    unhex(text)?.try_into().ok()
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

/// Deepest nesting the re-layout check follows. Debitura's events nest a few
/// levels; a body deeper than this was not re-serialised from one of them.
const MAX_RELAYOUT_DEPTH: usize = 32;

/// A re-layout may grow the body at most this many times (plus a little),
/// which keeps the work of [`relaid_out_verifies`] linear in the body.
const RELAYOUT_GROWTH: usize = 8;

/// True when the body, laid out again in one of the ways common serialisers
/// write JSON (compact, 2- or 4-space indentation), verifies against one of
/// `expected`. Each layout is streamed into the MAC, so memory stays fixed
/// whatever the body.
fn relaid_out_verifies(
    key: &[u8],
    timestamp: u64,
    body: &[u8],
    expected: &[[u8; SIGNATURE_HEX_LEN / 2]],
) -> bool {
    [None, Some(2), Some(4)].into_iter().any(|indent| {
        let mut mac = keyed(key, timestamp, b"");
        relayout(body, indent, |bytes| mac.update(bytes)).is_some()
            && expected
                .iter()
                .any(|e| mac.clone().verify_slice(&e[..]).is_ok())
    })
}

/// Feeds the JSON in `body`, laid out again, to `emit`: compact when `indent`
/// is `None`, else one entry per line indented by `indent` spaces a level.
/// Strings and numbers are kept as written. `None` when the body does not look
/// like JSON, nests deeper than [`MAX_RELAYOUT_DEPTH`], or would grow past
/// [`RELAYOUT_GROWTH`] times its size.
fn relayout(body: &[u8], indent: Option<usize>, mut emit: impl FnMut(&[u8])) -> Option<()> {
    const SPACES: [u8; 64] = [b' '; 64];
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    if !matches!(first, b'{' | b'[') {
        return None;
    }
    let mut budget = body
        .len()
        .saturating_mul(RELAYOUT_GROWTH)
        .saturating_add(64);
    let mut put = |bytes: &[u8]| -> Option<()> {
        budget = budget.checked_sub(bytes.len())?;
        emit(bytes);
        Some(())
    };
    let newline = |put: &mut dyn FnMut(&[u8]) -> Option<()>, depth: usize| -> Option<()> {
        let Some(width) = indent else { return Some(()) };
        put(b"\n")?;
        let mut spaces = depth * width;
        while spaces > 0 {
            let n = spaces.min(SPACES.len());
            put(&SPACES[..n])?;
            spaces -= n;
        }
        Some(())
    };
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // Whether the last byte written opened a container, so that an empty
    // container stays on one line.
    let mut just_opened = false;
    let mut bytes = body.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        if in_string {
            put(&[b])?;
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        let opened = matches!(b, b'{' | b'[');
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            b'"' => {
                in_string = true;
                put(&[b])?;
            }
            b'{' | b'[' => {
                put(&[b])?;
                depth += 1;
                if depth > MAX_RELAYOUT_DEPTH {
                    return None;
                }
                while bytes.peek().is_some_and(u8::is_ascii_whitespace) {
                    bytes.next();
                }
                if !matches!(bytes.peek(), Some(b'}' | b']')) {
                    newline(&mut put, depth)?;
                }
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if !just_opened {
                    newline(&mut put, depth)?;
                }
                put(&[b])?;
            }
            b',' => {
                put(&[b])?;
                newline(&mut put, depth)?;
            }
            b':' if indent.is_some() => put(b": ")?,
            other => put(&[other])?,
        }
        just_opened = opened;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_symptom_is_in_the_vocabulary() {
        assert!(crate::SYMPTOMS.iter().any(|(name, _)| *name == SYMPTOM));
    }

    #[test]
    fn hex_round_trips() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(hex(&bytes), "0001abff");
        assert_eq!(unhex("0001ABff"), Some(bytes.to_vec()));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("abc"), None);
    }

    fn laid_out(body: &[u8], indent: Option<usize>) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        relayout(body, indent, |bytes| out.extend_from_slice(bytes))?;
        Some(out)
    }

    #[test]
    fn reformatting_keeps_strings_and_order() {
        let pretty = b"{\n  \"b\": \"x, y: {z}\",\n  \"a\": [\n    1,\n    2\n  ],\n  \"e\": {}\n}";
        let compacted = laid_out(pretty, None).unwrap();
        assert_eq!(compacted, br#"{"b":"x, y: {z}","a":[1,2],"e":{}}"#);
        assert_eq!(laid_out(&compacted, Some(2)).unwrap(), pretty);
        assert_eq!(laid_out(b"not json", None), None);
        assert_eq!(laid_out(b"  [1] ", None).unwrap(), b"[1]");
    }

    #[test]
    fn relayout_gives_up_beyond_its_depth_and_growth_bounds() {
        let deep = |n: usize| [vec![b'['; n], vec![b']'; n]].concat();
        assert!(laid_out(&deep(MAX_RELAYOUT_DEPTH), None).is_some());
        assert_eq!(laid_out(&deep(MAX_RELAYOUT_DEPTH + 1), None), None);
        // Many short entries at the deepest level: every comma would add a
        // line of 128 spaces, more than the growth bound allows.
        let mut wide = vec![b'['; MAX_RELAYOUT_DEPTH];
        wide.extend(b"1,".repeat(1000));
        wide.push(b'1');
        wide.extend(vec![b']'; MAX_RELAYOUT_DEPTH]);
        assert!(laid_out(&wide, None).is_some());
        assert_eq!(laid_out(&wide, Some(4)), None);
    }
}
