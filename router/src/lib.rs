//! The router: dsql's front door.
//!
//! Every client session starts here. The router listens on the PostgreSQL port, terminates TLS,
//! runs the startup and authentication phase of the PostgreSQL protocol, and then hands the
//! session to a query processor (the `qp` crate's pgwire handlers), which serves every message
//! after that. The router keeps no durable state.
//!
//! # The life of a connection
//!
//! ```text
//!  client                        router                                       qp
//!  ──TCP connect──────────────>  serve(): accept, TCP_NODELAY, spawn a task
//!  ──SSLRequest / TLS hello───>  pgwire: TLS handshake with tls::server_config
//!                                (ALPN "postgresql"; plaintext is let through
//!                                 here and refused by Startup below)
//!  ──StartupMessage───────────>  Startup: TLS? user? slot free?
//!  <──AuthCleartextPassword───
//!  ──Password (or IAM token)──>  Authenticator::authenticate(user, pw, sni)
//!                                database is "postgres"? take a slot
//!  <──AuthOk, ParameterStatus (server_version 16.9, ...), BackendKeyData, ReadyForQuery
//!  ──Query / Parse / Bind ...──────────────────────────────────────────────> handlers
//!  ──Terminate / disconnect──>   the session's slot is released
//! ```
//!
//! Every refusal is a FATAL ErrorResponse with PostgreSQL's (or DSQL's) SQLSTATE and wording:
//!
//! | situation | SQLSTATE | message |
//! |---|---|---|
//! | client did not negotiate TLS | 28000 | `unable to accept connection, SSL/TLS is required` |
//! | wrong user, password or token | 28P01 | `password authentication failed for user "<name>"` |
//! | database other than `postgres` | 3D000 | `database "<name>" does not exist` |
//! | connection limit reached | 53300 | `Unable to accept connection, too many open connections.` |
//!
//! # Pieces
//!
//! - [`tls`]: makes a local CA and a server certificate on first start
//!   ([`tls::generate_or_load`]) and builds the rustls configuration ([`tls::server_config`]).
//! - [`Authenticator`]: the pluggable credential check; [`PasswordAuthenticator`] admits `admin`
//!   with a configured password. IAM tokens are another implementation.
//! - [`Startup`]: the pgwire startup handler that enforces TLS, authenticates, limits
//!   connections and reports server parameters.
//! - [`Handlers`]: joins [`Startup`] with a query processor's handlers into the one value pgwire
//!   serves a connection with.
//! - [`serve`]: the accept loop with graceful shutdown.
//!
//! # Example
//!
//! ```no_run
//! # async fn run<Q: pgwire::api::PgWireServerHandlers + Send + Sync>(qp: Q) -> proto::Result<()> {
//! use std::sync::Arc;
//! let files = router::tls::generate_or_load("data".as_ref(), &["localhost".into()])?;
//! let tls = router::tls::server_config(&files.server_cert, &files.server_key)?;
//! let auth = Arc::new(router::PasswordAuthenticator::new("secret"));
//! let startup = Arc::new(router::Startup::new(auth).with_max_connections(100));
//! let handlers = Arc::new(router::Handlers::new(startup, qp));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:5432").await?;
//! router::serve(listener, tls, handlers, async {
//!     let _ = tokio::signal::ctrl_c().await;
//! })
//! .await?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod auth;
pub mod handlers;
pub mod server;
pub mod startup;
pub mod tls;

pub use auth::{ADMIN_USER, AuthFailure, Authenticator, PasswordAuthenticator};
pub use handlers::Handlers;
pub use server::{SHUTDOWN_GRACE, serve, serve_with_grace};
pub use startup::{DATABASE, DEFAULT_MAX_CONNECTIONS, SERVER_VERSION, Startup};
pub use tls::{TlsFiles, generate_or_load, server_config};

#[cfg(test)]
mod tests;
