//! Enrollment refused: expired, exhausted, unknown and revoked tokens, and a
//! malformed key. A refusal writes no agent state and spends no use.

use std::time::Duration;

use reach_agent::state::AgentState;
use reach_proto::api::EnrollmentTokenView;
use reach_proto::codes::ErrorCode;
use reqwest::Method;
use serde_json::json;

use crate::support::*;

on_both_backends!(
    expired_enrollment_token_is_refused,
    exhausted_enrollment_token_is_refused,
);

async fn expired_enrollment_token_is_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let token = api.create_token(5, 1).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let dir = tempfile::tempdir().unwrap();
    let result = try_enroll(
        &server.base_url,
        &token.token,
        "late",
        server.fingerprint,
        dir.path(),
    )
    .await;
    assert_eq!(refused_code(result), ErrorCode::EnrollmentTokenExpired);
    assert!(
        !dir.path().join("agent.toml").exists(),
        "a refused enrollment wrote state"
    );
    assert!(api.devices().await.is_empty());
    let tokens: Vec<EnrollmentTokenView> =
        serde_json::from_value(api.get("/api/enrollment-tokens").await.ok("list tokens")).unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].uses, 0, "a refused enrollment spent a use");
}

async fn exhausted_enrollment_token_is_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let token = api.create_token(1, 600).await;
    let first_dir = tempfile::tempdir().unwrap();
    let first = try_enroll(
        &server.base_url,
        &token.token,
        "first",
        server.fingerprint,
        first_dir.path(),
    )
    .await
    .expect("the first enrollment succeeds");
    let second_dir = tempfile::tempdir().unwrap();
    let result = try_enroll(
        &server.base_url,
        &token.token,
        "second",
        server.fingerprint,
        second_dir.path(),
    )
    .await;
    assert_eq!(refused_code(result), ErrorCode::EnrollmentTokenExhausted);
    assert!(!second_dir.path().join("agent.toml").exists());

    let devices = api.devices().await;
    assert_eq!(devices.len(), 1, "{devices:?}");
    assert_eq!(
        (devices[0].id.as_str(), devices[0].nickname.as_str()),
        (first.as_str(), "first")
    );
    assert!(!devices[0].revoked);
    let tokens: Vec<EnrollmentTokenView> =
        serde_json::from_value(api.get("/api/enrollment-tokens").await.ok("list tokens")).unwrap();
    assert_eq!((tokens[0].uses, tokens[0].max_uses), (1, 1));
    // The first device is intact: its key still opens a link.
    let state = AgentState::load(first_dir.path()).unwrap();
    let _link = reach_agent::transport::connect(&state)
        .await
        .expect("the first device connects");
    api.wait_online(&first).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_or_revoked_enrollment_token_is_refused() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let dir = tempfile::tempdir().unwrap();
    let result = try_enroll(
        &server.base_url,
        "ret_made-up",
        "ghost",
        server.fingerprint,
        dir.path(),
    )
    .await;
    assert_eq!(refused_code(result), ErrorCode::EnrollmentTokenInvalid);

    let token = api.create_token(5, 600).await;
    api.post(
        &format!("/api/enrollment-tokens/{}/revoke", token.view.id),
        json!({}),
    )
    .await
    .ok("revoke the token");
    let result = try_enroll(
        &server.base_url,
        &token.token,
        "ghost",
        server.fingerprint,
        dir.path(),
    )
    .await;
    assert_eq!(refused_code(result), ErrorCode::EnrollmentTokenInvalid);

    // A malformed key is refused before the token is spent.
    let live = api.create_token(1, 600).await;
    let answer = api
        .send(
            Method::POST,
            "/api/agent/enroll",
            Some(json!({
                "token": live.token,
                "public_key": "bm90IGEga2V5",
                "nickname": "ghost",
                "system": {"hostname": "h", "os": "o", "ip_addresses": [], "agent_version": "0"},
            })),
            false,
        )
        .await;
    answer.refused("a malformed public key", 400, ErrorCode::BadRequest);
    assert!(api.devices().await.is_empty());
    // The token was not spent.
    try_enroll(
        &server.base_url,
        &live.token,
        "real",
        server.fingerprint,
        dir.path(),
    )
    .await
    .expect("the unspent token still enrolls");
}
