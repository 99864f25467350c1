//! Scripted misbehaviour: which operation misbehaves, how, and how often.
//!
//! A fault is written `OPERATION=ACTION[,key=value]...` on the command line
//! and as JSON on the admin endpoint (see the README for both). OPERATION is
//! an `operationId` of the document, one of the [`SHORT_NAMES`], or `*` for
//! every operation.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::contract::Contract;

/// Short operation names and the `operationId`s they stand for: what the
/// project's own notes and people type (`--fault list=503,times=2`).
pub const SHORT_NAMES: [(&str, &str); 4] = [
    ("list", "list_workflows"),
    ("show", "show_workflow"),
    ("import", "import_workflows"),
    ("export", "export_workflows"),
];

/// One rule. The first active rule whose operation matches a request is
/// applied to it.
///
/// `Deserialize` reads back what `Serialize` writes (`GET /_sim/faults`) and
/// ignores keys it does not know; [`Fault::from_json`] is the strict reader
/// for rules people write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// An `operationId`, or `*`.
    pub operation: String,
    #[serde(flatten)]
    pub action: FaultAction,
    /// How many requests it applies to before it expires; `None`: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Response headers to add, replacing the simulator's own of the same
    /// name (`Content-Disposition`, `Content-Type`, even `X-Request-Id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

/// What happens to a request the rule applies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum FaultAction {
    /// Answer this status at once. The body is `body` when given, else the
    /// gateway's error shape for 401/403/429 and the service's otherwise.
    Status {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// Wait this long, then answer normally.
    Latency { ms: u64 },
    /// Read the request, then never answer (no status line, no headers).
    StallHeaders,
    /// Answer the headers and `after` bytes of the body (default: half),
    /// then send nothing more while keeping the connection open.
    StallBody {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<u64>,
    },
    /// Like `StallBody`, but close the connection instead: the client sees
    /// fewer bytes than `Content-Length` announced.
    Cut {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<u64>,
    },
    /// Close the connection without answering anything.
    Close,
    /// Answer normally (with the rule's `headers`).
    Pass,
}

