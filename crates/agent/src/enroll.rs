//! Registering a device: `reach agent enroll` generates the device key pair,
//! pins the server key (given with `--fingerprint`, or trusted on first use and
//! printed) and registers the device with an enrollment token; `reach agent
//! join` does the same with a session key for one attended session.

use std::path::Path;

use base64::Engine;
use ed25519_dalek::SigningKey;
use reach_proto::api::{AgentEnrollRequest, AgentEnrollResponse, ApiError};
use reach_proto::attended::AgentJoinRequest;

use crate::state::AgentState;
use crate::transport::{explain_tls_failure, pin::PinnedVerifier};
use crate::AgentError;

pub struct EnrollOptions<'a> {
    pub server_url: &'a str,
    pub token: &'a str,
    pub nickname: &'a str,
    pub fingerprint: Option<[u8; 32]>,
    pub state_dir: &'a Path,
}

/// What enrollment pinned, so the CLI can print it.
pub struct Enrolled {
    pub device_id: String,
    pub fingerprint: [u8; 32],
    pub trusted_on_first_use: bool,
}

pub async fn enroll(options: EnrollOptions<'_>) -> Result<Enrolled, AgentError> {
    let registered = register(
        options.server_url,
        options.fingerprint,
        "enroll",
        |public_key| {
            serde_json::to_value(AgentEnrollRequest {
                token: options.token.trim().to_string(),
                public_key,
                nickname: options.nickname.to_string(),
                system: crate::sysinfo::collect(),
            })
        },
    )
    .await?;
    let state = AgentState {
        server_url: registered.server_url,
        device_id: registered.answer.device_id.clone(),
        nickname: options.nickname.to_string(),
        fingerprint: registered.fingerprint,
        signing_key: registered.signing_key,
    };
    state.save(options.state_dir, &registered.answer.company_id)?;
    Ok(Enrolled {
        device_id: registered.answer.device_id,
        fingerprint: registered.fingerprint,
        trusted_on_first_use: options.fingerprint.is_none(),
    })
}

/// What `reach agent join` needs: the portal gives all of it.
pub struct JoinOptions<'a> {
    pub server_url: &'a str,
    pub fingerprint: [u8; 32],
    pub key: &'a str,
    pub ticket: Option<&'a str>,
    pub nickname: &'a str,
}

/// Joins one attended session with a session key. The device key lives only in
/// memory: nothing is written, and the server revokes the device when the agent
/// leaves, so the machine is reachable for this session only.
pub async fn join(options: JoinOptions<'_>) -> Result<AgentState, AgentError> {
    let registered = register(
        options.server_url,
        Some(options.fingerprint),
        "join",
        |public_key| {
            serde_json::to_value(AgentJoinRequest {
                key: options.key.trim().to_string(),
                ticket: options.ticket.map(|ticket| ticket.trim().to_string()),
                public_key,
                nickname: options.nickname.to_string(),
                system: crate::sysinfo::collect(),
            })
        },
    )
    .await?;
    Ok(AgentState {
        server_url: registered.server_url,
        device_id: registered.answer.device_id,
        nickname: options.nickname.to_string(),
        fingerprint: registered.fingerprint,
        signing_key: registered.signing_key,
    })
}

struct Registered {
    server_url: String,
    answer: AgentEnrollResponse,
    fingerprint: [u8; 32],
    signing_key: SigningKey,
}

/// Generates the device key pair and registers its public half at
/// `/api/agent/{action}`, over TLS pinned to `fingerprint` (or trusted on first use).
async fn register(
    server_url: &str,
    fingerprint: Option<[u8; 32]>,
    action: &str,
    request: impl FnOnce(String) -> Result<serde_json::Value, serde_json::Error>,
) -> Result<Registered, AgentError> {
    let server_url = server_url.trim_end_matches('/');
    crate::transport::websocket_url(server_url)?;
    let verifier = PinnedVerifier::new(fingerprint);
    let tls = verifier
        .client_config()
        .map_err(|err| AgentError::Unreachable(err.to_string()))?;
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|err| AgentError::Unreachable(err.to_string()))?;
    let signing_key = SigningKey::generate(&mut rand::rngs::OsRng);
    let body = request(
        base64::engine::general_purpose::STANDARD.encode(signing_key.verifying_key().to_bytes()),
    )
    .map_err(|err| AgentError::Protocol(err.to_string()))?;
    let response = client
        .post(format!("{server_url}/api/agent/{action}"))
        .json(&body)
        .send()
        .await
        .map_err(|err| explain_tls_failure(&verifier, format!("{server_url}: {err:#}")))?;
    if !response.status().is_success() {
        let status = response.status();
        return Err(match response.json::<ApiError>().await {
            Ok(error) => AgentError::Refused {
                code: error.code,
                message: error.message,
            },
            Err(_) => AgentError::Protocol(format!("the server answered {status}")),
        });
    }
    let answer: AgentEnrollResponse = response
        .json()
        .await
        .map_err(|err| AgentError::Protocol(err.to_string()))?;
    let fingerprint = verifier
        .seen()
        .ok_or_else(|| AgentError::Protocol("no server certificate was seen".into()))?;
    Ok(Registered {
        server_url: server_url.to_string(),
        answer,
        fingerprint,
        signing_key,
    })
}
