//! The server's part in the shared clipboard and in blocking the end user's
//! input: relaying a console's requests to the session's agent, relaying the
//! agent's reports back, and writing blocks and unblocks to the event log.
//!
//! Only a console that may control the session (`may_control`, decided by
//! `policy::authorize` when the link attached) may send these requests or see
//! the device's clipboard: [`viewers_may_see`] lists what a view-only console
//! receives, so a message added later stays hidden until someone decides
//! otherwise. This module must not keep state of its own: the agent is the
//! truth about the device's clipboard and devices.

use reach_proto::audit::AuditCode;
use reach_proto::clipboard::{self, ClipboardEvent, MAX_CLIPBOARD_JSON};
use reach_proto::codes::ErrorCode;
use reach_proto::input_block::InputBlockState;
use reach_proto::messages::{ServerToAgent, ServerToConsole};
use reach_store::Device;

use crate::audit::{Actor, Entry};
use crate::hub::HubError;
use crate::AppState;

/// Why a console's request went no further. The link stays open.
#[derive(Debug)]
pub enum Refusal {
    /// The request was wrong or not allowed: tell the console, change nothing.
    Refused(ServerToConsole),
    /// The session or its device is gone (the hub already told the console).
    Hub(HubError),
}

fn refused(code: ErrorCode, message: String) -> Refusal {
    Refusal::Refused(ServerToConsole::Refused { code, message })
}

/// A console asks to make `text` the device's clipboard.
pub async fn clipboard_to_device(
    state: &AppState,
    session_id: &str,
    may_control: bool,
    text: String,
) -> Result<(), Refusal> {
    if !may_control {
        return Err(refused(
            ErrorCode::Forbidden,
            "only a technician who controls the device may use its clipboard".into(),
        ));
    }
    if let Err(len) = clipboard::check_text(&text) {
        return Err(refused(
            ErrorCode::ClipboardTooLarge,
            format!(
                "the text takes {len} bytes; the clipboard carries at most {MAX_CLIPBOARD_JSON}"
            ),
        ));
    }
    state
        .hub
        .to_agent(session_id, |channel| ServerToAgent::Clipboard {
            channel,
            text,
        })
        .await
        .map_err(Refusal::Hub)
}

/// A console asks to block (or give back) the end user's keyboard and mouse.
pub async fn block_input(
    state: &AppState,
    session_id: &str,
    may_control: bool,
    blocked: bool,
) -> Result<(), Refusal> {
    if !may_control {
        return Err(refused(
            ErrorCode::Forbidden,
            "only a technician who controls the device may block the end user's input".into(),
        ));
    }
    state
        .hub
        .to_agent(session_id, |channel| ServerToAgent::BlockInput {
            channel,
            blocked,
        })
        .await
        .map_err(Refusal::Hub)
}

/// Whether a console that only watches may receive `message`. Deny by default:
/// every new message must be placed here on purpose.
pub fn viewers_may_see(message: &ServerToConsole) -> bool {
    match message {
        ServerToConsole::Ready { .. }
        | ServerToConsole::ScreenInfo { .. }
        | ServerToConsole::Ended { .. }
        | ServerToConsole::Error { .. }
        | ServerToConsole::Refused { .. }
        // The pointer, the stream's pace and the tools' state are part of the
        // picture they watch.
        | ServerToConsole::CursorShape { .. }
        | ServerToConsole::CursorMoved { .. }
        | ServerToConsole::CursorOffScreen
        | ServerToConsole::Monitors { .. }
        | ServerToConsole::StreamAdapted { .. }
        | ServerToConsole::ScreenMode { .. }
        | ServerToConsole::SessionState { .. }
        // Watchers see that the end user is blocked: it is part of what they watch.
        | ServerToConsole::InputBlock { .. } => true,
        // What the end user copies is theirs; only a controlling technician sees it.
        ServerToConsole::Clipboard { .. } => false,
    }
}

/// The agent reports about the device's clipboard on `channel`.
pub fn clipboard_from_device(
    state: &AppState,
    device: &Device,
    channel: u32,
    event: ClipboardEvent,
) {
    // The agent keeps the limit; one that does not still cannot push past it.
    let event = match event {
        ClipboardEvent::DeviceText { text } => match clipboard::check_text(&text) {
            Ok(()) => ClipboardEvent::DeviceText { text },
            Err(len) => ClipboardEvent::DeviceTooLarge {
                bytes: u32::try_from(len).unwrap_or(u32::MAX),
            },
        },
        other => other,
    };
    state
        .hub
        .control_from_agent(&device.id, channel, ServerToConsole::Clipboard { event });
}

/// The agent reports whether the end user's input is blocked on `channel`:
/// the console is told and the change is written to the event log.
pub async fn input_block_from_device(
    state: &AppState,
    device: &Device,
    channel: u32,
    block: InputBlockState,
) {
    let Some(record) = state
        .hub
        .session_for_channel(&device.id, channel)
        .and_then(|session_id| state.hub.live_session(&session_id))
    else {
        return;
    };
    state.hub.control_from_agent(
        &device.id,
        channel,
        ServerToConsole::InputBlock { state: block },
    );
    let technician = || Actor::User {
        id: record.technician_id.clone(),
        name: record.technician_name.clone(),
    };
    let (code, actor, by) = match block {
        InputBlockState::Blocked => (AuditCode::InputBlocked, technician(), "technician"),
        InputBlockState::Unblocked => (AuditCode::InputUnblocked, technician(), "technician"),
        InputBlockState::TakenBack => (
            AuditCode::InputUnblocked,
            Actor::Device {
                id: device.id.clone(),
                name: device.nickname.clone(),
            },
            "end_user",
        ),
        InputBlockState::Unavailable => {
            tracing::info!(device_id = %device.id, session_id = %record.id, "the device cannot block its end user's input");
            return;
        }
    };
    let entry = Entry::new(&record.company_id, code, actor)
        .target("session", &record.id, Some(&record.device_nickname))
        .detail("by", by)
        .detail("technician", &record.technician_name);
    crate::audit::record(state, entry).await;
}
