//! Conformance cases for companies, accounts, roles, user groups and grants.

use std::sync::Arc;

use reach_proto::access::{BuiltinRole, Permission};
use reach_store::*;

use super::{unique_id, user, NOW};

fn custom_role(company: &Company, name: &str) -> Role {
    Role {
        id: unique_id(),
        company_id: company.id.clone(),
        name: name.to_string(),
        description: "Helps the shop".into(),
        builtin: None,
        permissions: vec![Permission::StartUnattendedSession, Permission::UploadFiles],
        view_only: true,
        upload_paths: Some(vec!["/srv/drop".into()]),
        download_paths: None,
        created_at: NOW,
    }
}

fn device_group(company: &Company, name: &str) -> DeviceGroup {
    DeviceGroup {
        id: unique_id(),
        company_id: company.id.clone(),
        name: name.to_string(),
        created_at: NOW,
    }
}

fn grant(
    company: &Company,
    role: &Role,
    grantee: Grantee,
    scope: Option<&DeviceGroup>,
) -> RoleGrant {
    RoleGrant {
        id: unique_id(),
        company_id: company.id.clone(),
        role_id: role.id.clone(),
        grantee,
        device_group_id: scope.map(|g| g.id.clone()),
        created_at: NOW,
    }
}

pub async fn companies_start_with_builtin_roles(store: Arc<dyn Store>) {
    let first = store.ensure_default_company("Acme", NOW).await.unwrap();
    let second = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    assert_eq!(second.settings, CompanySettings::default());
    assert_eq!(second.owner_id, None);
    for company in [&first, &second] {
        let roles = store.list_roles(&company.id).await.unwrap();
        let builtins: Vec<_> = roles.iter().filter_map(|r| r.builtin).collect();
        assert_eq!(
            builtins,
            vec![BuiltinRole::Administrator, BuiltinRole::Technician]
        );
        let admin = store
            .builtin_role(&company.id, BuiltinRole::Administrator)
            .await
            .unwrap();
        assert_eq!(admin.effective_permissions(), Permission::ALL.to_vec());
    }
    let names: Vec<_> = store
        .list_companies()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, vec!["Acme", "Globex"]);
    let renamed = store
        .rename_company(&second.id, "Globex Ltd")
        .await
        .unwrap();
    assert_eq!(renamed.name, "Globex Ltd");
    let settings = CompanySettings {
        require_two_factor: true,
        password_sign_in: false,
        tenant_only: false,
        just_in_time: true,
    };
    let changed = store
        .update_company_settings(&second.id, &settings)
        .await
        .unwrap();
    assert_eq!(changed.settings, settings);
    assert_eq!(store.company(&second.id).await.unwrap().settings, settings);
}

pub async fn the_first_administrator_owns_the_company(store: Arc<dyn Store>) {
    let company = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let other = store
        .create_company(&unique_id(), "Other", NOW)
        .await
        .unwrap();
    let admin_role = store
        .builtin_role(&company.id, BuiltinRole::Administrator)
        .await
        .unwrap();
    let tech_role = store
        .builtin_role(&company.id, BuiltinRole::Technician)
        .await
        .unwrap();
    let tech = user(&company, "tech@example.com");
    store
        .create_user(&tech, std::slice::from_ref(&tech_role.id), NOW)
        .await
        .unwrap();
    assert_eq!(store.company(&company.id).await.unwrap().owner_id, None);
    let ann = user(&company, "ann@example.com");
    store
        .create_user(&ann, std::slice::from_ref(&admin_role.id), NOW)
        .await
        .unwrap();
    let bob = user(&company, "bob@example.com");
    store
        .create_user(&bob, std::slice::from_ref(&admin_role.id), NOW)
        .await
        .unwrap();
    assert_eq!(
        store.company(&company.id).await.unwrap().owner_id,
        Some(ann.id.clone())
    );
    // Another company's role is refused, and nothing is left behind.
    let other_role = store
        .builtin_role(&other.id, BuiltinRole::Administrator)
        .await
        .unwrap();
    let eve = user(&company, "eve@example.com");
    assert!(matches!(
        store.create_user(&eve, &[other_role.id], NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.user_by_email("eve@example.com").await,
        Err(StoreError::NotFound)
    ));
}

pub async fn setup_makes_the_operator(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    store
        .create_setup_token("setup", NOW, NOW + 1000)
        .await
        .unwrap();
    let admin = user(&company, "owner@example.com");
    store.complete_setup("setup", NOW, &admin).await.unwrap();
    let stored = store.user(&admin.id).await.unwrap();
    assert!(stored.operator);
    assert_eq!(
        store.company(&company.id).await.unwrap().owner_id,
        Some(admin.id.clone())
    );
    let grants = store.effective_grants(&admin.id).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].role.builtin, Some(BuiltinRole::Administrator));
    assert_eq!(grants[0].device_group_id, None);
}

