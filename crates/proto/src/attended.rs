//! Attended sessions: a technician's session key, the portal where the end user
//! enters it, and the agent's join call that spends it. Times are Unix milliseconds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::messages::SystemInfo;

/// How many digits a session key has.
pub const SESSION_KEY_DIGITS: usize = 9;

/// Answer to `POST /api/session-keys`. The key is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SessionKeyCreated {
    pub id: String,
    /// Nine digits, without spaces (the console groups them by three).
    pub key: String,
    #[ts(type = "number")]
    pub expires_at: i64,
    /// The portal page with the key filled in, to send to the end user.
    pub portal_url: String,
}

/// `POST /api/portal/keys/check`: the end user typed a key on the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalKeyCheck {
    pub key: String,
}

/// Whether the portal may give the end user the join command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PortalStatus {
    /// The command is in `join`.
    Ready,
    /// The company helps only its members: sign in first.
    SignInRequired,
    /// Signed in, but with an account of another company (or none).
    OtherCompany,
}

/// What the portal shows for a valid key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PortalKeyView {
    pub technician_name: String,
    pub company_name: String,
    #[ts(type = "number")]
    pub expires_at: i64,
    pub status: PortalStatus,
    pub join: Option<PortalJoin>,
}

/// How the end user's machine joins: the command to run, and its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PortalJoin {
    pub server_url: String,
    /// SHA-256 of the server's key, so the joining agent pins it from the start.
    pub server_fingerprint: String,
    /// The one-time join ticket of a signed-in member (tenant-only help), valid
    /// 5 minutes.
    pub ticket: Option<String>,
    #[ts(type = "number | null")]
    pub ticket_expires_at: Option<i64>,
    /// `reach agent join --server ... --fingerprint ... --key ...`
    pub command: String,
}

/// `POST /api/agent/join`: an agent joins one session with a key (and, for a
/// tenant-only company, the ticket the portal gave its signed-in user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentJoinRequest {
    pub key: String,
    #[serde(default)]
    pub ticket: Option<String>,
    /// Base64 Ed25519 public key generated for this one session.
    pub public_key: String,
    pub nickname: String,
    pub system: SystemInfo,
}
