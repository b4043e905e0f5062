//! How a principal's role grants combine into what they may do. Permissions are
//! the union of every grant that applies; restrictions (view-only, path
//! allow-lists) are the most restrictive of the grants that carry the permission
//! they restrict. docs/rfd/0003-identity-and-access.md states the rule in words.

use std::collections::BTreeSet;

use reach_proto::access::Permission;

/// Where a grant applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere in the company.
    Company,
    /// Only on the devices of this device group (its id).
    DeviceGroup(String),
}

/// Limits a role puts on the permissions it carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restrictions {
    /// Sessions started through this role show the screen but send no input.
    pub view_only: bool,
    /// Absolute paths uploads may go into; `None` means anywhere.
    pub upload_paths: Option<Vec<String>>,
    /// Absolute paths downloads may come from; `None` means anywhere.
    pub download_paths: Option<Vec<String>>,
}

/// One role granted to a user (directly or through a group), with its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub permissions: BTreeSet<Permission>,
    pub restrictions: Restrictions,
    pub scope: Scope,
}

impl Grant {
    fn covers_device(&self, device_group_id: Option<&str>) -> bool {
        match &self.scope {
            Scope::Company => true,
            Scope::DeviceGroup(group) => device_group_id == Some(group.as_str()),
        }
    }

    /// The permissions this grant gives on a device it covers: a grant scoped to
    /// a device group gives only permissions that act on devices.
    fn device_permissions(&self) -> impl Iterator<Item = Permission> + '_ {
        let scoped = matches!(self.scope, Scope::DeviceGroup(_));
        self.permissions
            .iter()
            .copied()
            .filter(move |p| !scoped || p.device_scoped())
    }

    fn starts_sessions(&self) -> bool {
        self.permissions.contains(&Permission::StartAttendedSession)
            || self
                .permissions
                .contains(&Permission::StartUnattendedSession)
    }
}

/// Permissions that apply company-wide: the union of the company-wide grants.
pub fn company_permissions(grants: &[Grant]) -> BTreeSet<Permission> {
    grants
        .iter()
        .filter(|g| g.scope == Scope::Company)
        .flat_map(|g| g.permissions.iter().copied())
        .collect()
}

/// What a principal may do on one device.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceAccess {
    pub permissions: BTreeSet<Permission>,
    /// True when any grant that lets them start a session here is view-only.
    pub view_only: bool,
    upload: PathRule,
    download: PathRule,
}

impl DeviceAccess {
    /// Combines every grant that covers a device in `device_group_id`.
    pub fn combine(grants: &[Grant], device_group_id: Option<&str>) -> Self {
        let mut access = Self::default();
        for grant in grants.iter().filter(|g| g.covers_device(device_group_id)) {
            let permissions: Vec<Permission> = grant.device_permissions().collect();
            if permissions.is_empty() {
                continue;
            }
            access.permissions.extend(permissions.iter().copied());
            if grant.starts_sessions() && grant.restrictions.view_only {
                access.view_only = true;
            }
            if permissions.contains(&Permission::UploadFiles) {
                access.upload.restrict(&grant.restrictions.upload_paths);
            }
            if permissions.contains(&Permission::DownloadFiles) {
                access.download.restrict(&grant.restrictions.download_paths);
            }
        }
        access
    }

    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    pub fn may_upload_to(&self, path: &str) -> bool {
        self.has(Permission::UploadFiles) && self.upload.allows(path)
    }

    pub fn may_download_from(&self, path: &str) -> bool {
        self.has(Permission::DownloadFiles) && self.download.allows(path)
    }
}

/// Path allow-lists that must all agree: a path is allowed when, for every list,
/// it is one of the list's entries or lies beneath one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct PathRule {
    lists: Vec<Vec<Vec<String>>>,
}

impl PathRule {
    fn restrict(&mut self, list: &Option<Vec<String>>) {
        if let Some(list) = list {
            self.lists
                .push(list.iter().filter_map(|p| path_components(p)).collect());
        }
    }

    fn allows(&self, path: &str) -> bool {
        let Some(path) = path_components(path) else {
            return false;
        };
        self.lists
            .iter()
            .all(|list| list.iter().any(|prefix| path.starts_with(prefix)))
    }
}

/// The components of an absolute path, or `None` for a relative path or one that
/// climbs with `..` (which could escape any prefix). Both separators are accepted
/// so Windows paths are compared the same way.
fn path_components(path: &str) -> Option<Vec<String>> {
    let absolute = path.starts_with('/')
        || path.starts_with('\\')
        || path.get(1..3).is_some_and(|s| s == ":\\" || s == ":/");
    if !absolute {
        return None;
    }
    let mut components = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return None,
            part => components.push(part.to_string()),
        }
    }
    Some(components)
}

