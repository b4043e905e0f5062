//! The agent link: `GET /api/agent/ws`. Handshake (protocol version, device id),
//! proof of the device key (Ed25519 signature over a fresh nonce bound to this
//! server's key), then a loop that relays between the agent and the hub. Any
//! protocol violation closes this link with a logged reason and nothing else.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use rand::RngCore;
use reach_core::now_millis;
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::frame::BulkFrame;
use reach_proto::messages::{agent_auth_transcript, AgentMessage, ServerToAgent, ServerToConsole};
use reach_proto::{MAX_BULK_FRAME, MAX_CONTROL_MESSAGE, PROTOCOL_VERSION};
use reach_store::Device;
use tokio::sync::mpsc;

use crate::api::enrollment::device_system;
use crate::hub::{ToAgent, AGENT_QUEUE};
use crate::AppState;

/// Time allowed for each handshake step.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Agents send a heartbeat this often.
pub const HEARTBEAT_INTERVAL_SECS: u32 = 20;
/// A link silent for this long is dead.
const IDLE_TIMEOUT: Duration = Duration::from_secs(3 * HEARTBEAT_INTERVAL_SECS as u64);
/// How often a connected device's last-seen time is written to the store.
const LAST_SEEN_WRITE_INTERVAL: Duration = Duration::from_secs(300);

pub async fn upgrade(State(state): State<Arc<AppState>>, ws: WebSocketUpgrade) -> Response {
    // Small buffers: a fleet is mostly idle agents, and each holds one link.
    ws.read_buffer_size(4 * 1024)
        .write_buffer_size(0)
        .max_message_size(MAX_BULK_FRAME)
        .max_frame_size(MAX_BULK_FRAME)
        .on_upgrade(move |socket| async move {
            let mut socket = socket;
            match handshake(&state, &mut socket).await {
                Ok(device) => relay(state, socket, device).await,
                Err((code, reason)) => {
                    tracing::warn!(code = %code, reason, "agent link refused");
                    close_with(&mut socket, code, &reason).await;
                }
            }
        })
}

async fn close_with(socket: &mut WebSocket, code: ErrorCode, message: &str) {
    let error = ServerToAgent::Error {
        code,
        message: message.to_string(),
    };
    if let Ok(text) = serde_json::to_string(&error) {
        let _ = socket.send(Message::Text(text.into())).await;
    }
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: 4000,
            reason: Utf8Bytes::from(code.as_str()),
        })))
        .await;
}

async fn next_control(socket: &mut WebSocket) -> Result<AgentMessage, (ErrorCode, String)> {
    loop {
        let message = tokio::time::timeout(HANDSHAKE_TIMEOUT, socket.recv())
            .await
            .map_err(|_| {
                (
                    ErrorCode::ProtocolViolation,
                    "handshake timed out".to_string(),
                )
            })?
            .ok_or((
                ErrorCode::ProtocolViolation,
                "closed during handshake".to_string(),
            ))?
            .map_err(|err| {
                (
                    ErrorCode::ProtocolViolation,
                    format!("transport error: {err}"),
                )
            })?;
        match message {
            Message::Text(text) => return parse_control(&text),
            Message::Ping(_) | Message::Pong(_) => continue,
            _ => {
                return Err((
                    ErrorCode::ProtocolViolation,
                    "expected a control message".into(),
                ))
            }
        }
    }
}

fn parse_control(text: &str) -> Result<AgentMessage, (ErrorCode, String)> {
    if text.len() > MAX_CONTROL_MESSAGE {
        return Err((
            ErrorCode::ProtocolViolation,
            format!("control message of {} bytes", text.len()),
        ));
    }
    serde_json::from_str(text).map_err(|err| {
        (
            ErrorCode::ProtocolViolation,
            format!("malformed control message: {err}"),
        )
    })
}

async fn send_control(
    socket: &mut WebSocket,
    message: &ServerToAgent,
) -> Result<(), (ErrorCode, String)> {
    let text =
        serde_json::to_string(message).map_err(|err| (ErrorCode::Internal, err.to_string()))?;
    socket
        .send(Message::Text(text.into()))
        .await
        .map_err(|err| {
            (
                ErrorCode::ProtocolViolation,
                format!("transport error: {err}"),
            )
        })
}

