//! Live state of one server node: which agents are connected, which sessions are
//! live, and which console and agent channel each session is wired to. It routes
//! frames between them and publishes console events. Durable facts (sessions,
//! last-seen times) go to the store; this holds only what dies with the process.
//!
//! Flow control: every queue here is bounded. Screen updates are paced end to end
//! by the consoles' FrameAck (the agent keeps a couple of batches in flight; the
//! fastest viewer paces it). A session may have several viewers sharing one
//! capture and encode: [`viewers`] decides what each one receives, so a slow or
//! late viewer gets a replay of the whole picture instead of a backlog.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use reach_core::now_millis;
use reach_proto::api::{DeviceView, SessionView};
use reach_proto::audit::AuditCode;
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::messages::{ConsoleEvent, CursorShape, ServerToAgent, ServerToConsole};
use reach_store::{Device, SessionRecord, Store};
use tokio::sync::{broadcast, mpsc};

use crate::audit::{Actor, Entry};

mod monitors;
mod screen_mode;
mod tools;
mod viewers;

pub use monitors::MonitorError;
pub use tools::ToolsChange;
use viewers::Viewer;
pub use viewers::{ViewerLink, VIEWER_BYTE_BUDGET};

/// Queue bound towards one agent (control messages and input).
pub const AGENT_QUEUE: usize = 256;
/// Queue bound towards one console, in messages (screen batches, also bounded
/// in bytes by [`VIEWER_BYTE_BUDGET`], and control messages).
pub const CONSOLE_QUEUE: usize = 64;
/// How long a session waits for its console to come back (page reload, network blip).
pub const CONSOLE_GRACE: Duration = Duration::from_secs(30);

/// What an agent link writes.
#[derive(Debug)]
pub enum ToAgent {
    Control(ServerToAgent),
    /// Send the error, then close the link.
    Close(ErrorCode, String),
}

/// What a console link writes.
#[derive(Debug)]
pub enum ToConsole {
    Control(ServerToConsole),
    Bulk(Vec<u8>),
    /// Close the link (after an `Ended` or `Error` message).
    Close,
}

struct AgentEntry {
    connection: u64,
    tx: mpsc::Sender<ToAgent>,
    next_channel: u32,
}

struct LiveSession {
    record: SessionRecord,
    /// The agent channel while a console is attached.
    channel: Option<u32>,
    /// The consoles attached, in the order they came.
    viewers: Vec<Viewer>,
    /// The screen size the agent last reported, for viewers who join later.
    screen: Option<(u16, u16)>,
    /// The pointer's image and position as last reported, for the same.
    cursor: Option<CursorShape>,
    pointer: Option<(u16, u16)>,
    /// The console connection whose departure started the current grace period;
    /// a timer from an earlier departure sees another value and does nothing.
    detached: Option<u64>,
    /// The screen tools' state (see `hub/tools.rs`); it outlives console links.
    tools: tools::ToolsState,
    /// How the agent sends the screen; outlives console links.
    screen_mode: reach_proto::screen::ScreenMode,
    /// The device's monitors as the agent last reported them on this channel.
    monitors: Option<reach_proto::screen::MonitorLayout>,
    /// The monitor the technician chose (`Some(None)`: all of them); until
    /// they choose, the agent shows the primary one. Outlives console links.
    monitor_choice: Option<Option<String>>,
}

#[derive(Default)]
struct State {
    agents: HashMap<String, AgentEntry>,
    sessions: HashMap<String, LiveSession>,
    /// (device id, channel) → session id.
    channels: HashMap<(String, u32), String>,
    next_connection: u64,
}

/// A company-scoped console event.
#[derive(Debug, Clone)]
pub struct CompanyEvent {
    pub company_id: String,
    /// What the event is about, for deciding which feeds receive it.
    pub about: EventSubject,
    pub event: ConsoleEvent,
}

