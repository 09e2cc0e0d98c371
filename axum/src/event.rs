//! A verified delivery's event: the envelope and the headers that travel
//! with it.

use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

/// Longest event id accepted. Debitura's are UUIDs; a longer one is not a
/// delivery of theirs, and claims keep every id they see.
pub const MAX_ID_LEN: usize = 128;

/// One event, as Debitura delivered it and the signature vouched for.
#[derive(Clone)]
pub struct Event {
    pub(crate) envelope: Envelope,
    pub(crate) announced: Option<Box<str>>,
    pub(crate) test: bool,
    pub(crate) replay: bool,
}

/// The envelope: `id`, `specVersion`, `event`, `timestamp`, and `data`
/// kept as it was written.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Envelope {
    id: String,
    #[serde(default)]
    spec_version: Option<String>,
    event: String,
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(default)]
    data: Option<Box<RawValue>>,
}

impl Envelope {
    /// Reads the envelope from a verified body; `None` when it is not one
    /// (not JSON, no `id` or `event`, or an id longer than [`MAX_ID_LEN`]).
    pub(crate) fn read(body: &[u8]) -> Option<Envelope> {
        let envelope: Envelope = serde_json::from_slice(body).ok()?;
        let id_fits = !envelope.id.is_empty() && envelope.id.len() <= MAX_ID_LEN;
        id_fits.then_some(envelope)
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl Event {
    /// The envelope's `id`: the same for every copy of the event.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.envelope.id
    }

    /// The event type, e.g. `case.created`. A type the vocabulary does not
    /// list is passed on as it came.
    #[must_use]
    pub fn event(&self) -> &str {
        &self.envelope.event
    }

    /// The envelope's `specVersion`, when it has one.
    #[must_use]
    pub fn spec_version(&self) -> Option<&str> {
        self.envelope.spec_version.as_deref()
    }

    /// The envelope's `timestamp` (ISO 8601), when it has one.
    #[must_use]
    pub fn timestamp(&self) -> Option<&str> {
        self.envelope.timestamp.as_deref()
    }

    /// The event's `data`, as the JSON Debitura wrote (`null` when absent).
    #[must_use]
    pub fn data(&self) -> &str {
        self.envelope.data.as_deref().map_or("null", RawValue::get)
    }

    /// The `X-Debitura-Event` header, when the delivery carried one (at
    /// most [`MAX_ID_LEN`] bytes). It is not signed: [`Event::event`], from
    /// the verified body, is the one to trust.
    #[must_use]
    pub fn announced(&self) -> Option<&str> {
        self.announced.as_deref()
    }

    /// Whether it is a test delivery (`X-Debitura-Test: true`).
    #[must_use]
    pub fn is_test(&self) -> bool {
        self.test
    }

    /// Whether it is a replay (`X-Debitura-Replay: true`).
    #[must_use]
    pub fn is_replay(&self) -> bool {
        self.replay
    }
}

/// Short: the data is the handler's to read.
impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("id", &self.id())
            .field("event", &self.event())
            .field("test", &self.test)
            .field("replay", &self.replay)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_keeps_data_raw_and_refuses_what_is_not_one() {
        let body = br#"{"id":"550e8400","specVersion":"1.0","event":"client.onboarding.poa_signed","timestamp":"2026-01-31T15:23:45Z","data":{"b": 1, "a":[2]},"links":{}}"#;
        let e = Envelope::read(body).unwrap();
        assert_eq!(e.id(), "550e8400");
        assert_eq!(
            e.data.as_deref().map(RawValue::get),
            Some(r#"{"b": 1, "a":[2]}"#)
        );
        assert_eq!(e.spec_version.as_deref(), Some("1.0"));
        let bare = Envelope::read(br#"{"id":"1","event":"x.unknown"}"#).unwrap();
        assert!(bare.data.is_none());
        for bad in [
            &b"not json"[..],
            br#"{"event":"case.created"}"#,
            br#"{"id":"","event":"case.created"}"#,
            br#"{"id":"1"}"#,
        ] {
            assert!(Envelope::read(bad).is_none());
        }
        let long = format!(r#"{{"id":"{}","event":"e"}}"#, "x".repeat(MAX_ID_LEN + 1));
        assert!(Envelope::read(long.as_bytes()).is_none());
    }
}
