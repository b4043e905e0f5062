//! The session's screen mode in the hub: kept in the live session so it outlives
//! console links, passed on to the agent's channel, and announced to the
//! session's console so its selector shows what the agent really sends.
//!
//! It must not decide who may change the mode: the console link checks that
//! its console controls the session before calling [`Hub::set_screen_mode`].

use reach_proto::messages::{ServerToAgent, ServerToConsole};
use reach_proto::screen::ScreenMode;

use super::{AgentEntry, Hub, HubError, LiveSession, ToAgent, ToConsole};

impl Hub {
    /// Switches the session to `mode`: the agent sends a full picture in it from
    /// its next frame, and the console is told.
    pub async fn set_screen_mode(
        &self,
        session_id: &str,
        mode: ScreenMode,
    ) -> Result<(), HubError> {
        let (agent, (channel, consoles)) =
            self.with_live_channel(session_id, |live, channel| {
                live.screen_mode = mode;
                let consoles: Vec<_> = live
                    .viewers
                    .iter()
                    .map(|viewer| viewer.tx.clone())
                    .collect();
                Ok::<_, HubError>((channel, consoles))
            })?;
        agent
            .send(ToAgent::Control(ServerToAgent::SetScreenMode {
                channel,
                mode,
            }))
            .await
            .map_err(|_| HubError::DeviceOffline)?;
        for console in consoles {
            let _ = console.try_send(ToConsole::Control(ServerToConsole::ScreenMode { mode }));
        }
        Ok(())
    }
}

/// A console just attached to `live` (the last of its viewers): it learns the
/// mode, and on a `fresh_channel` the agent starts in the session's mode (it
/// starts every channel in all colours).
pub(super) fn on_attach(live: &LiveSession, agent: &AgentEntry, fresh_channel: bool) {
    let mode = live.screen_mode;
    if let (Some(channel), true) = (
        live.channel.filter(|_| fresh_channel),
        mode != ScreenMode::default(),
    ) {
        let _ = agent
            .tx
            .try_send(ToAgent::Control(ServerToAgent::SetScreenMode {
                channel,
                mode,
            }));
    }
    if let Some(viewer) = live.viewers.last() {
        let _ = viewer
            .tx
            .try_send(ToConsole::Control(ServerToConsole::ScreenMode { mode }));
    }
}
