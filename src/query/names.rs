//! A query built from names and values, as a command line, a Python call or
//! a JavaScript object gives it: one field name at a time, one error type
//! with one "did you mean", and the query read back the same way.

use core::fmt;
use core::ops::RangeInclusive;

use super::Query;
use crate::names::ParseNameError;
use crate::text::Printable;
use crate::vocabulary::Field;

/// The statuses a query may give: every three-digit status an HTTP client
/// can receive (rules name those of 100 to 599; any other is unrecognised).
pub const STATUSES: RangeInclusive<u16> = 100..=999;

/// A value given for a field, as the caller's language holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// Text: a name (`create-case`) or the body's words.
    Text(&'a str),
    /// A number (the status).
    Number(f64),
    /// Yes or no.
    Flag(bool),
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => write!(f, "`{}`", Printable(text)),
            Value::Number(n) => write!(f, "{n}"),
            Value::Flag(b) => write!(f, "{b}"),
        }
    }
}

/// Why a name or value does not make a query.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum QueryError {
    /// No field has this name.
    UnknownField(ParseNameError),
    /// The field knows no value of this name (an operation, environment or
    /// credential).
    UnknownName(Field, ParseNameError),
    /// A status that is not a three-digit HTTP status.
    Status(f64),
    /// A value of the wrong kind for the field.
    Kind {
        /// The field.
        field: Field,
        /// What it takes: `text`, `a number` or `true or false`.
        takes: &'static str,
    },
}

impl QueryError {
    /// The field the value was given for, when the name was one.
    #[must_use]
    pub fn field(&self) -> Option<Field> {
        match self {
            QueryError::UnknownField(_) => None,
            QueryError::UnknownName(field, _) => Some(*field),
            QueryError::Status(_) => Some(Field::Status),
            QueryError::Kind { field, .. } => Some(*field),
        }
    }

    /// The valid names nearest to a bad one, nearest first.
    #[must_use]
    pub fn nearest(&self) -> &[&'static str] {
        match self {
            QueryError::UnknownField(e) | QueryError::UnknownName(_, e) => e.nearest(),
            _ => &[],
        }
    }

    /// The name as given, for an unknown field or value name.
    #[must_use]
    pub fn input(&self) -> Option<&str> {
        match self {
            QueryError::UnknownField(e) | QueryError::UnknownName(_, e) => Some(e.input()),
            _ => None,
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::UnknownField(e) | QueryError::UnknownName(_, e) => e.fmt(f),
            QueryError::Status(s) => write!(
                f,
                "status {s} is not an HTTP status ({} to {})",
                STATUSES.start(),
                STATUSES.end()
            ),
            QueryError::Kind { field, takes } => write!(f, "`{field}` takes {takes}"),
        }
    }
}

impl std::error::Error for QueryError {}

impl<'a> Query<'a> {
    /// Sets the field named `name` ([`Field::as_str`]) to `value`, checked:
    /// an operation, environment or credential by its name, the status in
    /// [`STATUSES`], a flag as yes or no.
    ///
    /// ```
    /// use debitura_triage::{Operation, Query, Value};
    ///
    /// let mut q = Query::new();
    /// q.set("status", Value::Number(422.0))?;
    /// q.set("operation", Value::Text("create-case"))?;
    /// q.set("idempotency_key", Value::Flag(true))?;
    /// assert_eq!(q, Query::new().status(422).operation(Operation::CreateCase).idempotency_key(true));
    ///
    /// let err = q.set("operaton", Value::Text("create-case")).unwrap_err();
    /// assert_eq!(err.to_string(), "unknown query field `operaton`; did you mean `operation`?");
    /// # Ok::<(), debitura_triage::QueryError>(())
    /// ```
    pub fn set(&mut self, name: &str, value: Value<'a>) -> Result<(), QueryError> {
        let field = name.parse::<Field>().map_err(QueryError::UnknownField)?;
        self.set_field(field, value)
    }