impl Fault {
    /// Reads `OPERATION=ACTION[,retry-after=S][,times=N][,after=BYTES][,ms=MS][,header=NAME:VALUE]...`,
    /// where ACTION is a status code (200..=599), `latency` (needs `ms`),
    /// `stall`, `stall-body`, `cut`, `close` or `pass`. A header value here
    /// cannot hold a comma; the JSON form has no such limit.
    pub fn parse(spec: &str) -> Result<Fault, String> {
        let (operation, rest) = spec
            .split_once('=')
            .ok_or_else(|| format!("{spec:?}: expected OPERATION=ACTION"))?;
        let operation = operation.trim();
        if operation.is_empty() || operation.contains(char::is_whitespace) {
            return Err(format!("{spec:?}: bad operation name {operation:?}"));
        }
        let mut pieces = rest.split(',');
        let action = pieces.next().unwrap_or_default().trim();
        let (mut retry_after, mut times, mut after, mut ms) = (None, None, None, None);
        let mut headers = Vec::new();
        for piece in pieces {
            let (key, value) = piece
                .split_once('=')
                .ok_or_else(|| format!("{spec:?}: expected key=value, got {piece:?}"))?;
            if key.trim() == "header" {
                let (name, value) = value
                    .split_once(':')
                    .ok_or_else(|| format!("{spec:?}: expected header=NAME:VALUE"))?;
                headers.push((name.trim().to_owned(), value.trim().to_owned()));
                continue;
            }
            let number = |v: &str| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{spec:?}: {key} must be a whole number, got {v:?}"))
            };
            let slot = match key.trim() {
                "retry-after" => &mut retry_after,
                "times" => &mut times,
                "after" => &mut after,
                "ms" => &mut ms,
                other => return Err(format!("{spec:?}: unknown key {other:?}")),
            };
            if slot.replace(number(value)?).is_some() {
                return Err(format!("{spec:?}: {key} given twice"));
            }
        }
        let unused = |name: &str, value: Option<u64>| match value {
            Some(_) => Err(format!("{spec:?}: {name} does not apply to {action}")),
            None => Ok(()),
        };
        let action = match action {
            "latency" => FaultAction::Latency {
                ms: ms.ok_or_else(|| format!("{spec:?}: latency needs ms=MS"))?,
            },
            "stall" => FaultAction::StallHeaders,
            "stall-body" => FaultAction::StallBody { after },
            "cut" => FaultAction::Cut { after },
            "close" => FaultAction::Close,
            "pass" => FaultAction::Pass,
            status => FaultAction::Status {
                status: status
                    .parse()
                    .ok()
                    .filter(|s| (200..=599).contains(s))
                    .ok_or_else(|| format!("{spec:?}: {status:?} is neither a status (200..=599) nor latency, stall, stall-body, cut, close or pass"))?,
                retry_after,
                body: None,
            },
        };
        if !matches!(action, FaultAction::Status { .. }) {
            unused("retry-after", retry_after)?;
        }
        if !matches!(
            action,
            FaultAction::StallBody { .. } | FaultAction::Cut { .. }
        ) {
            unused("after", after)?;
        }
        if !matches!(action, FaultAction::Latency { .. }) {
            unused("ms", ms)?;
        }
        let times = times
            .map(|t| u32::try_from(t).map_err(|_| format!("{spec:?}: times is too large")))
            .transpose()?;
        let fault = Fault {
            operation: operation.to_owned(),
            action,
            times,
            headers,
        };
        fault.check().map_err(|e| format!("{spec:?}: {e}"))?;
        Ok(fault)
    }

    /// Reads one rule in the JSON form (`POST /_sim/faults`, see the README).
    /// Unlike the derived `Deserialize`, it refuses keys the action does not
    /// take, and its errors name the missing field, the unknown action or
    /// the unknown key. `null` counts as absent. Not [`Fault::check`]ed.
    pub fn from_json(value: &Value) -> Result<Fault, String> {
        let rule = value
            .as_object()
            .ok_or_else(|| format!("a rule is a JSON object, not {value}"))?;
        let name: String = field(rule, "action")?
            .ok_or_else(|| format!("the rule lacks \"action\" (one of {})", ACTIONS.join(", ")))?;
        // What each action takes besides operation, action, times and headers.
        let (action, takes): (FaultAction, &[&str]) = match name.as_str() {
            "status" => (
                FaultAction::Status {
                    status: needed(rule, &name, "status")?,
                    retry_after: field(rule, "retry_after")?,
                    body: field(rule, "body")?,
                },
                &["status", "retry_after", "body"],
            ),
            "latency" => (
                FaultAction::Latency {
                    ms: needed(rule, &name, "ms")?,
                },
                &["ms"],
            ),
            "stall-headers" => (FaultAction::StallHeaders, &[]),
            "stall-body" => (
                FaultAction::StallBody {
                    after: field(rule, "after")?,
                },
                &["after"],
            ),
            "cut" => (
                FaultAction::Cut {
                    after: field(rule, "after")?,
                },
                &["after"],
            ),
            "close" => (FaultAction::Close, &[]),
            "pass" => (FaultAction::Pass, &[]),
            other => {
                return Err(format!(
                    "unknown action {other:?} (known: {})",
                    ACTIONS.join(", ")
                ));
            }
        };
        let common = ["operation", "action", "times", "headers"];
        if let Some(key) = rule
            .keys()
            .find(|k| !common.contains(&k.as_str()) && !takes.contains(&k.as_str()))
        {
            let all: Vec<&str> = common.iter().chain(takes).copied().collect();
            return Err(format!(
                "unknown key {key:?} (action {name:?} takes {})",
                all.join(", ")
            ));
        }
        Ok(Fault {
            operation: field(rule, "operation")?
                .ok_or_else(|| "the rule lacks \"operation\"".to_owned())?,
            action,
            times: field(rule, "times")?,
            headers: field(rule, "headers")?.unwrap_or_default(),
        })
    }

    /// What the spec parser checks that JSON alone does not: a status the
    /// server can send, a rule that applies at least once, and headers that
    /// are valid HTTP.
    pub fn check(&self) -> Result<(), String> {
        if let FaultAction::Status { status, .. } = self.action
            && !(200..=599).contains(&status)
        {
            return Err(format!("status {status} is not in 200..=599"));
        }
        // A rule used up before it applies would vanish without a word.
        if self.times == Some(0) {
            return Err("times must be at least 1".to_owned());
        }
        for (name, value) in &self.headers {
            http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("{name:?} is not a header name"))?;
            // As bytes: UTF-8 beyond ASCII is sent as it is (obs-text), so
            // that a test can see how a client shows it; control
            // characters are still refused.
            http::HeaderValue::from_bytes(value.as_bytes())
                .map_err(|_| format!("{value:?} is not a header value"))?;
        }
        Ok(())
    }

    /// The rule, checked, with its operation as the `operationId` of
    /// `contract`: an id of the document stays as it is, a short name
    /// becomes the id it stands for; anything else is refused, naming what
    /// is known.
    pub fn resolve(mut self, contract: &Contract) -> Result<Fault, String> {
        self.check()?;
        if self.operation == "*" || contract.operation(&self.operation).is_some() {
            return Ok(self);
        }
        // Only short names whose operation this document has.
        let short: Vec<(&str, &str)> = SHORT_NAMES
            .into_iter()
            .filter(|(_, id)| contract.operation(id).is_some())
            .collect();
        if let Some((_, id)) = short.iter().find(|(name, _)| *name == self.operation) {
            self.operation = (*id).to_owned();
            return Ok(self);
        }
        let mut known: Vec<&str> = contract
            .operations()
            .iter()
            .map(|o| o.id.as_str())
            .collect();
        known.extend(short.iter().map(|(name, _)| *name));
        Err(format!(
            "no operation {:?} in the document (known: {}, or *)",
            self.operation,
            known.join(", ")
        ))
    }
}

