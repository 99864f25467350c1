//! A local stand-in for the export endpoint, for the export benchmarks of
//! `cargo xtask bench`: as little work per byte as the standard library
//! allows (`secmaster-sim --export-size` does more per byte, which showed in
//! the 1 GiB figures; docs/benchmarks.md, "The server").
//!
//! `bench-server [--port N] [--until-stdin-closes]` listens on 127.0.0.1
//! (port 0: any free one), prints `listening on 127.0.0.1:PORT` on standard
//! output, and serves until it is killed or, with `--until-stdin-closes`,
//! until its standard input reaches its end: the harness holds that pipe, so
//! the server goes away with the harness however the harness ends.
//!
//! `POST .../v1/{project_id}/workspaces/size-{N}/soc/workflows/export` is
//! answered `200` with exactly `N` bytes and `Content-Length: N`: the size
//! travels in the workspace id, so every client (curl, the CLI, the official
//! SDK) asks for it the same way. Byte `i` of the body is `i % 251`, so a
//! saved file can be checked without keeping a copy. The body is written
//! from one fixed buffer over and over: memory stays constant whatever `N`.
//!
//! HTTP/1.1 keep-alive is supported (one thread per connection, requests
//! answered in order); `Connection: close` and HTTP/1.0 close after the
//! answer. Request bodies must carry `Content-Length` (all the clients
//! measured here send one) and are read and discarded.
#![forbid(unsafe_code)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};

/// The body pattern's period: a prime, so that it never lines up with
/// buffer or page sizes and a misplaced block shows.
const PERIOD: usize = 251;
/// The fixed buffer the body is written from: a whole number of periods.
const BLOCK: usize = PERIOD * 1024;
/// Requests with longer header sections are refused.
const MAX_HEAD: usize = 64 * 1024;

static REQUESTS: AtomicU64 = AtomicU64::new(0);

fn main() {
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    let mut lifeline = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => match args.next().and_then(|p| p.parse().ok()) {
                Some(p) => port = p,
                None => usage(),
            },
            "--until-stdin-closes" => lifeline = true,
            _ => usage(),
        }
    }
    if lifeline {
        std::thread::spawn(|| {
            let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
            std::process::exit(0);
        });
    }
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("cannot listen on 127.0.0.1");
    let address = listener
        .local_addr()
        .expect("a bound socket has an address");
    println!("listening on {address}");
    io::stdout().flush().expect("standard output");

    let block: &'static [u8] = Box::leak((0..BLOCK).map(|i| (i % PERIOD) as u8).collect());
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        std::thread::spawn(move || {
            // A client that goes away mid-answer is normal here (a cut
            // benchmark run); nothing to report.
            let _ = serve(stream, block);
        });
    }
}

fn usage() -> ! {
    eprintln!("usage: bench-server [--port N] [--until-stdin-closes]");
    std::process::exit(2);
}

/// One parsed request head.
struct Head {
    method: String,
    target: String,
    content_length: u64,
    keep_alive: bool,
    expect_continue: bool,
}

fn serve(stream: TcpStream, block: &[u8]) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream.try_clone()?);
    let mut writer = stream;
    loop {
        let Some(head) = read_head(&mut reader)? else {
            return Ok(()); // the client closed between requests
        };
        if head.expect_continue {
            writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        io::copy(
            &mut (&mut reader).take(head.content_length),
            &mut io::sink(),
        )?;
        let n = REQUESTS.fetch_add(1, Ordering::Relaxed) + 1;
        match route(&head) {
            Ok(size) => answer(&mut writer, n, size, head.keep_alive, block)?,
            Err((status, message)) => {
                let body = format!("{{\"code\":\"BENCH.{status}\",\"message\":\"{message}\"}}");
                let head_text = format!(
                    "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: bench-{n}\r\nconnection: {}\r\n\r\n",
                    if status == 404 {
                        "Not Found"
                    } else {
                        "Bad Request"
                    },
                    body.len(),
                    if head.keep_alive {
                        "keep-alive"
                    } else {
                        "close"
                    },
                );
                writer.write_all([head_text.as_bytes(), body.as_bytes()].concat().as_slice())?;
            }
        }
        if !head.keep_alive {
            return Ok(());
        }
    }
}

/// Reads a request line and headers; `None` at a clean end of stream.
fn read_head(reader: &mut impl BufRead) -> io::Result<Option<Head>> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let mut line = String::new();
    let mut total = 0;
    // Tolerate empty lines before a request (RFC 9112, 2.2).
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        if n == 0 {
            return Ok(None);
        }
        total += n;
        if !line.trim_end().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("bad request line"));
    };
    let mut head = Head {
        method: method.to_owned(),
        target: target.to_owned(),
        content_length: 0,
        keep_alive: version == "HTTP/1.1",
        expect_continue: false,
    };
    loop {
        line.clear();
        let n = reader.read_line(&mut line)?;
        total += n;
        if n == 0 {
            return Err(bad("end of stream inside the headers"));
        }
        if total > MAX_HEAD {
            return Err(bad("headers too long"));
        }
        let field = line.trim_end();
        if field.is_empty() {
            return Ok(Some(head));
        }
        let Some((name, value)) = field.split_once(':') else {
            return Err(bad("bad header line"));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => {
                head.content_length = value.parse().map_err(|_| bad("bad content-length"))?;
            }
            "transfer-encoding" => return Err(bad("chunked request bodies are not supported")),
            "connection" if value.eq_ignore_ascii_case("close") => head.keep_alive = false,
            "connection" if value.eq_ignore_ascii_case("keep-alive") => head.keep_alive = true,
            "expect" if value.eq_ignore_ascii_case("100-continue") => head.expect_continue = true,
            _ => {}
        }
    }
}

/// The body size asked for, or an error status and message.
fn route(head: &Head) -> Result<u64, (u16, &'static str)> {
    let path = head.target.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    // Any path prefix (an endpoint with a path) is allowed before /v1.
    let tail = match segments.iter().rposition(|s| *s == "v1") {
        Some(i) => &segments[i..],
        None => return Err((404, "no such path")),
    };
    let [
        "v1",
        _project,
        "workspaces",
        workspace,
        "soc",
        "workflows",
        "export",
    ] = tail
    else {
        return Err((404, "no such path"));
    };
    if head.method != "POST" {
        return Err((404, "export takes POST"));
    }
    workspace
        .strip_prefix("size-")
        .and_then(|n| n.parse().ok())
        .ok_or((400, "the workspace id must be size-<bytes>"))
}

fn answer(
    out: &mut TcpStream,
    n: u64,
    size: u64,
    keep_alive: bool,
    block: &[u8],
) -> io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {size}\r\ncontent-disposition: attachment; filename=\"workflows-{size}.bin\"\r\nx-request-id: bench-{n}\r\nconnection: {}\r\n\r\n",
        if keep_alive { "keep-alive" } else { "close" },
    );
    // Head and the first block in one write: a small answer leaves in one
    // segment.
    let first = size.min(block.len() as u64) as usize;
    out.write_all(&[head.as_bytes(), &block[..first]].concat())?;
    let mut left = size - first as u64;
    // Every write starts at a multiple of the period, so the pattern runs on.
    while left > 0 {
        let take = left.min(block.len() as u64) as usize;
        out.write_all(&block[..take])?;
        left -= take as u64;
    }
    out.flush()
}
