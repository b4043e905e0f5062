//! Agents the server must not trust (unknown ids, forged keys, revoked
//! devices) and servers the agent must not trust (another key at the pinned
//! address, or at enrollment).

use ed25519_dalek::SigningKey;
use reach_agent::state::AgentState;
use reach_agent::AgentError;
use reach_proto::api::{DeviceView, EnrollmentTokenView};
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::messages::{ConsoleEvent, ServerToConsole};
use serde_json::json;

use crate::support::*;

on_both_backends!(revoked_device_is_cut_off);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_device_is_refused() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let stranger = AgentState {
        server_url: server.base_url.clone(),
        device_id: random_id(),
        nickname: "stranger".into(),
        fingerprint: server.fingerprint,
        signing_key: SigningKey::generate(&mut rand::rngs::OsRng),
    };
    let result = reach_agent::run::serve_once(&stranger, None).await;
    assert_eq!(refused_code(result), ErrorCode::UnknownAgentKey);
    // `run` gives up on it rather than retrying forever.
    let run = within(
        "run to give up",
        reach_agent::run::run(&stranger, None, std::future::pending()),
    )
    .await;
    assert_eq!(refused_code(run), ErrorCode::UnknownAgentKey);

    // A known device id with someone else's key.
    let device = enroll_device(&server, &api, "real").await;
    let mut forged = device.state();
    forged.signing_key = SigningKey::generate(&mut rand::rngs::OsRng);
    let result = reach_agent::run::serve_once(&forged, None).await;
    assert_eq!(refused_code(result), ErrorCode::AgentAuthFailed);
    let listed = api.device(&device.id).await;
    assert!(!listed.online && !listed.revoked);
    // The real key still works.
    let _link = reach_agent::transport::connect(&device.state())
        .await
        .expect("the real device connects");
    api.wait_online(&device.id).await;
}

async fn revoked_device_is_cut_off(backend: Backend) {
    let xvfb = start_xvfb(320, 240).await;
    let server = TestServer::start(backend).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "stolen-laptop").await;
    let agent = RunningAgent::spawn(&device, Some(xvfb.display.clone()));
    api.wait_online(&device.id).await;
    let session = api.start_session(&device.id).await;
    let mut console = Console::open(&server, &api, &session.id).await;
    assert_eq!(console.screen_info().await, (320, 240));
    let mut events = EventFeed::open(&server, &api).await;

    let revoked: DeviceView = serde_json::from_value(
        api.post(&format!("/api/devices/{}/revoke", device.id), json!({}))
            .await
            .ok("revoke the device"),
    )
    .unwrap();
    assert!(revoked.revoked && !revoked.online);

    assert_eq!(
        refused_code(agent.finished().await),
        ErrorCode::DeviceRevoked
    );
    assert_eq!(
        console.next_control().await,
        Some(ServerToConsole::Ended {
            reason: EndReason::DeviceRevoked
        })
    );
    let ended = api.wait_ended(&session.id).await;
    assert_eq!(ended.end_reason, Some(EndReason::DeviceRevoked));
    events
        .wait_for("the revoked device", |e| {
            matches!(e, ConsoleEvent::DeviceChanged { device: d } if d.id == device.id && d.revoked && !d.online)
        })
        .await;
    let listed = api.wait_offline(&device.id).await;
    assert!(listed.revoked);

    // It stays out, and nobody can start a session on it.
    let again = reach_agent::run::serve_once(&device.state(), None).await;
    assert_eq!(refused_code(again), ErrorCode::DeviceRevoked);
    api.post("/api/sessions", json!({"device_id": device.id}))
        .await
        .refused(
            "a session on a revoked device",
            403,
            ErrorCode::DeviceRevoked,
        );
    assert_intact(&server, &api, &[&revoked], &[&session]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_refuses_a_server_with_another_key() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "pinned").await;

    let impostor = TestServer::start(Backend::Sqlite).await;
    assert_ne!(impostor.fingerprint, server.fingerprint);
    let mut impostor_api = impostor.api();
    impostor_api.sign_in_admin().await;

    // The agent's state, pointed at the impostor (DNS spoofing, say).
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(
        device.dir.path().join("device.key"),
        copy.path().join("device.key"),
    )
    .unwrap();
    let toml = std::fs::read_to_string(device.dir.path().join("agent.toml")).unwrap();
    assert!(toml.contains(&server.base_url), "{toml}");
    std::fs::write(
        copy.path().join("agent.toml"),
        toml.replace(&server.base_url, &impostor.base_url),
    )
    .unwrap();
    let redirected = AgentState::load(copy.path()).unwrap();
    assert_eq!(redirected.server_url, impostor.base_url);
    match reach_agent::run::serve_once(&redirected, None).await {
        Err(AgentError::PinMismatch { expected, seen }) => {
            assert_eq!(
                (expected, seen),
                (
                    server.fingerprint_hex.clone(),
                    impostor.fingerprint_hex.clone()
                )
            );
        }
        other => panic!("expected a pin mismatch, got {other:?}"),
    }

    // Enrolling at the impostor with the real server's fingerprint: refused before
    // the token leaves the device, so even a valid impostor token is not spent.
    let token = impostor_api.create_token(1, 600).await;
    let dir = tempfile::tempdir().unwrap();
    let result = try_enroll(
        &impostor.base_url,
        &token.token,
        "pinned",
        server.fingerprint,
        dir.path(),
    )
    .await;
    assert!(
        matches!(&result, Err(AgentError::PinMismatch { expected, .. }) if *expected == server.fingerprint_hex),
        "{result:?}"
    );
    assert!(!dir.path().join("agent.toml").exists());
    assert!(impostor_api.devices().await.is_empty());
    let tokens: Vec<EnrollmentTokenView> = serde_json::from_value(
        impostor_api
            .get("/api/enrollment-tokens")
            .await
            .ok("list tokens"),
    )
    .unwrap();
    assert_eq!(tokens[0].uses, 0);

    // The real server still takes the real agent.
    let _link = reach_agent::transport::connect(&device.state())
        .await
        .expect("the agent connects to its own server");
    api.wait_online(&device.id).await;
}