pub async fn roles_are_named_per_company_and_builtins_are_fixed(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let role = custom_role(&acme, "Shop helper");
    store.create_role(&role).await.unwrap();
    assert_eq!(store.role(&acme.id, &role.id).await.unwrap(), role);
    let mut twin = custom_role(&acme, "Shop helper");
    assert!(matches!(
        store.create_role(&twin).await,
        Err(StoreError::Conflict(_))
    ));
    twin.company_id = globex.id.clone();
    store.create_role(&twin).await.unwrap();
    assert!(matches!(
        store.role(&globex.id, &role.id).await,
        Err(StoreError::NotFound)
    ));

    let mut changed = role.clone();
    changed.name = "Kiosk watcher".into();
    changed.permissions = vec![Permission::StartAttendedSession];
    changed.view_only = false;
    changed.upload_paths = None;
    changed.download_paths = Some(vec!["/var/log".into()]);
    assert_eq!(store.update_role(&changed).await.unwrap(), changed);

    let builtin = store
        .builtin_role(&acme.id, BuiltinRole::Technician)
        .await
        .unwrap();
    let mut edited = builtin.clone();
    edited.permissions = vec![Permission::ManageUsers];
    assert!(matches!(
        store.update_role(&edited).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_role(&acme.id, &builtin.id).await,
        Err(StoreError::NotFound)
    ));

    // Deleting a role takes its grants with it.
    let ann = user(&acme, "ann@example.com");
    store.create_user(&ann, &[], NOW).await.unwrap();
    store
        .create_grant(&grant(&acme, &changed, Grantee::User(ann.id.clone()), None))
        .await
        .unwrap();
    assert_eq!(store.effective_grants(&ann.id).await.unwrap().len(), 1);
    assert!(matches!(
        store.delete_role(&globex.id, &changed.id).await,
        Err(StoreError::NotFound)
    ));
    store.delete_role(&acme.id, &changed.id).await.unwrap();
    assert!(store.effective_grants(&ann.id).await.unwrap().is_empty());
    assert!(store.list_grants(&acme.id).await.unwrap().is_empty());
}