/// Checks an allow-list entry as typed by an administrator.
pub fn valid_allowed_path(path: &str) -> bool {
    path_components(path).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(permissions: &[Permission], scope: Scope, restrictions: Restrictions) -> Grant {
        Grant {
            permissions: permissions.iter().copied().collect(),
            restrictions,
            scope,
        }
    }

    fn paths(list: &[&str]) -> Option<Vec<String>> {
        Some(list.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn permissions_are_the_union_of_covering_grants() {
        let grants = [
            grant(
                &[Permission::StartUnattendedSession],
                Scope::Company,
                Restrictions::default(),
            ),
            grant(
                &[Permission::CommandShell],
                Scope::DeviceGroup("servers".into()),
                Restrictions::default(),
            ),
        ];
        let server = DeviceAccess::combine(&grants, Some("servers"));
        assert!(server.has(Permission::StartUnattendedSession));
        assert!(server.has(Permission::CommandShell));
        let laptop = DeviceAccess::combine(&grants, Some("laptops"));
        assert!(laptop.has(Permission::StartUnattendedSession));
        assert!(!laptop.has(Permission::CommandShell));
        let ungrouped = DeviceAccess::combine(&grants, None);
        assert!(!ungrouped.has(Permission::CommandShell));
    }

    #[test]
    fn a_scoped_grant_gives_no_company_permission() {
        let grants = [grant(
            &[Permission::ManageUsers, Permission::CommandShell],
            Scope::DeviceGroup("servers".into()),
            Restrictions::default(),
        )];
        assert!(company_permissions(&grants).is_empty());
        let access = DeviceAccess::combine(&grants, Some("servers"));
        assert!(access.has(Permission::CommandShell));
        assert!(!access.has(Permission::ManageUsers));
    }

    #[test]
    fn view_only_wins_where_it_applies() {
        let full = grant(
            &[Permission::StartUnattendedSession],
            Scope::Company,
            Restrictions::default(),
        );
        let watch = grant(
            &[Permission::StartUnattendedSession],
            Scope::DeviceGroup("kiosks".into()),
            Restrictions {
                view_only: true,
                ..Restrictions::default()
            },
        );
        let grants = [full, watch];
        assert!(DeviceAccess::combine(&grants, Some("kiosks")).view_only);
        assert!(!DeviceAccess::combine(&grants, Some("desks")).view_only);
    }

    #[test]
    fn view_only_on_a_role_without_sessions_restricts_nothing() {
        let grants = [
            grant(
                &[Permission::StartUnattendedSession],
                Scope::Company,
                Restrictions::default(),
            ),
            grant(
                &[Permission::SystemInformation],
                Scope::Company,
                Restrictions {
                    view_only: true,
                    ..Restrictions::default()
                },
            ),
        ];
        assert!(!DeviceAccess::combine(&grants, None).view_only);
    }

    #[test]
    fn every_allow_list_must_agree() {
        let anywhere = grant(
            &[Permission::UploadFiles],
            Scope::Company,
            Restrictions::default(),
        );
        let tmp_or_home = grant(
            &[Permission::UploadFiles],
            Scope::Company,
            Restrictions {
                upload_paths: paths(&["/tmp", "/home/ann"]),
                ..Restrictions::default()
            },
        );
        let home = grant(
            &[Permission::UploadFiles],
            Scope::Company,
            Restrictions {
                upload_paths: paths(&["/home"]),
                ..Restrictions::default()
            },
        );
        let only_anywhere = DeviceAccess::combine(std::slice::from_ref(&anywhere), None);
        assert!(only_anywhere.may_upload_to("/etc/passwd"));
        let restricted = DeviceAccess::combine(&[anywhere.clone(), tmp_or_home.clone()], None);
        assert!(restricted.may_upload_to("/tmp/report.txt"));
        assert!(restricted.may_upload_to("/home/ann"));
        assert!(!restricted.may_upload_to("/home/annex/x"));
        assert!(!restricted.may_upload_to("/etc/passwd"));
        assert!(!restricted.may_upload_to("/tmp/../etc/passwd"));
        assert!(!restricted.may_upload_to("tmp/relative"));
        let both = DeviceAccess::combine(&[tmp_or_home, home], None);
        assert!(both.may_upload_to("/home/ann/x"));
        assert!(!both.may_upload_to("/tmp/x"));
        // Download rights are separate from upload rights.
        assert!(!both.may_download_from("/home/ann/x"));
    }

    #[test]
    fn windows_paths_compare_by_component() {
        let grants = [grant(
            &[Permission::DownloadFiles],
            Scope::Company,
            Restrictions {
                download_paths: paths(&["C:\\Users\\Public"]),
                ..Restrictions::default()
            },
        )];
        let access = DeviceAccess::combine(&grants, None);
        assert!(access.may_download_from("C:\\Users\\Public\\log.txt"));
        assert!(!access.may_download_from("C:\\Users\\Admin\\secret.txt"));
        assert!(valid_allowed_path("/srv"));
        assert!(!valid_allowed_path("srv"));
        assert!(!valid_allowed_path("/srv/../etc"));
    }
}
