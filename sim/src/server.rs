//! The HTTP side: accepting connections within their limits, handing
//! `/_sim/` requests to `admin` and the rest to `pipeline`, and stamping
//! every answer with `X-Request-Id`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::Sleep;

use crate::body::SimBody;
use crate::connections::{Busy, Connections};
use crate::pipeline::CloseConnection;
use crate::state::Shared;
use crate::{admin, pipeline};

/// The pause after a failed `accept`, so that the loop does not spin while
/// no descriptor can be had.
const ACCEPT_PAUSE: Duration = Duration::from_millis(10);

/// Serves until the future is dropped; dropping it drops every connection.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let connections = Connections::new(shared.limits.max_connections);
    let mut tasks = JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of file descriptors, most likely: free one for the
                // connection waiting in the backlog.
                connections.shed_idle();
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        // Every connection is in the middle of a request: this one is
        // closed at once (dropped).
        let Some(slot) = connections.admit() else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        tasks.spawn(async move {
            let close = slot.close_signal();
            // hyper's header-read limit does nothing without a timer. It
            // starts when the connection opens and again after each answer,
            // so it also ends connections left idle between requests.
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(shared.limits.idle_timeout);
            let stream = TokioIo::new(Stream::new(stream, shared.limits.idle_timeout));
            let service =
                service_fn(move |request| handle(Arc::clone(&shared), request, slot.busy()));
            tokio::select! {
                // A client going away mid-answer is normal here.
                _ = builder.serve_connection(stream, service) => {}
                () = close.notified() => {}
            }
        });
        while tasks.try_join_next().is_some() {}
    }
}

/// `busy` goes with the answer's body, so that the connection counts as
/// busy until that body is sent; it hears of the request's body as it
/// comes in.
async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
    busy: Busy,
) -> Result<Response<SimBody>, CloseConnection> {
    let request_id = shared.next_request_id();
    let mut response = if request.uri().path().starts_with("/_sim/") {
        admin::handle(&shared, request, &busy).await?
    } else {
        pipeline::api_request(&shared, request, &request_id, &busy).await?
    };
    // Answered without reading the body (a refused admin request).
    busy.received();
    // A fault may have set its own.
    response
        .headers_mut()
        .entry("x-request-id")
        .or_insert_with(|| HeaderValue::from_str(&request_id).expect("hex is a valid header"));
    Ok(response.map(|body| body.holding(busy)))
}

/// A connection's socket whose writes fail once one has waited the idle
/// limit for the client to read: hyper has no write timeout, so an answer
/// the client never reads would keep the connection busy, and its answer
/// in memory, for ever.
struct Stream {
    inner: TcpStream,
    limit: Duration,
    /// Since the first write that could not go out, reset by any that does.
    waiting: Option<Pin<Box<Sleep>>>,
}

impl Stream {
    fn new(inner: TcpStream, limit: Duration) -> Stream {
        Stream {
            inner,
            limit,
            waiting: None,
        }
    }

    /// Passes on a write's outcome; a pending one fails after the limit.
    fn within_limit<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.waiting = None;
            return polled;
        }
        let limit = self.limit;
        let waiting = self
            .waiting
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        waiting.as_mut().poll(cx).map(|()| {
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client read nothing of the answer for the idle limit",
            ))
        })
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.within_limit(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.within_limit(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_flush(cx);
        this.within_limit(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.within_limit(cx, polled)
    }
}
