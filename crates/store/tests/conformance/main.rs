//! The storage conformance suite: every case runs against SQLite and PostgreSQL,
//! so both backends behave the same for the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use reach_store::*;

mod access;
mod api_tokens;
mod domains;
mod oidc;
mod saml;
mod scim;
mod session_keys;
mod two_factor;
mod upgrade;

use access::*;
use api_tokens::*;
use domains::*;
use oidc::*;
use saml::*;
use scim::*;
use session_keys::*;
use two_factor::*;

/// An opened store plus whatever keeps its database alive.
struct Opened {
    store: Arc<dyn Store>,
    _sqlite_dir: Option<tempfile::TempDir>,
    _postgres: Option<reach_testkit::postgres::PostgresDatabase>,
}

async fn sqlite() -> Opened {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reach.db");
    Opened {
        store: open(path.to_str().unwrap()).await.unwrap(),
        _sqlite_dir: Some(dir),
        _postgres: None,
    }
}

async fn postgres() -> Opened {
    let db = reach_testkit::postgres::database().await.unwrap();
    Opened {
        store: open(&db.url).await.unwrap(),
        _sqlite_dir: None,
        _postgres: Some(db),
    }
}

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test] async fn $case() {
                let opened = super::sqlite().await;
                super::$case(opened.store.clone()).await
            })*
        }
        mod on_postgres {
            $(#[tokio::test] async fn $case() {
                let opened = super::postgres().await;
                super::$case(opened.store.clone()).await
            })*
        }
    };
}

conformance!(
    default_company_is_created_once,
    users_are_unique_by_email,
    web_sessions_expire,
    setup_link_works_once,
    enrollment_spends_uses_atomically,
    enrollment_refuses_expired_and_revoked_tokens,
    devices_are_scoped_by_company,
    sessions_are_recorded_and_ended_once,
    audit_events_are_listed_newest_first_per_company,
    companies_start_with_builtin_roles,
    the_first_administrator_owns_the_company,
    setup_makes_the_operator,
    roles_are_named_per_company_and_builtins_are_fixed,
    groups_and_grants_combine_into_effective_roles,
    removing_a_member_keeps_the_account,
    deleting_an_account_erases_it_but_not_history,
    two_factor_codes_are_spent_once,
    api_tokens_are_found_by_hash_until_expired_or_revoked,
    a_domain_is_proven_by_one_company,
    domain_owners_are_members_of_its_company,
    identity_providers_belong_to_their_domain_and_company,
    only_verified_domains_sign_in,
    exclusion_lists_are_normalized_and_replaced,
    excluded_groups_are_the_company_s_and_leave_with_the_group,
    requests_are_answered_once_and_assertions_used_once,
    deleting_a_domain_takes_its_single_sign_on_with_it,
    a_replayed_assertion_racing_itself_passes_once,
    oidc_providers_belong_to_their_domain_and_company,
    a_domain_signs_in_through_one_protocol,
    only_verified_domains_sign_in_with_oidc,
    oidc_requests_are_answered_once,
    provisioned_users_are_created_and_changed_whole,
    provisioned_groups_change_whole_and_stay_in_their_company,
    session_keys_join_one_attended_device,
    join_tickets_bind_the_key_to_a_member,
    a_key_raced_by_many_agents_joins_once,
    a_technician_who_left_has_no_usable_keys,
);

const NOW: i64 = 1_700_000_000_000;

fn user(company: &Company, email: &str) -> User {
    User {
        id: unique_id(),
        company_id: Some(company.id.clone()),
        email: email.to_string(),
        display_name: format!("User {email}"),
        password_hash: "$argon2id$stub".to_string(),
        operator: false,
        disabled: false,
        created_at: NOW,
        two_factor_enabled: false,
    }
}

