//! The simplified schema the simulator works with, and the checks of values
//! against it: parameter text (path, query, header) and JSON bodies.
//! Messages name the offending value and what the document allows.

use serde_json::Value;

/// What the simulator knows of a schema; anything it cannot express
/// (`oneOf`, `allOf`, ...) is `Any`.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    Any,
    String {
        enumeration: Vec<String>,
        /// `x-known-values`: values the document names for an open string.
        /// Not checked (a new value must not be refused), but what an answer
        /// made from the document uses.
        known: Vec<String>,
        default: Option<String>,
    },
    Integer {
        minimum: Option<i64>,
        maximum: Option<i64>,
        enumeration: Vec<i64>,
        default: Option<i64>,
    },
    Number,
    Boolean {
        default: Option<bool>,
    },
    Array(Box<Shape>),
    Object {
        properties: Vec<(String, Shape)>,
        required: Vec<String>,
    },
}

impl Shape {
    /// The documented default, as query text.
    pub fn default_text(&self) -> Option<String> {
        match self {
            Shape::String { default, .. } => default.clone(),
            Shape::Integer { default, .. } => default.map(|d| d.to_string()),
            Shape::Boolean { default } => default.map(|d| d.to_string()),
            _ => None,
        }
    }
}

/// A parameter value as text.
pub fn check_text(shape: &Shape, text: &str) -> Result<(), String> {
    match shape {
        Shape::String { enumeration, .. } => in_enum(enumeration, &text.to_owned(), text),
        Shape::Integer { .. } => match text.parse::<i64>() {
            Ok(n) => check_integer(shape, n),
            Err(_) => Err(format!("{text:?} is not an integer")),
        },
        Shape::Number => text
            .parse::<f64>()
            .map(|_| ())
            .map_err(|_| format!("{text:?} is not a number")),
        Shape::Boolean { .. } => match text {
            "true" | "false" => Ok(()),
            _ => Err(format!("{text:?} is not a boolean (true or false)")),
        },
        Shape::Array(items) => check_text(items, text),
        Shape::Object { .. } | Shape::Any => Ok(()),
    }
}

/// A JSON value; `at` is where it sits in the body, for messages.
pub fn check_json(shape: &Shape, value: &Value, at: &str) -> Result<(), String> {
    let wrong = |expected: &str| Err(format!("{at} must be {expected}, got {}", kind(value)));
    match shape {
        Shape::Any => Ok(()),
        Shape::String { enumeration, .. } => match value.as_str() {
            Some(s) => in_enum(enumeration, &s.to_owned(), s).map_err(|e| format!("{at}: {e}")),
            None => wrong("a string"),
        },
        Shape::Integer { .. } => match value.as_i64() {
            Some(n) => check_integer(shape, n).map_err(|e| format!("{at}: {e}")),
            None => wrong("an integer"),
        },
        Shape::Number if value.is_number() => Ok(()),
        Shape::Number => wrong("a number"),
        Shape::Boolean { .. } if value.is_boolean() => Ok(()),
        Shape::Boolean { .. } => wrong("a boolean"),
        Shape::Array(items) => match value.as_array() {
            Some(values) => values
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| check_json(items, v, &format!("{at}[{i}]"))),
            None => wrong("an array"),
        },
        Shape::Object {
            properties,
            required,
        } => {
            let Some(object) = value.as_object() else {
                return wrong("an object");
            };
            if let Some(missing) = required.iter().find(|r| !object.contains_key(*r)) {
                return Err(format!("{at} lacks the required property {missing:?}"));
            }
            properties
                .iter()
                .filter_map(|(name, shape)| object.get(name).map(|v| (name, shape, v)))
                .try_for_each(|(name, shape, v)| check_json(shape, v, &format!("{at}.{name}")))
        }
    }
}

fn check_integer(shape: &Shape, n: i64) -> Result<(), String> {
    let Shape::Integer {
        minimum,
        maximum,
        enumeration,
        ..
    } = shape
    else {
        return Ok(());
    };
    if let Some(min) = minimum.filter(|min| n < *min) {
        return Err(format!("{n} is below the minimum {min}"));
    }
    if let Some(max) = maximum.filter(|max| n > *max) {
        return Err(format!("{n} is above the maximum {max}"));
    }
    in_enum(enumeration, &n, &n.to_string())
}

fn in_enum<T: PartialEq + ToString>(allowed: &[T], value: &T, shown: &str) -> Result<(), String> {
    if allowed.is_empty() || allowed.contains(value) {
        return Ok(());
    }
    let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
    Err(format!("{shown:?} is not one of {}", allowed.join(", ")))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
