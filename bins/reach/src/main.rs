//! `reach`: the one binary. A thin clap front-end over the crates: `server` runs
//! the server, `agent` enrolls and runs the endpoint agent, `admin` does operator
//! tasks on the server's own database. Errors get their context here, at the edge.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

mod admin;
mod agent;
mod bench;
mod server;

#[derive(Parser)]
#[command(
    name = "reach",
    version,
    about = "Reach: self-hosted remote support. One binary for the server, the agent and administration.",
    long_about = "Reach: self-hosted remote support.\n\n\
        Start a server:        reach server\n\
        Create a token:        reach admin enroll-token create --max-uses 10 --expires 7d\n\
        Enroll a device:       reach agent enroll --server https://HOST:8443 --token TOKEN --name NICKNAME --fingerprint FP\n\
        Run the agent:         reach agent run\n\n\
        Logs go to standard error; set RUST_LOG (e.g. RUST_LOG=debug) for more detail."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (HTTPS console, API and relay).
    Server(server::ServerArgs),
    /// Enroll this device and run the agent.
    #[command(subcommand)]
    Agent(agent::AgentCommand),
    /// Administration on the server machine (uses the server's database directly).
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Measure performance on this machine (see docs/BENCHMARKS.md).
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

/// Where the server's data lives; shared by `reach server` and every `reach admin` command.
#[derive(clap::Args, Clone)]
pub struct StorageArgs {
    /// Directory holding the SQLite database and the TLS certificate and key
    /// [default: reach-data]
    #[arg(long, env = "REACH_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use PostgreSQL instead of SQLite, e.g. postgres://reach@db.internal/reach
    #[arg(long, env = "REACH_DATABASE", value_name = "URL")]
    pub database: Option<String>,
    /// TOML configuration file (flags and environment variables override it)
    #[arg(long, env = "REACH_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl StorageArgs {
    /// Defaults, then the file, then flags and environment.
    pub fn server_config(&self) -> Result<reach_server::ServerConfig> {
        let mut config = reach_server::ServerConfig::default();
        if let Some(path) = &self.config {
            reach_server::config::FileConfig::load(path)?.apply(&mut config);
        }
        if let Some(dir) = &self.data_dir {
            config.data_dir = dir.clone();
        }
        if let Some(database) = &self.database {
            config.database = Some(database.clone());
        }
        Ok(config)
    }
}

fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logs();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let result: Result<()> = runtime.block_on(async {
        match cli.command {
            Command::Server(args) => server::run(args).await,
            Command::Agent(command) => agent::run(command).await,
            Command::Admin(command) => admin::run(command).await,
            Command::Bench(command) => bench::run(command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

/// Parses durations such as `90s`, `1h`, `7d`.
pub fn parse_duration(text: &str) -> Result<std::time::Duration> {
    humantime::parse_duration(text)
        .with_context(|| format!("`{text}` is not a duration (examples: 30m, 24h, 7d)"))
}
