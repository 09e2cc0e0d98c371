//! Whether a request may be sent twice without acting twice, and why.

/// Why sending a request a second time acts no more than the first, or
/// that it may act again. Declared in `rules/vocabulary.yaml` for every
/// operation's writes; [`Operation::resend`](crate::Operation::resend)
/// answers it for a request. Ordered from the least safe to the safest.
///
/// ```
/// use debitura_triage::{Operation, Resend};
///
/// assert_eq!(Operation::CreateCase.resend(Some("POST")), Resend::IdempotencyKey);
/// assert!(Resend::IdempotencyKey.is_safe(true));
/// assert!(!Resend::IdempotencyKey.is_safe(false));
/// assert_eq!(Operation::GetCase.resend(None), Resend::Method);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Resend {
    /// A second copy may act again: create a second record, attach a file
    /// twice, deliver an event again.
    Unsafe,
    /// Safe when the request carries an `Idempotency-Key`, sent again with
    /// the same key and body: the API answers the stored result.
    IdempotencyKey,
    /// Safe because a key in the request names what it creates: a repeat
    /// of `POST /clients` for one `externalTenantId` creates no second client.
    BusinessKey,
    /// Safe because it changes no stored data: a preview, a check, a token.
    ReadOnly,
    /// Safe by its HTTP method: GET, HEAD, OPTIONS, PUT or DELETE.
    Method,
}

/// The methods whose second send acts no more than the first.
const SAFE_METHODS: [&str; 5] = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"];

impl Resend {
    /// True when `method` alone makes a resend safe (GET, HEAD, OPTIONS,
    /// PUT, DELETE; letters compare without regard to case).
    #[must_use]
    pub fn is_safe_method(method: &str) -> bool {
        SAFE_METHODS.iter().any(|m| m.eq_ignore_ascii_case(method))
    }

    /// Every reason, the least safe first.
    pub const ALL: &'static [Resend] = &[
        Resend::Unsafe,
        Resend::IdempotencyKey,
        Resend::BusinessKey,
        Resend::ReadOnly,
        Resend::Method,
    ];

    /// The kebab-case name, as `rules/vocabulary.yaml` writes it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Resend::Unsafe => "unsafe",
            Resend::IdempotencyKey => "idempotency-key",
            Resend::BusinessKey => "business-key",
            Resend::ReadOnly => "read-only",
            Resend::Method => "method",
        }
    }

    /// Why, in a few words: what a second copy of the request does.
    #[must_use]
    pub const fn meaning(self) -> &'static str {
        match self {
            Resend::Unsafe => "a second copy may act again: a second record, file or delivery",
            Resend::IdempotencyKey => "the API takes an `Idempotency-Key` here: the same key and body again get the stored answer",
            Resend::BusinessKey => "a key in the request names what it creates, so a repeat creates nothing new",
            Resend::ReadOnly => "it changes no stored data",
            Resend::Method => "its HTTP method acts no more the second time",
        }
    }

    /// True when a request with this reason may be sent again without
    /// acting twice; `with_key` tells whether it carries an `Idempotency-Key`.
    #[must_use]
    #[inline]
    pub const fn is_safe(self, with_key: bool) -> bool {
        match self {
            Resend::Unsafe => false,
            Resend::IdempotencyKey => with_key,
            Resend::BusinessKey | Resend::ReadOnly | Resend::Method => true,
        }
    }
}

impl core::fmt::Display for Resend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_ordered_from_the_least_safe() {
        assert!(Resend::ALL.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(Resend::ALL.iter().filter(|r| r.is_safe(false)).count(), 3);
        assert!(Resend::ALL.iter().skip(1).all(|r| r.is_safe(true)));
    }
}
