//! The rule ids and the vocabulary the rules are written in: retry policies,
//! operations with their routes, environments, event and symptom names,
//! compiled from `rules/vocabulary.yaml` and the rule ids of `rules/`.

/// One documented route: the operation a method and path template perform.
pub(crate) struct Route {
    pub(crate) operation: Operation,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    /// Why sending it twice is safe, or that it is not.
    pub(crate) resend: Resend,
}

/// One API: its root operation, base hosts, accepted path prefixes and
/// the credentials it takes.
pub(crate) struct Api {
    pub(crate) operation: Operation,
    pub(crate) hosts: &'static [(Environment, &'static str)],
    pub(crate) prefixes: &'static [&'static str],
    /// The credentials it takes.
    pub(crate) credentials: &'static [Credential],
}

include!(concat!(env!("OUT_DIR"), "/vocabulary.rs"));
