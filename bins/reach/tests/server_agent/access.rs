//! Identity and access end to end: roles scoped to device groups (lists, the
//! live feed, starting sessions), view-only sessions, roles through user
//! groups, the owner's and one's own account protections, removing a member
//! versus deleting an account, disabling, password sign-in turned off, and the
//! bad inputs of the administration API (each refused with nothing changed).

use reach_proto::access::Permission;
use reach_proto::api::SignedIn;
use reach_proto::codes::ErrorCode;
use reach_proto::messages::{ConsoleEvent, ConsoleMessage, InputEvent, ServerToConsole};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

/// Creates a role and returns its id.
pub(crate) async fn role(admin: &Api, name: &str, permissions: &[&str], view_only: bool) -> String {
    let created = admin
        .post(
            "/api/roles",
            json!({"name": name, "permissions": permissions, "view_only": view_only}),
        )
        .await
        .ok("create a role");
    created["id"].as_str().unwrap().to_string()
}

/// Creates a member with no role; returns their id and signed-in client.
pub(crate) async fn member(server: &TestServer, admin: &Api, email: &str) -> (String, Api) {
    let created = admin
        .post("/api/users", json!({"email": email, "display_name": email}))
        .await
        .ok("create a user");
    let mut api = server.api();
    api.login(email, created["generated_password"].as_str().unwrap())
        .await
        .ok("the new user signs in");
    (created["member"]["id"].as_str().unwrap().to_string(), api)
}

pub(crate) async fn grant(admin: &Api, body: Value) -> String {
    let created = admin
        .post("/api/role-grants", body)
        .await
        .ok("grant a role");
    created["id"].as_str().unwrap().to_string()
}

/// A member with a view-only role on unattended sessions ("Watcher"), signed in:
/// they may watch a session, not control it.
pub(crate) async fn watcher(server: &TestServer, admin: &Api) -> Api {
    let watcher_role = role(admin, "Watcher", &["session.unattended"], true).await;
    let (watcher_id, watcher) = member(server, admin, "watcher@reach.test").await;
    grant(
        admin,
        json!({"role_id": watcher_role, "user_id": watcher_id}),
    )
    .await;
    watcher
}

pub(crate) async fn me(api: &Api) -> SignedIn {
    serde_json::from_value(api.get("/api/auth/me").await.ok("me")).unwrap()
}

/// The id of the device group `name`.
async fn device_group(admin: &Api, name: &str) -> String {
    let groups = admin.get("/api/device-groups").await.ok("device groups");
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .and_then(|g| g["id"].as_str())
        .unwrap_or_else(|| panic!("no device group {name} in {groups}"))
        .to_string()
}

