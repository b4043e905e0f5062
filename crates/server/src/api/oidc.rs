//! A single sign-on domain's OpenID Connect settings: the provider's issuer,
//! our client id there and the client secret (sealed at rest, never shown
//! again). The provider is checked by reading its discovery document before
//! anything is saved.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::DomainStatus;
use reach_proto::sso::{OidcProviderInput, OidcProviderView, OidcSettingsView};
use reach_store::{OidcProvider, StoreError};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

/// Longest client id or secret accepted (providers issue far shorter ones).
const MAX_CLIENT_FIELD: usize = 1024;

async fn settings_view(
    state: &AppState,
    company_id: &str,
    domain_id: &str,
) -> Result<OidcSettingsView, ApiFailure> {
    let domain = state.store.sso_domain(company_id, domain_id).await?;
    let provider = state.store.oidc_provider(company_id, domain_id).await?;
    let (excluded_emails, excluded_group_ids) =
        super::exclusions::excluded(state, company_id, domain_id).await?;
    Ok(OidcSettingsView {
        redirect_uri: crate::oidc::redirect_uri(state),
        initiate_login_uri: crate::oidc::initiate_login_uri(state),
        active: domain.status == DomainStatus::Verified && provider.is_some(),
        provider: provider.map(|p| OidcProviderView {
            issuer: p.issuer,
            client_id: p.client_id,
            client_secret_set: p.client_secret_sealed.is_some(),
            updated_at: p.updated_at,
        }),
        excluded_emails,
        excluded_group_ids,
    })
}

/// `GET /api/sso-domains/{id}/oidc`.
pub async fn get_settings(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<OidcSettingsView>, ApiFailure> {
    let (company_id, _) = super::domains::managed(&state, &auth, &id).await?;
    Ok(Json(settings_view(&state, &company_id, &id).await?))
}

/// `PUT /api/sso-domains/{id}/oidc`: sets the provider.
pub async fn put_provider(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
    body: JsonBody<OidcProviderInput>,
) -> Result<Json<OidcSettingsView>, ApiFailure> {
    let Json(input) = body?;
    let (company_id, domain) = super::domains::managed(&state, &auth, &id).await?;
    let company_id = company_id.as_str();
    let invalid = |message: String| ApiFailure::new(ErrorCode::InvalidIdentityProvider, message);
    let issuer = input.issuer.trim();
    let client_id = input.client_id.trim();
    if client_id.is_empty() || client_id.len() > MAX_CLIENT_FIELD {
        return Err(invalid(format!(
            "the client id must be 1 to {MAX_CLIENT_FIELD} characters"
        )));
    }
    let new_secret = match input.client_secret.as_deref().map(str::trim) {
        Some("") => {
            return Err(invalid(
                "the client secret is empty: leave it out to keep the current one".into(),
            ))
        }
        Some(secret) if secret.len() > MAX_CLIENT_FIELD => {
            return Err(invalid(format!(
                "the client secret is longer than {MAX_CLIENT_FIELD} characters"
            )))
        }
        other => other,
    };
    crate::oidc::discover(&state, issuer)
        .await
        .map_err(|err| invalid(err.to_string()))?;
    let current = state.store.oidc_provider(company_id, &id).await?;
    let (client_secret_sealed, secret_change) = match (new_secret, current) {
        (Some(secret), _) => (
            Some(state.sealing.seal(&domain.id, secret.as_bytes())),
            "set",
        ),
        (None, Some(current)) => (current.client_secret_sealed, "kept"),
        (None, None) => (None, "none"),
    };
    let provider = OidcProvider {
        domain_id: domain.id.clone(),
        company_id: company_id.to_string(),
        issuer: issuer.to_string(),
        client_id: client_id.to_string(),
        client_secret_sealed,
        updated_at: state.clock.now(),
    };
    match state.store.put_oidc_provider(&provider).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(ApiFailure::new(
                ErrorCode::Conflict,
                "this domain signs in through SAML: remove its SAML identity provider first",
            ))
        }
        Err(err) => return Err(err.into()),
    }
    let entry = Entry::new(
        company_id,
        AuditCode::IdentityProviderConfigured,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("sso_domain", &domain.id, Some(&domain.domain))
    .detail("protocol", "oidc")
    .detail("issuer", issuer)
    .detail("client_id", client_id)
    .detail("client_secret", secret_change);
    audit::record(&state, entry).await;
    Ok(Json(settings_view(&state, company_id, &id).await?))
}

/// `DELETE /api/sso-domains/{id}/oidc`: single sign-on stops for the domain.
pub async fn remove_provider(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let (company_id, domain) = super::domains::managed(&state, &auth, &id).await?;
    let company_id = company_id.as_str();
    // Removing what isn't there is not an error: the outcome is the one asked for.
    match state.store.delete_oidc_provider(company_id, &id).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Ok(StatusCode::NO_CONTENT),
        Err(err) => return Err(err.into()),
    }
    let entry = Entry::new(
        company_id,
        AuditCode::IdentityProviderRemoved,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("sso_domain", &domain.id, Some(&domain.domain))
    .detail("protocol", "oidc");
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}
