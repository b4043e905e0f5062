//! A server ready for single sign-on: it reads DNS from a test dnsmasq (so a
//! domain can be verified for real) and trusts a given certificate authority for
//! identity providers; its administrator is signed in and one domain verified.

use std::path::PathBuf;

use reach_proto::directory::{DomainStatus, SsoDomainView};
use reach_testkit::dns::DnsServer;
use serde_json::json;

use super::api::Api;
use super::server::{Backend, TestServer};

pub struct SsoServer {
    pub server: TestServer,
    pub admin: Api,
    /// Answers the domain's TXT record; kept running for the server's checks.
    pub dns: DnsServer,
    pub domain: SsoDomainView,
}

/// A server trusting `identity_provider_ca` (if any), with `domain` verified.
pub async fn sso_server(domain: &str, identity_provider_ca: Option<PathBuf>) -> SsoServer {
    let mut dns = DnsServer::start(&[]).expect("dnsmasq starts");
    let dns_addr = dns.addr;
    let server = TestServer::start_with(
        Backend::Sqlite,
        |config| {
            config.dns_servers = vec![dns_addr];
            config.identity_provider_ca_file = identity_provider_ca;
        },
        std::sync::Arc::new(reach_server::clock::SystemClock),
    )
    .await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let added: SsoDomainView = serde_json::from_value(
        admin
            .post("/api/sso-domains", json!({"domain": domain}))
            .await
            .ok("add the domain"),
    )
    .expect("a domain view");
    dns.set_records(&[(domain, &added.txt_value)])
        .expect("dnsmasq takes the record");
    let verified: SsoDomainView = serde_json::from_value(
        admin
            .post(&format!("/api/sso-domains/{}/verify", added.id), json!({}))
            .await
            .ok("verify"),
    )
    .expect("a domain view");
    assert_eq!(verified.status, DomainStatus::Verified);
    SsoServer {
        server,
        admin,
        dns,
        domain: verified,
    }
}