fn unique_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!(
        "id-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

fn new_token(
    company: &Company,
    hash: &str,
    max_uses: i64,
    expires_at: i64,
    group: Option<&str>,
) -> NewEnrollmentToken {
    NewEnrollmentToken {
        id: unique_id(),
        company_id: company.id.clone(),
        token_hash: hash.to_string(),
        device_group: group.map(str::to_string),
        max_uses,
        expires_at,
        created_by: None,
        created_at: NOW,
    }
}

fn new_device(key: &str) -> NewDevice {
    NewDevice {
        id: unique_id(),
        nickname: format!("pc-{key}"),
        public_key: key.to_string(),
        system: DeviceSystem {
            hostname: "host".into(),
            os: "Linux".into(),
            ip_addresses: vec!["10.0.0.5".into(), "fe80::1".into()],
            agent_version: "0.1.0".into(),
        },
        enrolled_at: NOW,
    }
}

async fn default_company_is_created_once(store: Arc<dyn Store>) {
    let first = store.ensure_default_company("Acme", NOW).await.unwrap();
    let again = store
        .ensure_default_company("Other", NOW + 1)
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(store.company(&first.id).await.unwrap().name, "Acme");
    assert!(matches!(
        store.company("nope").await,
        Err(StoreError::NotFound)
    ));
}

async fn users_are_unique_by_email(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    assert_eq!(store.count_users().await.unwrap(), 0);
    let ann = user(&company, "ann@example.com");
    store.create_user(&ann, &[], NOW).await.unwrap();
    let again = user(&company, "ann@example.com");
    assert!(matches!(
        store.create_user(&again, &[], NOW).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.user_by_email("ann@example.com").await.unwrap(), ann);
    assert_eq!(store.user(&ann.id).await.unwrap(), ann);
    assert!(matches!(
        store.user_by_email("bob@example.com").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.count_users().await.unwrap(), 1);
    let bob = user(&company, "bob@example.com");
    store.create_user(&bob, &[], NOW).await.unwrap();
    let listed = store.list_users(&company.id).await.unwrap();
    assert_eq!(listed, vec![ann, bob]);
    assert!(store.list_users("other").await.unwrap().is_empty());
}

async fn web_sessions_expire(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let ann = user(&company, "ann@example.com");
    store.create_user(&ann, &[], NOW).await.unwrap();
    let session = WebSession {
        token_hash: "h1".into(),
        user_id: ann.id.clone(),
        csrf_token: "csrf".into(),
        created_at: NOW,
        expires_at: NOW + 1000,
    };
    store.create_web_session(&session).await.unwrap();
    assert_eq!(store.web_session("h1", NOW + 999).await.unwrap(), session);
    assert!(matches!(
        store.web_session("h1", NOW + 1000).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.delete_expired_web_sessions(NOW + 1000).await.unwrap(),
        1
    );
    store.create_web_session(&session).await.unwrap();
    store.delete_web_session("h1").await.unwrap();
    assert!(matches!(
        store.web_session("h1", NOW).await,
        Err(StoreError::NotFound)
    ));

    // Changing a password signs the user out everywhere else.
    for hash in ["keep", "other-1", "other-2"] {
        let session = WebSession {
            token_hash: hash.into(),
            ..session.clone()
        };
        store.create_web_session(&session).await.unwrap();
    }
    let mut removed = store
        .delete_other_web_sessions(&ann.id, "keep")
        .await
        .unwrap();
    removed.sort();
    assert_eq!(removed, ["other-1", "other-2"]);
    assert!(store.web_session("keep", NOW).await.is_ok());
    store
        .set_password_hash(&ann.id, "$argon2id$new")
        .await
        .unwrap();
    assert_eq!(
        store.user(&ann.id).await.unwrap().password_hash,
        "$argon2id$new"
    );
    assert!(matches!(
        store.set_password_hash("nobody", "x").await,
        Err(StoreError::NotFound)
    ));
}

async fn setup_link_works_once(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    store
        .create_setup_token("s1", NOW, NOW + 1000)
        .await
        .unwrap();
    store
        .create_setup_token("s2", NOW, NOW + 1000)
        .await
        .unwrap();
    let admin = user(&company, "admin@example.com");
    assert!(matches!(
        store.complete_setup("s1", NOW + 1000, &admin).await,
        Err(StoreError::SetupTokenInvalid)
    ));
    assert!(matches!(
        store.complete_setup("nope", NOW, &admin).await,
        Err(StoreError::SetupTokenInvalid)
    ));
    store.complete_setup("s1", NOW + 1, &admin).await.unwrap();
    assert!(matches!(
        store.complete_setup("s1", NOW + 2, &admin).await,
        Err(StoreError::SetupTokenInvalid)
    ));
    // Once a user exists, no other setup link works either.
    let second = user(&company, "eve@example.com");
    assert!(matches!(
        store.complete_setup("s2", NOW + 2, &second).await,
        Err(StoreError::SetupTokenInvalid)
    ));
    assert_eq!(store.count_users().await.unwrap(), 1);
}

async fn enrollment_spends_uses_atomically(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let token = store
        .create_enrollment_token(&new_token(&company, "t1", 2, NOW + 10_000, Some("Kiosks")))
        .await
        .unwrap();
    assert_eq!(token.device_group.as_deref(), Some("Kiosks"));
    // Ten devices race for two uses.
    let mut tasks = Vec::new();
    for i in 0..10 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .enroll_device("t1", &new_device(&format!("k{i}")))
                .await
        }));
    }
    let mut enrolled = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(device) => {
                enrolled += 1;
                assert_eq!(device.device_group.as_deref(), Some("Kiosks"));
                assert_eq!(device.company_id, company.id);
                assert_eq!(device.system.ip_addresses, vec!["10.0.0.5", "fe80::1"]);
            }
            Err(StoreError::EnrollmentTokenExhausted) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(enrolled, 2);
    let listed = store.list_enrollment_tokens(&company.id).await.unwrap();
    assert_eq!(listed[0].uses, 2);
    // A second token in the same group reuses the group.
    let other = store
        .create_enrollment_token(&new_token(&company, "t2", 1, NOW + 10_000, Some("Kiosks")))
        .await
        .unwrap();
    assert_eq!(other.device_group.as_deref(), Some("Kiosks"));
}

