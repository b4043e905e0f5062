use super::*;
use reach_proto::access::BuiltinRole;

fn principal(grants: Vec<Grant>) -> Principal {
    Principal {
        user_id: "u1".into(),
        company_id: Some("c1".into()),
        operator: false,
        grants,
    }
}

fn role(builtin: BuiltinRole, scope: Scope) -> Grant {
    Grant {
        permissions: builtin.permissions().into_iter().collect(),
        restrictions: Restrictions::default(),
        scope,
    }
}

fn device(company_id: &'static str, group: Option<&'static str>) -> Resource<'static> {
    Resource::Device {
        company_id,
        device_group_id: group,
    }
}

fn session<'a>(owner_id: &'a str, group: Option<&'a str>) -> Resource<'a> {
    Resource::Session {
        company_id: "c1",
        owner_id,
        device_group_id: group,
    }
}

#[test]
fn never_across_companies() {
    let admin = principal(vec![role(BuiltinRole::Administrator, Scope::Company)]);
    for action in Action::ALL {
        for resource in [
            Resource::Company("c2"),
            device("c2", None),
            Resource::Session {
                company_id: "c2",
                owner_id: "u1",
                device_group_id: None,
            },
        ] {
            assert_eq!(
                authorize(&admin, action, resource),
                Err(Denied::OtherCompany),
                "{action:?} on {resource:?}"
            );
        }
    }
}

#[test]
fn nothing_without_a_grant() {
    let nobody = principal(vec![]);
    for action in Action::ALL {
        let allowed = [
            Resource::Server,
            Resource::Company("c1"),
            device("c1", None),
            session("u2", None),
        ]
        .into_iter()
        .any(|resource| authorize(&nobody, action, resource).is_ok());
        let always = matches!(action, Action::ListDevices | Action::ListOwnSessions);
        assert_eq!(allowed, always, "{action:?}");
    }
}

#[test]
fn a_removed_account_may_do_nothing_in_its_old_company() {
    let mut removed = principal(vec![role(BuiltinRole::Administrator, Scope::Company)]);
    removed.company_id = None;
    assert_eq!(
        authorize(&removed, Action::ListDevices, Resource::Company("c1")),
        Err(Denied::OtherCompany)
    );
}

#[test]
fn technician_rules() {
    let tech = principal(vec![role(BuiltinRole::Technician, Scope::Company)]);
    assert!(authorize(&tech, Action::StartUnattendedSession, device("c1", None)).is_ok());
    assert!(authorize(&tech, Action::ViewDevice, device("c1", Some("g"))).is_ok());
    for action in [
        Action::ManageEnrollmentTokens,
        Action::ViewEventLog,
        Action::ManageUsers,
        Action::ManageRoles,
        Action::ViewReports,
    ] {
        assert!(matches!(
            authorize(&tech, action, Resource::Company("c1")),
            Err(Denied::MissingPermission { .. })
        ));
    }
    assert!(authorize(&tech, Action::ManageDevice, device("c1", None)).is_err());
    assert!(authorize(&tech, Action::ControlSession, session("u1", None)).is_ok());
    assert_eq!(
        authorize(&tech, Action::UseSession, session("u2", None)),
        Err(Denied::NotOwner(Action::UseSession))
    );
}

#[test]
fn scoped_roles_reach_only_their_device_group() {
    let helper = principal(vec![role(
        BuiltinRole::Technician,
        Scope::DeviceGroup("shop".into()),
    )]);
    assert!(authorize(
        &helper,
        Action::StartUnattendedSession,
        device("c1", Some("shop"))
    )
    .is_ok());
    assert!(authorize(&helper, Action::ViewDevice, device("c1", Some("office"))).is_err());
    assert!(authorize(&helper, Action::ViewDevice, device("c1", None)).is_err());
    // Even a scoped Administrator role gives nothing company-wide.
    let scoped_admin = principal(vec![role(
        BuiltinRole::Administrator,
        Scope::DeviceGroup("shop".into()),
    )]);
    assert!(authorize(
        &scoped_admin,
        Action::ManageDevice,
        device("c1", Some("shop"))
    )
    .is_ok());
    assert!(authorize(&scoped_admin, Action::ManageUsers, Resource::Company("c1")).is_err());
    assert!(authorize(
        &scoped_admin,
        Action::ManageEnrollmentTokens,
        Resource::Company("c1")
    )
    .is_err());
}

#[test]
fn view_only_blocks_input_not_watching() {
    let mut watcher = role(BuiltinRole::Technician, Scope::Company);
    watcher.restrictions.view_only = true;
    let watcher = principal(vec![watcher]);
    assert!(authorize(&watcher, Action::UseSession, session("u1", None)).is_ok());
    assert_eq!(
        authorize(&watcher, Action::ControlSession, session("u1", None)),
        Err(Denied::ViewOnly)
    );
}

#[test]
fn operators_manage_companies_and_nothing_else_by_that() {
    let mut operator = principal(vec![]);
    operator.operator = true;
    assert!(authorize(&operator, Action::ManageCompanies, Resource::Server).is_ok());
    assert!(authorize(&operator, Action::ManageUsers, Resource::Company("c1")).is_err());
    let admin = principal(vec![role(BuiltinRole::Administrator, Scope::Company)]);
    assert_eq!(
        authorize(&admin, Action::ManageCompanies, Resource::Server),
        Err(Denied::NotOperator(Action::ManageCompanies))
    );
}

