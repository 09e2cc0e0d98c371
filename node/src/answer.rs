//! The core's owned answers as JavaScript data: objects keyed by the
//! core's field names in camelCase (`two_words` → `twoWords`), arrays,
//! strings, numbers and `null`.

use napi::{Error, Result, Status};
use serde::Serialize;
use serde_json::{Map, Value};

/// An argument the core refused.
pub fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}

/// `name` in JavaScript's naming: `two_words` → `twoWords`.
pub fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.push(c),
        }
    }
    out
}

/// `name` in the core's naming: `twoWords` → `two_words`.
pub fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `value` as JavaScript data, through its `Serialize`, every key in
/// camelCase and every number a JavaScript number.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    let value = serde_json::to_value(value).map_err(|e| invalid(e.to_string()))?;
    Ok(camel_keys(value))
}

fn camel_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| (camel(&key), camel_keys(value)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_keys).collect()),
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_change_case_both_ways() {
        for (core, js) in [
            ("one_two_three", "oneTwoThree"),
            ("two_words", "twoWords"),
            ("word", "word"),
            ("a_b_c", "aBC"),
        ] {
            assert_eq!(camel(core), js);
            assert_eq!(snake(js), core);
        }
    }
}
