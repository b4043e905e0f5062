//! Console links: `GET /api/sessions/{id}/ws` (one session's screen and input)
//! and `GET /api/events` (the company's live event feed). Both require a signed-in
//! user and a same-origin request (browsers send cookies with cross-site WebSocket
//! requests, so the Origin check is what stops cross-site WebSocket hijacking).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use reach_core::policy::{authorize, Action, Principal, Resource};
use reach_proto::audit::AuditCode;
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::messages::{ConsoleMessage, ServerToAgent, ServerToConsole};
use reach_proto::{MAX_CONTROL_MESSAGE, PROTOCOL_VERSION};
use tokio::sync::{broadcast, mpsc};

use crate::api::sessions::session_resource;
use crate::audit::{Actor, Entry};
use crate::auth::{Authenticated, SignInWatch};
use crate::device_tools;
use crate::error::ApiFailure;
use crate::hub::{
    Attached, CompanyEvent, EventSubject, HubError, MonitorError, ToConsole, ToolsChange,
    CONSOLE_QUEUE,
};
use crate::AppState;

const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// True when the request's Origin is this server (scheme https, same host and port).
fn same_origin(headers: &HeaderMap) -> bool {
    let origin = headers.get("origin").and_then(|v| v.to_str().ok());
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    matches!((origin, host), (Some(origin), Some(host)) if origin == format!("https://{host}"))
}

pub async fn session_upgrade(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    headers: HeaderMap,
    Path(session_id): Path<String>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiFailure> {
    if !same_origin(&headers) {
        return Err(ApiFailure::forbidden());
    }
    let record = state.store.session(auth.company_id()?, &session_id).await?;
    authorize(
        &auth.principal,
        Action::UseSession,
        session_resource(&record),
    )?;
    // Whether input is allowed is fixed when the console attaches.
    let may_control = authorize(
        &auth.principal,
        Action::ControlSession,
        session_resource(&record),
    )
    .is_ok();
    if state.hub.live_session(&session_id).is_none() {
        return Err(ApiFailure::new(
            ErrorCode::SessionEnded,
            "the session has ended",
        ));
    }
    let watch = SignInWatch::new(&state, &auth)?;
    let link = LinkUser {
        may_control,
        actor: Actor::user(&auth),
    };
    Ok(ws
        .max_message_size(MAX_CONTROL_MESSAGE)
        .max_frame_size(MAX_CONTROL_MESSAGE)
        .on_upgrade(move |socket| run_session(state, socket, session_id, watch, link))
        .into_response())
}

async fn send_json(socket: &mut WebSocket, message: &ServerToConsole) -> bool {
    match serde_json::to_string(message) {
        Ok(text) => socket.send(Message::Text(text.into())).await.is_ok(),
        Err(_) => false,
    }
}

async fn refuse(socket: &mut WebSocket, code: ErrorCode, message: &str) {
    if code == ErrorCode::ProtocolViolation {
        tracing::warn!(code = %code, message, "console link closed: protocol violation");
    } else {
        tracing::info!(code = %code, message, "console link closed");
    }
    send_json(
        socket,
        &ServerToConsole::Error {
            code,
            message: message.to_string(),
        },
    )
    .await;
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code: 4000,
            reason: Utf8Bytes::from(code.as_str()),
        })))
        .await;
}

/// Who is on a console link, as decided when it attached.
struct LinkUser {
    /// The policy lets them control the session, not only watch it.
    may_control: bool,
    /// Who the event log names for what they do on the link.
    actor: Actor,
}

/// Why a console link stops.
enum Outcome {
    Closed,
    Violation(String),
    SignedOut,
}

