//! The request log: one record per API request, kept in memory for tests
//! and written as one JSON line per request to the `--log` file. Secrets
//! never enter it: tokens are replaced and signatures cut off.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::Instant;

use serde::Serialize;

const REDACTED: &str = "<redacted>";
/// Memory keeps the most recent requests only, so that a long run (a
/// benchmark) does not grow without end; the file keeps every one.
pub const KEPT_IN_MEMORY: usize = 10_000;

/// One API request and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub request_id: String,
    /// When it arrived: `YYYY-MM-DDTHH:MM:SSZ`.
    pub time: String,
    pub method: String,
    /// Raw path, as sent.
    pub path: String,
    /// Raw query, without `?` (empty for none).
    pub query: String,
    /// In arrival order, names as received, secrets redacted.
    pub headers: Vec<(String, String)>,
    pub body_length: usize,
    /// The `operationId`, when the path and method named one.
    pub operation: Option<String>,
    /// `ok: ...` or `failed: ...`, or `not run` when routing failed first.
    pub auth: String,
    /// `ok`, `rejected: ...`, or `not run`.
    pub validation: String,
    /// What `--strict` would have refused.
    pub warnings: Vec<String>,
    /// The fault applied, in spec form.
    pub fault: Option<String>,
    /// The status answered; `None` when the fault sent none.
    pub status: Option<u16>,
    /// The body as received (not written to the log file).
    #[serde(skip)]
    pub body: Vec<u8>,
    #[serde(skip)]
    pub received_at: Instant,
}

impl RequestRecord {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Header values with the secret parts replaced.
pub fn redact(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = match name.to_ascii_lowercase().as_str() {
                "x-auth-token" | "x-security-token" | "cookie" => REDACTED.to_owned(),
                "authorization" => match value.find("Signature=") {
                    Some(at) => format!("{}Signature={REDACTED}", &value[..at]),
                    None => REDACTED.to_owned(),
                },
                _ => value.clone(),
            };
            (name.clone(), shown)
        })
        .collect()
}

#[derive(Debug, Default)]
pub struct RequestLog {
    records: Mutex<VecDeque<RequestRecord>>,
    file: Option<Mutex<BufWriter<File>>>,
}

impl RequestLog {
    /// Appends to `path` (created if missing) when given.
    pub fn open(path: Option<&Path>) -> std::io::Result<RequestLog> {
        let file = match path {
            Some(p) => Some(Mutex::new(BufWriter::new(
                File::options().create(true).append(true).open(p)?,
            ))),
            None => None,
        };
        Ok(RequestLog {
            records: Mutex::default(),
            file,
        })
    }

    pub fn push(&self, record: RequestRecord) {
        if let Some(file) = &self.file {
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            // A full disk must not take the simulator down; the in-memory
            // log still has the record.
            if let Ok(line) = serde_json::to_string(&record) {
                let _ = writeln!(file, "{line}").and_then(|()| file.flush());
            }
        }
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        if records.len() == KEPT_IN_MEMORY {
            records.pop_front();
        }
        records.push_back(record);
    }

    pub fn records(&self) -> Vec<RequestRecord> {
        let records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        records.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let headers = vec![
            ("X-Auth-Token".to_owned(), "secret-token".to_owned()),
            (
                "Authorization".to_owned(),
                "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc".to_owned(),
            ),
            ("Host".to_owned(), "h".to_owned()),
        ];
        let shown = redact(&headers);
        assert_eq!(shown[0].1, "<redacted>");
        assert_eq!(
            shown[1].1,
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=<redacted>"
        );
        assert_eq!(shown[2].1, "h");
    }
}
