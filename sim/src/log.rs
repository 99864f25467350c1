//! The request log: one record per API request, kept in memory for tests
//! and written as one JSON line per request to the `--log` file. Secrets
//! never enter it: tokens are replaced and signatures cut off. Memory is
//! bounded in records and in bytes, whatever the requests: bodies are kept
//! only when asked for, and never a refused request's.

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
/// ... and no more of them than fit in 64 MiB, bodies and headers
/// included (headers alone may take some 400 kB a request).
pub const KEPT_BYTES: usize = 64 << 20;

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
    /// The length of the body received, kept or not.
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
    /// The answer was made from the document: the simulator has no
    /// behaviour of its own for the operation.
    pub synthesised: bool,
    /// The body as received, when bodies are logged and the request was
    /// not refused; otherwise empty (see `body_length`). Written to the
    /// log file only as `body_base64`.
    #[serde(skip)]
    pub body: Vec<u8>,
    #[serde(skip)]
    pub received_at: Instant,
    /// When the answer's status and headers were ready to go out; `None`
    /// when a fault sent none. With `received_at`, it tells which requests
    /// were in the simulator at the same time.
    #[serde(skip)]
    pub answered_at: Option<Instant>,
}

impl RequestRecord {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Roughly what the record takes in memory.
    fn size(&self) -> usize {
        let strings = [
            &self.request_id,
            &self.time,
            &self.method,
            &self.path,
            &self.query,
            &self.auth,
            &self.validation,
        ];
        std::mem::size_of::<RequestRecord>()
            + strings.iter().map(|s| s.len()).sum::<usize>()
            + self
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len() + 2 * std::mem::size_of::<String>())
                .sum::<usize>()
            + self.operation.as_ref().map_or(0, String::len)
            + self.warnings.iter().map(String::len).sum::<usize>()
            + self.fault.as_ref().map_or(0, String::len)
            + self.body.len()
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
    kept: Mutex<Kept>,
    file: Option<Mutex<BufWriter<File>>>,
    /// Keep the bodies of requests that were not refused, and write them
    /// to the file as `body_base64`.
    bodies: bool,
}

/// The newest records, and the bytes they take.
#[derive(Debug, Default)]
struct Kept {
    records: VecDeque<RequestRecord>,
    bytes: usize,
}

impl RequestLog {
    /// Appends to `path` (created if missing) when given.
    /// Fails with a message naming the file and the OS error.
    pub fn open(path: Option<&Path>) -> Result<RequestLog, String> {
        let file = match path {
            Some(p) => Some(Mutex::new(BufWriter::new(
                File::options()
                    .create(true)
                    .append(true)
                    .open(p)
                    .map_err(|e| format!("cannot open the log file {}: {e}", p.display()))?,
            ))),
            None => None,
        };
        Ok(RequestLog {
            kept: Mutex::default(),
            file,
            bodies: false,
        })
    }

    /// With `true`, records keep the bodies of requests that were not
    /// refused, and each line of the file holds it, base64-encoded
    /// (`body_base64`), for harnesses that compare what clients sent byte
    /// for byte. Headers stay redacted either way.
    pub fn with_bodies(mut self, bodies: bool) -> RequestLog {
        self.bodies = bodies;
        self
    }

    /// The body to keep in a request's record: a copy when bodies are
    /// logged, else nothing.
    pub fn keep(&self, body: &[u8]) -> Vec<u8> {
        if self.bodies {
            body.to_vec()
        } else {
            Vec::new()
        }
    }

    pub fn push(&self, record: RequestRecord) {
        if let Some(file) = &self.file {
            let mut file = file.lock().unwrap_or_else(|e| e.into_inner());
            // A full disk must not take the simulator down; the in-memory
            // log still has the record.
            if let Ok(line) = self.line(&record) {
                let _ = writeln!(file, "{line}").and_then(|()| file.flush());
            }
        }
        let mut kept = self.lock();
        kept.bytes += record.size();
        kept.records.push_back(record);
        // The newest record stays whatever its size (at most a 12 MiB body
        // and its headers).
        while kept.records.len() > 1
            && (kept.records.len() > KEPT_IN_MEMORY || kept.bytes > KEPT_BYTES)
        {
            let oldest = kept.records.pop_front().expect("more than one");
            kept.bytes -= oldest.size();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The record as one line of JSON, with the body when asked for.
    fn line(&self, record: &RequestRecord) -> serde_json::Result<String> {
        if !self.bodies {
            return serde_json::to_string(record);
        }
        let mut value = serde_json::to_value(record)?;
        if let serde_json::Value::Object(fields) = &mut value {
            fields.insert("body_base64".into(), base64(&record.body).into());
        }
        serde_json::to_string(&value)
    }

    pub fn records(&self) -> Vec<RequestRecord> {
        self.lock().records.iter().cloned().collect()
    }

    /// The newest record, without copying the others.
    pub fn last(&self) -> Option<RequestRecord> {
        self.lock().records.back().cloned()
    }
}

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(header_bytes: usize, body_bytes: usize) -> RequestRecord {
        RequestRecord {
            request_id: "1".into(),
            time: String::new(),
            method: "GET".into(),
            path: "/".into(),
            query: String::new(),
            headers: vec![("x-big".into(), "h".repeat(header_bytes))],
            body_length: body_bytes,
            operation: None,
            auth: "not run".into(),
            validation: "not run".into(),
            warnings: Vec::new(),
            fault: None,
            status: Some(404),
            synthesised: false,
            body: vec![0; body_bytes],
            received_at: Instant::now(),
            answered_at: None,
        }
    }

    #[test]
    fn memory_stays_within_the_byte_budget_whatever_the_records() {
        let log = RequestLog::default();
        // Large headers, as hyper lets through (some 400 kB a request).
        for _ in 0..400 {
            log.push(record(400_000, 0));
        }
        let kept = log.lock();
        assert!(kept.bytes <= KEPT_BYTES, "{}", kept.bytes);
        assert!(kept.records.len() < 400 && kept.records.len() > 100);
        assert_eq!(
            kept.bytes,
            kept.records.iter().map(RequestRecord::size).sum::<usize>()
        );
        drop(kept);
        // One body larger than the budget's remainder pushes out the oldest.
        log.push(record(0, 12 << 20));
        let kept = log.lock();
        assert!(kept.bytes <= KEPT_BYTES, "{}", kept.bytes);
        assert_eq!(kept.records.back().unwrap().body.len(), 12 << 20);
    }

    #[test]
    fn small_records_are_kept_up_to_the_count() {
        let log = RequestLog::default();
        for _ in 0..KEPT_IN_MEMORY + 5 {
            log.push(record(10, 0));
        }
        assert_eq!(log.records().len(), KEPT_IN_MEMORY);
    }

    #[test]
    fn base64_is_the_standard_alphabet_with_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
        assert_eq!(base64(&[0xff, 0xfe, 0x00, 0x3e]), "//4APg==");
    }

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
