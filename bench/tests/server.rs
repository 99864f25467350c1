//! bench-server answers what the harness relies on: the size asked for, the
//! byte pattern, keep-alive, and errors for anything else.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server(Child, String);

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bench-server"))
            .arg("--until-stdin-closes")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("bench-server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on ")
            .expect("the address line")
            .to_owned();
        assert!(address.starts_with("127.0.0.1:"), "{address}");
        Server(child, address)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends one request and reads one response: (status, headers, body).
fn exchange(
    stream: &mut BufReader<TcpStream>,
    method: &str,
    path: &str,
    extra: &str,
) -> (u16, String, Vec<u8>) {
    let body = r#"{"id":["x"]}"#;
    write!(
        stream.get_mut(),
        "{method} {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut head = String::new();
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    (status, head, body)
}

#[test]
fn serves_sizes_patterns_and_keep_alive() {
    let server = Server::start();
    let mut stream = BufReader::new(TcpStream::connect(&server.1).unwrap());
    // Several answers on one connection, sizes around the server's buffer.
    for size in [0usize, 1, 1024, 251 * 1024, 251 * 1024 + 7, 3 << 20] {
        let path = format!("/v1/p/workspaces/size-{size}/soc/workflows/export");
        let (status, head, body) = exchange(&mut stream, "POST", &path, "");
        assert_eq!(status, 200, "{head}");
        assert!(head.contains("connection: keep-alive"), "{head}");
        assert_eq!(body.len(), size);
        assert!(
            body.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8),
            "pattern of {size}"
        );
    }
    // A path prefix before /v1 is allowed.
    let (status, _, body) = exchange(
        &mut stream,
        "POST",
        "/prefix/v1/p/workspaces/size-5/soc/workflows/export?x=1",
        "",
    );
    assert_eq!((status, body.len()), (200, 5));
    let (status, _, _) = exchange(
        &mut stream,
        "POST",
        "/v1/p/workspaces/w/soc/workflows/export",
        "",
    );
    assert_eq!(status, 400);
    let (status, _, _) = exchange(&mut stream, "POST", "/v1/p/other", "");
    assert_eq!(status, 404);
    let (status, _, _) = exchange(
        &mut stream,
        "GET",
        "/v1/p/workspaces/size-5/soc/workflows/export",
        "",
    );
    assert_eq!(status, 404);
    // Connection: close is honoured.
    let (status, head, _) = exchange(
        &mut stream,
        "POST",
        "/v1/p/workspaces/size-3/soc/workflows/export",
        "connection: close\r\n",
    );
    assert_eq!(status, 200);
    assert!(head.contains("connection: close"), "{head}");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

#[test]
fn exits_when_stdin_closes() {
    let mut server = Server::start();
    drop(server.0.stdin.take());
    let status = server.0.wait().unwrap();
    assert!(status.success(), "{status}");
}
