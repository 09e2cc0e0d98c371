//! Whether a request may be sent twice without acting twice, and why: the
//! reasons (`Resend`), their safety and the safe methods are the rule
//! model's, written into the vocabulary by the build.

pub use crate::vocabulary::Resend;
use crate::vocabulary::SAFE_METHODS;

impl Resend {
    /// True when `method` alone makes a resend safe (GET, HEAD, OPTIONS,
    /// PUT, DELETE; letters compare without regard to case).
    ///
    /// ```
    /// use debitura_triage::{Operation, Resend};
    ///
    /// assert_eq!(Operation::CreateCase.resend(Some("POST")), Resend::IdempotencyKey);
    /// assert!(Resend::IdempotencyKey.is_safe(true));
    /// assert!(!Resend::IdempotencyKey.is_safe(false));
    /// assert_eq!(Operation::GetCase.resend(None), Resend::Method);
    /// assert!(Resend::is_safe_method("get") && !Resend::is_safe_method("POST"));
    /// ```
    #[must_use]
    pub fn is_safe_method(method: &str) -> bool {
        SAFE_METHODS.iter().any(|m| m.eq_ignore_ascii_case(method))
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
