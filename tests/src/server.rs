//! A small scripted HTTP/1.1 server on 127.0.0.1 for fault tests: it records
//! each request exactly as received (raw path included) and answers as the
//! test says, including answers no well-behaved server gives (stalls, bodies
//! cut short). It stops when the test's runtime ends.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target as sent: percent-encoded path and query.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub received_at: Instant,
}

impl Recorded {
    /// The first header of that name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How to answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Read the request, then say nothing.
    Stall,
    /// Send the headers (with `status`) announcing `announced` bytes and the
    /// first part of the body, then either stall or close the connection.
    Partial {
        status: u16,
        announced: usize,
        sent: Vec<u8>,
        then_close: bool,
    },
}

impl Reply {
    /// A response with a body and extra headers.
    pub fn status(status: u16, body: impl Into<Vec<u8>>, headers: &[(&str, &str)]) -> Reply {
        Reply::Full {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.into(),
        }
    }
}

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

/// The running server.
pub struct ScriptedServer {
    pub base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl ScriptedServer {
    /// Starts a server that answers request number `n` (0-based) with
    /// `handler(&request, n)`.
    pub async fn start(
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let seen = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (handler, seen) = (Arc::clone(&handler), Arc::clone(&seen));
                tokio::spawn(async move {
                    let _ = serve(stream, &*handler, &seen).await;
                });
            }
        });
        ScriptedServer { base_url, requests }
    }

    /// Every request so far, in order of arrival.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    handler: &Handler,
    seen: &Mutex<Vec<Recorded>>,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut stream).await? else {
        return Ok(());
    };
    let n = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    match handler(&request, n) {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
            stream.shutdown().await
        }
        Reply::Stall => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        }
        Reply::Partial {
            status,
            announced,
            sent,
            then_close,
        } => {
            let head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/octet-stream\r\ncontent-length: {announced}\r\nx-request-id: partial-1\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&sent).await?;
            stream.flush().await?;
            if then_close {
                stream.shutdown().await
            } else {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Ok(())
            }
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Option<Recorded>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let received_at = Instant::now();
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some(Recorded {
        method,
        target,
        headers,
        body,
        received_at,
    }))
}

/// Recomputes an SDK-HMAC-SHA256 signature from a request as received and
/// compares it with the one in its `Authorization` header, as the API gateway
/// does. Returns why it does not match, if it does not.
pub fn verify_signature(
    request: &Recorded,
    access_key_id: &str,
    secret_access_key: &str,
) -> Result<(), String> {
    use secmaster_client::signer::{RequestParts, SecretKey, SigningKey, sign};
    let authorization = request
        .header("authorization")
        .ok_or("no Authorization header")?;
    let rest = authorization
        .strip_prefix("SDK-HMAC-SHA256 ")
        .ok_or("not an SDK-HMAC-SHA256 signature")?;
    let field = |name: &str| {
        rest.split(", ")
            .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
            .ok_or(format!("no {name} in Authorization"))
    };
    let (access, signed_headers, claimed) = (
        field("Access")?,
        field("SignedHeaders")?,
        field("Signature")?,
    );
    if access != access_key_id {
        return Err(format!("unknown access key {access}"));
    }
    // Only the headers the client says it signed take part.
    let mut headers = Vec::new();
    for name in signed_headers.split(';') {
        let value = request
            .header(name)
            .ok_or(format!("signed header {name} is missing"))?;
        headers.push((name, value));
    }
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((&request.target, ""));
    let host = request.header("host").ok_or("no Host header")?;
    let parts = RequestParts {
        method: &request.method,
        path,
        query,
        host,
        headers: &headers,
        body: &request.body,
    };
    let key = SigningKey {
        access_key_id,
        secret_access_key: &SecretKey::new(secret_access_key.as_bytes()),
        security_token: None,
        project_id: None,
    };
    let expected = sign(&parts, &key, std::time::SystemTime::now()).map_err(|e| e.to_string())?;
    let details = expected.details.ok_or("nothing was signed")?;
    if details.signed_headers != signed_headers {
        return Err(format!(
            "signed headers differ: {} vs {signed_headers}",
            details.signed_headers
        ));
    }
    if details.signature != claimed {
        return Err("signature mismatch".into());
    }
    Ok(())
}
