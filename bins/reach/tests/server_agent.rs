//! Server and agent end to end, in one process: a real server (SQLite or
//! PostgreSQL), real agents enrolled through the API, a real Xvfb with the
//! `reach-test-pattern` client, and WebSocket clients speaking the console's
//! protocol. The first test walks a whole remote session; the others feed the
//! server every kind of bad input and check that each gets a clear error and
//! changes nothing else.
//!
//! Needs Xvfb, PostgreSQL's server binaries (or `REACH_TEST_POSTGRES_URL`) and
//! `reach-test-pattern` (`cargo build -p reach-testkit`); `cargo xtask test`
//! provides all three.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use ed25519_dalek::SigningKey;
use futures_util::SinkExt;
use reach_agent::state::AgentState;
use reach_agent::AgentError;
use reach_proto::api::{DeviceView, EnrollmentTokenView, SessionView, SignedIn};
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::messages::{
    ConsoleEvent, ConsoleMessage, InputEvent, ServerToAgent, ServerToConsole,
};
use reach_proto::{MAX_BULK_FRAME, MAX_CONTROL_MESSAGE, PROTOCOL_VERSION};
use reqwest::Method;
use serde_json::json;
use support::*;
use tokio_tungstenite::tungstenite::Message;

/// Runs each named test function once per storage backend.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case(super::Backend::Sqlite).await
            })*
        }
        mod on_postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case(super::Backend::Postgres).await
            })*
        }
    };
}

on_both_backends!(
    remote_session_end_to_end,
    expired_enrollment_token_is_refused,
    exhausted_enrollment_token_is_refused,
    revoked_device_is_cut_off,
);

const KEYSYM_H: u32 = 0x68;