async fn enrollment_refuses_expired_and_revoked_tokens(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    store
        .create_enrollment_token(&new_token(&company, "old", 5, NOW, None))
        .await
        .unwrap();
    assert!(matches!(
        store.enroll_device("old", &new_device("a")).await,
        Err(StoreError::EnrollmentTokenExpired)
    ));
    let token = store
        .create_enrollment_token(&new_token(&company, "rev", 5, NOW + 10_000, None))
        .await
        .unwrap();
    let revoked = store
        .revoke_enrollment_token(&company.id, &token.id, NOW)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(NOW));
    assert!(matches!(
        store.enroll_device("rev", &new_device("b")).await,
        Err(StoreError::EnrollmentTokenInvalid)
    ));
    assert!(matches!(
        store.enroll_device("unknown", &new_device("c")).await,
        Err(StoreError::EnrollmentTokenInvalid)
    ));
    assert!(store.list_devices(&company.id).await.unwrap().is_empty());
    // Revoking in another company finds nothing.
    assert!(matches!(
        store.revoke_enrollment_token("other", &token.id, NOW).await,
        Err(StoreError::NotFound)
    ));
    // A failed enrollment of a known key leaves the use unspent.
    let single = store
        .create_enrollment_token(&new_token(&company, "one", 2, NOW + 10_000, None))
        .await
        .unwrap();
    store
        .enroll_device("one", &new_device("same"))
        .await
        .unwrap();
    assert!(matches!(
        store.enroll_device("one", &new_device("same")).await,
        Err(StoreError::Conflict(_))
    ));
    let tokens = store.list_enrollment_tokens(&company.id).await.unwrap();
    let after = tokens.iter().find(|t| t.id == single.id).unwrap();
    assert_eq!(after.uses, 1);
}

