//! Library queries and queries of the rule model, converted both
//! ways, to ask the reference interpreter (`Catalog::resolve`) and the
//! generated matcher the same question.

use debitura_triage::{Credential, Environment, Operation, Query, Symptom};
use debitura_triage_rules_model::model::vocabulary::Vocabulary;
use debitura_triage_rules_model::model::{self as rules_model, Field, NONE};

/// The model query for a library query.
pub fn to_model(q: &Query<'_>) -> rules_model::Query {
    let mut m = rules_model::Query::default();
    let fields = [
        (Field::Status, q.status.map(|s| s.to_string())),
        (Field::Type, q.error_type.map(String::from)),
        (Field::Message, q.message.map(String::from)),
        (
            Field::Operation,
            q.operation.map(|o| o.as_str().to_string()),
        ),
        (Field::Event, q.event.map(String::from)),
        (Field::Symptom, q.symptom.map(|s| s.as_str().to_string())),
        (
            Field::AfterTokenRefresh,
            Some(q.after_token_refresh.to_string()),
        ),
        (
            Field::Environment,
            q.environment.map(|e| e.as_str().to_string()),
        ),
        (
            Field::Credential,
            q.credential.map(|c| c.as_str().to_string()),
        ),
        (
            Field::SafeToResend,
            q.safe_to_resend().map(|s| s.to_string()),
        ),
    ];
    for (field, value) in fields {
        if let Some(v) = value {
            m.set(field, v);
        }
    }
    m
}

/// The library query for a model query, with a method and key that make
/// it as safe to resend as the model query says; strings are borrowed from
/// both. `None` when no request of its operation is.
pub fn to_library<'a>(vocabulary: &'a Vocabulary, m: &'a rules_model::Query) -> Option<Query<'a>> {
    let text = |f: Field| m.get(f).filter(|v| *v != NONE);
    let (method, key) = vocabulary.request_with(text(Field::Operation), m.safe_to_resend())?;
    let mut q = Query::new();
    q.status = text(Field::Status).and_then(|s| s.parse().ok());
    q.error_type = text(Field::Type);
    q.message = text(Field::Message);
    q.event = text(Field::Event);
    q.symptom = text(Field::Symptom).and_then(Symptom::from_name);
    q.operation = text(Field::Operation).and_then(Operation::from_name);
    q.environment = text(Field::Environment).and_then(Environment::from_name);
    q.credential = text(Field::Credential).and_then(Credential::from_name);
    q.after_token_refresh = m.after_token_refresh();
    q.method = method;
    q.idempotency_key = key;
    Some(q)
}
