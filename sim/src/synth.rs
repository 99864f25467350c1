//! Values made from the document alone: the answer to an operation the
//! simulator has no behaviour for, and a request that an operation allows.
//!
//! A value follows its schema: every property present (required or not),
//! one item per array, the first `enum` value, else the default, else the
//! first `x-known-values` entry, else `"example"`; integers take their
//! default, else their first `enum` value, else 0 moved into
//! `minimum..=maximum`; numbers are 0, booleans their default or false, and
//! what the simulator cannot express (`oneOf`, ...) is null; an answer in
//! the service's envelope says `"success": true`. A documented example wins
//! over all of this. A value has at most as many nodes as its
//! shape (arrays get one item), and shapes are bounded in depth when read,
//! so a document cannot make one grow without end.

use serde_json::{Map, Value, json};

use crate::multipart::{self, Part};
use crate::operation::{Location, MediaSpec, Operation, Segment};
use crate::shape::{Shape, check_json};

/// What a non-JSON answer without an example holds.
const FILE_BYTES: &[u8] = b"made by secmaster-sim from the document\n";
/// The boundary of example multipart bodies.
const BOUNDARY: &str = "secmaster-sim-example";

/// An answer made from the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthesised {
    pub status: u16,
    /// The documented media type, as written; `None` for an answer
    /// documented without a body.
    pub media_type: Option<String>,
    pub body: Vec<u8>,
}

/// The operation's documented success (200, else its first 2xx status) with
/// the first documented media type: the example if there is one, else a
/// value made from the schema; for media types other than JSON, the example
/// as text or a few bytes.
pub fn answer(op: &Operation) -> Synthesised {
    let success = op.response(200).map(|media| (200, media)).or_else(|| {
        op.responses
            .iter()
            .find(|(code, _)| (200..300).contains(code))
            .map(|(code, media)| (*code, media.as_slice()))
    });
    let (status, media) = match success {
        Some((status, media)) => (status, media.first()),
        None => (200, None),
    };
    let Some(media) = media else {
        return Synthesised {
            status,
            media_type: None,
            body: Vec::new(),
        };
    };
    Synthesised {
        status,
        media_type: Some(media.raw.clone()),
        body: body(media),
    }
}

fn body(media: &MediaSpec) -> Vec<u8> {
    match (&media.example, media.is_json()) {
        (Some(example), true) => example.to_string().into_bytes(),
        (None, true) => {
            let mut answer = value(&media.shape);
            // The service's envelope: a success answer says so. A made-up
            // `false` would be the service refusing, which clients rightly
            // report as an error.
            if let Some(success @ Value::Bool(_)) = answer.get_mut("success") {
                *success = Value::Bool(true);
            }
            answer.to_string().into_bytes()
        }
        (Some(Value::String(text)), false) => text.clone().into_bytes(),
        (Some(example), false) => example.to_string().into_bytes(),
        (None, false) => FILE_BYTES.to_vec(),
    }
}

/// A value that `shape` accepts (see the module's rules).
pub fn value(shape: &Shape) -> Value {
    match shape {
        Shape::Any => Value::Null,
        Shape::String {
            enumeration,
            known,
            default,
        } => {
            let allowed = |d: &&String| enumeration.is_empty() || enumeration.contains(d);
            let chosen = default
                .as_ref()
                .filter(allowed)
                .or(enumeration.first())
                .or(known.first());
            Value::from(chosen.map_or("example", String::as_str))
        }
        Shape::Integer {
            minimum,
            maximum,
            enumeration,
            default,
        } => {
            let valid = |n: &i64| check_json(shape, &json!(n), "").is_ok();
            let within = |n: i64| {
                let n = minimum.map_or(n, |min| n.max(min));
                maximum.map_or(n, |max| n.min(max))
            };
            let n = default
                .filter(valid)
                .or(enumeration.first().copied())
                .unwrap_or_else(|| within(0));
            Value::from(n)
        }
        Shape::Number => Value::from(0),
        Shape::Boolean { default } => Value::from(default.unwrap_or(false)),
        Shape::Array(items) => Value::Array(vec![value(items)]),
        Shape::Object {
            properties,
            required,
        } => {
            let mut object: Map<String, Value> = properties
                .iter()
                .map(|(name, shape)| (name.clone(), value(shape)))
                .collect();
            // Required names the schema does not describe can hold anything.
            for name in required {
                object.entry(name.clone()).or_insert(Value::Null);
            }
            Value::Object(object)
        }
    }
}

/// A request an operation allows: its path with `path_values` (by
/// parameter name; others get a made-up value), every required query
/// parameter and header, and the body when one is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleRequest {
    pub method: String,
    /// The path and, after `?`, the query.
    pub path_and_query: String,
    /// Required headers, and `Content-Type` when there is a body.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// See [`ExampleRequest`].
