//! The arguments of one call, checked against the operation table before
//! anything is sent: every name must be a parameter of the operation, every
//! required one present, and every value of the documented type, values
//! and range. What comes out is the path and query as they will be sent.

use crate::error::Error;
use crate::operation::{Location, Operation, ValueKind};
use crate::path_value;

/// Path and query parameters by name, as text (`"10"`, `"true"`, `"ASC"`).
///
/// ```
/// use secmaster_client::Args;
///
/// let args = Args::new()
///     .set("project_id", "0123456789abcdef0123456789abcdef")
///     .set("offset", 0)
///     .set("limit", 100);
/// assert_eq!(args.get("limit"), Some("100"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    values: Vec<(String, String)>,
}

impl Args {
    /// No arguments.
    pub fn new() -> Self {
        Args::default()
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub fn set(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.insert(name, value);
        self
    }

    /// [`Args::set`] in place.
    pub fn insert(&mut self, name: impl Into<String>, value: impl ToString) {
        let (name, value) = (name.into(), value.to_string());
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Checks the arguments against `op`'s table entry as
    /// [`SecMasterClient::execute`](crate::SecMasterClient::execute) does
    /// before sending: every name a parameter, every required one present,
    /// every value of the documented type, values and range. The error is
    /// [`Error::InvalidInput`] naming the operation and the parameter.
    ///
    /// ```
    /// use secmaster_client::{Args, operations};
    ///
    /// let args = Args::new().set("project_id", "p").set("workspace_id", "w").set("limit", 0);
    /// let refused = args.check(&operations::LIST_WORKFLOWS).unwrap_err();
    /// assert!(refused.to_string().contains("parameter limit: 0 is outside 1..=100"));
    /// ```
    pub fn check(&self, op: &Operation) -> Result<(), Error> {
        check(op, self).map(drop)
    }

    /// Every name and value, in the order set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

/// A call's arguments, checked: the path with its values encoded, and the
/// query pairs (not yet encoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The `project_id` argument, for the `X-Project-Id` of a signature.
    pub project_id: String,
}

/// Checks `args` against `op`. Errors are [`Error::InvalidInput`] naming
/// the operation and the parameter.
pub(crate) fn check(op: &Operation, args: &Args) -> Result<Target, Error> {
    let refuse = |message: String| Error::InvalidInput(format!("{}: {message}", op.id));
    for (name, _) in args.iter() {
        if op.parameter(name).is_none() {
            let known: Vec<&str> = op.parameters.iter().map(|p| p.name).collect();
            return Err(refuse(format!(
                "no parameter {:?} (it has: {})",
                crate::untrusted::escape(name),
                known.join(", ")
            )));
        }
    }
    let mut query = Vec::new();
    let mut values = Vec::new();
    for p in op.parameters {
        let Some(value) = args.get(p.name) else {
            if p.required {
                return Err(refuse(format!("parameter {} is required", p.name)));
            }
            continue;
        };
        check_value(p.kind, value).map_err(|why| refuse(format!("parameter {}: {why}", p.name)))?;
        // A whole number goes out as it reads: `+1` and `007` as `1`, `7`.
        let value = match p.kind {
            ValueKind::Integer { .. } => value
                .parse::<i64>()
                .map_or(value.to_owned(), |n| n.to_string()),
            _ => value.to_owned(),
        };
        match p.location {
            Location::Path => values.push((p.name, value)),
            Location::Query => query.push((p.name.to_owned(), value)),
        }
    }
    let mut path = String::with_capacity(op.path.len());
    let mut rest = op.path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        path.push_str(&rest[..open]);
        let name = &rest[open + 1..close];
        let value = values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| refuse(format!("the path names {name:?}, which is not a parameter")))?;
        let segment = path_value::encode(name, value).map_err(|e| match e {
            Error::InvalidInput(message) => refuse(message),
            other => other,
        })?;
        path.push_str(&segment);
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    path.push_str(rest);
    Ok(Target {
        path,
        query,
        project_id: args.get("project_id").unwrap_or_default().to_owned(),
    })
}

/// Why `value` is not of `kind`, in words that follow "parameter NAME: ".
fn check_value(kind: ValueKind, value: &str) -> Result<(), String> {
    let shown = || format!("{:?}", crate::untrusted::escape(value));
    match kind {
        ValueKind::Text {
            allowed,
            min_length,
            max_length,
        } => {
            if !allowed.is_empty() && !allowed.contains(&value) {
                return Err(format!("{} is not one of {}", shown(), allowed.join(", ")));
            }
            let length = value.chars().count();
            if min_length.is_some_and(|m| length < m) || max_length.is_some_and(|m| length > m) {
                return Err(format!(
                    "{} has {length} characters, outside {}..={}",
                    shown(),
                    min_length.unwrap_or(0),
                    max_length.map_or_else(String::new, |m| m.to_string())
                ));
            }
            Ok(())
        }
        ValueKind::Integer { minimum, maximum } => {
            let n: i64 = value
                .parse()
                .map_err(|_| format!("{} is not a whole number", shown()))?;
            if minimum.is_some_and(|m| n < m) || maximum.is_some_and(|m| n > m) {
                return Err(format!(
                    "{n} is outside {}..={}",
                    minimum.map_or_else(String::new, |m| m.to_string()),
                    maximum.map_or_else(String::new, |m| m.to_string())
                ));
            }
            Ok(())
        }
        ValueKind::Number => value
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(drop)
            .ok_or_else(|| format!("{} is not a number", shown())),
        ValueKind::Boolean => match value {
            "true" | "false" => Ok(()),
            _ => Err(format!("{} is not true or false", shown())),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::{EXPORT_WORKFLOWS, LIST_WORKFLOWS, OPERATIONS};
    use proptest::prelude::*;

    fn base() -> Args {
        Args::new()
            .set("project_id", "p 1")
            .set("workspace_id", "w/1")
    }

    #[test]
    fn a_good_call_gives_the_encoded_path_and_the_query_in_document_order() {
        let args = base()
            .set("limit", "+100")
            .set("order", "ASC")
            .set("offset", "000");
        let target = check(&LIST_WORKFLOWS, &args).unwrap();
        assert_eq!(target.query[0], ("offset".to_owned(), "0".to_owned()));
        assert_eq!(target.query[1], ("limit".to_owned(), "100".to_owned()));
        assert_eq!(target.path, "/v1/p%201/workspaces/w%2F1/soc/workflows");
        let names: Vec<_> = target.query.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["offset", "limit", "order"]);
        assert_eq!(target.project_id, "p 1");
    }

    #[test]
    fn each_bad_argument_is_refused_naming_the_operation_and_parameter() {
        let cases = [
            (
                base().set("limit", 0),
                "list_workflows: parameter limit: 0 is outside 1..=100",
            ),
            (
                base().set("limit", "ten"),
                "parameter limit: \"ten\" is not a whole number",
            ),
            (
                base().set("offset", 10001),
                "parameter offset: 10001 is outside 0..=10000",
            ),
            (
                base().set("order", "asc"),
                "parameter order: \"asc\" is not one of ASC, DESC",
            ),
            (
                base().set("enabled", "yes"),
                "parameter enabled: \"yes\" is not true or false",
            ),
            (
                base().set("colour", "red"),
                "no parameter \"colour\" (it has: project_id, workspace_id",
            ),
            (
                Args::new().set("project_id", "p"),
                "parameter workspace_id is required",
            ),
            (
                base().set("workspace_id", ".."),
                "workspace_id \"..\" cannot be sent as one path segment",
            ),
        ];
        for (args, expected) in cases {
            let message = check(&LIST_WORKFLOWS, &args).unwrap_err().to_string();
            assert!(message.contains(expected), "{message:?} lacks {expected:?}");
        }
    }

    #[test]
    fn the_table_knows_what_the_document_says() {
        let ids: Vec<_> = OPERATIONS.iter().map(|op| op.id).collect();
        for id in [
            "list_workflows",
            "show_workflow",
            "import_workflows",
            "export_workflows",
        ] {
            assert!(ids.contains(&id), "{id}");
        }
        let paging = LIST_WORKFLOWS.paging.unwrap();
        assert_eq!((paging.items, paging.total), ("data", "total"));
        assert_eq!(
            (paging.max_limit, paging.max_offset),
            (Some(100), Some(10000))
        );
        assert_eq!(EXPORT_WORKFLOWS.repeat, crate::operation::Repeat::Safe);
        assert_eq!(EXPORT_WORKFLOWS.answer, crate::operation::Answer::File);
        assert_eq!(
            EXPORT_WORKFLOWS.body,
            crate::operation::Body::Json {
                content_type: "application/json;charset=UTF-8"
            }
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, max_global_rejects: 10, ..ProptestConfig::default() })]

        /// Any argument values: never a panic; a refusal names the
        /// operation; an accepted path keeps every value in one segment.
        #[test]
        fn any_values_are_checked_without_panic(
            names in proptest::collection::vec("[a-z_]{1,12}", 0..4),
            values in proptest::collection::vec(any::<String>(), 0..6),
        ) {
            for op in OPERATIONS {
                let mut args = Args::new();
                let known = op.parameters.iter().map(|p| p.name.to_owned());
                for (name, value) in known.chain(names.iter().cloned()).zip(values.iter()) {
                    args.insert(name, value);
                }
                match check(op, &args) {
                    Ok(target) => {
                        let slashes = op.path.matches('/').count();
                        prop_assert_eq!(target.path.matches('/').count(), slashes);
                    }
                    Err(e) => {
                        let text = e.to_string();
                        prop_assert!(text.contains(op.id), "{}", text);
                    }
                }
            }
        }
    }
}
