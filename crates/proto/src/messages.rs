//! Control messages: small typed JSON messages carried in WebSocket text frames.
//! There are three links: agent ⇄ server (`/api/agent/ws`), console ⇄ server for one
//! session (`/api/sessions/{id}/ws`), and the console's live event feed (`/api/events`).
//! Every link starts with a handshake that names [`crate::PROTOCOL_VERSION`].

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::{AuditEventView, DeviceView, SessionView};
use crate::clipboard::ClipboardEvent;
use crate::codes::{EndReason, ErrorCode};
use crate::directory::SsoDomainView;
use crate::input_block::InputBlockState;
use crate::screen::{MonitorLayout, ScreenMode};

/// One input event from the technician, in remote-screen pixel coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputEvent {
    /// The pointer moved.
    PointerMove { x: u16, y: u16 },
    /// A pointer button changed state. Buttons follow X11: 1 left, 2 middle, 3 right.
    PointerButton {
        x: u16,
        y: u16,
        button: u8,
        pressed: bool,
    },
    /// Wheel movement in notches; positive `delta_y` scrolls down.
    Wheel {
        x: u16,
        y: u16,
        delta_x: i16,
        delta_y: i16,
    },
    /// A key changed state. `keysym` is an X11 keysym, so the agent can type the
    /// character the technician meant whatever the device's keyboard layout.
    Key { keysym: u32, pressed: bool },
    /// Release every key and button still held (the console lost focus).
    ReleaseAll,
}

/// Largest width and height of a pointer image; larger ones are refused.
pub const MAX_CURSOR_SIDE: u16 = 256;

/// The pointer's image, sent when it changes so the console draws the pointer
/// itself: moving it costs no screen bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CursorShape {
    pub width: u16,
    pub height: u16,
    /// The hotspot: the pixel of the image that is the pointer's position.
    pub hot_x: u16,
    pub hot_y: u16,
    /// The image as a PNG (8-bit RGBA, `width`×`height`), base64 (standard alphabet).
    pub png: String,
}

impl CursorShape {
    /// Checks the sizes and that `png` is base64 of a PNG file, so a receiver
    /// may put it in a `data:` URL as it is.
    pub fn validate(&self) -> Result<(), String> {
        use base64::Engine as _;
        if self.width == 0
            || self.height == 0
            || self.width > MAX_CURSOR_SIDE
            || self.height > MAX_CURSOR_SIDE
        {
            return Err(format!(
                "a {}x{} pointer image is empty or larger than {MAX_CURSOR_SIDE}",
                self.width, self.height
            ));
        }
        if self.hot_x >= self.width || self.hot_y >= self.height {
            return Err("the pointer's hotspot lies outside its image".into());
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.png)
            .map_err(|_| "the pointer image is not base64".to_string())?;
        if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("the pointer image is not a PNG".into());
        }
        Ok(())
    }
}

/// What the agent reports about the device on every connection.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default, schemars::JsonSchema,
)]
pub struct SystemInfo {
    pub hostname: String,
    /// Operating system name and version, e.g. "Debian GNU/Linux 12 (bookworm)".
    pub os: String,
    /// Non-loopback IP addresses of the device.
    pub ip_addresses: Vec<String>,
    pub agent_version: String,
}

