//! The event log: administrative and security events are recorded with who,
//! what, when and from where, read back newest first, streamed live to those
//! who may read the log and to nobody else.

use reach_proto::api::AuditEventView;
use reach_proto::audit::{ActorKind, AuditCode};
use reach_proto::codes::ErrorCode;
use reach_proto::messages::ConsoleEvent;
use serde_json::json;

use crate::support::*;

async fn log(api: &Api, query: &str) -> Vec<AuditEventView> {
    let body = api
        .get(&format!("/api/audit-events{query}"))
        .await
        .ok("read the event log");
    serde_json::from_value(body).unwrap()
}

fn detail<'a>(event: &'a AuditEventView, key: &str) -> Option<&'a str> {
    event
        .details
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn events_are_recorded_and_read_newest_first(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut admin = server.api();
    admin
        .login(ADMIN_EMAIL, "not the password at all")
        .await
        .refused("wrong password", 401, ErrorCode::InvalidCredentials);
    let me = admin.sign_in_admin().await;
    let device = enroll_device(&server, &admin, "audited").await;
    admin
        .post(&format!("/api/devices/{}/revoke", device.id), json!({}))
        .await
        .ok("revoke the device");

    let events = log(&admin, "").await;
    let codes: Vec<AuditCode> = events.iter().map(|e| e.code).collect();
    assert_eq!(
        codes,
        [
            AuditCode::DeviceRevoked,
            AuditCode::DeviceEnrolled,
            AuditCode::EnrollmentTokenCreated,
            AuditCode::SignedIn,
            AuditCode::SignInFailed,
            AuditCode::UserCreated,
        ],
        "{events:#?}"
    );
    let [revoked, enrolled, token, signed_in, failed, created] = &events[..] else {
        unreachable!()
    };
    assert_eq!(revoked.actor_id.as_deref(), Some(me.user.id.as_str()));
    assert_eq!(revoked.target_id.as_deref(), Some(device.id.as_str()));
    assert_eq!(revoked.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(enrolled.actor_kind, ActorKind::Device);
    assert_eq!(enrolled.target_name.as_deref(), Some("audited"));
    assert_eq!(detail(token, "max_uses"), Some("1"));
    assert_eq!(signed_in.actor_id.as_deref(), Some(me.user.id.as_str()));
    assert_eq!(detail(failed, "reason"), Some("wrong_password"));
    assert_eq!(created.actor_kind, ActorKind::System);
    assert_eq!(detail(created, "through"), Some("environment"));
    assert!(events.windows(2).all(|pair| pair[0].id > pair[1].id));

    // Pages continue where the previous one stopped.
    let first = log(&admin, "?limit=2").await;
    let second = log(&admin, &format!("?limit=2&before={}", first[1].id)).await;
    assert_eq!(first[..], events[..2]);
    assert_eq!(second[..], events[2..4]);
    admin.get("/api/audit-events?limit=many").await.refused(
        "a malformed page",
        400,
        ErrorCode::BadRequest,
    );
}

on_both_backends!(events_are_recorded_and_read_newest_first);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_those_allowed_read_the_log_or_see_it_live() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let tech = add_technician(&server, &me.user.company_id, "tech@reach.test").await;
    tech.get("/api/audit-events").await.refused(
        "a technician reads the log",
        403,
        ErrorCode::Forbidden,
    );

    let mut admin_feed = EventFeed::open(&server, &admin).await;
    let mut tech_feed = EventFeed::open(&server, &tech).await;
    let device = enroll_device(&server, &admin, "watched").await;
    let seen = admin_feed
        .wait_for("the enrollment in the admin's live log", |event| {
            matches!(event, ConsoleEvent::AuditRecorded { event } if event.code == AuditCode::DeviceEnrolled)
        })
        .await;
    let ConsoleEvent::AuditRecorded { event } = seen else {
        unreachable!()
    };
    assert_eq!(event.target_id.as_deref(), Some(device.id.as_str()));
    // The technician's feed carries the device, never the log entries.
    let next = tech_feed
        .wait_for("any event on the technician's feed", |_| true)
        .await;
    assert!(
        matches!(next, ConsoleEvent::DeviceChanged { .. }),
        "the technician got {next:?}"
    );
}
