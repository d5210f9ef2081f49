//! dsql: a self-hosted, PostgreSQL-compatible distributed SQL database in the shape of Aurora
//! DSQL.
//!
//! This crate is the one binary's wiring. [`start`] assembles every role in one process (the
//! embedded default): the router (TLS, startup, authentication), a query processor, the
//! adjudicator, three journal replicas (each its own folder and fsyncs) and storage shards
//! split by key range. Roles only know each other through the traits in `proto`; this is the
//! only place that names their in-process implementations.
//!
//! ```text
//!   data-dir/
//!     tls/ca.crt server.crt server.key    generated on first start (unless --tls-cert/--tls-key)
//!     credentials                         a generated access key, when no other keys are given
//!     journal/0 journal/1 journal/2       the three replicas
//! ```
//!
//! Clients authenticate as in Aurora DSQL, with an IAM auth token (a SigV4-presigned URL) as the
//! password. The server accepts tokens signed by the keys of [`IamConfig`]: a credentials file,
//! the `AWS_*` environment, or, when neither gives a key, a key generated into
//! `data-dir/credentials` (the AWS shared-credentials format, so boto3, the AWS CLI and
//! `dsql token` can sign with it). Password authentication for `admin` is available for local
//! development and tests, and is off unless a password is configured.

mod credentials;

pub use credentials::{LOCAL_CREDENTIALS_FILE, generate_local_credentials};

use proto::adjudicator::Adjudicator;
use proto::journal::Replica;
use proto::key::ShardMap;
use proto::storage::Shard;
use router::iam::{IamAuthenticator, KeyStore, TokenVerifier, VerifierConfig};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What can go wrong starting the server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or socket operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A role failed to start.
    #[error("{context}: {source}")]
    Role {
        /// Which role.
        context: String,
        /// The cause.
        source: proto::Error,
    },
    /// TLS set-up failed.
    #[error("TLS: {0}")]
    Tls(String),
    /// The access keys could not be loaded.
    #[error("IAM credentials: {0}")]
    Credentials(String),
}

/// How IAM auth tokens are checked.
#[derive(Clone, Debug)]
pub struct IamConfig {
    /// The region tokens must be signed for (`--region`).
    pub region: String,
    /// A credentials file in the AWS shared-credentials format (`--iam-credentials`).
    pub credentials_file: Option<PathBuf>,
    /// Also accept the key in `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
    /// `AWS_SESSION_TOKEN` (and `DSQL_PRINCIPAL_ARN`) of the server's environment.
    pub use_environment: bool,
    /// Endpoint host names tokens may be signed for (`--endpoint`); empty accepts any host.
    pub endpoints: Vec<String>,
    /// How far ahead of the server a token signer's clock may run (a token dated up to this
    /// far in the future is accepted; an expired token never is).
    pub clock_skew: Duration,
}

impl Default for IamConfig {
    fn default() -> IamConfig {
        let verifier = VerifierConfig::default();
        IamConfig {
            region: verifier.region,
            credentials_file: None,
            use_environment: false,
            endpoints: verifier.endpoints,
            clock_skew: verifier.clock_skew,
        }
    }
}

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the journal, TLS files and generated password live.
    pub data_dir: PathBuf,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// A password for user `admin`, for local development: `None` (the default) turns
    /// password authentication off, leaving IAM tokens only.
    pub password: Option<String>,
    /// IAM token authentication.
    pub iam: IamConfig,
    /// Extra storage shard split keys (the catalog always gets a shard of its own).
    pub extra_shard_splits: Vec<Vec<u8>>,
    /// Host names and addresses the generated server certificate is valid for.
    pub tls_hosts: Vec<String>,
    /// A certificate chain (PEM) to serve instead of the generated one; needs `tls_key`.
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of `tls_cert`.
    pub tls_key: Option<PathBuf>,
    /// The maximum number of open connections.
    pub max_connections: usize,
    /// The rate of new connections (`None`: unlimited).
    pub connection_rate: Option<router::ConnectionRate>,
    /// How long a session may stay open (`None`: unlimited).
    pub max_session_duration: Option<Duration>,
    /// The query processors' limits (rows and bytes per transaction, sizes, counts).
    pub limits: qp::Limits,
}

impl Config {
    /// The embedded default for a data folder and listen address.
    pub fn new(data_dir: impl Into<PathBuf>, listen: SocketAddr) -> Config {
        Config {
            data_dir: data_dir.into(),
            listen,
            password: None,
            extra_shard_splits: Vec::new(),
            iam: IamConfig::default(),
            tls_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            tls_cert: None,
            tls_key: None,
            max_connections: router::DEFAULT_MAX_CONNECTIONS,
            connection_rate: Some(router::ConnectionRate::default()),
            max_session_duration: Some(router::MAX_SESSION_DURATION),
            limits: qp::Limits::default(),
        }
    }
}