async fn devices_are_scoped_by_company(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    store
        .create_enrollment_token(&new_token(&company, "t", 1, NOW + 10_000, None))
        .await
        .unwrap();
    let device = store.enroll_device("t", &new_device("key")).await.unwrap();
    assert_eq!(store.device(&device.id).await.unwrap(), device);
    assert_eq!(
        store
            .device_in_company(&company.id, &device.id)
            .await
            .unwrap(),
        device
    );
    assert!(matches!(
        store.device_in_company("other", &device.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(store.list_devices("other").await.unwrap().is_empty());
    let system = DeviceSystem {
        hostname: "new-host".into(),
        os: "Debian".into(),
        ip_addresses: vec!["192.0.2.1".into()],
        agent_version: "0.2.0".into(),
    };
    store
        .update_device_system(&device.id, &system, NOW + 5)
        .await
        .unwrap();
    let updated = store.device(&device.id).await.unwrap();
    assert_eq!(updated.system, system);
    assert_eq!(updated.last_seen, Some(NOW + 5));
    store.touch_device(&device.id, NOW + 6).await.unwrap();
    assert!(matches!(
        store.revoke_device("other", &device.id, NOW).await,
        Err(StoreError::NotFound)
    ));
    let revoked = store
        .revoke_device(&company.id, &device.id, NOW + 7)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(NOW + 7));
    assert_eq!(revoked.last_seen, Some(NOW + 6));
}

async fn sessions_are_recorded_and_ended_once(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let tech = user(&company, "tech@example.com");
    store.create_user(&tech, &[], NOW).await.unwrap();
    store
        .create_enrollment_token(&new_token(&company, "t", 1, NOW + 10_000, None))
        .await
        .unwrap();
    let device = store.enroll_device("t", &new_device("key")).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..3 {
        let record = SessionRecord {
            id: unique_id(),
            company_id: company.id.clone(),
            device_id: device.id.clone(),
            technician_id: tech.id.clone(),
            started_at: NOW + i,
            ended_at: None,
            end_reason: None,
            device_group_id: None,
            device_nickname: String::new(),
            technician_name: String::new(),
            attended: false,
            end_user: None,
        };
        store.create_session(&record).await.unwrap();
        ids.push(record.id);
    }
    let ended = store
        .end_session(&ids[0], NOW + 100, "technician_ended")
        .await
        .unwrap();
    assert_eq!(ended.ended_at, Some(NOW + 100));
    assert_eq!(ended.end_reason.as_deref(), Some("technician_ended"));
    assert_eq!(ended.device_nickname, device.nickname);
    assert_eq!(ended.technician_name, tech.display_name);
    assert!(matches!(
        store.end_session(&ids[0], NOW + 200, "agent_ended").await,
        Err(StoreError::NotFound)
    ));
    let listed = store.list_sessions(&company.id, None, 2).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].id, ids[2], "newest first");
    let own = store
        .list_sessions(&company.id, Some(&tech.id), 10)
        .await
        .unwrap();
    assert_eq!(own.len(), 3);
    assert!(store
        .list_sessions(&company.id, Some("someone-else"), 10)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        store.session("other", &ids[1]).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .end_open_sessions(NOW + 300, "server_shutdown")
            .await
            .unwrap(),
        2
    );
    let closed = store.session(&company.id, &ids[1]).await.unwrap();
    assert_eq!(closed.end_reason.as_deref(), Some("server_shutdown"));
}

#[tokio::test]
async fn sqlite_reopen_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reach.db");
    let path = path.to_str().unwrap();
    let company_id = {
        let store = open(path).await.unwrap();
        let company = store.ensure_default_company("Acme", NOW).await.unwrap();
        store
            .create_user(&user(&company, "ann@example.com"), &[], NOW)
            .await
            .unwrap();
        company.id
    };
    let store = open(path).await.unwrap();
    assert_eq!(
        store.ensure_default_company("X", NOW).await.unwrap().id,
        company_id
    );
    assert_eq!(store.count_users().await.unwrap(), 1);
    assert_eq!(store.backend(), "sqlite");
}

