//! The accept loop: one task per PostgreSQL connection, graceful shutdown.
//!
//! Shaped like mini-redis's `Listener`: accept, spawn a task that runs pgwire's
//! [`process_socket`] (SSLRequest/direct TLS negotiation, then the message loop calling our
//! handlers), repeat. Accept errors never end the loop by surprise:
//!
//! - errors about one incoming connection (it was reset before we accepted it) are skipped;
//! - running out of file descriptors or memory is waited out with a doubling backoff
//!   (10 ms, 20 ms, ... at most 1 s), since closing connections frees them again;
//! - any other error is retried the same way a few times, then returned.
//!
//! A connection open for longer than the maximum session duration ([`ServeOptions`], one hour
//! by default, as in Aurora DSQL) has its task dropped, which closes the socket without a
//! message, in the middle of a transaction or not; its connection slot is freed with it.
//!
//! On shutdown the listener is closed first (new clients get "connection refused"), then the
//! running connections get a grace period to finish; those still open afterwards are aborted,
//! which closes their sockets.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use pgwire::api::PgWireServerHandlers;
use pgwire::tokio::process_socket;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::Instrument as _;

/// How long [`serve`] waits for open connections to finish after shutdown.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long a session may stay open by default: one hour, as in Aurora DSQL.
pub const MAX_SESSION_DURATION: Duration = Duration::from_secs(60 * 60);

/// How [`serve_with_options`] treats connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeOptions {
    /// How long open connections may take to finish after shutdown. Default
    /// [`SHUTDOWN_GRACE`].
    pub shutdown_grace: Duration,
    /// How long a connection may stay open, counted from its accept; then its socket is
    /// closed, without an error message, whatever it is doing. `None` means no limit. Default
    /// [`MAX_SESSION_DURATION`].
    pub max_session_duration: Option<Duration>,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            shutdown_grace: SHUTDOWN_GRACE,
            max_session_duration: Some(MAX_SESSION_DURATION),
        }
    }
}

/// The first pause after a failed accept.
const MIN_BACKOFF: Duration = Duration::from_millis(10);
/// The longest pause between accept attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// Consecutive failures of an unexpected kind after which [`serve`] gives up.
const MAX_UNEXPECTED_FAILURES: u32 = 8;

/// Serves PostgreSQL connections from `listener` until `shutdown` completes, then waits up to
/// [`SHUTDOWN_GRACE`] for open connections to end. Every connection is offered TLS with `tls`;
/// `handlers` (typically [`Handlers`](crate::Handlers)) runs the protocol.
///
/// Sessions are closed after [`MAX_SESSION_DURATION`]. Returns an error only if accepting fails
/// persistently in an unexpected way.
pub async fn serve<H>(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    handlers: Arc<H>,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    H: PgWireServerHandlers + Send + Sync + 'static,
{
    serve_with_grace(listener, tls, handlers, shutdown, SHUTDOWN_GRACE).await
}

/// [`serve`] with a chosen shutdown grace period.
pub async fn serve_with_grace<H>(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    handlers: Arc<H>,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> io::Result<()>
where
    H: PgWireServerHandlers + Send + Sync + 'static,
{
    let options = ServeOptions {
        shutdown_grace: grace,
        ..ServeOptions::default()
    };
    serve_with_options(listener, tls, handlers, shutdown, options).await
}

/// [`serve`] with chosen [`ServeOptions`].
pub async fn serve_with_options<H>(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    handlers: Arc<H>,
    shutdown: impl Future<Output = ()>,
    options: ServeOptions,
) -> io::Result<()>
where
    H: PgWireServerHandlers + Send + Sync + 'static,
{
    let grace = options.shutdown_grace;
    let max_session = options.max_session_duration;
    let acceptor = TlsAcceptor::from(tls);
    let mut connections = JoinSet::new();
    let mut backoff = MIN_BACKOFF;
    let mut unexpected_failures = 0;
    tokio::pin!(shutdown);

    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            // Reap finished connection tasks so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((socket, peer)) => {
                backoff = MIN_BACKOFF;
                unexpected_failures = 0;
                if let Err(err) = socket.set_nodelay(true) {
                    tracing::debug!(%peer, %err, "cannot set TCP_NODELAY");
                }
                let acceptor = acceptor.clone();
                let handlers = handlers.clone();
                let span = tracing::debug_span!("connection", %peer);
                connections.spawn(
                    async move {
                        tracing::debug!("accepted");
                        let session = process_socket(socket, Some(acceptor), handlers);
                        let outcome = match max_session {
                            Some(limit) => tokio::time::timeout(limit, session).await,
                            None => Ok(session.await),
                        };
                        // Dropping the session closes the socket: no message, as in DSQL.
                        match outcome {
                            Ok(Ok(())) => tracing::debug!("closed"),
                            Ok(Err(err)) => tracing::debug!(%err, "closed with an error"),
                            Err(_) => tracing::debug!("closed at the maximum session duration"),
                        }
                    }
                    .instrument(span),
                );
            }
            Err(err) if is_connection_error(&err) => {
                tracing::debug!(%err, "incoming connection failed before accept");
            }
            Err(err) => {
                if !is_resource_exhaustion(&err) {
                    unexpected_failures += 1;
                    if unexpected_failures >= MAX_UNEXPECTED_FAILURES {
                        tracing::error!(%err, "accept keeps failing; stopping the listener");
                        drain(connections, grace).await;
                        return Err(err);
                    }
                }
                tracing::warn!(%err, ?backoff, "accept failed; retrying");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }

    drop(listener);
    drain(connections, grace).await;
    Ok(())
}

/// Waits up to `grace` for the connection tasks to end, then aborts the rest.
async fn drain(mut connections: JoinSet<()>, grace: Duration) {
    if connections.is_empty() {
        return;
    }
    tracing::info!(
        open = connections.len(),
        "waiting for open connections to close"
    );
    let finished = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::info!(
            open = connections.len(),
            "closing connections still open after the grace period"
        );
        connections.shutdown().await;
    }
}

/// Errors that concern one incoming connection, not the listener.
fn is_connection_error(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
            | io::ErrorKind::WouldBlock
    )
}

/// Errors that go away once some connections close: out of file descriptors (EMFILE, ENFILE),
/// buffers (ENOBUFS) or memory (ENOMEM). The numbers are Linux's; elsewhere these errors take
/// the bounded-retry path.
fn is_resource_exhaustion(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(23 | 24 | 105 | 12))
        || err.kind() == io::ErrorKind::OutOfMemory
}