/// Runs the handshake; returns the authenticated device.
async fn handshake(
    state: &AppState,
    socket: &mut WebSocket,
) -> Result<Device, (ErrorCode, String)> {
    let AgentMessage::Hello {
        protocol_version,
        device_id,
    } = next_control(socket).await?
    else {
        return Err((
            ErrorCode::ProtocolViolation,
            "the first message must be hello".into(),
        ));
    };
    if protocol_version != PROTOCOL_VERSION {
        return Err((
            ErrorCode::ProtocolVersion,
            format!("this server speaks protocol {PROTOCOL_VERSION}, the agent {protocol_version}: update the agent"),
        ));
    }
    let device = match state.store.device(&device_id).await {
        Ok(device) => device,
        Err(reach_store::StoreError::NotFound) => {
            return Err((
                ErrorCode::UnknownAgentKey,
                "this server does not know this device: enroll it again".into(),
            ))
        }
        Err(err) => return Err((ErrorCode::Internal, err.to_string())),
    };
    if device.revoked_at.is_some() {
        return Err((
            ErrorCode::DeviceRevoked,
            "this device was revoked by an administrator".into(),
        ));
    }
    let mut nonce = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let b64 = base64::engine::general_purpose::STANDARD;
    send_control(
        socket,
        &ServerToAgent::Challenge {
            nonce: b64.encode(nonce),
        },
    )
    .await?;
    let AgentMessage::Auth { signature } = next_control(socket).await? else {
        return Err((ErrorCode::ProtocolViolation, "expected auth".into()));
    };
    let verified = verify_signature(
        &device,
        &signature,
        &agent_auth_transcript(&nonce, &state.fingerprint, &device.id),
    );
    if !verified {
        return Err((
            ErrorCode::AgentAuthFailed,
            "the device key did not verify".into(),
        ));
    }
    send_control(
        socket,
        &ServerToAgent::Welcome {
            heartbeat_interval_secs: HEARTBEAT_INTERVAL_SECS,
        },
    )
    .await?;
    Ok(device)
}

fn verify_signature(device: &Device, signature: &str, transcript: &[u8]) -> bool {
    let b64 = base64::engine::general_purpose::STANDARD;
    let Ok(key) = b64.decode(&device.public_key) else {
        return false;
    };
    let Ok(key) = <[u8; 32]>::try_from(key.as_slice()) else {
        return false;
    };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key) else {
        return false;
    };
    let Ok(signature) = b64.decode(signature) else {
        return false;
    };
    let Ok(signature) = ed25519_dalek::Signature::from_slice(&signature) else {
        return false;
    };
    key.verify_strict(transcript, &signature).is_ok()
}

/// Why a relay loop stopped.
enum Stop {
    Closed,
    /// The connection broke (network, agent killed): not the agent's fault.
    Lost(String),
    Violation(String),
    Told(ErrorCode, String),
    /// The server is stopping; the agent reconnects to its successor.
    ShuttingDown,
}

async fn relay(state: Arc<AppState>, socket: WebSocket, mut device: Device) {
    let (tx, mut rx) = mpsc::channel::<ToAgent>(AGENT_QUEUE);
    let now = now_millis();
    if let Err(err) = state.store.touch_device(&device.id, now).await {
        tracing::error!(device_id = %device.id, error = %err, "could not record last-seen");
    }
    device.last_seen = Some(now);
    let connection = state.hub.connected_agent(&device, tx);
    tracing::info!(device_id = %device.id, nickname = %device.nickname, "agent connected");
    let (mut sink, mut stream) = socket.split();
    let mut last_seen_written = tokio::time::Instant::now();

    let stop = loop {
        tokio::select! {
            incoming = tokio::time::timeout(IDLE_TIMEOUT, stream.next()) => {
                let message = match incoming {
                    Err(_) => break Stop::Violation("no heartbeat".into()),
                    Ok(None) => break Stop::Closed,
                    Ok(Some(Err(err))) => match crate::error::websocket_violation(err) {
                        Ok(violation) => break Stop::Violation(violation),
                        Err(lost) => break Stop::Lost(lost),
                    },
                    Ok(Some(Ok(message))) => message,
                };
                if last_seen_written.elapsed() > LAST_SEEN_WRITE_INTERVAL {
                    last_seen_written = tokio::time::Instant::now();
                    let _ = state.store.touch_device(&device.id, now_millis()).await;
                }
                match message {
                    Message::Text(text) => match parse_control(&text) {
                        Ok(message) => {
                            if let Err(reason) = on_control(&state, &mut device, message).await {
                                break Stop::Violation(reason);
                            }
                        }
                        Err((_, reason)) => break Stop::Violation(reason),
                    },
                    Message::Binary(bytes) => match BulkFrame::parse(&bytes) {
                        Ok(frame) if frame.is_screen() => {
                            let channel = frame.channel;
                            if let Err(err) = state.hub.frame_from_agent(&device.id, channel, bytes.to_vec()) {
                                break Stop::Violation(err.to_string());
                            }
                        }
                        Ok(_) => break Stop::Violation("unexpected bulk frame kind".into()),
                        Err(err) => break Stop::Violation(err.to_string()),
                    },
                    Message::Ping(_) | Message::Pong(_) => {}
                    Message::Close(_) => break Stop::Closed,
                }
            }
            () = state.shutdown.cancelled() => break Stop::ShuttingDown,
            outgoing = rx.recv() => {
                let Some(outgoing) = outgoing else { break Stop::Closed };
                match outgoing {
                    ToAgent::Control(message) => {
                        let Ok(text) = serde_json::to_string(&message) else { continue };
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break Stop::Closed;
                        }
                    }
                    ToAgent::Close(code, reason) => break Stop::Told(code, reason),
                }
            }
        }
    };

    // After a server restart the agent comes back to the same device; any
    // other stop means it left.
    let leaving = !matches!(stop, Stop::ShuttingDown);
    let reason = match &stop {
        Stop::Closed => {
            tracing::info!(device_id = %device.id, "agent disconnected");
            EndReason::AgentDisconnected
        }
        Stop::Lost(reason) => {
            tracing::info!(device_id = %device.id, reason, "agent connection lost");
            EndReason::AgentDisconnected
        }
        Stop::Violation(reason) => {
            tracing::warn!(device_id = %device.id, reason, "agent link closed: protocol violation");
            EndReason::AgentDisconnected
        }
        Stop::ShuttingDown => EndReason::ServerShutdown,
        Stop::Told(code, reason) => {
            tracing::info!(device_id = %device.id, code = %code, reason, "agent link closed by the server");
            if *code == ErrorCode::DeviceRevoked {
                EndReason::DeviceRevoked
            } else {
                EndReason::AgentDisconnected
            }
        }
    };
    if let Ok(mut socket) = sink.reunite(stream) {
        match stop {
            Stop::Violation(reason) => {
                close_with(&mut socket, ErrorCode::ProtocolViolation, &reason).await
            }
            Stop::Told(code, reason) => close_with(&mut socket, code, &reason).await,
            Stop::ShuttingDown => {
                let _ = socket
                    .send(Message::Close(Some(CloseFrame {
                        code: axum::extract::ws::close_code::AWAY,
                        reason: Utf8Bytes::from_static("server shutting down"),
                    })))
                    .await;
            }
            Stop::Closed | Stop::Lost(_) => {}
        }
    }
    let _ = state.store.touch_device(&device.id, now_millis()).await;
    state
        .hub
        .agent_disconnected(&device, connection, reason)
        .await;
    if leaving && device.attended_by.is_some() {
        retire_attended(&state, &device).await;
    }
}