/// The `action` values of the JSON form.
const ACTIONS: [&str; 7] = [
    "status",
    "latency",
    "stall-headers",
    "stall-body",
    "cut",
    "close",
    "pass",
];

/// `rule[key]` as a `T`, `None` when absent or `null`; a value of the wrong
/// type is refused naming the key.
fn field<T: DeserializeOwned>(rule: &Map<String, Value>, key: &str) -> Result<Option<T>, String> {
    match rule.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => serde_json::from_value(value.clone())
            .map(Some)
            .map_err(|e| format!("{key:?}: {e}")),
    }
}

/// `rule[key]`, which `action` cannot do without.
fn needed<T: DeserializeOwned>(
    rule: &Map<String, Value>,
    action: &str,
    key: &str,
) -> Result<T, String> {
    field(rule, key)?.ok_or_else(|| format!("action {action:?} needs {key:?}"))
}

/// The spec form; a status body is not part of it, nor a header value's
/// commas.
impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.operation)?;
        match &self.action {
            FaultAction::Status {
                status,
                retry_after,
                ..
            } => {
                write!(f, "{status}")?;
                if let Some(s) = retry_after {
                    write!(f, ",retry-after={s}")?;
                }
            }
            FaultAction::Latency { ms } => write!(f, "latency,ms={ms}")?,
            FaultAction::StallHeaders => f.write_str("stall")?,
            FaultAction::StallBody { after } | FaultAction::Cut { after } => {
                let name = if matches!(self.action, FaultAction::Cut { .. }) {
                    "cut"
                } else {
                    "stall-body"
                };
                f.write_str(name)?;
                if let Some(a) = after {
                    write!(f, ",after={a}")?;
                }
            }
            FaultAction::Close => f.write_str("close")?,
            FaultAction::Pass => f.write_str("pass")?,
        }
        if let Some(t) = self.times {
            write!(f, ",times={t}")?;
        }
        for (name, value) in &self.headers {
            write!(f, ",header={name}:{value}")?;
        }
        Ok(())
    }
}

/// The active rules, in the order they were added. `times` counts down and
/// a rule that reaches zero is dropped.
#[derive(Debug, Default)]
pub struct FaultSet {
    rules: Vec<Fault>,
    /// What the rules take as JSON, summed.
    bytes: usize,
}

/// `POST /_sim/faults` adds no rule past this many active ones...
pub const MAX_FAULTS: usize = 10_000;
/// ... nor past 4 MiB of them as JSON (what `GET /_sim/faults` answers),
/// so that requests cannot grow memory, or every admin answer, without
/// end. Rules from the builder ([`SimulatorBuilder::fault`]) and the handle
/// ([`Simulator::add_fault`]) are not bounded, but count towards both.
///
/// [`SimulatorBuilder::fault`]: crate::SimulatorBuilder::fault
/// [`Simulator::add_fault`]: crate::Simulator::add_fault
pub const MAX_FAULT_BYTES: usize = 4 << 20;

/// A rule's size as JSON, its times left aside (they count down).
fn size(fault: &Fault) -> usize {
    let fault = Fault {
        times: None,
        ..fault.clone()
    };
    serde_json::to_string(&fault).map_or(0, |json| json.len())
}

impl FaultSet {
    /// Adds a rule from the simulator's own user (the builder, the
    /// handle): not bounded, but counted in what [`FaultSet::add_all`]
    /// allows.
    pub fn add(&mut self, fault: Fault) {
        if fault.times != Some(0) {
            self.bytes += size(&fault);
            self.rules.push(fault);
        }
    }

