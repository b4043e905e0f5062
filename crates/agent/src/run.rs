//! `reach agent run`: keeps the link to the server up for as long as the agent
//! runs, reconnecting with exponential backoff and jitter (so a restarted server
//! is not hit by the whole fleet at once), and serves sessions on it. Errors no
//! retry can fix (device revoked, unknown to the server) stop the loop.
//! `reach agent join` runs the same loop for one attended session.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use reach_proto::messages::{AgentMessage, ServerToAgent};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::session::SessionHandle;
use crate::state::AgentState;
use crate::transport::{self, Link};
use crate::AgentError;

const BACKOFF_START: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(60);
/// Messages queued towards the server (screen batches are paced by acks, so few).
const OUTGOING_QUEUE: usize = 32;

/// Whether the agent serves sessions for as long as it runs (an enrolled
/// device) or one session only (`reach agent join`, an attended device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unattended,
    Attended,
}

/// How an established link ended.
enum LinkEnd {
    Lost(String),
    /// The attended session is over (the agent's whole job).
    SessionOver,
}

/// Runs until `shutdown` resolves or a permanent error occurs.
pub async fn run(
    state: &AgentState,
    display: Option<String>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), AgentError> {
    run_in(state, display, shutdown, Mode::Unattended).await
}

/// Serves the one session of an attended device: returns once it is over (or
/// `shutdown` resolves). The server ends an attended device's link when its
/// session ends, so that refusal is the normal end, not an error.
pub async fn run_attended(
    state: &AgentState,
    display: Option<String>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), AgentError> {
    match run_in(state, display, shutdown, Mode::Attended).await {
        Err(AgentError::Refused {
            code: reach_proto::codes::ErrorCode::SessionEnded,
            ..
        }) => Ok(()),
        other => other,
    }
}

