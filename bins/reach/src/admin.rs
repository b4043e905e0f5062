//! `reach admin`: operator commands that work on the server's database directly,
//! so they run on the server machine without a browser or an API token.

use anyhow::{Context, Result};
use reach_core::now_millis;
use reach_proto::access::BuiltinRole;
use reach_proto::api::CreateEnrollmentToken;
use reach_proto::audit::AuditCode;
use reach_server::api::enrollment::{create_token, token_created};
use reach_server::audit::{Actor, Entry};

use crate::StorageArgs;

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Enrollment tokens, which let agents register devices.
    #[command(subcommand)]
    EnrollToken(EnrollTokenCommand),
    /// User accounts of the company (technicians and administrators).
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(clap::Subcommand)]
pub enum UserCommand {
    /// Create a user. Without --password-stdin a random password is generated
    /// and printed once; the user should change it after signing in.
    Create {
        /// E-mail address the user signs in with (matched case-insensitively)
        #[arg(long, value_name = "EMAIL")]
        email: String,
        /// Name shown in the console and in session records
        #[arg(long, value_name = "NAME")]
        name: String,
        /// technician (gives support) or administrator (also manages the company)
        #[arg(long, default_value = "technician", value_parser = ["technician", "administrator"])]
        role: String,
        /// Read the password (at least 12 characters) from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        storage: StorageArgs,
        #[command(flatten)]
        company: CompanyArg,
    },
    /// List the company's users.
    List {
        #[command(flatten)]
        storage: StorageArgs,
        #[command(flatten)]
        company: CompanyArg,
    },
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

async fn open(
    storage: &StorageArgs,
    company: &CompanyArg,
) -> Result<(std::sync::Arc<dyn reach_store::Store>, String)> {
    let config = storage.server_config()?;
    let location = config.database_location();
    if config.database.is_none() && !std::path::Path::new(&location).exists() {
        anyhow::bail!(
            "no database at {location}: start `reach server` once with this --data-dir, or pass the same --data-dir/--database as the server"
        );
    }
    let store = reach_store::open(&location)
        .await
        .with_context(|| format!("opening the database at {location}"))?;
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
        AdminCommand::User(command) => user(command).await,
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

async fn user(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Create {
            email,
            name,
            role,
            password_stdin,
            storage,
            company,
        } => {
            let email = reach_core::validate::normalize_email(&email)?;
            let name = reach_core::validate::name("name", &name, 128)?;
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from standard input")?;
                (line.trim_end_matches(['\r', '\n']).to_string(), false)
            } else {
                (reach_core::credentials::generate_password(), true)
            };
            let password_hash = reach_core::credentials::hash_password(&password)?;
            let (store, company_id) = open(&storage, &company).await?;
            let builtin =
                BuiltinRole::parse(&role).with_context(|| format!("unknown role {role}"))?;
            let role = store.builtin_role(&company_id, builtin).await?;
            let user = reach_store::User {
                id: uuid::Uuid::new_v4().to_string(),
                company_id: Some(company_id.clone()),
                email,
                display_name: name,
                password_hash,
                operator: false,
                disabled: false,
                created_at: now_millis(),
                two_factor_enabled: false,
            };
            match store
                .create_user(&user, std::slice::from_ref(&role.id), now_millis())
                .await
            {
                Err(reach_store::StoreError::Conflict(_)) => {
                    anyhow::bail!("a user with the e-mail {} already exists", user.email)
                }
                other => other?,
            }
            let entry = Entry::new(&company_id, AuditCode::UserCreated, Actor::System)
                .target("user", &user.id, Some(&user.email))
                .detail("roles", &role.name)
                .detail("through", "reach admin");
            reach_server::audit::write(store.as_ref(), None, entry).await;
            eprintln!("User {} ({}) created.", user.email, role.name);
            if generated {
                println!("{password}");
                eprintln!(
                    "The password above is shown once: give it to the user over a safe channel."
                );
            }
            Ok(())
        }
        UserCommand::List { storage, company } => {
            let (store, company_id) = open(&storage, &company).await?;
            let device_groups = store.list_device_groups(&company_id).await?;
            for user in store.list_users(&company_id).await? {
                let state = if user.disabled { "disabled" } else { "active" };
                let roles: Vec<String> = store
                    .effective_grants(&user.id)
                    .await?
                    .into_iter()
                    .map(|grant| match grant.device_group_id {
                        Some(group) => {
                            let name = device_groups
                                .iter()
                                .find(|g| g.id == group)
                                .map_or(group.as_str(), |g| g.name.as_str());
                            format!("{} (on {name})", grant.role.name)
                        }
                        None => grant.role.name,
                    })
                    .collect();
                let roles = if roles.is_empty() {
                    "no role".to_string()
                } else {
                    roles.join(", ")
                };
                println!("{}  {roles}  {state}  {}", user.email, user.display_name);
            }
            Ok(())
        }
    }
}