    /// Adds rules from outside (`POST /_sim/faults`): all of `faults` or, past [`MAX_FAULTS`] or [`MAX_FAULT_BYTES`]
    /// with the rules already active, none. [`Fault::check`] refuses
    /// `times: 0`; should one come here anyway, it is dropped rather than
    /// counted below zero.
    pub fn add_all(&mut self, faults: Vec<Fault>) -> Result<(), String> {
        let faults: Vec<Fault> = faults.into_iter().filter(|f| f.times != Some(0)).collect();
        let bytes: usize = faults.iter().map(size).sum();
        if self.rules.len() + faults.len() > MAX_FAULTS || self.bytes + bytes > MAX_FAULT_BYTES {
            return Err(format!(
                "at most {MAX_FAULTS} rules of {MAX_FAULT_BYTES} bytes (as JSON) in all may be active: \
                 {} rules of {} bytes are, and these are {} of {bytes} (clear them first)",
                self.rules.len(),
                self.bytes,
                faults.len()
            ));
        }
        self.bytes += bytes;
        self.rules.extend(faults);
        Ok(())
    }

    pub fn clear(&mut self) {
        self.rules.clear();
        self.bytes = 0;
    }

    pub fn active(&self) -> Vec<Fault> {
        self.rules.clone()
    }

    /// The rule for one request to `operation`, using up one of its times.
    pub fn take(&mut self, operation: &str) -> Option<Fault> {
        let i = self
            .rules
            .iter()
            .position(|r| r.operation == "*" || r.operation == operation)?;
        let rule = self.rules[i].clone();
        if let Some(times) = &mut self.rules[i].times {
            *times -= 1;
            if *times == 0 {
                let gone = self.rules.remove(i);
                self.bytes -= size(&gone);
            }
        }
        Some(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_action() {
        let f = Fault::parse("export_workflows=429,retry-after=2,times=1").unwrap();
        assert_eq!(
            f,
            Fault {
                operation: "export_workflows".into(),
                action: FaultAction::Status {
                    status: 429,
                    retry_after: Some(2),
                    body: None
                },
                times: Some(1),
                headers: Vec::new(),
            }
        );
        assert_eq!(f.to_string(), "export_workflows=429,retry-after=2,times=1");
        for spec in [
            "*=latency,ms=300",
            "*=stall",
            "a=stall-body,after=10",
            "a=cut",
            "a=close,times=3",
            "a=pass,header=Content-Disposition:attachment; filename=\"x.zip\"",
            "a=500,header=X-Request-Id:r-500,header=Content-Type:text/plain",
        ] {
            assert_eq!(Fault::parse(spec).unwrap().to_string(), spec);
        }
        for bad in [
            "x",
            "=503",
            "a=99",
            "a=600",
            "a=latency",
            "a=503,after=1",
            "a=cut,ms=1",
            "a=503,times=x",
            "a=503,times=0",
            "a=503,times=1,times=2",
            "a=503,foo=1",
            "a=pass,header=no colon",
            "a=pass,header=bad name:x",
        ] {
            assert!(Fault::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_names_resolve_to_the_documents_operation_ids() {
        let contract = Contract::embedded();
        let resolved = |spec: &str| Fault::parse(spec).unwrap().resolve(&contract);
        for (spec, id) in [
            ("list=503,times=2", "list_workflows"),
            ("show=close", "show_workflow"),
            ("import=pass", "import_workflows"),
            ("export=429,retry-after=1,times=1", "export_workflows"),
            ("export_workflows=503", "export_workflows"),
            ("*=close", "*"),
        ] {
            assert_eq!(resolved(spec).unwrap().operation, id, "{spec}");
        }
        let unknown = resolved("nope=503").unwrap_err();
        assert!(
            unknown.starts_with("no operation \"nope\"") && unknown.contains("list, show"),
            "{unknown}"
        );
        let mut never = Fault::parse("list=503").unwrap();
        never.times = Some(0);
        assert_eq!(
            never.resolve(&contract).unwrap_err(),
            "times must be at least 1"
        );
    }

    #[test]
    fn times_count_down_and_first_match_wins() {
        let mut set = FaultSet::default();
        set.add_all(vec![
            Fault::parse("a=503,times=2").unwrap(),
            Fault::parse("*=close").unwrap(),
        ])
        .unwrap();
        assert!(matches!(
            set.take("a").map(|r| r.action),
            Some(FaultAction::Status { status: 503, .. })
        ));
        assert!(matches!(
            set.take("b").map(|r| r.action),
            Some(FaultAction::Close)
        ));
        assert!(matches!(
            set.take("a").map(|r| r.action),
            Some(FaultAction::Status { .. })
        ));
        assert!(matches!(
            set.take("a").map(|r| r.action),
            Some(FaultAction::Close)
        ));
        assert_eq!(set.active().len(), 1);
    }
}