pub async fn groups_and_grants_combine_into_effective_roles(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let ann = user(&acme, "ann@example.com");
    let bob = user(&acme, "bob@example.com");
    let outsider = user(&globex, "eve@globex.example");
    for account in [&ann, &bob, &outsider] {
        store.create_user(account, &[], NOW).await.unwrap();
    }
    let shop = device_group(&acme, "Shop");
    store.create_device_group(&shop).await.unwrap();
    assert!(matches!(
        store
            .create_device_group(&device_group(&acme, "Shop"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let foreign_devices = device_group(&globex, "Shop");
    store.create_device_group(&foreign_devices).await.unwrap();
    assert_eq!(
        store.list_device_groups(&acme.id).await.unwrap(),
        vec![shop.clone()]
    );

    let helpers = UserGroup {
        id: unique_id(),
        company_id: acme.id.clone(),
        name: "Helpers".into(),
        external_id: None,
        member_ids: vec![ann.id.clone(), ann.id.clone()],
        created_at: NOW,
    };
    store.create_user_group(&helpers).await.unwrap();
    assert_eq!(
        store
            .user_group(&acme.id, &helpers.id)
            .await
            .unwrap()
            .member_ids,
        vec![ann.id.clone()]
    );
    // Members and grants never cross companies.
    let mixed = UserGroup {
        id: unique_id(),
        name: "Mixed".into(),
        member_ids: vec![outsider.id.clone()],
        ..helpers.clone()
    };
    assert!(matches!(
        store.create_user_group(&mixed).await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .list_user_groups(&acme.id)
        .await
        .unwrap()
        .iter()
        .all(|g| g.name != "Mixed"));

    let role = custom_role(&acme, "Shop helper");
    store.create_role(&role).await.unwrap();
    let technician = store
        .builtin_role(&acme.id, BuiltinRole::Technician)
        .await
        .unwrap();
    let by_group = grant(
        &acme,
        &role,
        Grantee::Group(helpers.id.clone()),
        Some(&shop),
    );
    store.create_grant(&by_group).await.unwrap();
    assert!(matches!(
        store
            .create_grant(&RoleGrant {
                id: unique_id(),
                ..by_group.clone()
            })
            .await,
        Err(StoreError::Conflict(_))
    ));
    let direct = grant(&acme, &technician, Grantee::User(ann.id.clone()), None);
    store.create_grant(&direct).await.unwrap();
    for foreign in [
        grant(&acme, &role, Grantee::User(outsider.id.clone()), None),
        grant(
            &acme,
            &role,
            Grantee::User(ann.id.clone()),
            Some(&foreign_devices),
        ),
        RoleGrant {
            company_id: globex.id.clone(),
            ..grant(&acme, &role, Grantee::User(outsider.id.clone()), None)
        },
    ] {
        assert!(
            matches!(
                store.create_grant(&foreign).await,
                Err(StoreError::NotFound)
            ),
            "{foreign:?}"
        );
    }
    assert_eq!(
        store.list_grants(&acme.id).await.unwrap(),
        vec![by_group.clone(), direct.clone()]
    );

    let mut effective = store.effective_grants(&ann.id).await.unwrap();
    effective.sort_by(|a, b| a.role.name.cmp(&b.role.name));
    assert_eq!(effective.len(), 2);
    assert_eq!(effective[0].role.id, role.id);
    assert_eq!(effective[0].device_group_id, Some(shop.id.clone()));
    assert_eq!(effective[1].role.builtin, Some(BuiltinRole::Technician));
    assert!(store.effective_grants(&bob.id).await.unwrap().is_empty());

    // Moving members changes who the group's roles reach.
    let renamed = store
        .update_user_group(
            &acme.id,
            &helpers.id,
            "Shop helpers",
            Some(std::slice::from_ref(&bob.id)),
        )
        .await
        .unwrap();
    assert_eq!(renamed.name, "Shop helpers");
    assert_eq!(store.effective_grants(&bob.id).await.unwrap().len(), 1);
    assert_eq!(store.effective_grants(&ann.id).await.unwrap().len(), 1);
    assert!(matches!(
        store
            .update_user_group(&globex.id, &helpers.id, "x", None)
            .await,
        Err(StoreError::NotFound)
    ));
    let removed = store.delete_grant(&acme.id, &direct.id).await.unwrap();
    assert_eq!(removed, direct);
    assert!(store.effective_grants(&ann.id).await.unwrap().is_empty());
    store
        .delete_user_group(&acme.id, &helpers.id)
        .await
        .unwrap();
    assert!(store.effective_grants(&bob.id).await.unwrap().is_empty());
    assert!(store.list_grants(&acme.id).await.unwrap().is_empty());
}

pub async fn removing_a_member_keeps_the_account(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let technician = store
        .builtin_role(&acme.id, BuiltinRole::Technician)
        .await
        .unwrap();
    let ann = user(&acme, "ann@example.com");
    store
        .create_user(&ann, std::slice::from_ref(&technician.id), NOW)
        .await
        .unwrap();
    let session = WebSession {
        token_hash: "ann-sign-in".into(),
        user_id: ann.id.clone(),
        csrf_token: "csrf".into(),
        created_at: NOW,
        expires_at: NOW + 1000,
    };
    store.create_web_session(&session).await.unwrap();
    let updated = store
        .update_user(&acme.id, &ann.id, "Ann Smith", true)
        .await
        .unwrap();
    assert_eq!(updated.display_name, "Ann Smith");
    assert!(updated.disabled);

    let ended = store.remove_from_company(&acme.id, &ann.id).await.unwrap();
    assert_eq!(ended, vec!["ann-sign-in".to_string()]);
    let account = store.user_by_email("ann@example.com").await.unwrap();
    assert_eq!(account.company_id, None);
    assert!(store.effective_grants(&ann.id).await.unwrap().is_empty());
    assert!(store.list_users(&acme.id).await.unwrap().is_empty());
    assert!(matches!(
        store.remove_from_company(&acme.id, &ann.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.update_user(&acme.id, &ann.id, "x", false).await,
        Err(StoreError::NotFound)
    ));
}

pub async fn deleting_an_account_erases_it_but_not_history(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let ann = user(&acme, "ann@example.com");
    store.create_user(&ann, &[], NOW).await.unwrap();
    store
        .create_enrollment_token(&super::new_token(&acme, "t", 1, NOW + 1000, None))
        .await
        .unwrap();
    let device = store
        .enroll_device("t", &super::new_device("key"))
        .await
        .unwrap();
    let record = SessionRecord {
        id: unique_id(),
        company_id: acme.id.clone(),
        device_id: device.id.clone(),
        technician_id: ann.id.clone(),
        started_at: NOW,
        ended_at: None,
        end_reason: None,
        device_group_id: None,
        device_nickname: String::new(),
        technician_name: String::new(),
        attended: false,
        end_user: None,
    };
    store.create_session(&record).await.unwrap();
    store.delete_account(&ann.id, NOW + 5).await.unwrap();
    assert!(matches!(
        store.user_by_email("ann@example.com").await,
        Err(StoreError::NotFound)
    ));
    let erased = store.user(&ann.id).await.unwrap();
    assert!(erased.disabled);
    assert_eq!(erased.company_id, None);
    assert_eq!(erased.password_hash, "");
    assert_eq!(
        store
            .session(&acme.id, &record.id)
            .await
            .unwrap()
            .technician_name,
        "Deleted user"
    );
    // The address is free again, and deleting twice is not found.
    store
        .create_user(&user(&acme, "ann@example.com"), &[], NOW)
        .await
        .unwrap();
    assert!(matches!(
        store.delete_account(&ann.id, NOW + 6).await,
        Err(StoreError::NotFound)
    ));
}
