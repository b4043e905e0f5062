//! The registry of audit event codes. Each code is stable, short and ends with
//! its severity (`I` information, `W` warning), like `R1000I`; the console
//! translates codes, and reports filter on them. Add codes, never reuse or rename.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
pub enum AuditCode {
    /// A user signed in.
    #[serde(rename = "R1000I")]
    SignedIn,
    /// A sign-in was refused (wrong password, throttled, disabled account).
    #[serde(rename = "R1001W")]
    SignInFailed,
    /// A user signed out.
    #[serde(rename = "R1002I")]
    SignedOut,
    /// A user account was created.
    #[serde(rename = "R1003I")]
    UserCreated,
    /// A user changed their password.
    #[serde(rename = "R1004I")]
    PasswordChanged,
    /// A user's name or disabled state changed.
    #[serde(rename = "R1005I")]
    UserUpdated,
    /// A user was removed from the company; the account remains.
    #[serde(rename = "R1006I")]
    UserRemovedFromCompany,
    /// A user account was deleted.
    #[serde(rename = "R1007I")]
    AccountDeleted,
    /// A user turned two-factor sign-in on.
    #[serde(rename = "R1008I")]
    TwoFactorEnabled,
    /// Two-factor sign-in was turned off (by the user, or reset by an administrator).
    #[serde(rename = "R1009I")]
    TwoFactorDisabled,
    /// A role was created.
    #[serde(rename = "R1100I")]
    RoleCreated,
    /// A role's name, permissions or restrictions changed.
    #[serde(rename = "R1101I")]
    RoleUpdated,
    /// A role was deleted (with its grants).
    #[serde(rename = "R1102I")]
    RoleDeleted,
    /// A role was granted to a user or user group.
    #[serde(rename = "R1103I")]
    RoleGranted,
    /// A role grant was taken back.
    #[serde(rename = "R1104I")]
    RoleGrantRevoked,
    /// A user group was created.
    #[serde(rename = "R1200I")]
    UserGroupCreated,
    /// A user group was renamed or its members changed.
    #[serde(rename = "R1201I")]
    UserGroupUpdated,
    /// A user group was deleted.
    #[serde(rename = "R1202I")]
    UserGroupDeleted,
    /// A company was created on the server.
    #[serde(rename = "R1300I")]
    CompanyCreated,
    /// A company was renamed.
    #[serde(rename = "R1301I")]
    CompanyRenamed,
    /// A company's settings changed.
    #[serde(rename = "R1302I")]
    CompanySettingsChanged,
    /// An API token was created.
    #[serde(rename = "R1400I")]
    ApiTokenCreated,
    /// An API token was revoked.
    #[serde(rename = "R1401I")]
    ApiTokenRevoked,
    /// A single sign-on domain was added.
    #[serde(rename = "R1500I")]
    SsoDomainAdded,
    /// Verification of a domain started.
    #[serde(rename = "R1501I")]
    DomainVerificationStarted,
    /// A domain's ownership was proven (DNS TXT record found).
    #[serde(rename = "R1502I")]
    DomainVerified,
    /// A domain's verification failed (not found in 24 hours, or proven by another company).
    #[serde(rename = "R1503W")]
    DomainVerificationFailed,
    /// A single sign-on domain was removed.
    #[serde(rename = "R1504I")]
    SsoDomainRemoved,
    /// A domain's SAML identity provider was set or changed.
    #[serde(rename = "R1505I")]
    IdentityProviderConfigured,
    /// A domain's SAML identity provider was removed.
    #[serde(rename = "R1506I")]
    IdentityProviderRemoved,
    /// A new customer identifier was generated for a domain.
    #[serde(rename = "R1507I")]
    CustomerIdentifierGenerated,
    /// A domain's single sign-on exclusion list changed.
    #[serde(rename = "R1508I")]
    SsoExclusionsChanged,
    /// A domain's owners changed.
    #[serde(rename = "R1509I")]
    SsoDomainOwnersChanged,
    /// An enrollment token was created.
    #[serde(rename = "R2000I")]
    EnrollmentTokenCreated,
    /// An enrollment token was revoked.
    #[serde(rename = "R2001I")]
    EnrollmentTokenRevoked,
    /// A device was enrolled.
    #[serde(rename = "R2002I")]
    DeviceEnrolled,
    /// A device was revoked.
    #[serde(rename = "R2003I")]
    DeviceRevoked,
    /// A device group was created.
    #[serde(rename = "R2004I")]
    DeviceGroupCreated,
    /// A session started.
    #[serde(rename = "R3000I")]
    SessionStarted,
    /// A session ended.
    #[serde(rename = "R3001I")]
    SessionEnded,
    /// A technician created a session key to invite an end user.
    #[serde(rename = "R3002I")]
    SessionKeyCreated,
    /// An end user's machine joined with a session key (an attended device).
    #[serde(rename = "R3003I")]
    DeviceJoined,
    /// A technician blocked the end user's keyboard and mouse during a session.
    #[serde(rename = "R3004I")]
    InputBlocked,
    /// The end user's keyboard and mouse work again: the technician gave them
    /// back, or the end user took them back (detail `by`).
    #[serde(rename = "R3005I")]
    InputUnblocked,
    /// A technician paused screen sharing: the device stopped capturing.
    #[serde(rename = "R3006I")]
    ScreenSharingPaused,
    /// A technician resumed screen sharing.
    #[serde(rename = "R3007I")]
    ScreenSharingResumed,
    /// A technician released control: their input is dropped until taken back.
    #[serde(rename = "R3008I")]
    ControlReleased,
    /// A technician took control back.
    #[serde(rename = "R3009I")]
    ControlTakenBack,
}