/// A running server with every role in this process.
pub struct Server {
    local_addr: SocketAddr,
    ca_path: PathBuf,
    password: Option<String>,
    local_credentials: Option<PathBuf>,
    region: String,
    replicas: Vec<Arc<journal::LocalReplica>>,
    adjudicator: Arc<dyn Adjudicator>,
    cluster: qp::Cluster,
    shutdown: watch::Sender<bool>,
    serving: JoinHandle<std::io::Result<()>>,
    appliers: Vec<JoinHandle<()>>,
}

impl Server {
    /// The address the server listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The CA certificate clients verify the server with.
    pub fn ca_path(&self) -> &Path {
        &self.ca_path
    }

    /// The `admin` password, if password authentication is on.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The generated credentials file the server accepts tokens from, when no other keys were
    /// configured.
    pub fn local_credentials(&self) -> Option<&Path> {
        self.local_credentials.as_deref()
    }

    /// The region tokens must be signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The journal replicas (tests stop and restart them to simulate replica failures).
    pub fn journal_replicas(&self) -> &[Arc<journal::LocalReplica>] {
        &self.replicas
    }

    /// The adjudicator (tests commit raw writes through it, to plant damaged data).
    pub fn adjudicator(&self) -> Arc<dyn Adjudicator> {
        self.adjudicator.clone()
    }

    /// The services a query processor talks to (adjudicator and storage shards). Tests build
    /// a second QP's parts over them, as cluster mode will.
    pub fn cluster(&self) -> qp::Cluster {
        self.cluster.clone()
    }

    /// A libpq connection string for `admin`.
    pub fn connection_string(&self) -> String {
        format!(
            "host=localhost port={} user=admin dbname=postgres sslmode=verify-full sslrootcert={}",
            self.local_addr.port(),
            self.ca_path.display()
        )
    }

    /// Stops accepting connections, waits (bounded) for open ones, and stops the roles.
    pub async fn shutdown(self) -> std::io::Result<()> {
        let _ = self.shutdown.send(true);
        let result = self.serving.await.unwrap_or(Ok(()));
        for applier in self.appliers {
            applier.abort();
        }
        result
    }
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.into();
    move |source| Error::Io { context, source }
}