/// Enrolls a device into `group` (created by the token if missing).
async fn enroll_into(server: &TestServer, admin: &Api, nickname: &str, group: &str) -> String {
    let token = admin
        .post(
            "/api/enrollment-tokens",
            json!({"max_uses": 1, "expires_in_secs": 600, "device_group": group}),
        )
        .await
        .ok("create a group token");
    let token: reach_proto::api::EnrollmentTokenCreated = serde_json::from_value(token).unwrap();
    let dir = tempfile::tempdir().unwrap();
    try_enroll(
        &server.base_url,
        &token.token,
        nickname,
        server.fingerprint,
        dir.path(),
    )
    .await
    .expect("enrollment succeeds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_scoped_to_a_device_group_reach_only_its_devices() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let shop_device = enroll_into(&server, &admin, "till", "Shop").await;
    let office_device = enroll_into(&server, &admin, "desk", "Office").await;
    let shop = device_group(&admin, "Shop").await;

    // The role reaches the helper through a user group, on the Shop group only.
    let helper_role = role(&admin, "Shop helper", &["session.unattended"], false).await;
    let (helper_id, helper) = member(&server, &admin, "helper@reach.test").await;
    let group = admin
        .post(
            "/api/user-groups",
            json!({"name": "Shop staff", "member_ids": [helper_id]}),
        )
        .await
        .ok("create a group");
    grant(
        &admin,
        json!({"role_id": helper_role, "group_id": group["id"], "device_group_id": shop}),
    )
    .await;
    // Nothing company-wide: no permission shows on the account.
    assert!(me(&helper).await.user.permissions.is_empty());

    let listed: Vec<String> = helper.devices().await.into_iter().map(|d| d.id).collect();
    assert_eq!(listed, vec![shop_device.clone()]);
    // Offline, but allowed: the answer is about the device, not about rights.
    helper
        .post("/api/sessions", json!({"device_id": shop_device}))
        .await
        .refused(
            "a session on an offline shop device",
            409,
            ErrorCode::DeviceOffline,
        );
    helper
        .post("/api/sessions", json!({"device_id": office_device}))
        .await
        .refused("a session outside the group", 403, ErrorCode::Forbidden);

    // The live feed shows changes to shop devices only.
    let mut feed = EventFeed::open(&server, &helper).await;
    for device in [&office_device, &shop_device] {
        admin
            .post(&format!("/api/devices/{device}/revoke"), json!({}))
            .await
            .ok("revoke a device");
    }
    let first = feed
        .wait_for("a device change", |e| {
            matches!(e, ConsoleEvent::DeviceChanged { .. })
        })
        .await;
    assert!(
        matches!(&first, ConsoleEvent::DeviceChanged { device } if device.id == shop_device),
        "the helper's feed showed another group's device first: {first:?}"
    );

    // Leaving the group takes the role away at the next request.
    admin
        .put(
            &format!("/api/user-groups/{}", group["id"].as_str().unwrap()),
            json!({"name": "Shop staff", "member_ids": []}),
        )
        .await
        .ok("empty the group");
    assert!(helper.devices().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_only_role_watches_without_input() {
    let xvfb = start_xvfb(320, 240).await;
    let mut pattern = TestPattern::start(&xvfb.display).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let device = enroll_device(&server, &admin, "kiosk").await;
    let _agent = AgentLink::spawn(&device, Some(xvfb.display.clone()));
    admin.wait_online(&device.id).await;
    let watcher = watcher(&server, &admin).await;

    let session = watcher.start_session(&device.id).await;
    let mut console = Console::open_expecting(&server, &watcher, &session.id, true).await;
    let mut screen = Screen::new(320, 240);
    console.paint_until(&mut screen, Screen::covered).await;
    for pressed in [true, false] {
        send_input(
            &mut console.ws,
            InputEvent::PointerButton {
                x: 10,
                y: 200,
                button: 1,
                pressed,
            },
        )
        .await;
    }
    send_console(&mut console.ws, &ConsoleMessage::End).await;
    assert!(matches!(
        console.next_control().await,
        Some(ServerToConsole::Ended { .. })
    ));

    // A full-control session afterwards: its click arrives, the watcher's never did.
    let session = admin.start_session(&device.id).await;
    let mut console = Console::open(&server, &admin, &session.id).await;
    for pressed in [true, false] {
        send_input(
            &mut console.ws,
            InputEvent::PointerButton {
                x: 300,
                y: 20,
                button: 1,
                pressed,
            },
        )
        .await;
    }
    pattern
        .wait_for("the administrator's click", |e| {
            e["event"] == "button_release" && e["x"] == 300 && e["y"] == 20
        })
        .await;
    assert!(
        !pattern.has_seen(|e| e["x"] == 10 && e["y"] == 200),
        "a view-only session's click reached the device"
    );
}

async fn sign_in_fails(server: &TestServer, email: &str, password: &str) -> Answer {
    let mut api = server.api();
    api.login(email, password).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owners_and_oneself_are_protected() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    let owner = admin.sign_in_admin().await.user;
    // A second administrator acts on the owner; the owner acts on themself.
    let (second_id, second) = member(&server, &admin, "second@reach.test").await;
    let roles = admin.get("/api/roles").await.ok("roles");
    let administrator = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["builtin"] == "administrator")
        .unwrap()
        .clone();
    grant(
        &admin,
        json!({"role_id": administrator["id"], "user_id": second_id}),
    )
    .await;

    for (who, api) in [("another administrator", &second), ("the owner", &admin)] {
        let what = |action: &str| format!("{who}: {action} the owner");
        // The owner check comes first: the owner hears "owner" about themself too.
        let expected = ErrorCode::OwnerProtected;
        api.post(&format!("/api/users/{}/remove", owner.id), json!({}))
            .await
            .refused(&what("removing"), 409, expected);
        api.delete(&format!("/api/users/{}", owner.id))
            .await
            .refused(&what("deleting"), 409, expected);
        api.patch(
            &format!("/api/users/{}", owner.id),
            json!({"display_name": "Owner", "disabled": true}),
        )
        .await
        .refused(&what("disabling"), 409, expected);
    }
    let owner_grant = admin
        .get("/api/role-grants")
        .await
        .ok("grants")
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["user_id"] == owner.id.as_str())
        .unwrap()["id"]
        .clone();
    second
        .delete(&format!(
            "/api/role-grants/{}",
            owner_grant.as_str().unwrap()
        ))
        .await
        .refused(
            "taking the owner's Administrator role",
            409,
            ErrorCode::OwnerProtected,
        );
    // A non-owner can't act on themself either.
    second
        .post(&format!("/api/users/{second_id}/remove"), json!({}))
        .await
        .refused("removing oneself", 409, ErrorCode::NotOnYourself);
    // Built-in roles are fixed.
    admin
        .put(
            &format!("/api/roles/{}", administrator["id"].as_str().unwrap()),
            json!({"name": "Admin", "permissions": []}),
        )
        .await
        .refused("editing a built-in role", 409, ErrorCode::BuiltinRole);
    admin
        .delete(&format!(
            "/api/roles/{}",
            administrator["id"].as_str().unwrap()
        ))
        .await
        .refused("deleting a built-in role", 409, ErrorCode::BuiltinRole);
    // Nothing changed: the owner still signs in with every permission.
    assert_eq!(me(&admin).await.user.permissions, Permission::ALL.to_vec());
}

on_both_backends!(removing_a_member_is_not_deleting_the_account);

async fn removing_a_member_is_not_deleting_the_account(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let created = admin
        .post(
            "/api/users",
            json!({"email": "Leaver@Reach.test", "display_name": "Leaver", "password": "a long enough password"}),
        )
        .await
        .ok("create a user");
    let leaver_id = created["member"]["id"].as_str().unwrap().to_string();
    let mut leaver = server.api();
    leaver
        .login("leaver@reach.test", "a long enough password")
        .await
        .ok("the user signs in (e-mail matched case-insensitively)");
    let mut feed = EventFeed::open(&server, &leaver).await;

    admin
        .post(&format!("/api/users/{leaver_id}/remove"), json!({}))
        .await
        .ok("remove from the company");
    feed.closed().await;
    leaver.get("/api/auth/me").await.refused(
        "the removed user's sign-in",
        401,
        ErrorCode::Unauthenticated,
    );
    sign_in_fails(&server, "leaver@reach.test", "a long enough password")
        .await
        .refused("signing in without a company", 403, ErrorCode::Forbidden);
    let listed = admin.get("/api/users").await.ok("users").to_string();
    assert!(
        !listed.contains(&leaver_id),
        "a removed user is still listed"
    );
    // The account remains: its address can't be taken by a new account.
    admin
        .post(
            "/api/users",
            json!({"email": "leaver@reach.test", "display_name": "Again"}),
        )
        .await
        .refused("reusing a kept account's address", 409, ErrorCode::Conflict);

    // Deleting an account frees its address and keeps history readable.
    let (doomed_id, _) = member(&server, &admin, "doomed@reach.test").await;
    admin
        .delete(&format!("/api/users/{doomed_id}"))
        .await
        .ok("delete the account");
    sign_in_fails(&server, "doomed@reach.test", "whatever password")
        .await
        .refused(
            "signing in to a deleted account",
            401,
            ErrorCode::InvalidCredentials,
        );
    member(&server, &admin, "doomed@reach.test").await;

    let log = admin
        .get("/api/audit-events")
        .await
        .ok("event log")
        .to_string();
    for code in ["R1006I", "R1007I", "R1003I"] {
        assert!(
            log.contains(code),
            "{code} missing from the event log: {log}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_and_password_sign_in_off() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let created = admin
        .post(
            "/api/users",
            json!({"email": "tech@reach.test", "display_name": "Tech", "password": "a long enough password"}),
        )
        .await
        .ok("create a user");
    let id = created["member"]["id"].as_str().unwrap();
    let mut tech = server.api();
    tech.login("tech@reach.test", "a long enough password")
        .await
        .ok("sign in");
    let disabled = admin
        .patch(
            &format!("/api/users/{id}"),
            json!({"display_name": "Tech Two", "disabled": true}),
        )
        .await
        .ok("disable");
    assert_eq!(disabled["display_name"], "Tech Two");
    tech.get("/api/auth/me").await.refused(
        "a disabled user's sign-in",
        401,
        ErrorCode::Unauthenticated,
    );
    admin
        .patch(
            &format!("/api/users/{id}"),
            json!({"display_name": "Tech Two", "disabled": false}),
        )
        .await
        .ok("enable");

    admin
        .put(
            "/api/company/settings",
            json!({"require_two_factor": false, "password_sign_in": false}),
        )
        .await
        .ok("turn password sign-in off");
    sign_in_fails(&server, "tech@reach.test", "a long enough password")
        .await
        .refused(
            "password sign-in when it is off",
            403,
            ErrorCode::PasswordSignInDisabled,
        );
    // The owner keeps it, so a broken identity provider can't lock the company out.
    server.api().sign_in_admin().await;
    let log = admin
        .get("/api/audit-events")
        .await
        .ok("event log")
        .to_string();
    for needle in [
        "R1005I",
        "disabled_after",
        "R1302I",
        "password_sign_in_after",
    ] {
        assert!(
            log.contains(needle),
            "{needle} missing from the event log: {log}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_administration_input_changes_nothing() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let (user_id, _) = member(&server, &admin, "someone@reach.test").await;
    let role_id = role(&admin, "Existing", &["session.attended"], false).await;
    let before = |path: &'static str| {
        let admin = &admin;
        async move { admin.get(path).await.ok(path) }
    };
    let state = (
        before("/api/roles").await,
        before("/api/users").await,
        before("/api/user-groups").await,
        before("/api/role-grants").await,
        before("/api/companies").await,
    );

    let refusals: Vec<(&str, Method, String, Value, u16, ErrorCode)> = vec![
        (
            "a relative upload path",
            Method::POST,
            "/api/roles".into(),
            json!({"name": "R", "permissions": ["session.upload"], "upload_paths": ["tmp"]}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a path climbing out with ..",
            Method::POST,
            "/api/roles".into(),
            json!({"name": "R", "permissions": ["session.download"], "download_paths": ["/srv/../etc"]}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "an unknown permission",
            Method::POST,
            "/api/roles".into(),
            json!({"name": "R", "permissions": ["session.everything"]}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "an unknown field",
            Method::POST,
            "/api/roles".into(),
            json!({"name": "R", "permissions": [], "admin": true}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a duplicate role name",
            Method::POST,
            "/api/roles".into(),
            json!({"name": "existing", "permissions": []}),
            409,
            ErrorCode::Conflict,
        ),
        (
            "an empty role name",
            Method::POST,
            "/api/roles".into(),
            json!({"name": "  ", "permissions": []}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a grant to both a user and a group",
            Method::POST,
            "/api/role-grants".into(),
            json!({"role_id": role_id, "user_id": user_id, "group_id": "g"}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a grant to nobody",
            Method::POST,
            "/api/role-grants".into(),
            json!({"role_id": role_id}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a grant of an unknown role",
            Method::POST,
            "/api/role-grants".into(),
            json!({"role_id": "nope", "user_id": user_id}),
            404,
            ErrorCode::NotFound,
        ),
        (
            "a grant on an unknown device group",
            Method::POST,
            "/api/role-grants".into(),
            json!({"role_id": role_id, "user_id": user_id, "device_group_id": "nope"}),
            404,
            ErrorCode::NotFound,
        ),
        (
            "a group with an unknown member",
            Method::POST,
            "/api/user-groups".into(),
            json!({"name": "G", "member_ids": ["nobody"]}),
            404,
            ErrorCode::NotFound,
        ),
        (
            "a user with a taken address in other case",
            Method::POST,
            "/api/users".into(),
            json!({"email": "SOMEONE@reach.test", "display_name": "Dup"}),
            409,
            ErrorCode::Conflict,
        ),
        (
            "a user with a bad address",
            Method::POST,
            "/api/users".into(),
            json!({"email": "not-an-address", "display_name": "Bad"}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a user with a short password",
            Method::POST,
            "/api/users".into(),
            json!({"email": "short@reach.test", "display_name": "Short", "password": "short"}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a user with an unknown role",
            Method::POST,
            "/api/users".into(),
            json!({"email": "norole@reach.test", "display_name": "N", "role_ids": ["nope"]}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a company whose administrator's address is taken",
            Method::POST,
            "/api/companies".into(),
            json!({"name": "Dup Co", "administrator": {"email": "someone@reach.test", "display_name": "X"}}),
            409,
            ErrorCode::Conflict,
        ),
        (
            "a company with a name too long",
            Method::POST,
            "/api/companies".into(),
            json!({"name": "x".repeat(200), "administrator": {"email": "new@co.test", "display_name": "X"}}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "renaming an unknown user",
            Method::PATCH,
            "/api/users/nope".into(),
            json!({"display_name": "X", "disabled": false}),
            404,
            ErrorCode::NotFound,
        ),
        (
            "settings with an unknown field",
            Method::PUT,
            "/api/company/settings".into(),
            json!({"require_two_factor": false, "password_sign_in": true, "anonymous_help": true}),
            400,
            ErrorCode::BadRequest,
        ),
    ];
    for (what, method, path, body, status, code) in refusals {
        admin
            .send(method, &path, Some(body), true)
            .await
            .refused(what, status, code);
    }
    let after = (
        before("/api/roles").await,
        before("/api/users").await,
        before("/api/user-groups").await,
        before("/api/role-grants").await,
        before("/api/companies").await,
    );
    assert_eq!(state, after, "a refused request changed something");
}
