//! API tokens and `/api/v1` end to end: company and user tokens, scopes, what a
//! token may be given, revocation, a user's token stopping with the user, the
//! credentials each prefix takes, the OpenAPI document, and
//! `reach admin api-token create` with the real binary.

use std::process::Command;

use reach_proto::audit::ActorKind;
use reach_proto::codes::ErrorCode;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

async fn create_token(api: &Api, body: Value) -> (String, String) {
    let created = api
        .post("/api/api-tokens", body)
        .await
        .ok("create an API token");
    (
        created["token"].as_str().unwrap().to_string(),
        created["view"]["id"].as_str().unwrap().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_act_within_their_scopes_on_api_v1() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let device = enroll_device(&server, &admin, "scripted").await;

    // A company token: acts for the company, exactly its scopes.
    let (secret, token_id) = create_token(
        &admin,
        json!({"name": "inventory", "scopes": ["devices.manage", "reports.view"],
               "expires_in_secs": 86_400, "company_token": true}),
    )
    .await;
    assert!(secret.starts_with("rat_"));
    let script = Api::with_token(&server, &secret);
    let devices = script
        .get("/api/v1/devices")
        .await
        .ok("devices with a token");
    assert!(devices.to_string().contains(&device.id));
    script
        .get("/api/v1/users")
        .await
        .refused("users out of scope", 403, ErrorCode::Forbidden);
    script
        .post("/api/v1/device-groups", json!({"name": "Scripted"}))
        .await
        .ok("a change made with the token");
    let log = admin.get("/api/audit-events").await.ok("event log");
    let by_token = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "R2004I")
        .expect("the device group creation is logged");
    assert_eq!(
        by_token["actor_kind"],
        serde_json::to_value(ActorKind::ApiToken).unwrap()
    );
    assert_eq!(by_token["actor_name"], "inventory");
    let listed = admin.get("/api/api-tokens").await.ok("tokens");
    assert!(listed[0]["last_used_at"].is_number(), "{listed}");
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is never listed"
    );

    // The credentials each prefix takes: tokens on /api/v1 only, cookies never there.
    script
        .get("/api/devices")
        .await
        .refused("a token on /api", 401, ErrorCode::Unauthenticated);
    admin.get("/api/v1/devices").await.refused(
        "a cookie on /api/v1",
        401,
        ErrorCode::Unauthenticated,
    );
    for header in ["Bearer", "Basic abc", "Bearer rat_nope"] {
        let answer = server
            .http_client()
            .get(format!("{}/api/v1/devices", server.base_url))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 401, "{header}");
    }
    // No CSRF header is needed with a token: it is not an ambient credential.
    script
        .send(
            Method::POST,
            "/api/v1/device-groups",
            Some(json!({"name": "Second"})),
            false,
        )
        .await
        .ok("a change without a CSRF header");

    // Revoked: refused at once.
    admin
        .post(&format!("/api/api-tokens/{token_id}/revoke"), json!({}))
        .await
        .ok("revoke");
    script
        .get("/api/v1/devices")
        .await
        .refused("a revoked token", 401, ErrorCode::Unauthenticated);

    // The document describes every operation, without sign-in.
    let document: Value = server
        .http_client()
        .get(format!("{}/api/v1/openapi.json", server.base_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["openapi"], "3.0.3");
    assert!(document["paths"]["/role-grants"]["post"]["requestBody"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_token_may_be_given() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    // A member who may manage tokens but not users.
    let role = admin
        .post("/api/roles", json!({"name": "Token keeper", "permissions": ["api_tokens.manage", "session.unattended"]}))
        .await
        .ok("role");
    let created = admin
        .post(
            "/api/users",
            json!({"email": "keeper@reach.test", "display_name": "Keeper", "role_ids": [role["id"]]}),
        )
        .await
        .ok("user");
    let keeper_id = created["member"]["id"].as_str().unwrap().to_string();
    let mut keeper = server.api();
    keeper
        .login(
            "keeper@reach.test",
            created["generated_password"].as_str().unwrap(),
        )
        .await
        .ok("sign in");
    let before = admin.get("/api/api-tokens").await.ok("tokens");
    for (what, body, status, code) in [
        (
            "a scope the creator lacks",
            json!({"name": "x", "scopes": ["users.manage"], "expires_in_secs": 3600}),
            403,
            ErrorCode::Forbidden,
        ),
        (
            "no scope",
            json!({"name": "x", "scopes": [], "expires_in_secs": 3600}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "an unknown scope",
            json!({"name": "x", "scopes": ["everything"], "expires_in_secs": 3600}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a lifetime under an hour",
            json!({"name": "x", "scopes": ["api_tokens.manage"], "expires_in_secs": 60}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a lifetime over a year",
            json!({"name": "x", "scopes": ["api_tokens.manage"], "expires_in_secs": 40_000_000}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "a company token that starts sessions",
            json!({"name": "x", "scopes": ["session.unattended"], "expires_in_secs": 3600, "company_token": true}),
            400,
            ErrorCode::BadRequest,
        ),
        (
            "an empty name",
            json!({"name": " ", "scopes": ["api_tokens.manage"], "expires_in_secs": 3600}),
            400,
            ErrorCode::BadRequest,
        ),
    ] {
        keeper
            .post("/api/api-tokens", body)
            .await
            .refused(what, status, code);
    }
    assert_eq!(
        admin.get("/api/api-tokens").await.ok("tokens"),
        before,
        "nothing was created"
    );

    // A user token works as its user, and stops with the user's rights.
    let (secret, _) = create_token(
        &keeper,
        json!({"name": "mine", "scopes": ["session.unattended"], "expires_in_secs": 3600}),
    )
    .await;
    let mine = Api::with_token(&server, &secret);
    mine.get("/api/v1/sessions")
        .await
        .ok("own sessions with a user token");
    admin
        .patch(
            &format!("/api/users/{keeper_id}"),
            json!({"display_name": "Keeper", "disabled": true}),
        )
        .await
        .ok("disable the user");
    mine.get("/api/v1/sessions").await.refused(
        "a disabled user's token",
        401,
        ErrorCode::Unauthenticated,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_create_tokens_from_the_command_line() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_reach"))
            .arg("admin")
            .arg("api-token")
            .arg("create")
            .args(args)
            .args(server.storage_args())
            .output()
            .unwrap()
    };
    let output = run(&[
        "--user",
        ADMIN_EMAIL,
        "--scopes",
        "users.manage,reports.view",
        "--expires",
        "30d",
    ]);
    assert!(output.status.success(), "{output:?}");
    let secret = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let api = Api::with_token(&server, &secret);
    api.get("/api/v1/users")
        .await
        .ok("users with the CLI's token");
    // The administrator operates the server; their token does not.
    api.get("/api/v1/companies").await.refused(
        "an operator's token on companies",
        403,
        ErrorCode::Forbidden,
    );
    api.get("/api/v1/roles")
        .await
        .refused("roles out of scope", 403, ErrorCode::Forbidden);

    for (args, message) in [
        (
            &["--scopes", "everything", "--expires", "1d"][..],
            "unknown scope everything",
        ),
        (
            &["--scopes", "users.manage", "--expires", "10m"][..],
            "between 1h and 366d",
        ),
        (
            &[
                "--user",
                "nobody@reach.test",
                "--scopes",
                "users.manage",
                "--expires",
                "1d",
            ][..],
            "no user nobody@reach.test",
        ),
        (
            &["--scopes", "session.unattended", "--expires", "1d"][..],
            "can't start sessions",
        ),
    ] {
        let output = run(args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let log = admin
        .get("/api/audit-events")
        .await
        .ok("event log")
        .to_string();
    assert!(
        log.contains("R1400I") && log.contains("reach admin"),
        "{log}"
    );
}
