//! Every distinct query a catalog can tell apart: the finite set over which
//! the generated matcher is checked against [`Catalog::resolve`], benchmarks
//! draw their sample, and two rule sets are compared.

use std::collections::BTreeSet;

use crate::model::resolve::candidates;
use crate::model::vocabulary::Vocabulary;
use crate::model::{Catalog, Conditions, Field, Query};

/// A value no rule names, per field whose values are open.
fn unseen(field: Field) -> Option<&'static str> {
    match field {
        Field::Status => Some("418"),
        Field::Type => Some("UnseenType"),
        Field::Message => Some("Unseen message"),
        Field::Event => Some("unseen.event"),
        Field::Symptom => Some("unseen-symptom"),
        _ => None,
    }
}

/// True when rule conditions `c` may still answer a query with `value` in
/// `field`: a field left out that may be unknown keeps every rule, since the
/// answer then depends on what those rules would say (see [`crate::answer`]).
fn accepts(c: &Conditions, field: Field, value: Option<&str>) -> bool {
    if value.is_none() && field.may_be_unknown() {
        return true;
    }
    match (c.get(field), value.or(field.absent_value())) {
        (None, _) => true,
        (Some(set), Some(v)) => set.iter().any(|p| field.accepts(p, v)),
        (Some(_), None) => false,
    }
}

impl Catalog {
    /// Every distinct query, sorted: field by field, each value some
    /// still-matching rule names (with a representative for each message
    /// prefix), one value none names, and "left out". A field that no
    /// remaining rule constrains takes two values only, since its value cannot
    /// change the answer. Queries that ask the same (a field set to the value
    /// that stands for "left out") count once.
    pub fn distinct_queries(&self) -> Vec<Query> {
        let all: Vec<&Conditions> = self.rules.iter().map(|r| &r.when).collect();
        let mut out = BTreeSet::new();
        enumerate(&self.vocabulary, 0, &all, &Query::default(), &mut out);
        // A request of an operation none of whose requests is safe to send
        // twice cannot be, and is never asked.
        out.into_iter()
            .filter(|q| {
                self.vocabulary
                    .request_with(q.get(Field::Operation), q.safe_to_resend())
                    .is_some()
            })
            .collect()
    }
}

/// The query with every field at its "left out" value left out.
fn normalised(query: &Query) -> Query {
    let mut out = Query::default();
    for field in Field::ALL {
        if let Some(v) = query
            .get(field)
            .filter(|v| Some(*v) != field.absent_value())
        {
            out.set(field, v.to_string());
        }
    }
    out
}

fn enumerate(
    vocabulary: &Vocabulary,
    depth: usize,
    remaining: &[&Conditions],
    query: &Query,
    out: &mut BTreeSet<Query>,
) {
    let Some(&field) = Field::ALL.get(depth) else {
        out.insert(normalised(query));
        return;
    };
    let mut values: Vec<Option<String>> = if remaining.iter().any(|c| c.get(field).is_some()) {
        candidates(vocabulary, field, None, remaining)
    } else if field == Field::SafeToResend {
        // No rule left asks, so one value tells as much as two: the one the
        // library derives when the request's method and key are not given.
        let safe = vocabulary.safe_to_resend(query.get(Field::Operation), None, None);
        vec![safe.map(|s| s.to_string())]
    } else if field.is_request_property() {
        // No rule left asks: left out, as a query that does not say.
        vec![None]
    } else if field == Field::Operation
        && remaining
            .iter()
            .any(|c| c.get(Field::SafeToResend).is_some())
    {
        // No rule left names an operation, but one asks whether the request
        // is safe to resend, which the operation decides: one operation of
        // each way it can, and none.
        let mut seen = Vec::new();
        let mut values: Vec<Option<String>> = vocabulary
            .operation_names()
            .into_iter()
            .filter(|op| {
                let profile = [Some(true), Some(false), None]
                    .map(|safe| vocabulary.request_with(Some(op), safe).is_some());
                let new = !seen.contains(&profile);
                seen.push(profile);
                new
            })
            .map(|op| Some(op.to_string()))
            .collect();
        values.push(None);
        values
    } else {
        field
            .closed_domain(vocabulary)
            .map_or_else(|| vec![None], |d| d.into_iter().take(2).collect())
    };
    if let Some(v) = unseen(field) {
        values.push(Some(v.to_string()));
    }
    for value in values {
        let still: Vec<&Conditions> = remaining
            .iter()
            .copied()
            .filter(|c| accepts(c, field, value.as_deref()))
            .collect();
        let mut next = query.clone();
        if let Some(v) = value {
            next.set(field, v);
        }
        enumerate(vocabulary, depth + 1, &still, &next, out);
    }
}
