//! Stable error and audit-event codes. Clients see these codes (never internal
//! error text); the console translates them. Adding a code is fine, renaming or
//! reusing one is a breaking change.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Error codes returned by the HTTP API and sent on WebSockets before a close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Request body or parameters are malformed.
    BadRequest,
    /// Not signed in, or the sign-in expired.
    Unauthenticated,
    /// E-mail or password is wrong.
    InvalidCredentials,
    /// Too many failed sign-ins; try again later.
    Throttled,
    /// Signed in, but not allowed to do this.
    Forbidden,
    /// Missing or wrong CSRF token.
    CsrfMismatch,
    /// The thing does not exist (or belongs to another company).
    NotFound,
    /// The path exists but not with this HTTP method.
    MethodNotAllowed,
    /// The thing already exists or changed under you.
    Conflict,
    /// The enrollment token does not exist or was revoked.
    EnrollmentTokenInvalid,
    /// The enrollment token's expiry has passed.
    EnrollmentTokenExpired,
    /// The enrollment token reached its use limit.
    EnrollmentTokenExhausted,
    /// The agent's key is not known to this server.
    UnknownAgentKey,
    /// The device was revoked by an administrator.
    DeviceRevoked,
    /// The agent's signature did not verify.
    AgentAuthFailed,
    /// The peer speaks another protocol version.
    ProtocolVersion,
    /// A frame or message broke the protocol (malformed, oversized, out of order).
    ProtocolViolation,
    /// The device is not connected.
    DeviceOffline,
    /// The session is over.
    SessionEnded,
    /// The one-time setup link was already used or expired.
    SetupTokenInvalid,
    /// The company's owner can't be removed, disabled, deleted or lose the Administrator role.
    OwnerProtected,
    /// Not allowed on one's own account (disable, remove, delete): ask another administrator.
    NotOnYourself,
    /// Built-in roles can't be changed or deleted.
    BuiltinRole,
    /// The company turned password sign-in off: sign in with single sign-on.
    PasswordSignInDisabled,
    /// The account signs in with a second factor: send the code too.
    SecondFactorRequired,
    /// The second-factor code is wrong, expired or already used.
    SecondFactorInvalid,
    /// The company requires two-factor sign-in: set it up first.
    TwoFactorEnrollmentRequired,
    /// The company requires two-factor sign-in, so it can't be turned off.
    TwoFactorRequiredByCompany,
    /// The address's company signs it in through its identity provider: go to
    /// `/saml/login?email=...` instead of sending a password.
    SingleSignOnRequired,
    /// The identity provider's metadata or settings can't be used (the message
    /// says why: no redirect binding, an unreadable certificate, ...).
    InvalidIdentityProvider,
    /// What was given as an e-mail domain is not a domain name.
    InvalidDomain,
    /// The company has added this single sign-on domain already.
    DomainAlreadyAdded,
    /// The session key is unknown, used or expired.
    SessionKeyInvalid,
    /// The key's company helps only its members: the join needs the ticket the
    /// portal gives a signed-in member.
    JoinTicketRequired,
    /// Clipboard text over the limit (`clipboard::MAX_CLIPBOARD_JSON`).
    ClipboardTooLarge,
    /// Something failed on the server; the log has the detail under the request id.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Throttled => "throttled",
            Self::Forbidden => "forbidden",
            Self::CsrfMismatch => "csrf_mismatch",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::EnrollmentTokenInvalid => "enrollment_token_invalid",
            Self::EnrollmentTokenExpired => "enrollment_token_expired",
            Self::EnrollmentTokenExhausted => "enrollment_token_exhausted",
            Self::UnknownAgentKey => "unknown_agent_key",
            Self::DeviceRevoked => "device_revoked",
            Self::AgentAuthFailed => "agent_auth_failed",
            Self::ProtocolVersion => "protocol_version",
            Self::ProtocolViolation => "protocol_violation",
            Self::DeviceOffline => "device_offline",
            Self::SessionEnded => "session_ended",
            Self::SetupTokenInvalid => "setup_token_invalid",
            Self::OwnerProtected => "owner_protected",
            Self::NotOnYourself => "not_on_yourself",
            Self::BuiltinRole => "builtin_role",
            Self::PasswordSignInDisabled => "password_sign_in_disabled",
            Self::SecondFactorRequired => "second_factor_required",
            Self::SecondFactorInvalid => "second_factor_invalid",
            Self::TwoFactorEnrollmentRequired => "two_factor_enrollment_required",
            Self::TwoFactorRequiredByCompany => "two_factor_required_by_company",
            Self::SingleSignOnRequired => "single_sign_on_required",
            Self::InvalidIdentityProvider => "invalid_identity_provider",
            Self::InvalidDomain => "invalid_domain",
            Self::DomainAlreadyAdded => "domain_already_added",
            Self::SessionKeyInvalid => "session_key_invalid",
            Self::JoinTicketRequired => "join_ticket_required",
            Self::ClipboardTooLarge => "clipboard_too_large",
            Self::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a session ended. Stored with the session and shown in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The technician pressed End session.
    TechnicianEnded,
    /// The technician's browser went away.
    TechnicianDisconnected,
    /// The agent ended it (user closed it on the device, or capture failed).
    AgentEnded,
    /// The agent's connection dropped.
    AgentDisconnected,
    /// The device was revoked while connected.
    DeviceRevoked,
    /// The server stopped (or found the session open after a restart).
    ServerShutdown,
}

impl EndReason {
    /// The reason as stored and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TechnicianEnded => "technician_ended",
            Self::TechnicianDisconnected => "technician_disconnected",
            Self::AgentEnded => "agent_ended",
            Self::AgentDisconnected => "agent_disconnected",
            Self::DeviceRevoked => "device_revoked",
            Self::ServerShutdown => "server_shutdown",
        }
    }

    /// Parses a stored reason.
    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::TechnicianEnded,
            Self::TechnicianDisconnected,
            Self::AgentEnded,
            Self::AgentDisconnected,
            Self::DeviceRevoked,
            Self::ServerShutdown,
        ]
        .into_iter()
        .find(|reason| reason.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_code_string_matches_serde() {
        for code in [ErrorCode::BadRequest, ErrorCode::EnrollmentTokenExhausted] {
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn end_reason_round_trips() {
        for reason in [EndReason::TechnicianEnded, EndReason::ServerShutdown] {
            assert_eq!(EndReason::parse(reason.as_str()), Some(reason));
            let json = serde_json::to_string(&reason).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", reason.as_str()));
        }
        assert_eq!(EndReason::parse("nope"), None);
    }
}
