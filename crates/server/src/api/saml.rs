//! A single sign-on domain's SAML settings: its identity provider (from metadata
//! XML or typed in) and the customer identifier (generated here, shown once,
//! kept as a hash).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use reach_core::credentials;
use reach_core::saml::{self, IdpSettings, RequestBinding};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::DomainStatus;
use reach_proto::sso::{
    CertificateView, CustomerIdentifierCreated, IdentityProviderInput, IdentityProviderView,
    RequestBindingView, SamlSettingsView,
};
use reach_store::{SamlProvider, StoreError};
use sha2::{Digest, Sha256};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

fn certificate_view(certificate: &str) -> CertificateView {
    let der = base64::engine::general_purpose::STANDARD
        .decode(certificate)
        .unwrap_or_default();
    CertificateView {
        sha256: hex::encode(Sha256::digest(&der)),
    }
}

pub(super) async fn settings_view(
    state: &AppState,
    company_id: &str,
    domain_id: &str,
) -> Result<SamlSettingsView, ApiFailure> {
    let domain = state.store.sso_domain(company_id, domain_id).await?;
    let provider = state.store.saml_provider(company_id, domain_id).await?;
    let (excluded_emails, excluded_group_ids) =
        super::exclusions::excluded(state, company_id, domain_id).await?;
    let active = domain.status == DomainStatus::Verified
        && provider
            .as_ref()
            .is_some_and(|p| p.customer_identifier_hash.is_some());
    Ok(SamlSettingsView {
        service_provider: crate::saml::service_provider(state),
        identity_provider: provider.map(|p| IdentityProviderView {
            entity_id: p.idp_entity_id,
            sso_url: p.sso_url,
            binding: match p.binding {
                RequestBinding::Redirect => RequestBindingView::Redirect,
                RequestBinding::Post => RequestBindingView::Post,
            },
            certificates: p.certificates.iter().map(|c| certificate_view(c)).collect(),
            metadata_url: p.metadata_url,
            customer_identifier_set: p.customer_identifier_hash.is_some(),
            updated_at: p.updated_at,
        }),
        excluded_emails,
        excluded_group_ids,
        active,
    })
}

/// `GET /api/sso-domains/{id}/saml`.
pub async fn get_settings(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<SamlSettingsView>, ApiFailure> {
    let (company_id, _) = super::domains::managed(&state, &auth, &id).await?;
    Ok(Json(settings_view(&state, &company_id, &id).await?))
}

/// `PUT /api/sso-domains/{id}/saml`: sets the identity provider.
pub async fn put_provider(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
    body: JsonBody<IdentityProviderInput>,
) -> Result<Json<SamlSettingsView>, ApiFailure> {
    let Json(input) = body?;
    let (company_id, domain) = super::domains::managed(&state, &auth, &id).await?;
    let company_id = company_id.as_str();
    let invalid = |message: String| ApiFailure::new(ErrorCode::InvalidIdentityProvider, message);
    let mut metadata_url = None;
    let (settings, source) = match &input {
        IdentityProviderInput::MetadataXml { xml } => {
            (saml::parse_idp_metadata(xml), "metadata_xml")
        }
        IdentityProviderInput::MetadataUrl { url } => {
            let xml = state
                .idp_http
                .fetch(url.trim())
                .await
                .map_err(|err| invalid(err.to_string()))?;
            metadata_url = Some(url.trim().to_string());
            (saml::parse_idp_metadata(&xml), "metadata_url")
        }
        IdentityProviderInput::Manual {
            entity_id,
            sso_url,
            binding,
            certificate,
        } => {
            let binding = match binding {
                RequestBindingView::Redirect => RequestBinding::Redirect,
                RequestBindingView::Post => RequestBinding::Post,
            };
            (
                IdpSettings::manual(entity_id, sso_url, binding, certificate),
                "manual",
            )
        }
    };
    let settings = settings.map_err(|err| invalid(err.to_string()))?;
    let provider = SamlProvider {
        domain_id: domain.id.clone(),
        company_id: company_id.to_string(),
        idp_entity_id: settings.entity_id.clone(),
        sso_url: settings.sso_url.clone(),
        binding: settings.binding,
        certificates: settings.certificates.clone(),
        metadata_url: metadata_url.clone(),
        customer_identifier_hash: None,
        updated_at: state.clock.now(),
    };
    match state.store.put_saml_provider(&provider).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(ApiFailure::new(
            ErrorCode::Conflict,
            "this domain signs in through OpenID Connect: remove its OpenID Connect provider first",
        )),
        Err(err) => return Err(err.into()),
    }
    let fingerprints: Vec<String> = settings
        .certificates
        .iter()
        .map(|c| certificate_view(c).sha256)
        .collect();
    let entry = Entry::new(
        company_id,
        AuditCode::IdentityProviderConfigured,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("sso_domain", &domain.id, Some(&domain.domain))
    .detail("protocol", "saml")
    .detail("source", source)
    .detail("metadata_url", metadata_url.as_deref().unwrap_or("-"))
    .detail("idp_entity_id", &settings.entity_id)
    .detail("sso_url", &settings.sso_url)
    .detail("certificates", fingerprints.join(", "));
    audit::record(&state, entry).await;
    Ok(Json(settings_view(&state, company_id, &id).await?))
}

/// `DELETE /api/sso-domains/{id}/saml`: single sign-on stops for the domain.
pub async fn remove_provider(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    let (company_id, domain) = super::domains::managed(&state, &auth, &id).await?;
    let company_id = company_id.as_str();
    // Removing what isn't there is not an error: the outcome is the one asked for.
    match state.store.delete_saml_provider(company_id, &id).await {
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
    .target("sso_domain", &domain.id, Some(&domain.domain));
    audit::record(&state, entry).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/sso-domains/{id}/saml/customer-identifier`: a new identifier,
/// returned this once. Assertions carrying the previous one stop working.
pub async fn new_customer_identifier(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<CustomerIdentifierCreated>, ApiFailure> {
    let (company_id, domain) = super::domains::managed(&state, &auth, &id).await?;
    let company_id = company_id.as_str();
    if state.store.saml_provider(company_id, &id).await?.is_none() {
        return Err(ApiFailure::new(
            ErrorCode::Conflict,
            "set up the identity provider first",
        ));
    }
    let identifier = credentials::new_secret("");
    state
        .store
        .set_customer_identifier_hash(
            company_id,
            &id,
            &credentials::secret_hash(&identifier),
            state.clock.now(),
        )
        .await?;
    let entry = Entry::new(
        company_id,
        AuditCode::CustomerIdentifierGenerated,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("sso_domain", &domain.id, Some(&domain.domain));
    audit::record(&state, entry).await;
    Ok(Json(CustomerIdentifierCreated {
        customer_identifier: identifier,
    }))
}