    /// Sets `field` to `value`, checked as [`Query::set`] does.
    pub fn set_field(&mut self, field: Field, value: Value<'a>) -> Result<(), QueryError> {
        let kind = |takes| QueryError::Kind { field, takes };
        let text = || match value {
            Value::Text(text) => Ok(text),
            _ => Err(kind("text")),
        };
        let flag = || match value {
            Value::Flag(flag) => Ok(flag),
            _ => Err(kind("true or false")),
        };
        let name = |e| QueryError::UnknownName(field, e);
        match field {
            Field::Status => {
                let Value::Number(n) = value else {
                    return Err(kind("a number"));
                };
                let fits = n.fract() == 0.0
                    && n >= f64::from(*STATUSES.start())
                    && n <= f64::from(*STATUSES.end());
                if !fits {
                    return Err(QueryError::Status(n));
                }
                // Whole and in range, the number is exactly a `u16`.
                self.status = Some(n as u16);
            }
            Field::Type => self.error_type = Some(text()?),
            Field::Message => self.message = Some(text()?),
            Field::Operation => self.operation = Some(text()?.parse().map_err(name)?),
            Field::Event => self.event = Some(text()?),
            Field::Symptom => self.symptom = Some(text()?.parse().map_err(name)?),
            Field::AfterTokenRefresh => self.after_token_refresh = flag()?,
            Field::Environment => self.environment = Some(text()?.parse().map_err(name)?),
            Field::Auth => self.credential = Some(text()?.parse().map_err(name)?),
            Field::Method => self.method = Some(text()?),
            Field::IdempotencyKey => self.idempotency_key = Some(flag()?),
        }
        Ok(())
    }

