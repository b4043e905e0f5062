//! The Reach wire protocol: every type that crosses a process boundary between
//! agent, server, CLI and console. TypeScript declarations for the console are
//! generated from these definitions (`cargo xtask codegen`), never copied by hand.
//!
//! This crate owns shapes and limits only; it must not do I/O or hold policy.

pub mod access;
pub mod api;
pub mod attended;
pub mod audit;
pub mod clipboard;
pub mod codes;
pub mod directory;
pub mod frame;
pub mod input_block;
pub mod messages;
pub mod screen;
pub mod sso;
pub mod typescript;

/// Version of the WebSocket protocol. A peer that announces another version is
/// refused during the handshake with [`codes::ErrorCode::ProtocolVersion`].
/// Version 2 added the screen tools' messages (clipboard, blocking input,
/// pausing, screen modes) and monitors: an agent of version 1 would drop its
/// link on the first of them, so it is refused with "update the agent" instead.
pub const PROTOCOL_VERSION: u32 = 2;

/// Largest control (text) message any peer may send, in bytes.
pub const MAX_CONTROL_MESSAGE: usize = 64 * 1024;

/// Largest bulk (binary) frame any peer may send, in bytes.
pub const MAX_BULK_FRAME: usize = 4 * 1024 * 1024;
