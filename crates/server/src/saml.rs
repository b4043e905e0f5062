//! Signing in through a company's SAML 2.0 identity provider. Reach is one service
//! provider for every company (`/saml/metadata`); which company's identity
//! provider answers is told by the verified e-mail domain (sign-ins we start) or
//! by the response's issuer and customer identifier (sign-ins the IdP starts).
//!
//! Outstanding requests and used assertion ids are stored, so an answer to no
//! request, to an expired one, or a replayed assertion is refused even across a
//! restart. Failures send the browser back to the sign-in page with a code the
//! console translates; the reason is logged, never shown.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use base64::Engine;
use reach_core::saml::{self, Expected, RequestBinding, SamlError, CLOCK_SKEW_MS};
use reach_core::Millis;
use reach_proto::sso::ServiceProviderView;
use reach_store::{SamlProvider, SamlRequest, SsoDomain, StoreError, User};
use serde::Deserialize;

use crate::error::ApiFailure;
use crate::sso::{self, back_to_sign_in, EmailQuery, Provider, Refusal, RELAY_CONSOLE};
use crate::AppState;

/// How long the identity provider has to answer one of our requests.
pub const REQUEST_LIFETIME_MS: Millis = 10 * 60 * 1000;

/// Reach as a service provider, as administrators configure it in their IdP.
pub fn service_provider(state: &AppState) -> ServiceProviderView {
    ServiceProviderView {
        entity_id: format!("{}/saml/metadata", state.base_url),
        acs_url: format!("{}/saml/acs", state.base_url),
        metadata_url: format!("{}/saml/metadata", state.base_url),
    }
}

/// `GET /saml/metadata`: our SP metadata XML.
pub async fn metadata(State(state): State<Arc<AppState>>) -> Response {
    let sp = service_provider(&state);
    (
        [(CONTENT_TYPE, "application/samlmetadata+xml")],
        saml::sp_metadata(&sp.entity_id, &sp.acs_url),
    )
        .into_response()
}

/// `GET /saml/login?email=&relay_state=`: sends the browser to the identity
/// provider with a new authentication request.
pub async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<EmailQuery>,
) -> Response {
    if let Some(busy) = sso::too_many_starts(&state, peer) {
        return busy;
    }
    let email = query.email.trim().to_lowercase();
    let found = match sso::provider_for(&state, &email).await {
        Ok(found) => found,
        Err(err) => return err.into_response(),
    };
    let Some((domain, Provider::Saml(provider))) = found else {
        return back_to_sign_in("sso_not_configured");
    };
    let now = state.clock.now();
    let request = SamlRequest {
        id: saml::new_request_id(),
        company_id: domain.company_id.clone(),
        domain_id: domain.id.clone(),
        relay_state: query.relay_state.filter(|r| r == RELAY_CONSOLE),
        created_at: now,
        expires_at: now + REQUEST_LIFETIME_MS,
    };
    if let Err(err) = state.store.create_saml_request(&request).await {
        return ApiFailure::from(err).into_response();
    }
    let sp = service_provider(&state);
    let xml = saml::authn_request(
        &request.id,
        now,
        &sp.entity_id,
        &sp.acs_url,
        &provider.sso_url,
        Some(&email),
    );
    match provider.binding {
        RequestBinding::Redirect => match saml::redirect_url(&provider.sso_url, &xml, None) {
            Ok(url) => (StatusCode::SEE_OTHER, [(LOCATION, url)]).into_response(),
            Err(err) => {
                tracing::warn!(domain = %domain.domain, error = %err, "cannot build the SAML redirect");
                back_to_sign_in("sso_failed")
            }
        },
        RequestBinding::Post => post_binding_page(&provider.sso_url, &saml::post_field(&xml)),
    }
}

