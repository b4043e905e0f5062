//! Signing in through a company's OpenID Connect provider: the authorization
//! code flow with PKCE (S256), a nonce and a one-time `state`. Reach is one
//! relying party per domain (each domain registers its own client); which
//! provider answers is told by the verified e-mail domain, and the answer by
//! the `state` we stored.
//!
//! The provider is read from its discovery document on every sign-in, so
//! rotated signing keys are picked up without anyone acting. The ID token is
//! verified by `openidconnect`: signature by the provider's published keys,
//! issuer, audience (our client id alone), expiry and nonce. The address comes
//! from the ID token, or else from the user info endpoint for the same subject.
//! Failures send the browser back to the sign-in page with a code; the reason
//! is logged.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthenticationFlow, CoreClaimName, CoreClaimType, CoreClient,
    CoreClientAuthMethod, CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, ProviderMetadata, RedirectUrl, RequestTokenError,
    ResponseTypes, Scope, TokenResponse,
};
use reach_core::Millis;
use reach_store::{OidcProvider, OidcRequest, SsoDomain, StoreError, User};
use serde::{Deserialize, Serialize};

use crate::error::ApiFailure;
use crate::idp_http::{describe, OidcHttp};
use crate::sso::{self, back_to_sign_in, EmailQuery, Provider, Refusal, RELAY_CONSOLE};
use crate::AppState;

/// How long the provider has to answer one of our requests.
pub const REQUEST_LIFETIME_MS: Millis = 10 * 60 * 1000;

/// Why a provider cannot be used: told to the administrator who configures it,
/// logged at sign-in.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the issuer must be an https URL")]
    NotHttps,
    #[error("reading the provider's discovery document or keys failed: {0}")]
    Discovery(String),
    #[error("the provider does not offer the authorization code flow (response type `code`)")]
    NoCodeFlow,
    #[error("the provider has no token endpoint")]
    NoTokenEndpoint,
    #[error("the provider does not accept PKCE with S256")]
    NoPkce,
    #[error("the stored client secret does not open with this server's sealing key")]
    Sealed,
}

/// What discovery says beyond OpenID Connect Discovery itself: the PKCE
/// methods (RFC 8414).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PkceMethods {
    #[serde(default)]
    code_challenge_methods_supported: Option<Vec<String>>,
}

impl AdditionalProviderMetadata for PkceMethods {}

/// A provider's discovery document with its signing keys.
pub type Metadata = ProviderMetadata<
    PkceMethods,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// A relying party for one provider, as discovery built it.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Where providers send people back: register it with the provider.
pub fn redirect_uri(state: &AppState) -> String {
    format!("{}/oidc/callback", state.base_url)
}

/// Where providers start sign-ins from their own portal (login initiation URI).
pub fn initiate_login_uri(state: &AppState) -> String {
    format!("{}/oidc/initiate", state.base_url)
}

/// Reads the provider's discovery document and signing keys, and checks it
/// offers what we use: the code flow, a token endpoint, PKCE with S256 (a
/// provider that does not list its PKCE methods is trusted to accept S256).
pub async fn discover(state: &AppState, issuer: &str) -> Result<Metadata, OidcError> {
    let parsed = url::Url::parse(issuer).map_err(|_| OidcError::NotHttps)?;
    if parsed.scheme() != "https" {
        return Err(OidcError::NotHttps);
    }
    let issuer_url = IssuerUrl::new(issuer.to_string()).map_err(|_| OidcError::NotHttps)?;
    let metadata = Metadata::discover_async(issuer_url, &OidcHttp(&state.idp_http))
        .await
        .map_err(|err| OidcError::Discovery(describe(&err)))?;
    let code = ResponseTypes::new(vec![CoreResponseType::Code]);
    if !metadata.response_types_supported().contains(&code) {
        return Err(OidcError::NoCodeFlow);
    }
    if metadata.token_endpoint().is_none() {
        return Err(OidcError::NoTokenEndpoint);
    }
    if let Some(methods) = &metadata
        .additional_metadata()
        .code_challenge_methods_supported
    {
        if !methods.iter().any(|method| method == "S256") {
            return Err(OidcError::NoPkce);
        }
    }
    Ok(metadata)
}

/// The relying party for `provider`, sending its secret the way the provider
/// asks (HTTP Basic unless it only takes the secret in the request body).
fn client(
    state: &AppState,
    provider: &OidcProvider,
    metadata: Metadata,
) -> Result<Client, OidcError> {
    let secret = match &provider.client_secret_sealed {
        Some(sealed) => {
            let bytes = state
                .sealing
                .open(&provider.domain_id, sealed)
                .map_err(|_| OidcError::Sealed)?;
            Some(ClientSecret::new(
                String::from_utf8(bytes).map_err(|_| OidcError::Sealed)?,
            ))
        }
        None => None,
    };
    let body_only = metadata
        .token_endpoint_auth_methods_supported()
        .is_some_and(|methods| {
            methods.contains(&CoreClientAuthMethod::ClientSecretPost)
                && !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
        });
    let redirect = RedirectUrl::new(redirect_uri(state))
        .map_err(|err| OidcError::Discovery(err.to_string()))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        secret,
    )
    .set_redirect_uri(redirect);
    Ok(if body_only {
        client.set_auth_type(AuthType::RequestBody)
    } else {
        client
    })
}

