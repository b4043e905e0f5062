//! `reach server`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Result;
use reach_server::{FirstSignIn, InitialAdmin, Server};

use crate::StorageArgs;

#[derive(clap::Args)]
#[command(after_help = "\
First start: with no user yet, the server prints a one-time setup link to create the first \
administrator. To create it without a browser, set REACH_ADMIN_EMAIL and REACH_ADMIN_PASSWORD \
(at least 12 characters); there is never a default password.

The TLS certificate is generated into the data directory on first start and kept; agents pin its \
key fingerprint, printed at every start.

Configuration file keys (all optional): listen, data_dir, database, public_url, tls_cert, tls_key, \
company_name, web_session_ttl_secs (default 43200), sealing_key_file (default: sealing.key in \
the data directory, generated on first start; back it up with the database), dns_servers \
(default: the system's resolvers), domain_check_interval_secs (default 300). Unknown keys are \
refused.")]
pub struct ServerArgs {
    /// Address and port to listen on [default: 0.0.0.0:8443]
    #[arg(long, env = "REACH_LISTEN", value_name = "ADDR:PORT")]
    listen: Option<SocketAddr>,
    #[command(flatten)]
    storage: StorageArgs,
    /// URL people and agents use to reach this server, when it differs from the
    /// listen address (NAT, load balancer), e.g. https://reach.example.com
    #[arg(long, env = "REACH_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// PEM certificate chain to use instead of the generated self-signed one
    #[arg(
        long,
        env = "REACH_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert
    #[arg(
        long,
        env = "REACH_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    tls_key: Option<PathBuf>,
}

pub async fn run(args: ServerArgs) -> Result<()> {
    let mut config = args.storage.server_config()?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if args.public_url.is_some() {
        config.public_url = args.public_url;
    }
    if args.tls_cert.is_some() {
        config.tls_cert = args.tls_cert;
        config.tls_key = args.tls_key;
    }
    let initial_admin = match (
        std::env::var("REACH_ADMIN_EMAIL"),
        std::env::var("REACH_ADMIN_PASSWORD"),
    ) {
        (Ok(email), Ok(password)) if !email.is_empty() => Some(InitialAdmin { email, password }),
        _ => None,
    };
    let data_dir = config.data_dir.clone();
    let bound = Server::bind(config, initial_admin).await?;
    let base = bound.base_url();
    println!("Reach server is running (data in {}).", data_dir.display());
    println!("  Console:     {base}/console");
    println!("  Fingerprint: {}", bound.fingerprint_hex());
    match &bound.first_sign_in {
        FirstSignIn::Ready => println!("  Sign in with your e-mail and password."),
        FirstSignIn::AdminCreated { email } => {
            println!("  First administrator created: sign in as {email} with REACH_ADMIN_PASSWORD.")
        }
        FirstSignIn::SetupLink(link) => {
            println!("  First start: create the first administrator at this one-time link (valid 24 hours):");
            println!("  {link}");
        }
    }
    println!("  The certificate is self-signed unless you gave --tls-cert: check the fingerprint when your browser asks.");
    if !bound.console_embedded() {
        println!(
            "  Warning: this binary has no console built in; use `cargo xtask run` to build it."
        );
    }
    bound.serve(crate::shutdown_signal()).await?;
    Ok(())
}
