//! Privileges that must not leak: managing users does not hand out roles (not at
//! user creation, not through a group that holds roles), the owner's second
//! factor is reset only on the server machine, and company API tokens keep
//! working when the company requires two-factor sign-in (they have no user).

use reach_proto::access::Permission;
use reach_proto::codes::ErrorCode;
use serde_json::json;

use crate::access::{grant, me, member, role};
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn managing_users_does_not_hand_out_roles() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let manager_role = role(&admin, "User manager", &["users.manage"], false).await;
    let (manager_id, manager) = member(&server, &admin, "manager@reach.test").await;
    grant(
        &admin,
        json!({"role_id": manager_role, "user_id": manager_id}),
    )
    .await;
    let roles = admin.get("/api/roles").await.ok("roles");
    let administrator = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["builtin"] == "administrator")
        .unwrap()["id"]
        .clone();
    let admins = admin
        .post("/api/user-groups", json!({"name": "Admins"}))
        .await
        .ok("a group");
    grant(
        &admin,
        json!({"role_id": administrator, "group_id": admins["id"]}),
    )
    .await;
    let plain = manager
        .post("/api/user-groups", json!({"name": "Plain"}))
        .await
        .ok("the manager creates a group without roles");

    // Joining a group that holds roles would be taking them: refused.
    manager
        .put(
            &format!("/api/user-groups/{}", admins["id"].as_str().unwrap()),
            json!({"name": "Admins", "member_ids": [manager_id]}),
        )
        .await
        .refused("joining a group with roles", 403, ErrorCode::Forbidden);
    manager
        .post(
            "/api/users",
            json!({"email": "new@reach.test", "display_name": "New", "role_ids": [administrator]}),
        )
        .await
        .refused("creating a user with a role", 403, ErrorCode::Forbidden);
    assert_eq!(
        me(&manager).await.user.permissions,
        vec![Permission::ManageUsers]
    );
    // Renaming it, or managing a group without roles, is users' business.
    manager
        .put(
            &format!("/api/user-groups/{}", admins["id"].as_str().unwrap()),
            json!({"name": "Administrators", "member_ids": []}),
        )
        .await
        .ok("renaming a group with roles");
    manager
        .put(
            &format!("/api/user-groups/{}", plain["id"].as_str().unwrap()),
            json!({"name": "Plain", "member_ids": [manager_id]}),
        )
        .await
        .ok("joining a group without roles");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_tokens_work_when_two_factor_is_required() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let created = admin
        .post(
            "/api/api-tokens",
            json!({"name": "nightly", "scopes": ["devices.manage"], "expires_in_secs": 3600, "company_token": true}),
        )
        .await
        .ok("a company token");
    let mine = admin
        .post(
            "/api/api-tokens",
            json!({"name": "mine", "scopes": ["devices.manage"], "expires_in_secs": 3600}),
        )
        .await
        .ok("a user token");
    let user_token = mine["token"].as_str().unwrap();
    admin
        .put(
            "/api/company/settings",
            json!({"require_two_factor": true, "password_sign_in": true}),
        )
        .await
        .ok("require two-factor sign-in");
    Api::with_token(&server, created["token"].as_str().unwrap())
        .get("/api/v1/devices")
        .await
        .ok("a company token has no second factor to set up");
    Api::with_token(&server, user_token)
        .get("/api/v1/devices")
        .await
        .refused(
            "the token of a user who must enrol",
            403,
            ErrorCode::TwoFactorEnrollmentRequired,
        );
}
