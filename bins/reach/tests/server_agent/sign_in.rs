//! Signing in and out: wrong passwords and their throttling, the CSRF token on
//! state-changing requests, every request without a (live) sign-in, and signing
//! out closing that sign-in's open links.

use reach_proto::api::EnrollmentTokenView;
use reach_proto::codes::ErrorCode;
use reach_proto::messages::ConsoleEvent;
use reqwest::Method;
use serde_json::json;

use crate::support::*;

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
    // Unknown paths and wrong methods answer in the API's error shape too.
    api.get("/api/nothing-here")
        .await
        .refused("an unknown path", 404, ErrorCode::NotFound);
    api.get("/api/auth/logout")
        .await
        .refused("a wrong method", 405, ErrorCode::MethodNotAllowed);
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

async fn changing_the_password_ends_the_other_sign_ins(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut here = server.api();
    here.sign_in_admin().await;
    let mut elsewhere = server.api();
    elsewhere.sign_in_admin().await;
    let mut feed_elsewhere = EventFeed::open(&server, &elsewhere).await;
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    // Bad input changes nothing.
    here.post(
        "/api/auth/password",
        change("wrong password here", "a brand new password"),
    )
    .await
    .refused(
        "a wrong current password",
        401,
        ErrorCode::InvalidCredentials,
    );
    here.post("/api/auth/password", change(ADMIN_PASSWORD, "short"))
        .await
        .refused("a short new password", 400, ErrorCode::BadRequest);
    here.post("/api/auth/password", change(ADMIN_PASSWORD, ADMIN_PASSWORD))
        .await
        .refused("the same password", 400, ErrorCode::BadRequest);
    elsewhere
        .get("/api/devices")
        .await
        .ok("the other sign-in still works");

    let answer = here
        .post(
            "/api/auth/password",
            change(ADMIN_PASSWORD, "a brand new password"),
        )
        .await;
    assert_eq!(answer.status.as_u16(), 204, "{answer:?}");
    here.get("/api/devices").await.ok("this sign-in goes on");
    assert_signed_out(&elsewhere).await;
    feed_elsewhere.closed().await;

    let mut again = server.api();
    again.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.refused(
        "the old password",
        401,
        ErrorCode::InvalidCredentials,
    );
    again
        .login(ADMIN_EMAIL, "a brand new password")
        .await
        .ok("the new password signs in");
    let log = here
        .get("/api/audit-events?limit=5")
        .await
        .ok("read the log");
    let changed = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "R1004I")
        .expect("a password-changed entry");
    assert_eq!(
        changed["details"],
        json!([["other_sign_ins_ended", "1"]]),
        "{changed}"
    );
}

on_both_backends!(changing_the_password_ends_the_other_sign_ins);
