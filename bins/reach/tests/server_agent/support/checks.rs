//! Checks several test modules share: the code of an agent's refusal, ids that
//! nobody issued, what the event log says about something, and that bad input
//! left the stored devices and sessions as they were.

use reach_agent::AgentError;
use reach_proto::api::{AuditEventView, DeviceView, SessionView};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;

use super::api::Api;
use super::server::TestServer;

/// The error code of an agent's refusal; fails on any other outcome.
pub fn refused_code(result: Result<impl std::fmt::Debug, AgentError>) -> ErrorCode {
    match result {
        Err(AgentError::Refused { code, message }) => {
            assert!(!message.is_empty());
            code
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A session id, device id or key that nobody issued.
pub fn random_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// After bad input: the server answers, and what it had stored is all still there.
pub async fn assert_intact(
    server: &TestServer,
    api: &Api,
    devices: &[&DeviceView],
    sessions: &[&SessionView],
) {
    server.assert_healthy().await;
    let listed = api.devices().await;
    for device in devices {
        let now = listed
            .iter()
            .find(|d| d.id == device.id)
            .unwrap_or_else(|| panic!("device {} vanished", device.id));
        assert_eq!(
            (&now.nickname, now.enrolled_at, now.revoked),
            (&device.nickname, device.enrolled_at, device.revoked),
            "device {} changed",
            device.id
        );
    }
    let history = api.sessions().await;
    for session in sessions {
        let now = history
            .iter()
            .find(|s| s.id == session.id)
            .unwrap_or_else(|| panic!("session {} vanished", session.id));
        assert_eq!(
            (&now.device_id, &now.technician_id, now.started_at),
            (
                &session.device_id,
                &session.technician_id,
                session.started_at
            ),
            "session {} changed",
            session.id
        );
    }
}

/// Adds a technician (the built-in Technician role) to the company straight in
/// the store, as `reach admin user create` would, and returns their signed-in API client.
pub async fn add_technician(server: &TestServer, company_id: &Option<String>, email: &str) -> Api {
    let company_id = company_id
        .as_deref()
        .expect("the administrator has a company");
    let password = "another long password";
    let hash =
        tokio::task::spawn_blocking(move || reach_core::credentials::hash_password(password))
            .await
            .unwrap()
            .unwrap();
    let store = server.open_store().await;
    let role = store
        .builtin_role(company_id, reach_proto::access::BuiltinRole::Technician)
        .await
        .unwrap();
    store
        .create_user(
            &reach_store::User {
                id: random_id(),
                company_id: Some(company_id.to_string()),
                email: email.to_string(),
                display_name: "Technician".into(),
                password_hash: hash,
                operator: false,
                disabled: false,
                created_at: reach_core::now_millis(),
                two_factor_enabled: false,
            },
            &[role.id],
            reach_core::now_millis(),
        )
        .await
        .unwrap();
    let mut tech = server.api();
    tech.login(email, password).await.ok("technician sign-in");
    tech
}

/// The codes of the event log's entries about `target_id`, with who did each.
pub async fn audit_of(api: &Api, target_id: &str) -> Vec<(AuditCode, Option<String>)> {
    let log: Vec<AuditEventView> =
        serde_json::from_value(api.get("/api/audit-events").await.ok("the event log")).unwrap();
    log.into_iter()
        .filter(|event| event.target_id.as_deref() == Some(target_id))
        .map(|event| (event.code, event.actor_id))
        .collect()
}
