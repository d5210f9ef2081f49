//! The `dsql` binary: `dsql start` runs every role in one process.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

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
    Start {
        /// Where the journal, TLS files and generated password live.
        #[arg(long, default_value = "./dsql-data")]
        data_dir: PathBuf,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:5432")]
        listen: SocketAddr,
        /// The password of user `admin` (generated and stored in the data folder if not given).
        #[arg(long, env = "DSQL_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
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
        Command::Start {
            data_dir,
            listen,
            password,
        } => runtime.block_on(start(data_dir, listen, password)),
    }
}

async fn start(data_dir: PathBuf, listen: SocketAddr, password: Option<String>) -> ExitCode {
    let mut config = dsql::Config::new(&data_dir, listen);
    config.password = password;
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
    println!("Connect with:");
    println!(
        "  PGPASSWORD='{}' psql \"host={host} port={} user=admin dbname=postgres sslmode=verify-full sslrootcert={}\"",
        server.password(),
        addr.port(),
        server.ca_path().display()
    );
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
