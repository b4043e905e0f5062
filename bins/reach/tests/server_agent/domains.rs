//! Single sign-on domain verification against a real DNS server (dnsmasq on
//! loopback), with the server's clock moved by the test: a domain is verified
//! when its TXT record appears, stays "verifying" while it doesn't, fails after
//! 24 hours, can be restarted, and can't be proven by a second company.

use std::sync::Arc;
use std::time::Duration;

use reach_proto::codes::ErrorCode;
use reach_proto::directory::{DomainStatus, SsoDomainView};
use reach_proto::messages::ConsoleEvent;
use reach_server::clock::ManualClock;
use reach_testkit::dns::DnsServer;
use serde_json::json;

use crate::support::*;

async fn domain(api: &Api, id: &str) -> SsoDomainView {
    let all: Vec<SsoDomainView> =
        serde_json::from_value(api.get("/api/sso-domains").await.ok("domains")).unwrap();
    all.into_iter()
        .find(|d| d.id == id)
        .expect("the domain is listed")
}

async fn wait_status(api: &Api, id: &str, status: DomainStatus) -> SsoDomainView {
    eventually(&format!("domain {id} to be {status:?}"), || async move {
        let current = domain(api, id).await;
        if current.status == status {
            Ok(current)
        } else {
            Err(format!("{current:?}"))
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domains_are_verified_through_dns_within_24_hours() {
    let mut dns = DnsServer::start(&[("unrelated.test", "v=spf1 -all")]).expect("dnsmasq starts");
    let clock = Arc::new(ManualClock::new());
    let dns_addr = dns.addr;
    let server = TestServer::start_with(
        Backend::Sqlite,
        |config| {
            config.dns_servers = vec![dns_addr];
            config.domain_check_interval_secs = 1;
        },
        clock.clone(),
    )
    .await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let mut feed = EventFeed::open(&server, &admin).await;

    for bad in ["localhost", "not a domain", "-x.example"] {
        admin
            .post("/api/sso-domains", json!({"domain": bad}))
            .await
            .refused(&format!("the domain {bad}"), 400, ErrorCode::InvalidDomain);
    }
    let added: SsoDomainView = serde_json::from_value(
        admin
            .post("/api/sso-domains", json!({"domain": "@Acme.Test."}))
            .await
            .ok("add a domain"),
    )
    .unwrap();
    assert_eq!(
        (added.domain.as_str(), added.status),
        ("acme.test", DomainStatus::Unverified)
    );
    assert!(added.txt_value.starts_with("reach-domain-verification="));
    admin
        .post("/api/sso-domains", json!({"domain": "acme.test"}))
        .await
        .refused("the same domain twice", 409, ErrorCode::DomainAlreadyAdded);

    // Started without the record: it keeps looking.
    let started: SsoDomainView = serde_json::from_value(
        admin
            .post(&format!("/api/sso-domains/{}/verify", added.id), json!({}))
            .await
            .ok("start verification"),
    )
    .unwrap();
    assert_eq!(started.status, DomainStatus::Verifying);
    assert!(started.verification_ends_at.is_some());
    clock.advance(Duration::from_secs(3600));
    eventually("a periodic check", || {
        let admin = &admin;
        let id = &added.id;
        let checked_before = started.checked_at;
        async move {
            let current = domain(admin, id).await;
            match current.checked_at {
                Some(at) if Some(at) > checked_before => Ok(current),
                _ => Err(format!("{current:?}")),
            }
        }
    })
    .await;
    assert_eq!(
        domain(&admin, &added.id).await.status,
        DomainStatus::Verifying
    );

    // The record appears: verified at the next check, announced live.
    dns.set_records(&[
        ("acme.test", &added.txt_value),
        ("acme.test", "v=spf1 -all"),
    ])
    .unwrap();
    let verified = wait_status(&admin, &added.id, DomainStatus::Verified).await;
    assert!(verified.verified_at.is_some());
    feed.wait_for("the domain verified", |e| {
        matches!(e, ConsoleEvent::SsoDomainChanged { domain, .. } if domain.id == added.id && domain.status == DomainStatus::Verified)
    })
    .await;
    admin
        .post(&format!("/api/sso-domains/{}/verify", added.id), json!({}))
        .await
        .refused("verifying a verified domain", 409, ErrorCode::Conflict);

    // Another domain never gets its record: failed after 24 hours, then restarted.
    let other: SsoDomainView = serde_json::from_value(
        admin
            .post("/api/sso-domains", json!({"domain": "other.test"}))
            .await
            .ok("add another domain"),
    )
    .unwrap();
    admin
        .post(&format!("/api/sso-domains/{}/verify", other.id), json!({}))
        .await
        .ok("start");
    clock.advance(Duration::from_secs(23 * 3600));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        domain(&admin, &other.id).await.status,
        DomainStatus::Verifying
    );
    clock.advance(Duration::from_secs(3600));
    let failed = wait_status(&admin, &other.id, DomainStatus::Failed).await;
    assert_eq!(failed.failure.as_deref(), Some("not_found_in_time"));
    let restarted: SsoDomainView = serde_json::from_value(
        admin
            .post(&format!("/api/sso-domains/{}/verify", other.id), json!({}))
            .await
            .ok("restart"),
    )
    .unwrap();
    assert_eq!(
        (restarted.status, restarted.failure),
        (DomainStatus::Verifying, None)
    );

    // A second company can claim acme.test but never prove it.
    let globex = admin
        .post(
            "/api/companies",
            json!({"name": "Globex", "administrator": {"email": "boss@globex.test", "display_name": "Boss"}}),
        )
        .await
        .ok("another company");
    let mut boss = server.api();
    boss.login(
        "boss@globex.test",
        globex["generated_password"].as_str().unwrap(),
    )
    .await
    .ok("sign in");
    let theirs: SsoDomainView = serde_json::from_value(
        boss.post("/api/sso-domains", json!({"domain": "acme.test"}))
            .await
            .ok("claim acme.test"),
    )
    .unwrap();
    // Even with their own token published too.
    dns.set_records(&[
        ("acme.test", &added.txt_value),
        ("acme.test", &theirs.txt_value),
    ])
    .unwrap();
    let refused: SsoDomainView = serde_json::from_value(
        boss.post(&format!("/api/sso-domains/{}/verify", theirs.id), json!({}))
            .await
            .ok("start"),
    )
    .unwrap();
    assert_eq!(
        (refused.status, refused.failure.as_deref()),
        (DomainStatus::Failed, Some("verified_by_another_company"))
    );
    boss.post(&format!("/api/sso-domains/{}/verify", added.id), json!({}))
        .await
        .refused("another company's domain", 404, ErrorCode::NotFound);

    let log = admin
        .get("/api/audit-events")
        .await
        .ok("event log")
        .to_string();
    for code in ["R1500I", "R1501I", "R1502I", "R1503W"] {
        assert!(log.contains(code), "{code} missing: {log}");
    }
    admin
        .delete(&format!("/api/sso-domains/{}", other.id))
        .await
        .ok("remove a domain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_s_owners_manage_its_single_sign_on_and_no_other_domain() {
    let SsoServer {
        server,
        admin,
        dns: _dns,
        domain,
    } = sso_server("acme.test", None).await;
    let owners_path = format!("/api/sso-domains/{}/owners", domain.id);
    // The administrator who added it owns it.
    let owners = admin.get(&owners_path).await.ok("owners");
    assert_eq!(owners["owners"][0]["email"], ADMIN_EMAIL, "{owners}");

    // A member without the single sign-on permission.
    admin
        .post(
            "/api/users",
            json!({"email": "it@acme.test", "display_name": "IT", "password": "it-password-0042"}),
        )
        .await
        .ok("add a member");
    let mut member = server.api();
    member
        .login("it@acme.test", "it-password-0042")
        .await
        .ok("the member signs in");
    member
        .get("/api/sso-domains")
        .await
        .refused("not an owner yet", 403, ErrorCode::Forbidden);
    assert_eq!(
        member.get("/api/auth/me").await.ok("me")["user"]["owns_sso_domains"],
        false
    );

    // Bad input changes nothing.
    admin
        .put(&owners_path, json!({"emails": ["nobody@acme.test"]}))
        .await
        .refused("an address that is no member", 400, ErrorCode::BadRequest);
    admin
        .put(&owners_path, json!({"emails": ["not an address"]}))
        .await
        .refused("not an address", 400, ErrorCode::BadRequest);
    assert_eq!(admin.get(&owners_path).await.ok("owners"), owners);

    let set = admin
        .put(
            &owners_path,
            json!({"emails": [ADMIN_EMAIL, " IT@acme.test "]}),
        )
        .await
        .ok("add an owner");
    assert_eq!(set["owners"].as_array().unwrap().len(), 2, "{set}");

    // The owner sees and manages this domain's single sign-on...
    assert_eq!(
        member.get("/api/auth/me").await.ok("me")["user"]["owns_sso_domains"],
        true
    );
    let listed = member
        .get("/api/sso-domains")
        .await
        .ok("the owner's domains");
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let saml = format!("/api/sso-domains/{}/saml", domain.id);
    member.get(&saml).await.ok("SAML settings");
    member
        .put(
            &format!("/api/sso-domains/{}/exclusions", domain.id),
            json!({"emails": ["it@acme.test"]}),
        )
        .await
        .ok("exclusions");
    member.get(&owners_path).await.ok("owners");
    // ... and nothing else: no new domains, no other domain.
    member
        .post("/api/sso-domains", json!({"domain": "other.test"}))
        .await
        .refused("adding a domain", 403, ErrorCode::Forbidden);
    let other: SsoDomainView = serde_json::from_value(
        admin
            .post("/api/sso-domains", json!({"domain": "other.test"}))
            .await
            .ok("another domain"),
    )
    .unwrap();
    member
        .get(&format!("/api/sso-domains/{}/saml", other.id))
        .await
        .refused("another domain", 403, ErrorCode::Forbidden);
    let listed = member
        .get("/api/sso-domains")
        .await
        .ok("the owner's domains");
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    member.get("/api/users").await.refused(
        "owning a domain grants nothing else",
        403,
        ErrorCode::Forbidden,
    );

    // Another company's administrator finds nothing.
    admin
        .post(
            "/api/companies",
            json!({"name": "Initech", "administrator": {"email": "root@initech.test", "display_name": "Root", "password": "initech-password-0042"}}),
        )
        .await
        .ok("another company");
    let mut initech = server.api();
    initech
        .login("root@initech.test", "initech-password-0042")
        .await
        .ok("Initech admin");
    initech
        .get(&owners_path)
        .await
        .refused("another company's domain", 404, ErrorCode::NotFound);

    // Out of the company, no longer an owner.
    let users = admin.get("/api/users").await.ok("users");
    let member_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "it@acme.test")
        .and_then(|u| u["id"].as_str())
        .unwrap()
        .to_string();
    admin
        .post(&format!("/api/users/{member_id}/remove"), json!({}))
        .await
        .ok("remove the member");
    let owners = admin.get(&owners_path).await.ok("owners");
    assert_eq!(owners["owners"].as_array().unwrap().len(), 1, "{owners}");
    let events = admin.get("/api/audit-events?limit=50").await.ok("events");
    assert!(events.to_string().contains("R1509I"), "{events}");
}
