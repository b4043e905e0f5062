//! API tokens as credentials: `Authorization: Bearer rat_...` on `/api/v1/...`
//! and `/scim/v2/...` (and only there, so the browser's cookie and a token never meet on one
//! route). A user's token acts as its user, limited to its scopes, and stops
//! with the user's rights; a company token acts for the company with exactly its
//! scopes. Turns a token into the same principal the policy judges for a browser.

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;
use reach_core::policy::{Grant, Principal, Restrictions, Scope};
use reach_core::{credentials, now_millis};
use reach_proto::codes::ErrorCode;
use reach_store::{ApiToken, StoreError, User};

use crate::error::ApiFailure;
use crate::{principal, AppState};

/// The routes tokens may call.
pub const API_V1: &str = "/api/v1/";

/// Whether `path` takes API tokens (and only them): the REST API for
/// integrations and SCIM provisioning.
pub fn takes_tokens(path: &str) -> bool {
    path.starts_with(API_V1) || path.starts_with(crate::scim::PREFIX)
}

/// The bearer token of a request, if it sends one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn refused(message: &str) -> ApiFailure {
    ApiFailure::new(ErrorCode::Unauthenticated, message)
}

/// Who a token acts as: the user it stands in for (for a company token, a
/// description of the token in a `User`'s shape, never stored), the principal,
/// and the token.
pub async fn authenticate(
    state: &AppState,
    secret: &str,
) -> Result<(User, Principal, ApiToken), ApiFailure> {
    let now = now_millis();
    let token = match state
        .store
        .api_token(&credentials::secret_hash(secret), now)
        .await
    {
        Ok(token) => token,
        Err(StoreError::NotFound) => return Err(refused("unknown, expired or revoked API token")),
        Err(err) => return Err(err.into()),
    };
    if let Err(err) = state.store.touch_api_token(&token.id, now).await {
        tracing::warn!(token_id = %token.id, error = %err, "could not note an API token's use");
    }
    let scopes = token.scopes.iter().copied().collect();
    match &token.user_id {
        Some(user_id) => {
            let user = state.store.user(user_id).await?;
            let member = user.company_id.as_deref() == Some(token.company_id.as_str());
            if user.disabled || !member {
                return Err(refused("the API token's user can no longer sign in"));
            }
            let mut principal = principal::load(state.store.as_ref(), &user)
                .await?
                .limited_to(&scopes);
            // Operating the server is never delegated to a token.
            principal.operator = false;
            Ok((user, principal, token))
        }
        None => {
            let stand_in = User {
                id: token.id.clone(),
                company_id: Some(token.company_id.clone()),
                email: String::new(),
                display_name: format!("API token {}", token.name),
                password_hash: String::new(),
                operator: false,
                disabled: false,
                created_at: token.created_at,
                two_factor_enabled: false,
            };
            let principal = Principal {
                user_id: token.id.clone(),
                company_id: Some(token.company_id.clone()),
                operator: false,
                grants: vec![Grant {
                    permissions: scopes,
                    restrictions: Restrictions::default(),
                    scope: Scope::Company,
                }],
            };
            Ok((stand_in, principal, token))
        }
    }
}
