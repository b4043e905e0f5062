//! `reach agent`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use reach_agent::state::AgentState;

#[derive(clap::Subcommand)]
pub enum AgentCommand {
    /// Register this device with a server, using an enrollment token.
    Enroll {
        /// Server URL, e.g. https://reach.example.com:8443
        #[arg(long, value_name = "URL")]
        server: String,
        /// Enrollment token from the console or `reach admin enroll-token create`
        #[arg(long, env = "REACH_ENROLLMENT_TOKEN", value_name = "TOKEN")]
        token: String,
        /// Name shown for this device in the console
        #[arg(long, value_name = "NICKNAME")]
        name: String,
        /// Server key fingerprint (SHA-256, printed by the server). Without it the
        /// key seen now is trusted and printed: compare it with the server's.
        #[arg(long, value_name = "SHA256")]
        fingerprint: Option<String>,
        #[command(flatten)]
        dir: StateDir,
    },
    /// Let a technician help you now: join one attended session with the session
    /// key they gave you. The portal (the server's address in a browser) shows
    /// this command filled in. Nothing is installed or kept: the agent runs until
    /// the session ends (or Ctrl-C), and the server then revokes this machine.
    Join {
        /// Server URL, e.g. https://reach.example.com:8443
        #[arg(long, value_name = "URL")]
        server: String,
        /// Server key fingerprint (SHA-256), as the portal shows it
        #[arg(long, value_name = "SHA256")]
        fingerprint: String,
        /// The 9-digit session key from your technician (spaces allowed)
        #[arg(long, value_name = "KEY")]
        key: String,
        /// One-time join ticket the portal gives after you sign in, when your
        /// company helps only its members
        #[arg(long, value_name = "TICKET")]
        ticket: Option<String>,
        /// Name your technician sees for this machine [default: the host name]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// X display to share [default: $DISPLAY]
        #[arg(long, value_name = "DISPLAY")]
        display: Option<String>,
    },
    /// Connect to the server and serve sessions until stopped.
    Run {
        #[command(flatten)]
        dir: StateDir,
        /// X display to capture and control [default: $DISPLAY]
        #[arg(long, value_name = "DISPLAY")]
        display: Option<String>,
    },
}

#[derive(clap::Args)]
pub struct StateDir {
    /// Where the device key and settings live
    /// [default: /var/lib/reach-agent as root, else ~/.local/share/reach-agent]
    #[arg(long, env = "REACH_AGENT_DIR", value_name = "DIR")]
    state_dir: Option<PathBuf>,
}

impl StateDir {
    fn path(&self) -> PathBuf {
        self.state_dir
            .clone()
            .unwrap_or_else(reach_agent::state::default_dir)
    }
}

pub async fn run(command: AgentCommand) -> Result<()> {
    match command {
        AgentCommand::Enroll {
            server,
            token,
            name,
            fingerprint,
            dir,
        } => {
            let fingerprint = fingerprint
                .as_deref()
                .map(reach_core::fingerprint::parse)
                .transpose()?;
            let state_dir = dir.path();
            let enrolled = reach_agent::enroll::enroll(reach_agent::enroll::EnrollOptions {
                server_url: &server,
                token: &token,
                nickname: &name,
                fingerprint,
                state_dir: &state_dir,
            })
            .await
            .context("enrollment failed")?;
            println!(
                "Enrolled as device {} (settings in {}).",
                enrolled.device_id,
                state_dir.display()
            );
            let hex = reach_core::fingerprint::to_hex(&enrolled.fingerprint);
            if enrolled.trusted_on_first_use {
                println!("Pinned the server key seen now: {hex}");
                println!("Compare it with the fingerprint the server prints; if they differ, delete {} and enroll again.", state_dir.display());
            } else {
                println!("Server key pinned: {hex}");
            }
            println!(
                "Start the agent with: reach agent run --state-dir {}",
                state_dir.display()
            );
            Ok(())
        }
        AgentCommand::Join {
            server,
            fingerprint,
            key,
            ticket,
            name,
            display,
        } => {
            let fingerprint = reach_core::fingerprint::parse(&fingerprint)
                .context("--fingerprint is not a SHA-256 fingerprint")?;
            let nickname: String = name
                .unwrap_or_else(|| reach_agent::sysinfo::collect().hostname)
                .chars()
                .take(64)
                .collect();
            let state = reach_agent::enroll::join(reach_agent::enroll::JoinOptions {
                server_url: &server,
                fingerprint,
                key: &key,
                ticket: ticket.as_deref(),
                nickname: &nickname,
            })
            .await
            .context("could not join the session")?;
            let x_display = display.or_else(|| std::env::var("DISPLAY").ok());
            println!("Joined as \"{nickname}\". Your technician can now start the session; keep this running.");
            println!("Press Ctrl-C to stop sharing at any time.");
            tracing::info!(device_id = %state.device_id, server = %state.server_url, x_display = ?x_display, "attended agent starting");
            reach_agent::run::run_attended(&state, x_display, crate::shutdown_signal())
                .await
                .context("the session stopped")?;
            println!("The session is over.");
            Ok(())
        }
        AgentCommand::Run { dir, display } => {
            let state_dir = dir.path();
            let state = AgentState::load(&state_dir)?;
            let x_display = display.or_else(|| std::env::var("DISPLAY").ok());
            tracing::info!(device_id = %state.device_id, server = %state.server_url, x_display = ?x_display, "agent starting");
            reach_agent::run::run(&state, x_display, crate::shutdown_signal())
                .await
                .context("the agent stopped")?;
            Ok(())
        }
    }
}
