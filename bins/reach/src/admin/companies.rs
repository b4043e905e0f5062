//! `reach admin company`: list companies and create one with its first
//! administrator (its owner), as an operator does in the console.

use anyhow::Result;
use reach_core::now_millis;
use reach_proto::access::BuiltinRole;
use reach_proto::audit::AuditCode;
use reach_server::audit::{Actor, Entry};

use super::{new_password, show_generated};
use crate::StorageArgs;

#[derive(clap::Subcommand)]
pub enum CompanyCommand {
    /// Create a company and its first administrator, who owns it. Without
    /// --password-stdin the administrator's password is generated and printed once.
    Create {
        /// Name of the company
        #[arg(long, value_name = "NAME")]
        name: String,
        /// E-mail address of its first administrator (unique on the server)
        #[arg(long, value_name = "EMAIL")]
        admin_email: String,
        /// Display name of its first administrator
        #[arg(long, value_name = "NAME")]
        admin_name: String,
        /// Read the administrator's password (at least 12 characters) from standard input
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// List companies with their owner.
    List {
        #[command(flatten)]
        storage: StorageArgs,
    },
}

pub async fn run(command: CompanyCommand) -> Result<()> {
    match command {
        CompanyCommand::Create {
            name,
            admin_email,
            admin_name,
            password_stdin,
            storage,
        } => {
            let name = reach_core::validate::name("company name", &name, 128)?;
            let email = reach_core::validate::normalize_email(&admin_email)?;
            let display_name = reach_core::validate::name("name", &admin_name, 128)?;
            let (password, generated) = new_password(password_stdin)?;
            let password_hash = reach_core::credentials::hash_password(&password)?;
            let store = super::open_store(&storage).await?;
            match store.user_by_email(&email).await {
                Ok(_) => anyhow::bail!("an account with the e-mail {email} already exists"),
                Err(reach_store::StoreError::NotFound) => {}
                Err(err) => return Err(err.into()),
            }
            let now = now_millis();
            let company = store
                .create_company(&uuid::Uuid::new_v4().to_string(), &name, now)
                .await?;
            let role = store
                .builtin_role(&company.id, BuiltinRole::Administrator)
                .await?;
            let user =
                reach_store::User::new_member(&company.id, email, display_name, password_hash, now);
            store.create_user(&user, &[role.id], now).await?;
            for entry in [
                Entry::new(&company.id, AuditCode::CompanyCreated, Actor::System)
                    .target("company", &company.id, Some(&company.name))
                    .detail("owner", &user.email),
                Entry::new(&company.id, AuditCode::UserCreated, Actor::System)
                    .target("user", &user.id, Some(&user.email))
                    .detail("roles", &role.name)
                    .detail("through", "reach admin"),
            ] {
                reach_server::audit::write(store.as_ref(), None, entry).await;
            }
            eprintln!(
                "Company {} created (id {}); {} owns it.",
                company.name, company.id, user.email
            );
            if generated {
                show_generated(&password);
            }
            Ok(())
        }
        CompanyCommand::List { storage } => {
            let store = super::open_store(&storage).await?;
            for company in store.list_companies().await? {
                let owner = match &company.owner_id {
                    Some(id) => store.user(id).await.map(|u| u.email).unwrap_or_default(),
                    None => "no owner".into(),
                };
                println!("{}  {}  {owner}", company.id, company.name);
            }
            Ok(())
        }
    }
}
