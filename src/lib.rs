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
//!     tls/ca.crt server.crt server.key    generated on first start
//!     admin-password                      generated when no --password is given
//!     journal/0 journal/1 journal/2       the three replicas
//! ```

use proto::journal::Replica;
use proto::key::ShardMap;
use proto::storage::Shard;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
}

/// The server's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the journal, TLS files and generated password live.
    pub data_dir: PathBuf,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The password of user `admin`; generated and stored in the data folder when `None`.
    pub password: Option<String>,
    /// Extra storage shard split keys (the catalog always gets a shard of its own).
    pub extra_shard_splits: Vec<Vec<u8>>,
    /// Host names and addresses the generated server certificate is valid for.
    pub tls_hosts: Vec<String>,
    /// The maximum number of open connections.
    pub max_connections: usize,
    /// The transaction and object limits the query processor enforces (DSQL's by default).
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
            tls_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            max_connections: router::DEFAULT_MAX_CONNECTIONS,
            limits: qp::Limits::default(),
        }
    }
}

/// A running server with every role in this process.
pub struct Server {
    local_addr: SocketAddr,
    ca_path: PathBuf,
    password: String,
    replicas: Vec<Arc<journal::LocalReplica>>,
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

    /// The `admin` password.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// The journal replicas (tests stop and restart them to simulate replica failures).
    pub fn journal_replicas(&self) -> &[Arc<journal::LocalReplica>] {
        &self.replicas
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

/// Reads the stored admin password, or generates and stores one.
fn admin_password(data_dir: &Path) -> Result<String, Error> {
    let path = data_dir.join("admin-password");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if !existing.is_empty() {
            return Ok(existing);
        }
    }
    let password: String = {
        use rand::Rng;
        let mut rng = rand::rng();
        (0..24)
            .map(|_| {
                const CHARS: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
                CHARS[rng.random_range(0..CHARS.len())] as char
            })
            .collect()
    };
    {
        use std::io::Write;
        #[cfg(unix)]
        use std::os::unix::fs::OpenOptionsExt;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options
            .open(&path)
            .map_err(io(format!("writing {}", path.display())))?;
        file.write_all(password.as_bytes())
            .map_err(io(format!("writing {}", path.display())))?;
        file.sync_all()
            .map_err(io(format!("writing {}", path.display())))?;
    }
    Ok(password)
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
    let mut splits = vec![qp::keycode::table_prefix(qp::catalog::FIRST_USER_TABLE_ID)];
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
    let engine = qp::Engine::new(
        qp::Cluster {
            adjudicator: adjudicator.clone(),
            shards,
            shard_map,
        },
        config.limits.clone(),
    );
    // Background jobs (index builds), resumed from `sys.jobs`; stopped with the appliers.
    appliers.push(engine.start_jobs());

    // Router: TLS, startup, authentication.
    let tls_files = router::generate_or_load(data_dir, &config.tls_hosts)
        .map_err(|e| Error::Tls(e.to_string()))?;
    let tls = router::server_config(&tls_files.server_cert, &tls_files.server_key)
        .map_err(|e| Error::Tls(e.to_string()))?;
    let password = match &config.password {
        Some(p) => p.clone(),
        None => admin_password(data_dir)?,
    };
    let startup = router::Startup::new(Arc::new(router::PasswordAuthenticator::new(&password)))
        .with_max_connections(config.max_connections);
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
    let serving = tokio::spawn(router::serve(listener, tls, handlers, async move {
        let _ = shutdown_rx.wait_for(|stop| *stop).await;
    }));
    Ok(Server {
        local_addr,
        ca_path: tls_files.ca_cert.clone(),
        password,
        replicas,
        shutdown,
        serving,
        appliers,
    })
}
