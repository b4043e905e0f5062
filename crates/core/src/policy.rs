//! The one authorization point. Every handler asks [`authorize`] "may this
//! principal do this action on this resource?" and acts on the answer; no handler
//! compares roles or company ids itself. Deny by default: an action is allowed only
//! when a rule below grants it, and never across companies.
//!
//! Roles are deliberately coarse here; scoped roles, device groups and policies
//! extend [`Principal`] and the rules, not the call sites.

use std::fmt;

use thiserror::Error;

/// What a user may do across their company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Manages the company: users, enrollment, devices, and everything a technician does.
    Administrator,
    /// Gives support: sees devices, starts and ends sessions.
    Technician,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::Technician => "technician",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "administrator" => Some(Self::Administrator),
            "technician" => Some(Self::Technician),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who is asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: String,
    pub company_id: String,
    pub role: Role,
}

/// What they want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    ListDevices,
    ConnectDevice,
    RevokeDevice,
    ManageEnrollmentTokens,
    ListSessions,
    /// Send input to, watch, or end a session.
    UseSession,
    /// Read the company's event log.
    ViewEventLog,
}

/// What it is done to: every customer-owned resource belongs to one company and
/// may have an owner (the technician who started a session).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource<'a> {
    pub company_id: &'a str,
    pub owner_id: Option<&'a str>,
}

impl<'a> Resource<'a> {
    /// A resource of `company_id` with no owner (the company's device list, say).
    pub fn company(company_id: &'a str) -> Self {
        Self {
            company_id,
            owner_id: None,
        }
    }

    /// A resource owned by the user `owner_id` inside `company_id`.
    pub fn owned(company_id: &'a str, owner_id: &'a str) -> Self {
        Self {
            company_id,
            owner_id: Some(owner_id),
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
#[error("{role} may not {action:?}")]
pub struct Denied {
    pub role: Role,
    pub action: Action,
}

/// Decides whether `principal` may do `action` on `resource`.
pub fn authorize(
    principal: &Principal,
    action: Action,
    resource: Resource<'_>,
) -> Result<(), Denied> {
    let denied = Denied {
        role: principal.role,
        action,
    };
    if principal.company_id != resource.company_id {
        return Err(denied);
    }
    let allowed = match (principal.role, action) {
        (Role::Administrator, _) => true,
        (Role::Technician, Action::ListDevices | Action::ConnectDevice | Action::ListSessions) => {
            true
        }
        (Role::Technician, Action::UseSession) => {
            resource.owner_id == Some(principal.user_id.as_str())
        }
        (
            Role::Technician,
            Action::RevokeDevice | Action::ManageEnrollmentTokens | Action::ViewEventLog,
        ) => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(denied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(role: Role) -> Principal {
        Principal {
            user_id: "u1".into(),
            company_id: "c1".into(),
            role,
        }
    }

    #[test]
    fn never_across_companies() {
        let admin = principal(Role::Administrator);
        assert!(authorize(&admin, Action::ListDevices, Resource::company("c2")).is_err());
        assert!(authorize(&admin, Action::UseSession, Resource::owned("c2", "u1")).is_err());
    }

    #[test]
    fn technician_rules() {
        let tech = principal(Role::Technician);
        assert!(authorize(&tech, Action::ConnectDevice, Resource::company("c1")).is_ok());
        assert!(authorize(
            &tech,
            Action::ManageEnrollmentTokens,
            Resource::company("c1")
        )
        .is_err());
        assert!(authorize(&tech, Action::RevokeDevice, Resource::company("c1")).is_err());
        assert!(authorize(&tech, Action::ViewEventLog, Resource::company("c1")).is_err());
        assert!(authorize(&tech, Action::UseSession, Resource::owned("c1", "u1")).is_ok());
        assert!(authorize(&tech, Action::UseSession, Resource::owned("c1", "u2")).is_err());
    }

    #[test]
    fn administrator_may_use_any_session_of_the_company() {
        let admin = principal(Role::Administrator);
        assert!(authorize(&admin, Action::UseSession, Resource::owned("c1", "u2")).is_ok());
        assert!(authorize(
            &admin,
            Action::ManageEnrollmentTokens,
            Resource::company("c1")
        )
        .is_ok());
    }

    #[test]
    fn roles_round_trip() {
        for role in [Role::Administrator, Role::Technician] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
