//! Signing and verifying: the `X-Debitura-Signature` header, the secrets
//! decoded once, the timestamp's window and the HMAC over `{t}.{raw body}`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

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
pub(super) const SIGNATURE_HEX_LEN: usize = 64;

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
/// [`Mistake::TimestampOutsideTolerance`]; [`check`](super::check) explains a failure
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
pub(super) fn matching<'k>(
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

pub(super) fn decode_secret(secret: &str) -> Result<Vec<u8>, Mistake> {
    if secret.trim().is_empty() {
        return Err(Mistake::SecretEmpty);
    }
    BASE64
        .decode(secret.trim())
        .map_err(|_| Mistake::SecretNotBase64)
}

pub(super) fn keyed(key: &[u8], timestamp: u64, body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length; this cannot fail.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

pub(super) fn mac(key: &[u8], timestamp: u64, body: &[u8]) -> Vec<u8> {
    keyed(key, timestamp, body).finalize().into_bytes().to_vec()
}

pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

/// A `v1` signature's bytes.
pub(super) fn unhex_signature(text: &str) -> Option<[u8; SIGNATURE_HEX_LEN / 2]> {
    unhex(text)?.try_into().ok()
}

/// Lower- or upper-case hex to bytes.
pub(super) fn unhex(text: &str) -> Option<Vec<u8>> {
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
}