/// Agent → server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentMessage {
    /// First message on the link.
    Hello {
        protocol_version: u32,
        device_id: String,
    },
    /// Answer to [`ServerToAgent::Challenge`]: base64 Ed25519 signature of
    /// [`agent_auth_transcript`].
    Auth { signature: String },
    /// Sent after authentication and whenever it changes.
    SystemInfo { info: SystemInfo },
    /// Liveness; the server answers with [`ServerToAgent::HeartbeatAck`].
    Heartbeat,
    /// Size of the screen streamed on `channel` (sent at start and on resize).
    ScreenInfo {
        channel: u32,
        width: u16,
        height: u16,
    },
    /// The agent ended the session on `channel`.
    SessionEnded { channel: u32, message: String },
    /// The pointer's image changed (sent at start and on every change).
    CursorShape { channel: u32, shape: CursorShape },
    /// The pointer moved, in screen pixels (the hotspot's position).
    CursorMoved { channel: u32, x: u16, y: u16 },
    /// The pointer is on a monitor the stream does not show.
    CursorOffScreen { channel: u32 },
    /// The device's monitors and the one shown (sent at start and on change).
    Monitors { channel: u32, layout: MonitorLayout },
    /// The stream adapted to the link: `level` 0 is the best picture; higher
    /// levels send changing photo-like regions at a lower JPEG quality and
    /// capture less often. Text stays exact at every level.
    StreamAdapted {
        channel: u32,
        level: u8,
        frames_per_second: u8,
        lossy_quality: u8,
    },
    /// The device's clipboard changed, or the technician's text was applied.
    Clipboard { channel: u32, event: ClipboardEvent },
    /// Whether the end user's keyboard and mouse are blocked changed.
    InputBlock {
        channel: u32,
        state: InputBlockState,
    },
}

/// Server → agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerToAgent {
    /// Base64 random nonce to sign.
    Challenge {
        nonce: String,
    },
    /// Authentication succeeded.
    Welcome {
        heartbeat_interval_secs: u32,
    },
    HeartbeatAck,
    /// Start streaming the screen on `channel` and accept its input.
    StartSession {
        channel: u32,
        session_id: String,
        technician: String,
        /// Start with screen sharing paused (the owner paused it before this
        /// channel opened): no capture until [`ServerToAgent::ScreenSharing`].
        #[serde(default)]
        screen_paused: bool,
    },
    /// Stop the session on `channel`.
    EndSession {
        channel: u32,
    },
    Input {
        channel: u32,
        event: InputEvent,
    },
    /// The console painted frame `seq`; the agent may send more.
    FrameAck {
        channel: u32,
        seq: u32,
    },
    /// Send a full frame (the console lost its picture).
    Refresh {
        channel: u32,
    },
    /// Pause (stop capturing and encoding) or resume the screen stream; resuming
    /// starts with a full frame.
    ScreenSharing {
        channel: u32,
        paused: bool,
    },
    /// Make `text` the device's clipboard (checked against
    /// [`crate::clipboard::MAX_CLIPBOARD_JSON`]).
    Clipboard {
        channel: u32,
        text: String,
    },
    /// Block (or give back) the end user's keyboard and mouse.
    BlockInput {
        channel: u32,
        blocked: bool,
    },
    /// Send the screen in `mode` from the next frame on, starting with a full one.
    SetScreenMode {
        channel: u32,
        mode: ScreenMode,
    },
    /// Show the monitor named `monitor`, or every monitor when `None`.
    SelectMonitor {
        channel: u32,
        monitor: Option<String>,
    },
    /// Sent before the server closes the link because of an error.
    Error {
        code: ErrorCode,
        message: String,
    },
}

/// Console → server, on a session link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsoleMessage {
    Hello {
        protocol_version: u32,
    },
    Input {
        event: InputEvent,
    },
    FrameAck {
        seq: u32,
    },
    Refresh,
    /// Change how the screen is sent; only a console in control may.
    SetScreenMode {
        mode: ScreenMode,
    },
    /// Show one monitor of the device (by name), or all of them (`None`); only
    /// a console in control may.
    SelectMonitor {
        monitor: Option<String>,
    },
    /// End the session for everyone.
    End,
    /// Pause or resume screen sharing for the session (needs control rights).
    ScreenSharing {
        paused: bool,
    },
    /// Hold (take back) or release control: while released the server drops this
    /// console's input (needs control rights).
    Control {
        held: bool,
    },
    /// Make `text` the device's clipboard (needs control of the device).
    Clipboard {
        text: String,
    },
    /// Block (or give back) the end user's keyboard and mouse (needs control).
    BlockInput {
        blocked: bool,
    },
}

