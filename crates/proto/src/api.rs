//! JSON bodies of the HTTP API (`/api/...`). Times are Unix milliseconds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::access::Permission;
use crate::audit::{ActorKind, AuditCode};
use crate::codes::{EndReason, ErrorCode};
use crate::messages::SystemInfo;

/// Every error response body. `message` is a safe, human-readable summary; the
/// detail stays in the server log under `request_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub request_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The authenticator's 6-digit code, or a recovery code, for accounts with
    /// two-factor sign-in. Without it such an account gets `second_factor_required`.
    #[serde(default)]
    #[ts(optional)]
    pub code: Option<String>,
}

/// Creates the first administrator from the one-time setup link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SetupRequest {
    pub setup_token: String,
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// `POST /api/auth/password`: the signed-in user changes their password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// The signed-in technician.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UserView {
    pub id: String,
    /// `None` for an operator who belongs to no company.
    pub company_id: Option<String>,
    pub email: String,
    pub display_name: String,
    /// Manages the server's companies.
    pub operator: bool,
    /// What the user may do everywhere in their company (device-group grants
    /// show on the devices they cover).
    pub permissions: Vec<Permission>,
    pub two_factor_enabled: bool,
    /// The company requires two-factor sign-in and this user has not set it up:
    /// until they do, only their account's sign-in settings are reachable.
    pub two_factor_required: bool,
    /// Owns single sign-on domains (and may manage those from the console).
    pub owns_sso_domains: bool,
}

/// `POST /api/auth/two-factor/setup`: a new secret to add to an authenticator.
/// It takes effect once a code from it is confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct TwoFactorSetup {
    /// Base32, for typing into the authenticator by hand.
    pub secret: String,
    /// `otpauth://` URL, shown as a QR code.
    pub otpauth_url: String,
}

/// `POST /api/auth/two-factor/enable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnableTwoFactor {
    pub code: String,
}

/// Answer to enabling: recovery codes, each usable once, shown this once only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct TwoFactorEnabled {
    pub recovery_codes: Vec<String>,
}

/// `POST /api/auth/two-factor/disable`: confirmed with the account's password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisableTwoFactor {
    pub password: String,
}

/// Answer to sign-in and `GET /api/auth/me`. State-changing requests must echo
/// `csrf_token` in the `X-CSRF-Token` header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SignedIn {
    pub user: UserView,
    pub csrf_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceView {
    pub id: String,
    pub nickname: String,
    pub hostname: String,
    pub os: String,
    pub ip_addresses: Vec<String>,
    pub device_group: Option<String>,
    pub online: bool,
    #[ts(type = "number | null")]
    pub last_seen: Option<i64>,
    #[ts(type = "number")]
    pub enrolled_at: i64,
    pub revoked: bool,
    /// For a device joined with a session key: the technician it joined, the
    /// only one who may start its session. None for enrolled devices.
    pub attended_by: Option<String>,
    /// The signed-in end user who joined it (tenant-only help), by address.
    pub end_user: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CreateEnrollmentToken {
    pub max_uses: u32,
    /// Lifetime in seconds from now.
    #[ts(type = "number")]
    pub expires_in_secs: u64,
    /// Device group the enrolled devices join (created if missing).
    pub device_group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct EnrollmentTokenView {
    pub id: String,
    pub max_uses: u32,
    pub uses: u32,
    #[ts(type = "number")]
    pub expires_at: i64,
    pub device_group: Option<String>,
    pub revoked: bool,
    #[ts(type = "number")]
    pub created_at: i64,
}

/// Answer to creating an enrollment token: the secret is shown this once only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct EnrollmentTokenCreated {
    pub token: String,
    pub view: EnrollmentTokenView,
    /// SHA-256 fingerprint of the server key, for `reach agent enroll --fingerprint`.
    pub server_fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct AgentEnrollRequest {
    pub token: String,
    /// Base64 Ed25519 public key generated on the device.
    pub public_key: String,
    pub nickname: String,
    pub system: SystemInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct AgentEnrollResponse {
    pub device_id: String,
    pub company_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CreateSession {
    pub device_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SessionView {
    pub id: String,
    pub device_id: String,
    pub device_nickname: String,
    pub technician_id: String,
    pub technician_name: String,
    #[ts(type = "number")]
    pub started_at: i64,
    #[ts(type = "number | null")]
    pub ended_at: Option<i64>,
    pub end_reason: Option<EndReason>,
    /// The session's device joined with a session key (attended).
    pub attended: bool,
    /// The signed-in end user on an attended device, by address.
    pub end_user: Option<String>,
}

/// One entry of the company's event log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct AuditEventView {
    #[ts(type = "number")]
    pub id: i64,
    pub code: AuditCode,
    #[ts(type = "number")]
    pub at: i64,
    pub actor_kind: ActorKind,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    /// Key/value pairs describing the change.
    pub details: Vec<(String, String)>,
}
