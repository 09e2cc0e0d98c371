//! A library query as a query of the codegen's rule model, to ask the
//! reference interpreter (`Catalog::resolve`) the same question.

use debitura_triage::Query;
use debitura_triage_codegen::{self as codegen, Field};

/// The model query for a library query.
pub fn to_model(q: &Query<'_>) -> codegen::Query {
    let mut m = codegen::Query::default();
    let fields = [
        (Field::Status, q.status.map(|s| s.to_string())),
        (Field::Type, q.error_type.map(String::from)),
        (Field::Message, q.message.map(String::from)),
        (
            Field::Operation,
            q.operation.map(|o| o.as_str().to_string()),
        ),
        (Field::Event, q.event.map(String::from)),
        (Field::Symptom, q.symptom.map(String::from)),
        (
            Field::AfterTokenRefresh,
            Some(q.after_token_refresh.to_string()),
        ),
        (
            Field::Environment,
            q.environment.map(|e| e.as_str().to_string()),
        ),
    ];
    for (field, value) in fields {
        if let Some(v) = value {
            m.set(field, v);
        }
    }
    m
}