/// `GET /oidc/login?email=&relay_state=`: sends the browser to the provider
/// with a new authorization request.
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
    let Some((domain, Provider::Oidc(provider))) = found else {
        return back_to_sign_in("sso_not_configured");
    };
    let relay_state = query.relay_state.filter(|r| r == RELAY_CONSOLE);
    authorization_request(&state, &domain, &provider, Some(email), relay_state).await
}

/// Third-party initiated login (OpenID Connect Core §4): the provider's own
/// portal starts a sign-in with its issuer and, often, the address.
#[derive(Deserialize)]
pub struct InitiateQuery {
    iss: String,
    #[serde(default)]
    login_hint: Option<String>,
}

/// `GET /oidc/initiate?iss=&login_hint=`: the login initiation URI providers
/// call; starts an ordinary authorization request to that provider (which
/// must be the one of a verified domain), landing on the technician console.
pub async fn initiate(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<InitiateQuery>,
) -> Response {
    if let Some(busy) = sso::too_many_starts(&state, peer) {
        return busy;
    }
    let hint = query
        .login_hint
        .map(|h| h.trim().to_lowercase())
        .filter(|h| !h.is_empty());
    let chosen = match &hint {
        // The address says which domain, hence which company.
        Some(email) => match sso::provider_for(&state, email).await {
            Ok(Some((domain, Provider::Oidc(provider)))) if provider.issuer == query.iss => {
                Some((domain, provider))
            }
            Ok(_) => None,
            Err(err) => return err.into_response(),
        },
        // Without one, only an issuer used by a single domain is unambiguous.
        None => match state.store.oidc_providers_by_issuer(&query.iss).await {
            Ok(mut found) if found.len() == 1 => found.pop(),
            Ok(found) if found.len() > 1 => return back_to_sign_in("sso_enter_address"),
            Ok(_) => None,
            Err(err) => return ApiFailure::from(err).into_response(),
        },
    };
    let Some((domain, provider)) = chosen else {
        tracing::warn!(issuer = %query.iss, "a sign-in was started by a provider no verified domain uses");
        return back_to_sign_in("sso_not_configured");
    };
    authorization_request(
        &state,
        &domain,
        &provider,
        hint,
        Some(RELAY_CONSOLE.to_string()),
    )
    .await
}

/// Stores a new authorization request (state, nonce, PKCE verifier) for the
/// domain and sends the browser to the provider with it.
async fn authorization_request(
    state: &AppState,
    domain: &SsoDomain,
    provider: &OidcProvider,
    login_hint: Option<String>,
    relay_state: Option<String>,
) -> Response {
    let client = match discover(state, &provider.issuer)
        .await
        .and_then(|metadata| client(state, provider, metadata))
    {
        Ok(client) => client,
        Err(err) => {
            tracing::warn!(domain = %domain.domain, issuer = %provider.issuer, error = %err, "cannot start an OpenID Connect sign-in");
            return back_to_sign_in("sso_failed");
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge);
    if let Some(hint) = login_hint {
        request = request.add_extra_param("login_hint", hint);
    }
    let (url, csrf, nonce) = request.url();
    let now = state.clock.now();
    let stored = OidcRequest {
        state: csrf.secret().clone(),
        company_id: domain.company_id.clone(),
        domain_id: domain.id.clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier_sealed: state
            .sealing
            .seal(csrf.secret(), verifier.secret().as_bytes()),
        relay_state,
        created_at: now,
        expires_at: now + REQUEST_LIFETIME_MS,
    };
    if let Err(err) = state.store.create_oidc_request(&stored).await {
        return ApiFailure::from(err).into_response();
    }
    (StatusCode::SEE_OTHER, [(LOCATION, url.to_string())]).into_response()
}

/// The provider's answer: a code, or an error (RFC 6749 §4.1.2).
#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    error_description: Option<String>,
}

/// `GET /oidc/callback`: exchanges the code and signs the person in.
pub async fn callback(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let outcome = complete(&state, &query).await;
    sso::finish(&state, peer, "oidc", outcome).await
}

