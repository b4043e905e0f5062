//! Attended sessions end to end: a technician's session key, the portal's check,
//! a real agent joining with `reach agent join`'s code path, the session on the
//! attended device (its screen under Xvfb), and the device retired after it.
//! Then tenant-only help (sign-in, another company's account, join tickets) and
//! the bad inputs: expired keys and tickets, reuse, malformed keys, guessing.

use std::sync::Arc;
use std::time::Duration;

use reach_agent::enroll::{join, JoinOptions};
use reach_agent::AgentError;
use reach_proto::api::{DeviceView, SessionView};
use reach_proto::attended::{PortalKeyView, PortalStatus, SessionKeyCreated};
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::messages::{ConsoleEvent, ConsoleMessage};
use reach_server::clock::ManualClock;
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::support::*;

on_both_backends!(
    an_end_user_joins_with_a_session_key,
    tenant_only_help_needs_a_signed_in_member,
);

const MEMBER_PASSWORD: &str = "an end user's long password";

async fn create_key(api: &Api) -> SessionKeyCreated {
    serde_json::from_value(
        api.post("/api/session-keys", json!({}))
            .await
            .ok("a session key"),
    )
    .unwrap()
}

async fn check(api: &Api, key: &str) -> PortalKeyView {
    serde_json::from_value(
        api.post("/api/portal/keys/check", json!({ "key": key }))
            .await
            .ok("the portal's key check"),
    )
    .unwrap()
}

async fn set_tenant_only(admin: &Api, on: bool) {
    admin
        .put(
            "/api/company/settings",
            json!({"require_two_factor": false, "password_sign_in": true, "just_in_time": false, "tenant_only": on}),
        )
        .await
        .ok("company settings");
}

fn join_options<'a>(
    server: &TestServer,
    key: &'a str,
    ticket: Option<&'a str>,
    base_url: &'a str,
) -> JoinOptions<'a> {
    JoinOptions {
        server_url: base_url,
        fingerprint: server.fingerprint,
        key,
        ticket,
        nickname: "end-user-pc",
    }
}

/// `reach agent join`'s run: one session, then it returns by itself.
struct AttendedAgent {
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), AgentError>>,
}

impl AttendedAgent {
    fn spawn(state: reach_agent::state::AgentState, display: Option<String>) -> Self {
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            reach_agent::run::run_attended(&state, display, async move {
                let _ = stopped.await;
            })
            .await
        });
        Self {
            shutdown: Some(shutdown),
            task,
        }
    }

    async fn finished(mut self) -> Result<(), AgentError> {
        within("the attended agent to finish", &mut self.task)
            .await
            .expect("the agent task did not panic")
    }
}

impl Drop for AttendedAgent {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task.abort();
    }
}

fn listed(devices: &[DeviceView], id: &str) -> Option<DeviceView> {
    devices.iter().find(|device| device.id == id).cloned()
}

