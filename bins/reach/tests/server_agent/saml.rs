//! SAML single sign-on through the real server: a domain verified against a real
//! DNS server (dnsmasq), its identity provider configured through the API, and
//! responses signed by xmlsec1 (`reach_testkit::saml`) posted to `/saml/acs` as a
//! browser would. Sign-ins we start and ones the IdP starts; refusals end on the
//! sign-in page with a code, never a session; a response is good once.

use std::io::Read;

use base64::Engine;
use reach_core::saml::format_instant;
use reach_proto::codes::ErrorCode;
use reach_proto::directory::SsoDomainView;
use reach_proto::sso::{CustomerIdentifierCreated, SamlSettingsView};
use reach_testkit::dns::DnsServer;
use reach_testkit::saml::{IdpKey, ResponseSpec};
use serde_json::{json, Value};

use crate::support::*;

const DOMAIN: &str = "acme.test";
const IDP: &str = "https://idp.acme.test/saml";
const IDP_SSO: &str = "https://idp.acme.test/sso";
const ADA: &str = "ada@acme.test";
const ADA_PASSWORD: &str = "ada-password-0042";

/// A browser without redirects followed, so each hop can be checked.
fn browser(server: &TestServer) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(server.tls())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Sso {
    server: TestServer,
    admin: Api,
    _dns: DnsServer,
    domain: SsoDomainView,
    key: IdpKey,
    customer: String,
}

impl Sso {
    fn acs(&self) -> String {
        format!("{}/saml/acs", self.server.base_url)
    }

    fn entity_id(&self) -> String {
        format!("{}/saml/metadata", self.server.base_url)
    }

    /// A genuine response for `email`, valid now, answering `request` (None: IdP-initiated).
    fn response(&self, email: &str, request: Option<&str>, assertion_id: &str) -> ResponseSpec {
        let now = reach_core::now_millis();
        ResponseSpec {
            assertion_id: assertion_id.into(),
            in_response_to: request.map(str::to_string),
            customer_identifier: Some(self.customer.clone()),
            email: email.into(),
            issue_instant: format_instant(now),
            ..ResponseSpec::new(
                IDP,
                &self.entity_id(),
                &self.acs(),
                &format_instant(now - 60_000),
                &format_instant(now + 300_000),
            )
        }
    }

