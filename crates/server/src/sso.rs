//! Single sign-on, whatever the protocol: which identity provider signs an
//! address in (SAML or OpenID Connect, per verified domain, unless the address
//! is excluded), what the sign-in page is told, and what happens once a
//! protocol has proven an address: the account it belongs to (created
//! just in time if the company allows it), the sign-in or the refusal, audited.
//! `saml.rs` and `oidc.rs` only prove addresses.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use reach_core::{credentials, validate, Millis};
use reach_proto::audit::AuditCode;
use reach_proto::sso::{SignInMethod, SignInMethodView};
use reach_store::{OidcProvider, SamlProvider, SsoDomain, StoreError, User};
use serde::Deserialize;

use crate::audit::{self, Entry};
use crate::auth;
use crate::error::ApiFailure;
use crate::AppState;

/// The only relay state we act on: straight to the technician console.
pub const RELAY_CONSOLE: &str = "console";

/// A domain's identity provider.
pub enum Provider {
    Saml(SamlProvider),
    Oidc(OidcProvider),
}

/// The identity provider that signs `email` in, when single sign-on is in force
/// for it: its domain verified, a provider configured (for SAML, with a customer
/// identifier), and the address not on the domain's exclusion list, nor its
/// account in one of the domain's excluded user groups.
pub async fn provider_for(
    state: &AppState,
    email: &str,
) -> Result<Option<(SsoDomain, Provider)>, ApiFailure> {
    let Some((_, domain)) = email.rsplit_once('@') else {
        return Ok(None);
    };
    let domain = domain.to_ascii_lowercase();
    let found = match state.store.active_saml_provider(&domain).await? {
        Some((domain, provider)) if provider.customer_identifier_hash.is_some() => {
            Some((domain, Provider::Saml(provider)))
        }
        Some(_) => None,
        None => state
            .store
            .active_oidc_provider(&domain)
            .await?
            .map(|(domain, provider)| (domain, Provider::Oidc(provider))),
    };
    let Some((domain, provider)) = found else {
        return Ok(None);
    };
    let excluded = state
        .store
        .sso_exclusions(&domain.company_id, &domain.id)
        .await?;
    if excluded.iter().any(|e| e.eq_ignore_ascii_case(email)) {
        return Ok(None);
    }
    let member = match state.store.user_by_email(&email.to_lowercase()).await {
        Ok(user) => Some(user),
        Err(StoreError::NotFound) => None,
        Err(err) => return Err(err.into()),
    };
    if let Some(member) = member {
        let in_company = member.company_id.as_deref() == Some(domain.company_id.as_str());
        if in_company
            && state
                .store
                .in_sso_excluded_group(&domain.id, &member.id)
                .await?
        {
            return Ok(None);
        }
    }
    Ok(Some((domain, provider)))
}

/// The query of `/saml/login`, `/oidc/login` and the sign-in method.
#[derive(Deserialize)]
pub struct EmailQuery {
    pub email: String,
    #[serde(default)]
    pub relay_state: Option<String>,
}

/// `GET /api/auth/sign-in-method?email=`: whether the sign-in page asks for a
/// password or sends the person to their identity provider.
pub async fn sign_in_method(
    State(state): State<Arc<AppState>>,
    Query(query): Query<EmailQuery>,
) -> Result<Json<SignInMethodView>, ApiFailure> {
    let email = query.email.trim().to_lowercase();
    let method = match provider_for(&state, &email).await? {
        Some((_, Provider::Saml(_))) => SignInMethod::Saml,
        Some((_, Provider::Oidc(_))) => SignInMethod::Oidc,
        None => SignInMethod::Password,
    };
    Ok(Json(SignInMethodView { method }))
}

/// A redirect to the console's sign-in page saying why single sign-on failed.
pub fn back_to_sign_in(code: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(LOCATION, format!("/console/login?sso_error={code}"))],
    )
        .into_response()
}

/// The answer to a single sign-on start from `peer` when the address starts
/// too many (each start stores a request): back to the sign-in page.
pub fn too_many_starts(state: &AppState, peer: SocketAddr) -> Option<Response> {
    if state.sso_starts.allow(peer.ip()) {
        return None;
    }
    tracing::warn!(ip = %peer.ip(), "too many single sign-on starts from one address");
    Some(back_to_sign_in("sso_busy"))
}

/// Why single sign-on signed no one in: the code the sign-in page translates,
/// and what the log says (never shown: it may help an attacker).
pub struct Refusal {
    pub code: &'static str,
    pub reason: String,
    pub company_id: Option<String>,
}

impl Refusal {
    pub fn new(code: &'static str, reason: impl ToString) -> Self {
        Self {
            code,
            reason: reason.to_string(),
            company_id: None,
        }
    }

    /// A refusal the company's event log records.
    pub fn in_company(mut self, company_id: &str) -> Self {
        self.company_id = Some(company_id.to_string());
        self
    }
}

