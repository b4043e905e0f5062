//! Session keys: usable until spent or expired, spent once (also when agents
//! race for one), join tickets bound to the key, attended devices tied to the
//! key's technician and end user.

use std::sync::Arc;

use reach_store::*;

use super::{new_device, unique_id, user, NOW};

const LIFETIME: i64 = 15 * 60 * 1000;

fn new_key(company: &Company, technician: &User, hash: &str) -> NewSessionKey {
    NewSessionKey {
        id: unique_id(),
        company_id: company.id.clone(),
        technician_id: technician.id.clone(),
        key_hash: hash.to_string(),
        created_at: NOW,
        expires_at: NOW + LIFETIME,
    }
}

fn joining(key: &SessionKey, ticket_hash: Option<&str>, public_key: &str, at: i64) -> JoinWithKey {
    let mut device = new_device(public_key);
    device.enrolled_at = at;
    JoinWithKey {
        key_id: key.id.clone(),
        ticket_hash: ticket_hash.map(str::to_string),
        device,
    }
}

pub async fn session_keys_join_one_attended_device(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let tech = user(&company, "tech@example.com");
    store.create_user(&tech, &[], NOW).await.unwrap();
    store
        .create_session_key(&new_key(&company, &tech, "k1"))
        .await
        .unwrap();
    // Two usable keys never share digits; a spent or expired one frees them.
    assert!(matches!(
        store
            .create_session_key(&new_key(&company, &tech, "k1"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let key = store.usable_session_key("k1", NOW + 1).await.unwrap();
    assert_eq!(key.company_name, "Acme");
    assert_eq!(key.technician_id, tech.id);
    assert_eq!(key.technician_name, tech.display_name);
    assert!(key.tenant_only, "tenant-only help is on by default");
    assert!(matches!(
        store.usable_session_key("k1", NOW + LIFETIME).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.usable_session_key("nope", NOW).await,
        Err(StoreError::NotFound)
    ));

    let device = store
        .join_with_session_key(&joining(&key, None, "pk-1", NOW + 2))
        .await
        .unwrap();
    assert_eq!(device.company_id, company.id);
    assert_eq!(device.attended_by.as_deref(), Some(tech.id.as_str()));
    assert_eq!(device.end_user, None);
    assert_eq!(device.device_group_id, None);
    // Spent: neither usable nor joinable again.
    assert!(matches!(
        store.usable_session_key("k1", NOW + 3).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .join_with_session_key(&joining(&key, None, "pk-2", NOW + 3))
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .create_session_key(&new_key(&company, &tech, "k1"))
        .await
        .unwrap();

    // The session on it reads as attended.
    let record = SessionRecord {
        id: unique_id(),
        company_id: company.id.clone(),
        device_id: device.id.clone(),
        technician_id: tech.id.clone(),
        started_at: NOW + 4,
        ended_at: None,
        end_reason: None,
        device_group_id: None,
        device_nickname: String::new(),
        technician_name: String::new(),
        attended: true,
        end_user: None,
    };
    store.create_session(&record).await.unwrap();
    let stored = store.session(&company.id, &record.id).await.unwrap();
    assert!(stored.attended);
    assert_eq!(stored.end_user, None);
}

pub async fn join_tickets_bind_the_key_to_a_member(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let tech = user(&company, "tech@example.com");
    let ann = user(&company, "ann@example.com");
    store.create_user(&tech, &[], NOW).await.unwrap();
    store.create_user(&ann, &[], NOW).await.unwrap();
    store
        .create_session_key(&new_key(&company, &tech, "k2"))
        .await
        .unwrap();
    let key = store.usable_session_key("k2", NOW).await.unwrap();
    store
        .issue_join_ticket(&key.id, &ann.id, "t-old", NOW + 1000, NOW)
        .await
        .unwrap();
    // A new ticket replaces the old one.
    store
        .issue_join_ticket(&key.id, &ann.id, "t-new", NOW + 1000, NOW + 1)
        .await
        .unwrap();
    for (ticket, at) in [
        ("t-old", NOW + 2),
        ("t-new", NOW + 1000),
        ("other", NOW + 2),
    ] {
        assert!(
            matches!(
                store
                    .join_with_session_key(&joining(&key, Some(ticket), "pk-3", at))
                    .await,
                Err(StoreError::NotFound)
            ),
            "{ticket} at {at}"
        );
    }
    // A refused join spent nothing.
    let device = store
        .join_with_session_key(&joining(&key, Some("t-new"), "pk-3", NOW + 3))
        .await
        .unwrap();
    assert_eq!(device.end_user.as_deref(), Some("ann@example.com"));
    assert_eq!(device.end_user_id.as_deref(), Some(ann.id.as_str()));
    assert!(matches!(
        store
            .issue_join_ticket(&key.id, &ann.id, "t-late", NOW + 1000, NOW + 4)
            .await,
        Err(StoreError::NotFound)
    ));
    let listed = store.list_devices(&company.id).await.unwrap();
    assert_eq!(listed[0].end_user.as_deref(), Some("ann@example.com"));
}

pub async fn a_key_raced_by_many_agents_joins_once(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let tech = user(&company, "tech@example.com");
    store.create_user(&tech, &[], NOW).await.unwrap();
    store
        .create_session_key(&new_key(&company, &tech, "k3"))
        .await
        .unwrap();
    let key = store.usable_session_key("k3", NOW).await.unwrap();
    let attempts = (0..8).map(|i| {
        let store = store.clone();
        let join = joining(&key, None, &format!("race-{i}"), NOW + 1);
        tokio::spawn(async move { store.join_with_session_key(&join).await })
    });
    let mut joined = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => joined += 1,
            Err(StoreError::NotFound) => {}
            // SQLite may report the loser of a write race as busy: still no second device.
            Err(StoreError::Database(_)) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(joined, 1);
    assert_eq!(store.list_devices(&company.id).await.unwrap().len(), 1);
}

pub async fn a_technician_who_left_has_no_usable_keys(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let tech = user(&company, "tech@example.com");
    store.create_user(&tech, &[], NOW).await.unwrap();
    store
        .create_session_key(&new_key(&company, &tech, "k4"))
        .await
        .unwrap();
    store
        .remove_from_company(&company.id, &tech.id)
        .await
        .unwrap();
    assert!(matches!(
        store.usable_session_key("k4", NOW).await,
        Err(StoreError::NotFound)
    ));
}