#[test]
fn actions_on_the_wrong_kind_of_resource_are_refused() {
    let admin = principal(vec![role(BuiltinRole::Administrator, Scope::Company)]);
    assert_eq!(
        authorize(&admin, Action::UseSession, Resource::Company("c1")),
        Err(Denied::NotApplicable(Action::UseSession))
    );
    assert_eq!(
        authorize(&admin, Action::ManageUsers, device("c1", None)),
        Err(Denied::NotApplicable(Action::ManageUsers))
    );
}

#[test]
fn a_token_never_exceeds_its_scopes_or_its_user() {
    let admin = principal(vec![role(BuiltinRole::Technician, Scope::Company)]);
    let scopes = [Permission::StartUnattendedSession, Permission::ManageUsers]
        .into_iter()
        .collect();
    let token = admin.limited_to(&scopes);
    assert!(authorize(&token, Action::StartUnattendedSession, device("c1", None)).is_ok());
    // In scope but not the user's: still refused.
    assert!(authorize(&token, Action::ManageUsers, Resource::Company("c1")).is_err());
    // The user's but out of scope: refused.
    assert!(!token.device_access(None).has(Permission::CommandShell));
}

#[test]
fn a_domain_s_owners_manage_its_single_sign_on_and_nothing_more() {
    let technician = principal(vec![role(BuiltinRole::Technician, Scope::Company)]);
    let owners = ["u1".to_string()];
    let owned = Resource::SsoDomain {
        company_id: "c1",
        owner_ids: &owners,
    };
    let others = Resource::SsoDomain {
        company_id: "c1",
        owner_ids: &[],
    };
    assert!(authorize(&technician, Action::ManageSso, owned).is_ok());
    assert!(matches!(
        authorize(&technician, Action::ManageSso, others),
        Err(Denied::MissingPermission { .. })
    ));
    // Owning a domain grants nothing else on it, nor the company-wide right.
    assert!(authorize(&technician, Action::ManageUsers, owned).is_err());
    assert!(authorize(&technician, Action::ManageSso, Resource::Company("c1")).is_err());
    // An owner's id in another company's domain counts for nothing.
    let foreign = Resource::SsoDomain {
        company_id: "c2",
        owner_ids: &owners,
    };
    assert_eq!(
        authorize(&technician, Action::ManageSso, foreign),
        Err(Denied::OtherCompany)
    );
    // The company-wide permission covers every domain.
    let admin = principal(vec![role(BuiltinRole::Administrator, Scope::Company)]);
    assert!(authorize(&admin, Action::ManageSso, others).is_ok());
}

fn attended(technician_id: &str) -> Resource<'_> {
    Resource::AttendedDevice {
        company_id: "c1",
        technician_id,
    }
}

#[test]
fn attended_devices_belong_to_their_technician() {
    let tech = principal(vec![role(BuiltinRole::Technician, Scope::Company)]);
    assert!(authorize(&tech, Action::CreateSessionKey, Resource::Company("c1")).is_ok());
    assert!(authorize(&tech, Action::ViewDevice, attended("u1")).is_ok());
    assert!(authorize(&tech, Action::StartAttendedSession, attended("u1")).is_ok());
    // Another technician's end user: not visible, not startable.
    assert!(authorize(&tech, Action::ViewDevice, attended("u2")).is_err());
    assert_eq!(
        authorize(&tech, Action::StartAttendedSession, attended("u2")),
        Err(Denied::NotOwner(Action::StartAttendedSession))
    );
    // An attended device is never an unattended one.
    assert_eq!(
        authorize(&tech, Action::StartUnattendedSession, attended("u1")),
        Err(Denied::NotApplicable(Action::StartUnattendedSession))
    );
    assert!(authorize(&tech, Action::ManageDevice, attended("u1")).is_err());
}

#[test]
fn attended_sessions_need_a_company_wide_grant() {
    // A role scoped to a device group does not reach attended devices, which
    // belong to none: neither keys nor sessions.
    let scoped = principal(vec![role(
        BuiltinRole::Technician,
        Scope::DeviceGroup("shop".into()),
    )]);
    assert!(authorize(&scoped, Action::CreateSessionKey, Resource::Company("c1")).is_err());
    assert!(authorize(&scoped, Action::StartAttendedSession, attended("u1")).is_err());
    assert!(authorize(&scoped, Action::ViewDevice, attended("u1")).is_err());
}

#[test]
fn device_managers_see_and_revoke_every_attended_device() {
    let admin = principal(vec![role(BuiltinRole::Administrator, Scope::Company)]);
    assert!(authorize(&admin, Action::ViewDevice, attended("u2")).is_ok());
    assert!(authorize(&admin, Action::ManageDevice, attended("u2")).is_ok());
    assert!(authorize(&admin, Action::StartAttendedSession, attended("u2")).is_err());
    assert_eq!(
        authorize(
            &admin,
            Action::ViewDevice,
            Resource::AttendedDevice {
                company_id: "c2",
                technician_id: "u1"
            }
        ),
        Err(Denied::OtherCompany)
    );
}
