//! The Reach agent: runs on a device, enrolls it once, then keeps one outbound
//! TLS WebSocket to the server (pinned to the server's key, never plaintext) and
//! serves sessions on it: screen capture out, input in. Platform code sits behind
//! the [`capture::ScreenCapture`] and [`input::InputInjector`] traits.

mod adapt;
mod block_notice;
pub mod capture;
mod clipboard;
pub mod enroll;
pub mod input;
mod input_block;
pub mod run;
mod session;
pub mod state;
pub mod sysinfo;
pub mod transport;
mod x11_worker;

/// Errors the agent reports to the person running it.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("{0}")]
    State(String),
    #[error(
        "the server presented a different key (expected fingerprint {expected}, got {seen}). \
         This can be a man-in-the-middle attack. If the server's key was deliberately replaced, \
         enroll this device again with the new fingerprint."
    )]
    PinMismatch { expected: String, seen: String },
    #[error("cannot reach the server: {0}")]
    Unreachable(String),
    #[error("the server refused: {message} ({code})")]
    Refused {
        code: reach_proto::codes::ErrorCode,
        message: String,
    },
    #[error("protocol error: {0}")]
    Protocol(String),
}

impl AgentError {
    /// Errors that retrying cannot fix: the run loop stops on them.
    pub fn is_permanent(&self) -> bool {
        use reach_proto::codes::ErrorCode::*;
        matches!(
            self,
            Self::State(_)
                | Self::Refused {
                    code: DeviceRevoked
                        | UnknownAgentKey
                        | AgentAuthFailed
                        | ProtocolVersion
                        | SessionEnded,
                    ..
                }
        )
    }
}
