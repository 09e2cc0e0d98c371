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

mod mistake;
mod signature;

pub use mistake::{check, Delivery, Verdict};
pub use signature::{
    parse_header, sign, verify, Header, Mistake, Secret, Tolerance, FUTURE_TOLERANCE_SECS,
    MAX_HEADER_LEN, MAX_SECRETS, MAX_SIGNATURES, TOLERANCE_SECS,
};
