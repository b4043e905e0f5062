//! OpenID Connect single sign-on through the real server: a domain verified
//! against a real DNS server (dnsmasq), its provider configured through the API
//! and served over https by `reach_testkit::oidc` (discovery, keys, a token
//! endpoint that checks the client secret and the PKCE verifier). Each hop of
//! the browser's journey is followed by hand; refusals end on the sign-in page
//! with a code, never a session; an answer is good once.

use std::collections::HashMap;

use reach_proto::codes::ErrorCode;
use reach_proto::directory::SsoDomainView;
use reach_proto::sso::OidcSettingsView;
use reach_testkit::dns::DnsServer;
use reach_testkit::oidc::{Answer, OidcProvider, CLIENT_ID, CLIENT_SECRET};
use serde_json::{json, Value};

use crate::support::*;

const DOMAIN: &str = "globex.test";
const ADA: &str = "ada@globex.test";
const ADA_PASSWORD: &str = "ada-password-0042";

struct Sso {
    server: TestServer,
    admin: Api,
    dns: DnsServer,
    domain: SsoDomainView,
    provider: OidcProvider,
}

/// Where a refused sign-in sends the browser.
fn to_sign_in(code: &str) -> String {
    format!("/console/login?sso_error={code}")
}

impl Sso {
    /// A browser on our server (reached by its pinned key) that follows no redirect.
    fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .use_preconfigured_tls(self.server.tls())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A browser on the provider (trusting its certificate authority).
    fn provider_browser(&self) -> reqwest::Client {
        let pem = std::fs::read(&self.provider.ca_file).unwrap();
        reqwest::Client::builder()
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// `/oidc/login` for `email`: where our server sends the browser.
    async fn start(&self, email: &str) -> url::Url {
        let response = self
            .browser()
            .get(format!("{}/oidc/login", self.server.base_url))
            .query(&[("email", email), ("relay_state", "console")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// `/oidc/initiate` as a provider's portal calls it: where our server sends
    /// the browser (a relative answer is resolved against our server).
    async fn initiate(&self, query: &[(&str, &str)]) -> url::Url {
        let response = self
            .browser()
            .get(format!("{}/oidc/initiate", self.server.base_url))
            .query(query)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        url::Url::parse(&self.server.base_url)
            .unwrap()
            .join(&location)
            .unwrap()
    }

    /// Visits the provider's authorization URL; returns where it sends the browser back.
    async fn authorize(&self, at: &url::Url) -> url::Url {
        let response = self
            .provider_browser()
            .get(at.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{:?}", response.text().await);
        url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
    }

    /// Visits our callback; returns the redirect and the sign-in cookie, if any.
    async fn callback(&self, back: &url::Url) -> (String, Option<String>) {
        let response = self.browser().get(back.clone()).send().await.unwrap();
        assert_eq!(response.status(), 303);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let cookie = response
            .headers()
            .get("set-cookie")
            .map(|c| c.to_str().unwrap().to_string())
            .and_then(|c| {
                c.strip_prefix("__Host-reach_session=")
                    .and_then(|rest| rest.split(';').next())
                    .map(str::to_string)
            });
        (location, cookie)
    }

    /// The whole journey for `email` with the provider answering `answer`.
    async fn sign_in(&self, email: &str, answer: Answer) -> (String, Option<String>) {
        self.provider.answer(answer);
        let at = self.start(email).await;
        let back = self.authorize(&at).await;
        self.callback(&back).await
    }

    async fn signed_in_as(&self, cookie: &str) -> String {
        let mut api = self.server.api();
        api.cookie = Some(cookie.to_string());
        api.get("/api/auth/me").await.ok("who signed in")["user"]["email"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn settings_path(&self) -> String {
        format!("/api/sso-domains/{}/oidc", self.domain.id)
    }
}

/// A verified domain with the test provider configured, and Ada a member.
async fn set_up() -> Sso {
    let provider = OidcProvider::start(Answer::for_email(ADA))
        .await
        .expect("the test provider starts");
    let SsoServer {
        server,
        admin,
        dns,
        domain,
    } = sso_server(DOMAIN, Some(provider.ca_file.clone())).await;
    admin
        .post(
            "/api/users",
            json!({"email": ADA, "display_name": "Ada", "password": ADA_PASSWORD}),
        )
        .await
        .ok("add Ada");
    let sso = Sso {
        server,
        admin,
        dns,
        domain,
        provider,
    };
    let settings: OidcSettingsView = serde_json::from_value(
        sso.admin
            .put(
                &sso.settings_path(),
                json!({"issuer": sso.provider.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
            )
            .await
            .ok("configure the provider"),
    )
    .unwrap();
    assert!(settings.active);
    sso
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_signs_in_through_the_provider_with_pkce() {
    let sso = set_up().await;
    let settings: OidcSettingsView =
        serde_json::from_value(sso.admin.get(&sso.settings_path()).await.ok("settings")).unwrap();
    let redirect_uri = format!("{}/oidc/callback", sso.server.base_url);
    assert_eq!(settings.redirect_uri, redirect_uri);
    let provider = settings.provider.expect("configured");
    assert_eq!(
        (provider.issuer.as_str(), provider.client_id.as_str()),
        (sso.provider.issuer.as_str(), CLIENT_ID)
    );
    assert!(provider.client_secret_set);

    // The sign-in page learns Ada signs in through the provider; a password is refused.
    let method = sso
        .server
        .api()
        .get("/api/auth/sign-in-method?email=Ada@Globex.Test")
        .await
        .ok("method");
    assert_eq!(method["method"], "oidc");
    let mut ada = sso.server.api();
    ada.login(ADA, ADA_PASSWORD).await.refused(
        "a password for an SSO address",
        403,
        ErrorCode::SingleSignOnRequired,
    );

    // The request: code flow, PKCE S256, a nonce, the address as a hint.
    let at = sso.start("Ada@globex.test").await;
    assert!(at.as_str().starts_with(&sso.provider.issuer), "{at}");
    let query: HashMap<String, String> = at.query_pairs().into_owned().collect();
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["redirect_uri"], redirect_uri);
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["login_hint"], ADA);
    assert!(!query["nonce"].is_empty() && !query["state"].is_empty());
    let scopes: Vec<&str> = query["scope"].split(' ').collect();
    for scope in ["openid", "email"] {
        assert!(scopes.contains(&scope), "{scopes:?}");
    }

    // The provider's answer signs Ada in, straight to the console (relay state).
    let back = sso.authorize(&at).await;
    let (location, cookie) = sso.callback(&back).await;
    assert_eq!(location, "/console/devices");
    assert_eq!(sso.signed_in_as(&cookie.expect("a cookie")).await, ADA);

    // The same answer again: the state was used.
    assert_eq!(sso.callback(&back).await, (to_sign_in("sso_failed"), None));
    // A state we never issued.
    let mut forged = back.clone();
    forged.set_query(Some("code=anything&state=forged"));
    assert_eq!(
        sso.callback(&forged).await,
        (to_sign_in("sso_failed"), None)
    );

    // A provider that releases the address at its user info endpoint only.
    let (location, cookie) = sso
        .sign_in(
            ADA,
            Answer {
                email_at_user_info: true,
                ..Answer::for_email(ADA)
            },
        )
        .await;
    assert_eq!(location, "/console/devices");
    assert_eq!(sso.signed_in_as(&cookie.expect("a cookie")).await, ADA);

    // Changing the settings without a secret keeps the one we have.
    let kept: OidcSettingsView = serde_json::from_value(
        sso.admin
            .put(
                &sso.settings_path(),
                json!({"issuer": sso.provider.issuer, "client_id": CLIENT_ID}),
            )
            .await
            .ok("change without the secret"),
    )
    .unwrap();
    assert!(kept.provider.unwrap().client_secret_set);
    let (location, cookie) = sso.sign_in(ADA, Answer::for_email(ADA)).await;
    assert_eq!(location, "/console/devices");
    assert!(cookie.is_some(), "the kept secret still works");

    // On the exclusion list, Ada uses her password again.
    sso.admin
        .put(
            &format!("/api/sso-domains/{}/exclusions", sso.domain.id),
            json!({"emails": [ADA]}),
        )
        .await
        .ok("exclude Ada");
    ada.login(ADA, ADA_PASSWORD)
        .await
        .ok("password sign-in when excluded");

    let events: Vec<Value> = serde_json::from_value(
        sso.admin
            .get("/api/audit-events?limit=100")
            .await
            .ok("events"),
    )
    .unwrap();
    let oidc_sign_ins = events
        .iter()
        .filter(|e| e["code"] == "R1000I" && e["details"].to_string().contains("oidc"))
        .count();
    assert_eq!(oidc_sign_ins, 3, "{events:#?}");
    let configured = events
        .iter()
        .filter(|e| e["code"] == "R1505I" && e["details"].to_string().contains("oidc"))
        .count();
    assert_eq!(configured, 2, "{events:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_that_fail_a_check_sign_no_one_in() {
    let sso = set_up().await;
    let genuine = Answer::for_email(ADA);
    let cases: Vec<(&str, Answer, &str)> = vec![
        (
            "an ID token for another client",
            Answer {
                audience: Some("someone-else".into()),
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "an ID token for another request (nonce)",
            Answer {
                nonce: Some("not-ours".into()),
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "an ID token from another issuer",
            Answer {
                issuer: Some("https://evil.test".into()),
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "an expired ID token",
            Answer {
                expires_in: -600,
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "an ID token signed by a key the provider does not publish",
            Answer {
                foreign_key: true,
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "an ID token without an address",
            Answer {
                email: None,
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "an address the provider has not verified",
            Answer {
                email_verified: Some(false),
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "user info about someone else than the ID token's subject",
            Answer {
                email_at_user_info: true,
                user_info_subject: Some("mallory".into()),
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "an address the provider has not verified, at the user info endpoint",
            Answer {
                email_at_user_info: true,
                email_verified: Some(false),
                ..genuine.clone()
            },
            "sso_failed",
        ),
        (
            "an address outside the domain",
            Answer::for_email("ada@elsewhere.test"),
            "sso_wrong_domain",
        ),
        (
            "an address without an account (no just-in-time accounts)",
            Answer::for_email("carol@globex.test"),
            "sso_no_account",
        ),
        (
            "the person declined at the provider",
            Answer {
                deny: true,
                ..genuine.clone()
            },
            "sso_denied",
        ),
    ];
    for (what, answer, code) in cases {
        let outcome = sso.sign_in(ADA, answer).await;
        assert_eq!(outcome, (to_sign_in(code), None), "{what}");
    }

    // With just-in-time accounts, the stranger gets one, with no roles.
    sso.admin
        .put(
            "/api/company/settings",
            json!({"require_two_factor": false, "password_sign_in": true, "just_in_time": true}),
        )
        .await
        .ok("turn on just-in-time accounts");
    let (location, cookie) = sso
        .sign_in(ADA, Answer::for_email("Carol@globex.test"))
        .await;
    assert_eq!(location, "/console/devices");
    let mut carol = sso.server.api();
    carol.cookie = cookie;
    let me = carol.get("/api/auth/me").await.ok("Carol's account");
    assert_eq!(me["user"]["email"], "carol@globex.test");
    assert_eq!(me["user"]["permissions"], json!([]));

    let events: Vec<Value> = serde_json::from_value(
        sso.admin
            .get("/api/audit-events?limit=100")
            .await
            .ok("events"),
    )
    .unwrap();
    let failures = events
        .iter()
        .filter(|e| e["code"] == "R1001W" && e["details"].to_string().contains("oidc"))
        .count();
    assert_eq!(failures, 12, "{events:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_settings_are_checked_before_they_are_kept() {
    let sso = set_up().await;
    let path = sso.settings_path();
    let before = sso.admin.get(&path).await.ok("settings");
    let issuer = sso.provider.issuer.clone();
    let bad: Vec<(&str, Value, u16, ErrorCode)> = vec![
        (
            "an http issuer",
            json!({"issuer": issuer.replace("https", "http"), "client_id": CLIENT_ID}),
            400,
            ErrorCode::InvalidIdentityProvider,
        ),
        (
            "an issuer that is not a URL",
            json!({"issuer": "login.globex.test", "client_id": CLIENT_ID}),
            400,
            ErrorCode::InvalidIdentityProvider,
        ),
        (
            "an issuer with no discovery document",
            json!({"issuer": format!("{issuer}/nowhere"), "client_id": CLIENT_ID}),
            400,
            ErrorCode::InvalidIdentityProvider,
        ),
        (
            "an issuer nobody answers at",
            json!({"issuer": "https://127.0.0.1:1", "client_id": CLIENT_ID}),
            400,
            ErrorCode::InvalidIdentityProvider,
        ),
        (
            "an empty client id",
            json!({"issuer": issuer, "client_id": "  "}),
            400,
            ErrorCode::InvalidIdentityProvider,
        ),
        (
            "an empty client secret",
            json!({"issuer": issuer, "client_id": CLIENT_ID, "client_secret": ""}),
            400,
            ErrorCode::InvalidIdentityProvider,
        ),
        (
            "an unknown field",
            json!({"issuer": issuer, "client_id": CLIENT_ID, "scopes": "all"}),
            400,
            ErrorCode::BadRequest,
        ),
    ];
    for (what, body, status, code) in bad {
        sso.admin.put(&path, body).await.refused(what, status, code);
    }
    assert_eq!(
        sso.admin.get(&path).await.ok("settings"),
        before,
        "nothing changed"
    );

    // One protocol per domain: SAML is refused while OpenID Connect is set, and
    // the other way round.
    let saml = format!("/api/sso-domains/{}/saml", sso.domain.id);
    let manual = json!({"source": "manual", "entity_id": "https://idp.globex.test", "sso_url": "https://idp.globex.test/sso", "certificate": reach_testkit::saml::IdpKey::generate("globex").unwrap().certificate_base64()});
    sso.admin.put(&saml, manual.clone()).await.refused(
        "SAML beside OpenID Connect",
        409,
        ErrorCode::Conflict,
    );
    sso.admin.delete(&path).await.ok("remove the provider");
    let removed: OidcSettingsView =
        serde_json::from_value(sso.admin.get(&path).await.ok("settings")).unwrap();
    assert!(removed.provider.is_none() && !removed.active);
    // Without a provider, the address signs in with a password again.
    let method = sso
        .server
        .api()
        .get(&format!("/api/auth/sign-in-method?email={ADA}"))
        .await
        .ok("method");
    assert_eq!(method["method"], "password");
    sso.admin.put(&saml, manual).await.ok("SAML instead");
    sso.admin
        .put(
            &path,
            json!({"issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
        )
        .await
        .refused("OpenID Connect beside SAML", 409, ErrorCode::Conflict);

    // Another company's administrator sees nothing of it.
    sso.admin
        .post(
            "/api/companies",
            json!({"name": "Initech", "administrator": {"email": "root@initech.test", "display_name": "Root", "password": "initech-password-0042"}}),
        )
        .await
        .ok("another company");
    let mut initech = sso.server.api();
    initech
        .login("root@initech.test", "initech-password-0042")
        .await
        .ok("Initech admin");
    initech
        .get(&path)
        .await
        .refused("another company's settings", 404, ErrorCode::NotFound);
    initech
        .put(&path, json!({"issuer": issuer, "client_id": CLIENT_ID}))
        .await
        .refused(
            "changing another company's provider",
            404,
            ErrorCode::NotFound,
        );
    initech.delete(&path).await.refused(
        "removing another company's provider",
        404,
        ErrorCode::NotFound,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_sign_in_starts_from_one_address_is_turned_back() {
    let sso = set_up().await;
    // Each start stores a request: a person needs a few, a script is stopped.
    for _ in 0..reach_server::throttle::SSO_START_BURST {
        let at = sso.start(ADA).await;
        assert!(at.as_str().starts_with(&sso.provider.issuer), "{at}");
    }
    let refused = sso
        .browser()
        .get(format!("{}/oidc/login", sso.server.base_url))
        .query(&[("email", ADA)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 303);
    assert_eq!(
        refused.headers()["location"],
        to_sign_in("sso_busy").as_str()
    );
    // SAML starts count against the same allowance.
    let refused = sso
        .browser()
        .get(format!("{}/saml/login", sso.server.base_url))
        .query(&[("email", ADA)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.headers()["location"],
        to_sign_in("sso_busy").as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_of_an_excluded_group_keep_password_sign_in() {
    let sso = set_up().await;
    let users: Value = sso.admin.get("/api/users").await.ok("users");
    let ada_id = users
        .as_array()
        .and_then(|list| list.iter().find(|u| u["email"] == ADA))
        .and_then(|u| u["id"].as_str())
        .expect("Ada is listed")
        .to_string();
    let group: Value = sso
        .admin
        .post(
            "/api/user-groups",
            json!({"name": "Break-glass", "member_ids": [ada_id]}),
        )
        .await
        .ok("a group with Ada");
    let group_id = group["id"].as_str().unwrap().to_string();
    let exclusions = format!("/api/sso-domains/{}/exclusions", sso.domain.id);

    // An unknown group (or another company's) is refused and changes nothing.
    sso.admin
        .put(
            &exclusions,
            json!({"emails": ["bob@globex.test"], "group_ids": ["no-such-group"]}),
        )
        .await
        .refused("an unknown group", 400, ErrorCode::BadRequest);
    let settings: OidcSettingsView =
        serde_json::from_value(sso.admin.get(&sso.settings_path()).await.ok("settings")).unwrap();
    assert!(settings.excluded_emails.is_empty() && settings.excluded_group_ids.is_empty());

    sso.admin
        .put(&exclusions, json!({"emails": [], "group_ids": [group_id]}))
        .await
        .ok("exclude the group");
    let settings: OidcSettingsView =
        serde_json::from_value(sso.admin.get(&sso.settings_path()).await.ok("settings")).unwrap();
    assert_eq!(settings.excluded_group_ids, vec![group_id.clone()]);
    let method = sso
        .server
        .api()
        .get(&format!("/api/auth/sign-in-method?email={ADA}"))
        .await
        .ok("method");
    assert_eq!(method["method"], "password");
    let mut ada = sso.server.api();
    ada.login(ADA, ADA_PASSWORD)
        .await
        .ok("a member of an excluded group signs in with a password");

    // Leaving `group_ids` out keeps the groups; an empty list clears them.
    sso.admin
        .put(&exclusions, json!({"emails": []}))
        .await
        .ok("addresses only");
    let method = sso
        .server
        .api()
        .get(&format!("/api/auth/sign-in-method?email={ADA}"))
        .await
        .ok("method");
    assert_eq!(method["method"], "password");
    sso.admin
        .put(&exclusions, json!({"emails": [], "group_ids": []}))
        .await
        .ok("no groups");
    ada.login(ADA, ADA_PASSWORD).await.refused(
        "a password once the group is no longer excluded",
        403,
        ErrorCode::SingleSignOnRequired,
    );

    let events: Vec<Value> = serde_json::from_value(
        sso.admin
            .get("/api/audit-events?limit=100")
            .await
            .ok("events"),
    )
    .unwrap();
    assert!(
        events
            .iter()
            .any(|e| e["details"].to_string().contains("Break-glass")),
        "the event log names the group: {events:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_provider_can_start_a_sign_in_from_its_own_portal() {
    let mut sso = set_up().await;
    let issuer = sso.provider.issuer.clone();
    // With the address: straight on to the provider, then to the console.
    let at = sso
        .initiate(&[("iss", issuer.as_str()), ("login_hint", ADA)])
        .await;
    assert!(at.as_str().starts_with(&issuer), "{at}");
    let query: HashMap<String, String> = at.query_pairs().into_owned().collect();
    assert_eq!(query["login_hint"], ADA);
    let back = sso.authorize(&at).await;
    let (location, cookie) = sso.callback(&back).await;
    assert_eq!(location, "/console/devices");
    assert_eq!(sso.signed_in_as(&cookie.unwrap()).await, ADA);

    // Without it: the one domain using this provider.
    let at = sso.initiate(&[("iss", issuer.as_str())]).await;
    assert!(at.as_str().starts_with(&issuer), "{at}");
    let back = sso.authorize(&at).await;
    assert_eq!(sso.callback(&back).await.0, "/console/devices");

    // A provider no verified domain uses, or an address of no such domain: refused.
    let refused = sso.initiate(&[("iss", "https://evil.test")]).await;
    assert_eq!(refused.path(), "/console/login");
    assert_eq!(refused.query(), Some("sso_error=sso_not_configured"));
    let refused = sso
        .initiate(&[
            ("iss", issuer.as_str()),
            ("login_hint", "bob@elsewhere.test"),
        ])
        .await;
    assert_eq!(refused.query(), Some("sso_error=sso_not_configured"));

    // Two domains on one provider: without an address, the person must say who they are.
    let second: reach_proto::directory::SsoDomainView = serde_json::from_value(
        sso.admin
            .post("/api/sso-domains", json!({"domain": "initech.test"}))
            .await
            .ok("a second domain"),
    )
    .unwrap();
    sso.dns
        .set_records(&[
            (DOMAIN, &sso.domain.txt_value),
            ("initech.test", &second.txt_value),
        ])
        .unwrap();
    sso.admin
        .post(&format!("/api/sso-domains/{}/verify", second.id), json!({}))
        .await
        .ok("verify the second domain");
    sso.admin
        .put(
            &format!("/api/sso-domains/{}/oidc", second.id),
            json!({"issuer": issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}),
        )
        .await
        .ok("the same provider");
    let ambiguous = sso.initiate(&[("iss", issuer.as_str())]).await;
    assert_eq!(ambiguous.query(), Some("sso_error=sso_enter_address"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_answering_too_much_is_refused() {
    // An https server whose every answer (the discovery document too) is 2 MiB.
    let huge = reach_testkit::https::HttpsServer::start(reach_testkit::https::Answer {
        status: 200,
        body: format!("{{\"issuer\": \"{}\"}}", "x".repeat(2 * 1024 * 1024)),
    })
    .await
    .unwrap();
    let SsoServer {
        server: _server,
        admin,
        dns: _dns,
        domain,
    } = sso_server(DOMAIN, Some(huge.ca_file().to_path_buf())).await;
    let refused = admin
        .put(
            &format!("/api/sso-domains/{}/oidc", domain.id),
            json!({"issuer": huge.url(""), "client_id": CLIENT_ID}),
        )
        .await
        .refused(
            "a 2 MiB discovery document",
            400,
            ErrorCode::InvalidIdentityProvider,
        );
    assert!(
        refused.message.contains("larger than"),
        "{}",
        refused.message
    );
}
