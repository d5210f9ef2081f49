//! Shared helpers for end-to-end tests: start a real server on port 0 in a temporary folder
//! and connect to it over TLS with tokio-postgres.
#![allow(dead_code)]

use std::sync::Arc;

pub mod wire;
use tokio_postgres::Client;

/// A server running in this test process, with its data folder.
pub struct TestServer {
    pub server: dsql::Server,
    pub dir: tempfile::TempDir,
}

/// Starts every role in-process on 127.0.0.1:0 with a fresh data folder.
pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

/// Like [`start`], adjusting the configuration first.
pub async fn start_with(adjust: impl FnOnce(&mut dsql::Config)) -> TestServer {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = dsql::Config::new(dir.path(), "127.0.0.1:0".parse().unwrap());
    config.password = Some("test-password".into());
    adjust(&mut config);
    let server = dsql::start(config).await.expect("server starts");
    TestServer { server, dir }
}

/// A TLS client config that trusts the server's generated CA.
pub fn tls_connector(ca_path: &std::path::Path) -> tokio_postgres_rustls::MakeRustlsConnect {
    use rustls_pki_types::{CertificateDer, pem::PemObject};
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_path).expect("read CA") {
        roots.add(cert.expect("CA cert")).expect("add CA");
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    tokio_postgres_rustls::MakeRustlsConnect::new(config)
}

/// Connects as admin over TLS (verify-full against the generated CA).
pub async fn connect(server: &dsql::Server) -> Client {
    let conn_str = format!(
        "host=localhost port={} user=admin password={} dbname=postgres sslmode=require",
        server.local_addr().port(),
        server.password().expect("tests configure a password")
    );
    let (client, connection) = tokio_postgres::connect(&conn_str, tls_connector(server.ca_path()))
        .await
        .expect("connect over TLS");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// The SQLSTATE of an error, as a string.
pub fn sqlstate(err: &tokio_postgres::Error) -> String {
    err.code()
        .map(|c| c.code().to_string())
        .unwrap_or_else(|| format!("no sqlstate: {err}"))
}

/// The error message of a database error.
pub fn message(err: &tokio_postgres::Error) -> String {
    err.as_db_error()
        .map(|e| e.message().to_string())
        .unwrap_or_else(|| err.to_string())
}

/// The real `dsql` binary started with `dsql start` in a child process.
pub struct Binary {
    pub child: std::process::Child,
    pub port: u16,
    pub data_dir: std::path::PathBuf,
    pub password: String,
}

impl Binary {
    /// Starts `dsql start` on 127.0.0.1:0 with `data_dir`, waiting until it listens.
    pub fn start(data_dir: &std::path::Path) -> Binary {
        Binary::start_program(std::path::Path::new(env!("CARGO_BIN_EXE_dsql")), data_dir)
    }

    /// Like [`Binary::start`], with another build of `dsql` (an older release, say).
    pub fn start_program(program: &std::path::Path, data_dir: &std::path::Path) -> Binary {
        use std::io::{BufRead, BufReader};
        let password = "binary-test".to_string();
        let mut child = std::process::Command::new(program)
            .args(["start", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env("DSQL_PASSWORD", &password)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("spawn dsql");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            let line = lines
                .next()
                .expect("dsql exited before listening")
                .expect("read stdout");
            if let Some(rest) = line.split("listening on 127.0.0.1:").nth(1) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .parse()
                    .expect("port");
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Binary {
            child,
            port,
            data_dir: data_dir.to_path_buf(),
            password,
        }
    }

    /// A libpq connection string (verify-full against the generated CA).
    pub fn conninfo(&self) -> String {
        format!(
            "host=localhost port={} user=admin dbname=postgres sslmode=verify-full sslrootcert={}",
            self.port,
            self.data_dir.join("tls/ca.crt").display()
        )
    }

    /// Connects with tokio-postgres over TLS.
    pub async fn connect(&self) -> Result<Client, tokio_postgres::Error> {
        let conn_str = format!(
            "host=localhost port={} user=admin password={} dbname=postgres sslmode=require connect_timeout=5",
            self.port, self.password
        );
        let (client, connection) =
            tokio_postgres::connect(&conn_str, tls_connector(&self.data_dir.join("tls/ca.crt")))
                .await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// Stops the process cleanly (SIGTERM) and waits for it to exit.
    pub fn stop(mut self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM");
        let exit = self.child.wait().expect("wait for dsql");
        assert!(exit.success(), "dsql exits cleanly on SIGTERM: {exit}");
    }

    /// Kills the process with SIGKILL (no chance to clean up) and reaps it.
    pub fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connects to `server` as `user` with `password` (a password or an IAM token), verifying the
/// server's certificate against its CA.
pub async fn connect_as(
    server: &dsql::Server,
    user: &str,
    password: &str,
) -> Result<Client, tokio_postgres::Error> {
    let mut config = tokio_postgres::Config::new();
    config
        .host("localhost")
        .port(server.local_addr().port())
        .user(user)
        .password(password)
        .dbname("postgres")
        .ssl_mode(tokio_postgres::config::SslMode::Require)
        .connect_timeout(std::time::Duration::from_secs(10));
    let (client, connection) = config.connect(tls_connector(server.ca_path())).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Runs `sql` (simple protocol), which must fail, and returns the error's SQLSTATE and message.
pub async fn fails(c: &Client, sql: &str) -> (String, String) {
    let err = c
        .batch_execute(sql)
        .await
        .expect_err(&format!("{sql} should fail"));
    (sqlstate(&err), message(&err))
}

/// Runs a `CREATE INDEX ASYNC` statement and waits for its job: whether the build succeeded.
pub async fn build_index(c: &Client, sql: &str) -> bool {
    let job: String = c
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0);
    c.query_one("SELECT sys.wait_for_job($1)", &[&job])
        .await
        .expect("sys.wait_for_job")
        .get(0)
}

/// Runs a SQL script the way `psql -f` does: each statement as its own simple Query, so each
/// autocommits on its own (a multi-statement Query string is one implicit transaction, where
/// DSQL refuses DDL together with DML). Statements are split at semicolons outside quotes.
pub async fn script(c: &Client, sql: &str) -> Result<(), tokio_postgres::Error> {
    for statement in split_statements(sql) {
        c.batch_execute(&statement).await?;
    }
    Ok(())
}

/// Splits SQL text at the semicolons that are not inside '...' or "..." (no comments, no
/// dollar quotes: enough for test scripts).
fn split_statements(sql: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for ch in sql.chars() {
        match (quote, ch) {
            (None, ';') => {
                if !current.trim().is_empty() {
                    statements.push(current.trim().to_string());
                }
                current.clear();
                continue;
            }
            (None, '\'' | '"') => quote = Some(ch),
            (Some(q), c) if c == q => quote = None,
            _ => {}
        }
        current.push(ch);
    }
    if !current.trim().is_empty() {
        statements.push(current.trim().to_string());
    }
    statements
}