impl From<StoreError> for Refusal {
    fn from(err: StoreError) -> Self {
        Self::new("sso_failed", err)
    }
}

/// The account `email` signs in to, now that the identity provider of `domain`
/// has proven it: the address must be in the domain and the account in the
/// company; a missing account is created if the company allows it.
pub async fn account_for(
    state: &AppState,
    domain: &SsoDomain,
    email: &str,
    through: &str,
    now: Millis,
) -> Result<User, Refusal> {
    let email = validate::normalize_email(email)
        .map_err(|_| Refusal::new("sso_failed", format!("{email} is not an e-mail address")))?;
    let in_domain = email
        .rsplit_once('@')
        .is_some_and(|(_, part)| part == domain.domain);
    if !in_domain {
        return Err(Refusal::new(
            "sso_wrong_domain",
            format!(
                "{email} is not in {}, the domain this identity provider signs in",
                domain.domain
            ),
        ));
    }
    let user = match state.store.user_by_email(&email).await {
        Ok(user) => user,
        Err(StoreError::NotFound) => return provision(state, domain, &email, through, now).await,
        Err(err) => return Err(err.into()),
    };
    if user.company_id.as_deref() != Some(domain.company_id.as_str()) {
        return Err(Refusal::new(
            "sso_no_account",
            format!(
                "{email} is not a member of the company that verified {}",
                domain.domain
            ),
        ));
    }
    if !auth::may_sign_in(&user) {
        return Err(Refusal::new(
            "sso_account_disabled",
            format!("{email} is disabled"),
        ));
    }
    Ok(user)
}

/// Just-in-time provisioning: a first sign-in of an address in a verified domain
/// creates the account, with no roles, only if the company allows it.
async fn provision(
    state: &AppState,
    domain: &SsoDomain,
    email: &str,
    through: &str,
    now: Millis,
) -> Result<User, Refusal> {
    let company = state.store.company(&domain.company_id).await?;
    if !company.settings.just_in_time {
        return Err(Refusal::new(
            "sso_no_account",
            format!(
                "{email} has no account and the company does not create accounts on first sign-in"
            ),
        ));
    }
    let display_name = email.split('@').next().unwrap_or(email).to_string();
    let password_hash = unusable_password_hash()
        .await
        .map_err(|err| Refusal::new("sso_failed", err))?;
    let user = User::new_member(
        &domain.company_id,
        email.to_string(),
        display_name,
        password_hash,
        now,
    );
    state.store.create_user(&user, &[], now).await?;
    let entry = Entry::new(
        &domain.company_id,
        AuditCode::UserCreated,
        audit::Actor::System,
    )
    .target("user", &user.id, Some(&user.email))
    .detail("through", format!("{through}_just_in_time"));
    audit::record(state, entry).await;
    Ok(user)
}

/// The password hash of an account made by an identity provider (just in time,
/// or SCIM): of a secret nobody knows, so it signs in through the provider
/// (or after a password reset by an administrator).
pub async fn unusable_password_hash() -> Result<String, String> {
    let unusable = credentials::new_secret("");
    tokio::task::spawn_blocking(move || credentials::hash_password(&unusable))
        .await
        .map_err(|err| err.to_string())?
        .map_err(|err| err.to_string())
}

/// Ends a single sign-on: signs `user` in (audited, a new web session) and
/// sends them on, or sends them back to the sign-in page with the refusal's code.
pub async fn finish(
    state: &AppState,
    peer: SocketAddr,
    through: &'static str,
    outcome: Result<(User, Option<String>), Refusal>,
) -> Response {
    match outcome {
        Ok((user, relay_state)) => {
            let entry = Entry::of(
                user.company_id.as_deref(),
                AuditCode::SignedIn,
                auth::account(&user),
            )
            .ip(Some(peer.ip()))
            .detail("through", through);
            audit::record(state, entry).await;
            tracing::info!(user_id = %user.id, ip = %peer.ip(), through, "signed in through single sign-on");
            let cookie = match auth::new_web_session(state, &user).await {
                Ok((cookie, _)) => cookie,
                Err(failure) => return failure.into_response(),
            };
            let target = if relay_state.as_deref() == Some(RELAY_CONSOLE) {
                "/console/devices"
            } else {
                "/console/"
            };
            let mut response = (StatusCode::SEE_OTHER, [(LOCATION, target)]).into_response();
            response.headers_mut().insert(SET_COOKIE, cookie);
            response
        }
        Err(refusal) => {
            tracing::warn!(ip = %peer.ip(), through, code = refusal.code, reason = %refusal.reason, "single sign-on refused");
            if let Some(company_id) = &refusal.company_id {
                let entry = Entry::new(company_id, AuditCode::SignInFailed, audit::Actor::System)
                    .ip(Some(peer.ip()))
                    .detail("through", through)
                    .detail("reason", refusal.code);
                audit::record(state, entry).await;
            }
            back_to_sign_in(refusal.code)
        }
    }
}
