//! Stored records, as the rest of the server sees them.

use reach_core::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub company_id: String,
    /// Normalized (trimmed, lowercase).
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    /// A `reach_core::policy::Role` name.
    pub role: String,
    pub disabled: bool,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub token_hash: String,
    pub user_id: String,
    pub company_id: String,
    pub csrf_token: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrollmentToken {
    pub id: String,
    pub company_id: String,
    pub token_hash: String,
    pub device_group: Option<String>,
    pub max_uses: i64,
    pub expires_at: Millis,
    pub created_by: Option<String>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentToken {
    pub id: String,
    pub company_id: String,
    pub device_group: Option<String>,
    pub max_uses: i64,
    pub uses: i64,
    pub expires_at: Millis,
    pub created_by: Option<String>,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}

/// What the agent reports about its machine.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceSystem {
    pub hostname: String,
    pub os: String,
    pub ip_addresses: Vec<String>,
    pub agent_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub id: String,
    pub nickname: String,
    pub public_key: String,
    pub system: DeviceSystem,
    pub enrolled_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: String,
    pub company_id: String,
    pub device_group: Option<String>,
    pub nickname: String,
    pub system: DeviceSystem,
    pub public_key: String,
    pub enrolled_at: Millis,
    pub last_seen: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: String,
    pub company_id: String,
    pub device_id: String,
    pub technician_id: String,
    pub started_at: Millis,
    pub ended_at: Option<Millis>,
    pub end_reason: Option<String>,
    /// Filled in by reads: the device's nickname and technician's display name.
    pub device_nickname: String,
    pub technician_name: String,
}

/// One entry of the append-only event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Assigned by the store, increasing: the log's order.
    pub id: i64,
    pub company_id: String,
    /// A `reach_proto::audit::AuditCode` code, e.g. `R1000I`.
    pub code: String,
    pub at: Millis,
    /// A `reach_proto::audit::ActorKind` name.
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    /// Key/value pairs describing the change.
    pub details: Vec<(String, String)>,
}