/// Server → console, on a session link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerToConsole {
    /// The link is attached. With `view_only`, the technician's roles allow
    /// watching this device but not controlling it: input is ignored.
    Ready {
        session_id: String,
        view_only: bool,
    },
    ScreenInfo {
        width: u16,
        height: u16,
    },
    /// The pointer's image (at start, on change, and to a viewer who joins).
    CursorShape {
        shape: CursorShape,
    },
    /// Where the pointer is on the remote screen.
    CursorMoved {
        x: u16,
        y: u16,
    },
    /// The pointer is on a monitor that is not shown.
    CursorOffScreen,
    /// The device's monitors and the one shown: sent on attach and on change.
    Monitors {
        layout: MonitorLayout,
    },
    /// The stream adapted to the link (see `AgentMessage::StreamAdapted`).
    StreamAdapted {
        level: u8,
        frames_per_second: u8,
        lossy_quality: u8,
    },
    /// The session's screen mode: sent on attach and whenever it changes.
    ScreenMode {
        mode: ScreenMode,
    },
    Ended {
        reason: EndReason,
    },
    Error {
        code: ErrorCode,
        message: String,
    },
    /// The session's screen tools as the server holds them: sent after `ready`
    /// and whenever one changes. `control_released`: the owner gave up control,
    /// so input is dropped until they take it back.
    SessionState {
        screen_paused: bool,
        control_released: bool,
    },
    /// About the device's clipboard (sent only to a console that controls it).
    Clipboard {
        event: ClipboardEvent,
    },
    /// Whether the end user's keyboard and mouse are blocked.
    InputBlock {
        state: InputBlockState,
    },
    /// The server refused a request of this link; unlike `error`, the link
    /// stays open and nothing changed.
    Refused {
        code: ErrorCode,
        message: String,
    },
}

/// Server → console, on the live event feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsoleEvent {
    /// A device appeared or changed (status, name, addresses).
    DeviceChanged { device: DeviceView },
    /// A session started or ended.
    SessionChanged { session: SessionView },
    /// An event was added to the event log (sent only to those who may read it).
    AuditRecorded { event: AuditEventView },
    /// A single sign-on domain was added, changed state or was removed (sent to
    /// those who manage single sign-on).
    SsoDomainChanged {
        domain: SsoDomainView,
        removed: bool,
    },
}

/// The bytes an agent signs to prove it holds its device key. Binding the server's
/// key fingerprint means a signature made for one server is useless to another.
pub fn agent_auth_transcript(nonce: &[u8], server_key_sha256: &[u8], device_id: &str) -> Vec<u8> {
    const DOMAIN: &[u8] = b"reach-agent-auth-v1\0";
    let mut out = Vec::with_capacity(
        DOMAIN.len() + nonce.len() + server_key_sha256.len() + device_id.len() + 2,
    );
    out.extend_from_slice(DOMAIN);
    for part in [nonce, server_key_sha256, device_id.as_bytes()] {
        out.extend_from_slice(&(part.len() as u16).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_use_snake_case_tags() {
        let json = serde_json::to_string(&ConsoleMessage::Input {
            event: InputEvent::Key {
                keysym: 0x61,
                pressed: true,
            },
        })
        .unwrap_or_default();
        assert_eq!(
            json,
            r#"{"type":"input","event":{"kind":"key","keysym":97,"pressed":true}}"#
        );
    }

    #[test]
    fn unknown_message_is_an_error() {
        assert!(serde_json::from_str::<AgentMessage>(r#"{"type":"rm_rf"}"#).is_err());
    }

    #[test]
    fn transcript_separates_fields() {
        assert_ne!(
            agent_auth_transcript(b"ab", b"c", "d"),
            agent_auth_transcript(b"a", b"bc", "d")
        );
    }
}
