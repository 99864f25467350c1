//! Requests checked against the contract, generically: which operation a
//! method and raw path name, then its parameters and body. Nothing here
//! knows any operation by name.

use std::collections::BTreeMap;

use http::{HeaderMap, Method};
use percent_encoding::percent_decode_str;

use crate::contract::Contract;
use crate::media::MediaType;
use crate::multipart::{self, Part};
use crate::operation::{Location, Operation, Segment};
use crate::shape::{self, Shape};

/// The operation a request names, with its decoded path parameters.
#[derive(Debug, Clone)]
pub struct Route<'c> {
    pub op: &'c Operation,
    pub path_params: BTreeMap<String, String>,
}

/// A request that passed: its query with documented defaults filled in,
/// its parsed body, and what `--strict` would have refused.
#[derive(Debug, Default)]
pub struct Checked {
    pub query: BTreeMap<String, String>,
    pub json: Option<serde_json::Value>,
    pub form: Option<Vec<Part>>,
    pub warnings: Vec<String>,
}

/// The documented operation for `method` and the raw `path`. When several
/// templates fit (`/workflows/export` and `/workflows/{id}`), the one with
/// more literal segments wins, as OpenAPI says concrete paths do.
pub fn route<'c>(contract: &'c Contract, method: &Method, path: &str) -> Option<Route<'c>> {
    let given: Vec<&str> = path.split('/').collect();
    contract
        .operations
        .iter()
        .filter(|op| op.method == method && op.segments.len() == given.len())
        .filter_map(|op| {
            let mut params = BTreeMap::new();
            for (segment, raw) in op.segments.iter().zip(&given) {
                match segment {
                    Segment::Literal(literal) if literal == raw => {}
                    Segment::Param(name) if !raw.is_empty() => {
                        let value = percent_decode_str(raw).decode_utf8_lossy().into_owned();
                        params.insert(name.clone(), value);
                    }
                    _ => return None,
                }
            }
            let literals = op.segments.len() - params.len();
            Some((
                literals,
                Route {
                    op,
                    path_params: params,
                },
            ))
        })
        .max_by_key(|(literals, _)| *literals)
        .map(|(_, route)| route)
}

/// Checks everything but the route. The error is the message of a 400.
pub fn check(
    route: &Route<'_>,
    raw_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    strict: bool,
) -> Result<Checked, String> {
    let mut out = Checked::default();
    let tolerate = |warnings: &mut Vec<String>, message: String| {
        if strict {
            Err(message)
        } else {
            warnings.push(message);
            Ok(())
        }
    };
    let op = route.op;
    for p in op
        .parameters
        .iter()
        .filter(|p| p.location == Location::Path)
    {
        if let Some(value) = route.path_params.get(&p.name) {
            shape::check_text(&p.shape, value)
                .map_err(|e| format!("path parameter {}: {e}", p.name))?;
        }
    }

    // `+` reads as a space, as form-encoding servers do: reqwest's `.query()`
    // writes spaces that way, the official SDK writes `%20`, and both must
    // mean the same name filter.
    let pairs: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    for (name, _) in &pairs {
        let known = op
            .parameters
            .iter()
            .any(|p| p.location == Location::Query && &p.name == name);
        if !known {
            tolerate(
                &mut out.warnings,
                format!("query parameter {name:?} is not documented for {}", op.id),
            )?;
        }
    }
    for p in op
        .parameters
        .iter()
        .filter(|p| p.location == Location::Query)
    {
        let values: Vec<&str> = pairs
            .iter()
            .filter(|(n, _)| *n == p.name)
            .map(|(_, v)| v.as_str())
            .collect();
        match values.as_slice() {
            [] if p.required => return Err(format!("query parameter {} is required", p.name)),
            [] => {
                if let Some(default) = p.shape.default_text() {
                    out.query.insert(p.name.clone(), default);
                }
            }
            [_, _, ..] if !matches!(p.shape, Shape::Array(_)) => {
                return Err(format!(
                    "query parameter {} is given {} times",
                    p.name,
                    values.len()
                ));
            }
            _ => {
                for v in &values {
                    shape::check_text(&p.shape, v)
                        .map_err(|e| format!("query parameter {}: {e}", p.name))?;
                }
                out.query.insert(p.name.clone(), values.join(","));
            }
        }
    }

    for p in op
        .parameters
        .iter()
        .filter(|p| p.location == Location::Header)
    {
        match headers.get(p.name.as_str()) {
            None if p.required => return Err(format!("header {} is required", p.name)),
            None => {}
            Some(v) => {
                let v = String::from_utf8_lossy(v.as_bytes());
                shape::check_text(&p.shape, &v).map_err(|e| format!("header {}: {e}", p.name))?;
            }
        }
    }

    let Some(spec) = &op.body else {
        if !body.is_empty() {
            tolerate(
                &mut out.warnings,
                format!("{} takes no request body, got {} bytes", op.id, body.len()),
            )?;
        }
        return Ok(out);
    };
    if body.is_empty() {
        return match spec.required {
            true => Err(format!("{} needs a request body", op.id)),
            false => Ok(out),
        };
    }
    let documented: Vec<&str> = spec.media.iter().map(|m| m.raw.as_str()).collect();
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .ok_or_else(|| {
            format!(
                "Content-Type is missing; {} takes {}",
                op.id,
                documented.join(" or ")
            )
        })?;
    let given = MediaType::parse(&content_type);
    let media = spec
        .media
        .iter()
        .find(|m| m.media.essence == given.essence)
        .ok_or_else(|| {
            format!(
                "Content-Type {content_type:?} is not documented for {}; it takes {}",
                op.id,
                documented.join(" or ")
            )
        })?;
    for (name, value) in &media.media.params {
        if !given
            .param(name)
            .is_some_and(|v| v.eq_ignore_ascii_case(value))
        {
            tolerate(
                &mut out.warnings,
                format!(
                    "Content-Type {content_type:?} lacks {name}={value} (the document says {})",
                    media.raw
                ),
            )?;
        }
    }

    if media.is_json() {
        let value: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| format!("the request body is not JSON: {e}"))?;
        shape::check_json(&media.shape, &value, "body")?;
        out.json = Some(value);
    } else if given.essence == "multipart/form-data" {
        let boundary = multipart::boundary(&content_type)
            .ok_or("multipart Content-Type without a usable boundary")?;
        let parts =
            multipart::parse(body, &boundary).map_err(|e| format!("bad multipart body: {e}"))?;
        if let Shape::Object { required, .. } = &media.shape
            && let Some(missing) = required
                .iter()
                .find(|r| !parts.iter().any(|p| &p.name == *r))
        {
            return Err(format!(
                "the multipart body lacks the required field {missing:?}"
            ));
        }
        out.form = Some(parts);
    }
    Ok(out)
}
