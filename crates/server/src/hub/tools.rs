//! The technician's screen tools as the hub holds them for a live session:
//! whether screen sharing is paused and whether the owner released control.
//! They belong to the session, not to a console link, so a console that
//! reconnects learns them from [`Hub::session_state`]. Input of a session whose
//! control is released is dropped here, on the server.
//!
//! This module must not decide who may change the tools: the console link
//! does, through the policy (`may_control`).

use reach_proto::messages::{InputEvent, ServerToAgent, ServerToConsole};
use tokio::sync::mpsc;

use super::{Hub, HubError, ToAgent, ToConsole};

/// What the screen tools of a live session are set to.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct ToolsState {
    /// The agent neither captures nor encodes.
    pub screen_paused: bool,
    /// The owner gave up control: the server drops their input.
    pub control_released: bool,
}

impl ToolsState {
    fn message(self) -> ServerToConsole {
        ServerToConsole::SessionState {
            screen_paused: self.screen_paused,
            control_released: self.control_released,
        }
    }
}

/// The outcome of a console's request to change a tool.
#[derive(Debug)]
pub struct ToolsChange {
    /// The session's tools now, to show the console that asked.
    pub state: ServerToConsole,
    /// Whether the request changed anything (asking for the current state does not).
    pub changed: bool,
}

/// Where a tools change must go once the hub's lock is released.
struct Change {
    state: ServerToConsole,
    changed: bool,
    agent: Option<(mpsc::Sender<ToAgent>, ServerToAgent)>,
    /// The other consoles of the session (the one that asked is answered directly).
    others: Vec<mpsc::Sender<ToConsole>>,
}

impl Hub {
    /// The session's tools, as the `session_state` message a console is sent.
    pub fn session_state(&self, session_id: &str) -> Option<ServerToConsole> {
        self.state()
            .sessions
            .get(session_id)
            .map(|live| live.tools.message())
    }

    /// Pauses or resumes the session's screen stream. Returns the state to show
    /// the console `connection` that asked; the others are told directly.
    pub async fn set_screen_paused(
        &self,
        session_id: &str,
        connection: u64,
        paused: bool,
    ) -> Result<ToolsChange, HubError> {
        let change = self.change_tools(session_id, connection, |tools, channel| {
            if tools.screen_paused == paused {
                return None;
            }
            tools.screen_paused = paused;
            Some(ServerToAgent::ScreenSharing { channel, paused })
        })?;
        self.deliver(change).await
    }

    /// Releases control (the owner's input is dropped from now on, and whatever
    /// they held is let go on the device) or takes it back.
    pub async fn set_control_released(
        &self,
        session_id: &str,
        connection: u64,
        released: bool,
    ) -> Result<ToolsChange, HubError> {
        let change = self.change_tools(session_id, connection, |tools, channel| {
            if tools.control_released == released {
                return None;
            }
            tools.control_released = released;
            released.then_some(ServerToAgent::Input {
                channel,
                event: InputEvent::ReleaseAll,
            })
        })?;
        self.deliver(change).await
    }

    /// Forwards a console's input to the agent, unless control is released.
    pub async fn input_from_console(
        &self,
        session_id: &str,
        event: InputEvent,
    ) -> Result<(), HubError> {
        let released = self
            .state()
            .sessions
            .get(session_id)
            .ok_or(HubError::SessionEnded)?
            .tools
            .control_released;
        if released {
            return Ok(());
        }
        self.to_agent(session_id, |channel| ServerToAgent::Input {
            channel,
            event,
        })
        .await
    }

