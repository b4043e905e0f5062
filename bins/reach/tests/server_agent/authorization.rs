//! The authorization matrix, generated from the router and the permission
//! catalogue. For every route of the API: a caller who is not signed in is
//! refused; for every permission a route needs, a user holding every other
//! permission is refused and a user holding just that one is let through; an
//! administrator of another company gets "not found" for this company's ids
//! and never sees them in a list. A route added to the server without a row
//! here fails the coverage check.

use std::collections::BTreeSet;

use reach_proto::access::Permission;
use reach_proto::codes::ErrorCode;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Need {
    /// Anyone signed in to a company.
    Member,
    /// A company-wide (or, for devices, device-scoped) permission.
    Permission(Permission),
    /// A server operator.
    Operator,
    /// Not part of the matrix: public, or checked by its own tests (named).
    Elsewhere(&'static str),
}

/// One row: a route as the router declares it, and what it needs.
struct Route {
    method: &'static str,
    path: &'static str,
    need: Need,
}

const fn route(method: &'static str, path: &'static str, need: Need) -> Route {
    Route { method, path, need }
}

use Need::*;
use Permission as P;

const ROUTES: &[Route] = &[
    route("POST", "/api/auth/login", Elsewhere("sign_in")),
    route("POST", "/api/auth/logout", Elsewhere("sign_in")),
    route("GET", "/api/auth/me", Member),
    route("POST", "/api/auth/password", Elsewhere("sign_in")),
    route("POST", "/api/setup", Elsewhere("sign_in")),
    route(
        "POST",
        "/api/auth/two-factor/setup",
        Elsewhere("two_factor"),
    ),
    route(
        "POST",
        "/api/auth/two-factor/enable",
        Elsewhere("two_factor"),
    ),
    route(
        "POST",
        "/api/auth/two-factor/disable",
        Elsewhere("two_factor"),
    ),
    route("GET", "/api/devices", Member),
    route(
        "POST",
        "/api/devices/{id}/revoke",
        Permission(P::ManageDevices),
    ),
    route(
        "GET",
        "/api/enrollment-tokens",
        Permission(P::ManageDevices),
    ),
    route(
        "POST",
        "/api/enrollment-tokens",
        Permission(P::ManageDevices),
    ),
    route(
        "POST",
        "/api/enrollment-tokens/{id}/revoke",
        Permission(P::ManageDevices),
    ),
    route("GET", "/api/sessions", Member),
    route(
        "POST",
        "/api/sessions",
        Permission(P::StartUnattendedSession),
    ),
    route(
        "POST",
        "/api/session-keys",
        Permission(P::StartAttendedSession),
    ),
    route("POST", "/api/sessions/{id}/end", Elsewhere("permissions")),
    route("ANY", "/api/sessions/{id}/ws", Elsewhere("permissions")),
    route("ANY", "/api/events", Elsewhere("audit")),
    route("GET", "/api/audit-events", Permission(P::ViewEventLog)),
    route("GET", "/api/companies", Operator),
    route("POST", "/api/companies", Operator),
    route("PATCH", "/api/companies/{id}", Operator),
    route("GET", "/api/company", Permission(P::ManageCompany)),
    route("PUT", "/api/company/settings", Permission(P::ManageCompany)),
    route("GET", "/api/users", Permission(P::ManageUsers)),
    route("POST", "/api/users", Permission(P::ManageUsers)),
    route("PATCH", "/api/users/{id}", Permission(P::ManageUsers)),
    route("DELETE", "/api/users/{id}", Permission(P::ManageUsers)),
    route("POST", "/api/users/{id}/remove", Permission(P::ManageUsers)),
    route(
        "POST",
        "/api/users/{id}/reset-two-factor",
        Permission(P::ManageUsers),
    ),
    route("GET", "/api/user-groups", Permission(P::ManageUsers)),
    route("POST", "/api/user-groups", Permission(P::ManageUsers)),
    route("PUT", "/api/user-groups/{id}", Permission(P::ManageUsers)),
    route(
        "DELETE",
        "/api/user-groups/{id}",
        Permission(P::ManageUsers),
    ),
    route("GET", "/api/roles", Permission(P::ManageRoles)),
    route("POST", "/api/roles", Permission(P::ManageRoles)),
    route("PUT", "/api/roles/{id}", Permission(P::ManageRoles)),
    route("DELETE", "/api/roles/{id}", Permission(P::ManageRoles)),
    route("GET", "/api/role-grants", Permission(P::ManageRoles)),
    route("POST", "/api/role-grants", Permission(P::ManageRoles)),
    route(
        "DELETE",
        "/api/role-grants/{id}",
        Permission(P::ManageRoles),
    ),
    route("GET", "/api/device-groups", Member),
    route("POST", "/api/device-groups", Permission(P::ManageDevices)),
    route("GET", "/api/api-tokens", Permission(P::ManageApiTokens)),
    route("POST", "/api/api-tokens", Permission(P::ManageApiTokens)),
    route(
        "POST",
        "/api/api-tokens/{id}/revoke",
        Permission(P::ManageApiTokens),
    ),
    route("GET", "/api/v1/openapi.json", Elsewhere("api_tokens")),
    route("GET", "/api/sso-domains", Permission(P::ManageSso)),
    route("POST", "/api/sso-domains", Permission(P::ManageSso)),
    route(
        "POST",
        "/api/sso-domains/{id}/verify",
        Permission(P::ManageSso),
    ),
    route("DELETE", "/api/sso-domains/{id}", Permission(P::ManageSso)),
    route(
        "GET",
        "/api/sso-domains/{id}/saml",
        Permission(P::ManageSso),
    ),
    route(
        "PUT",
        "/api/sso-domains/{id}/saml",
        Permission(P::ManageSso),
    ),
    route(
        "DELETE",
        "/api/sso-domains/{id}/saml",
        Permission(P::ManageSso),
    ),
    route(
        "POST",
        "/api/sso-domains/{id}/saml/customer-identifier",
        Permission(P::ManageSso),
    ),
    route(
        "GET",
        "/api/sso-domains/{id}/owners",
        Permission(P::ManageSso),
    ),
    route(
        "PUT",
        "/api/sso-domains/{id}/owners",
        Permission(P::ManageSso),
    ),
    route(
        "GET",
        "/api/sso-domains/{id}/oidc",
        Permission(P::ManageSso),
    ),
    route(
        "PUT",
        "/api/sso-domains/{id}/oidc",
        Permission(P::ManageSso),
    ),
    route(
        "DELETE",
        "/api/sso-domains/{id}/oidc",
        Permission(P::ManageSso),
    ),
    route(
        "PUT",
        "/api/sso-domains/{id}/exclusions",
        Permission(P::ManageSso),
    ),
    route("GET", "/api/auth/sign-in-method", Elsewhere("saml")),
    route("POST", "/api/agent/enroll", Elsewhere("enrollment")),
    route("POST", "/api/agent/join", Elsewhere("attended")),
    route("POST", "/api/portal/keys/check", Elsewhere("attended")),
    route("ANY", "/api/agent/ws", Elsewhere("trust")),
];

/// The `(method, path)` pairs the router declares under `/api`, read from its
/// source: `lib.rs`, and `api/mod.rs` whose resource routes are mounted under
/// `/api` and again under `/api/v1` (listed here once, under `/api`).
fn declared_routes() -> BTreeSet<(String, String)> {
    let sources = [
        include_str!("../../../../crates/server/src/lib.rs"),
        include_str!("../../../../crates/server/src/api/mod.rs"),
    ];
    let mut declared = BTreeSet::new();
    for chunk in sources
        .iter()
        .flat_map(|source| source.split(".route(").skip(1))
    {
        let Some(path) = chunk.split('"').nth(1) else {
            continue;
        };
        let path = match path.strip_prefix("{prefix}") {
            Some(rest) => format!("/api{}", rest.replace("{{id}}", "{id}")),
            None => path.to_string(),
        };
        if !path.starts_with("/api/") {
            continue;
        }
        // The handlers end at the call's closing parenthesis.
        let mut depth = 1;
        let end = chunk
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .map_or(chunk.len(), |(i, _)| i);
        let handlers = &chunk[..end];
        for (call, method) in [
            ("get(", "GET"),
            ("post(", "POST"),
            ("put(", "PUT"),
            ("patch(", "PATCH"),
            ("delete(", "DELETE"),
            ("any(", "ANY"),
        ] {
            let called = handlers
                .match_indices(call)
                .any(|(i, _)| !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
            if called {
                declared.insert((method.to_string(), path.clone()));
            }
        }
    }
    declared
}

#[test]
fn every_route_is_in_the_matrix() {
    let declared = declared_routes();
    assert!(declared.len() > 30, "parsed too few routes: {declared:?}");
    let listed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let missing: Vec<_> = declared.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&declared).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for routes that no longer exist: {stale:?}"
    );
}

