//! A question from an object: each key a query field the core knows, in
//! camelCase (`afterTokenRefresh`), each value checked by the core
//! (`Query::set`); `null` and `undefined` leave a field unknown.

use std::sync::{Mutex, PoisonError};

use debitura_triage::{
    diagnose as diagnose_query, Diagnosis, Field, Query, QueryError, Value as Given,
};
use napi::Result;
use napi_derive::napi;
use serde_json::{Map, Value};

use crate::answer::{camel, invalid, snake, to_js};

/// The object's fields by the core's names, those given as `null` left out.
pub fn fields(object: Option<Map<String, Value>>) -> Vec<(String, Value)> {
    object
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(key, value)| (snake(&key), value))
        .collect()
}

/// The query the fields describe; `what` names the call in errors.
pub fn query<'a>(what: &str, fields: &'a [(String, Value)]) -> Result<Query<'a>> {
    onto(Query::new(), what, fields)
}

/// `q` with the fields set on it.
pub fn onto<'a>(mut q: Query<'a>, what: &str, fields: &'a [(String, Value)]) -> Result<Query<'a>> {
    for (name, value) in fields {
        let given = match value {
            Value::String(text) => Given::Text(text),
            Value::Number(n) => Given::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::Bool(b) => Given::Flag(*b),
            _ => {
                return Err(invalid(format!(
                    "`{}` takes text, a number or a boolean",
                    camel(name)
                )))
            }
        };
        q.set(name, given).map_err(|e| error(what, &e))?;
    }
    Ok(q)
}

/// The core's error in JavaScript's naming: the option and the nearest
/// valid one in camelCase.
pub fn error(what: &str, e: &QueryError) -> napi::Error {
    match e {
        QueryError::UnknownField(_) => {
            let option = camel(e.input().unwrap_or_default());
            let hint = match e.nearest().first() {
                Some(near) => format!("; did you mean `{}`?", camel(near)),
                None => String::new(),
            };
            invalid(format!(
                "unknown option `{}` for {what}{hint}",
                debitura_triage::printable(&option)
            ))
        }
        QueryError::Kind { field, takes } => {
            invalid(format!("`{}` takes {takes}", camel(field.as_str())))
        }
        _ => invalid(e.to_string()),
    }
}

/// What a failure means and what to do, from what the caller knows of it.
#[napi(js_name = "diagnose")]
pub fn diagnose(question: Option<Map<String, Value>>) -> Result<Value> {
    let fields = fields(question);
    to_js(&diagnose_query(&query("diagnose", &fields)?).answer())
}

/// The answers given so far, each by the id `diagnoseId` hands out: an
/// answer depends only on its rule, or its set of rules, so there are at
/// most as many as the catalog has rules and sets.
static ANSWERS: Mutex<Vec<Diagnosis>> = Mutex::new(Vec::new());

/// Which answer a diagnosis gives: its rule and its set of rules.
fn same(a: &Diagnosis, b: &Diagnosis) -> bool {
    a.rule().map(std::ptr::from_ref) == b.rule().map(std::ptr::from_ref)
        && a.several().map(std::ptr::from_ref) == b.several().map(std::ptr::from_ref)
}

/// The id of the answer to a question given field by field (`undefined` or
/// `null`: not known), for the package to keep each answer once; the values'
/// kinds are checked by the caller (`index.js` sends any other question to
/// `diagnose`, which names what is wrong).
#[napi(js_name = "diagnoseId")]
#[allow(clippy::too_many_arguments)]
pub fn diagnose_id(
    status: Option<f64>,
    r#type: Option<String>,
    message: Option<String>,
    operation: Option<String>,
    event: Option<String>,
    symptom: Option<String>,
    after_token_refresh: Option<bool>,
    environment: Option<String>,
    auth: Option<String>,
    method: Option<String>,
    idempotency_key: Option<bool>,
) -> Result<u32> {
    let mut q = Query::new();
    let texts = [
        (Field::Type, &r#type),
        (Field::Message, &message),
        (Field::Operation, &operation),
        (Field::Event, &event),
        (Field::Symptom, &symptom),
        (Field::Environment, &environment),
        (Field::Auth, &auth),
        (Field::Method, &method),
    ];
    if let Some(status) = status {
        q.set_field(Field::Status, Given::Number(status))
            .map_err(|e| error("diagnose", &e))?;
    }
    for (field, value) in texts {
        if let Some(text) = value {
            q.set_field(field, Given::Text(text))
                .map_err(|e| error("diagnose", &e))?;
        }
    }
    for (field, value) in [
        (Field::AfterTokenRefresh, after_token_refresh),
        (Field::IdempotencyKey, idempotency_key),
    ] {
        if let Some(flag) = value {
            q.set_field(field, Given::Flag(flag))
                .map_err(|e| error("diagnose", &e))?;
        }
    }
    let d = diagnose_query(&q);
    let mut answers = ANSWERS.lock().unwrap_or_else(PoisonError::into_inner);
    let id = match answers.iter().position(|a| same(a, &d)) {
        Some(id) => id,
        None => {
            answers.push(d);
            answers.len() - 1
        }
    };
    u32::try_from(id).map_err(|_| invalid("too many answers".into()))
}

/// The answer `diagnoseId` handed out `id` for.
#[napi(js_name = "answerOf")]
pub fn answer_of(id: u32) -> Result<Value> {
    let answers = ANSWERS.lock().unwrap_or_else(PoisonError::into_inner);
    let d = usize::try_from(id)
        .ok()
        .and_then(|i| answers.get(i))
        .ok_or_else(|| invalid(format!("no answer {id}")))?;
    to_js(&d.answer())
}
