//! The startup phase of a PostgreSQL session: TLS check, authentication, connection limit,
//! server parameters.
//!
//! pgwire runs a connection as a state machine and calls a [`StartupHandler`] for every message
//! until the session is ready for queries. [`Startup`] is that handler. The exchange, and where
//! each refusal happens:
//!
//! ```text
//!   client                                   Startup
//!   [SSLRequest + TLS handshake: pgwire, before Startup sees anything]
//!   StartupMessage(user, database, ...) ──>  plaintext?            FATAL 28000
//!                                            over the rate?        FATAL 53400
//!                                            no user name?         FATAL 28000
//!                                            no free slot?         FATAL 53300
//!                                       <──  AuthenticationCleartextPassword
//!   PasswordMessage(password or token)  ──>  Authenticator says no FATAL 28P01 (usually)
//!                                            database != postgres  FATAL 3D000
//!                                            take a slot (or       FATAL 53300)
//!                                       <──  AuthenticationOk, ParameterStatus*,
//!                                            BackendKeyData, ReadyForQuery
//! ```
//!
//! The database is checked after the password, as PostgreSQL does, so that an unauthenticated
//! client learns nothing about the server. The connection limit counts sessions that completed
//! startup: each holds a slot (a semaphore permit) in its session extensions, which pgwire drops
//! with the connection, so a session that ends for any reason frees its slot. A client is also
//! refused before the password prompt when no slot is free, to spare the authenticator; the
//! authoritative check is taking the slot after authentication.
//!
//! The rate limit ([`crate::rate`]) counts every TLS client that sends a StartupMessage, whether
//! it is then admitted or not, as Aurora DSQL's limit on new connections per second does.
//!
//! The cleartext password is safe to ask for because the connection is always TLS, and it is
//! what DSQL's IAM tokens need: they are too long and too dynamic for a challenge-response
//! exchange.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::Sink;
use pgwire::api::auth::mechanism::{AuthMechanism, AuthState};
use pgwire::api::auth::{
    AuthDriver, AuthOutcome, ServerParameterProvider, StartupHandler, protocol_negotiation,
    save_startup_parameters_to_metadata,
};
use pgwire::api::{
    ClientInfo, ConnectionManager, METADATA_APPLICATION_NAME, METADATA_DATABASE, METADATA_USER,
    PidSecretKeyGenerator,
};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult, SEVERITY_FATAL};
use pgwire::messages::startup::{Authentication, PasswordMessageFamily};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::{AuthFailure, Authenticator};
use crate::rate::{ConnectionRate, RATE_EXCEEDED_MESSAGE, TokenBucket};

/// The `server_version` reported to clients: PostgreSQL 16, as Aurora DSQL reports.
pub const SERVER_VERSION: &str = "16.15";

/// The only database: clients must connect to it (or name none and be user `postgres`).
pub const DATABASE: &str = "postgres";

/// The default connection limit, Aurora DSQL's.
pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;

/// pgwire's startup handler for dsql: requires TLS, authenticates with an [`Authenticator`],
/// enforces the connection limit, and reports PostgreSQL 16's server parameters.
///
/// Share one `Startup` (in an `Arc`) between all connections; it counts their sessions.
pub struct Startup {
    /// Decides who may log in.
    authenticator: Arc<dyn Authenticator>,
    /// pgwire's authentication state machine runner; finishes the startup protocol.
    driver: AuthDriver<ServerParameters>,
    /// One permit per session that completed startup.
    slots: Arc<Semaphore>,
    /// The number of permits `slots` was created with.
    max_connections: usize,
    /// The new-connection rate limit, if any.
    rate: Option<TokenBucket>,
}

impl Startup {
    /// A startup handler that authenticates with `authenticator` and admits at most
    /// [`DEFAULT_MAX_CONNECTIONS`] sessions at once.
    pub fn new(authenticator: Arc<dyn Authenticator>) -> Startup {
        Startup {
            authenticator,
            driver: AuthDriver::new(ServerParameters),
            slots: Arc::new(Semaphore::new(DEFAULT_MAX_CONNECTIONS)),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            rate: Some(TokenBucket::new(ConnectionRate::default())),
        }
    }

    /// Sets the new-connection rate limit (default [`ConnectionRate::default`]: 100 per second,
    /// bursts of 1,000); `None` removes it. The bucket starts full.
    pub fn with_connection_rate(mut self, rate: Option<ConnectionRate>) -> Startup {
        self.rate = rate.map(TokenBucket::new);
        self
    }

    /// The new-connection rate limit, if any.
    pub fn connection_rate(&self) -> Option<ConnectionRate> {
        self.rate.as_ref().map(TokenBucket::rate)
    }

    /// Sets the connection limit (at least 1 is sensible; 0 refuses everyone). Call before the
    /// first connection: sessions already admitted are not counted against the new limit.
    pub fn with_max_connections(mut self, max_connections: usize) -> Startup {
        let max_connections = max_connections.min(Semaphore::MAX_PERMITS);
        self.slots = Arc::new(Semaphore::new(max_connections));
        self.max_connections = max_connections;
        self
    }

