//! The permission catalogue: every permission a role can carry, with its stable
//! wire name. The console builds its role editor from this list and the server's
//! policy (`reach_core::policy`) decides with it. Add permissions, never rename them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One thing a role may allow.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, JsonSchema,
)]
pub enum Permission {
    /// Start a session with an end user present (attended).
    #[serde(rename = "session.attended")]
    StartAttendedSession,
    /// Start a session on an unattended device (jump).
    #[serde(rename = "session.unattended")]
    StartUnattendedSession,
    /// Open a command shell on the device during a session.
    #[serde(rename = "session.shell")]
    CommandShell,
    /// Send files to the device, optionally only into allowed paths.
    #[serde(rename = "session.upload")]
    UploadFiles,
    /// Fetch files from the device, optionally only from allowed paths.
    #[serde(rename = "session.download")]
    DownloadFiles,
    /// Read the device's system information.
    #[serde(rename = "session.system_info")]
    SystemInformation,
    /// Run elevated (administrator) actions on the device.
    #[serde(rename = "session.elevate")]
    Elevation,
    /// Share a session with, or transfer it to, another technician.
    #[serde(rename = "session.share")]
    ShareSessions,
    /// Invite an external technician into a session.
    #[serde(rename = "session.invite_external")]
    InviteExternalTechnicians,
    /// Enroll, rename, move and revoke devices; manage enrollment tokens.
    #[serde(rename = "devices.manage")]
    ManageDevices,
    /// Create, change, remove and delete users; manage user groups.
    #[serde(rename = "users.manage")]
    ManageUsers,
    /// Create and change roles and policies, and grant them.
    #[serde(rename = "roles.manage")]
    ManageRoles,
    /// See every technician's sessions and connection reports.
    #[serde(rename = "reports.view")]
    ViewReports,
    /// Read the company's event log. Deliberately in no role by default but Administrator.
    #[serde(rename = "event_log.view")]
    ViewEventLog,
    /// Configure single sign-on domains and SCIM provisioning.
    #[serde(rename = "sso.manage")]
    ManageSso,
    /// Create and revoke API tokens.
    #[serde(rename = "api_tokens.manage")]
    ManageApiTokens,
    /// Change the company's settings (two-factor enforcement, sign-in methods, ...).
    #[serde(rename = "company.manage")]
    ManageCompany,
}

impl Permission {
    pub const ALL: [Self; 17] = [
        Self::StartAttendedSession,
        Self::StartUnattendedSession,
        Self::CommandShell,
        Self::UploadFiles,
        Self::DownloadFiles,
        Self::SystemInformation,
        Self::Elevation,
        Self::ShareSessions,
        Self::InviteExternalTechnicians,
        Self::ManageDevices,
        Self::ManageUsers,
        Self::ManageRoles,
        Self::ViewReports,
        Self::ViewEventLog,
        Self::ManageSso,
        Self::ManageApiTokens,
        Self::ManageCompany,
    ];

    /// The name as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StartAttendedSession => "session.attended",
            Self::StartUnattendedSession => "session.unattended",
            Self::CommandShell => "session.shell",
            Self::UploadFiles => "session.upload",
            Self::DownloadFiles => "session.download",
            Self::SystemInformation => "session.system_info",
            Self::Elevation => "session.elevate",
            Self::ShareSessions => "session.share",
            Self::InviteExternalTechnicians => "session.invite_external",
            Self::ManageDevices => "devices.manage",
            Self::ManageUsers => "users.manage",
            Self::ManageRoles => "roles.manage",
            Self::ViewReports => "reports.view",
            Self::ViewEventLog => "event_log.view",
            Self::ManageSso => "sso.manage",
            Self::ManageApiTokens => "api_tokens.manage",
            Self::ManageCompany => "company.manage",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Whether a grant scoped to a device group can carry this permission: it
    /// acts on devices. Company-wide permissions count only from company-wide grants.
    pub fn device_scoped(self) -> bool {
        matches!(
            self,
            Self::StartAttendedSession
                | Self::StartUnattendedSession
                | Self::CommandShell
                | Self::UploadFiles
                | Self::DownloadFiles
                | Self::SystemInformation
                | Self::Elevation
                | Self::ShareSessions
                | Self::InviteExternalTechnicians
                | Self::ManageDevices
        )
    }
}

/// The roles every company starts with. Their permissions are defined here, not
/// stored, so they cannot be edited into a lock-out; companies add their own roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BuiltinRole {
    /// Every permission, including ones added in later versions.
    Administrator,
    /// Gives support: sessions with the usual tools, no administration.
    Technician,
}

impl BuiltinRole {
    pub const ALL: [Self; 2] = [Self::Administrator, Self::Technician];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Technician => "technician",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The display name a company sees (its own roles have names it chose).
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Administrator => "Administrator",
            Self::Technician => "Technician",
        }
    }

    pub fn permissions(self) -> Vec<Permission> {
        match self {
            Self::Administrator => Permission::ALL.to_vec(),
            Self::Technician => vec![
                Permission::StartAttendedSession,
                Permission::StartUnattendedSession,
                Permission::CommandShell,
                Permission::UploadFiles,
                Permission::DownloadFiles,
                Permission::SystemInformation,
                Permission::ShareSessions,
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for permission in Permission::ALL {
            assert!(seen.insert(permission.as_str()));
            assert_eq!(Permission::parse(permission.as_str()), Some(permission));
            let json = serde_json::to_string(&permission).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", permission.as_str()));
        }
        for role in BuiltinRole::ALL {
            assert_eq!(BuiltinRole::parse(role.as_str()), Some(role));
        }
    }

    #[test]
    fn technicians_do_not_read_the_event_log_by_default() {
        assert!(!BuiltinRole::Technician
            .permissions()
            .contains(&Permission::ViewEventLog));
        assert!(BuiltinRole::Administrator
            .permissions()
            .contains(&Permission::ViewEventLog));
    }
}