fn refused_code(result: Result<impl std::fmt::Debug, AgentError>) -> ErrorCode {
    match result {
        Err(AgentError::Refused { code, message }) => {
            assert!(!message.is_empty());
            code
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A session id, device id or key that nobody issued.
fn random_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// After bad input: the server answers, and what it had stored is all still there.
async fn assert_intact(
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

// ---------------------------------------------------------------------------
// The whole remote session.
// ---------------------------------------------------------------------------

async fn remote_session_end_to_end(backend: Backend) {
    let xvfb = start_xvfb(800, 600).await;
    let mut pattern = TestPattern::start(&xvfb.display).await;
    let mut server = TestServer::start(backend).await;
    let mut api = server.api();
    let me = api.sign_in_admin().await;
    assert_eq!(me.user.role, "administrator");
    assert_eq!(me.user.email, ADMIN_EMAIL);
    let again: SignedIn = serde_json::from_value(api.get("/api/auth/me").await.ok("me")).unwrap();
    assert_eq!(again, me);

    // The feed is open before the device exists, as a console would be.
    let mut events = EventFeed::open(&server, &api).await;

    let device = enroll_device(&server, &api, "front-desk").await;
    events
        .wait_for("the enrolled device", |e| {
            matches!(e, ConsoleEvent::DeviceChanged { device: d } if d.id == device.id && !d.online)
        })
        .await;
    let enrolled = api.device(&device.id).await;
    assert!(!enrolled.online && !enrolled.revoked);
    assert_eq!(enrolled.nickname, "front-desk");

    let agent = RunningAgent::spawn(&device, Some(xvfb.display.clone()));
    let online = api.wait_online(&device.id).await;
    assert!(online.last_seen.is_some());
    let event = events
        .wait_for("the device coming online", |e| {
            matches!(e, ConsoleEvent::DeviceChanged { device: d } if d.id == device.id && d.online)
        })
        .await;
    let ConsoleEvent::DeviceChanged { device: announced } = event else {
        unreachable!()
    };
    assert_eq!(announced.nickname, "front-desk");

    let session = api.start_session(&device.id).await;
    assert_eq!(session.device_id, device.id);
    assert_eq!(session.technician_id, me.user.id);
    assert_eq!(session.device_nickname, "front-desk");
    assert_eq!((session.ended_at, session.end_reason), (None, None));
    events
        .wait_for("the session starting", |e| {
            matches!(e, ConsoleEvent::SessionChanged { session: s } if s.id == session.id && s.ended_at.is_none())
        })
        .await;

    // The picture: ScreenInfo, then batches until every pixel is painted.
    let mut console = Console::open(&server, &api, &session.id).await;
    assert_eq!(console.screen_info().await, (800, 600));
    let mut screen = Screen::new(800, 600);
    console
        .paint_until(&mut screen, |s| {
            s.covered() && s.describe_pattern_mismatch().is_none()
        })
        .await;

    // Input: a click in the grey half and the key h reach the X client.
    for event in [
        InputEvent::PointerButton {
            x: 100,
            y: 500,
            button: 1,
            pressed: true,
        },
        InputEvent::PointerButton {
            x: 100,
            y: 500,
            button: 1,
            pressed: false,
        },
        InputEvent::Key {
            keysym: KEYSYM_H,
            pressed: true,
        },
        InputEvent::Key {
            keysym: KEYSYM_H,
            pressed: false,
        },
    ] {
        send_input(&mut console.ws, event).await;
    }
    for kind in ["button_press", "button_release"] {
        pattern
            .wait_for(&format!("{kind} of button 1 at (100,500)"), |e| {
                e["event"] == kind && e["button"] == 1 && e["x"] == 100 && e["y"] == 500
            })
            .await;
    }
    let press = pattern
        .wait_for("key_press of h", |e| {
            e["event"] == "key_press" && e["keysym"] == KEYSYM_H
        })
        .await;
    assert_eq!(press["text"], "h");
    pattern
        .wait_for("key_release of h", |e| {
            e["event"] == "key_release" && e["keysym"] == KEYSYM_H
        })
        .await;

    // End: the console is told why, the history records it, the feed announces it.
    send_console(&mut console.ws, &ConsoleMessage::End).await;
    assert_eq!(
        console.next_control().await,
        Some(ServerToConsole::Ended {
            reason: EndReason::TechnicianEnded
        })
    );
    assert_eq!(
        console.next_control().await,
        None,
        "the link closes after ended"
    );
    let ended = api.wait_ended(&session.id).await;
    assert_eq!(ended.end_reason, Some(EndReason::TechnicianEnded));
    assert!(ended.ended_at.unwrap() >= ended.started_at);
    events
        .wait_for("the session ending", |e| {
            matches!(e, ConsoleEvent::SessionChanged { session: s }
                if s.id == session.id && s.end_reason == Some(EndReason::TechnicianEnded))
        })
        .await;
    api.post(&format!("/api/sessions/{}/end", session.id), json!({}))
        .await
        .refused("ending an ended session", 409, ErrorCode::SessionEnded);
    server
        .assert_upgrade_refused(
            &format!("/api/sessions/{}/ws", session.id),
            Some(api.cookie()),
            Some(&server.origin()),
            409,
            ErrorCode::SessionEnded,
        )
        .await;
    assert!(
        api.device(&device.id).await.online,
        "the agent stays connected"
    );

    // Stopping the server ends what is live and closes every link; a restart
    // loses nothing: same key, same sign-in, same history, and the agent comes
    // back by itself.
    drop(console);
    let second = api.start_session(&device.id).await;
    let mut console = Console::open(&server, &api, &second.id).await;
    assert_eq!(console.screen_info().await, (800, 600));
    let fingerprint = server.fingerprint;
    server.stop().await;
    assert_eq!(
        console.next_control().await,
        Some(ServerToConsole::Ended {
            reason: EndReason::ServerShutdown
        })
    );
    events.closed().await;
    server = server.restart().await;
    assert_eq!(
        server.fingerprint, fingerprint,
        "the key survives a restart"
    );
    let mut after = server.api();
    after.cookie = api.cookie.clone();
    after.csrf = api.csrf.clone();
    assert_eq!(after.session(&session.id).await, ended);
    let second = after.session(&second.id).await;
    assert_eq!(second.end_reason, Some(EndReason::ServerShutdown));
    assert!(second.ended_at.is_some());
    after.wait_online(&device.id).await;
    agent.stop().await.expect("the agent stops cleanly");
    after.wait_offline(&device.id).await;
    server.stop().await;
}

// ---------------------------------------------------------------------------
// Signing in.
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_refused() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    let wrong = api
        .login(ADMIN_EMAIL, "not the right password")
        .await
        .refused("wrong password", 401, ErrorCode::InvalidCredentials);
    assert!(api.cookie.is_none());
    let unknown = api
        .login("nobody@reach.test", ADMIN_PASSWORD)
        .await
        .refused("unknown e-mail", 401, ErrorCode::InvalidCredentials);
    assert_eq!(
        wrong.message, unknown.message,
        "an unknown e-mail looks the same"
    );
    api.send(
        Method::POST,
        "/api/auth/login",
        Some(json!({"email": 5})),
        false,
    )
    .await
    .refused("malformed sign-in", 400, ErrorCode::BadRequest);
    api.get("/api/devices")
        .await
        .refused("after failed sign-ins", 401, ErrorCode::Unauthenticated);
    api.sign_in_admin().await;
    assert!(api.devices().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_wrong_passwords_are_throttled() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    for attempt in 1..=5 {
        api.login(ADMIN_EMAIL, "not the right password")
            .await
            .refused(
                &format!("wrong password {attempt}"),
                401,
                ErrorCode::InvalidCredentials,
            );
    }
    api.login(ADMIN_EMAIL, "not the right password")
        .await
        .refused("wrong password 6", 429, ErrorCode::Throttled);
    let throttled = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.refused(
        "the right password while throttled",
        429,
        ErrorCode::Throttled,
    );
    assert!(
        throttled.message.contains("seconds"),
        "{}",
        throttled.message
    );
    assert!(api.cookie.is_none());
    // The first wait is short: the real user gets in once it is over.
    let deadline = std::time::Instant::now() + DEADLINE;
    loop {
        let answer = api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        if answer.status.is_success() {
            break;
        }
        answer.refused(
            "the right password while throttled",
            429,
            ErrorCode::Throttled,
        );
        assert!(std::time::Instant::now() < deadline, "still throttled");
        tokio::time::sleep(POLL).await;
    }
    assert!(api.cookie.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_request_without_csrf_token_is_refused() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let create = json!({"max_uses": 1, "expires_in_secs": 600, "device_group": null});
    api.send(
        Method::POST,
        "/api/enrollment-tokens",
        Some(create.clone()),
        false,
    )
    .await
    .refused("no CSRF token", 403, ErrorCode::CsrfMismatch);
    let right = api.csrf.replace("not-the-token".into());
    api.post("/api/enrollment-tokens", create.clone())
        .await
        .refused("wrong CSRF token", 403, ErrorCode::CsrfMismatch);
    api.post("/api/auth/logout", json!({})).await.refused(
        "sign-out with a wrong CSRF token",
        403,
        ErrorCode::CsrfMismatch,
    );
    api.csrf = right;
    let tokens: Vec<EnrollmentTokenView> =
        serde_json::from_value(api.get("/api/enrollment-tokens").await.ok("list tokens")).unwrap();
    assert!(tokens.is_empty(), "a refused request created {tokens:?}");
    // Still signed in, and the same request with the token works.
    api.post("/api/enrollment-tokens", create)
        .await
        .ok("create a token with the CSRF token");
}

async fn assert_signed_out(api: &Api) {
    for path in [
        "/api/devices",
        "/api/sessions",
        "/api/enrollment-tokens",
        "/api/auth/me",
    ] {
        api.get(path)
            .await
            .refused(&format!("GET {path}"), 401, ErrorCode::Unauthenticated);
    }
    api.post("/api/sessions", json!({"device_id": random_id()}))
        .await
        .refused("POST /api/sessions", 401, ErrorCode::Unauthenticated);
    api.post(
        "/api/enrollment-tokens",
        json!({"max_uses": 1, "expires_in_secs": 600, "device_group": null}),
    )
    .await
    .refused(
        "POST /api/enrollment-tokens",
        401,
        ErrorCode::Unauthenticated,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_sign_in_are_refused() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    let session_ws = format!("/api/sessions/{}/ws", random_id());
    assert_signed_out(&api).await;
    for path in ["/api/events", session_ws.as_str()] {
        server
            .assert_upgrade_refused(
                path,
                None,
                Some(&server.origin()),
                401,
                ErrorCode::Unauthenticated,
            )
            .await;
        server
            .assert_upgrade_refused(
                path,
                Some("rws_forged"),
                Some(&server.origin()),
                401,
                ErrorCode::Unauthenticated,
            )
            .await;
    }
    api.cookie = Some("rws_forged".into());
    api.csrf = Some("forged".into());
    assert_signed_out(&api).await;

    // A signed-out cookie is dead.
    api.sign_in_admin().await;
    api.get("/api/devices")
        .await
        .ok("list devices while signed in");
    let answer = api.post("/api/auth/logout", json!({})).await;
    assert_eq!(answer.status.as_u16(), 204, "{answer:?}");
    assert_signed_out(&api).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_closes_open_links() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let mut feed = EventFeed::open(&server, &api).await;
    let mut other_api = server.api();
    other_api.sign_in_admin().await;
    let mut other_feed = EventFeed::open(&server, &other_api).await;
    let answer = api.post("/api/auth/logout", json!({})).await;
    assert_eq!(answer.status.as_u16(), 204, "{answer:?}");
    feed.closed().await;
    // Another sign-in of the same user is not affected.
    other_api
        .get("/api/devices")
        .await
        .ok("list devices with the other sign-in");
    enroll_device(&server, &other_api, "after-sign-out").await;
    other_feed
        .wait_for("a device event on the other sign-in's feed", |event| {
            matches!(event, ConsoleEvent::DeviceChanged { .. })
        })
        .await;
}

// ---------------------------------------------------------------------------
// Enrollment.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Agents the server must not trust, and servers the agent must not trust.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Malformed frames on the agent link and the console link.
// ---------------------------------------------------------------------------

/// Sends `message` (ignoring a write failure: the server may close mid-frame)
/// and returns the error code the server announced before closing.
async fn send_and_expect_close(ws: &mut Ws, message: Message) -> Option<ErrorCode> {
    let _ = within("the frame to be written", ws.send(message)).await;
    closed_with(ws).await
}

fn oversized_binary() -> Message {
    let mut frame = vec![1u8; MAX_BULK_FRAME + 1];
    frame[1..5].copy_from_slice(&1u32.to_be_bytes());
    Message::Binary(frame.into())
}

fn oversized_text() -> Message {
    let padding = "x".repeat(MAX_CONTROL_MESSAGE);
    Message::Text(
        json!({"type": "heartbeat", "padding": padding})
            .to_string()
            .into(),
    )
}

/// After bad input on one link: the server answers, and the well-behaved agent
/// is online on the very link it had before.
async fn assert_unaffected(server: &TestServer, api: &Api, device_id: &str, agent: &mut AgentLink) {
    server.assert_healthy().await;
    agent.assert_up().await;
    assert!(
        api.device(device_id).await.online,
        "the agent is listed offline"
    );
}

async fn expect_challenge(ws: &mut Ws) {
    use futures_util::StreamExt;
    match within("the challenge", ws.next()).await {
        Some(Ok(Message::Text(text))) => {
            let message: ServerToAgent = serde_json::from_str(&text).unwrap();
            assert!(
                matches!(message, ServerToAgent::Challenge { .. }),
                "{message:?}"
            );
        }
        other => panic!("expected a challenge, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_agent_frames_close_only_that_link() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "well-behaved").await;
    let mut agent = AgentLink::spawn(&device, None);
    let online = api.wait_online(&device.id).await;
    let rogue = enroll_device(&server, &api, "rogue").await;
    let rogue_view = api.device(&rogue.id).await;

    // Before the handshake, on an anonymous link.
    let hello = |version: u32| {
        Message::Text(
            json!({"type": "hello", "protocol_version": version, "device_id": rogue.id})
                .to_string()
                .into(),
        )
    };
    let before_handshake = [
        (
            "an unknown message",
            Message::Text(r#"{"type":"nonsense"}"#.into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "not JSON",
            Message::Text("{".into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a binary frame",
            Message::Binary(vec![1, 0, 0, 0, 1].into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "another protocol version",
            hello(PROTOCOL_VERSION + 1),
            Some(ErrorCode::ProtocolVersion),
        ),
        ("an oversized binary frame", oversized_binary(), None),
        ("an oversized text frame", oversized_text(), None),
    ];
    for (what, message, expected) in before_handshake {
        let mut ws = server
            .websocket("/api/agent/ws", None, None)
            .await
            .expect("the agent link opens");
        let code = send_and_expect_close(&mut ws, message).await;
        if expected.is_some() {
            assert_eq!(code, expected, "{what} before the handshake");
        }
        assert_unaffected(&server, &api, &device.id, &mut agent).await;
    }
    // A hello that skips the signature: the link waits for auth, and an answer
    // that is not one is a violation.
    let mut ws = server.websocket("/api/agent/ws", None, None).await.unwrap();
    ws.send(hello(PROTOCOL_VERSION)).await.unwrap();
    expect_challenge(&mut ws).await;
    let code =
        send_and_expect_close(&mut ws, Message::Text(r#"{"type":"heartbeat"}"#.into())).await;
    assert_eq!(
        code,
        Some(ErrorCode::ProtocolViolation),
        "heartbeat instead of auth"
    );
    let mut ws = server.websocket("/api/agent/ws", None, None).await.unwrap();
    ws.send(hello(PROTOCOL_VERSION)).await.unwrap();
    expect_challenge(&mut ws).await;
    let code = send_and_expect_close(
        &mut ws,
        Message::Text(
            json!({"type": "auth", "signature": "AAAA"})
                .to_string()
                .into(),
        ),
    )
    .await;
    assert_eq!(code, Some(ErrorCode::AgentAuthFailed), "a bad signature");
    assert_unaffected(&server, &api, &device.id, &mut agent).await;

    // After the handshake, on the rogue device's authenticated link.
    let after_handshake = [
        (
            "an unknown message",
            Message::Text(r#"{"type":"nonsense"}"#.into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "not JSON",
            Message::Text("][".into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a second hello",
            hello(PROTOCOL_VERSION),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a truncated bulk frame",
            Message::Binary(vec![1, 0].into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an unknown bulk kind",
            Message::Binary(vec![9, 0, 0, 0, 1, 0].into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an oversized text frame",
            oversized_text(),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an oversized binary frame",
            oversized_binary(),
            Some(ErrorCode::ProtocolViolation),
        ),
    ];
    for (what, message, expected) in after_handshake {
        let (mut link, _heartbeat) = reach_agent::transport::connect(&rogue.state())
            .await
            .expect("the rogue device authenticates");
        api.wait_online(&rogue.id).await;
        let code = send_and_expect_close(&mut link, message).await;
        if expected.is_some() {
            assert_eq!(code, expected, "{what} after the handshake");
        }
        api.wait_offline(&rogue.id).await;
        assert_unaffected(&server, &api, &device.id, &mut agent).await;
    }

    assert_intact(&server, &api, &[&online, &rogue_view], &[]).await;
    agent.assert_up().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_console_messages_close_only_that_link() {
    let xvfb = start_xvfb(320, 240).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "desk").await;
    let mut agent = AgentLink::spawn(&device, Some(xvfb.display.clone()));
    let online = api.wait_online(&device.id).await;
    let session = api.start_session(&device.id).await;
    let path = format!("/api/sessions/{}/ws", session.id);

    // Instead of the hello.
    let hello = |version: u32| {
        Message::Text(
            json!({"type": "hello", "protocol_version": version})
                .to_string()
                .into(),
        )
    };
    let before_hello = [
        (
            "garbage",
            Message::Text("garbage".into()),
            ErrorCode::ProtocolViolation,
        ),
        (
            "a binary frame",
            Message::Binary(vec![1, 2, 3].into()),
            ErrorCode::ProtocolViolation,
        ),
        (
            "input before hello",
            Message::Text(
                serde_json::to_string(&ConsoleMessage::Input {
                    event: InputEvent::ReleaseAll,
                })
                .unwrap()
                .into(),
            ),
            ErrorCode::ProtocolViolation,
        ),
        (
            "another protocol version",
            hello(PROTOCOL_VERSION + 1),
            ErrorCode::ProtocolVersion,
        ),
    ];
    for (what, message, expected) in before_hello {
        let mut ws = server
            .websocket(&path, Some(api.cookie()), Some(&server.origin()))
            .await
            .expect("the session link opens");
        assert_eq!(
            send_and_expect_close(&mut ws, message).await,
            Some(expected),
            "{what} instead of hello"
        );
        assert_unaffected(&server, &api, &device.id, &mut agent).await;
        let now = api.session(&session.id).await;
        assert_eq!(
            now.ended_at, None,
            "bad console input ended the session: {now:?}"
        );
    }

    // After the handshake, while the screen streams.
    let after_hello = [
        (
            "garbage",
            Message::Text("garbage".into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an unknown message",
            Message::Text(r#"{"type":"rm_rf"}"#.into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a binary frame",
            Message::Binary(vec![1, 0, 0, 0, 1].into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a second hello",
            hello(PROTOCOL_VERSION),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an oversized text frame",
            oversized_text(),
            Some(ErrorCode::ProtocolViolation),
        ),
    ];
    for (what, message, expected) in after_hello {
        let mut console = Console::open(&server, &api, &session.id).await;
        assert_eq!(console.screen_info().await, (320, 240));
        let code = send_and_expect_close(&mut console.ws, message).await;
        if expected.is_some() {
            assert_eq!(code, expected, "{what} after hello");
        }
        assert_unaffected(&server, &api, &device.id, &mut agent).await;
        let now = api.session(&session.id).await;
        assert_eq!(
            now.ended_at, None,
            "bad console input ended the session: {now:?}"
        );
    }

    // The session was only detached: a console can pick it up again and end it.
    let mut console = Console::open(&server, &api, &session.id).await;
    assert_eq!(console.screen_info().await, (320, 240));
    let mut screen = Screen::new(320, 240);
    console.paint_until(&mut screen, Screen::covered).await;
    send_console(&mut console.ws, &ConsoleMessage::End).await;
    assert_eq!(
        console.next_control().await,
        Some(ServerToConsole::Ended {
            reason: EndReason::TechnicianEnded
        })
    );
    let ended = api.wait_ended(&session.id).await;
    assert_eq!(ended.end_reason, Some(EndReason::TechnicianEnded));
    assert_intact(&server, &api, &[&online], &[&session]).await;
    agent.assert_up().await;
}

// ---------------------------------------------------------------------------
// Who may use a session, and from which page.
// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn technician_cannot_use_another_technicians_session() {
    let xvfb = start_xvfb(320, 240).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let device = enroll_device(&server, &admin, "shared").await;
    let mut agent = AgentLink::spawn(&device, Some(xvfb.display.clone()));
    let online = admin.wait_online(&device.id).await;
    let session = admin.start_session(&device.id).await;

    // A second user, added straight into the store as `reach admin` would.
    let store = server.open_store().await;
    let password = "another long password";
    let hash =
        tokio::task::spawn_blocking(move || reach_core::credentials::hash_password(password))
            .await
            .unwrap()
            .unwrap();
    store
        .create_user(&reach_store::User {
            id: random_id(),
            company_id: me.user.company_id.clone(),
            email: "tech@reach.test".into(),
            display_name: "Technician".into(),
            password_hash: hash,
            role: "technician".into(),
            disabled: false,
            created_at: reach_core::now_millis(),
        })
        .await
        .unwrap();
    let mut tech = server.api();
    let signed_in: SignedIn = serde_json::from_value(
        tech.login("tech@reach.test", password)
            .await
            .ok("technician sign-in"),
    )
    .unwrap();
    assert_eq!(signed_in.user.role, "technician");

    // Technicians see the company's devices and history...
    assert_eq!(tech.device(&device.id).await.id, device.id);
    assert_eq!(tech.session(&session.id).await.technician_id, me.user.id);
    // ...but may not watch, drive or end someone else's session.
    server
        .assert_upgrade_refused(
            &format!("/api/sessions/{}/ws", session.id),
            Some(tech.cookie()),
            Some(&server.origin()),
            403,
            ErrorCode::Forbidden,
        )
        .await;
    tech.post(&format!("/api/sessions/{}/end", session.id), json!({}))
        .await
        .refused(
            "ending another technician's session",
            403,
            ErrorCode::Forbidden,
        );
    // Nor do administrator things.
    tech.post(&format!("/api/devices/{}/revoke", device.id), json!({}))
        .await
        .refused("a technician revoking a device", 403, ErrorCode::Forbidden);
    tech.post(
        "/api/enrollment-tokens",
        json!({"max_uses": 1, "expires_in_secs": 600, "device_group": null}),
    )
    .await
    .refused("a technician creating a token", 403, ErrorCode::Forbidden);
    // A session that does not exist is not found, for anyone.
    let missing = random_id();
    tech.post(&format!("/api/sessions/{missing}/end"), json!({}))
        .await
        .refused("ending a missing session", 404, ErrorCode::NotFound);
    server
        .assert_upgrade_refused(
            &format!("/api/sessions/{missing}/ws"),
            Some(admin.cookie()),
            Some(&server.origin()),
            404,
            ErrorCode::NotFound,
        )
        .await;

    // The owner's session is untouched and still works.
    assert_eq!(admin.session(&session.id).await.ended_at, None);
    let mut console = Console::open(&server, &admin, &session.id).await;
    assert_eq!(console.screen_info().await, (320, 240));
    assert_intact(&server, &admin, &[&online], &[&session]).await;
    let answer = admin
        .post(&format!("/api/sessions/{}/end", session.id), json!({}))
        .await
        .ok("the owner ends the session");
    let ended: SessionView = serde_json::from_value(answer).unwrap();
    assert_eq!(ended.end_reason, Some(EndReason::TechnicianEnded));
    assert_eq!(
        console.next_control().await,
        Some(ServerToConsole::Ended {
            reason: EndReason::TechnicianEnded
        })
    );
    agent.assert_up().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_websockets_are_refused() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "target").await;
    let mut agent = AgentLink::spawn(&device, None);
    let online = api.wait_online(&device.id).await;
    let session = api.start_session(&device.id).await;
    let session_ws = format!("/api/sessions/{}/ws", session.id);
    let plain_http = format!("http://{}", server.addr);
    let other_port = format!("https://127.0.0.1:{}", server.addr.port().wrapping_add(1));
    for path in ["/api/events", session_ws.as_str()] {
        for origin in [
            Some("https://evil.example"),
            Some("null"),
            Some(plain_http.as_str()),
            Some(other_port.as_str()),
            None,
        ] {
            server
                .assert_upgrade_refused(path, Some(api.cookie()), origin, 403, ErrorCode::Forbidden)
                .await;
        }
    }
    // Same origin works, and nothing was disturbed.
    let _feed = EventFeed::open(&server, &api).await;
    assert_eq!(api.session(&session.id).await.ended_at, None);
    assert_intact(&server, &api, &[&online], &[&session]).await;
    agent.assert_up().await;
}
