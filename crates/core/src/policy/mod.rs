//! The one authorization point. Every handler asks [`authorize`] "may this
//! principal do this action on this resource?" and acts on the answer; no handler
//! compares roles, permissions or company ids itself. Deny by default: an action
//! is allowed only when a rule below grants it, and never across companies.

mod grants;

use std::collections::BTreeSet;

pub use grants::{
    company_permissions, valid_allowed_path, DeviceAccess, Grant, Restrictions, Scope,
};
use reach_proto::access::Permission;
use thiserror::Error;

/// Who is asking: an account, its company (none after being removed from one),
/// whether it operates the server, and the role grants it holds in its company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub company_id: Option<String>,
    /// Server operators manage companies; it gives no right inside any company.
    pub operator: bool,
    pub grants: Vec<Grant>,
}

impl Principal {
    /// Permissions that hold everywhere in the principal's company.
    pub fn company_permissions(&self) -> BTreeSet<Permission> {
        company_permissions(&self.grants)
    }

    /// What the principal may do on a device of their company in `device_group_id`.
    pub fn device_access(&self, device_group_id: Option<&str>) -> DeviceAccess {
        DeviceAccess::combine(&self.grants, device_group_id)
    }

    /// The same principal with every grant cut down to `scopes` (an API token's).
    pub fn limited_to(mut self, scopes: &BTreeSet<Permission>) -> Self {
        for grant in &mut self.grants {
            grant.permissions.retain(|p| scopes.contains(p));
        }
        self
    }

    fn member_of(&self, company_id: &str) -> bool {
        self.company_id.as_deref() == Some(company_id)
    }
}

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Create, rename and list companies (server operators).
    ManageCompanies,
    /// Open the device list; it then shows only devices passing [`Action::ViewDevice`].
    ListDevices,
    /// See one device: any permission that acts on it.
    ViewDevice,
    StartUnattendedSession,
    StartAttendedSession,
    /// Revoke, rename or move one device.
    ManageDevice,
    ManageEnrollmentTokens,
    /// Create a session key to invite an end user (an attended session).
    CreateSessionKey,
    /// See one's own sessions.
    ListOwnSessions,
    /// See every technician's sessions.
    ViewReports,
    /// Watch a session and end it.
    UseSession,
    /// Send input into a session.
    ControlSession,
    ViewEventLog,
    ManageUsers,
    ManageRoles,
    ManageSso,
    ManageApiTokens,
    ManageCompanySettings,
}

impl Action {
    /// Every action, for tests that walk the whole matrix.
    pub const ALL: [Self; 18] = [
        Self::ManageCompanies,
        Self::ListDevices,
        Self::ViewDevice,
        Self::StartUnattendedSession,
        Self::StartAttendedSession,
        Self::ManageDevice,
        Self::ManageEnrollmentTokens,
        Self::CreateSessionKey,
        Self::ListOwnSessions,
        Self::ViewReports,
        Self::UseSession,
        Self::ControlSession,
        Self::ViewEventLog,
        Self::ManageUsers,
        Self::ManageRoles,
        Self::ManageSso,
        Self::ManageApiTokens,
        Self::ManageCompanySettings,
    ];

    /// The company-wide permission this action needs, for actions on a company.
    fn company_permission(self) -> Option<Permission> {
        Some(match self {
            Self::ManageEnrollmentTokens => Permission::ManageDevices,
            Self::CreateSessionKey => Permission::StartAttendedSession,
            Self::ViewReports => Permission::ViewReports,
            Self::ViewEventLog => Permission::ViewEventLog,
            Self::ManageUsers => Permission::ManageUsers,
            Self::ManageRoles => Permission::ManageRoles,
            Self::ManageSso => Permission::ManageSso,
            Self::ManageApiTokens => Permission::ManageApiTokens,
            Self::ManageCompanySettings => Permission::ManageCompany,
            _ => return None,
        })
    }
}

/// What it is done to. Every customer-owned resource belongs to one company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource<'a> {
    /// The server itself (its companies).
    Server,
    Company(&'a str),
    Device {
        company_id: &'a str,
        device_group_id: Option<&'a str>,
    },
    /// A device joined with a session key: it belongs to no device group, and
    /// only the key's technician may start its session.
    AttendedDevice {
        company_id: &'a str,
        technician_id: &'a str,
    },
    Session {
        company_id: &'a str,
        owner_id: &'a str,
        device_group_id: Option<&'a str>,
    },
    /// A single sign-on domain: its owners manage it without the company-wide
    /// permission (the caller passes them only for console sign-ins; a token
    /// acts by its scopes alone).
    SsoDomain {
        company_id: &'a str,
        owner_ids: &'a [String],
    },
}

