//! A question from an object: each key a query field the core knows, in
//! camelCase (`afterTokenRefresh`), each value checked by the core
//! (`Query::set`); `null` and `undefined` leave a field unknown.

use debitura_triage::{diagnose as diagnose_query, Query, QueryError, Value as Given};
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
