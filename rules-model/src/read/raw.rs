//! The shapes rules files are written in, declared with [`raw_struct!`]: a
//! struct and the `Deserialize` impl serde's derive would write for it with
//! `deny_unknown_fields`, the same errors included (`unknown field`,
//! `missing field`, `duplicate field`). Written as a declarative macro so the
//! rule language, and the CLI that links it, build without proc-macros.

use std::fmt;

use serde::de::{DeserializeSeed, Error, MapAccess, Visitor};
use serde::Deserializer;

/// Declares a struct read from YAML. A field is required unless it says
/// `= default` (missing → `Default::default()`, as for an `Option` or a
/// list) or `= keep_null` (an `Option<Value>` where an explicit `null` is
/// `Some(Null)`, told apart from a missing key). `field as "key"` reads the
/// field from another key.
macro_rules! raw_struct {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $( $field:ident $(as $key:literal)? : $ty:ty $(= $mode:ident)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $name {
            $( $field: $ty, )*
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                const KEYS: &[&str] = &[$( raw_struct!(@key $field $($key)?) ),*];
                struct ShapeVisitor;
                impl<'de> serde::de::Visitor<'de> for ShapeVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(
                        self,
                        mut map: A,
                    ) -> Result<$name, A::Error> {
                        $( let mut $field: Option<$ty> = None; )*
                        while let Some(key) = map.next_key_seed($crate::read::raw::Key(KEYS))? {
                            $(
                                if key == raw_struct!(@key $field $($key)?) {
                                    if $field.is_some() {
                                        return Err(serde::de::Error::duplicate_field(key));
                                    }
                                    $field = Some(raw_struct!(@read map $($mode)?));
                                    continue;
                                }
                            )*
                        }
                        Ok($name {
                            $( $field: raw_struct!(
                                @finish A, $field, raw_struct!(@key $field $($key)?) $(, $mode)?
                            ), )*
                        })
                    }
                }
                d.deserialize_struct(stringify!($name), KEYS, ShapeVisitor)
            }
        }
    };
    (@key $field:ident) => { stringify!($field) };
    (@key $field:ident $key:literal) => { $key };
    (@read $map:ident) => { $map.next_value()? };
    (@read $map:ident default) => { $map.next_value()? };
    (@read $map:ident keep_null) => { Some($map.next_value::<serde_yaml::Value>()?) };
    (@finish $a:ident, $slot:ident, $key:expr) => {
        $crate::read::raw::required::<$a, _>($slot, $key)?
    };
    (@finish $a:ident, $slot:ident, $key:expr, default) => { $slot.unwrap_or_default() };
    (@finish $a:ident, $slot:ident, $key:expr, keep_null) => { $slot.unwrap_or_default() };
}

pub(crate) use raw_struct;

/// A struct's key, as one of its known keys; any other is `unknown field`.
pub struct Key(pub &'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = &'static str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("field identifier")
    }

    fn visit_str<E: Error>(self, key: &str) -> Result<&'static str, E> {
        self.0
            .iter()
            .find(|known| **known == key)
            .copied()
            .ok_or_else(|| E::unknown_field(key, self.0))
    }
}

/// A required field's value, or `missing field`.
pub fn required<'de, A: MapAccess<'de>, T>(
    slot: Option<T>,
    key: &'static str,
) -> Result<T, A::Error> {
    slot.ok_or_else(|| A::Error::missing_field(key))
}

#[cfg(test)]
mod tests {
    use serde_yaml::Value;

    raw_struct! {
        #[derive(Debug, PartialEq)]
        struct Shape {
            name: String,
            count: Option<u32> = default,
            tags: Vec<String> = default,
            kind as "type": Option<Value> = keep_null,
        }
    }

    fn read(text: &str) -> Result<Shape, String> {
        serde_yaml::from_str(text).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_every_kind_of_field() {
        let full = read("name: a\ncount: 3\ntags: [x, y]\ntype: T\n").unwrap();
        assert_eq!(
            full,
            Shape {
                name: "a".into(),
                count: Some(3),
                tags: vec!["x".into(), "y".into()],
                kind: Some(Value::String("T".into())),
            }
        );
        let bare = read("name: a\n").unwrap();
        assert_eq!((bare.count, bare.tags.len(), bare.kind), (None, 0, None));
        assert_eq!(
            read("name: a\ntype: null\n").unwrap().kind,
            Some(Value::Null)
        );
        assert_eq!(read("name: a\ncount: null\n").unwrap().count, None);
    }

    #[test]
    fn reports_what_serde_derive_reports() {
        let unknown = read("name: a\ncuont: 1\n").unwrap_err();
        assert!(
            unknown.starts_with(
                "unknown field `cuont`, expected one of `name`, `count`, `tags`, `type`"
            ),
            "{unknown}"
        );
        assert!(unknown.contains("line 2"), "{unknown}");
        assert!(read("count: 1\n")
            .unwrap_err()
            .starts_with("missing field `name`"));
        assert!(read("name: a\nname: b\n")
            .unwrap_err()
            .contains("duplicate"));
        assert!(read("name: [1]\n")
            .unwrap_err()
            .starts_with("name: invalid type: sequence"));
        assert!(read("- a\n").unwrap_err().contains("expected struct Shape"));
    }
}