/// An attended device serves one session: once its agent leaves (the session
/// ended, the end user stopped it, the link broke) its key pair is revoked, so
/// joining again takes a new session key.
async fn retire_attended(state: &AppState, device: &Device) {
    match state
        .store
        .revoke_device(&device.company_id, &device.id, now_millis())
        .await
    {
        Ok(revoked) => {
            tracing::info!(device_id = %device.id, "attended device left; revoked");
            state.hub.publish_device(&revoked, false);
        }
        Err(err) => {
            tracing::error!(device_id = %device.id, error = %err, "could not revoke an attended device")
        }
    }
}

async fn on_control(
    state: &AppState,
    device: &mut Device,
    message: AgentMessage,
) -> Result<(), String> {
    match message {
        AgentMessage::Heartbeat => {}
        AgentMessage::SystemInfo { info } => {
            let system = device_system(&info);
            let now = now_millis();
            state
                .store
                .update_device_system(&device.id, &system, now)
                .await
                .map_err(|err| format!("could not store system info: {err}"))?;
            device.system = system;
            device.last_seen = Some(now);
            state.hub.publish_device(device, true);
        }
        AgentMessage::ScreenInfo {
            channel,
            width,
            height,
        } => {
            state
                .hub
                .screen_from_agent(&device.id, channel, width, height);
        }
        AgentMessage::CursorShape { channel, shape } => {
            shape
                .validate()
                .map_err(|reason| format!("bad pointer image: {reason}"))?;
            state.hub.cursor_from_agent(&device.id, channel, shape);
        }
        AgentMessage::CursorMoved { channel, x, y } => {
            state
                .hub
                .pointer_from_agent(&device.id, channel, Some((x, y)));
        }
        AgentMessage::CursorOffScreen { channel } => {
            state.hub.pointer_from_agent(&device.id, channel, None);
        }
        AgentMessage::Monitors { channel, layout } => {
            layout
                .validate()
                .map_err(|reason| format!("bad monitor list: {reason}"))?;
            state.hub.monitors_from_agent(&device.id, channel, layout);
        }
        AgentMessage::StreamAdapted {
            channel,
            level,
            frames_per_second,
            lossy_quality,
        } => {
            state.hub.control_from_agent(
                &device.id,
                channel,
                ServerToConsole::StreamAdapted {
                    level,
                    frames_per_second,
                    lossy_quality,
                },
            );
        }
        AgentMessage::SessionEnded { channel, message } => {
            if let Some(session_id) = state.hub.session_for_channel(&device.id, channel) {
                tracing::info!(device_id = %device.id, session_id, message, "agent ended the session");
                state
                    .hub
                    .end_session(&session_id, EndReason::AgentEnded)
                    .await;
            }
        }
        AgentMessage::Clipboard { channel, event } => {
            crate::device_tools::clipboard_from_device(state, device, channel, event)
        }
        AgentMessage::InputBlock {
            channel,
            state: block,
        } => crate::device_tools::input_block_from_device(state, device, channel, block).await,
        AgentMessage::Hello { .. } | AgentMessage::Auth { .. } => {
            return Err("handshake message after the handshake".into());
        }
    }
    Ok(())
}
