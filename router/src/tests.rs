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

use crate::{Handlers, PasswordAuthenticator, Startup, TlsFiles};

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
    /// Starts a router admitting at most `max_connections` sessions.
    async fn start(max_connections: usize, grace: Duration) -> TestServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let hosts = ["localhost".to_string(), "127.0.0.1".to_string()];
        let files = crate::generate_or_load(dir.path(), &hosts).expect("certificates");
        let tls = crate::server_config(&files.server_cert, &files.server_key).expect("tls");
        let startup = Arc::new(
            Startup::new(Arc::new(PasswordAuthenticator::new(PASSWORD)))
                .with_max_connections(max_connections),
        );
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
        let task = tokio::spawn(crate::serve_with_grace(
            listener,
            tls,
            handlers,
            async {
                let _ = rx.await;
            },
            grace,
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
        ["16.9", ANSWER],
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