#[tokio::test]
async fn postgres_reopen_keeps_data() {
    let db = reach_testkit::postgres::database().await.unwrap();
    let company_id = {
        let store = open(&db.url).await.unwrap();
        store.ensure_default_company("Acme", NOW).await.unwrap().id
    };
    let store = open(&db.url).await.unwrap();
    assert_eq!(
        store.ensure_default_company("X", NOW).await.unwrap().id,
        company_id
    );
    assert_eq!(store.backend(), "postgres");
}

#[tokio::test]
async fn bad_locations_are_clear_errors() {
    assert!(open("postgres://nobody@127.0.0.1:1/none").await.is_err());
    assert!(open("/nonexistent-dir/for/sure/reach.db").await.is_err());
}

fn audit(company: &Company, code: &str, at: i64) -> AuditEvent {
    AuditEvent {
        id: 0,
        company_id: company.id.clone(),
        code: code.to_string(),
        at,
        actor_kind: "user".into(),
        actor_id: Some("u1".into()),
        actor_name: "Ann".into(),
        ip: Some("192.0.2.7".into()),
        target_kind: Some("device".into()),
        target_id: Some("d1".into()),
        target_name: Some("pc-1".into()),
        details: vec![("max_uses".into(), "3".into())],
    }
}

async fn audit_events_are_listed_newest_first_per_company(store: Arc<dyn Store>) {
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    let mut ids = Vec::new();
    for (i, code) in ["R1000I", "R2000I", "R3000I"].into_iter().enumerate() {
        let recorded = store
            .record_audit(&audit(&company, code, NOW + i as i64))
            .await
            .unwrap();
        assert_eq!(
            recorded,
            AuditEvent {
                id: recorded.id,
                ..audit(&company, code, NOW + i as i64)
            }
        );
        ids.push(recorded.id);
    }
    assert!(
        ids.windows(2).all(|pair| pair[0] < pair[1]),
        "ids increase: {ids:?}"
    );
    let all = store.list_audit(&company.id, 10, None).await.unwrap();
    let codes: Vec<&str> = all.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, ["R3000I", "R2000I", "R1000I"]);
    let page = store
        .list_audit(&company.id, 1, Some(ids[2]))
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, ids[1]);
    assert!(store
        .list_audit("other", 10, None)
        .await
        .unwrap()
        .is_empty());
}

/// Rewriting history is refused by the database itself.
async fn assert_append_only<DB: sqlx::Database>(pool: &sqlx::Pool<DB>)
where
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
{
    for statement in [
        "UPDATE audit_events SET code = 'R9999I'",
        "DELETE FROM audit_events",
    ] {
        let refused = sqlx::Executor::execute(pool, statement).await;
        assert!(refused.is_err(), "{statement} must be refused");
    }
}

#[tokio::test]
async fn sqlite_audit_log_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reach.db");
    let store = open(path.to_str().unwrap()).await.unwrap();
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    store
        .record_audit(&audit(&company, "R1000I", NOW))
        .await
        .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    assert_append_only(&pool).await;
    assert_eq!(
        store.list_audit(&company.id, 10, None).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn postgres_audit_log_is_append_only() {
    let db = reach_testkit::postgres::database().await.unwrap();
    let store = open(&db.url).await.unwrap();
    let company = store.ensure_default_company("Acme", NOW).await.unwrap();
    store
        .record_audit(&audit(&company, "R1000I", NOW))
        .await
        .unwrap();
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    assert_append_only(&pool).await;
    assert_eq!(
        store.list_audit(&company.id, 10, None).await.unwrap().len(),
        1
    );
}