async fn an_end_user_joins_with_a_session_key(backend: Backend) {
    let xvfb = start_xvfb(800, 600).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let server = TestServer::start(backend).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let tech = add_technician(&server, &me.user.company_id, "tech@reach.test").await;
    let other_tech = add_technician(&server, &me.user.company_id, "other@reach.test").await;
    let tech_me: Value = tech.get("/api/auth/me").await.ok("me");
    let tech_id = tech_me["user"]["id"].as_str().unwrap().to_string();
    set_tenant_only(&admin, false).await;

    let created = create_key(&tech).await;
    assert_eq!(created.key.len(), 9);
    assert!(created.key.chars().all(|c| c.is_ascii_digit()));
    assert_eq!(
        created.portal_url,
        format!("{}/?key={}", server.base_url, created.key)
    );

    // The link the technician sends lands on the portal with its key.
    let no_redirects = reqwest::Client::builder()
        .use_preconfigured_tls(server.tls())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let landing = no_redirects.get(&created.portal_url).send().await.unwrap();
    assert_eq!(landing.status(), 303);
    assert_eq!(
        landing.headers()["location"],
        format!("/console/portal?key={}", created.key).as_str()
    );

    // Anyone may check a key (tenant-only help is off), typed as people group it.
    let visitor = server.api();
    let grouped = format!(
        "{} {} {}",
        &created.key[..3],
        &created.key[3..6],
        &created.key[6..]
    );
    let view = check(&visitor, &grouped).await;
    assert_eq!(view.status, PortalStatus::Ready);
    assert_eq!(view.technician_name, "Technician");
    assert_eq!(view.expires_at, created.expires_at);
    let command = view.join.expect("the join command");
    assert_eq!(command.ticket, None);
    assert_eq!(command.server_fingerprint, server.fingerprint_hex);
    assert_eq!(
        command.command,
        format!(
            "reach agent join --server {} --fingerprint {} --key {}",
            server.base_url, server.fingerprint_hex, created.key
        )
    );

    let mut events = EventFeed::open(&server, &tech).await;
    let state = join(join_options(&server, &created.key, None, &server.base_url))
        .await
        .expect("the end user joins");
    let device_id = state.device_id.clone();
    let agent = AttendedAgent::spawn(state, Some(xvfb.display.clone()));
    events
        .wait_for("the attended device online", |e| {
            matches!(e, ConsoleEvent::DeviceChanged { device: d } if d.id == device_id && d.online)
        })
        .await;

    // Spent: the same key joins nothing else.
    let again = join(join_options(&server, &created.key, None, &server.base_url)).await;
    assert_eq!(
        refused_code(again.map(|state| state.device_id)),
        ErrorCode::SessionKeyInvalid
    );

    // Its technician sees it; another technician neither sees nor reaches it;
    // device managers see it (to revoke it).
    let seen = listed(&tech.devices().await, &device_id).expect("the technician sees it");
    assert_eq!(seen.attended_by.as_deref(), Some(tech_id.as_str()));
    assert_eq!((seen.end_user, seen.device_group), (None, None));
    assert!(listed(&other_tech.devices().await, &device_id).is_none());
    assert!(listed(&admin.devices().await, &device_id).is_some());
    other_tech
        .post("/api/sessions", json!({ "device_id": device_id }))
        .await
        .refused("another technician's end user", 403, ErrorCode::Forbidden);
    admin
        .post("/api/sessions", json!({ "device_id": device_id }))
        .await
        .refused(
            "an administrator, not the key's technician",
            403,
            ErrorCode::Forbidden,
        );

    let session = tech.start_session(&device_id).await;
    assert!(session.attended);
    assert_eq!(session.end_user, None);
    let mut console = Console::open(&server, &tech, &session.id).await;
    assert_eq!(console.screen_info().await, (800, 600));
    let mut screen = Screen::new(800, 600);
    console
        .paint_until(&mut screen, |s| {
            s.covered() && s.describe_pattern_mismatch().is_none()
        })
        .await;

    // Ending the session ends the agent's job: it returns, and the device is revoked.
    send_console(&mut console.ws, &ConsoleMessage::End).await;
    let ended: SessionView = tech.wait_ended(&session.id).await;
    assert_eq!(ended.end_reason, Some(EndReason::TechnicianEnded));
    agent
        .finished()
        .await
        .expect("the attended agent ends cleanly");
    let store = server.open_store().await;
    eventually("the attended device revoked", || async {
        match store.device(&device_id).await.unwrap().revoked_at {
            Some(at) => Ok(at),
            None => Err("not revoked yet".to_string()),
        }
    })
    .await;
    assert!(
        listed(&tech.devices().await, &device_id).is_none(),
        "a finished attended device leaves the list"
    );
    let history = tech.sessions().await;
    let recorded = history.iter().find(|s| s.id == session.id).unwrap();
    assert!(recorded.attended && recorded.end_user.is_none());

    let log: Value = admin.get("/api/audit-events").await.ok("the event log");
    let codes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|event| event["code"].as_str())
        .collect();
    for code in ["R3002I", "R3003I", "R3000I", "R3001I"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let started = log
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["code"] == "R3000I")
        .unwrap();
    assert_eq!(detail(started, "end_user"), Some("anonymous"));
}