async fn run_session(
    state: Arc<AppState>,
    mut socket: WebSocket,
    session_id: String,
    mut watch: SignInWatch,
    link_user: LinkUser,
) {
    let may_control = link_user.may_control;
    let hello = tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await;
    let version = match hello {
        Ok(Some(Ok(Message::Text(text)))) => match serde_json::from_str::<ConsoleMessage>(&text) {
            Ok(ConsoleMessage::Hello { protocol_version }) => protocol_version,
            _ => {
                return refuse(
                    &mut socket,
                    ErrorCode::ProtocolViolation,
                    "the first message must be hello",
                )
                .await
            }
        },
        _ => return refuse(&mut socket, ErrorCode::ProtocolViolation, "no hello").await,
    };
    if version != PROTOCOL_VERSION {
        let message = format!("the server speaks protocol {PROTOCOL_VERSION}: reload the console");
        return refuse(&mut socket, ErrorCode::ProtocolVersion, &message).await;
    }
    let (tx, mut rx) = mpsc::channel::<ToConsole>(CONSOLE_QUEUE);
    // Ready first, so it precedes anything the agent sends once streaming starts.
    if !send_json(
        &mut socket,
        &ServerToConsole::Ready {
            session_id: session_id.clone(),
            view_only: !may_control,
        },
    )
    .await
    {
        return;
    }
    let Attached { connection, link } = match state.hub.attach_console(&session_id, tx) {
        Ok(attached) => attached,
        Err(HubError::DeviceOffline) => {
            return refuse(
                &mut socket,
                ErrorCode::DeviceOffline,
                "the device is offline",
            )
            .await
        }
        Err(HubError::SessionEnded) => {
            return refuse(
                &mut socket,
                ErrorCode::SessionEnded,
                "the session has ended",
            )
            .await
        }
    };
    // The tools' state before any batch, so the console never guesses it.
    if let Some(tools) = state.hub.session_state(&session_id) {
        if !send_json(&mut socket, &tools).await {
            state.hub.detach_console(&session_id, connection);
            return;
        }
    }
    let (mut sink, mut stream) = socket.split();
    let mut ended = false;
    let outcome = loop {
        tokio::select! {
            () = watch.ended() => break Outcome::SignedOut,
            incoming = stream.next() => {
                let text = match incoming {
                    None | Some(Ok(Message::Close(_))) => break Outcome::Closed,
                    Some(Err(err)) => match crate::error::websocket_violation(err) {
                        Ok(violation) => break Outcome::Violation(violation),
                        Err(_) => break Outcome::Closed,
                    },
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Binary(_))) => break Outcome::Violation("binary frames are not accepted from consoles".into()),
                };
                let Ok(message) = serde_json::from_str::<ConsoleMessage>(&text) else {
                    break Outcome::Violation("malformed control message".into());
                };
                let mut tool = None;
                let forwarded = match message {
                    ConsoleMessage::Input { .. } if !may_control => Ok(()),
                    ConsoleMessage::Input { event } => state.hub.input_from_console(&session_id, event).await,
                    ConsoleMessage::ScreenSharing { paused } => {
                        tool = Some(ToolRequest::ScreenSharing { paused });
                        Ok(())
                    }
                    ConsoleMessage::Control { held } => {
                        tool = Some(ToolRequest::Control { held });
                        Ok(())
                    }
                    ConsoleMessage::FrameAck { seq } => state.hub.to_agent(&session_id, |channel| ServerToAgent::FrameAck { channel, seq }).await,
                    ConsoleMessage::Refresh => {
                        state.hub.viewer_lost_picture(&session_id, connection);
                        Ok(())
                    }
                    ConsoleMessage::SetScreenMode { .. } if !may_control => {
                        let refused = ServerToConsole::Refused { code: ErrorCode::Forbidden, message: "only a technician in control of the session can change the screen mode".into() };
                        let text = serde_json::to_string(&refused).unwrap_or_default();
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break Outcome::Closed;
                        }
                        Ok(())
                    }
                    ConsoleMessage::SetScreenMode { mode } => state.hub.set_screen_mode(&session_id, mode).await,
                    ConsoleMessage::SelectMonitor { monitor } => tools_reply(&mut sink, select_monitor(&state, &session_id, may_control, monitor).await).await,
                    ConsoleMessage::End => {
                        ended = true;
                        state.hub.end_session(&session_id, EndReason::TechnicianEnded).await;
                        Ok(())
                    }
                    ConsoleMessage::Hello { .. } => break Outcome::Violation("hello after the handshake".into()),
                    ConsoleMessage::Clipboard { text } => tools_reply(&mut sink, device_tools::clipboard_to_device(&state, &session_id, may_control, text).await).await,
                    ConsoleMessage::BlockInput { blocked } => tools_reply(&mut sink, device_tools::block_input(&state, &session_id, may_control, blocked).await).await,
                };
                if let Err(err) = forwarded {
                    // The hub has already queued the Ended message for this link.
                    tracing::debug!(session_id, error = %err, "console message not forwarded");
                }
                if let Some(request) = tool {
                    let answer = tool_request(&state, &session_id, connection, &link_user, request).await;
                    let Ok(text) = serde_json::to_string(&answer) else { continue };
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break Outcome::Closed;
                    }
                }
            }
            outgoing = rx.recv() => {
                let sent = match outgoing {
                    None | Some(ToConsole::Close) => break Outcome::Closed,
                    Some(ToConsole::Control(message)) if !may_control && !device_tools::viewers_may_see(&message) => continue,
                    Some(ToConsole::Bulk(frame)) => {
                        let len = frame.len();
                        let sent = sink.send(Message::Binary(frame.into())).await;
                        link.sent(len);
                        sent
                    }
                    Some(ToConsole::Control(message)) => match serde_json::to_string(&message) {
                        Ok(text) => sink.send(Message::Text(text.into())).await,
                        Err(_) => continue,
                    },
                };
                if sent.is_err() {
                    break Outcome::Closed;
                }
                // Waiting for a replay and now drained: the replay can come.
                if link.waiting() && rx.is_empty() {
                    state.hub.viewer_drained(&session_id);
                }
            }
        }
    };
    // Flush what the hub queued before closing (the Ended message).
    while let Ok(ToConsole::Control(message)) = rx.try_recv() {
        if let Ok(text) = serde_json::to_string(&message) {
            let _ = sink.send(Message::Text(text.into())).await;
        }
    }
    match outcome {
        Outcome::Violation(reason) => {
            if let Ok(mut socket) = sink.reunite(stream) {
                refuse(&mut socket, ErrorCode::ProtocolViolation, &reason).await;
            }
        }
        Outcome::SignedOut => {
            if let Ok(mut socket) = sink.reunite(stream) {
                refuse(&mut socket, ErrorCode::Unauthenticated, "signed out").await;
            }
        }
        Outcome::Closed => {
            let _ = sink.close().await;
        }
    }
    if !ended {
        state.hub.detach_console(&session_id, connection);
    }
}

