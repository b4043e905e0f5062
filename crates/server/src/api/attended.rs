//! Attended sessions: a technician creates a session key, the end user enters
//! it on the portal, and the end user's agent joins with it (`reach agent join`),
//! becoming an attended device that only that technician may reach. Under
//! tenant-only help the portal first asks the end user to sign in as a member of
//! the key's company and hands out a one-time join ticket the join requires.
//!
//! Keys are nine digits (short enough to read over the phone), stored as hashes,
//! valid [`KEY_LIFETIME_MS`] and spent once. Wrong keys are throttled per client
//! address with the sign-in throttle, so guessing one is hopeless.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, State};
use axum::Json;
use rand::Rng;
use reach_core::credentials::{self, JOIN_TICKET_PREFIX};
use reach_core::fingerprint;
use reach_core::policy::Action;
use reach_proto::api::AgentEnrollResponse;
use reach_proto::attended::{
    AgentJoinRequest, PortalJoin, PortalKeyCheck, PortalKeyView, PortalStatus, SessionKeyCreated,
    SESSION_KEY_DIGITS,
};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_store::{JoinWithKey, NewSessionKey, SessionKey, StoreError};

use super::enrollment::new_device;
use super::JsonBody;
use crate::audit::{self, Actor, Entry};
use crate::auth::Authenticated;
use crate::error::ApiFailure;
use crate::AppState;

/// How long a session key may be used to join.
pub const KEY_LIFETIME_MS: i64 = 15 * 60 * 1000;
/// How long a join ticket is valid once the portal has shown it.
pub const TICKET_LIFETIME_MS: i64 = 5 * 60 * 1000;
/// Draws before giving up on finding digits no usable key has (with a billion
/// values this only matters if a server holds millions of open keys).
const KEY_DRAWS: usize = 5;

/// `POST /api/session-keys`: a technician invites an end user.
pub async fn create(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
) -> Result<Json<SessionKeyCreated>, ApiFailure> {
    let company = auth.company_for(Action::CreateSessionKey)?;
    let now = state.clock.now();
    let mut draws = 0;
    let (id, digits) = loop {
        let digits = format!(
            "{:0width$}",
            rand::rngs::OsRng.gen_range(0..1_000_000_000u32),
            width = SESSION_KEY_DIGITS
        );
        let key = NewSessionKey {
            id: uuid::Uuid::new_v4().to_string(),
            company_id: company.to_string(),
            technician_id: auth.user.id.clone(),
            key_hash: credentials::secret_hash(&digits),
            created_at: now,
            expires_at: now + KEY_LIFETIME_MS,
        };
        match state.store.create_session_key(&key).await {
            Ok(()) => break (key.id, digits),
            Err(StoreError::Conflict(_)) if draws + 1 < KEY_DRAWS => draws += 1,
            Err(err) => return Err(err.into()),
        }
    };
    let expires_at = now + KEY_LIFETIME_MS;
    tracing::info!(key_id = %id, technician = %auth.user.id, "session key created");
    let entry = Entry::new(company, AuditCode::SessionKeyCreated, Actor::user(&auth))
        .ip(auth.ip)
        .target("session_key", &id, None)
        .detail("expires_at", expires_at);
    audit::record(&state, entry).await;
    Ok(Json(SessionKeyCreated {
        id,
        portal_url: format!("{}/?key={digits}", state.base_url),
        key: digits,
        expires_at,
    }))
}

/// The nine digits of what someone typed (spaces and dashes are how people
/// group them), or a clear refusal.
fn digits_of(typed: &str) -> Result<String, ApiFailure> {
    let digits: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if digits.len() != SESSION_KEY_DIGITS || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiFailure::bad_request(format!(
            "a session key is {SESSION_KEY_DIGITS} digits"
        )));
    }
    Ok(digits)
}

fn throttle_key(ip: IpAddr) -> [String; 1] {
    [format!("session-key-ip:{ip}")]
}

/// Refuses a client address that guessed wrong too often.
fn check_throttle(state: &AppState, ip: IpAddr) -> Result<(), ApiFailure> {
    match state.throttle.wait_for(&throttle_key(ip)) {
        Some(wait) => Err(ApiFailure::new(
            ErrorCode::Throttled,
            format!(
                "too many wrong session keys; try again in {} seconds",
                wait.as_secs().max(1)
            ),
        )),
        None => Ok(()),
    }
}

/// The usable key behind `typed`, counting a miss against the client address.
async fn usable_key(state: &AppState, ip: IpAddr, typed: &str) -> Result<SessionKey, ApiFailure> {
    check_throttle(state, ip)?;
    let digits = digits_of(typed)?;
    match state
        .store
        .usable_session_key(&credentials::secret_hash(&digits), state.clock.now())
        .await
    {
        Ok(key) => Ok(key),
        Err(StoreError::NotFound) => {
            state.throttle.record_failure(&throttle_key(ip));
            tracing::info!(%ip, "unknown or expired session key");
            Err(key_invalid())
        }
        Err(err) => Err(err.into()),
    }
}

fn key_invalid() -> ApiFailure {
    ApiFailure::new(
        ErrorCode::SessionKeyInvalid,
        "this session key is unknown or has expired: ask your technician for a new one",
    )
}