/// Adds ann@reach.test, a member with no roles (an end user), and signs her in.
async fn member_without_roles(server: &TestServer, admin: &Api) -> Api {
    admin
        .post(
            "/api/users",
            json!({"email": "ann@reach.test", "display_name": "Ann", "password": MEMBER_PASSWORD}),
        )
        .await
        .ok("a member without roles");
    let mut ann = server.api();
    ann.login("ann@reach.test", MEMBER_PASSWORD)
        .await
        .ok("the member's sign-in");
    ann
}

/// Creates a company with its administrator and signs them in.
async fn other_company_member(server: &TestServer, operator: &Api) -> Api {
    operator
        .post(
            "/api/companies",
            json!({"name": "Globex", "administrator": {"email": "boss@globex.test", "display_name": "Boss", "password": MEMBER_PASSWORD}}),
        )
        .await
        .ok("another company");
    let mut boss = server.api();
    boss.login("boss@globex.test", MEMBER_PASSWORD)
        .await
        .ok("the other company's sign-in");
    boss
}

async fn tenant_only_help_needs_a_signed_in_member(backend: Backend) {
    let xvfb = start_xvfb(320, 240).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let server = TestServer::start(backend).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let tech = add_technician(&server, &me.user.company_id, "tech@reach.test").await;
    let ann = member_without_roles(&server, &admin).await;
    let created = create_key(&tech).await;

    // Tenant-only help is on by default: a visitor must sign in first.
    let visitor = server.api();
    let view = check(&visitor, &created.key).await;
    assert_eq!(view.status, PortalStatus::SignInRequired);
    assert!(view.join.is_none());
    let no_ticket = join(join_options(&server, &created.key, None, &server.base_url)).await;
    assert_eq!(
        refused_code(no_ticket.map(|state| state.device_id)),
        ErrorCode::JoinTicketRequired
    );

    // Another company's account is not a member.
    let stranger = other_company_member(&server, &admin).await;
    let view = check(&stranger, &created.key).await;
    assert_eq!(view.status, PortalStatus::OtherCompany);
    assert!(view.join.is_none());

    // A member gets a command with a one-time ticket bound to them.
    let view = check(&ann, &created.key).await;
    assert_eq!(view.status, PortalStatus::Ready);
    let command = view.join.unwrap();
    let ticket = command.ticket.clone().expect("a join ticket");
    assert!(command.command.ends_with(&format!("--ticket {ticket}")));
    let wrong = join(join_options(
        &server,
        &created.key,
        Some("rjt_not-the-ticket"),
        &server.base_url,
    ))
    .await;
    assert_eq!(
        refused_code(wrong.map(|state| state.device_id)),
        ErrorCode::SessionKeyInvalid
    );
    let state = join(join_options(
        &server,
        &created.key,
        Some(&ticket),
        &server.base_url,
    ))
    .await
    .expect("the member joins");
    let device_id = state.device_id.clone();
    let agent = AttendedAgent::spawn(state, Some(xvfb.display.clone()));
    let device = tech.wait_online(&device_id).await;
    assert_eq!(device.end_user.as_deref(), Some("ann@reach.test"));

    let session = tech.start_session(&device_id).await;
    assert_eq!(session.end_user.as_deref(), Some("ann@reach.test"));
    tech.post(&format!("/api/sessions/{}/end", session.id), json!({}))
        .await
        .ok("ending the session");
    agent
        .finished()
        .await
        .expect("the attended agent ends cleanly");
    let history = tech.sessions().await;
    let recorded = history.iter().find(|s| s.id == session.id).unwrap();
    assert_eq!(recorded.end_user.as_deref(), Some("ann@reach.test"));
    let log: Value = admin.get("/api/audit-events").await.ok("the event log");
    let joined = log
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["code"] == "R3003I")
        .expect("the join is in the event log");
    assert_eq!(detail(joined, "end_user"), Some("ann@reach.test"));
    let tech_id = tech_user_id(&tech).await;
    assert_eq!(detail(joined, "technician_id"), Some(tech_id.as_str()));
}