/// A console's request to change the session's screen tools.
#[derive(Debug, Clone, Copy)]
enum ToolRequest {
    ScreenSharing { paused: bool },
    Control { held: bool },
}

/// Carries out a screen-tool request of the console `connection` and returns
/// what to answer: the new state, or why nothing changed. Only a console that
/// may control the device (the owner, with `ControlSession`) may pause the
/// screen or hold control.
async fn tool_request(
    state: &AppState,
    session_id: &str,
    connection: u64,
    user: &LinkUser,
    request: ToolRequest,
) -> ServerToConsole {
    if !user.may_control {
        return ServerToConsole::Refused {
            code: ErrorCode::Forbidden,
            message: "your roles let you watch this session, not control it".into(),
        };
    }
    let changed = match request {
        ToolRequest::ScreenSharing { paused } => {
            state
                .hub
                .set_screen_paused(session_id, connection, paused)
                .await
        }
        ToolRequest::Control { held } => {
            state
                .hub
                .set_control_released(session_id, connection, !held)
                .await
        }
    };
    match changed {
        Ok(ToolsChange {
            state: answer,
            changed,
        }) => {
            if changed {
                record_tool_change(state, session_id, &user.actor, request).await;
            }
            answer
        }
        Err(HubError::DeviceOffline) => ServerToConsole::Refused {
            code: ErrorCode::DeviceOffline,
            message: "the device is offline".into(),
        },
        Err(HubError::SessionEnded) => ServerToConsole::Refused {
            code: ErrorCode::SessionEnded,
            message: "the session has ended".into(),
        },
    }
}

/// Writes a change of the screen tools to the event log, naming the session.
async fn record_tool_change(
    state: &AppState,
    session_id: &str,
    actor: &Actor,
    request: ToolRequest,
) {
    let Some(record) = state.hub.live_session(session_id) else {
        return;
    };
    let code = match request {
        ToolRequest::ScreenSharing { paused: true } => AuditCode::ScreenSharingPaused,
        ToolRequest::ScreenSharing { paused: false } => AuditCode::ScreenSharingResumed,
        ToolRequest::Control { held: false } => AuditCode::ControlReleased,
        ToolRequest::Control { held: true } => AuditCode::ControlTakenBack,
    };
    let entry = Entry::new(&record.company_id, code, actor.clone())
        .target("session", &record.id, Some(&record.device_nickname))
        .detail("technician", &record.technician_name);
    crate::audit::record(state, entry).await;
}

/// Sends a device tool's refusal on the link; the link stays open.
/// A console asks to show one monitor of the device, or all of them.
async fn select_monitor(
    state: &AppState,
    session_id: &str,
    may_control: bool,
    monitor: Option<String>,
) -> Result<(), device_tools::Refusal> {
    let refused = |code, message: String| {
        device_tools::Refusal::Refused(ServerToConsole::Refused { code, message })
    };
    if !may_control {
        return Err(refused(
            ErrorCode::Forbidden,
            "only a technician in control of the session can choose the monitor".into(),
        ));
    }
    if let Some(name) = &monitor {
        reach_proto::screen::check_monitor_name(name)
            .map_err(|reason| refused(ErrorCode::BadRequest, reason))?;
    }
    match state.hub.select_monitor(session_id, monitor).await {
        Ok(()) => Ok(()),
        Err(MonitorError::Hub(err)) => Err(device_tools::Refusal::Hub(err)),
        Err(err @ MonitorError::Unknown(_)) => Err(refused(ErrorCode::NotFound, err.to_string())),
    }
}