/// `POST /api/portal/keys/check`: what the portal shows for a key, and the
/// command that joins when the end user may join.
pub async fn check(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    signed_in: Result<Authenticated, ApiFailure>,
    body: JsonBody<PortalKeyCheck>,
) -> Result<Json<PortalKeyView>, ApiFailure> {
    let Json(request) = body?;
    // The portal is for everyone; a sign-in only matters under tenant-only help.
    let signed_in = match signed_in {
        Ok(auth) => Some(auth),
        Err(refusal) if refusal.code == ErrorCode::Unauthenticated => None,
        Err(refusal) => return Err(refusal),
    };
    let key = usable_key(&state, peer.ip(), &request.key).await?;
    let digits = digits_of(&request.key)?;
    let member = signed_in
        .as_ref()
        .filter(|auth| auth.principal.company_id.as_deref() == Some(key.company_id.as_str()));
    let status = match (key.tenant_only, signed_in.is_some(), member.is_some()) {
        (_, _, true) | (false, _, _) => PortalStatus::Ready,
        (true, false, _) => PortalStatus::SignInRequired,
        (true, true, false) => PortalStatus::OtherCompany,
    };
    let join = match status {
        PortalStatus::Ready => Some(join_for(&state, &key, &digits, member).await?),
        PortalStatus::SignInRequired | PortalStatus::OtherCompany => None,
    };
    Ok(Json(PortalKeyView {
        technician_name: key.technician_name,
        company_name: key.company_name,
        expires_at: key.expires_at,
        status,
        join,
    }))
}

/// The join command; a signed-in member also gets a ticket, so the session
/// records who they are (and a tenant-only company lets them in).
async fn join_for(
    state: &AppState,
    key: &SessionKey,
    digits: &str,
    member: Option<&Authenticated>,
) -> Result<PortalJoin, ApiFailure> {
    let server_url = state.base_url.clone();
    let server_fingerprint = fingerprint::to_hex(&state.fingerprint);
    let mut command = format!(
        "reach agent join --server {server_url} --fingerprint {server_fingerprint} --key {digits}"
    );
    let (ticket, ticket_expires_at) = match member {
        Some(auth) => {
            let ticket = credentials::new_secret(JOIN_TICKET_PREFIX);
            let now = state.clock.now();
            let expires_at = now + TICKET_LIFETIME_MS;
            state
                .store
                .issue_join_ticket(
                    &key.id,
                    &auth.user.id,
                    &credentials::secret_hash(&ticket),
                    expires_at,
                    now,
                )
                .await
                .map_err(|err| match err {
                    StoreError::NotFound => key_invalid(),
                    other => other.into(),
                })?;
            command.push_str(&format!(" --ticket {ticket}"));
            (Some(ticket), Some(expires_at))
        }
        None => (None, None),
    };
    Ok(PortalJoin {
        server_url,
        server_fingerprint,
        ticket,
        ticket_expires_at,
        command,
    })
}

/// `POST /api/agent/join`: the end user's agent spends the key and becomes an
/// attended device of the key's technician.
pub async fn join(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: JsonBody<AgentJoinRequest>,
) -> Result<Json<AgentEnrollResponse>, ApiFailure> {
    let Json(request) = body?;
    let mut device = new_device(&request.public_key, &request.nickname, &request.system)?;
    device.enrolled_at = state.clock.now();
    let key = usable_key(&state, peer.ip(), &request.key).await?;
    let ticket = request
        .ticket
        .as_deref()
        .map(str::trim)
        .filter(|ticket| !ticket.is_empty());
    if key.tenant_only && ticket.is_none() {
        return Err(ApiFailure::new(
            ErrorCode::JoinTicketRequired,
            format!(
                "{} helps only its members: open the portal, sign in with your {} account \
                 and copy the command again",
                key.company_name, key.company_name
            ),
        ));
    }
    let joined = state
        .store
        .join_with_session_key(&JoinWithKey {
            key_id: key.id.clone(),
            ticket_hash: ticket.map(credentials::secret_hash),
            device,
        })
        .await;
    let device = match joined {
        Ok(device) => device,
        Err(StoreError::NotFound) => {
            state.throttle.record_failure(&throttle_key(peer.ip()));
            return Err(ApiFailure::new(
                ErrorCode::SessionKeyInvalid,
                "the session key was used meanwhile, or the join ticket is wrong or expired: \
                 open the portal again to get a new command",
            ));
        }
        Err(err) => return Err(err.into()),
    };
    tracing::info!(device_id = %device.id, technician = %key.technician_id, "device joined with a session key");
    let actor = Actor::Device {
        id: device.id.clone(),
        name: device.nickname.clone(),
    };
    let entry = Entry::new(&device.company_id, AuditCode::DeviceJoined, actor)
        .ip(Some(peer.ip()))
        .target("device", &device.id, Some(&device.nickname))
        .detail("technician_id", &key.technician_id)
        .detail("technician", &key.technician_name)
        .detail("hostname", &device.system.hostname)
        .detail("os", &device.system.os);
    let entry = match &device.end_user {
        Some(end_user) => entry.detail("end_user", end_user),
        None => entry,
    };
    audit::record(&state, entry).await;
    state.hub.publish_device(&device, false);
    Ok(Json(AgentEnrollResponse {
        device_id: device.id,
        company_id: device.company_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_may_be_typed_grouped() {
        assert_eq!(digits_of("123 456 789").ok().as_deref(), Some("123456789"));
        assert_eq!(
            digits_of(" 123-456-789 ").ok().as_deref(),
            Some("123456789")
        );
    }

    #[test]
    fn anything_but_nine_digits_is_refused() {
        for typed in [
            "",
            "12345678",
            "1234567890",
            "12345678a",
            "١٢٣٤٥٦٧٨٩",
            "123 456 78x",
        ] {
            assert!(digits_of(typed).is_err(), "{typed:?}");
        }
    }
}