    /// Applies `apply` to the session's tools under the lock; it returns what the
    /// agent must be told, given the session's channel (none while no console is
    /// attached: the next `start_session` carries the pause).
    fn change_tools(
        &self,
        session_id: &str,
        connection: u64,
        apply: impl FnOnce(&mut ToolsState, u32) -> Option<ServerToAgent>,
    ) -> Result<Change, HubError> {
        let mut state = self.state();
        let super::State {
            agents, sessions, ..
        } = &mut *state;
        let live = sessions.get_mut(session_id).ok_or(HubError::SessionEnded)?;
        // Without a channel the agent is told nothing now; `u32::MAX` is never used.
        let channel = live.channel;
        let before = live.tools;
        let message = apply(&mut live.tools, channel.unwrap_or(u32::MAX));
        let agent = match (channel, message) {
            (Some(_), Some(message)) => {
                let tx = agents
                    .get(&live.record.device_id)
                    .ok_or(HubError::DeviceOffline)?
                    .tx
                    .clone();
                Some((tx, message))
            }
            _ => None,
        };
        let others = live
            .viewers
            .iter()
            .filter(|viewer| viewer.connection != connection)
            .map(|viewer| viewer.tx.clone())
            .collect();
        Ok(Change {
            state: live.tools.message(),
            changed: live.tools != before,
            agent,
            others,
        })
    }

    async fn deliver(&self, change: Change) -> Result<ToolsChange, HubError> {
        if let Some((tx, message)) = change.agent {
            tx.send(ToAgent::Control(message))
                .await
                .map_err(|_| HubError::DeviceOffline)?;
        }
        for console in change.others {
            // A console too far behind to take it reloads the state when it reconnects.
            let _ = console.try_send(ToConsole::Control(change.state.clone()));
        }
        Ok(ToolsChange {
            state: change.state,
            changed: change.changed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{hub_with_agent, record};
    use super::*;
    use crate::hub::CONSOLE_QUEUE;

    #[tokio::test]
    async fn pausing_tells_the_agent_once_and_a_new_channel_starts_paused() {
        let (hub, device, mut agent, _dir) = hub_with_agent().await;
        hub.open_session(record("s1", &device)).unwrap();
        let (console, _console_rx) = mpsc::channel(CONSOLE_QUEUE);
        let first = hub
            .attach_console("s1", console.clone())
            .unwrap()
            .connection;
        let Ok(ToAgent::Control(ServerToAgent::StartSession { channel, .. })) = agent.try_recv()
        else {
            panic!("no start_session");
        };
        let change = hub.set_screen_paused("s1", first, true).await.unwrap();
        assert!(change.changed);
        let state = change.state;
        assert_eq!(
            state,
            ServerToConsole::SessionState {
                screen_paused: true,
                control_released: false
            }
        );
        assert!(matches!(
            agent.try_recv(),
            Ok(ToAgent::Control(ServerToAgent::ScreenSharing { channel: c, paused: true })) if c == channel
        ));
        // Asking again changes nothing and tells the agent nothing.
        let again = hub.set_screen_paused("s1", first, true).await.unwrap();
        assert!(!again.changed);
        assert!(agent.try_recv().is_err());

        hub.detach_console("s1", first);
        let _ = agent.try_recv();
        hub.attach_console("s1", console).unwrap();
        assert!(matches!(
            agent.try_recv(),
            Ok(ToAgent::Control(ServerToAgent::StartSession {
                screen_paused: true,
                ..
            }))
        ));
        assert_eq!(hub.session_state("s1"), Some(state));
    }

    #[tokio::test]
    async fn released_control_drops_input_and_lets_go_of_held_keys() {
        let (hub, device, mut agent, _dir) = hub_with_agent().await;
        hub.open_session(record("s1", &device)).unwrap();
        let (console, _console_rx) = mpsc::channel(CONSOLE_QUEUE);
        let connection = hub.attach_console("s1", console).unwrap().connection;
        let _ = agent.try_recv();
        let key = InputEvent::Key {
            keysym: 0x61,
            pressed: true,
        };
        hub.set_control_released("s1", connection, true)
            .await
            .unwrap();
        assert!(matches!(
            agent.try_recv(),
            Ok(ToAgent::Control(ServerToAgent::Input {
                event: InputEvent::ReleaseAll,
                ..
            }))
        ));
        hub.input_from_console("s1", key).await.unwrap();
        assert!(agent.try_recv().is_err(), "input while released is dropped");
        hub.set_control_released("s1", connection, false)
            .await
            .unwrap();
        hub.input_from_console("s1", key).await.unwrap();
        assert!(matches!(
            agent.try_recv(),
            Ok(ToAgent::Control(ServerToAgent::Input { event, .. })) if event == key
        ));
    }
}
