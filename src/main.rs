//! The `dsql` binary: `dsql start` runs every role in one process; `dsql token` makes IAM auth
//! tokens to connect with.

use clap::{Args, Parser, Subcommand};
use router::iam::{Action, Credential, KeyStore};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

/// mimalloc rather than the system allocator: a statement allocates and frees many small
/// objects (its syntax tree, plan and rows), and glibc's malloc spent about 6% of the
/// server's time on pgbench's statements (`docs/performance.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "dsql",
    version,
    about = "A self-hosted, PostgreSQL-compatible distributed SQL database"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start a server with every role in this process (the embedded default).
    Start(Box<StartArgs>),
    /// Print an IAM auth token to use as the password (like the AWS SDKs'
    /// generate_db_connect_[admin_]auth_token). Keys come from AWS_ACCESS_KEY_ID /
    /// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN when set, else from the credentials file.
    Token(TokenArgs),
}

#[derive(Args)]
struct StartArgs {
    /// Where the journal, TLS files and generated credentials live.
    #[arg(long, default_value = "./dsql-data")]
    data_dir: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:5432")]
    listen: SocketAddr,
    /// Also accept this password for user `admin` (local development; off by default).
    #[arg(long, env = "DSQL_PASSWORD", hide_env_values = true)]
    password: Option<String>,
    /// Accept IAM tokens signed by the keys in this file (AWS shared-credentials format; an
    /// optional `principal_arn` per key is matched by AWS IAM GRANT). Without it, and without
    /// AWS_* keys in the environment, a key is generated into <data-dir>/credentials.
    #[arg(long, value_name = "FILE")]
    iam_credentials: Option<PathBuf>,
    /// The region IAM tokens must be signed for.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// An endpoint host name tokens must be signed for (repeatable; default: any host). Also
    /// added to the generated server certificate.
    #[arg(long = "endpoint", value_name = "HOST")]
    endpoints: Vec<String>,
    /// How far ahead of the server a token signer's clock may run (a token dated up to this
    /// far in the future is accepted; an expired token never is).
    #[arg(long, default_value = "5m", value_parser = qp::limits::parse_duration)]
    iam_clock_skew: Duration,
    /// Serve this certificate chain (PEM) instead of a generated one (needs --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The maximum number of open connections.
    #[arg(long, default_value_t = router::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// New connections allowed per second (0: unlimited).
    #[arg(long, default_value_t = router::ConnectionRate::default().per_second)]
    connection_rate: u32,
    /// New connections allowed at once after a quiet period.
    #[arg(long, default_value_t = router::ConnectionRate::default().burst)]
    connection_burst: u32,
    /// How long a session may stay open before it is closed (0: unlimited).
    #[arg(long, default_value = "60m", value_parser = qp::limits::parse_duration)]
    max_session_duration: Duration,
    /// Change a query-processor limit, NAME=VALUE (repeatable; `--help` lists them).
    #[arg(long = "limit", value_name = "NAME=VALUE", long_help = limits_help())]
    limits: Vec<String>,
}

#[derive(Args)]
struct TokenArgs {
    /// Make a DbConnectAdmin token for user `admin` (default: DbConnect, for other roles).
    #[arg(long)]
    admin: bool,
    /// The endpoint host name the token is for (the host clients connect to).
    #[arg(long, default_value = "localhost")]
    hostname: String,
    /// The region.
    #[arg(long, default_value = "us-east-1")]
    region: String,
    /// How long the token is valid for connecting.
    #[arg(long, default_value = "15m", value_parser = qp::limits::parse_duration)]
    expires_in: Duration,
    /// The credentials file to sign with when AWS_* keys are not set.
    #[arg(long, value_name = "FILE")]
    credentials: Option<PathBuf>,
    /// The data folder whose generated credentials to use when neither AWS_* keys nor
    /// --credentials are given.
    #[arg(long, default_value = "./dsql-data")]
    data_dir: PathBuf,
    /// Which key of the credentials file to use, when it has several.
    #[arg(long, value_name = "ID")]
    access_key_id: Option<String>,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DSQL_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dsql: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Start(args) => runtime.block_on(start(*args)),
        Command::Token(args) => token(args),
    }
}

/// `--limit`'s long help: every limit's name and meaning.
fn limits_help() -> String {
    let mut help = String::from(
        "Change a query-processor limit (repeatable). Sizes take KiB/MiB/GiB, durations \
         ms/s/min/h. The limits, with DSQL's defaults:",
    );
    for (name, description) in qp::Limits::NAMES {
        help.push_str(&format!("\n  {name}: {description}"));
    }
    help
}