    /// The fields the query gives, in [`Field::ALL`] order, with their
    /// values as [`Query::set`] takes them (`after_token_refresh` only when
    /// set).
    ///
    /// ```
    /// use debitura_triage::{Field, Query, Value};
    ///
    /// let q = Query::new().status(401).method("POST");
    /// let given: Vec<(Field, Value<'_>)> = q.fields().collect();
    /// assert_eq!(given, [(Field::Status, Value::Number(401.0)), (Field::Method, Value::Text("POST"))]);
    /// ```
    pub fn fields(&self) -> impl Iterator<Item = (Field, Value<'a>)> + '_ {
        Field::ALL.iter().filter_map(move |&field| {
            let value = match field {
                Field::Status => Value::Number(f64::from(self.status?)),
                Field::Type => Value::Text(self.error_type?),
                Field::Message => Value::Text(self.message?),
                Field::Operation => Value::Text(self.operation?.as_str()),
                Field::Event => Value::Text(self.event?),
                Field::Symptom => Value::Text(self.symptom?.as_str()),
                Field::AfterTokenRefresh => {
                    self.after_token_refresh.then_some(Value::Flag(true))?
                }
                Field::Environment => Value::Text(self.environment?.as_str()),
                Field::Auth => Value::Text(self.credential?.as_str()),
                Field::Method => Value::Text(self.method?),
                Field::IdempotencyKey => Value::Flag(self.idempotency_key?),
            };
            Some((field, value))
        })
    }
}

/// The query as JSON-like pairs, for `--json` and the conformance suite.
#[cfg(feature = "serde")]
impl serde::Serialize for Query<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        let mut map = serializer.serialize_map(None)?;
        for (field, value) in self.fields() {
            match value {
                Value::Text(text) => map.serialize_entry(field.as_str(), text)?,
                Value::Number(n) => map.serialize_entry(field.as_str(), &(n as u64))?,
                Value::Flag(b) => map.serialize_entry(field.as_str(), &b)?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{Credential, Environment, Operation, Symptom};

    #[test]
    fn every_field_is_set_by_its_name_and_read_back() {
        let mut q = Query::new();
        let given = [
            ("status", Value::Number(409.0)),
            ("type", Value::Text("ClientExistsNeedsLinking")),
            ("message", Value::Text("Already linked")),
            ("operation", Value::Text("create-client")),
            ("event", Value::Text("client.linked")),
            ("symptom", Value::Text("duplicate-events")),
            ("after_token_refresh", Value::Flag(true)),
            ("environment", Value::Text("test")),
            ("auth", Value::Text("api-key")),
            ("idempotency_key", Value::Flag(false)),
            ("method", Value::Text("POST")),
        ];
        for (name, value) in given {
            q.set(name, value).unwrap();
        }
        assert_eq!(q.status, Some(409));
        assert_eq!(q.error_type, Some("ClientExistsNeedsLinking"));
        assert_eq!(q.message, Some("Already linked"));
        assert_eq!(q.operation, Some(Operation::CreateClient));
        assert_eq!(q.event, Some("client.linked"));
        assert_eq!(q.symptom, Some(Symptom::DuplicateEvents));
        assert!(q.after_token_refresh);
        assert_eq!(q.environment, Some(Environment::Test));
        assert_eq!(q.credential, Some(Credential::ApiKey));
        assert_eq!(q.idempotency_key, Some(false));
        assert_eq!(q.method, Some("POST"));
        // Read back, every field comes out by its name, in `Field::ALL` order.
        let back: Vec<(&str, Value<'_>)> = q.fields().map(|(f, v)| (f.as_str(), v)).collect();
        assert_eq!(back.len(), given.len());
        for (name, value) in given {
            assert!(back.contains(&(name, value)), "{name}");
        }
        let order: Vec<Field> = q.fields().map(|(f, _)| f).collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        // A flag that is not set is not given.
        assert_eq!(Query::new().fields().count(), 0);
    }

    #[test]
    fn statuses_are_whole_numbers_of_three_digits() {
        for ok in [100.0, 422.0, 999.0] {
            let mut q = Query::new();
            q.set("status", Value::Number(ok)).unwrap();
            assert_eq!(q.status.map(f64::from), Some(ok));
        }
        for bad in [99.0, 1000.0, 422.5, -1.0, f64::NAN, f64::INFINITY] {
            let err = Query::new().set("status", Value::Number(bad)).unwrap_err();
            assert!(matches!(err, QueryError::Status(_)), "{bad}: {err}");
            assert_eq!(err.field(), Some(Field::Status));
            assert!(err.to_string().contains("100 to 999"), "{err}");
        }
    }

    #[test]
    fn a_bad_name_or_value_is_one_error_with_the_nearest_names() {
        let err = Query::new().set("operaton", Value::Text("x")).unwrap_err();
        assert!(matches!(err, QueryError::UnknownField(_)));
        assert_eq!((err.field(), err.input()), (None, Some("operaton")));
        assert_eq!(err.nearest().first(), Some(&"operation"));
        let err = Query::new()
            .set("operation", Value::Text("create-cse"))
            .unwrap_err();
        assert_eq!(err.field(), Some(Field::Operation));
        assert_eq!(err.input(), Some("create-cse"));
        assert_eq!(err.nearest().first(), Some(&"create-case"));
        for (name, value, takes) in [
            ("status", Value::Text("422"), "a number"),
            ("type", Value::Flag(true), "text"),
            ("after_token_refresh", Value::Text("yes"), "true or false"),
            ("idempotency_key", Value::Number(1.0), "true or false"),
        ] {
            let err = Query::new().set(name, value).unwrap_err();
            assert_eq!(err.to_string(), format!("`{name}` takes {takes}"));
            assert_eq!(err.field().map(Field::as_str), Some(name));
            assert!(err.nearest().is_empty() && err.input().is_none());
        }
    }

    #[test]
    fn values_display_as_given_with_text_escaped() {
        assert_eq!(Value::Number(422.0).to_string(), "422");
        assert_eq!(Value::Flag(true).to_string(), "true");
        assert_eq!(Value::Text("a\u{1b}b").to_string(), "`a\\u{1b}b`");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn a_query_serialises_as_the_fields_it_gives_by_name() {
        let q = Query::new()
            .status(401)
            .credential(Credential::Bearer)
            .after_token_refresh(true)
            .idempotency_key(false);
        assert_eq!(
            serde_json::to_value(q).unwrap(),
            serde_json::json!({
                "status": 401,
                "auth": "bearer",
                "after_token_refresh": true,
                "idempotency_key": false,
            })
        );
        assert_eq!(
            serde_json::to_value(Query::new()).unwrap(),
            serde_json::json!({})
        );
    }
}
