//! SCIM 2.0 provisioning against the real server: the conformance checker
//! scim2-tester (PyPI, in the virtual environment `cargo xtask test` makes)
//! run against a live server, and Reach's own rules: tokens and tenants,
//! deactivation ending sign-ins, and each kind of bad input.

use std::process::Command;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

const SCIM_SCHEMA_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The Python with scim2-tester: `REACH_SCIM_PYTHON`, as `cargo xtask test` sets it.
fn scim_python() -> String {
    match std::env::var("REACH_SCIM_PYTHON") {
        Ok(python) if !python.is_empty() => python,
        _ => panic!(
            "REACH_SCIM_PYTHON is not set: run the suite with `cargo xtask test` (it installs scim2-tester \
             from PyPI in a virtual environment), or set it to a Python with \
             `pip install scim2-tester==0.5.2 'scim2-client[httpx2]==0.13.2'`"
        ),
    }
}

/// A company API token with `scopes`.
async fn token(admin: &Api, scopes: &[&str]) -> String {
    let created = admin
        .post(
            "/api/api-tokens",
            json!({"name": format!("SCIM {}", uuid::Uuid::new_v4()), "scopes": scopes, "expires_in_secs": 86_400, "company_token": true}),
        )
        .await
        .ok("create a provisioning token");
    created["token"].as_str().unwrap().to_string()
}

/// A SCIM client: the server's TLS, a bearer token.
struct Scim {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Scim {
    fn new(server: &TestServer, token: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .use_preconfigured_tls(server.tls())
                .build()
                .unwrap(),
            base: format!("{}/scim/v2", server.base_url),
            token: token.to_string(),
        }
    }

    /// Sends a request; returns the status and the JSON body (Null when empty).
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/scim+json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, operations: Value) -> (u16, Value) {
        self.send(
            Method::PATCH,
            path,
            Some(json!({"schemas": [PATCH_OP], "Operations": operations})),
        )
        .await
    }
}