/// One detail of an event-log entry (details are `[name, value]` pairs).
fn detail<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    event["details"]
        .as_array()?
        .iter()
        .find(|pair| pair[0] == name)
        .and_then(|pair| pair[1].as_str())
}

async fn tech_user_id(api: &Api) -> String {
    let me: Value = api.get("/api/auth/me").await.ok("me");
    me["user"]["id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_keys_expire_refuse_bad_input_and_throttle_guessing() {
    let clock = Arc::new(ManualClock::new());
    let server = TestServer::start_with(Backend::Sqlite, |_| {}, clock.clone()).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let tech = add_technician(&server, &me.user.company_id, "tech@reach.test").await;
    let ann = member_without_roles(&server, &admin).await;

    // Only holders of session.attended invite; signed-out visitors can't either.
    ann.post("/api/session-keys", json!({})).await.refused(
        "a member without session.attended",
        403,
        ErrorCode::Forbidden,
    );
    server
        .api()
        .post("/api/session-keys", json!({}))
        .await
        .refused("signed out", 401, ErrorCode::Unauthenticated);

    // Malformed keys: a clear refusal, not counted as guesses.
    for typed in ["", "12345", "1234567890", "abc def ghi", "12345678٩"] {
        server
            .api()
            .post("/api/portal/keys/check", json!({ "key": typed }))
            .await
            .refused(typed, 400, ErrorCode::BadRequest);
    }
    server
        .api()
        .post("/api/portal/keys/check", json!({ "digits": "123456789" }))
        .await
        .refused("an unknown field", 400, ErrorCode::BadRequest);

    // A join ticket lasts 5 minutes.
    let created = create_key(&tech).await;
    let ticket = check(&ann, &created.key)
        .await
        .join
        .unwrap()
        .ticket
        .unwrap();
    clock.advance(Duration::from_secs(5 * 60 + 1));
    let late = join(join_options(
        &server,
        &created.key,
        Some(&ticket),
        &server.base_url,
    ))
    .await;
    assert_eq!(
        refused_code(late.map(|state| state.device_id)),
        ErrorCode::SessionKeyInvalid
    );

    // A key lasts 15 minutes.
    clock.advance(Duration::from_secs(10 * 60));
    let expired = server
        .api()
        .post("/api/portal/keys/check", json!({ "key": created.key }))
        .await
        .refused("an expired key", 404, ErrorCode::SessionKeyInvalid);
    assert!(
        expired.message.contains("unknown or has expired"),
        "{}",
        expired.message
    );

    // Guessing: a few wrong keys, then the address must wait, even with a real key.
    let fresh = create_key(&tech).await;
    let mut throttled = None;
    for guess in 0..10 {
        let answer = server
            .api()
            .post(
                "/api/portal/keys/check",
                json!({ "key": format!("{:09}", 100_000_000 + guess) }),
            )
            .await;
        if answer.status == 429 {
            throttled = Some(answer);
            break;
        }
        answer.refused("a guessed key", 404, ErrorCode::SessionKeyInvalid);
    }
    throttled
        .expect("guessing is throttled")
        .refused("guessing", 429, ErrorCode::Throttled);
    server
        .api()
        .post("/api/portal/keys/check", json!({ "key": fresh.key }))
        .await
        .refused("a real key while throttled", 429, ErrorCode::Throttled);
    let blocked = join(join_options(&server, &fresh.key, None, &server.base_url)).await;
    assert_eq!(
        refused_code(blocked.map(|state| state.device_id)),
        ErrorCode::Throttled
    );
}
