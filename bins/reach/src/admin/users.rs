//! `reach admin user`: create, list and help users of a company from the server
//! machine, including the last resort when an administrator lost their second
//! factor and recovery codes.

use anyhow::{Context, Result};
use reach_core::now_millis;
use reach_proto::access::BuiltinRole;
use reach_proto::audit::AuditCode;
use reach_server::audit::{Actor, Entry};

use super::{new_password, open, show_generated, CompanyArg};
use crate::StorageArgs;

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
    /// Turn off a user's two-factor sign-in (lost phone and recovery codes),
    /// for when no administrator can do it from the console. They sign in with
    /// their password and, if the company requires it, set it up again.
    ResetTwoFactor {
        /// E-mail address of the user
        #[arg(long, value_name = "EMAIL")]
        email: String,
        #[command(flatten)]
        storage: StorageArgs,
        #[command(flatten)]
        company: CompanyArg,
    },
}

pub async fn run(command: UserCommand) -> Result<()> {
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
            let (password, generated) = new_password(password_stdin)?;
            let password_hash = reach_core::credentials::hash_password(&password)?;
            let (store, company_id) = open(&storage, &company).await?;
            let builtin =
                BuiltinRole::parse(&role).with_context(|| format!("unknown role {role}"))?;
            let role = store.builtin_role(&company_id, builtin).await?;
            let user = reach_store::User::new_member(
                &company_id,
                email,
                name,
                password_hash,
                now_millis(),
            );
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
                show_generated(&password);
            }
            Ok(())
        }
        UserCommand::ResetTwoFactor {
            email,
            storage,
            company,
        } => {
            let email = reach_core::validate::normalize_email(&email)?;
            let (store, company_id) = open(&storage, &company).await?;
            let user = match store.user_by_email(&email).await {
                Ok(user) if user.company_id.as_deref() == Some(company_id.as_str()) => user,
                Ok(_) | Err(reach_store::StoreError::NotFound) => {
                    anyhow::bail!("no user {email} in this company")
                }
                Err(err) => return Err(err.into()),
            };
            if !user.two_factor_enabled {
                eprintln!("{email} has no second factor; nothing to reset.");
                return Ok(());
            }
            store.disable_totp(&user.id).await?;
            let entry = Entry::new(&company_id, AuditCode::TwoFactorDisabled, Actor::System)
                .target("user", &user.id, Some(&user.email))
                .detail("by", "reach admin");
            reach_server::audit::write(store.as_ref(), None, entry).await;
            eprintln!("Two-factor sign-in of {email} is off; they sign in with their password.");
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
