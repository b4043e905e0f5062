//! API tokens: list, create (the secret shown once) and revoke. A token never
//! carries a permission its creator lacks company-wide; a company token can't
//! start sessions (a session belongs to a technician). Tokens authenticate on
//! `/api/v1/` (see `bearer.rs`).

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::Json;
use reach_core::credentials::{self, API_TOKEN_PREFIX};
use reach_core::policy::Action;
use reach_core::{now_millis, validate};
use reach_proto::access::Permission;
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::{ApiTokenCreated, ApiTokenView, CreateApiToken};
use reach_store::{ApiToken, User};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::{Authenticated, Credential};
use crate::error::ApiFailure;
use crate::AppState;

const MIN_LIFETIME_SECS: u64 = 3600;
const MAX_LIFETIME_SECS: u64 = 366 * 24 * 3600;

fn token_view(token: &ApiToken, users: &[User]) -> ApiTokenView {
    ApiTokenView {
        id: token.id.clone(),
        name: token.name.clone(),
        user_id: token.user_id.clone(),
        user_email: token
            .user_id
            .as_ref()
            .and_then(|id| users.iter().find(|u| &u.id == id).map(|u| u.email.clone())),
        scopes: token.scopes.clone(),
        expires_at: token.expires_at,
        created_at: token.created_at,
        last_used_at: token.last_used_at,
        revoked: token.revoked_at.is_some(),
    }
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<ApiTokenView>>, ApiFailure> {
    let company_id = auth.company_for(Action::ManageApiTokens)?;
    let users = state.store.list_users(company_id).await?;
    let tokens = state.store.list_api_tokens(company_id).await?;
    Ok(Json(tokens.iter().map(|t| token_view(t, &users)).collect()))
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<CreateApiToken>,
) -> Result<Json<ApiTokenCreated>, ApiFailure> {
    let Json(request) = body?;
    let company_id = auth.company_for(Action::ManageApiTokens)?;
    let name = validate::name("token name", &request.name, 64)?;
    let scopes: BTreeSet<Permission> = request.scopes.into_iter().collect();
    if scopes.is_empty() {
        return Err(ApiFailure::bad_request("give the token at least one scope"));
    }
    if !(MIN_LIFETIME_SECS..=MAX_LIFETIME_SECS).contains(&request.expires_in_secs) {
        return Err(ApiFailure::bad_request(
            "a token lives between one hour and one year",
        ));
    }
    let held = auth.principal.company_permissions();
    if let Some(missing) = scopes.iter().find(|p| !held.contains(p)) {
        return Err(ApiFailure::new(
            ErrorCode::Forbidden,
            format!(
                "you can't give a token {}: you don't hold it company-wide",
                missing.as_str()
            ),
        ));
    }
    let user_id = if request.company_token {
        let starts_sessions = scopes.contains(&Permission::StartAttendedSession)
            || scopes.contains(&Permission::StartUnattendedSession);
        if starts_sessions {
            return Err(ApiFailure::bad_request(
                "a company token can't start sessions: a session belongs to a technician",
            ));
        }
        None
    } else {
        match &auth.credential {
            Credential::Token(token) if token.user_id.is_none() => {
                return Err(ApiFailure::bad_request(
                    "a company token can create company tokens only",
                ))
            }
            _ => Some(auth.user.id.clone()),
        }
    };
    let secret = credentials::new_secret(API_TOKEN_PREFIX);
    let now = now_millis();
    let lifetime = i64::try_from(request.expires_in_secs).unwrap_or(i64::MAX / 1000);
    let token = ApiToken {
        id: uuid::Uuid::new_v4().to_string(),
        company_id: company_id.to_string(),
        user_id,
        name,
        token_hash: credentials::secret_hash(&secret),
        scopes: scopes.into_iter().collect(),
        expires_at: now.saturating_add(lifetime.saturating_mul(1000)),
        created_by: Some(auth.user.id.clone()),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    state.store.create_api_token(&token).await?;
    let scope_names: Vec<&str> = token.scopes.iter().map(|p| p.as_str()).collect();
    let entry = Entry::new(company_id, AuditCode::ApiTokenCreated, Actor::user(&auth))
        .ip(auth.ip)
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
        .detail("expires_at", token.expires_at);
    audit::record(&state, entry).await;
    let users = state.store.list_users(company_id).await?;
    Ok(Json(ApiTokenCreated {
        token: secret,
        view: token_view(&token, &users),
    }))
}

pub async fn revoke(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ApiTokenView>, ApiFailure> {
    let company_id = auth.company_for(Action::ManageApiTokens)?;
    let token = state
        .store
        .revoke_api_token(company_id, &id, now_millis())
        .await?;
    let entry = Entry::new(company_id, AuditCode::ApiTokenRevoked, Actor::user(&auth))
        .ip(auth.ip)
        .target("api_token", &token.id, Some(&token.name));
    audit::record(&state, entry).await;
    let users = state.store.list_users(company_id).await?;
    Ok(Json(token_view(&token, &users)))
}