/// The HTTP-POST binding: a form the browser posts to the identity provider,
/// submitted by `/saml/post.js` (no inline script). Its own Content-Security-Policy
/// lets this one page post to the identity provider.
fn post_binding_page(sso_url: &str, saml_request: &str) -> Response {
    let origin = url::Url::parse(sso_url)
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_default();
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Single sign-on</title>\
         <script src=\"/saml/post.js\" defer></script></head><body>\
         <form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"SAMLRequest\" value=\"{request}\">\
         <p>Continuing to your identity provider… / Poursuite vers votre fournisseur d’identité…</p>\
         <button type=\"submit\">Continue / Continuer</button></form></body></html>",
        action = saml::escape(sso_url),
        request = saml::escape(saml_request),
    );
    let policy = format!(
        "default-src 'none'; script-src 'self'; form-action {origin} https:; base-uri 'none'; frame-ancestors 'none'"
    );
    let mut response = (
        [(CONTENT_TYPE, "text/html; charset=utf-8".to_string())],
        page,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response
            .headers_mut()
            .insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// `GET /saml/post.js`: submits the HTTP-POST binding's form.
pub async fn post_script() -> Response {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8")],
        "document.forms[0].submit();\n",
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
    #[serde(rename = "RelayState", default)]
    relay_state: Option<String>,
}

/// `POST /saml/acs`: the identity provider's answer (HTTP-POST binding).
pub async fn acs(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Form(form): Form<AcsForm>,
) -> Response {
    let outcome = consume(&state, &form).await;
    sso::finish(&state, peer, "saml", outcome).await
}

/// Checks the response and finds (or, if the company allows it, creates) the
/// user it signs in; returns them with the relay state to follow.
async fn consume(state: &AppState, form: &AcsForm) -> Result<(User, Option<String>), Refusal> {
    let compact: String = form
        .saml_response
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let xml = base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| Refusal::new("sso_failed", "SAMLResponse is not Base64 UTF-8"))?;
    let claimed = saml::peek(&xml).map_err(|err| Refusal::new("sso_failed", err))?;
    let now = state.clock.now();

    // Ours (answering a request we stored) or the IdP's own (answering none).
    let (candidates, request_id, relay_state) = match &claimed.in_response_to {
        Some(id) => {
            let request = state
                .store
                .take_saml_request(id, now)
                .await?
                .ok_or_else(|| {
                    Refusal::new(
                        "sso_failed",
                        format!("no outstanding request {id} (unknown, used or expired)"),
                    )
                })?;
            let provider = state
                .store
                .saml_provider(&request.company_id, &request.domain_id)
                .await?;
            let domain = match state
                .store
                .sso_domain(&request.company_id, &request.domain_id)
                .await
            {
                Ok(domain) => Some(domain),
                Err(StoreError::NotFound) => None,
                Err(err) => return Err(err.into()),
            };
            let candidates = match (domain, provider) {
                (Some(domain), Some(provider)) => vec![(domain, provider)],
                _ => Vec::new(),
            };
            (candidates, Some(id.clone()), request.relay_state)
        }
        None => (
            state
                .store
                .saml_providers_by_issuer(&claimed.issuer)
                .await?,
            None,
            form.relay_state.clone(),
        ),
    };

    let sp = service_provider(state);
    let mut last_error = SamlError::Malformed(format!(
        "no single sign-on domain uses the identity provider {}",
        claimed.issuer
    ));
    for (domain, provider) in &candidates {
        if domain.status != reach_proto::directory::DomainStatus::Verified {
            continue;
        }
        let Some(customer_identifier_hash) = &provider.customer_identifier_hash else {
            continue;
        };
        let certificates = saml::certificates_der(&provider.certificates);
        let expected = Expected {
            idp_entity_id: &provider.idp_entity_id,
            idp_certificates: &certificates,
            sp_entity_id: &sp.entity_id,
            acs_url: &sp.acs_url,
            request_id: request_id.as_deref(),
            customer_identifier_hash,
            now,
        };
        match saml::verify_response(&xml, &expected) {
            Ok(verified) => {
                let user = sign_in(state, domain, provider, &verified, now)
                    .await
                    .map_err(|refusal| refusal.in_company(&domain.company_id))?;
                return Ok((user, relay_state));
            }
            Err(err) => last_error = err,
        }
    }
    let refusal = Refusal::new("sso_failed", last_error);
    Err(match candidates.as_slice() {
        [(domain, _)] => refusal.in_company(&domain.company_id),
        _ => refusal,
    })
}

/// After the response passed every check: the assertion is used once, then the
/// address signs in to its account.
async fn sign_in(
    state: &AppState,
    domain: &SsoDomain,
    provider: &SamlProvider,
    verified: &saml::VerifiedAssertion,
    now: Millis,
) -> Result<User, Refusal> {
    let first_use = state
        .store
        .remember_assertion(
            &provider.idp_entity_id,
            &verified.assertion_id,
            verified.not_on_or_after.max(now) + CLOCK_SKEW_MS,
        )
        .await?;
    if !first_use {
        return Err(Refusal::new("sso_failed", SamlError::Replayed));
    }
    sso::account_for(state, domain, &verified.email, "saml", now).await
}
