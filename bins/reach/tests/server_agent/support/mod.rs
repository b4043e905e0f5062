//! Shared helpers for the server + agent end-to-end tests: a real server on port 0
//! (SQLite in a temporary directory or a throwaway PostgreSQL database), an HTTP
//! client that signs in like the console does, WebSocket clients for the console
//! links, enrolled agents, and the Xvfb test pattern client.
//!
//! Everything waits by polling with short intervals against [`DEADLINE`]; nothing
//! sleeps for long, and a missed deadline fails with what was seen instead.
//!
//! This file only names the parts and re-exports them, so a test needs one
//! `use crate::support::*;`.

mod agent;
mod api;
mod checks;
mod desktop;
mod display;
mod links;
mod scene;
mod server;
mod sso;
mod wait;

pub use agent::*;
pub use api::*;
pub use checks::*;
pub use desktop::*;
pub use display::*;
pub use links::*;
pub use scene::*;
pub use server::*;
pub use sso::*;
pub use wait::*;
