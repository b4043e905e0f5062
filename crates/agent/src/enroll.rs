//! `reach agent enroll`: generates the device key pair, pins the server key
//! (given with `--fingerprint`, or trusted on first use and printed), and
//! registers the device with an enrollment token.

use std::path::Path;

use base64::Engine;
use ed25519_dalek::SigningKey;
use reach_proto::api::{AgentEnrollRequest, AgentEnrollResponse, ApiError};

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
    let server_url = options.server_url.trim_end_matches('/');
    crate::transport::websocket_url(server_url)?;
    let verifier = PinnedVerifier::new(options.fingerprint);
    let tls = verifier
        .client_config()
        .map_err(|err| AgentError::Unreachable(err.to_string()))?;
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|err| AgentError::Unreachable(err.to_string()))?;
    let signing_key = SigningKey::generate(&mut rand::rngs::OsRng);
    let request = AgentEnrollRequest {
        token: options.token.trim().to_string(),
        public_key: base64::engine::general_purpose::STANDARD
            .encode(signing_key.verifying_key().to_bytes()),
        nickname: options.nickname.to_string(),
        system: crate::sysinfo::collect(),
    };
    let response = client
        .post(format!("{server_url}/api/agent/enroll"))
        .json(&request)
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
    let enrolled: AgentEnrollResponse = response
        .json()
        .await
        .map_err(|err| AgentError::Protocol(err.to_string()))?;
    let fingerprint = verifier
        .seen()
        .ok_or_else(|| AgentError::Protocol("no server certificate was seen".into()))?;
    let state = AgentState {
        server_url: server_url.to_string(),
        device_id: enrolled.device_id.clone(),
        nickname: options.nickname.to_string(),
        fingerprint,
        signing_key,
    };
    state.save(options.state_dir, &enrolled.company_id)?;
    Ok(Enrolled {
        device_id: enrolled.device_id,
        fingerprint,
        trusted_on_first_use: options.fingerprint.is_none(),
    })
}
