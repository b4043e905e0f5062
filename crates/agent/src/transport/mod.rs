//! The agent's connection to the server: pinned TLS (see [`pin`]), then a
//! WebSocket on `/api/agent/ws`, then the handshake that proves the device key.

pub mod pin;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use ed25519_dalek::Signer;
use futures_util::{SinkExt, StreamExt};
use reach_proto::messages::{agent_auth_transcript, AgentMessage, ServerToAgent};
use reach_proto::{MAX_BULK_FRAME, PROTOCOL_VERSION};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::state::AgentState;
use crate::AgentError;

pub type Link = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// `https://host:port` → `wss://host:port/api/agent/ws`.
pub fn websocket_url(server_url: &str) -> Result<String, AgentError> {
    let rest = server_url
        .trim_end_matches('/')
        .strip_prefix("https://")
        .ok_or_else(|| {
            AgentError::State(format!(
                "server URL `{server_url}` must start with https://"
            ))
        })?;
    Ok(format!("wss://{rest}/api/agent/ws"))
}

/// Turns a TLS failure into the pin-mismatch message when that is what it was.
pub fn explain_tls_failure(verifier: &pin::PinnedVerifier, error: String) -> AgentError {
    match (verifier.expected(), verifier.seen()) {
        (Some(expected), Some(seen)) if expected != seen => AgentError::PinMismatch {
            expected: reach_core::fingerprint::to_hex(&expected),
            seen: reach_core::fingerprint::to_hex(&seen),
        },
        _ => AgentError::Unreachable(error),
    }
}

/// Connects, authenticates, and returns the link and the heartbeat interval.
pub async fn connect(state: &AgentState) -> Result<(Link, Duration), AgentError> {
    let verifier = pin::PinnedVerifier::new(Some(state.fingerprint));
    let tls = verifier
        .client_config()
        .map_err(|err| AgentError::Unreachable(err.to_string()))?;
    let url = websocket_url(&state.server_url)?;
    let mut config = WebSocketConfig::default();
    config.read_buffer_size = 8 * 1024;
    config.write_buffer_size = 0;
    config.max_message_size = Some(MAX_BULK_FRAME);
    config.max_frame_size = Some(MAX_BULK_FRAME);
    let connecting = tokio_tungstenite::connect_async_tls_with_config(
        url.as_str(),
        Some(config),
        false,
        Some(tokio_tungstenite::Connector::Rustls(Arc::new(tls))),
    );
    let (mut link, _) = tokio::time::timeout(HANDSHAKE_TIMEOUT, connecting)
        .await
        .map_err(|_| AgentError::Unreachable(format!("{url}: timed out")))?
        .map_err(|err| explain_tls_failure(&verifier, format!("{url}: {err}")))?;

    send(
        &mut link,
        &AgentMessage::Hello {
            protocol_version: PROTOCOL_VERSION,
            device_id: state.device_id.clone(),
        },
    )
    .await?;
    let ServerToAgent::Challenge { nonce } = receive(&mut link).await? else {
        return Err(AgentError::Protocol("expected a challenge".into()));
    };
    let b64 = base64::engine::general_purpose::STANDARD;
    let nonce = b64
        .decode(nonce)
        .map_err(|_| AgentError::Protocol("challenge is not base64".into()))?;
    let signature = state.signing_key.sign(&agent_auth_transcript(
        &nonce,
        &state.fingerprint,
        &state.device_id,
    ));
    send(
        &mut link,
        &AgentMessage::Auth {
            signature: b64.encode(signature.to_bytes()),
        },
    )
    .await?;
    let ServerToAgent::Welcome {
        heartbeat_interval_secs,
    } = receive(&mut link).await?
    else {
        return Err(AgentError::Protocol("expected welcome".into()));
    };
    Ok((
        link,
        Duration::from_secs(u64::from(heartbeat_interval_secs.clamp(5, 300))),
    ))
}

pub async fn send(link: &mut Link, message: &AgentMessage) -> Result<(), AgentError> {
    let text =
        serde_json::to_string(message).map_err(|err| AgentError::Protocol(err.to_string()))?;
    link.send(Message::Text(text.into()))
        .await
        .map_err(|err| AgentError::Unreachable(err.to_string()))
}

/// Reads the next control message during the handshake; a server error becomes `Refused`.
async fn receive(link: &mut Link) -> Result<ServerToAgent, AgentError> {
    loop {
        let message = tokio::time::timeout(HANDSHAKE_TIMEOUT, link.next())
            .await
            .map_err(|_| AgentError::Unreachable("handshake timed out".into()))?
            .ok_or_else(|| AgentError::Unreachable("the server closed the connection".into()))?
            .map_err(|err| AgentError::Unreachable(err.to_string()))?;
        match message {
            Message::Text(text) => {
                let message: ServerToAgent = serde_json::from_str(&text)
                    .map_err(|err| AgentError::Protocol(format!("unexpected message: {err}")))?;
                if let ServerToAgent::Error { code, message } = message {
                    return Err(AgentError::Refused { code, message });
                }
                return Ok(message);
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Close(_) => {
                return Err(AgentError::Unreachable(
                    "the server closed the connection".into(),
                ))
            }
            _ => {
                return Err(AgentError::Protocol(
                    "unexpected binary frame during the handshake".into(),
                ))
            }
        }
    }
}
