//! `reach admin`: operator commands that work on the server's database directly,
//! so they run on the server machine without a browser or an API token.

use anyhow::{Context, Result};
use reach_core::now_millis;
use reach_proto::api::CreateEnrollmentToken;
use reach_server::api::enrollment::{create_token, token_created};
use reach_server::audit::Actor;

use crate::StorageArgs;

mod companies;
mod tokens;
mod users;

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Enrollment tokens, which let agents register devices.
    #[command(subcommand)]
    EnrollToken(EnrollTokenCommand),
    /// User accounts of a company (technicians and administrators).
    #[command(subcommand)]
    User(users::UserCommand),
    /// Companies on this server (what server operators manage).
    #[command(subcommand)]
    Company(companies::CompanyCommand),
    /// API tokens for the REST API on /api/v1.
    #[command(subcommand)]
    ApiToken(tokens::ApiTokenCommand),
}

#[derive(clap::Subcommand)]
pub enum EnrollTokenCommand {
    /// Create a token; prints the token alone on standard output.
    Create {
        /// How many devices may enroll with it
        #[arg(long, value_name = "N")]
        max_uses: u32,
        /// Lifetime, e.g. 30m, 24h, 7d
        #[arg(long, value_name = "DURATION")]
        expires: String,
        /// Device group the devices join (created if missing)
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        #[command(flatten)]
        storage: StorageArgs,
        #[command(flatten)]
        company: CompanyArg,
    },
    /// List tokens (the secrets themselves are never stored, so never shown).
    List {
        #[command(flatten)]
        storage: StorageArgs,
        #[command(flatten)]
        company: CompanyArg,
    },
}

/// Which company a command acts in.
#[derive(clap::Args, Clone)]
pub struct CompanyArg {
    /// Company name or id [default: the server's first company]
    #[arg(long, value_name = "COMPANY")]
    company: Option<String>,
}

/// The server's database, which must exist already.
async fn open_store(storage: &StorageArgs) -> Result<std::sync::Arc<dyn reach_store::Store>> {
    let config = storage.server_config()?;
    let location = config.database_location();
    if config.database.is_none() && !std::path::Path::new(&location).exists() {
        anyhow::bail!(
            "no database at {location}: start `reach server` once with this --data-dir, or pass the same --data-dir/--database as the server"
        );
    }
    reach_store::open(&location)
        .await
        .with_context(|| format!("opening the database at {location}"))
}

/// The server's database and the id of the company a command acts in.
async fn open(
    storage: &StorageArgs,
    company: &CompanyArg,
) -> Result<(std::sync::Arc<dyn reach_store::Store>, String)> {
    let config = storage.server_config()?;
    let store = open_store(storage).await?;
    let default = store
        .ensure_default_company(&config.company_name, now_millis())
        .await?;
    let Some(wanted) = &company.company else {
        return Ok((store, default.id));
    };
    let companies = store.list_companies().await?;
    let found: Vec<_> = companies
        .iter()
        .filter(|c| &c.id == wanted || c.name.eq_ignore_ascii_case(wanted))
        .collect();
    match found.as_slice() {
        [one] => {
            let id = one.id.clone();
            Ok((store, id))
        }
        [] => anyhow::bail!(
            "no company named {wanted}; the companies are: {}",
            companies
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => anyhow::bail!("several companies are named {wanted}: pass its id instead"),
    }
}

pub async fn run(command: AdminCommand) -> Result<()> {
    match command {
        AdminCommand::User(command) => users::run(command).await,
        AdminCommand::Company(command) => companies::run(command).await,
        AdminCommand::ApiToken(command) => tokens::run(command).await,
        AdminCommand::EnrollToken(EnrollTokenCommand::Create {
            max_uses,
            expires,
            group,
            storage,
            company,
        }) => {
            let expires = crate::parse_duration(&expires)?;
            let (store, company_id) = open(&storage, &company).await?;
            let request = CreateEnrollmentToken {
                max_uses,
                expires_in_secs: expires.as_secs(),
                device_group: group,
            };
            let (secret, token) = create_token(store.as_ref(), &company_id, None, &request)
                .await
                .map_err(|err| anyhow::anyhow!("{}", err.message))?;
            let entry = token_created(&token, Actor::System, None).detail("through", "reach admin");
            reach_server::audit::write(store.as_ref(), None, entry).await;
            eprintln!(
                "Enrollment token {} created: {} use(s), expires in {}{}.",
                token.id,
                token.max_uses,
                humantime::format_duration(expires),
                token
                    .device_group
                    .map(|g| format!(", device group {g}"))
                    .unwrap_or_default()
            );
            println!("{secret}");
            Ok(())
        }
        AdminCommand::EnrollToken(EnrollTokenCommand::List { storage, company }) => {
            let (store, company_id) = open(&storage, &company).await?;
            let tokens = store.list_enrollment_tokens(&company_id).await?;
            if tokens.is_empty() {
                println!(
                    "No enrollment tokens. Create one with `reach admin enroll-token create`."
                );
            }
            let now = now_millis();
            for token in tokens {
                let state = if token.revoked_at.is_some() {
                    "revoked"
                } else if token.expires_at <= now {
                    "expired"
                } else if token.uses >= token.max_uses {
                    "used up"
                } else {
                    "active"
                };
                println!(
                    "{}  {}/{} uses  {}  {}",
                    token.id,
                    token.uses,
                    token.max_uses,
                    state,
                    token.device_group.unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

/// The password of a new account: the first line of standard input, or a
/// generated one (then `true`: print it once).
fn new_password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        Ok((line.trim_end_matches(['\r', '\n']).to_string(), false))
    } else {
        Ok((reach_core::credentials::generate_password(), true))
    }
}

/// Prints a generated password alone on standard output, with a warning.
fn show_generated(password: &str) {
    println!("{password}");
    eprintln!("The password above is shown once: give it to the user over a safe channel.");
}