/// The server configuration the flags describe.
fn config(args: StartArgs) -> Result<dsql::Config, String> {
    let mut config = dsql::Config::new(&args.data_dir, args.listen);
    config.password = args.password;
    config.iam = dsql::IamConfig {
        region: args.region,
        credentials_file: args.iam_credentials,
        use_environment: true,
        endpoints: args.endpoints,
        clock_skew: args.iam_clock_skew,
    };
    config.tls_cert = args.tls_cert;
    config.tls_key = args.tls_key;
    config.max_connections = args.max_connections;
    config.connection_rate = (args.connection_rate > 0).then_some(router::ConnectionRate {
        per_second: args.connection_rate,
        burst: args.connection_burst.max(1),
    });
    config.max_session_duration =
        (!args.max_session_duration.is_zero()).then_some(args.max_session_duration);
    for setting in &args.limits {
        let (name, value) = setting
            .split_once('=')
            .ok_or_else(|| format!("--limit {setting}: expected NAME=VALUE"))?;
        config
            .limits
            .set(name.trim(), value.trim())
            .map_err(|e| format!("--limit {setting}: {e}"))?;
    }
    Ok(config)
}

async fn start(args: StartArgs) -> ExitCode {
    let data_dir = args.data_dir.clone();
    let config = match config(args) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("dsql: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = match dsql::start(config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("dsql: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = server.local_addr();
    let host = if addr.ip().is_loopback() {
        "localhost".to_string()
    } else {
        addr.ip().to_string()
    };
    println!(
        "dsql is listening on {addr} (data in {})",
        data_dir.display()
    );
    let conninfo = format!(
        "host={host} port={} user=admin dbname=postgres sslmode=verify-full sslrootcert={}",
        addr.port(),
        server.ca_path().display()
    );
    let me = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "dsql".into());
    println!("Connect with an IAM auth token as the password:");
    match server.local_credentials() {
        Some(file) => {
            println!(
                "  PGPASSWORD=\"$({me} token --admin --hostname {host} --region {} --data-dir {})\" psql \"{conninfo}\"",
                server.region(),
                data_dir.display()
            );
            println!(
                "(tokens are signed with the key generated in {}; boto3 and the AWS CLI can use it through AWS_SHARED_CREDENTIALS_FILE)",
                file.display()
            );
        }
        None => println!(
            "  PGPASSWORD=\"$({me} token --admin --hostname {host} --region {})\" psql \"{conninfo}\"",
            server.region()
        ),
    }
    if server.password().is_some() {
        println!("or with the configured admin password: psql \"{conninfo}\"");
    }
    println!("Press Ctrl-C to stop.");
    let stop = async {
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(_) => return std::future::pending().await,
                };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    };
    stop.await;
    println!("dsql: shutting down");
    match server.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dsql: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `dsql token`: prints a token signed with the AWS_* environment's key or a credentials file's.
fn token(args: TokenArgs) -> ExitCode {
    match make_token(&args) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dsql token: {e}");
            ExitCode::FAILURE
        }
    }
}

fn make_token(args: &TokenArgs) -> Result<String, String> {
    let env_keys = KeyStore::from_env_vars(std::env::vars()).map_err(|e| e.to_string())?;
    let (keys, source) = if !env_keys.is_empty() {
        (env_keys, "the AWS_* environment".to_string())
    } else {
        let path = args
            .credentials
            .clone()
            .unwrap_or_else(|| args.data_dir.join(dsql::LOCAL_CREDENTIALS_FILE));
        let keys = KeyStore::load_file(&path).map_err(|e| e.to_string())?;
        (keys, path.display().to_string())
    };
    let credential: &Credential = match &args.access_key_id {
        Some(id) => keys
            .get(id)
            .ok_or_else(|| format!("no key {id} in {source}"))?,
        None => {
            let mut all = keys.iter();
            match (all.next(), all.next()) {
                (Some(only), None) => only,
                (None, _) => return Err(format!("no access key in {source}")),
                (Some(_), Some(_)) => {
                    return Err(format!(
                        "{source} has several keys: choose one with --access-key-id"
                    ));
                }
            }
        }
    };
    let action = if args.admin {
        Action::DbConnectAdmin
    } else {
        Action::DbConnect
    };
    router::iam::generate_token(
        &args.hostname,
        &args.region,
        action,
        credential,
        args.expires_in,
        SystemTime::now(),
    )
    .map_err(|e| e.to_string())
}
