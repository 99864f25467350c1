//! Connection limits: a silent or slow client is closed after the idle
//! limit, and past the connection cap idle connections make room for a
//! request.

use std::time::Duration;

use crate::support::{PROJECT, WORKSPACE, fault, raw, raw_export, sim, unread_caller};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, sleep, timeout_at};

const LIMIT: Duration = Duration::from_millis(200);

/// Whether the server closes `stream` before `deadline` (whatever it sends first).
async fn closed_by(stream: &mut TcpStream, deadline: Instant) -> bool {
    let mut buf = [0u8; 4096];
    loop {
        match timeout_at(deadline, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

fn list_request() -> Vec<u8> {
    format!("GET /v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows HTTP/1.1\r\nHost: sim\r\n\r\n")
        .into_bytes()
}

#[tokio::test]
async fn a_connection_silent_for_the_idle_limit_is_closed() {
    let sim = sim().idle_timeout(LIMIT).start().await.unwrap();
    let addr = sim.addr();

    // Slowloris: a header byte every 50 ms, the headers never complete.
    let slow = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let started = Instant::now();
        stream
            .write_all(b"GET /v1/x HTTP/1.1\r\nX-Slow: ")
            .await
            .unwrap();
        while !closed_by(&mut stream, Instant::now() + Duration::from_millis(50)).await {
            assert!(started.elapsed() < 10 * LIMIT, "still open");
            // The server may close between two bytes.
            let _ = stream.write_all(b"a").await;
        }
        started.elapsed()
    };
    // Idle after an answer, as a pooled keep-alive connection is.
    let idle = async {
        let (answer, mut stream) = raw(addr, &list_request(), Duration::from_secs(5)).await;
        assert_eq!(answer.status(), Some(200), "{}", answer.head());
        let answered = Instant::now();
        assert!(
            closed_by(&mut stream, answered + 10 * LIMIT).await,
            "still open"
        );
        answered.elapsed()
    };
    // Silent in the middle of a body.
    let body = async {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows/export HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: 100\r\n\r\n{{\"id\""
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        assert!(
            closed_by(&mut stream, started + 10 * LIMIT).await,
            "still open"
        );
        started.elapsed()
    };
    let (slow, idle, body) = tokio::join!(slow, idle, body);
    for (what, after) in [
        ("slow headers", slow),
        ("idle", idle),
        ("silent body", body),
    ] {
        assert!(
            after >= LIMIT - Duration::from_millis(20),
            "{what}: closed after {after:?}"
        );
    }
}

#[tokio::test]
async fn past_the_cap_idle_connections_make_room_and_busy_ones_stay() {
    let cap = 8;
    let sim = sim()
        .max_connections(cap)
        .fault(fault("show_workflow=stall"))
        .start()
        .await
        .unwrap();
    let addr = sim.addr();
    // The oldest connection is busy: its request is never answered.
    let show = format!(
        "GET /v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows/x HTTP/1.1\r\nHost: sim\r\n\r\n"
    );
    let (_, mut busy) = raw(addr, show.as_bytes(), Duration::from_millis(100)).await;
    // More idle connections than the cap allows.
    let mut idle = Vec::new();
    for _ in 0..cap + 4 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    sleep(Duration::from_millis(50)).await;

    let (answer, _) = raw(addr, &list_request(), Duration::from_secs(5)).await;
    assert_eq!(answer.status(), Some(200), "{}", answer.head());

    let deadline = Instant::now() + Duration::from_millis(300);
    let mut closed = 0;
    for stream in &mut idle {
        closed += usize::from(closed_by(stream, deadline).await);
    }
    // Busy, idle and the request: all but `cap` of them made room.
    let open = 1 + idle.len() + 1;
    assert!(
        closed >= open - cap,
        "{closed} of {} idle closed",
        idle.len()
    );
    assert!(!closed_by(&mut busy, Instant::now() + Duration::from_millis(50)).await);
}

/// Sends `list_request` on fresh connections until one is answered 200 or
/// `deadline` passes (a connection past the cap is closed at once).
async fn answered_by(addr: std::net::SocketAddr, deadline: Instant) -> bool {
    while Instant::now() < deadline {
        let (answer, _) = raw(addr, &list_request(), Duration::from_millis(300)).await;
        if answer.status() == Some(200) {
            return true;
        }
        sleep(Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn a_client_that_reads_none_of_its_answer_is_closed_and_makes_room() {
    // One connection allowed: while the reader that never reads holds it,
    // nobody else gets an answer.
    let sim = sim()
        .idle_timeout(LIMIT)
        .max_connections(1)
        .export_size(64 << 20)
        .start()
        .await
        .unwrap();
    let addr = sim.addr();
    let mut stuck = TcpStream::connect(addr).await.unwrap();
    stuck.write_all(&raw_export("\"x\"")).await.unwrap();
    sleep(Duration::from_millis(50)).await;

    let started = Instant::now();
    assert!(
        answered_by(addr, started + Duration::from_secs(2)).await,
        "locked out by a client that does not read its answer"
    );
    assert!(started.elapsed() >= LIMIT - Duration::from_millis(100));
    // Closed, having had only what the socket buffers held of 64 MiB.
    let mut received = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match timeout_at(
            Instant::now() + Duration::from_secs(1),
            stuck.read(&mut buf),
        )
        .await
        {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => received += n,
            Err(_) => panic!("still open after {received} bytes"),
        }
    }
    assert!(received < 64 << 20, "{received}");
}

#[tokio::test]
async fn an_admin_request_silent_in_its_body_is_closed() {
    let sim = sim().idle_timeout(LIMIT).start().await.unwrap();
    let mut stream = TcpStream::connect(sim.addr()).await.unwrap();
    stream
        .write_all(b"POST /_sim/faults HTTP/1.1\r\nHost: sim\r\nContent-Length: 100\r\n\r\n{")
        .await
        .unwrap();
    let started = Instant::now();
    assert!(
        closed_by(&mut stream, started + 10 * LIMIT).await,
        "still open"
    );
    assert!(started.elapsed() >= LIMIT - Duration::from_millis(20));
}

#[tokio::test]
async fn connections_trickling_bodies_do_not_lock_out_a_request() {
    let cap = 4;
    let sim = sim()
        .idle_timeout(LIMIT)
        .max_connections(cap)
        .start()
        .await
        .unwrap();
    let addr = sim.addr();
    // Every connection the cap allows sends a body a byte at a time, well
    // within the idle limit, and never finishes it.
    let mut tricklers = tokio::task::JoinSet::new();
    for _ in 0..cap {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        tricklers.spawn(async move {
            let head = format!(
                "POST /v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows/export HTTP/1.1\r\nHost: sim\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: 1000000\r\n\r\n"
            );
            stream.write_all(head.as_bytes()).await.unwrap();
            while stream.write_all(b" ").await.is_ok() {
                sleep(LIMIT / 4).await;
            }
        });
    }
    sleep(Duration::from_millis(100)).await;
    assert!(
        answered_by(addr, Instant::now() + Duration::from_secs(2)).await,
        "locked out by connections trickling bodies"
    );
    tricklers.abort_all();
}

/// Calls for the request log waiting their turn do not hold their
/// connections against everyone: with the cap's connections taken by one
/// answer of the log that its client does not read and calls waiting
/// behind it, a request is still answered, at once (the idle limit is far
/// away). No timing is asserted: the sleeps only let the calls arrive.
#[tokio::test]
async fn calls_waiting_for_the_request_log_make_room() {
    let cap = 3;
    let sim = sim()
        .max_connections(cap)
        .idle_timeout(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let addr = sim.addr();
    // Some 12 MB of records: more than twice what the simulator's send
    // buffer and the small one of a caller that reads nothing hold.
    let big = format!("X-Big: {}\r\n", "h".repeat(200_000));
    let list = format!(
        "GET /v1/{PROJECT}/workspaces/{WORKSPACE}/soc/workflows HTTP/1.1\r\nHost: sim\r\n{big}\r\n"
    );
    for _ in 0..60 {
        let (answer, _) = raw(addr, list.as_bytes(), Duration::from_secs(10)).await;
        assert_eq!(answer.status(), Some(200), "{}", answer.head());
    }
    let log = b"GET /_sim/requests HTTP/1.1\r\nHost: sim\r\n\r\n";
    // The first holds the one answer; the others wait behind it.
    let mut callers = Vec::new();
    for _ in 0..cap {
        callers.push(unread_caller(addr, log).await);
        sleep(Duration::from_millis(300)).await;
    }
    let (answer, _) = raw(addr, &list_request(), Duration::from_secs(10)).await;
    assert_eq!(
        answer.status(),
        Some(200),
        "locked out by calls waiting for the request log: {}",
        answer.head()
    );
    // The holder's turn ends when it goes; a caller still waiting (or a
    // new one) then gets the log.
    drop(callers);
    let (answer, _) = raw(addr, log, Duration::from_secs(30)).await;
    assert_eq!(answer.status(), Some(200), "{}", answer.head());
}