/// Fresh things in the first company for one probe to act on (a probe may
/// delete or revoke what it is given).
struct Fixture<'a> {
    server: &'a TestServer,
    admin: &'a Api,
    counter: std::cell::Cell<u32>,
    /// Every id created in the first company, to look for in other companies' lists.
    ids: std::cell::RefCell<Vec<String>>,
}

impl Fixture<'_> {
    fn unique(&self, prefix: &str) -> String {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        format!("{prefix}-{n}")
    }

    async fn created(&self, path: &str, body: Value) -> Value {
        let created = self.admin.post(path, body).await.ok(path);
        for id in [&created["id"], &created["member"]["id"]] {
            if let Some(id) = id.as_str() {
                self.ids.borrow_mut().push(id.to_string());
            }
        }
        created
    }

    async fn device_id(&self) -> String {
        let device = enroll_device(self.server, self.admin, &self.unique("pc")).await;
        self.ids.borrow_mut().push(device.id.clone());
        device.id
    }

    async fn user_id(&self) -> String {
        let email = format!("{}@reach.test", self.unique("probe"));
        let created = self
            .created(
                "/api/users",
                json!({"email": email, "display_name": "Probe"}),
            )
            .await;
        created["member"]["id"].as_str().unwrap().to_string()
    }

    async fn group_id(&self) -> String {
        let name = self.unique("group");
        self.created("/api/user-groups", json!({"name": name}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn domain_id(&self) -> String {
        let domain = format!("{}.test", self.unique("domain"));
        self.created("/api/sso-domains", json!({"domain": domain}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn role_id(&self) -> String {
        let name = self.unique("role");
        self.created("/api/roles", json!({"name": name, "permissions": []}))
            .await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The request a probe of `route` sends, with ids of fresh things in the first company.
    async fn request(&self, route: &Route) -> (Method, String, Option<Value>) {
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        let body = |value: Value| Some(value);
        let (path, body) = match (route.method, route.path) {
            ("POST", "/api/devices/{id}/revoke") => (
                format!("/api/devices/{}/revoke", self.device_id().await),
                body(json!({})),
            ),
            ("POST", "/api/enrollment-tokens") => (
                route.path.to_string(),
                body(json!({"max_uses": 1, "expires_in_secs": 600, "device_group": null})),
            ),
            ("POST", "/api/enrollment-tokens/{id}/revoke") => {
                let token = self.admin.create_token(1, 600).await;
                (
                    format!("/api/enrollment-tokens/{}/revoke", token.view.id),
                    body(json!({})),
                )
            }
            ("POST", "/api/sessions") => (
                route.path.to_string(),
                body(json!({"device_id": self.device_id().await})),
            ),
            ("POST", "/api/session-keys") => (route.path.to_string(), body(json!({}))),
            ("POST", "/api/companies") => (
                route.path.to_string(),
                body(json!({
                    "name": self.unique("Company"),
                    "administrator": {
                        "email": format!("{}@other.test", self.unique("owner")),
                        "display_name": "Owner",
                    },
                })),
            ),
            ("PATCH", "/api/companies/{id}") => {
                let me = self.admin.get("/api/auth/me").await.ok("me");
                let company = me["user"]["company_id"].as_str().unwrap().to_string();
                (
                    format!("/api/companies/{company}"),
                    body(json!({"name": "Reach test company"})),
                )
            }
            ("PUT", "/api/company/settings") => (
                route.path.to_string(),
                body(json!({"require_two_factor": false, "password_sign_in": true})),
            ),
            ("POST", "/api/users") => (
                route.path.to_string(),
                body(json!({
                    "email": format!("{}@reach.test", self.unique("new")),
                    "display_name": "New",
                })),
            ),
            ("PATCH", "/api/users/{id}") => (
                format!("/api/users/{}", self.user_id().await),
                body(json!({"display_name": "Renamed", "disabled": false})),
            ),
            ("DELETE", "/api/users/{id}") => (format!("/api/users/{}", self.user_id().await), None),
            ("POST", "/api/users/{id}/remove") => (
                format!("/api/users/{}/remove", self.user_id().await),
                body(json!({})),
            ),
            ("POST", "/api/users/{id}/reset-two-factor") => (
                format!("/api/users/{}/reset-two-factor", self.user_id().await),
                body(json!({})),
            ),
            ("POST", "/api/user-groups") => (
                route.path.to_string(),
                body(json!({"name": self.unique("group")})),
            ),
            ("PUT", "/api/user-groups/{id}") => (
                format!("/api/user-groups/{}", self.group_id().await),
                body(json!({"name": self.unique("group"), "member_ids": []})),
            ),
            ("DELETE", "/api/user-groups/{id}") => {
                (format!("/api/user-groups/{}", self.group_id().await), None)
            }
            ("POST", "/api/roles") => (
                route.path.to_string(),
                body(json!({"name": self.unique("role"), "permissions": ["session.attended"]})),
            ),
            ("PUT", "/api/roles/{id}") => (
                format!("/api/roles/{}", self.role_id().await),
                body(json!({"name": self.unique("role"), "permissions": []})),
            ),
            ("DELETE", "/api/roles/{id}") => (format!("/api/roles/{}", self.role_id().await), None),
            ("POST", "/api/role-grants") => (
                route.path.to_string(),
                body(json!({"role_id": self.role_id().await, "group_id": self.group_id().await})),
            ),
            ("DELETE", "/api/role-grants/{id}") => {
                let grant = self
                    .created(
                        "/api/role-grants",
                        json!({"role_id": self.role_id().await, "group_id": self.group_id().await}),
                    )
                    .await;
                (
                    format!("/api/role-grants/{}", grant["id"].as_str().unwrap()),
                    None,
                )
            }
            ("POST", "/api/api-tokens") => (
                route.path.to_string(),
                body(
                    json!({"name": self.unique("token"), "scopes": ["api_tokens.manage"], "expires_in_secs": 3600}),
                ),
            ),
            ("POST", "/api/api-tokens/{id}/revoke") => {
                let token = self
                    .created(
                        "/api/api-tokens",
                        json!({"name": self.unique("token"), "scopes": ["devices.manage"], "expires_in_secs": 3600, "company_token": true}),
                    )
                    .await;
                (
                    format!(
                        "/api/api-tokens/{}/revoke",
                        token["view"]["id"].as_str().unwrap()
                    ),
                    body(json!({})),
                )
            }
            ("POST", "/api/sso-domains") => (
                route.path.to_string(),
                body(json!({"domain": format!("{}.test", self.unique("domain"))})),
            ),
            ("POST", "/api/sso-domains/{id}/verify") => (
                format!("/api/sso-domains/{}/verify", self.domain_id().await),
                body(json!({})),
            ),
            ("DELETE", "/api/sso-domains/{id}") => {
                (format!("/api/sso-domains/{}", self.domain_id().await), None)
            }
            ("GET" | "DELETE", "/api/sso-domains/{id}/saml") => (
                format!("/api/sso-domains/{}/saml", self.domain_id().await),
                None,
            ),
            // Refused as invalid metadata once past authorization: enough to tell.
            ("PUT", "/api/sso-domains/{id}/saml") => (
                format!("/api/sso-domains/{}/saml", self.domain_id().await),
                body(json!({"source": "metadata_xml", "xml": "<a/>"})),
            ),
            ("GET", "/api/sso-domains/{id}/owners") => (
                format!("/api/sso-domains/{}/owners", self.domain_id().await),
                None,
            ),
            ("PUT", "/api/sso-domains/{id}/owners") => (
                format!("/api/sso-domains/{}/owners", self.domain_id().await),
                body(json!({"emails": []})),
            ),
            ("GET" | "DELETE", "/api/sso-domains/{id}/oidc") => (
                format!("/api/sso-domains/{}/oidc", self.domain_id().await),
                None,
            ),
            // Refused as not https once past authorization, before any request leaves.
            ("PUT", "/api/sso-domains/{id}/oidc") => (
                format!("/api/sso-domains/{}/oidc", self.domain_id().await),
                body(json!({"issuer": "http://login.test", "client_id": "reach"})),
            ),
            // Refused as "set up the identity provider first" once past authorization.
            ("POST", "/api/sso-domains/{id}/saml/customer-identifier") => (
                format!(
                    "/api/sso-domains/{}/saml/customer-identifier",
                    self.domain_id().await
                ),
                body(json!({})),
            ),
            ("PUT", "/api/sso-domains/{id}/exclusions") => (
                format!("/api/sso-domains/{}/exclusions", self.domain_id().await),
                body(json!({"emails": []})),
            ),
            ("POST", "/api/device-groups") => (
                route.path.to_string(),
                body(json!({"name": self.unique("devices")})),
            ),
            ("GET", path) => (path.to_string(), None),
            (method, path) => panic!("no probe request for {method} {path}"),
        };
        (method, path, body)
    }
}

/// A signed-in member of the first company whose only role carries `permissions`.
async fn member_with(fixture: &Fixture<'_>, permissions: &[Permission]) -> Api {
    let (server, admin) = (fixture.server, fixture.admin);
    let name = fixture.unique("member");
    let role = admin
        .post(
            "/api/roles",
            json!({"name": name, "permissions": permissions}),
        )
        .await
        .ok("create the probe role");
    let created = admin
        .post(
            "/api/users",
            json!({
                "email": format!("{name}@reach.test"),
                "display_name": name,
                "role_ids": [role["id"]],
            }),
        )
        .await
        .ok("create the probe user");
    let mut api = server.api();
    let password = created["generated_password"].as_str().unwrap();
    api.login(&format!("{name}@reach.test"), password)
        .await
        .ok("the probe user signs in");
    api
}

/// A user token of `api`'s user with `scopes`.
async fn token(api: &Api, scopes: &[Permission]) -> String {
    let created = api
        .post(
            "/api/api-tokens",
            json!({"name": "matrix", "scopes": scopes, "expires_in_secs": 3600}),
        )
        .await
        .ok("create an API token");
    created["token"].as_str().unwrap().to_string()
}

fn let_through(status: u16) -> bool {
    !matches!(status, 401 | 403 | 404)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_matrix() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let company_a = me.user.company_id.clone().unwrap();
    let fixture = Fixture {
        server: &server,
        admin: &admin,
        counter: std::cell::Cell::new(0),
        ids: std::cell::RefCell::new(vec![company_a.clone()]),
    };

    // Another company and its administrator (every permission there).
    let other = admin
        .post(
            "/api/companies",
            json!({
                "name": "Globex",
                "administrator": {"email": "boss@globex.test", "display_name": "Boss"},
            }),
        )
        .await
        .ok("the operator creates a company");
    let mut outsider = server.api();
    outsider
        .login(
            "boss@globex.test",
            other["generated_password"].as_str().unwrap(),
        )
        .await
        .ok("the other company's administrator signs in");

    let nobody = server.api();
    let no_role = member_with(&fixture, &[]).await;
    let all_but_operator = member_with(&fixture, &Permission::ALL).await;
    // Per permission: a member with every other permission, and one with just it.
    let mut probes: std::collections::HashMap<Permission, (Api, Api)> = Default::default();

    for route in ROUTES {
        let what = format!("{} {}", route.method, route.path);
        match route.need {
            Elsewhere(_) => continue,
            Member => {
                let (method, path, body) = fixture.request(route).await;
                let answer = no_role.send(method, &path, body, true).await;
                assert!(
                    let_through(answer.status.as_u16()),
                    "{what} for a member: {answer:?}"
                );
            }
            Operator => {
                let (method, path, body) = fixture.request(route).await;
                all_but_operator
                    .send(method, &path, body, true)
                    .await
                    .refused(
                        &format!("{what} by a non-operator"),
                        403,
                        ErrorCode::Forbidden,
                    );
                let (method, path, body) = fixture.request(route).await;
                let answer = admin.send(method, &path, body, true).await;
                assert!(
                    let_through(answer.status.as_u16()),
                    "{what} for the operator: {answer:?}"
                );
            }
            Permission(permission) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = probes.entry(permission) {
                    let others: Vec<Permission> = Permission::ALL
                        .into_iter()
                        .filter(|p| *p != permission)
                        .collect();
                    let lacking = member_with(&fixture, &others).await;
                    let holding = member_with(&fixture, &[permission]).await;
                    slot.insert((lacking, holding));
                }
                let (lacking, holding) = &probes[&permission];
                let (method, path, body) = fixture.request(route).await;
                lacking.send(method, &path, body, true).await.refused(
                    &format!("{what} without {}", permission.as_str()),
                    403,
                    ErrorCode::Forbidden,
                );
                let (method, path, body) = fixture.request(route).await;
                let answer = holding.send(method, &path, body, true).await;
                assert!(
                    let_through(answer.status.as_u16()),
                    "{what} with just {}: {answer:?}",
                    permission.as_str()
                );
                // The same route on /api/v1 with API tokens of a member holding
                // everything: a token's scopes limit it like missing permissions.
                let v1 = |path: &str| path.replacen("/api/", "/api/v1/", 1);
                let others: Vec<Permission> = Permission::ALL
                    .into_iter()
                    .filter(|p| *p != permission)
                    .collect();
                let without = Api::with_token(&server, &token(&all_but_operator, &others).await);
                let with = Api::with_token(&server, &token(&all_but_operator, &[permission]).await);
                let (method, path, body) = fixture.request(route).await;
                without.send(method, &v1(&path), body, false).await.refused(
                    &format!(
                        "{what} on /api/v1 with a token without {}",
                        permission.as_str()
                    ),
                    403,
                    ErrorCode::Forbidden,
                );
                let (method, path, body) = fixture.request(route).await;
                let answer = with.send(method, &v1(&path), body, false).await;
                assert!(
                    let_through(answer.status.as_u16()),
                    "{what} on /api/v1 with a token scoped to {}: {answer:?}",
                    permission.as_str()
                );
                // A browser sign-in is no credential on /api/v1.
                let (method, path, body) = fixture.request(route).await;
                holding.send(method, &v1(&path), body, true).await.refused(
                    &format!("{what} on /api/v1 with a cookie"),
                    401,
                    ErrorCode::Unauthenticated,
                );
            }
        }
        // Nobody signed in: always refused.
        let (method, path, body) = fixture.request(route).await;
        nobody.send(method, &path, body, false).await.refused(
            &format!("{what} signed out"),
            401,
            ErrorCode::Unauthenticated,
        );
        // Another company's administrator: this company's ids are not found,
        // and lists never show them.
        let (method, path, body) = fixture.request(route).await;
        let names_an_id = route.path.contains("{id}")
            || body
                .as_ref()
                .is_some_and(|b| b.get("device_id").is_some() || b.get("role_id").is_some());
        let answer = outsider.send(method.clone(), &path, body, true).await;
        if names_an_id && route.need != Operator {
            answer.refused(
                &format!("{what} from another company"),
                404,
                ErrorCode::NotFound,
            );
        } else if method == Method::GET {
            let text = answer.body.to_string();
            for id in fixture.ids.borrow().iter() {
                assert!(
                    !text.contains(id.as_str()),
                    "{what} shows {id} of the other company: {text}"
                );
            }
        }
    }
}
