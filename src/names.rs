//! The kebab-case names of the catalog's enums: `Display` and `FromStr` (and,
//! with the `serde` feature, serialisation as those names), with a parse
//! error that names the nearest valid names.

use core::fmt;
use core::str::FromStr;

use crate::text::Printable;
use crate::vocabulary::Field;
use crate::vocabulary::{Credential, Environment, Operation, Retry, RuleId, Symptom};

mod suggest {
    include!(concat!(env!("OUT_DIR"), "/suggest.rs"));
}

/// The names among `names` nearest to `input`, nearest first (at most
/// five; maybe none): the one "did you mean" of every name the library
/// reads, for an edge that reads names of its own.
///
/// ```
/// assert_eq!(debitura_triage::nearest("retryafter", ["retry_after", "now"]), ["retry_after"]);
/// ```
pub fn nearest(input: &str, names: impl IntoIterator<Item = &'static str>) -> Vec<&'static str> {
    suggest::nearest(input, names)
}

/// A name that none of a type's values has, from [`str::parse`].
///
/// ```
/// use debitura_triage::Retry;
///
/// let err = "token_refresh".parse::<Retry>().unwrap_err();
/// assert_eq!(err.nearest(), ["token-refresh"]);
/// assert_eq!(err.to_string(), "unknown retry policy `token_refresh`; did you mean `token-refresh`?");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseNameError {
    what: &'static str,
    input: String,
    nearest: Vec<&'static str>,
}

impl ParseNameError {
    fn new(what: &'static str, input: &str, names: impl Iterator<Item = &'static str>) -> Self {
        ParseNameError::among(what, input, names)
    }

    /// `input`, which is none of `names`, as a `what` (`webhook event`,
    /// `HTTP method`): for an edge that reads names of its own, worded as
    /// the library words its own.
    ///
    /// ```
    /// let e = debitura_triage::ParseNameError::among("HTTP method", "PSOT", ["GET", "POST"]);
    /// assert_eq!(e.to_string(), "unknown HTTP method `PSOT`; did you mean `POST`?");
    /// ```
    pub fn among(
        what: &'static str,
        input: &str,
        names: impl IntoIterator<Item = &'static str>,
    ) -> Self {
        ParseNameError {
            what,
            input: input.to_string(),
            nearest: nearest(input, names),
        }
    }

    /// What was given.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Valid names close to the input, nearest first (at most five; maybe none).
    pub fn nearest(&self) -> &[&'static str] {
        &self.nearest
    }
}

impl fmt::Display for ParseNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The input is shown escaped: it may come from anywhere.
        write!(f, "unknown {} `{}`", self.what, Printable(&self.input))?;
        match self.nearest.as_slice() {
            [] => Ok(()),
            [one] => write!(f, "; did you mean `{one}`?"),
            [first @ .., last] => {
                f.write_str("; did you mean ")?;
                for name in first {
                    write!(f, "`{name}`, ")?;
                }
                write!(f, "or `{last}`?")
            }
        }
    }
}

impl std::error::Error for ParseNameError {}

/// `Display` and `FromStr` by the kebab-case name, and serde as that name.
macro_rules! named {
    ($type:ident, $what:literal, $lookup:ident) => {
        impl FromStr for $type {
            type Err = ParseNameError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $type::$lookup(s).ok_or_else(|| {
                    ParseNameError::new($what, s, $type::ALL.iter().map(|v| v.as_str()))
                })
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Name;
                impl serde::de::Visitor<'_> for Name {
                    type Value = $type;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "a {} name", $what)
                    }
                    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<$type, E> {
                        s.parse().map_err(E::custom)
                    }
                }
                deserializer.deserialize_str(Name)
            }
        }
    };
}

named!(RuleId, "rule id", from_id);
named!(Retry, "retry policy", from_name);
named!(Operation, "operation", from_name);
named!(Environment, "environment", from_name);
named!(Credential, "credential", from_name);
named!(Field, "query field", from_name);
named!(Symptom, "symptom", from_name);

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_round_trips() {
        for id in RuleId::ALL {
            assert_eq!(id.to_string().parse::<RuleId>(), Ok(*id));
        }
        for retry in Retry::ALL {
            assert_eq!(retry.to_string().parse::<Retry>(), Ok(*retry));
        }
        for op in Operation::ALL {
            assert_eq!(op.to_string().parse::<Operation>(), Ok(*op));
        }
        for env in Environment::ALL {
            assert_eq!(env.to_string().parse::<Environment>(), Ok(*env));
        }
        for credential in Credential::ALL {
            assert_eq!(
                credential.to_string().parse::<Credential>(),
                Ok(*credential)
            );
        }
    }

    #[test]
    fn a_bad_name_is_named_with_its_nearest_valid_ones() {
        let err = "create_case".parse::<Operation>().unwrap_err();
        assert_eq!(err.input(), "create_case");
        assert_eq!(err.nearest().first(), Some(&"create-case"));
        assert!(err
            .to_string()
            .starts_with("unknown operation `create_case`; did you mean `create-case`"));
        let err = "sometimes".parse::<Retry>().unwrap_err();
        assert!(err.nearest().is_empty());
        assert_eq!(err.to_string(), "unknown retry policy `sometimes`");
        let err = "x\u{1b}[2J".parse::<Environment>().unwrap_err();
        assert!(!err.to_string().contains('\u{1b}'), "{err}");
        let err = "rate-limit".parse::<RuleId>().unwrap_err();
        assert!(err.nearest().contains(&"rate-limited"), "{err}");
    }
}