    /// Sets how each session's process id and cancel key are chosen (sent in BackendKeyData).
    /// A router that forwards CancelRequests to the right query processor encodes the
    /// processor in the process id.
    pub fn with_pid_secret_key_generator(
        mut self,
        generator: Arc<dyn PidSecretKeyGenerator>,
    ) -> Startup {
        self.driver = self.driver.with_pid_secret_key_generator(generator);
        self
    }

    /// Registers every admitted session with `manager`, so that a cancel handler sharing the
    /// same manager can interrupt the session's running query.
    pub fn with_connection_manager(mut self, manager: Arc<ConnectionManager>) -> Startup {
        self.driver = self.driver.with_connection_manager(manager);
        self
    }

    /// The connection limit.
    pub fn max_connections(&self) -> usize {
        self.max_connections
    }

    /// The number of sessions that completed startup and have not disconnected yet.
    pub fn open_connections(&self) -> usize {
        self.max_connections
            .saturating_sub(self.slots.available_permits())
    }

    /// After the authenticator admitted the client: checks the database, takes a slot and
    /// completes the startup (AuthenticationOk, parameters, BackendKeyData, ReadyForQuery).
    async fn admit<C>(
        &self,
        client: &mut C,
        final_message: Option<Authentication>,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let metadata = client.metadata();
        // As in PostgreSQL, the database defaults to the user name.
        let database = metadata
            .get(METADATA_DATABASE)
            .filter(|db| !db.is_empty())
            .or_else(|| metadata.get(METADATA_USER))
            .cloned()
            .unwrap_or_default();
        if database != DATABASE {
            return Err(fatal(
                "3D000",
                format!("database \"{database}\" does not exist"),
            ));
        }
        let permit = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| too_many_connections())?;
        client.session_extensions().insert(Slot { _permit: permit });
        self.driver
            .complete_authentication(client, final_message)
            .await?;
        tracing::debug!(
            user = client.metadata().get(METADATA_USER).map(String::as_str),
            "session started"
        );
        Ok(())
    }
}

impl Debug for Startup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Startup")
            .field("authenticator", &self.authenticator)
            .field("max_connections", &self.max_connections)
            .field("open_connections", &self.open_connections())
            .field("connection_rate", &self.connection_rate())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl StartupHandler for Startup {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let outcome = match message {
            PgWireFrontendMessage::Startup(ref startup) => {
                // Refuse before anything else, above all before asking for a password.
                if !client.is_secure() {
                    return Err(fatal(
                        "28000",
                        "unable to accept connection, SSL/TLS is required",
                    ));
                }
                // Every attempt that got this far counts against the rate, admitted or not.
                if self.rate.as_ref().is_some_and(|bucket| !bucket.try_take()) {
                    return Err(fatal("53400", RATE_EXCEEDED_MESSAGE));
                }
                protocol_negotiation(client, startup).await?;
                save_startup_parameters_to_metadata(client, startup);
                if client
                    .metadata()
                    .get(METADATA_USER)
                    .is_none_or(|user| user.is_empty())
                {
                    return Err(fatal(
                        "28000",
                        "no PostgreSQL user name specified in startup packet",
                    ));
                }
                if self.slots.available_permits() == 0 {
                    return Err(too_many_connections());
                }
                let mechanism = Box::new(PasswordMechanism {
                    authenticator: self.authenticator.clone(),
                });
                self.driver.begin_authentication(client, mechanism).await?
            }
            PgWireFrontendMessage::PasswordMessageFamily(message) => {
                self.driver.advance_authentication(client, message).await?
            }
            _ => {
                return Err(fatal(
                    "08P01",
                    "expected password response during authentication",
                ));
            }
        };
        match outcome {
            AuthOutcome::InProgress => Ok(()),
            AuthOutcome::Authenticated { final_message, .. } => {
                self.admit(client, final_message).await
            }
        }
    }
}

/// A session's hold on one connection slot; released when pgwire drops the session (and with it
/// its extensions).
struct Slot {
    /// The permit, returned to the semaphore on drop.
    _permit: OwnedSemaphorePermit,
}

/// Asks for a cleartext password and checks it with the [`Authenticator`]. One per connection.
struct PasswordMechanism {
    /// The shared authenticator.
    authenticator: Arc<dyn Authenticator>,
}

#[async_trait]
impl AuthMechanism for PasswordMechanism {
    async fn begin(&mut self, _client: &(dyn ClientInfo + Send + Sync)) -> PgWireResult<AuthState> {
        Ok(AuthState::InProgress(Authentication::CleartextPassword))
    }