    /// Posts a response to the ACS as the IdP's auto-submitted form does; returns
    /// where the browser is sent and the sign-in cookie, if any.
    async fn post(&self, xml: &str, relay_state: Option<&str>) -> (String, Option<String>) {
        let encoded = base64::engine::general_purpose::STANDARD.encode(xml);
        let mut form = vec![("SAMLResponse", encoded)];
        if let Some(relay) = relay_state {
            form.push(("RelayState", relay.to_string()));
        }
        let response = browser(&self.server)
            .post(self.acs())
            .form(&form)
            .send()
            .await
            .expect("the ACS answers");
        assert_eq!(response.status(), 303, "the ACS redirects");
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

    /// Signs `spec` with the identity provider's key and posts it.
    async fn sign_and_post(&self, spec: &ResponseSpec) -> (String, Option<String>) {
        self.post(&spec.signed_by(&self.key).unwrap(), None).await
    }

    /// Starts a sign-in at `/saml/login` and returns the request id sent to the IdP.
    async fn start(&self, email: &str) -> String {
        let response = browser(&self.server)
            .get(format!("{}/saml/login", self.server.base_url))
            .query(&[("email", email), ("relay_state", "console")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
        assert!(location.as_str().starts_with(IDP_SSO), "{location}");
        let request = location
            .query_pairs()
            .find(|(k, _)| k == "SAMLRequest")
            .map(|(_, v)| v.into_owned())
            .expect("a SAMLRequest");
        let deflated = base64::engine::general_purpose::STANDARD
            .decode(request)
            .unwrap();
        let mut xml = String::new();
        flate2::read::DeflateDecoder::new(deflated.as_slice())
            .read_to_string(&mut xml)
            .unwrap();
        assert!(
            xml.contains(&format!("AssertionConsumerServiceURL=\"{}\"", self.acs())),
            "{xml}"
        );
        assert!(xml.contains(ADA), "the address is passed as a hint: {xml}");
        let id_start = xml.find(" ID=\"").unwrap() + 5;
        xml[id_start..id_start + xml[id_start..].find('"').unwrap()].to_string()
    }

    async fn signed_in_as(&self, cookie: &str) -> String {
        let mut api = self.server.api();
        api.cookie = Some(cookie.to_string());
        api.get("/api/auth/me").await.ok("who signed in")["user"]["email"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// Where a refused sign-in sends the browser.
fn to_sign_in(code: &str) -> String {
    format!("/console/login?sso_error={code}")
}

async fn set_up() -> Sso {
    set_up_trusting(None).await
}

/// [`set_up`] with a server that also trusts `metadata_ca` when fetching IdP metadata.
async fn set_up_trusting(metadata_ca: Option<std::path::PathBuf>) -> Sso {
    let SsoServer {
        server,
        admin,
        dns,
        domain,
    } = sso_server(DOMAIN, metadata_ca).await;

    let key = IdpKey::generate("acme-idp").unwrap();
    let settings: SamlSettingsView = serde_json::from_value(
        admin
            .put(
                &format!("/api/sso-domains/{}/saml", domain.id),
                json!({"source": "manual", "entity_id": IDP, "sso_url": IDP_SSO, "certificate": key.certificate_base64()}),
            )
            .await
            .ok("configure the identity provider"),
    )
    .unwrap();
    assert!(!settings.active, "no customer identifier yet");
    let created: CustomerIdentifierCreated = serde_json::from_value(
        admin
            .post(
                &format!("/api/sso-domains/{}/saml/customer-identifier", domain.id),
                json!({}),
            )
            .await
            .ok("generate the customer identifier"),
    )
    .unwrap();
    admin
        .post(
            "/api/users",
            json!({"email": ADA, "display_name": "Ada", "password": ADA_PASSWORD}),
        )
        .await
        .ok("add Ada");
    Sso {
        server,
        admin,
        _dns: dns,
        domain,
        key,
        customer: created.customer_identifier,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_through_the_identity_provider_started_by_us_or_by_it() {
    let sso = set_up().await;
    let settings: SamlSettingsView = serde_json::from_value(
        sso.admin
            .get(&format!("/api/sso-domains/{}/saml", sso.domain.id))
            .await
            .ok("settings"),
    )
    .unwrap();
    assert!(settings.active);
    assert_eq!(settings.service_provider.acs_url, sso.acs());
    let idp = settings.identity_provider.expect("configured");
    assert_eq!(
        (idp.entity_id.as_str(), idp.sso_url.as_str()),
        (IDP, IDP_SSO)
    );
    assert!(idp.customer_identifier_set);

    // Our metadata names the ACS.
    let metadata = browser(&sso.server)
        .get(sso.entity_id())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metadata.contains(&format!("Location=\"{}\"", sso.acs())),
        "{metadata}"
    );

    // The sign-in page learns Ada signs in through the IdP; a password is refused.
    let method = sso
        .server
        .api()
        .get(&format!(
            "/api/auth/sign-in-method?email={}",
            "Ada@Acme.Test"
        ))
        .await
        .ok("method");
    assert_eq!(method["method"], "saml");
    let other = sso
        .server
        .api()
        .get("/api/auth/sign-in-method?email=bob@elsewhere.test")
        .await
        .ok("method");
    assert_eq!(other["method"], "password");
    let mut ada = sso.server.api();
    ada.login(ADA, ADA_PASSWORD).await.refused(
        "a password for an SSO address",
        403,
        ErrorCode::SingleSignOnRequired,
    );

    // Started by us: the answer to our request signs Ada in, straight to the console.
    let request = sso.start(ADA).await;
    let genuine = sso
        .response("Ada@ACME.test", Some(&request), "_first")
        .signed_by(&sso.key)
        .unwrap();
    let (location, cookie) = sso.post(&genuine, None).await;
    assert_eq!(location, "/console/devices");
    let cookie = cookie.expect("a sign-in cookie");
    assert_eq!(sso.signed_in_as(&cookie).await, ADA);

    // The same answer again: the request was used.
    let (location, cookie) = sso.post(&genuine, None).await;
    assert_eq!((location, cookie), (to_sign_in("sso_failed"), None));

    // Started by the IdP, with RelayState `console`; then replayed.
    let unsolicited = sso
        .response(ADA, None, "_second")
        .signed_by(&sso.key)
        .unwrap();
    let (location, cookie) = sso.post(&unsolicited, Some("console")).await;
    assert_eq!(location, "/console/devices");
    assert_eq!(sso.signed_in_as(&cookie.unwrap()).await, ADA);
    let (location, cookie) = sso.post(&unsolicited, Some("console")).await;
    assert_eq!((location, cookie), (to_sign_in("sso_failed"), None));

    // Any other relay state is ignored (no open redirect).
    let elsewhere = sso
        .response(ADA, None, "_third")
        .signed_by(&sso.key)
        .unwrap();
    let (location, _) = sso.post(&elsewhere, Some("https://evil.example/")).await;
    assert_eq!(location, "/console/");

    // On the exclusion list, Ada signs in with her password again.
    sso.admin
        .put(
            &format!("/api/sso-domains/{}/exclusions", sso.domain.id),
            json!({"emails": [" ADA@acme.test "]}),
        )
        .await
        .ok("exclude Ada");
    ada.login(ADA, ADA_PASSWORD)
        .await
        .ok("password sign-in when excluded");

    // The event log says how each sign-in happened and why others failed.
    let events: Vec<Value> = serde_json::from_value(
        sso.admin
            .get("/api/audit-events?limit=100")
            .await
            .ok("events"),
    )
    .unwrap();
    let saml_sign_ins = events
        .iter()
        .filter(|e| e["code"] == "R1000I")
        .filter(|e| e["details"].to_string().contains("saml"))
        .count();
    assert!(saml_sign_ins >= 3, "{events:#?}");
    for code in ["R1505I", "R1507I", "R1508I"] {
        assert!(
            events.iter().any(|e| e["code"] == code),
            "{code} in {events:#?}"
        );
    }

    // When the company requires two-factor sign-in, Ada's comes from her identity
    // provider (once off the exclusion list): nothing to set up in Reach. The owner,
    // who may use a password, must set one up.
    sso.admin
        .put(
            &format!("/api/sso-domains/{}/exclusions", sso.domain.id),
            json!({"emails": []}),
        )
        .await
        .ok("Ada back under single sign-on");
    sso.admin
        .put(
            "/api/company/settings",
            json!({"require_two_factor": true, "password_sign_in": true}),
        )
        .await
        .ok("require two-factor sign-in");
    let (_, cookie) = sso.sign_and_post(&sso.response(ADA, None, "_fourth")).await;
    let mut ada_sso = sso.server.api();
    ada_sso.cookie = cookie;
    let me = ada_sso
        .get("/api/auth/me")
        .await
        .ok("Ada under single sign-on");
    assert_eq!(me["user"]["two_factor_required"], false);
    ada_sso
        .get("/api/devices")
        .await
        .ok("Ada reaches the console");
    let owner = sso.admin.get("/api/auth/me").await.ok("the owner");
    assert_eq!(owner["user"]["two_factor_required"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_that_fail_a_check_sign_no_one_in() {
    let sso = set_up().await;

    // Signed by another key.
    let other_key = IdpKey::generate("mallory").unwrap();
    let forged = sso
        .response(ADA, None, "_forged")
        .signed_by(&other_key)
        .unwrap();
    assert_eq!(
        sso.post(&forged, None).await,
        (to_sign_in("sso_failed"), None)
    );

    // The customer identifier of someone else.
    let mut wrong = sso.response(ADA, None, "_wrong-customer");
    wrong.customer_identifier = Some("not-ours".into());
    assert_eq!(
        sso.sign_and_post(&wrong).await,
        (to_sign_in("sso_failed"), None)
    );

    // An address outside the verified domain, even signed by the right IdP.
    assert_eq!(
        sso.sign_and_post(&sso.response("bob@elsewhere.test", None, "_outside"))
            .await,
        (to_sign_in("sso_wrong_domain"), None)
    );

    // An address of the domain with no account: no just-in-time creation here.
    assert_eq!(
        sso.sign_and_post(&sso.response("carol@acme.test", None, "_stranger"))
            .await,
        (to_sign_in("sso_no_account"), None)
    );

    // An answer to a request we never made.
    assert_eq!(
        sso.sign_and_post(&sso.response(ADA, Some("_never-sent"), "_unknown-request"))
            .await,
        (to_sign_in("sso_failed"), None)
    );

    // Expired.
    let mut expired = sso.response(ADA, None, "_expired");
    let now = reach_core::now_millis();
    expired.not_before = format_instant(now - 3_600_000);
    expired.not_on_or_after = format_instant(now - 1_800_000);
    assert_eq!(
        sso.sign_and_post(&expired).await,
        (to_sign_in("sso_failed"), None)
    );

    // Not Base64, not XML, a DTD.
    for garbage in [
        "%%%",
        "<samlp:Response",
        "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
    ] {
        let response = browser(&sso.server)
            .post(sso.acs())
            .form(&[(
                "SAMLResponse",
                base64::engine::general_purpose::STANDARD.encode(garbage),
            )])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"],
            to_sign_in("sso_failed").as_str()
        );
        assert!(response.headers().get("set-cookie").is_none());
    }

    // Once the company creates accounts on first sign-on, the stranger gets one, with no roles.
    sso.admin
        .put(
            "/api/company/settings",
            json!({"require_two_factor": false, "password_sign_in": true, "just_in_time": true}),
        )
        .await
        .ok("turn on just-in-time accounts");
    let welcome = sso
        .response("Carol@acme.test", None, "_welcome")
        .signed_by(&sso.key)
        .unwrap();
    let (location, cookie) = sso.post(&welcome, None).await;
    assert_eq!(location, "/console/");
    let mut carol = sso.server.api();
    carol.cookie = cookie;
    let me = carol.get("/api/auth/me").await.ok("Carol's account");
    assert_eq!(me["user"]["email"], "carol@acme.test");
    assert_eq!(me["user"]["permissions"], json!([]));

    // Failed sign-ins are in the company's event log.
    let events: Vec<Value> = serde_json::from_value(
        sso.admin
            .get("/api/audit-events?limit=100")
            .await
            .ok("events"),
    )
    .unwrap();
    let failures: Vec<&Value> = events.iter().filter(|e| e["code"] == "R1001W").collect();
    assert!(failures.len() >= 4, "{events:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_provider_settings_are_checked_and_kept_to_the_company() {
    let sso = set_up().await;
    let path = format!("/api/sso-domains/{}/saml", sso.domain.id);
    let certificate = sso.key.certificate_base64();
    for (what, body) in [
        (
            "plain http",
            json!({"source": "manual", "entity_id": IDP, "sso_url": "http://idp.acme.test/sso", "certificate": certificate}),
        ),
        (
            "no entity id",
            json!({"source": "manual", "entity_id": "", "sso_url": IDP_SSO, "certificate": certificate}),
        ),
        (
            "not a certificate",
            json!({"source": "manual", "entity_id": IDP, "sso_url": IDP_SSO, "certificate": "bm90IGEgY2VydA=="}),
        ),
        (
            "not metadata",
            json!({"source": "metadata_xml", "xml": "<a/>"}),
        ),
        (
            "a DTD",
            json!({"source": "metadata_xml", "xml": "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>"}),
        ),
    ] {
        sso.admin
            .put(&path, body)
            .await
            .refused(what, 400, ErrorCode::InvalidIdentityProvider);
    }
    sso.admin
        .put(&path, json!({"source": "smoke_signals"}))
        .await
        .refused("an unknown source", 400, ErrorCode::BadRequest);
    // Nothing changed: the configured provider still signs Ada in.
    let still = sso
        .response(ADA, None, "_still")
        .signed_by(&sso.key)
        .unwrap();
    assert_eq!(sso.post(&still, None).await.0, "/console/");

    // Metadata XML works too, and keeps the customer identifier.
    let metadata = format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{IDP}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{IDP_SSO}"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    );
    let settings: SamlSettingsView = serde_json::from_value(
        sso.admin
            .put(&path, json!({"source": "metadata_xml", "xml": metadata}))
            .await
            .ok("metadata"),
    )
    .unwrap();
    assert!(settings.active);

    // Another company's administrator sees none of it.
    sso.admin
        .post(
            "/api/companies",
            json!({"name": "Globex", "administrator": {"email": "root@globex.test", "display_name": "Root", "password": "globex-password-0042"}}),
        )
        .await
        .ok("another company");
    let mut globex = sso.server.api();
    globex
        .login("root@globex.test", "globex-password-0042")
        .await
        .ok("Globex admin");
    globex
        .get(&path)
        .await
        .refused("another company's SAML settings", 404, ErrorCode::NotFound);
    globex
        .put(&path, json!({"source": "manual", "entity_id": "https://evil.test", "sso_url": "https://evil.test/sso", "certificate": certificate}))
        .await
        .refused("changing another company's IdP", 404, ErrorCode::NotFound);
    globex
        .post(&format!("{path}/customer-identifier"), json!({}))
        .await
        .refused(
            "another company's customer identifier",
            404,
            ErrorCode::NotFound,
        );

    // Removing the provider ends single sign-on for the domain.
    sso.admin.delete(&path).await.ok("remove the provider");
    let method = sso
        .server
        .api()
        .get(&format!("/api/auth/sign-in-method?email={ADA}"))
        .await
        .ok("method");
    assert_eq!(method["method"], "password");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_provider_metadata_is_fetched_by_url_over_trusted_https() {
    use reach_testkit::https::{Answer, HttpsServer};

    let certificate = IdpKey::generate("published").unwrap().certificate_base64();
    let metadata = format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.published.test"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.published.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#
    );
    let published = HttpsServer::start(Answer {
        status: 200,
        body: metadata.clone(),
    })
    .await
    .unwrap();
    let stranger = HttpsServer::start(Answer {
        status: 200,
        body: metadata,
    })
    .await
    .unwrap();
    let sso = set_up_trusting(Some(published.ca_file().to_path_buf())).await;
    let path = format!("/api/sso-domains/{}/saml", sso.domain.id);
    let by_url = |url: String| json!({"source": "metadata_url", "url": url});

    let settings: SamlSettingsView = serde_json::from_value(
        sso.admin
            .put(&path, by_url(published.url("/metadata")))
            .await
            .ok("metadata by URL"),
    )
    .unwrap();
    let idp = settings.identity_provider.unwrap();
    assert_eq!(idp.entity_id, "https://idp.published.test");
    assert_eq!(idp.metadata_url, Some(published.url("/metadata")));
    assert!(
        settings.active,
        "the customer identifier generated earlier is kept"
    );

    for (what, url, why) in [
        (
            "plain http",
            format!("http://{}/metadata", published.addr),
            "https",
        ),
        (
            "a certificate authority we don't trust",
            stranger.url("/metadata"),
            "certificate",
        ),
        ("not a URL", "metadata please".to_string(), "https"),
    ] {
        let error = sso.admin.put(&path, by_url(url)).await.refused(
            what,
            400,
            ErrorCode::InvalidIdentityProvider,
        );
        assert!(
            error.message.to_lowercase().contains(why),
            "{what}: {}",
            error.message
        );
    }
    published.answer(Answer {
        status: 404,
        body: String::new(),
    });
    sso.admin
        .put(&path, by_url(published.url("/metadata")))
        .await
        .refused("a 404", 400, ErrorCode::InvalidIdentityProvider);
    published.answer(Answer {
        status: 200,
        body: "x".repeat(600 * 1024),
    });
    sso.admin
        .put(&path, by_url(published.url("/metadata")))
        .await
        .refused(
            "oversized metadata",
            400,
            ErrorCode::InvalidIdentityProvider,
        );
    // Nothing of those changed the settings.
    let unchanged: SamlSettingsView =
        serde_json::from_value(sso.admin.get(&path).await.ok("settings")).unwrap();
    assert_eq!(
        unchanged.identity_provider.unwrap().entity_id,
        "https://idp.published.test"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_providers_without_the_redirect_binding_get_a_posted_request() {
    let sso = set_up().await;
    sso.admin
        .put(
            &format!("/api/sso-domains/{}/saml", sso.domain.id),
            json!({"source": "manual", "entity_id": IDP, "sso_url": IDP_SSO, "binding": "post", "certificate": sso.key.certificate_base64()}),
        )
        .await
        .ok("an identity provider reached by HTTP-POST");
    let response = browser(&sso.server)
        .get(format!("{}/saml/login", sso.server.base_url))
        .query(&[("email", ADA)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("form-action https://idp.acme.test"),
        "{policy}"
    );
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("action=\"{IDP_SSO}\"")), "{page}");
    assert!(page.contains("<script src=\"/saml/post.js\""), "{page}");
    let encoded = page
        .split("name=\"SAMLRequest\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a SAMLRequest field");
    let request = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap(),
    )
    .unwrap();
    assert!(
        request.contains(&format!("AssertionConsumerServiceURL=\"{}\"", sso.acs())),
        "{request}"
    );

    let script = browser(&sso.server)
        .get(format!("{}/saml/post.js", sso.server.base_url))
        .send()
        .await
        .unwrap();
    assert!(script.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    // Every other page keeps the strict policy.
    let metadata = browser(&sso.server)
        .get(sso.entity_id())
        .send()
        .await
        .unwrap();
    assert!(metadata.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("form-action 'self'"));
}
