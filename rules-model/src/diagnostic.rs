//! Problems found in rule files, reported as `file:line: rule `id`: problem (hint)`.

use std::fmt;

use crate::suggest::nearest;

/// One problem in one rule file. A build reports every problem at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user should see it, e.g. `rules/webhooks.yaml`.
    pub file: String,
    /// 1-based line the problem points at.
    pub line: usize,
    /// The rule's id, or `#N` when the rule has no usable id; `None` outside any rule.
    pub rule: Option<String>,
    /// What is wrong.
    pub problem: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(rule) = &self.rule {
            write!(f, "rule `{rule}`: ")?;
        }
        f.write_str(&self.problem)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// A hint that names the near match, or else lists what is allowed.
pub fn suggestion(input: &str, candidates: &[&str]) -> String {
    match did_you_mean(input, candidates.iter().copied()) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("expected one of: {}", candidates.join(", ")),
    }
}

/// The closest candidate to `input` when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    nearest(input, candidates).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested_and_far_ones_are_not() {
        let names = ["never", "after-user-action", "token-refresh", "backoff"];
        assert_eq!(did_you_mean("nevr", names), Some("never"));
        assert_eq!(did_you_mean("token_refresh", names), Some("token-refresh"));
        assert_eq!(did_you_mean("sometimes", names), None);
    }
}