async fn run_in(
    state: &AgentState,
    display: Option<String>,
    shutdown: impl Future<Output = ()>,
    mode: Mode,
) -> Result<(), AgentError> {
    tokio::pin!(shutdown);
    let mut backoff = BACKOFF_START;
    loop {
        let outcome = tokio::select! {
            outcome = serve_link(state, display.clone(), mode) => outcome,
            () = &mut shutdown => return Ok(()),
        };
        match outcome {
            Ok(LinkEnd::SessionOver) => return Ok(()),
            Ok(LinkEnd::Lost(reason)) => {
                tracing::warn!(reason, "link to the server lost; reconnecting");
                backoff = BACKOFF_START;
            }
            Err(err) if err.is_permanent() => return Err(err),
            Err(err) => {
                tracing::error!(error = %err, retry_in = ?backoff, "cannot connect to the server")
            }
        }
        // Full jitter: sleep a random time up to the current backoff.
        let delay = backoff.mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = &mut shutdown => return Ok(()),
        }
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// Connects once and serves until the link drops. `Err` means the link never
/// came up (or the server refused it); `Ok` carries why an established link ended.
pub async fn serve_once(state: &AgentState, display: Option<String>) -> Result<String, AgentError> {
    match serve_link(state, display, Mode::Unattended).await? {
        LinkEnd::Lost(reason) => Ok(reason),
        LinkEnd::SessionOver => Ok("the session is over".into()),
    }
}

async fn serve_link(
    state: &AgentState,
    display: Option<String>,
    mode: Mode,
) -> Result<LinkEnd, AgentError> {
    let (mut link, heartbeat) = transport::connect(state).await?;
    tracing::info!(server = %state.server_url, device_id = %state.device_id, "connected to the server");
    transport::send(
        &mut link,
        &AgentMessage::SystemInfo {
            info: crate::sysinfo::collect(),
        },
    )
    .await?;
    serve(link, heartbeat, display, mode).await
}

async fn serve(
    link: Link,
    heartbeat: Duration,
    display: Option<String>,
    mode: Mode,
) -> Result<LinkEnd, AgentError> {
    let (mut sink, mut stream) = link.split();
    let (out, mut out_rx) = mpsc::channel::<Message>(OUTGOING_QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(message) = out_rx.recv().await {
            if sink.send(message).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let heartbeat_out = out.clone();
    // Aborted on drop too: `run` drops this future on shutdown, and a heartbeat
    // task left running would keep the writer, and so the link, alive.
    let heartbeats = AbortOnDrop(tokio::spawn(async move {
        let mut tick = tokio::time::interval(heartbeat);
        loop {
            tick.tick().await;
            let Ok(text) = serde_json::to_string(&AgentMessage::Heartbeat) else {
                break;
            };
            if heartbeat_out
                .send(Message::Text(text.into()))
                .await
                .is_err()
            {
                break;
            }
        }
    }));
    let mut sessions: HashMap<u32, SessionHandle> = HashMap::new();
    let result = loop {
        let message = match tokio::time::timeout(heartbeat * 3, stream.next()).await {
            Err(_) => break Ok(LinkEnd::Lost("the server stopped answering".to_string())),
            Ok(None) | Ok(Some(Ok(Message::Close(_)))) => {
                break Ok(LinkEnd::Lost("the server closed the link".to_string()))
            }
            Ok(Some(Err(err))) => break Ok(LinkEnd::Lost(format!("transport error: {err}"))),
            Ok(Some(Ok(Message::Text(text)))) => text,
            Ok(Some(Ok(_))) => continue,
        };
        let message: ServerToAgent = match serde_json::from_str(&message) {
            Ok(message) => message,
            Err(err) => {
                break Err(AgentError::Protocol(format!(
                    "unexpected message from the server: {err}"
                )))
            }
        };
        match message {
            ServerToAgent::HeartbeatAck => {}
            ServerToAgent::StartSession {
                channel,
                session_id,
                technician,
                screen_paused,
            } => {
                tracing::info!(channel, session_id, technician, "session started");
                let session = SessionHandle::start(channel, display.clone(), out.clone());
                session.set_paused(screen_paused);
                sessions.insert(channel, session);
            }
            ServerToAgent::EndSession { channel } => {
                if sessions.remove(&channel).is_some() {
                    tracing::info!(channel, "session ended");
                    if mode == Mode::Attended {
                        break Ok(LinkEnd::SessionOver);
                    }
                }
            }
            ServerToAgent::Input { channel, event } => {
                if let Some(session) = sessions.get(&channel) {
                    session.input(event);
                }
            }
            ServerToAgent::FrameAck { channel, seq } => {
                if let Some(session) = sessions.get(&channel) {
                    session.ack(seq);
                }
            }
            ServerToAgent::Refresh { channel } => {
                if let Some(session) = sessions.get(&channel) {
                    session.refresh();
                }
            }
            ServerToAgent::ScreenSharing { channel, paused } => {
                if let Some(session) = sessions.get(&channel) {
                    session.set_paused(paused);
                }
            }
            ServerToAgent::Clipboard { channel, text } => {
                if let Some(session) = sessions.get(&channel) {
                    session.clipboard(text);
                }
            }
            ServerToAgent::BlockInput { channel, blocked } => {
                if let Some(session) = sessions.get(&channel) {
                    session.block_input(blocked);
                }
            }
            ServerToAgent::SetScreenMode { channel, mode } => {
                if let Some(session) = sessions.get(&channel) {
                    session.set_mode(mode);
                }
            }
            ServerToAgent::SelectMonitor { channel, monitor } => {
                if let Some(session) = sessions.get(&channel) {
                    session.select_monitor(crate::capture::MonitorChoice::from_wire(monitor));
                }
            }
            ServerToAgent::Error { code, message } => {
                break Err(AgentError::Refused { code, message })
            }
            ServerToAgent::Challenge { .. } | ServerToAgent::Welcome { .. } => {
                break Err(AgentError::Protocol(
                    "handshake message after the handshake".into(),
                ))
            }
        }
    };
    sessions.clear();
    drop(heartbeats);
    drop(out);
    let _ = writer.await;
    result
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
