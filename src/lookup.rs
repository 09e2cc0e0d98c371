//! The matcher compiled from the rules: a decision tree of `match`
//! expressions over the query's fields, each leaf naming the rule it answers
//! and where that rule is written.

include!(concat!(env!("OUT_DIR"), "/lookup.rs"));