/// Starts every role in this process and begins serving connections.
pub async fn start(config: Config) -> Result<Server, Error> {
    let data_dir = &config.data_dir;
    std::fs::create_dir_all(data_dir).map_err(io(format!("creating {}", data_dir.display())))?;

    // Journal: three replicas, each in its own folder.
    let mut replicas = Vec::new();
    for i in 0..3 {
        let dir = data_dir.join("journal").join(i.to_string());
        let replica = journal::LocalReplica::open(&dir).map_err(|source| Error::Role {
            context: format!("opening journal replica {}", dir.display()),
            source,
        })?;
        replicas.push(replica);
    }
    let journal: Vec<Arc<dyn Replica>> = replicas
        .iter()
        .map(|r| r.clone() as Arc<dyn Replica>)
        .collect();

    // Adjudicator: seals the journal with a new epoch and recovers the log's tail.
    let adjudicator =
        adjudicator::LocalAdjudicator::recover(journal.clone(), adjudicator::Config::default())
            .await
            .map_err(|source| Error::Role {
                context: "recovering the adjudicator".into(),
                source,
            })?;

    // Storage: the catalog on a shard of its own, user tables on the rest.
    let mut splits = vec![qp::types::keycode::table_prefix(
        qp::catalog::FIRST_USER_TABLE_ID,
    )];
    splits.extend(config.extra_shard_splits.iter().cloned());
    let shard_map = ShardMap::new(splits);
    let mut shards: Vec<Arc<dyn Shard>> = Vec::new();
    let mut appliers = Vec::new();
    for i in 0..shard_map.len() {
        let range = shard_map.range_of(proto::ShardId(i as u32));
        let shard = storage::LocalShard::new(range, storage::ShardConfig::default());
        appliers.push(shard.follow(journal.clone()));
        shards.push(shard);
    }

    // Query processor.
    let cluster = qp::Cluster {
        adjudicator: adjudicator.clone(),
        shards,
        shard_map,
    };
    let engine = qp::Engine::new(cluster.clone(), config.limits.clone());
    // Background jobs (index builds), resumed from `sys.jobs`; stopped with the appliers.
    appliers.push(engine.start_jobs());

    // Router: TLS, startup, authentication.
    let (tls, ca_path) = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => (
            router::server_config(cert, key).map_err(|e| Error::Tls(e.to_string()))?,
            cert.clone(),
        ),
        (None, None) => {
            let files = router::generate_or_load(data_dir, &tls_hosts(&config))
                .map_err(|e| Error::Tls(e.to_string()))?;
            (
                router::server_config(&files.server_cert, &files.server_key)
                    .map_err(|e| Error::Tls(e.to_string()))?,
                files.ca_cert,
            )
        }
        _ => {
            return Err(Error::Tls(
                "--tls-cert and --tls-key must be given together".into(),
            ));
        }
    };
    let (keys, local_credentials) = load_keys(&config)?;
    let verifier = TokenVerifier::new(
        Arc::new(keys),
        VerifierConfig {
            region: config.iam.region.clone(),
            endpoints: config.iam.endpoints.clone(),
            clock_skew: config.iam.clock_skew,
        },
    );
    let iam = IamAuthenticator::new(verifier, Arc::new(CatalogRoles(engine.clone())));
    let password = config
        .password
        .as_deref()
        .map(|p| Arc::new(router::PasswordAuthenticator::new(p)));
    let authenticator = router::iam::CombinedAuthenticator::new(iam, password);
    let startup = router::Startup::new(Arc::new(authenticator))
        .with_max_connections(config.max_connections)
        .with_connection_rate(config.connection_rate);
    let handlers = Arc::new(router::Handlers::new(
        Arc::new(startup),
        qp::QueryHandlers::new(engine),
    ));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(io(format!("listening on {}", config.listen)))?;
    let local_addr = listener
        .local_addr()
        .map_err(io("reading the listen address"))?;
    let (shutdown, mut shutdown_rx) = watch::channel(false);
    let options = router::ServeOptions {
        max_session_duration: config.max_session_duration,
        ..Default::default()
    };
    let serving = tokio::spawn(router::serve_with_options(
        listener,
        tls,
        handlers,
        async move {
            let _ = shutdown_rx.wait_for(|stop| *stop).await;
        },
        options,
    ));
    Ok(Server {
        local_addr,
        ca_path,
        password: config.password.clone(),
        local_credentials,
        region: config.iam.region.clone(),
        replicas,
        adjudicator: adjudicator.clone(),
        cluster,
        shutdown,
        serving,
        appliers,
    })
}

/// The names the generated server certificate is valid for: the configured ones plus the
/// endpoints tokens are signed for, so `sslmode=verify-full` works with the same host name.
fn tls_hosts(config: &Config) -> Vec<String> {
    let mut hosts = config.tls_hosts.clone();
    for endpoint in &config.iam.endpoints {
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(endpoint)) {
            hosts.push(endpoint.clone());
        }
    }
    hosts
}

/// The keys tokens may be signed with: the credentials file and/or the environment; when
/// neither is configured, the generated `data-dir/credentials` (created on first start).
/// Returns the keys and, in the last case, the generated file's path.
fn load_keys(config: &Config) -> Result<(KeyStore, Option<PathBuf>), Error> {
    let credentials = |e: router::iam::CredentialsError| Error::Credentials(e.to_string());
    let mut keys = KeyStore::new();
    if let Some(path) = &config.iam.credentials_file {
        keys.merge(KeyStore::load_file(path).map_err(credentials)?)
            .map_err(credentials)?;
    }
    if config.iam.use_environment {
        keys.merge(KeyStore::from_env_vars(std::env::vars()).map_err(credentials)?)
            .map_err(credentials)?;
    }
    if config.iam.credentials_file.is_some() || !keys.is_empty() {
        return Ok((keys, None));
    }
    let path = generate_local_credentials(&config.data_dir)
        .map_err(io("writing the generated credentials"))?;
    let keys = KeyStore::load_file(&path).map_err(credentials)?;
    Ok((keys, Some(path)))
}

/// The router's view of roles, answered by the query processor from the catalog.
struct CatalogRoles(Arc<qp::Engine>);

impl std::fmt::Debug for CatalogRoles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CatalogRoles")
    }
}

#[async_trait::async_trait]
impl router::iam::RoleDirectory for CatalogRoles {
    async fn check_login(
        &self,
        role: &str,
        principal_arn: Option<&str>,
    ) -> Result<(), router::AuthFailure> {
        match self.0.check_login(role, principal_arn).await {
            Ok(()) => Ok(()),
            Err(qp::LoginRefusal::Unavailable(reason)) => {
                Err(router::AuthFailure::Unavailable(reason))
            }
            Err(refusal) => Err(router::AuthFailure::refused(
                router::iam::IAM_METHOD,
                refusal.to_string(),
            )),
        }
    }
}
