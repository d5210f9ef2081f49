//! End-to-end tests: a real router on 127.0.0.1:0 with real clients (tokio-postgres over rustls,
//! and the `psql` binary), in front of a test-only query handler that answers every simple query
//! with one row. They test the router, not SQL.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use pgwire::api::query::SimpleQueryHandler;
use pgwire::api::results::{DataRowEncoder, FieldFormat, FieldInfo, QueryResponse, Response};
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireServerHandlers, Type};
use pgwire::error::PgWireResult;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_postgres::SimpleQueryMessage;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::{Handlers, PasswordAuthenticator, ServeOptions, Startup, TlsFiles};

/// The password the test servers accept for `admin`.
const PASSWORD: &str = "correct horse";
/// The value the test query handler returns for every query.
const ANSWER: &str = "router-test-ok";

/// Answers any simple query with one row: `answer = ANSWER`.
struct OneRow;

#[async_trait]
impl SimpleQueryHandler for OneRow {
    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
    {
        let schema = Arc::new(vec![FieldInfo::new(
            "answer".into(),
            None,
            None,
            Type::TEXT,
            FieldFormat::Text,
        )]);
        let mut encoder = DataRowEncoder::new(schema.clone());
        encoder.encode_field(&ANSWER.to_string())?;
        let row = encoder.take_row();
        Ok(vec![Response::Query(QueryResponse::new(
            schema,
            futures::stream::iter(vec![Ok(row)]),
        ))])
    }
}

/// The "query processor" of these tests.
struct OneRowHandlers {
    /// The shared query handler.
    handler: Arc<OneRow>,
}

impl PgWireServerHandlers for OneRowHandlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.handler.clone()
    }
}

/// A router serving on a local port, stopped on drop of `shutdown`.
struct TestServer {
    /// The listening port on 127.0.0.1.
    port: u16,
    /// The generated certificates.
    files: TlsFiles,
    /// The startup handler, to observe the connection count.
    startup: Arc<Startup>,
    /// Completing this stops the server.
    shutdown: Option<oneshot::Sender<()>>,
    /// The `serve` task.
    task: JoinHandle<std::io::Result<()>>,
    /// Holds the data directory.
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts a router admitting at most `max_connections` sessions with the password
    /// [`PASSWORD`].
    async fn start(max_connections: usize, grace: Duration) -> TestServer {
        let startup = Startup::new(Arc::new(PasswordAuthenticator::new(PASSWORD)))
            .with_max_connections(max_connections);
        let options = ServeOptions {
            shutdown_grace: grace,
            ..ServeOptions::default()
        };
        TestServer::start_with(startup, options).await
    }

    /// Starts a router with `startup` and `options`.
    async fn start_with(startup: Startup, options: ServeOptions) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let hosts = ["localhost".to_string(), "127.0.0.1".to_string()];
        let files = crate::generate_or_load(dir.path(), &hosts).expect("certificates");
        let tls = crate::server_config(&files.server_cert, &files.server_key).expect("tls");
        let startup = Arc::new(startup);
        let handlers = Arc::new(Handlers::new(
            startup.clone(),
            OneRowHandlers {
                handler: Arc::new(OneRow),
            },
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::serve_with_options(
            listener,
            tls,
            handlers,
            async {
                let _ = rx.await;
            },
            options,
        ));
        TestServer {
            port,
            files,
            startup,
            shutdown: Some(tx),
            task,
            _dir: dir,
        }
    }

    /// The connection string for `user`/`password`/`dbname`, verifying the host name
    /// `localhost` against the generated CA.
    fn conninfo(&self, user: &str, password: &str, dbname: &str) -> String {
        format!(
            "host=localhost hostaddr=127.0.0.1 port={} user={user} password='{password}' \
             dbname={dbname} sslmode=require connect_timeout=10",
            self.port
        )
    }

