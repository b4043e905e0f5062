//! The whole remote session on each backend: enroll a device, see it come
//! online, watch its screen, drive its input, end the session, then stop and
//! restart the server and check that nothing was lost.

use reach_proto::api::SignedIn;
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::messages::{ConsoleEvent, ConsoleMessage, InputEvent, ServerToConsole};
use serde_json::json;

use crate::support::*;

on_both_backends!(remote_session_end_to_end);

const KEYSYM_H: u32 = 0x68;

async fn remote_session_end_to_end(backend: Backend) {
    let xvfb = start_xvfb(800, 600).await;
    let mut pattern = TestPattern::start(&xvfb.display).await;
    let mut server = TestServer::start(backend).await;
    let mut api = server.api();
    let me = api.sign_in_admin().await;
    assert!(
        me.user.operator,
        "the first administrator operates the server"
    );
    assert_eq!(
        me.user.permissions,
        reach_proto::access::Permission::ALL.to_vec()
    );
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
    // The event log names who ended it.
    let log: Vec<reach_proto::api::AuditEventView> =
        serde_json::from_value(api.get("/api/audit-events").await.ok("event log")).unwrap();
    let ended_entry = log
        .iter()
        .find(|e| {
            e.code == reach_proto::audit::AuditCode::SessionEnded
                && e.target_id.as_deref() == Some(session.id.as_str())
        })
        .expect("a session-ended entry");
    assert_eq!(ended_entry.actor_id.as_deref(), Some(me.user.id.as_str()));
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