/// A SCIM answer: status and JSON body.
type ScimAnswer = (u16, Value);
/// What a refusal should be: status and `scimType`.
type Expected = (u16, Option<&'static str>);

/// A SCIM refusal: its status and `scimType`.
fn refusal(answer: &(u16, Value)) -> (u16, Option<&str>) {
    assert_eq!(
        answer.1["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{answer:?}"
    );
    (answer.0, answer.1["scimType"].as_str())
}

fn new_user(user_name: &str, email: &str) -> Value {
    json!({
        "schemas": [SCIM_SCHEMA_USER],
        "userName": user_name,
        "name": {"givenName": "Grace", "familyName": "Hopper"},
        "emails": [{"value": email, "type": "work", "primary": true}],
        "externalId": format!("ext-{user_name}"),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scim2_tester_finds_the_server_conformant() {
    let python = scim_python();
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let token = token(&admin, &["sso.manage"]).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scim/conformance.py");
    let base = format!("{}/scim/v2", server.base_url);
    let output = tokio::task::spawn_blocking(move || {
        Command::new(&python)
            .args([script, "--url", &base, "--token", &token])
            .output()
    })
    .await
    .unwrap()
    .unwrap_or_else(|err| panic!("cannot run the SCIM checker's Python: {err}"));
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    assert!(
        output.status.success(),
        "scim2-tester found violations:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains(" checks, 0 failed"), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provisioning_manages_members_and_deactivation_ends_their_sign_ins() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let scim = Scim::new(&server, &token(&admin, &["sso.manage"]).await);

    // A user with a password, signed in in the console.
    admin
        .post(
            "/api/users",
            json!({"email": "ada@acme.test", "display_name": "Ada", "password": "ada-password-0042"}),
        )
        .await
        .ok("add Ada");
    let mut ada = server.api();
    ada.login("ada@acme.test", "ada-password-0042")
        .await
        .ok("Ada signs in");
    let (status, found) = scim
        .get("/Users?filter=userName%20eq%20%22ADA@acme.test%22")
        .await;
    assert_eq!(
        (status, found["totalResults"].as_u64()),
        (200, Some(1)),
        "{found}"
    );
    let ada_id = found["Resources"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(found["Resources"][0]["active"], true);

    // Deactivated through SCIM: her sign-in ends at once.
    let (status, patched) = scim
        .patch(
            &format!("/Users/{ada_id}"),
            json!([{"op": "Replace", "value": {"active": false}}]),
        )
        .await;
    assert_eq!(
        (status, &patched["active"]),
        (200, &json!(false)),
        "{patched}"
    );
    ada.get("/api/auth/me").await.refused(
        "a deactivated user's sign-in",
        401,
        reach_proto::codes::ErrorCode::Unauthenticated,
    );
    ada.login("ada@acme.test", "ada-password-0042")
        .await
        .refused(
            "a deactivated user",
            401,
            reach_proto::codes::ErrorCode::InvalidCredentials,
        );

    // Created through SCIM: in the console's list, in a group that grants a role.
    let (status, grace) = scim
        .post("/Users", new_user("grace", "grace@acme.test"))
        .await;
    assert_eq!(status, 201, "{grace}");
    let grace_id = grace["id"].as_str().unwrap().to_string();
    assert_eq!(grace["name"]["familyName"], "Hopper");
    let (status, group) = scim
        .post(
            "/Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Engineers", "members": [{"value": grace_id}]}),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let users = admin.get("/api/users").await.ok("users");
    let listed = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "grace@acme.test")
        .expect("Grace is a member");
    assert_eq!(listed["display_name"], "Grace Hopper");
    let (_, grace_again) = scim.get(&format!("/Users/{grace_id}")).await;
    assert_eq!(grace_again["groups"][0]["display"], "Engineers");

    // Group membership changes by PATCH; DELETE deletes the account.
    let group_id = group["id"].as_str().unwrap();
    let (status, emptied) = scim
        .patch(
            &format!("/Groups/{group_id}"),
            json!([{"op": "remove", "path": format!("members[value eq \"{grace_id}\"]")}]),
        )
        .await;
    assert_eq!(status, 200, "{emptied}");
    assert!(emptied.get("members").is_none(), "{emptied}");
    let (status, _) = scim
        .send(Method::DELETE, &format!("/Users/{grace_id}"), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(scim.get(&format!("/Users/{grace_id}")).await.0, 404);

    // The owner can be neither deactivated nor deleted.
    let me = admin.get("/api/auth/me").await.ok("me");
    let owner_id = me["user"]["id"].as_str().unwrap();
    let answer = scim
        .patch(
            &format!("/Users/{owner_id}"),
            json!([{"op": "replace", "path": "active", "value": false}]),
        )
        .await;
    assert_eq!(refusal(&answer), (400, Some("mutability")));
    let answer = scim
        .send(Method::DELETE, &format!("/Users/{owner_id}"), None)
        .await;
    assert_eq!(refusal(&answer), (400, Some("mutability")));

    // Every change is in the event log, marked as SCIM.
    let events: Vec<Value> =
        serde_json::from_value(admin.get("/api/audit-events?limit=100").await.ok("events"))
            .unwrap();
    for code in ["R1003I", "R1005I", "R1007I", "R1200I", "R1201I"] {
        assert!(
            events
                .iter()
                .any(|e| e["code"] == code && e["details"].to_string().contains("scim")),
            "{code} through SCIM in {events:#?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_in_scim_terms_and_changes_nothing() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let scim = Scim::new(&server, &token(&admin, &["sso.manage"]).await);
    let (status, ada) = scim.post("/Users", new_user("ada", "ada@acme.test")).await;
    assert_eq!(status, 201, "{ada}");
    let ada_id = ada["id"].as_str().unwrap().to_string();

    let cases: Vec<(&str, ScimAnswer, Expected)> = vec![
        (
            "a filter that does not parse",
            scim.get("/Users?filter=userName%20xx%20%22a%22").await,
            (400, Some("invalidFilter")),
        ),
        (
            "a user without userName",
            scim.post("/Users", json!({"schemas": [SCIM_SCHEMA_USER], "emails": [{"value": "x@acme.test"}]})).await,
            (400, Some("invalidValue")),
        ),
        (
            "an e-mail that is not an address",
            scim.post("/Users", json!({"schemas": [SCIM_SCHEMA_USER], "userName": "someone", "emails": [{"value": "not-an-address"}]})).await,
            (400, Some("invalidValue")),
        ),
        (
            "two primary addresses",
            scim.post("/Users", json!({"schemas": [SCIM_SCHEMA_USER], "userName": "two", "emails": [{"value": "a@acme.test", "primary": true}, {"value": "b@acme.test", "primary": true}]})).await,
            (400, Some("invalidValue")),
        ),
        (
            "a search without the SearchRequest schema",
            scim.post("/Users/.search", json!({"filter": "userName pr"})).await,
            (400, Some("invalidSyntax")),
        ),
        (
            "a userName already taken (other case)",
            scim.post("/Users", new_user("ADA", "other@acme.test")).await,
            (409, Some("uniqueness")),
        ),
        (
            "an address already taken",
            scim.post("/Users", new_user("someone", "ada@acme.test")).await,
            (409, Some("uniqueness")),
        ),
        (
            "a body that is not JSON",
            scim.send(Method::POST, "/Users", Some(json!("not an object"))).await,
            (400, Some("invalidSyntax")),
        ),
        (
            "another resource's schema",
            scim.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "userName": "x@acme.test"})).await,
            (400, Some("invalidSyntax")),
        ),
        (
            "a PATCH path to nothing",
            scim.patch(&format!("/Users/{ada_id}"), json!([{"op": "replace", "path": "nickName", "value": "x"}])).await,
            (400, Some("invalidPath")),
        ),
        (
            "a PATCH of a read-only attribute",
            scim.patch(&format!("/Users/{ada_id}"), json!([{"op": "replace", "path": "groups", "value": []}])).await,
            (400, Some("mutability")),
        ),
        (
            "a PATCH removing without a path",
            scim.patch(&format!("/Users/{ada_id}"), json!([{"op": "remove"}])).await,
            (400, Some("noTarget")),
        ),
        (
            "a group member who is not a user of the company",
            scim.post("/Groups", json!({"displayName": "Ghosts", "members": [{"value": "no-such-user"}]})).await,
            (400, Some("invalidValue")),
        ),
        (
            "an unknown user",
            scim.get("/Users/no-such-user").await,
            (404, None),
        ),
        (
            "an unknown endpoint",
            scim.get("/Devices").await,
            (404, None),
        ),
    ];
    for (what, answer, expected) in &cases {
        assert_eq!(refusal(answer), *expected, "{what}: {answer:?}");
    }
    // Nothing was created or changed by the refusals.
    let (_, all) = scim.get("/Users").await;
    let names: Vec<&str> = all["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "the owner and Ada only: {names:?}");
    let (_, again) = scim.get(&format!("/Users/{ada_id}")).await;
    assert_eq!(again["userName"], "ada");
    assert_eq!(scim.get("/Groups").await.1["totalResults"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_companies_are_kept_apart() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let acme = Scim::new(&server, &token(&admin, &["sso.manage"]).await);
    let (_, ada) = acme.post("/Users", new_user("ada", "ada@acme.test")).await;
    let ada_id = ada["id"].as_str().unwrap().to_string();

    // Another company's token sees none of Acme's users.
    admin
        .post(
            "/api/companies",
            json!({"name": "Initech", "administrator": {"email": "root@initech.test", "display_name": "Root", "password": "initech-password-0042"}}),
        )
        .await
        .ok("another company");
    let mut initech_admin = server.api();
    initech_admin
        .login("root@initech.test", "initech-password-0042")
        .await
        .ok("Initech admin");
    let initech = Scim::new(&server, &token(&initech_admin, &["sso.manage"]).await);
    assert_eq!(initech.get(&format!("/Users/{ada_id}")).await.0, 404);
    let (_, listed) = initech.get("/Users").await;
    assert!(!listed.to_string().contains("ada@acme.test"), "{listed}");
    let answer = initech
        .patch(
            &format!("/Users/{ada_id}"),
            json!([{"op": "replace", "path": "active", "value": false}]),
        )
        .await;
    assert_eq!(answer.0, 404);
    assert_eq!(
        initech
            .send(Method::DELETE, &format!("/Users/{ada_id}"), None)
            .await
            .0,
        404
    );
    let (status, still) = acme.get(&format!("/Users/{ada_id}")).await;
    assert_eq!(status, 200);
    assert_ne!(still["active"], false, "Ada is still active: {still}");

    // A token without sso.manage, no token, or a browser sign-in: refused.
    let devices_only = Scim::new(&server, &token(&admin, &["devices.manage"]).await);
    assert_eq!(devices_only.get("/Users").await.0, 403);
    let nobody = Scim::new(&server, "rat_not-a-token");
    assert_eq!(nobody.get("/Users").await.0, 401);
    let browser = admin.get("/scim/v2/Users").await;
    assert_eq!(browser.status.as_u16(), 401, "a browser sign-in on SCIM");
    assert_eq!(browser.body["status"], "401", "in SCIM's error shape");
}
