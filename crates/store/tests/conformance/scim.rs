//! Conformance cases for SCIM provisioning storage.

use std::sync::Arc;

use reach_store::*;

use super::{unique_id, user, NOW};

fn scim(user: &User, user_name: &str) -> ScimUser {
    ScimUser {
        user_id: user.id.clone(),
        user_name: user_name.into(),
        attributes: format!(r#"{{"userName":"{user_name}"}}"#),
        updated_at: NOW,
    }
}

pub async fn provisioned_users_are_created_and_changed_whole(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let ada = user(&acme, "ada@acme.example");
    store
        .create_scim_user(&ada, &scim(&ada, "Ada"))
        .await
        .unwrap();
    assert_eq!(
        store.scim_users(&acme.id).await.unwrap(),
        vec![scim(&ada, "Ada")]
    );
    assert!(store.scim_users(&globex.id).await.unwrap().is_empty());

    // userName is unique in the company without regard to case; nothing is created.
    let copy = user(&acme, "copy@acme.example");
    assert!(matches!(
        store.create_scim_user(&copy, &scim(&copy, "ADA")).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.user_by_email("copy@acme.example").await,
        Err(StoreError::NotFound)
    ));
    // In another company the same userName is free.
    let other = user(&globex, "ada@globex.example");
    store
        .create_scim_user(&other, &scim(&other, "ada"))
        .await
        .unwrap();

    // Address, name, state and attributes change together.
    let mut changed = scim(&ada, "ada.lovelace");
    changed.updated_at = NOW + 1;
    let updated = store
        .update_scim_user(&acme.id, "lovelace@acme.example", "Ada L.", true, &changed)
        .await
        .unwrap();
    assert_eq!(
        (
            updated.email.as_str(),
            updated.display_name.as_str(),
            updated.disabled
        ),
        ("lovelace@acme.example", "Ada L.", true)
    );
    assert_eq!(
        store.scim_users(&acme.id).await.unwrap(),
        vec![changed.clone()]
    );
    // Another company's administrator can't reach it; a taken address is refused whole.
    assert!(matches!(
        store
            .update_scim_user(&globex.id, "x@globex.example", "X", false, &changed)
            .await,
        Err(StoreError::NotFound)
    ));
    let bob = user(&acme, "bob@acme.example");
    store
        .create_scim_user(&bob, &scim(&bob, "bob"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .update_scim_user(
                &acme.id,
                "lovelace@acme.example",
                "Bob",
                false,
                &scim(&bob, "bobby")
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store
        .scim_users(&acme.id)
        .await
        .unwrap()
        .iter()
        .any(|s| s.user_name == "bob"));

    // Out of the company, the provisioned attributes go (the account stays).
    store.remove_from_company(&acme.id, &bob.id).await.unwrap();
    assert!(!store
        .scim_users(&acme.id)
        .await
        .unwrap()
        .iter()
        .any(|s| s.user_id == bob.id));
}

pub async fn provisioned_groups_change_whole_and_stay_in_their_company(store: Arc<dyn Store>) {
    let acme = store.ensure_default_company("Acme", NOW).await.unwrap();
    let globex = store
        .create_company(&unique_id(), "Globex", NOW)
        .await
        .unwrap();
    let ada = user(&acme, "ada@acme.example");
    let gus = user(&globex, "gus@globex.example");
    store.create_user(&ada, &[], NOW).await.unwrap();
    store.create_user(&gus, &[], NOW).await.unwrap();
    let group = UserGroup {
        id: unique_id(),
        company_id: acme.id.clone(),
        name: "Engineers".into(),
        external_id: None,
        member_ids: vec![],
        created_at: NOW,
    };
    store.create_user_group(&group).await.unwrap();
    let updated = store
        .update_scim_group(
            &acme.id,
            &group.id,
            "Engineering",
            Some("ext-1"),
            std::slice::from_ref(&ada.id),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            updated.name.as_str(),
            updated.external_id.as_deref(),
            updated.member_ids.clone()
        ),
        ("Engineering", Some("ext-1"), vec![ada.id.clone()])
    );
    // A member of another company: refused, nothing changed.
    assert!(matches!(
        store
            .update_scim_group(
                &acme.id,
                &group.id,
                "Renamed",
                None,
                std::slice::from_ref(&gus.id)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.user_group(&acme.id, &group.id).await.unwrap(),
        updated
    );
    assert!(matches!(
        store
            .update_scim_group(&globex.id, &group.id, "Stolen", None, &[])
            .await,
        Err(StoreError::NotFound)
    ));
}