async fn tools_reply(
    sink: &mut SplitSink<WebSocket, Message>,
    outcome: Result<(), device_tools::Refusal>,
) -> Result<(), HubError> {
    match outcome {
        Ok(()) => Ok(()),
        Err(device_tools::Refusal::Hub(err)) => Err(err),
        Err(device_tools::Refusal::Refused(message)) => {
            if let Ok(text) = serde_json::to_string(&message) {
                let _ = sink.send(Message::Text(text.into())).await;
            }
            Ok(())
        }
    }
}

pub async fn events_upgrade(
    State(state): State<Arc<AppState>>,
    auth: Authenticated,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiFailure> {
    if !same_origin(&headers) {
        return Err(ApiFailure::forbidden());
    }
    auth.company_for(Action::ListDevices)?;
    let events = state.hub.subscribe();
    let shutdown = state.shutdown.clone();
    let watch = SignInWatch::new(&state, &auth)?;
    let audience = Audience {
        principal: auth.principal.clone(),
    };
    Ok(ws
        .max_message_size(MAX_CONTROL_MESSAGE)
        .on_upgrade(move |socket| run_events(socket, events, audience, shutdown, watch))
        .into_response())
}

/// Who a feed is for: each event goes out only if the policy lets the feed's
/// principal see what it is about (as of when the feed opened).
struct Audience {
    principal: Principal,
}

impl Audience {
    fn wants(&self, event: &CompanyEvent) -> bool {
        let company_id = event.company_id.as_str();
        let allowed = |action, resource| authorize(&self.principal, action, resource).is_ok();
        match &event.about {
            EventSubject::Device {
                device_group_id,
                attended_by,
            } => allowed(
                Action::ViewDevice,
                crate::api::devices::resource_of(
                    company_id,
                    device_group_id.as_deref(),
                    attended_by.as_deref(),
                ),
            ),
            EventSubject::Session {
                technician_id,
                device_group_id,
            } => {
                allowed(
                    Action::UseSession,
                    Resource::Session {
                        company_id,
                        owner_id: technician_id,
                        device_group_id: device_group_id.as_deref(),
                    },
                ) || allowed(Action::ViewReports, Resource::Company(company_id))
            }
            EventSubject::EventLog => allowed(Action::ViewEventLog, Resource::Company(company_id)),
            EventSubject::Administration(action) => allowed(*action, Resource::Company(company_id)),
        }
    }
}

async fn run_events(
    socket: WebSocket,
    mut events: broadcast::Receiver<crate::hub::CompanyEvent>,
    audience: Audience,
    shutdown: tokio_util::sync::CancellationToken,
    mut watch: SignInWatch,
) {
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            () = watch.ended() => {
                let _ = sink.send(Message::Close(Some(CloseFrame {
                    code: 4001,
                    reason: Utf8Bytes::from_static("signed out"),
                }))).await;
                break;
            }
            () = shutdown.cancelled() => {
                let _ = sink.send(Message::Close(Some(CloseFrame {
                    code: axum::extract::ws::close_code::AWAY,
                    reason: Utf8Bytes::from_static("server shutting down"),
                }))).await;
                break;
            }
            incoming = stream.next() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                // The feed is one-way; anything else from the browser is ignored.
                Some(Ok(_)) => {}
            },
            event = events.recv() => match event {
                Ok(event) if audience.wants(&event) => {
                    let Ok(text) = serde_json::to_string(&event.event) else { continue };
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                // Too slow to keep up: close, and the console reconnects and reloads.
                Err(broadcast::error::RecvError::Lagged(_)) | Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_must_match_host() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "reach.example:8443".parse().unwrap());
        assert!(!same_origin(&headers));
        headers.insert("origin", "https://evil.example".parse().unwrap());
        assert!(!same_origin(&headers));
        headers.insert("origin", "http://reach.example:8443".parse().unwrap());
        assert!(!same_origin(&headers));
        headers.insert("origin", "https://reach.example:8443".parse().unwrap());
        assert!(same_origin(&headers));
    }
}