    /// Connects over TLS, verifying the certificate chain and the name `localhost`.
    async fn connect(
        &self,
        user: &str,
        password: &str,
        dbname: &str,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        let tls = tls_connector(&self.files.ca_cert);
        let (client, connection) =
            tokio_postgres::connect(&self.conninfo(user, password, dbname), tls).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// Waits (bounded) until the router counts `expected` open sessions.
    async fn wait_for_open_connections(&self, expected: usize) {
        for _ in 0..500 {
            if self.startup.open_connections() == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "open connections stayed at {}, expected {expected}",
            self.startup.open_connections()
        );
    }

    /// Stops the server and waits for `serve` to return.
    async fn stop(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), &mut self.task)
            .await
            .expect("serve returns after shutdown")
            .expect("serve task does not panic")
    }
}

/// A tokio-postgres TLS connector trusting only the CA in `ca` (full verification).
fn tls_connector(ca: &Path) -> MakeRustlsConnect {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).expect("open CA") {
        roots.add(cert.expect("CA PEM")).expect("add CA");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    MakeRustlsConnect::new(config)
}

/// The SQLSTATE and message of a server error.
fn db_error(err: &tokio_postgres::Error) -> (String, String) {
    let db = err
        .as_db_error()
        .unwrap_or_else(|| panic!("expected a server error, got {err:?}"));
    (db.code().code().to_string(), db.message().to_string())
}

/// The single value of a one-row simple query result.
async fn query_value(client: &tokio_postgres::Client) -> String {
    let messages = client.simple_query("SELECT 1").await.expect("query");
    messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        })
        .expect("one row")
}

