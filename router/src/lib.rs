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
//!  ──StartupMessage───────────>  Startup: TLS? rate? user? slot free?
//!  <──AuthCleartextPassword───
//!  ──Password (or IAM token)──>  Authenticator::authenticate(user, pw, sni)
//!                                database is "postgres"? take a slot
//!  <──AuthOk, ParameterStatus (server_version 16.15, ...), BackendKeyData, ReadyForQuery
//!  ──Query / Parse / Bind ...──────────────────────────────────────────────> handlers
//!  ──Terminate / disconnect──>   the session's slot is released
//!                                (or serve() closes the socket after 60 minutes)
//! ```
//!
//! Every refusal is a FATAL ErrorResponse with PostgreSQL's (or DSQL's) SQLSTATE and wording:
//!
//! | situation | SQLSTATE | message |
//! |---|---|---|
//! | client did not negotiate TLS | 28000 | `unable to accept connection, SSL/TLS is required` |
//! | over the new-connection rate | 53400 | `Unable to accept connection, rate exceeded.` |
//! | wrong user or password | 28P01 | `password authentication failed for user "<name>"` |
//! | bad, expired or unmapped IAM token | 28P01 | `IAM authentication failed for user "<name>"` |
//! | IAM token valid for more than a week | 28P01 | `unable to accept connection, X-Amz-Expires must be less than a week (in seconds)` |
//! | database other than `postgres` | 3D000 | `database "<name>" does not exist` |
//! | connection limit reached | 53300 | `Unable to accept connection, too many open connections.` |
//!
//! A session open for the maximum session duration (60 minutes by default) is closed without a
//! message.
//!
//! # Pieces
//!
//! - [`tls`]: makes a local CA and a server certificate on first start
//!   ([`tls::generate_or_load`]) and builds the rustls configuration ([`tls::server_config`]).
//! - [`Authenticator`]: the pluggable credential check; [`PasswordAuthenticator`] admits `admin`
//!   with a configured password.
//! - [`iam`]: Aurora DSQL's IAM auth tokens: parsing, the key store, verification, generation,
//!   and the authenticators [`iam::IamAuthenticator`] and [`iam::CombinedAuthenticator`].
//! - [`rate`]: the token bucket behind the new-connection rate limit.
//! - [`Startup`]: the pgwire startup handler that enforces TLS, authenticates, limits
//!   connections and reports server parameters.
//! - [`Handlers`]: joins [`Startup`] with a query processor's handlers into the one value pgwire
//!   serves a connection with.
//! - [`serve`]: the accept loop with graceful shutdown and the maximum session duration.
//!
//! # Example
//!
//! ```no_run
//! # async fn run<Q: pgwire::api::PgWireServerHandlers + Send + Sync + 'static>(
//! #     qp: Q,
//! #     roles: std::sync::Arc<dyn router::iam::RoleDirectory>,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use router::iam::{CombinedAuthenticator, IamAuthenticator, KeyStore, TokenVerifier, VerifierConfig};
//! let files = router::tls::generate_or_load("data".as_ref(), &["localhost".into()])?;
//! let tls = router::tls::server_config(&files.server_cert, &files.server_key)?;
//! // Keys from a shared-credentials file and the environment.
//! let mut keys = KeyStore::load_file("credentials".as_ref())?;
//! keys.merge(KeyStore::from_env_vars(std::env::vars())?)?;
//! let verifier = TokenVerifier::new(Arc::new(keys), VerifierConfig::default());
//! let iam = IamAuthenticator::new(verifier, roles);
//! let password = Some(Arc::new(router::PasswordAuthenticator::new("secret")));
//! let auth = Arc::new(CombinedAuthenticator::new(iam, password));
//! let startup = Arc::new(
//!     router::Startup::new(auth)
//!         .with_max_connections(10_000)
//!         .with_connection_rate(Some(router::ConnectionRate::default())),
//! );
//! let handlers = Arc::new(router::Handlers::new(startup, qp));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:5432").await?;
//! router::serve_with_options(listener, tls, handlers, async {
//!     let _ = tokio::signal::ctrl_c().await;
//! }, router::ServeOptions::default())
//! .await?;
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

pub mod auth;
pub mod handlers;
pub mod iam;
pub mod rate;
pub mod server;
pub mod startup;
pub mod tls;

pub use auth::{ADMIN_USER, AuthFailure, Authenticator, PASSWORD_METHOD, PasswordAuthenticator};
pub use handlers::Handlers;
pub use rate::{ConnectionRate, RATE_EXCEEDED_MESSAGE};
pub use server::{
    MAX_SESSION_DURATION, SHUTDOWN_GRACE, ServeOptions, serve, serve_with_grace, serve_with_options,
};
pub use startup::{DATABASE, DEFAULT_MAX_CONNECTIONS, SERVER_VERSION, Startup};
pub use tls::{TlsFiles, generate_or_load, server_config};

#[cfg(test)]
mod tests;
