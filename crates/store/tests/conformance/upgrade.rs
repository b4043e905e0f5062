//! Upgrading a database written by the foundation release (migrations 0001 and
//! 0002, one role name per user) keeps every account's rights: administrators
//! get the Administrator role, technicians the Technician role, the first
//! administrator owns the company and operates the server.

use std::path::{Path, PathBuf};

use reach_proto::access::BuiltinRole;
use reach_store::*;
use sqlx::migrate::Migrator;

/// A directory with only the migrations up to and including `0002`.
async fn foundation_migrator(backend: &str) -> (tempfile::TempDir, Migrator) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let dir = tempfile::tempdir().unwrap();
    for name in ["0001_foundation.sql", "0002_audit_events.sql"] {
        std::fs::copy(source.join(name), dir.path().join(name)).unwrap();
    }
    let migrator = Migrator::new(PathBuf::from(dir.path())).await.unwrap();
    (dir, migrator)
}

const SEED: [&str; 7] = [
    "INSERT INTO companies (id, name, created_at) VALUES ('c1', 'Acme', 1)",
    "INSERT INTO users (id, company_id, email, display_name, password_hash, role, created_at) \
     VALUES ('admin', 'c1', 'admin@example.com', 'Admin', 'h', 'administrator', 2)",
    "INSERT INTO users (id, company_id, email, display_name, password_hash, role, created_at) \
     VALUES ('tech', 'c1', 'tech@example.com', 'Tech', 'h', 'technician', 3)",
    "INSERT INTO users (id, company_id, email, display_name, password_hash, role, created_at) \
     VALUES ('admin2', 'c1', 'admin2@example.com', 'Admin 2', 'h', 'administrator', 4)",
    "INSERT INTO devices (id, company_id, nickname, hostname, os, ip_addresses, agent_version, \
     public_key, enrolled_at) VALUES ('d1', 'c1', 'pc', 'pc', 'Linux', '[]', '0.1.0', 'key', 5)",
    "INSERT INTO sessions (id, company_id, device_id, technician_id, started_at) \
     VALUES ('s1', 'c1', 'd1', 'tech', 6)",
    "INSERT INTO web_sessions (token_hash, user_id, company_id, csrf_token, created_at, expires_at) \
     VALUES ('w', 'admin', 'c1', 'x', 7, 8)",
];

async fn check_upgraded(store: &dyn Store) {
    let company = store.company("c1").await.unwrap();
    assert_eq!(company.owner_id.as_deref(), Some("admin"));
    assert!(store.user("admin").await.unwrap().operator);
    assert!(!store.user("admin2").await.unwrap().operator);
    for (user, role) in [
        ("admin", BuiltinRole::Administrator),
        ("admin2", BuiltinRole::Administrator),
        ("tech", BuiltinRole::Technician),
    ] {
        let grants = store.effective_grants(user).await.unwrap();
        assert_eq!(grants.len(), 1, "{user}");
        assert_eq!(grants[0].role.builtin, Some(role), "{user}");
    }
    assert_eq!(store.list_roles("c1").await.unwrap().len(), 2);
    // History still points at its technician; sign-ins were ended by the upgrade.
    let session = store.session("c1", "s1").await.unwrap();
    assert_eq!(session.technician_name, "Tech");
    assert!(matches!(
        store.web_session("w", 0).await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn sqlite_upgrade_keeps_rights() {
    let (_migrations, migrator) = foundation_migrator("sqlite").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reach.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    migrator.run(&pool).await.unwrap();
    for statement in SEED {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = open(path.to_str().unwrap()).await.unwrap();
    check_upgraded(store.as_ref()).await;
}

#[tokio::test]
async fn postgres_upgrade_keeps_rights() {
    let (_migrations, migrator) = foundation_migrator("postgres").await;
    let db = reach_testkit::postgres::database().await.unwrap();
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    migrator.run(&pool).await.unwrap();
    for statement in SEED {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;
    let store = open(&db.url).await.unwrap();
    check_upgraded(store.as_ref()).await;
}