pub fn example_request(op: &Operation, path_values: &[(&str, &str)]) -> ExampleRequest {
    let param_text = |name: &str, location| {
        op.parameters
            .iter()
            .find(|p| p.name == name && p.location == location)
            .map_or_else(|| "example".to_owned(), |p| text(&p.shape))
    };
    let path: Vec<String> = op
        .segments
        .iter()
        .map(|s| match s {
            Segment::Literal(l) => l.clone(),
            Segment::Param(name) => {
                let value = path_values.iter().find(|(n, _)| n == name).map_or_else(
                    || param_text(name, Location::Path),
                    |(_, v)| (*v).to_owned(),
                );
                percent_encoding::utf8_percent_encode(&value, percent_encoding::NON_ALPHANUMERIC)
                    .to_string()
            }
        })
        .collect();
    let required = |location| {
        op.parameters
            .iter()
            .filter(move |p| p.location == location && p.required)
            .map(|p| (p.name.clone(), text(&p.shape)))
    };
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(required(Location::Query))
        .finish();
    let mut path_and_query = path.join("/");
    if !query.is_empty() {
        path_and_query = format!("{path_and_query}?{query}");
    }
    let mut headers: Vec<(String, String)> = required(Location::Header).collect();
    let mut body = Vec::new();
    if let Some(media) = op
        .body
        .as_ref()
        .filter(|b| b.required)
        .and_then(|b| b.media.first())
    {
        let (content_type, bytes) = request_body(media);
        headers.push(("Content-Type".to_owned(), content_type));
        body = bytes;
    }
    ExampleRequest {
        method: op.method.to_string(),
        path_and_query,
        headers,
        body,
    }
}

fn request_body(media: &MediaSpec) -> (String, Vec<u8>) {
    if media.is_json() {
        let value = media.example.clone().unwrap_or_else(|| value(&media.shape));
        return (media.raw.clone(), value.to_string().into_bytes());
    }
    if media.media.essence == "multipart/form-data" {
        let parts: Vec<Part> = match &media.shape {
            Shape::Object { properties, .. } => properties
                .iter()
                .map(|(name, shape)| Part {
                    name: name.clone(),
                    filename: Some(name.clone()),
                    content_type: None,
                    data: text(shape).into_bytes(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        return (content_type, multipart::build(&parts, BOUNDARY));
    }
    (media.raw.clone(), FILE_BYTES.to_vec())
}

/// A value as parameter or form text.
fn text(shape: &Shape) -> String {
    match (shape, value(shape)) {
        (Shape::Array(items), _) => text(items),
        (_, Value::String(s)) => s,
        (_, other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names() -> impl Strategy<Value = String> {
        "[a-c]{1,2}"
    }

    /// Shapes of every kind, a few levels deep, with bounds, enums, known
    /// values, defaults (some of them outside the enum) and required names
    /// the schema may not describe.
    fn shapes() -> impl Strategy<Value = Shape> {
        let leaf = prop_oneof![
            Just(Shape::Any),
            Just(Shape::Number),
            proptest::option::of(any::<bool>()).prop_map(|default| Shape::Boolean { default }),
            (
                proptest::collection::vec(names(), 0..3),
                proptest::collection::vec(names(), 0..3),
                proptest::option::of(names()),
            )
                .prop_map(|(enumeration, known, default)| Shape::String {
                    enumeration,
                    known,
                    default,
                }),
            (
                proptest::option::of(-5i64..5),
                proptest::option::of(-5i64..5),
                proptest::collection::vec(-5i64..5, 0..3),
                proptest::option::of(-5i64..5),
            )
                .prop_filter("a range that holds a value", |(min, max, _, _)| {
                    min.zip(*max).is_none_or(|(min, max)| min <= max)
                })
                .prop_map(|(minimum, maximum, enumeration, default)| Shape::Integer {
                    minimum,
                    maximum,
                    // Enum values within the range, as a usable document has.
                    enumeration: enumeration
                        .into_iter()
                        .filter(
                            |n| minimum.is_none_or(|m| *n >= m) && maximum.is_none_or(|m| *n <= m)
                        )
                        .collect(),
                    default,
                }),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                inner
                    .clone()
                    .prop_map(|items| Shape::Array(Box::new(items))),
                (
                    // Property names are unique, as in a schema's map.
                    proptest::collection::btree_map(names(), inner, 0..4),
                    proptest::collection::vec(names(), 0..3),
                )
                    .prop_map(|(properties, required)| Shape::Object {
                        properties: properties.into_iter().collect(),
                        required,
                    }),
            ]
        })
    }

    proptest! {
        /// Whatever the shape, the value made from it passes the
        /// simulator's own check of that shape.
        #[test]
        fn a_made_up_value_fits_its_shape(shape in shapes()) {
            let made = value(&shape);
            prop_assert!(check_json(&shape, &made, "value").is_ok(), "{made}");
        }
    }
}