async fn complete(
    state: &AppState,
    query: &CallbackQuery,
) -> Result<(User, Option<String>), Refusal> {
    let now = state.clock.now();
    let request_state = query
        .state
        .as_deref()
        .ok_or_else(|| Refusal::new("sso_failed", "the answer has no state"))?;
    // Taken first, so an answer of any kind uses the request up.
    let request = state
        .store
        .take_oidc_request(request_state, now)
        .await?
        .ok_or_else(|| {
            Refusal::new(
                "sso_failed",
                "no outstanding request with this state (unknown, used or expired)",
            )
        })?;
    let company_id = request.company_id.clone();
    prove(state, query, request, now)
        .await
        .map_err(|refusal| refusal.in_company(&company_id))
}

/// Exchanges the code for tokens, checks the ID token and finds the account.
async fn prove(
    state: &AppState,
    query: &CallbackQuery,
    request: OidcRequest,
    now: Millis,
) -> Result<(User, Option<String>), Refusal> {
    if let Some(error) = &query.error {
        let code = if error == "access_denied" {
            "sso_denied"
        } else {
            "sso_failed"
        };
        return Err(Refusal::new(
            code,
            format!(
                "the provider answered {error}: {}",
                query
                    .error_description
                    .as_deref()
                    .unwrap_or("no description")
            ),
        ));
    }
    let code = query
        .code
        .clone()
        .ok_or_else(|| Refusal::new("sso_failed", "the answer has neither code nor error"))?;
    let domain = match state
        .store
        .sso_domain(&request.company_id, &request.domain_id)
        .await
    {
        Ok(domain) => domain,
        Err(StoreError::NotFound) => {
            return Err(Refusal::new("sso_not_configured", "the domain was removed"))
        }
        Err(err) => return Err(err.into()),
    };
    let provider = state
        .store
        .oidc_provider(&request.company_id, &request.domain_id)
        .await?
        .ok_or_else(|| {
            Refusal::new(
                "sso_not_configured",
                "the domain's OpenID Connect provider was removed",
            )
        })?;
    if domain.status != reach_proto::directory::DomainStatus::Verified {
        return Err(Refusal::new(
            "sso_not_configured",
            format!("{} is no longer verified", domain.domain),
        ));
    }
    let metadata = discover(state, &provider.issuer)
        .await
        .map_err(|err| Refusal::new("sso_failed", err))?;
    let client =
        client(state, &provider, metadata).map_err(|err| Refusal::new("sso_failed", err))?;
    let verifier = state
        .sealing
        .open(&request.state, &request.pkce_verifier_sealed)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| Refusal::new("sso_failed", "the stored PKCE verifier does not open"))?;
    let exchange = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|err| Refusal::new("sso_failed", err))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier));
    let tokens = exchange
        .request_async(&OidcHttp(&state.idp_http))
        .await
        .map_err(|err| Refusal::new("sso_failed", token_error(&err)))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| Refusal::new("sso_failed", "the token response has no ID token"))?;
    let checker = client
        .id_token_verifier()
        .set_time_fn(move || chrono::DateTime::from_timestamp_millis(now).unwrap_or_default());
    let claims = id_token
        .claims(&checker, &Nonce::new(request.nonce.clone()))
        .map_err(|err| Refusal::new("sso_failed", format!("the ID token is refused: {err}")))?;
    // Providers that follow OpenID Connect Core to the letter release the
    // address at the user info endpoint, not in the ID token: ask there, for
    // the subject the ID token names.
    let (email, verified) = match claims.email() {
        Some(email) => (email.to_string(), claims.email_verified()),
        None => {
            let info: openidconnect::core::CoreUserInfoClaims = client
                .user_info(tokens.access_token().clone(), Some(claims.subject().clone()))
                .map_err(|_| {
                    Refusal::new(
                        "sso_failed",
                        "the ID token has no email claim and the provider has no user info endpoint",
                    )
                })?
                .request_async(&OidcHttp(&state.idp_http))
                .await
                .map_err(|err| {
                    Refusal::new("sso_failed", format!("the user info request failed: {}", describe(&err)))
                })?;
            let email = info.email().ok_or_else(|| {
                Refusal::new(
                    "sso_failed",
                    "neither the ID token nor the user info has an email claim (the provider must release it for the email scope)",
                )
            })?;
            (email.to_string(), info.email_verified())
        }
    };
    if verified == Some(false) {
        return Err(Refusal::new(
            "sso_failed",
            format!("the provider says {email} is not verified"),
        ));
    }
    let user = sso::account_for(state, &domain, &email, "oidc", now).await?;
    Ok((user, request.relay_state))
}

/// The token endpoint's refusal as the provider worded it, or the transport failure.
fn token_error<RE: std::error::Error + 'static, T: openidconnect::ErrorResponse + 'static>(
    err: &RequestTokenError<RE, T>,
) -> String {
    match err {
        RequestTokenError::ServerResponse(response) => {
            format!("the token endpoint refused the code: {response}")
        }
        other => format!("the token request failed: {}", describe(other)),
    }
}
