//! Who may use a session, and from which page: a technician and another
//! technician's session, administrator-only calls, and WebSocket upgrades from
//! another origin.

use reach_proto::api::{SessionView, SignedIn};
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::messages::ServerToConsole;
use serde_json::json;

use crate::support::*;

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
    let tech = add_technician(&server, &me.user.company_id, "tech@reach.test").await;
    let signed_in: SignedIn =
        serde_json::from_value(tech.get("/api/auth/me").await.ok("technician sign-in")).unwrap();
    assert!(!signed_in.user.operator);
    assert!(
        signed_in
            .user
            .permissions
            .contains(&reach_proto::access::Permission::StartUnattendedSession)
            && !signed_in
                .user
                .permissions
                .contains(&reach_proto::access::Permission::ViewEventLog),
        "a technician gives support and does not read the event log: {:?}",
        signed_in.user.permissions
    );

    // Technicians see the company's devices, and only their own history
    // (everyone's needs the reports permission)...
    assert_eq!(tech.device(&device.id).await.id, device.id);
    assert!(tech.sessions().await.is_empty());
    assert_eq!(admin.session(&session.id).await.technician_id, me.user.id);
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
