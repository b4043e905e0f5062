//! The device's monitors in the hub: the layout the agent last reported, kept
//! for consoles that join later, and the technician's choice of monitor, kept
//! in the live session so it outlives console links and is given again to a
//! fresh agent channel.
//!
//! It must not decide who may choose: the console link checks that its console
//! controls the session before calling [`Hub::select_monitor`].

use reach_proto::messages::{ServerToAgent, ServerToConsole};
use reach_proto::screen::MonitorLayout;

use super::{AgentEntry, Hub, HubError, LiveSession, ToAgent, ToConsole};

/// Why a monitor could not be chosen.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Hub(#[from] HubError),
    /// The device has not reported its monitors yet, or has no such monitor.
    #[error("the device has no monitor named {0:?}")]
    Unknown(String),
}

impl Hub {
    /// Shows the monitor named `monitor` (or every monitor when `None`): the
    /// agent sends a full picture of it from its next frame.
    pub async fn select_monitor(
        &self,
        session_id: &str,
        monitor: Option<String>,
    ) -> Result<(), MonitorError> {
        let (agent, channel) = self.with_live_channel(session_id, |live, channel| {
            let offered = live
                .monitors
                .as_ref()
                .is_some_and(|layout| layout.offers(monitor.as_deref()));
            if let (false, Some(name)) = (offered, &monitor) {
                return Err(MonitorError::Unknown(name.clone()));
            }
            live.monitor_choice = Some(monitor.clone());
            Ok(channel)
        })?;
        agent
            .send(ToAgent::Control(ServerToAgent::SelectMonitor {
                channel,
                monitor,
            }))
            .await
            .map_err(|_| HubError::DeviceOffline)?;
        Ok(())
    }

    /// The agent reported its monitors on `channel`: every viewer learns them,
    /// and they are kept for viewers who join later.
    pub fn monitors_from_agent(&self, device_id: &str, channel: u32, layout: MonitorLayout) {
        self.with_viewers(device_id, channel, |_, live| {
            for viewer in &mut live.viewers {
                viewer.control(ServerToConsole::Monitors {
                    layout: layout.clone(),
                });
            }
            live.monitors = Some(layout);
        });
    }
}

/// A console just attached to `live` (the last of its viewers): it learns the
/// monitors when they are known, and on a `fresh_channel` the agent is given the
/// technician's earlier choice (it starts every channel on the primary monitor).
pub(super) fn on_attach(live: &LiveSession, agent: &AgentEntry, fresh_channel: bool) {
    if let (Some(channel), Some(monitor)) = (
        live.channel.filter(|_| fresh_channel),
        live.monitor_choice.clone(),
    ) {
        let _ = agent
            .tx
            .try_send(ToAgent::Control(ServerToAgent::SelectMonitor {
                channel,
                monitor,
            }));
    }
    if let (Some(viewer), Some(layout)) = (live.viewers.last(), &live.monitors) {
        let _ = viewer
            .tx
            .try_send(ToConsole::Control(ServerToConsole::Monitors {
                layout: layout.clone(),
            }));
    }
}
