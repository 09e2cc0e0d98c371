//! When a partner's verification fails, the documented mistake that
//! explains it: each is a rule in `rules/webhooks.yaml`, with an id, a cause
//! and a solution.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::Mac;

use super::signature::{
    decode_secret, hex, keyed, mac, matching, parse_header, unhex_signature, Mistake, Tolerance,
    MAX_SECRETS, SIGNATURE_HEX_LEN,
};
use crate::diagnose::{diagnose, Diagnosis};
use crate::query::Query;
use crate::vocabulary::Symptom;

/// The symptom the signature rules are filed under.
const SYMPTOM: Symptom = Symptom::SignatureVerificationFailing;

impl Mistake {
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