impl<'a> Resource<'a> {
    fn company_id(self) -> Option<&'a str> {
        match self {
            Self::Server => None,
            Self::Company(company_id)
            | Self::Device { company_id, .. }
            | Self::AttendedDevice { company_id, .. }
            | Self::Session { company_id, .. }
            | Self::SsoDomain { company_id, .. } => Some(company_id),
        }
    }
}

/// Why an action was refused. `OtherCompany` must look like "not found" to the
/// caller: another company's ids are not even confirmed to exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Denied {
    #[error("the resource belongs to another company")]
    OtherCompany,
    #[error("{action:?} needs the permission {}", permission.as_str())]
    MissingPermission {
        action: Action,
        permission: Permission,
    },
    #[error("{0:?} is for server operators")]
    NotOperator(Action),
    #[error("{0:?} is for the session's owner")]
    NotOwner(Action),
    #[error("the session is view-only")]
    ViewOnly,
    #[error("{0:?} does not apply to this kind of resource")]
    NotApplicable(Action),
}

/// Decides whether `principal` may do `action` on `resource`.
pub fn authorize(
    principal: &Principal,
    action: Action,
    resource: Resource<'_>,
) -> Result<(), Denied> {
    if let Some(company_id) = resource.company_id() {
        if !principal.member_of(company_id) {
            return Err(Denied::OtherCompany);
        }
    }
    let need = |permission: Permission, held: bool| {
        if held {
            Ok(())
        } else {
            Err(Denied::MissingPermission { action, permission })
        }
    };
    match (action, resource) {
        (Action::ManageCompanies, Resource::Server) => {
            if principal.operator {
                Ok(())
            } else {
                Err(Denied::NotOperator(action))
            }
        }
        (Action::ListDevices | Action::ListOwnSessions, Resource::Company(_)) => Ok(()),
        (
            Action::ViewDevice,
            Resource::Device {
                device_group_id, ..
            },
        ) => {
            let access = principal.device_access(device_group_id);
            if access.permissions.is_empty() {
                Err(Denied::MissingPermission {
                    action,
                    permission: Permission::StartUnattendedSession,
                })
            } else {
                Ok(())
            }
        }
        (
            Action::StartUnattendedSession | Action::StartAttendedSession | Action::ManageDevice,
            Resource::Device {
                device_group_id, ..
            },
        ) => {
            let permission = match action {
                Action::StartUnattendedSession => Permission::StartUnattendedSession,
                Action::StartAttendedSession => Permission::StartAttendedSession,
                _ => Permission::ManageDevices,
            };
            need(
                permission,
                principal.device_access(device_group_id).has(permission),
            )
        }
        (Action::ViewDevice, Resource::AttendedDevice { technician_id, .. }) => {
            let access = principal.device_access(None);
            let own =
                technician_id == principal.user_id && access.has(Permission::StartAttendedSession);
            need(
                Permission::ManageDevices,
                own || access.has(Permission::ManageDevices),
            )
        }
        (Action::StartAttendedSession, Resource::AttendedDevice { technician_id, .. }) => {
            if technician_id != principal.user_id {
                return Err(Denied::NotOwner(action));
            }
            need(
                Permission::StartAttendedSession,
                principal
                    .device_access(None)
                    .has(Permission::StartAttendedSession),
            )
        }
        (Action::ManageDevice, Resource::AttendedDevice { .. }) => need(
            Permission::ManageDevices,
            principal.device_access(None).has(Permission::ManageDevices),
        ),
        (
            Action::UseSession | Action::ControlSession,
            Resource::Session {
                owner_id,
                device_group_id,
                ..
            },
        ) => {
            if owner_id != principal.user_id {
                return Err(Denied::NotOwner(action));
            }
            if action == Action::ControlSession
                && principal.device_access(device_group_id).view_only
            {
                return Err(Denied::ViewOnly);
            }
            Ok(())
        }
        (Action::ManageSso, Resource::SsoDomain { owner_ids, .. }) => {
            if owner_ids.contains(&principal.user_id) {
                return Ok(());
            }
            need(
                Permission::ManageSso,
                principal
                    .company_permissions()
                    .contains(&Permission::ManageSso),
            )
        }
        (action, Resource::Company(_)) => match action.company_permission() {
            Some(permission) => need(
                permission,
                principal.company_permissions().contains(&permission),
            ),
            None => Err(Denied::NotApplicable(action)),
        },
        (action, _) => Err(Denied::NotApplicable(action)),
    }
}

#[cfg(test)]
mod tests;
