//! `reach admin api-token create`: an API token for a user (or, with no user,
//! for the company), printed once, for scripts set up on the server machine.

use anyhow::{Context, Result};
use reach_core::credentials::{self, API_TOKEN_PREFIX};
use reach_core::now_millis;
use reach_proto::access::Permission;
use reach_proto::audit::AuditCode;
use reach_server::audit::{Actor, Entry};

use super::{open, CompanyArg};
use crate::StorageArgs;

#[derive(clap::Subcommand)]
pub enum ApiTokenCommand {
    /// Create a token and print it alone on standard output (shown once).
    /// A user's token acts as the user, limited to the scopes, and stops with the
    /// user's rights; without --user it is a company token.
    Create {
        /// The user the token acts as [default: none, a company token]
        #[arg(long, value_name = "EMAIL")]
        user: Option<String>,
        /// Comma-separated permissions, e.g. devices.manage,reports.view
        #[arg(long, value_name = "SCOPES", value_delimiter = ',', required = true)]
        scopes: Vec<String>,
        /// Lifetime, from 1h to 366d, e.g. 30d
        #[arg(long, value_name = "DURATION")]
        expires: String,
        /// A name to recognise it by
        #[arg(long, value_name = "NAME", default_value = "reach admin")]
        name: String,
        #[command(flatten)]
        storage: StorageArgs,
        #[command(flatten)]
        company: CompanyArg,
    },
}

pub async fn run(command: ApiTokenCommand) -> Result<()> {
    let ApiTokenCommand::Create {
        user,
        scopes,
        expires,
        name,
        storage,
        company,
    } = command;
    let scopes = scopes
        .iter()
        .map(|s| {
            Permission::parse(s.trim()).with_context(|| {
                let known: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
                format!("unknown scope {s}; the scopes are: {}", known.join(", "))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let lifetime = crate::parse_duration(&expires)?;
    if !(3600..=366 * 24 * 3600).contains(&lifetime.as_secs()) {
        anyhow::bail!("a token lives between 1h and 366d");
    }
    let name = reach_core::validate::name("token name", &name, 64)?;
    let (store, company_id) = open(&storage, &company).await?;
    let user_id = match user {
        Some(email) => {
            let email = reach_core::validate::normalize_email(&email)?;
            let user = store
                .user_by_email(&email)
                .await
                .ok()
                .filter(|u| u.company_id.as_deref() == Some(company_id.as_str()))
                .with_context(|| format!("no user {email} in this company"))?;
            Some(user.id)
        }
        None => {
            if scopes.iter().any(|p| {
                matches!(
                    p,
                    Permission::StartAttendedSession | Permission::StartUnattendedSession
                )
            }) {
                anyhow::bail!("a company token can't start sessions: give it to a user");
            }
            None
        }
    };
    let secret = credentials::new_secret(API_TOKEN_PREFIX);
    let now = now_millis();
    let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
    let token = reach_store::ApiToken {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company_id.clone(),
        user_id,
        name,
        token_hash: credentials::secret_hash(&secret),
        scopes,
        expires_at: now.saturating_add(lifetime_ms),
        created_by: None,
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    store.create_api_token(&token).await?;
    let scope_names: Vec<&str> = token.scopes.iter().map(|p| p.as_str()).collect();
    let entry = Entry::new(&company_id, AuditCode::ApiTokenCreated, Actor::System)
        .target("api_token", &token.id, Some(&token.name))
        .detail("scopes", scope_names.join(", "))
        .detail(
            "kind",
            if token.user_id.is_some() {
                "user"
            } else {
                "company"
            },
        )
        .detail("through", "reach admin");
    reach_server::audit::write(store.as_ref(), None, entry).await;
    eprintln!(
        "API token {} created (expires in {}); use it as `Authorization: Bearer TOKEN` on /api/v1.",
        token.id,
        humantime::format_duration(lifetime)
    );
    println!("{secret}");
    Ok(())
}