#[tokio::test]
async fn verified_tls_client_connects_and_queries() {
    let server = TestServer::start(10, Duration::from_secs(5)).await;
    let client = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("connect");
    assert_eq!(query_value(&client).await, ANSWER);
    server.wait_for_open_connections(1).await;
    drop(client);
    server.wait_for_open_connections(0).await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_are_refused_alike() {
    let server = TestServer::start(10, Duration::from_secs(5)).await;
    let err = server
        .connect("admin", "wrong", "postgres")
        .await
        .expect_err("wrong password");
    assert_eq!(
        db_error(&err),
        (
            "28P01".to_string(),
            "password authentication failed for user \"admin\"".to_string()
        )
    );
    let err = server
        .connect("bob", PASSWORD, "postgres")
        .await
        .expect_err("unknown user");
    assert_eq!(
        db_error(&err),
        (
            "28P01".to_string(),
            "password authentication failed for user \"bob\"".to_string()
        )
    );
    assert_eq!(server.startup.open_connections(), 0);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn plaintext_client_is_refused() {
    let server = TestServer::start(10, Duration::from_secs(5)).await;
    let conninfo = format!(
        "host=127.0.0.1 port={} user=admin password='{PASSWORD}' dbname=postgres sslmode=disable",
        server.port
    );
    let Err(err) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls).await else {
        panic!("a plaintext client was admitted");
    };
    assert_eq!(
        db_error(&err),
        (
            "28000".to_string(),
            "unable to accept connection, SSL/TLS is required".to_string()
        )
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn only_the_postgres_database_exists() {
    let server = TestServer::start(10, Duration::from_secs(5)).await;
    let err = server
        .connect("admin", PASSWORD, "other")
        .await
        .expect_err("unknown database");
    assert_eq!(
        db_error(&err),
        (
            "3D000".to_string(),
            "database \"other\" does not exist".to_string()
        )
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn connection_limit_refuses_extra_sessions_until_one_ends() {
    let server = TestServer::start(1, Duration::from_secs(5)).await;
    let first = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("first connects");
    let err = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect_err("second refused");
    assert_eq!(
        db_error(&err),
        (
            "53300".to_string(),
            "Unable to accept connection, too many open connections.".to_string()
        )
    );
    // The refused attempt did not disturb the admitted session.
    assert_eq!(query_value(&first).await, ANSWER);

    drop(first);
    server.wait_for_open_connections(0).await;
    let third = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("a freed slot admits a new session");
    assert_eq!(query_value(&third).await, ANSWER);
    drop(third);
    server.wait_for_open_connections(0).await;
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn shutdown_closes_the_listener_and_ends_open_sessions() {
    let server = TestServer::start(10, Duration::from_millis(100)).await;
    let client = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("connect");
    let port = server.port;
    // The idle session outlives the grace period and is closed by the server.
    server.stop().await.expect("clean stop");
    assert!(client.simple_query("SELECT 1").await.is_err());
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "the listener is closed"
    );
}

/// Runs `psql` (libpq) with `sslmode=verify-full` against the server.
async fn psql(server: &TestServer, password: &str, commands: &[&str]) -> std::process::Output {
    let conninfo = format!(
        "host=localhost hostaddr=127.0.0.1 port={} user=admin dbname=postgres \
         sslmode=verify-full sslrootcert={}",
        server.port,
        server.files.ca_cert.display()
    );
    let mut command = tokio::process::Command::new("psql");
    command
        .arg(conninfo)
        .args(["--no-psqlrc", "--tuples-only", "--no-align"])
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "10")
        .env_remove("PGSERVICE")
        .kill_on_drop(true);
    for c in commands {
        command.args(["-c", c]);
    }
    let output = command.output();
    tokio::time::timeout(Duration::from_secs(20), output)
        .await
        .expect("psql finishes")
        .expect("psql runs")
}

#[tokio::test]
async fn psql_connects_with_verify_full() {
    if !Path::new("/usr/bin/psql").exists() {
        eprintln!("psql not installed; skipping");
        return;
    }
    let server = TestServer::start(10, Duration::from_secs(5)).await;

    let output = psql(
        &server,
        PASSWORD,
        &["\\echo :SERVER_VERSION_NAME", "SELECT 1"],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "psql failed: {stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        ["16.15", ANSWER],
        "{stdout}"
    );

    let output = psql(&server, "wrong", &["SELECT 1"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("password authentication failed for user \"admin\""),
        "{stderr}"
    );
    server.stop().await.expect("clean stop");
}

/// An authenticator that records the user and SNI name of every attempt, then checks the
/// password like [`PasswordAuthenticator`].
#[derive(Debug)]
struct RecordingAuthenticator {
    /// (user, SNI) of each attempt.
    seen: std::sync::Mutex<Vec<(String, Option<String>)>>,
    /// The real check.
    inner: PasswordAuthenticator,
}

#[async_trait]
impl crate::Authenticator for RecordingAuthenticator {
    fn method(&self) -> &'static str {
        self.inner.method()
    }

    async fn authenticate(
        &self,
        user: &str,
        password: &[u8],
        sni: Option<&str>,
    ) -> Result<(), crate::AuthFailure> {
        self.seen
            .lock()
            .expect("lock")
            .push((user.to_owned(), sni.map(str::to_owned)));
        self.inner.authenticate(user, password, sni).await
    }
}

/// A TLS connection made with PostgreSQL 17's direct TLS: the TLS handshake right after the TCP
/// connect (no SSLRequest), offering ALPN `postgresql`, verifying the certificate for `name`.
async fn direct_tls(
    server: &TestServer,
    name: &str,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&server.files.ca_cert).expect("open CA") {
        roots.add(cert.expect("CA PEM")).expect("add CA");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("tcp connect");
    let server_name =
        rustls::pki_types::ServerName::try_from(name.to_owned()).expect("server name");
    let stream = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(server_name, tcp)
        .await
        .expect("TLS handshake");
    assert_eq!(
        stream.get_ref().1.alpn_protocol(),
        Some(&b"postgresql"[..]),
        "the server agreed on ALPN postgresql"
    );
    stream
}

/// Writes one frontend message: `tag` (none for the StartupMessage), length, `body`.
async fn send<S: tokio::io::AsyncWrite + Unpin>(stream: &mut S, tag: Option<u8>, body: &[u8]) {
    use tokio::io::AsyncWriteExt as _;
    let mut message = Vec::new();
    message.extend(tag);
    let length = u32::try_from(body.len() + 4).expect("small message");
    message.extend_from_slice(&length.to_be_bytes());
    message.extend_from_slice(body);
    stream.write_all(&message).await.expect("write");
    stream.flush().await.expect("flush");
}

/// Reads one backend message: its tag and body.
async fn receive<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> (u8, Vec<u8>) {
    use tokio::io::AsyncReadExt as _;
    let mut header = [0u8; 5];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut header))
        .await
        .expect("a message in time")
        .expect("read header");
    let length = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    let mut body = vec![0u8; length.saturating_sub(4)];
    stream.read_exact(&mut body).await.expect("read body");
    (header[0], body)
}

/// Runs the startup exchange by hand over `stream` and returns every message up to and
/// including ReadyForQuery (or the ErrorResponse).
async fn raw_login<S>(stream: &mut S, user: &str, password: &str) -> Vec<(u8, Vec<u8>)>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut startup = 196_608u32.to_be_bytes().to_vec(); // protocol 3.0
    for (key, value) in [("user", user), ("database", "postgres")] {
        startup.extend_from_slice(key.as_bytes());
        startup.push(0);
        startup.extend_from_slice(value.as_bytes());
        startup.push(0);
    }
    startup.push(0);
    send(stream, None, &startup).await;
    let (tag, body) = receive(stream).await;
    assert_eq!(
        (tag, body.as_slice()),
        (b'R', &[0, 0, 0, 3][..]),
        "cleartext password asked"
    );
    let mut password = password.as_bytes().to_vec();
    password.push(0);
    send(stream, Some(b'p'), &password).await;
    let mut messages = Vec::new();
    loop {
        let message = receive(stream).await;
        let done = matches!(message.0, b'Z' | b'E');
        messages.push(message);
        if done {
            return messages;
        }
    }
}

#[tokio::test]
async fn direct_tls_client_authenticates_and_queries() {
    let server = TestServer::start(10, Duration::from_secs(5)).await;
    let mut stream = direct_tls(&server, "localhost").await;
    let messages = raw_login(&mut stream, "admin", PASSWORD).await;
    assert_eq!(
        messages.first(),
        Some(&(b'R', vec![0, 0, 0, 0])),
        "AuthenticationOk"
    );
    assert!(
        messages
            .iter()
            .any(|(tag, body)| *tag == b'S' && body.as_slice() == b"server_version\x0016.15\x00"),
        "server_version reported"
    );
    assert_eq!(messages.last().map(|m| m.0), Some(b'Z'), "ReadyForQuery");
    send(&mut stream, Some(b'Q'), b"SELECT 1\0").await;
    let mut rows = Vec::new();
    loop {
        let (tag, body) = receive(&mut stream).await;
        if tag == b'D' {
            rows.push(body);
        }
        if tag == b'Z' {
            break;
        }
    }
    assert_eq!(rows.len(), 1);
    assert!(
        rows[0].ends_with(ANSWER.as_bytes()),
        "the row carries the answer"
    );
    server.wait_for_open_connections(1).await;

    // A wrong password over direct TLS is refused like any other.
    let mut stream = direct_tls(&server, "localhost").await;
    let messages = raw_login(&mut stream, "admin", "wrong").await;
    let (tag, body) = messages.last().expect("a reply");
    assert_eq!(*tag, b'E');
    let text = String::from_utf8_lossy(body);
    assert!(text.contains("C28P01"), "{text}");
    assert!(
        text.contains("password authentication failed for user \"admin\""),
        "{text}"
    );
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn the_sni_name_reaches_the_authenticator() {
    let auth = Arc::new(RecordingAuthenticator {
        seen: std::sync::Mutex::new(Vec::new()),
        inner: PasswordAuthenticator::new(PASSWORD),
    });
    let server = TestServer::start_with(Startup::new(auth.clone()), ServeOptions::default()).await;
    // tokio-postgres over rustls sends the host name as SNI...
    let client = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("connect");
    assert_eq!(query_value(&client).await, ANSWER);
    // ... direct TLS too ...
    let mut stream = direct_tls(&server, "localhost").await;
    raw_login(&mut stream, "admin", PASSWORD).await;
    // ... and nobody sends SNI for an IP address.
    let mut stream = direct_tls(&server, "127.0.0.1").await;
    raw_login(&mut stream, "admin", PASSWORD).await;
    let seen = auth.seen.lock().expect("lock").clone();
    assert_eq!(
        seen,
        [
            ("admin".to_owned(), Some("localhost".to_owned())),
            ("admin".to_owned(), Some("localhost".to_owned())),
            ("admin".to_owned(), None),
        ]
    );
    drop(client);
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn connections_over_the_rate_are_refused() {
    let startup = Startup::new(Arc::new(PasswordAuthenticator::new(PASSWORD)))
        .with_connection_rate(Some(crate::ConnectionRate {
            per_second: 2,
            burst: 2,
        }));
    let server = TestServer::start_with(startup, ServeOptions::default()).await;
    let first = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("first");
    // A refused login counts too: it was a new connection.
    let err = server
        .connect("admin", "wrong", "postgres")
        .await
        .expect_err("wrong password");
    assert_eq!(db_error(&err).0, "28P01");
    let err = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect_err("over the rate");
    assert_eq!(
        db_error(&err),
        (
            "53400".to_string(),
            "Unable to accept connection, rate exceeded.".to_string()
        )
    );
    // Admitted sessions are not affected, and the bucket refills (one token per 500 ms).
    assert_eq!(query_value(&first).await, ANSWER);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let again = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("refilled");
    assert_eq!(query_value(&again).await, ANSWER);
    drop((first, again));
    server.stop().await.expect("clean stop");
}

#[tokio::test]
async fn sessions_are_closed_at_the_maximum_duration() {
    let startup = Startup::new(Arc::new(PasswordAuthenticator::new(PASSWORD)));
    let options = ServeOptions {
        max_session_duration: Some(Duration::from_millis(700)),
        ..ServeOptions::default()
    };
    let server = TestServer::start_with(startup, options).await;
    let client = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("connect");
    assert_eq!(query_value(&client).await, ANSWER);
    server.wait_for_open_connections(1).await;
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let err = client
        .simple_query("SELECT 1")
        .await
        .expect_err("the session was closed");
    assert!(
        err.as_db_error().is_none(),
        "closed without an error message: {err:?}"
    );
    assert!(client.is_closed());
    server.wait_for_open_connections(0).await;
    // New sessions are still welcome.
    let client = server
        .connect("admin", PASSWORD, "postgres")
        .await
        .expect("reconnect");
    assert_eq!(query_value(&client).await, ANSWER);
    drop(client);
    server.stop().await.expect("clean stop");
}

/// IAM logins end to end: tokens made with [`crate::iam::generate_token`] as the password.
mod iam {
    use std::collections::HashMap;
    use std::time::SystemTime;

    use super::*;
    use crate::iam::authenticator::tests::MemoryRoles;
    use crate::iam::{
        Action, CombinedAuthenticator, Credential, IamAuthenticator, KeyStore, TokenVerifier,
        VerifierConfig, generate_token,
    };

    const APP_ARN: &str = "arn:aws:iam::123456789012:role/app";

    fn admin_key() -> Credential {
        Credential::new("AKIAADMIN", "admin/secret")
    }

    fn app_key() -> Credential {
        Credential::new("ASIAAPP", "app+secret")
            .with_session_token("FQoG+session/token=")
            .with_principal_arn(APP_ARN)
    }

    /// A router taking IAM tokens for host `localhost` (and the password when `password`).
    async fn iam_server(password: bool) -> TestServer {
        let keys = KeyStore::from_credentials([admin_key(), app_key()]).expect("keys");
        let config = VerifierConfig {
            endpoints: vec!["localhost".into()],
            ..VerifierConfig::default()
        };
        let roles = MemoryRoles {
            grants: HashMap::from([("app".to_owned(), vec![APP_ARN.to_owned()])]),
            no_login: Vec::new(),
        };
        let iam =
            IamAuthenticator::new(TokenVerifier::new(Arc::new(keys), config), Arc::new(roles));
        let password = password.then(|| Arc::new(PasswordAuthenticator::new(PASSWORD)));
        let auth = CombinedAuthenticator::new(iam, password);
        TestServer::start_with(Startup::new(Arc::new(auth)), ServeOptions::default()).await
    }

    fn token(host: &str, action: Action, key: &Credential, expires: u64) -> String {
        generate_token(
            host,
            "us-east-1",
            action,
            key,
            Duration::from_secs(expires),
            SystemTime::now(),
        )
        .expect("token")
    }

    #[tokio::test]
    async fn admin_and_mapped_roles_log_in_with_tokens() {
        let server = iam_server(false).await;
        let admin = token("localhost", Action::DbConnectAdmin, &admin_key(), 900);
        let client = server
            .connect("admin", &admin, "postgres")
            .await
            .expect("admin");
        assert_eq!(query_value(&client).await, ANSWER);
        // The same token again: tokens are reusable until they expire.
        let again = server
            .connect("admin", &admin, "postgres")
            .await
            .expect("again");
        assert_eq!(query_value(&again).await, ANSWER);
        let app = token("localhost", Action::DbConnect, &app_key(), 900);
        let client = server.connect("app", &app, "postgres").await.expect("app");
        assert_eq!(query_value(&client).await, ANSWER);
        server.stop().await.expect("clean stop");
    }

    #[tokio::test]
    async fn bad_tokens_are_refused_without_saying_why() {
        let server = iam_server(false).await;
        let refused = |user: &str| {
            (
                "28P01".to_string(),
                format!("IAM authentication failed for user \"{user}\""),
            )
        };
        let admin = token("localhost", Action::DbConnectAdmin, &admin_key(), 900);
        let mut tampered = admin.clone();
        let last = tampered.pop().expect("non-empty");
        tampered.push(if last == '0' { '1' } else { '0' });
        let cases = [
            ("admin", tampered),
            ("admin", "not a token".to_owned()),
            ("admin", PASSWORD.to_owned()),
            // Another host, the wrong action for the user, a role without a grant.
            (
                "admin",
                token(
                    "elsewhere.example",
                    Action::DbConnectAdmin,
                    &admin_key(),
                    900,
                ),
            ),
            ("app", admin.clone()),
            (
                "other",
                token("localhost", Action::DbConnect, &app_key(), 900),
            ),
        ];
        for (user, password) in cases {
            let err = server
                .connect(user, &password, "postgres")
                .await
                .expect_err("refused");
            assert_eq!(db_error(&err), refused(user), "{user} with {password}");
        }
        let long = admin.replace("X-Amz-Expires=900", "X-Amz-Expires=604801");
        let err = server
            .connect("admin", &long, "postgres")
            .await
            .expect_err("over a week");
        assert_eq!(
            db_error(&err),
            (
                "28P01".to_string(),
                "unable to accept connection, X-Amz-Expires must be less than a week (in seconds)"
                    .to_string()
            )
        );
        assert_eq!(server.startup.open_connections(), 0);
        server.stop().await.expect("clean stop");
    }

    #[tokio::test]
    async fn the_development_password_works_beside_tokens() {
        let server = iam_server(true).await;
        let client = server
            .connect("admin", PASSWORD, "postgres")
            .await
            .expect("password");
        assert_eq!(query_value(&client).await, ANSWER);
        let admin = token("localhost", Action::DbConnectAdmin, &admin_key(), 900);
        let client = server
            .connect("admin", &admin, "postgres")
            .await
            .expect("token");
        assert_eq!(query_value(&client).await, ANSWER);
        let err = server
            .connect("admin", "wrong", "postgres")
            .await
            .expect_err("wrong");
        assert_eq!(
            db_error(&err),
            (
                "28P01".to_string(),
                "password authentication failed for user \"admin\"".to_string()
            )
        );
        server.stop().await.expect("clean stop");
    }
}