    async fn next(
        &mut self,
        client: &(dyn ClientInfo + Send + Sync),
        message: PasswordMessageFamily,
    ) -> PgWireResult<AuthState> {
        let password = message
            .into_password()
            .map_err(|_| fatal("08P01", "invalid password packet"))?;
        let user = client
            .metadata()
            .get(METADATA_USER)
            .map(String::as_str)
            .unwrap_or_default();
        let sni = client.sni_server_name();
        match self
            .authenticator
            .authenticate(user, password.password.as_bytes(), sni)
            .await
        {
            Ok(()) => Ok(AuthState::Ok {
                final_message: None,
                identity: None,
            }),
            Err(failure) => {
                let (code, message) = failure.client_error(user);
                match &failure {
                    AuthFailure::Unavailable(reason) => {
                        tracing::warn!(user, reason, "authentication unavailable");
                    }
                    _ => tracing::debug!(user, %failure, "authentication refused"),
                }
                Ok(AuthState::Failed(fatal(code, message)))
            }
        }
    }
}

/// The parameters reported in ParameterStatus messages after authentication: the ones
/// PostgreSQL 16 reports (its `GUC_REPORT` settings), with DSQL's fixed values.
#[derive(Debug)]
struct ServerParameters;

impl ServerParameterProvider for ServerParameters {
    fn server_parameters<C>(&self, client: &C) -> Option<HashMap<String, String>>
    where
        C: ClientInfo,
    {
        let metadata = client.metadata();
        let user = metadata.get(METADATA_USER).cloned().unwrap_or_default();
        let application_name = metadata
            .get(METADATA_APPLICATION_NAME)
            .cloned()
            .unwrap_or_default();
        let fixed = [
            ("server_version", SERVER_VERSION),
            ("server_encoding", "UTF8"),
            // Only UTF8 is supported: a client asking for another encoding still gets UTF8.
            ("client_encoding", "UTF8"),
            ("DateStyle", "ISO, MDY"),
            ("IntervalStyle", "postgres"),
            ("TimeZone", "UTC"),
            ("integer_datetimes", "on"),
            ("standard_conforming_strings", "on"),
            ("default_transaction_read_only", "off"),
            ("in_hot_standby", "off"),
            // DSQL's admin is not a PostgreSQL superuser: it cannot bypass DSQL's restrictions.
            ("is_superuser", "off"),
            ("scram_iterations", "4096"),
        ];
        let mut parameters: HashMap<String, String> = fixed
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        parameters.insert("session_authorization".to_owned(), user);
        parameters.insert("application_name".to_owned(), application_name);
        Some(parameters)
    }
}

/// A FATAL error: pgwire sends it and closes the connection.
fn fatal(code: &str, message: impl Into<String>) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new(
        SEVERITY_FATAL.to_owned(),
        code.to_owned(),
        message.into(),
    )))
}

/// DSQL's refusal when the connection limit is reached.
fn too_many_connections() -> PgWireError {
    fatal(
        "53300",
        "Unable to accept connection, too many open connections.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PasswordAuthenticator;
    use pgwire::api::DefaultClient;

    #[test]
    fn parameters_look_like_postgresql_16() {
        let mut client = DefaultClient::<()>::new("127.0.0.1:5432".parse().expect("addr"), true);
        client.metadata.insert("user".into(), "admin".into());
        client
            .metadata
            .insert("application_name".into(), "myapp".into());
        client
            .metadata
            .insert("client_encoding".into(), "UTF8".into());
        let parameters = ServerParameters
            .server_parameters(&client)
            .expect("parameters");
        let get = |name: &str| parameters.get(name).map(String::as_str);
        assert_eq!(get("server_version"), Some("16.15"));
        assert_eq!(get("server_encoding"), Some("UTF8"));
        assert_eq!(get("client_encoding"), Some("UTF8"));
        assert_eq!(get("DateStyle"), Some("ISO, MDY"));
        assert_eq!(get("TimeZone"), Some("UTC"));
        assert_eq!(get("IntervalStyle"), Some("postgres"));
        assert_eq!(get("integer_datetimes"), Some("on"));
        assert_eq!(get("standard_conforming_strings"), Some("on"));
        assert_eq!(get("is_superuser"), Some("off"));
        assert_eq!(get("session_authorization"), Some("admin"));
        assert_eq!(get("application_name"), Some("myapp"));
    }

    #[test]
    fn limit_is_configurable_and_starts_empty() {
        let startup = Startup::new(Arc::new(PasswordAuthenticator::new("pw")));
        assert_eq!(startup.max_connections(), DEFAULT_MAX_CONNECTIONS);
        let startup = startup.with_max_connections(3);
        assert_eq!(startup.max_connections(), 3);
        assert_eq!(startup.connection_rate(), Some(ConnectionRate::default()));
        let rate = ConnectionRate {
            per_second: 5,
            burst: 7,
        };
        let startup = startup.with_connection_rate(Some(rate));
        assert_eq!(startup.connection_rate(), Some(rate));
        assert_eq!(startup.open_connections(), 0);
        assert!(!format!("{startup:?}").contains("pw"));
    }
}
