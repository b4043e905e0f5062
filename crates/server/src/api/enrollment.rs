//! Enrollment tokens (created by administrators) and the agent's enrollment call
//! that spends one. Token secrets are shown once and stored only as hashes.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Path, State};
use axum::Json;
use base64::Engine;
use reach_core::credentials::{self, ENROLLMENT_TOKEN_PREFIX};
use reach_core::policy::Action;
use reach_core::{fingerprint, now_millis, validate};
use reach_proto::api::{
    AgentEnrollRequest, AgentEnrollResponse, CreateEnrollmentToken, EnrollmentTokenCreated,
    EnrollmentTokenView,
};
use reach_proto::audit::AuditCode;
use reach_proto::messages::SystemInfo;
use reach_store::{DeviceSystem, EnrollmentToken, NewDevice, NewEnrollmentToken, Store};

use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

/// Upper bounds that keep a typo from minting a token that never dies.
pub const MAX_TOKEN_USES: u32 = 100_000;
pub const MAX_TOKEN_LIFETIME_SECS: u64 = 366 * 24 * 3600;

pub fn token_view(token: &EnrollmentToken) -> EnrollmentTokenView {
    EnrollmentTokenView {
        id: token.id.clone(),
        max_uses: u32::try_from(token.max_uses).unwrap_or(u32::MAX),
        uses: u32::try_from(token.uses).unwrap_or(u32::MAX),
        expires_at: token.expires_at,
        device_group: token.device_group.clone(),
        revoked: token.revoked_at.is_some(),
        created_at: token.created_at,
    }
}

/// Creates a token in `company_id`; shared by the API and `reach admin enroll-token create`.
pub async fn create_token(
    store: &dyn Store,
    company_id: &str,
    created_by: Option<String>,
    request: &CreateEnrollmentToken,
) -> Result<(String, EnrollmentToken), ApiFailure> {
    if request.max_uses == 0 || request.max_uses > MAX_TOKEN_USES {
        return Err(ApiFailure::bad_request(format!(
            "max uses must be between 1 and {MAX_TOKEN_USES}"
        )));
    }
    if request.expires_in_secs == 0 || request.expires_in_secs > MAX_TOKEN_LIFETIME_SECS {
        return Err(ApiFailure::bad_request(
            "the expiry must be between 1 second and 366 days",
        ));
    }
    let device_group = request
        .device_group
        .as_deref()
        .filter(|name| !name.trim().is_empty())
        .map(|name| validate::name("device group", name, 64))
        .transpose()?;
    let secret = credentials::new_secret(ENROLLMENT_TOKEN_PREFIX);
    let now = now_millis();
    let lifetime_ms = i64::try_from(request.expires_in_secs).unwrap_or(i64::MAX / 1000) * 1000;
    let token = store
        .create_enrollment_token(&NewEnrollmentToken {
            id: uuid::Uuid::new_v4().to_string(),
            company_id: company_id.to_string(),
            token_hash: credentials::secret_hash(&secret),
            device_group,
            max_uses: i64::from(request.max_uses),
            expires_at: now.saturating_add(lifetime_ms),
            created_by,
            created_at: now,
        })
        .await?;
    Ok((secret, token))
}

/// The event-log entry for a new token (the API and the CLI both write it).
pub fn token_created(token: &EnrollmentToken, actor: Actor, ip: Option<IpAddr>) -> Entry {
    let entry = Entry::new(&token.company_id, AuditCode::EnrollmentTokenCreated, actor)
        .ip(ip)
        .target("enrollment_token", &token.id, None)
        .detail("max_uses", token.max_uses)
        .detail("expires_at", token.expires_at);
    match &token.device_group {
        Some(group) => entry.detail("device_group", group),
        None => entry,
    }
}

pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    body: JsonBody<CreateEnrollmentToken>,
) -> Result<Json<EnrollmentTokenCreated>, ApiFailure> {
    let Json(request) = body?;
    let company = auth.company_for(Action::ManageEnrollmentTokens)?;
    let (secret, token) = create_token(
        state.store.as_ref(),
        company,
        Some(auth.user.id.clone()),
        &request,
    )
    .await?;
    tracing::info!(token_id = %token.id, by = %auth.user.id, max_uses = token.max_uses, "enrollment token created");
    audit::record(&state, token_created(&token, Actor::user(&auth), auth.ip)).await;
    Ok(Json(EnrollmentTokenCreated {
        token: secret,
        view: token_view(&token),
        server_fingerprint: fingerprint::to_hex(&state.fingerprint),
    }))
}

pub async fn list(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<Vec<EnrollmentTokenView>>, ApiFailure> {
    let company = auth.company_for(Action::ManageEnrollmentTokens)?;
    let tokens = state.store.list_enrollment_tokens(company).await?;
    Ok(Json(tokens.iter().map(token_view).collect()))
}

pub async fn revoke(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<EnrollmentTokenView>, ApiFailure> {
    let company = auth.company_for(Action::ManageEnrollmentTokens)?;
    let token = state
        .store
        .revoke_enrollment_token(company, &id, now_millis())
        .await?;
    let entry = Entry::new(
        company,
        AuditCode::EnrollmentTokenRevoked,
        Actor::user(&auth),
    )
    .ip(auth.ip)
    .target("enrollment_token", &token.id, None);
    audit::record(&state, entry).await;
    Ok(Json(token_view(&token)))
}

/// `POST /api/agent/enroll`: the agent presents a token and its new public key.
pub async fn enroll_agent(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: JsonBody<AgentEnrollRequest>,
) -> Result<Json<AgentEnrollResponse>, ApiFailure> {
    let Json(request) = body?;
    let new_device = new_device(&request.public_key, &request.nickname, &request.system)?;
    let device = state
        .store
        .enroll_device(&credentials::secret_hash(request.token.trim()), &new_device)
        .await?;
    tracing::info!(device_id = %device.id, nickname = %device.nickname, "device enrolled");
    let actor = Actor::Device {
        id: device.id.clone(),
        name: device.nickname.clone(),
    };
    let entry = Entry::new(&device.company_id, AuditCode::DeviceEnrolled, actor)
        .ip(Some(peer.ip()))
        .target("device", &device.id, Some(&device.nickname))
        .detail("hostname", &device.system.hostname)
        .detail("os", &device.system.os);
    audit::record(&state, entry).await;
    state.hub.publish_device(&device, false);
    Ok(Json(AgentEnrollResponse {
        device_id: device.id,
        company_id: device.company_id,
    }))
}

/// The device an agent asks to register (enrolling or joining), checked: its
/// public key must be a valid Ed25519 key, its nickname a sensible name.
pub fn new_device(
    public_key: &str,
    nickname: &str,
    system: &SystemInfo,
) -> Result<NewDevice, ApiFailure> {
    let key = base64::engine::general_purpose::STANDARD
        .decode(public_key)
        .map_err(|_| ApiFailure::bad_request("public_key is not base64"))?;
    let key: [u8; 32] = key
        .try_into()
        .map_err(|_| ApiFailure::bad_request("public_key must be a 32-byte Ed25519 key"))?;
    ed25519_dalek::VerifyingKey::from_bytes(&key)
        .map_err(|_| ApiFailure::bad_request("public_key is not a valid Ed25519 key"))?;
    Ok(NewDevice {
        id: uuid::Uuid::new_v4().to_string(),
        nickname: validate::name("nickname", nickname, 64)?,
        public_key: public_key.to_string(),
        system: device_system(system),
        enrolled_at: now_millis(),
    })
}

/// What the agent reported about its machine, bounded: agents are not trusted
/// to send reasonable sizes.
pub fn device_system(info: &SystemInfo) -> DeviceSystem {
    DeviceSystem {
        hostname: truncate(&info.hostname, 255),
        os: truncate(&info.os, 255),
        ip_addresses: info
            .ip_addresses
            .iter()
            .take(32)
            .map(|ip| truncate(ip, 64))
            .collect(),
        agent_version: truncate(&info.agent_version, 64),
    }
}

/// Cuts agent-reported text to a bound (by characters, never inside one).
fn truncate(value: &str, max_chars: usize) -> String {
    value
        .chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect()
}