impl AuditCode {
    pub const ALL: [Self; 48] = [
        Self::SignedIn,
        Self::SignInFailed,
        Self::SignedOut,
        Self::UserCreated,
        Self::PasswordChanged,
        Self::UserUpdated,
        Self::UserRemovedFromCompany,
        Self::AccountDeleted,
        Self::TwoFactorEnabled,
        Self::TwoFactorDisabled,
        Self::RoleCreated,
        Self::RoleUpdated,
        Self::RoleDeleted,
        Self::RoleGranted,
        Self::RoleGrantRevoked,
        Self::UserGroupCreated,
        Self::UserGroupUpdated,
        Self::UserGroupDeleted,
        Self::CompanyCreated,
        Self::CompanyRenamed,
        Self::CompanySettingsChanged,
        Self::ApiTokenCreated,
        Self::ApiTokenRevoked,
        Self::SsoDomainAdded,
        Self::DomainVerificationStarted,
        Self::DomainVerified,
        Self::DomainVerificationFailed,
        Self::SsoDomainRemoved,
        Self::IdentityProviderConfigured,
        Self::IdentityProviderRemoved,
        Self::CustomerIdentifierGenerated,
        Self::SsoExclusionsChanged,
        Self::SsoDomainOwnersChanged,
        Self::EnrollmentTokenCreated,
        Self::EnrollmentTokenRevoked,
        Self::DeviceEnrolled,
        Self::DeviceRevoked,
        Self::DeviceGroupCreated,
        Self::SessionStarted,
        Self::SessionEnded,
        Self::SessionKeyCreated,
        Self::DeviceJoined,
        Self::InputBlocked,
        Self::InputUnblocked,
        Self::ScreenSharingPaused,
        Self::ScreenSharingResumed,
        Self::ControlReleased,
        Self::ControlTakenBack,
    ];

    /// The code as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "R1000I",
            Self::SignInFailed => "R1001W",
            Self::SignedOut => "R1002I",
            Self::UserCreated => "R1003I",
            Self::PasswordChanged => "R1004I",
            Self::UserUpdated => "R1005I",
            Self::UserRemovedFromCompany => "R1006I",
            Self::AccountDeleted => "R1007I",
            Self::TwoFactorEnabled => "R1008I",
            Self::TwoFactorDisabled => "R1009I",
            Self::RoleCreated => "R1100I",
            Self::RoleUpdated => "R1101I",
            Self::RoleDeleted => "R1102I",
            Self::RoleGranted => "R1103I",
            Self::RoleGrantRevoked => "R1104I",
            Self::UserGroupCreated => "R1200I",
            Self::UserGroupUpdated => "R1201I",
            Self::UserGroupDeleted => "R1202I",
            Self::CompanyCreated => "R1300I",
            Self::CompanyRenamed => "R1301I",
            Self::CompanySettingsChanged => "R1302I",
            Self::DeviceGroupCreated => "R2004I",
            Self::ApiTokenCreated => "R1400I",
            Self::ApiTokenRevoked => "R1401I",
            Self::SsoDomainAdded => "R1500I",
            Self::DomainVerificationStarted => "R1501I",
            Self::DomainVerified => "R1502I",
            Self::DomainVerificationFailed => "R1503W",
            Self::SsoDomainRemoved => "R1504I",
            Self::IdentityProviderConfigured => "R1505I",
            Self::IdentityProviderRemoved => "R1506I",
            Self::CustomerIdentifierGenerated => "R1507I",
            Self::SsoExclusionsChanged => "R1508I",
            Self::SsoDomainOwnersChanged => "R1509I",
            Self::EnrollmentTokenCreated => "R2000I",
            Self::EnrollmentTokenRevoked => "R2001I",
            Self::DeviceEnrolled => "R2002I",
            Self::DeviceRevoked => "R2003I",
            Self::SessionStarted => "R3000I",
            Self::SessionEnded => "R3001I",
            Self::SessionKeyCreated => "R3002I",
            Self::DeviceJoined => "R3003I",
            Self::InputBlocked => "R3004I",
            Self::InputUnblocked => "R3005I",
            Self::ScreenSharingPaused => "R3006I",
            Self::ScreenSharingResumed => "R3007I",
            Self::ControlReleased => "R3008I",
            Self::ControlTakenBack => "R3009I",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    User,
    Device,
    /// A company API token (a user's token acts as the user).
    ApiToken,
    /// The server itself or an operator command on the server machine.
    System,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Device => "device",
            Self::ApiToken => "api_token",
            Self::System => "system",
        }
    }

    pub fn parse(kind: &str) -> Option<Self> {
        [Self::User, Self::Device, Self::ApiToken, Self::System]
            .into_iter()
            .find(|k| k.as_str() == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for code in AuditCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {}", code.as_str());
            assert_eq!(AuditCode::parse(code.as_str()), Some(code));
            let json = serde_json::to_string(&code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let severity = code.as_str().chars().last();
            assert!(matches!(severity, Some('I' | 'W')));
        }
    }
}