/// The resource an event concerns, as far as the policy needs to know it.
#[derive(Debug, Clone)]
pub enum EventSubject {
    Device {
        device_group_id: Option<String>,
        /// The technician of an attended device.
        attended_by: Option<String>,
    },
    Session {
        technician_id: String,
        device_group_id: Option<String>,
    },
    EventLog,
    /// Administration of the company (its SSO domains, ...): for those the
    /// policy allows this action on the company.
    Administration(reach_core::policy::Action),
}

pub struct Hub {
    state: Mutex<State>,
    events: broadcast::Sender<CompanyEvent>,
    store: Arc<dyn Store>,
}

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("the device is not connected")]
    DeviceOffline,
    #[error("the session is not live")]
    SessionEnded,
}

/// A screen update from an agent without the `seq` and flags every update starts with.
#[derive(Debug, thiserror::Error)]
#[error("a screen update is shorter than its seq and flags")]
pub struct MalformedUpdate;

/// A console attached to a session by [`Hub::attach_console`].
#[derive(Debug)]
pub struct Attached {
    pub connection: u64,
    /// Shared with the hub: the link reports what it wrote.
    pub link: Arc<ViewerLink>,
}

impl Hub {
    pub fn new(store: Arc<dyn Store>) -> Arc<Self> {
        let (events, _) = broadcast::channel(1024);
        Arc::new(Self {
            state: Mutex::new(State::default()),
            events,
            store,
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the maps half-updated in a
        // way that matters more than stopping the relay, so poisoning is ignored.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn subscribe(&self) -> broadcast::Receiver<CompanyEvent> {
        self.events.subscribe()
    }

    pub fn publish(&self, company_id: &str, about: EventSubject, event: ConsoleEvent) {
        // No subscribers is normal (no console open).
        let _ = self.events.send(CompanyEvent {
            company_id: company_id.to_string(),
            about,
            event,
        });
    }

    pub fn is_online(&self, device_id: &str) -> bool {
        self.state().agents.contains_key(device_id)
    }

    /// Registers an authenticated agent link; an older link of the same device is closed.
    pub fn connected_agent(&self, device: &Device, tx: mpsc::Sender<ToAgent>) -> u64 {
        let replaced = {
            let mut state = self.state();
            state.next_connection += 1;
            let connection = state.next_connection;
            let old = state.agents.insert(
                device.id.clone(),
                AgentEntry {
                    connection,
                    tx,
                    next_channel: 1,
                },
            );
            (connection, old)
        };
        let (connection, old) = replaced;
        if let Some(old) = old {
            let _ = old.tx.try_send(ToAgent::Close(
                ErrorCode::Conflict,
                "another connection of this device replaced this one".into(),
            ));
        }
        self.publish_device(device, true);
        connection
    }

    /// Unregisters an agent link and ends its sessions.
    pub async fn agent_disconnected(&self, device: &Device, connection: u64, reason: EndReason) {
        let sessions: Vec<String> = {
            let mut state = self.state();
            match state.agents.get(&device.id) {
                Some(entry) if entry.connection == connection => {
                    state.agents.remove(&device.id);
                }
                _ => return,
            }
            state
                .sessions
                .iter()
                .filter(|(_, live)| live.record.device_id == device.id)
                .map(|(id, _)| id.clone())
                .collect()
        };
        for session_id in sessions {
            self.end_session(&session_id, reason).await;
        }
        let mut device = device.clone();
        device.last_seen = Some(now_millis());
        self.publish_device(&device, false);
    }

    pub fn publish_device(&self, device: &Device, online: bool) {
        self.publish(
            &device.company_id,
            EventSubject::Device {
                device_group_id: device.device_group_id.clone(),
                attended_by: device.attended_by.clone(),
            },
            ConsoleEvent::DeviceChanged {
                device: device_view(device, online),
            },
        );
    }

    /// Closes the link of a device that was just revoked; its sessions end with it.
    pub fn disconnect_agent(&self, device_id: &str, code: ErrorCode, message: &str) {
        if let Some(entry) = self.state().agents.get(device_id) {
            let _ = entry.tx.try_send(ToAgent::Close(code, message.to_string()));
        }
    }

    /// Makes a stored session live; the device must be connected. A console has
    /// [`CONSOLE_GRACE`] to attach before the session ends unused.
    pub fn open_session(self: &Arc<Self>, record: SessionRecord) -> Result<(), HubError> {
        let session_id = record.id.clone();
        let marker = {
            let mut state = self.state();
            if !state.agents.contains_key(&record.device_id) {
                return Err(HubError::DeviceOffline);
            }
            state.next_connection += 1;
            let marker = state.next_connection;
            state.sessions.insert(
                record.id.clone(),
                LiveSession {
                    record,
                    channel: None,
                    viewers: Vec::new(),
                    screen: None,
                    cursor: None,
                    pointer: None,
                    detached: Some(marker),
                    tools: tools::ToolsState::default(),
                    screen_mode: Default::default(),
                    monitors: None,
                    monitor_choice: None,
                },
            );
            marker
        };
        self.end_unless_attached(session_id, marker);
        Ok(())
    }

    pub fn live_session(&self, session_id: &str) -> Option<SessionRecord> {
        self.state()
            .sessions
            .get(session_id)
            .map(|live| live.record.clone())
    }

    /// Adds a console to a live session. The first one makes the agent start
    /// streaming on a fresh channel; a later one gets the current screen size and
    /// asks the agent for a replay of the whole picture, which only it receives.
    pub fn attach_console(
        &self,
        session_id: &str,
        tx: mpsc::Sender<ToConsole>,
    ) -> Result<Attached, HubError> {
        let mut state = self.state();
        state.next_connection += 1;
        let connection = state.next_connection;
        let State {
            agents,
            sessions,
            channels,
            ..
        } = &mut *state;
        let live = sessions.get_mut(session_id).ok_or(HubError::SessionEnded)?;
        let agent = agents
            .get_mut(&live.record.device_id)
            .ok_or(HubError::DeviceOffline)?;
        if let Some(channel) = live.channel {
            let mut viewer = Viewer::new(connection, tx, false);
            if let Some((width, height)) = live.screen {
                viewer.control(ServerToConsole::ScreenInfo { width, height });
            }
            if let Some(shape) = &live.cursor {
                viewer.control(ServerToConsole::CursorShape {
                    shape: shape.clone(),
                });
            }
            if let Some((x, y)) = live.pointer {
                viewer.control(ServerToConsole::CursorMoved { x, y });
            }
            let link = viewer.link.clone();
            live.viewers.push(viewer);
            if viewers::ask_replays(&mut live.viewers) {
                let _ = agent
                    .tx
                    .try_send(ToAgent::Control(ServerToAgent::Refresh { channel }));
            }
            live.detached = None;
            screen_mode::on_attach(live, agent, false);
            monitors::on_attach(live, agent, false);
            return Ok(Attached { connection, link });
        }
        let channel = agent.next_channel;
        agent.next_channel = agent.next_channel.wrapping_add(1).max(1);
        let start = ServerToAgent::StartSession {
            channel,
            session_id: session_id.to_string(),
            technician: live.record.technician_name.clone(),
            screen_paused: live.tools.screen_paused,
        };
        if agent.tx.try_send(ToAgent::Control(start)).is_err() {
            // The agent cannot take the start: leave the session detached, as it was.
            return Err(HubError::DeviceOffline);
        }
        channels.insert(
            (live.record.device_id.clone(), channel),
            session_id.to_string(),
        );
        live.channel = Some(channel);
        live.screen = None;
        live.cursor = None;
        live.pointer = None;
        live.monitors = None;
        // The agent's first update is a full picture: nothing to ask.
        let viewer = Viewer::new(connection, tx, true);
        let link = viewer.link.clone();
        live.viewers.push(viewer);
        live.detached = None;
        screen_mode::on_attach(live, agent, true);
        monitors::on_attach(live, agent, true);
        Ok(Attached { connection, link })
    }

    /// A console link went away without ending the session. When it was the last
    /// one, stop the stream and give the technician [`CONSOLE_GRACE`] to come back
    /// before ending it.
    pub fn detach_console(self: &Arc<Self>, session_id: &str, connection: u64) {
        {
            let mut state = self.state();
            let State {
                agents,
                sessions,
                channels,
                ..
            } = &mut *state;
            let Some(live) = sessions.get_mut(session_id) else {
                return;
            };
            let before = live.viewers.len();
            live.viewers
                .retain(|viewer| viewer.connection != connection);
            if live.viewers.len() == before || !live.viewers.is_empty() {
                return;
            }
            live.detached = Some(connection);
            if let Some(channel) = live.channel.take() {
                channels.remove(&(live.record.device_id.clone(), channel));
                if let Some(agent) = agents.get(&live.record.device_id) {
                    let _ = agent
                        .tx
                        .try_send(ToAgent::Control(ServerToAgent::EndSession { channel }));
                }
            }
        }
        self.end_unless_attached(session_id.to_string(), connection);
    }

    /// The console `connection` lost its picture (it dropped a corrupt update, or
    /// asked to refresh): it gets a replay; the other viewers carry on.
    pub fn viewer_lost_picture(&self, session_id: &str, connection: u64) {
        let mut state = self.state();
        let State {
            agents, sessions, ..
        } = &mut *state;
        let Some(live) = sessions.get_mut(session_id) else {
            return;
        };
        if let Some(viewer) = live
            .viewers
            .iter_mut()
            .find(|viewer| viewer.connection == connection)
        {
            viewer.lost_picture();
        }
        Self::ask_replays(agents, live);
    }

    /// The console `connection` emptied its queue while waiting for a replay.
    pub fn viewer_drained(&self, session_id: &str) {
        let mut state = self.state();
        let State {
            agents, sessions, ..
        } = &mut *state;
        if let Some(live) = sessions.get_mut(session_id) {
            Self::ask_replays(agents, live);
        }
    }

    fn ask_replays(agents: &HashMap<String, AgentEntry>, live: &mut LiveSession) {
        let Some(channel) = live.channel else {
            return;
        };
        if viewers::ask_replays(&mut live.viewers) {
            if let Some(agent) = agents.get(&live.record.device_id) {
                let _ = agent
                    .tx
                    .try_send(ToAgent::Control(ServerToAgent::Refresh { channel }));
            }
        }
    }

    /// Ends the session after [`CONSOLE_GRACE`] unless a console attached since the
    /// departure (or opening) identified by `marker`.
    fn end_unless_attached(self: &Arc<Self>, session_id: String, marker: u64) {
        let hub = Arc::clone(self);
        // The deadline counts from now, not from when the task first runs.
        let deadline = tokio::time::Instant::now() + CONSOLE_GRACE;
        tokio::spawn(async move {
            tokio::time::sleep_until(deadline).await;
            let still_detached = hub
                .state()
                .sessions
                .get(&session_id)
                .is_some_and(|live| live.detached == Some(marker));
            if still_detached {
                hub.end_session(&session_id, EndReason::TechnicianDisconnected)
                    .await;
            }
        });
    }

    /// Sends a message from the console to the session's agent channel.
    pub async fn to_agent(
        &self,
        session_id: &str,
        make: impl FnOnce(u32) -> ServerToAgent,
    ) -> Result<(), HubError> {
        let (tx, message) =
            self.with_live_channel(session_id, |_, channel| Ok::<_, HubError>(make(channel)))?;
        // Awaiting here slows only this console when the agent is slow to drain.
        tx.send(ToAgent::Control(message))
            .await
            .map_err(|_| HubError::DeviceOffline)
    }

    /// Under the hub's lock, runs `change` on the live session and its agent
    /// channel; returns the agent's sender with what `change` made, so the
    /// caller sends once the lock is released.
    fn with_live_channel<T, E: From<HubError>>(
        &self,
        session_id: &str,
        change: impl FnOnce(&mut LiveSession, u32) -> Result<T, E>,
    ) -> Result<(mpsc::Sender<ToAgent>, T), E> {
        let mut state = self.state();
        let State {
            agents, sessions, ..
        } = &mut *state;
        let live = sessions.get_mut(session_id).ok_or(HubError::SessionEnded)?;
        let channel = live.channel.ok_or(HubError::SessionEnded)?;
        let tx = agents
            .get(&live.record.device_id)
            .ok_or(HubError::DeviceOffline)?
            .tx
            .clone();
        Ok((tx, change(live, channel)?))
    }

    /// Offers a screen update from an agent to the viewers of the session on
    /// that channel (see [`viewers`]). Updates for unknown channels (a session
    /// that just ended) are dropped. An update nobody took is acknowledged here,
    /// so the agent is never held back by viewers waiting for a replay.
    pub fn frame_from_agent(
        &self,
        device_id: &str,
        channel: u32,
        frame: Vec<u8>,
    ) -> Result<(), MalformedUpdate> {
        let payload = frame.get(reach_proto::frame::HEADER_LEN..).unwrap_or(&[]);
        let (seq, flags) =
            reach_proto::frame::screen_update_header(payload).ok_or(MalformedUpdate)?;
        self.with_viewers(device_id, channel, |agents, live| {
            let fanout = viewers::fan_out(&mut live.viewers, &frame, flags);
            let Some(agent) = agents.get(device_id) else {
                return;
            };
            if fanout.delivered == 0 {
                let _ = agent
                    .tx
                    .try_send(ToAgent::Control(ServerToAgent::FrameAck { channel, seq }));
            }
            if fanout.ask_replay {
                let _ = agent
                    .tx
                    .try_send(ToAgent::Control(ServerToAgent::Refresh { channel }));
            }
        });
        Ok(())
    }

    /// The agent reported the screen size on `channel`: every viewer learns it,
    /// and it is kept for viewers who join later.
    pub fn screen_from_agent(&self, device_id: &str, channel: u32, width: u16, height: u16) {
        self.with_viewers(device_id, channel, |_, live| {
            live.screen = Some((width, height));
            for viewer in &mut live.viewers {
                viewer.control(ServerToConsole::ScreenInfo { width, height });
            }
        });
    }

    /// The pointer's image changed: every viewer learns it, and it is kept for
    /// viewers who join later.
    pub fn cursor_from_agent(&self, device_id: &str, channel: u32, shape: CursorShape) {
        self.with_viewers(device_id, channel, |_, live| {
            for viewer in &mut live.viewers {
                viewer.control(ServerToConsole::CursorShape {
                    shape: shape.clone(),
                });
            }
            live.cursor = Some(shape);
        });
    }

    /// The pointer moved (`None`: onto a monitor that is not shown): every
    /// viewer learns it, and it is kept for viewers who join later.
    pub fn pointer_from_agent(&self, device_id: &str, channel: u32, at: Option<(u16, u16)>) {
        self.with_viewers(device_id, channel, |_, live| {
            live.pointer = at;
            let message = match at {
                Some((x, y)) => ServerToConsole::CursorMoved { x, y },
                None => ServerToConsole::CursorOffScreen,
            };
            for viewer in &live.viewers {
                viewer.control_superseded(message.clone());
            }
        });
    }

    /// Sends a control message from the agent to every viewer of the session on
    /// `channel`.
    pub fn control_from_agent(&self, device_id: &str, channel: u32, message: ServerToConsole) {
        self.with_viewers(device_id, channel, |_, live| {
            for viewer in &mut live.viewers {
                viewer.control(message.clone());
            }
        });
    }

    /// Runs `apply` on the live session streaming on the agent's `channel`, if
    /// any, with the connected agents at hand.
    fn with_viewers(
        &self,
        device_id: &str,
        channel: u32,
        apply: impl FnOnce(&HashMap<String, AgentEntry>, &mut LiveSession),
    ) {
        let mut state = self.state();
        let State {
            agents,
            sessions,
            channels,
            ..
        } = &mut *state;
        if let Some(live) = channels
            .get(&(device_id.to_string(), channel))
            .and_then(|session_id| sessions.get_mut(session_id))
        {
            apply(agents, live);
        }
    }

    pub fn session_for_channel(&self, device_id: &str, channel: u32) -> Option<String> {
        self.state()
            .channels
            .get(&(device_id.to_string(), channel))
            .cloned()
    }

    /// Ends a live session everywhere: agent, console, store, event feed.
    /// Ending one that is no longer live does nothing.
    pub async fn end_session(&self, session_id: &str, reason: EndReason) -> Option<SessionRecord> {
        let live = {
            let mut state = self.state();
            let live = state.sessions.remove(session_id)?;
            if let Some(channel) = live.channel {
                state
                    .channels
                    .remove(&(live.record.device_id.clone(), channel));
                if let Some(agent) = state.agents.get(&live.record.device_id) {
                    let _ = agent
                        .tx
                        .try_send(ToAgent::Control(ServerToAgent::EndSession { channel }));
                }
            }
            live
        };
        for viewer in &live.viewers {
            let _ = viewer
                .tx
                .try_send(ToConsole::Control(ServerToConsole::Ended { reason }));
            let _ = viewer.tx.try_send(ToConsole::Close);
        }
        let record = match self
            .store
            .end_session(session_id, now_millis(), reason.as_str())
            .await
        {
            Ok(record) => record,
            Err(err) => {
                tracing::error!(session_id, error = %err, "could not store the end of a session");
                let mut record = live.record;
                record.ended_at = Some(now_millis());
                record.end_reason = Some(reason.as_str().to_string());
                record
            }
        };
        tracing::info!(session_id, reason = reason.as_str(), "session ended");
        self.publish_session(&record);
        if record.attended {
            // An attended device served its one session: its agent leaves, and
            // leaving revokes the device (see `agent_link`).
            self.disconnect_agent(
                &record.device_id,
                ErrorCode::SessionEnded,
                "the attended session is over",
            );
        }
        let entry = Entry::new(
            &record.company_id,
            AuditCode::SessionEnded,
            ended_by(reason, &record),
        )
        .target("session", &record.id, Some(&record.device_nickname))
        .detail("reason", reason.as_str())
        .detail("technician", &record.technician_name);
        crate::audit::write(self.store.as_ref(), Some(self), entry).await;
        Some(record)
    }

    pub fn publish_session(&self, record: &SessionRecord) {
        self.publish(
            &record.company_id,
            EventSubject::Session {
                technician_id: record.technician_id.clone(),
                device_group_id: record.device_group_id.clone(),
            },
            ConsoleEvent::SessionChanged {
                session: session_view(record),
            },
        );
    }

    /// Ends every live session (server shutdown).
    pub async fn end_all(&self, reason: EndReason) {
        let ids: Vec<String> = self.state().sessions.keys().cloned().collect();
        for id in ids {
            self.end_session(&id, reason).await;
        }
    }
}

pub fn device_view(device: &Device, online: bool) -> DeviceView {
    DeviceView {
        id: device.id.clone(),
        nickname: device.nickname.clone(),
        hostname: device.system.hostname.clone(),
        os: device.system.os.clone(),
        ip_addresses: device.system.ip_addresses.clone(),
        device_group: device.device_group.clone(),
        online: online && device.revoked_at.is_none(),
        last_seen: device.last_seen,
        enrolled_at: device.enrolled_at,
        revoked: device.revoked_at.is_some(),
        attended_by: device.attended_by.clone(),
        end_user: device.end_user.clone(),
    }
}

pub fn session_view(record: &SessionRecord) -> SessionView {
    SessionView {
        id: record.id.clone(),
        device_id: record.device_id.clone(),
        device_nickname: record.device_nickname.clone(),
        technician_id: record.technician_id.clone(),
        technician_name: record.technician_name.clone(),
        started_at: record.started_at,
        ended_at: record.ended_at,
        end_reason: record.end_reason.as_deref().and_then(EndReason::parse),
        attended: record.attended,
        end_user: record.end_user.clone(),
    }
}

/// Who ended a session, as the event log names them: only its owner can end
/// it from a console, and the device ends it from its side.
fn ended_by(reason: EndReason, record: &SessionRecord) -> Actor {
    match reason {
        EndReason::TechnicianEnded | EndReason::TechnicianDisconnected => Actor::User {
            id: record.technician_id.clone(),
            name: record.technician_name.clone(),
        },
        EndReason::AgentEnded | EndReason::AgentDisconnected => Actor::Device {
            id: record.device_id.clone(),
            name: record.device_nickname.clone(),
        },
        EndReason::DeviceRevoked | EndReason::ServerShutdown => Actor::System,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reach_store::DeviceSystem;

    pub(super) async fn hub_with_agent(
    ) -> (Arc<Hub>, Device, mpsc::Receiver<ToAgent>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = reach_store::open(dir.path().join("hub.db").to_str().unwrap())
            .await
            .unwrap();
        let hub = Hub::new(store);
        let device = Device {
            id: "device-1".into(),
            company_id: "company-1".into(),
            device_group_id: None,
            device_group: None,
            nickname: "pc".into(),
            system: DeviceSystem::default(),
            public_key: "key".into(),
            enrolled_at: 0,
            last_seen: None,
            revoked_at: None,
            attended_by: None,
            end_user_id: None,
            end_user: None,
        };
        let (tx, rx) = mpsc::channel(AGENT_QUEUE);
        hub.connected_agent(&device, tx);
        (hub, device, rx, dir)
    }

    pub(super) fn record(id: &str, device: &Device) -> SessionRecord {
        SessionRecord {
            id: id.into(),
            company_id: device.company_id.clone(),
            device_id: device.id.clone(),
            technician_id: "tech".into(),
            started_at: 0,
            ended_at: None,
            end_reason: None,
            device_group_id: device.device_group_id.clone(),
            device_nickname: device.nickname.clone(),
            technician_name: "Tech".into(),
            attended: false,
            end_user: None,
        }
    }

    /// Lets spawned timers that are due run.
    async fn advance(duration: Duration) {
        tokio::time::advance(duration).await;
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_session_nobody_attaches_to_ends_after_the_grace_period() {
        let (hub, device, _agent, _dir) = hub_with_agent().await;
        tokio::time::pause();
        hub.open_session(record("s1", &device)).unwrap();
        advance(CONSOLE_GRACE - Duration::from_secs(1)).await;
        assert!(hub.live_session("s1").is_some());
        advance(Duration::from_secs(2)).await;
        assert!(hub.live_session("s1").is_none());
    }

    #[tokio::test]
    async fn the_grace_period_follows_the_latest_departure() {
        let (hub, device, mut agent, _dir) = hub_with_agent().await;
        tokio::time::pause();
        hub.open_session(record("s1", &device)).unwrap();
        let (console, _console_rx) = mpsc::channel(CONSOLE_QUEUE);
        let first = hub
            .attach_console("s1", console.clone())
            .unwrap()
            .connection;
        assert!(matches!(
            agent.try_recv(),
            Ok(ToAgent::Control(ServerToAgent::StartSession { .. }))
        ));
        hub.detach_console("s1", first);
        advance(CONSOLE_GRACE / 2).await;
        let second = hub.attach_console("s1", console).unwrap().connection;
        advance(CONSOLE_GRACE / 4).await;
        hub.detach_console("s1", second);
        // The first departure's timer fires now and must not end the session.
        advance(CONSOLE_GRACE / 2).await;
        assert!(hub.live_session("s1").is_some());
        advance(CONSOLE_GRACE).await;
        assert!(hub.live_session("s1").is_none());
    }

    #[tokio::test]
    async fn an_attached_console_keeps_the_session() {
        let (hub, device, _agent, _dir) = hub_with_agent().await;
        tokio::time::pause();
        hub.open_session(record("s1", &device)).unwrap();
        let (console, _console_rx) = mpsc::channel(CONSOLE_QUEUE);
        hub.attach_console("s1", console).unwrap();
        advance(CONSOLE_GRACE * 3).await;
        assert!(hub.live_session("s1").is_some());
    }
}
