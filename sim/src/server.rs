//! The HTTP side: accepting connections within their limits, handing
//! `/_sim/` requests to `admin` and the rest to `pipeline`, and stamping
//! every answer with `X-Request-Id`.

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, Request, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

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
            let service =
                service_fn(move |request| handle(Arc::clone(&shared), request, slot.busy()));
            tokio::select! {
                // A client going away mid-answer is normal here.
                _ = builder.serve_connection(TokioIo::new(stream), service) => {}
                () = close.notified() => {}
            }
        });
        while tasks.try_join_next().is_some() {}
    }
}

/// `busy` goes with the answer's body, so that the connection counts as
/// busy until that body is sent.
async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
    busy: Busy,
) -> Result<Response<SimBody>, CloseConnection> {
    let request_id = shared.next_request_id();
    let mut response = if request.uri().path().starts_with("/_sim/") {
        admin::handle(&shared, request).await
    } else {
        pipeline::api_request(&shared, request, &request_id).await?
    };
    // A fault may have set its own.
    response
        .headers_mut()
        .entry("x-request-id")
        .or_insert_with(|| HeaderValue::from_str(&request_id).expect("hex is a valid header"));
    Ok(response.map(|body| body.holding(busy)))
}
