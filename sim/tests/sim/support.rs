//! Helpers shared by the simulator's tests: the simulator set up with the
//! document, signed and raw requests, multipart bodies, base64.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use secmaster_signer::{RequestParts, SecretKey, SigningKey, sign};
use secmaster_sim::multipart::{self, Part};
use secmaster_sim::{Contract, EMBEDDED_DOCUMENT, Simulator, SimulatorBuilder};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub use secmaster_sim::testing::{
    AK, PROJECT, SECURITY_TOKEN, SK, TOKEN, WORKSPACE, answer, export_pattern, fault,
};

/// The tests' own document with all four operations.
pub const TEST_DOCUMENT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/workflows.yaml"
));

/// The embedded document when it documents all four operations (it is the
/// contract), else the tests' own: list, show and import were being added
/// to openapi/secmaster.yaml while this crate was written.
pub fn document() -> &'static str {
    let embedded = Contract::from_yaml(EMBEDDED_DOCUMENT).expect("the embedded document parses");
    let complete = [
        "list_workflows",
        "show_workflow",
        "import_workflows",
        "export_workflows",
    ]
    .iter()
    .all(|id| embedded.operation(id).is_some());
    if complete {
        EMBEDDED_DOCUMENT
    } else {
        TEST_DOCUMENT
    }
}

/// A builder with [`document`] in force, and [`WORKSPACE`] of [`PROJECT`]
/// made, empty.
pub fn sim() -> SimulatorBuilder {
    Simulator::builder()
        .document(document())
        .seed(PROJECT, WORKSPACE, 0)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// `.../v1/{project}/workspaces/{workspace}/soc/workflows` plus `tail`.
pub fn url(sim: &Simulator, workspace: &str, tail: &str) -> String {
    format!(
        "{}/v1/{PROJECT}/workspaces/{workspace}/soc/workflows{tail}",
        sim.base_url()
    )
}

/// The headers the official SDK adds when signing this request with
/// [`AK`]/[`SK`] and project [`PROJECT`] (X-Project-Id, X-Sdk-Date, Host,
/// maybe X-Sdk-Content-Sha256, Authorization).
pub fn signature(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    sk: &str,
) -> Vec<(String, String)> {
    signature_at(method, url, headers, body, sk, SystemTime::now())
}

/// [`signature`] with `X-Sdk-Date` set to `at`.
pub fn signature_at(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    sk: &str,
    at: SystemTime,
) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(url).unwrap();
    let host = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let parts = RequestParts {
        method,
        path: url.path(),
        query: url.query().unwrap_or(""),
        host: &host,
        headers,
        body,
    };
    let secret = SecretKey::new(sk.as_bytes());
    let key = SigningKey {
        access_key_id: AK,
        secret_access_key: &secret,
        security_token: None,
        project_id: Some(PROJECT),
    };
    let signed = sign(&parts, &key, at).unwrap();
    headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .chain(signed.headers.into_iter().map(|(n, v)| (n.to_owned(), v)))
        .collect()
}

/// Sends a request signed with [`SK`] (or another key) with reqwest.
pub async fn send_signed(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
    sk: &str,
) -> reqwest::Response {
    let mut request = client().request(method.parse().unwrap(), url);
    for (name, value) in signature(method, url, headers, &body, sk) {
        request = request.header(name, value);
    }
    request.body(body).send().await.unwrap()
}

/// Sends `request` and reads the answer's body as JSON, whatever its status.
pub async fn json_answer<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
    request.send().await.unwrap().json().await.unwrap()
}

/// A multipart body with one `uploadFile` part, and its Content-Type.
pub fn upload(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "e7269432c3c04057a1c60f407c8ce5dd";
    let part = Part {
        name: "uploadFile".into(),
        filename: Some("workflows.json".into()),
        content_type: None,
        data: file.to_vec(),
    };
    (
        format!("multipart/form-data; boundary={boundary}"),
        multipart::build(&[part], boundary),
    )
}

/// What came back on a raw connection.
#[derive(Debug)]
pub struct Raw {
    pub bytes: Vec<u8>,
    /// The server closed the connection within the wait.
    pub closed: bool,
}

impl Raw {
    /// Where the head ends: after its blank line, or at the end of what came.
    fn head_end(&self) -> usize {
        self.bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(self.bytes.len(), |i| i + 4)
    }

    pub fn head(&self) -> String {
        String::from_utf8_lossy(&self.bytes[..self.head_end()]).into_owned()
    }

    /// The status of an HTTP/1.1 answer, from its status line.
    pub fn status(&self) -> Option<u16> {
        self.head()
            .strip_prefix("HTTP/1.1 ")?
            .get(..3)?
            .parse()
            .ok()
    }

    /// A whole answer: headers and as many body bytes as announced.
    fn complete(&self) -> bool {
        let head = self.head().to_ascii_lowercase();
        let announced = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|n| n.trim().parse::<usize>().ok());
        head.ends_with("\r\n\r\n") && announced.is_some_and(|n| self.body().len() >= n)
    }

    pub fn body(&self) -> &[u8] {
        &self.bytes[self.head_end()..]
    }
}

/// Writes `request` on a fresh connection and reads for `wait` or until
/// the server closes. The connection is returned too, to check later.
pub async fn raw(addr: SocketAddr, request: &[u8], wait: Duration) -> (Raw, TcpStream) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut bytes = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    let mut chunk = vec![0u8; 64 * 1024];
    let closed = loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => break false,
            Ok(Ok(0)) | Ok(Err(_)) => break true,
            Ok(Ok(n)) => bytes.extend_from_slice(&chunk[..n]),
        }
        let so_far = Raw {
            bytes,
            closed: false,
        };
        if so_far.complete() {
            return (so_far, stream);
        }
        bytes = so_far.bytes;
    };
    (Raw { bytes, closed }, stream)
}

/// An export request for `ids` in raw HTTP/1.1.
pub fn raw_export(ids: &str) -> Vec<u8> {
    let body = format!("{{\"id\": [{ids}]}}");
    format!(
        "POST /v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows/export HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Standard base64 with padding, decoded: the log's `body_base64` and the
/// recorded SDK bodies (written here: the simulator's tests need no crate).
pub fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    assert_eq!(text.len() % 4, 0, "padded to whole quads: {text}");
    let mut out = Vec::new();
    for quad in text.as_bytes().chunks(4) {
        let digits: Vec<u32> = quad
            .iter()
            .take_while(|&&c| c != b'=')
            .map(|c| ALPHABET.iter().position(|a| a == c).expect("base64 digit") as u32)
            .collect();
        let n = digits
            .iter()
            .enumerate()
            .fold(0, |n, (i, d)| n | d << (18 - 6 * i));
        out.extend((0..digits.len() - 1).map(|i| (n >> (16 - 8 * i)) as u8));
    }
    out
}

/// A connection to `addr` that has sent `request` and will read slowly or
/// not at all. Its receive buffer is set small (64 KiB): left to itself,
/// Linux lets it grow to tens of MB on loopback, and an answer that fits
/// in the buffers has been sent before anyone reads it.
pub async fn unread_caller(addr: SocketAddr, request: &[u8]) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(64 * 1024).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    stream
}
