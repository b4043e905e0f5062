//! Reads a domain's DNS TXT records, for domain verification. Uses the system's
//! resolvers, or the servers in `dns_servers` (tests point it at their own DNS
//! server). Nothing is cached, so a record just created is seen at the next check.

use std::net::SocketAddr;

use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::error::ResolveErrorKind;
use hickory_resolver::TokioAsyncResolver;

#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    #[error("cannot read the system's DNS configuration: {0}")]
    SystemConfig(String),
    #[error("DNS lookup of {0} failed: {1}")]
    Lookup(String, String),
}

pub struct TxtResolver {
    resolver: TokioAsyncResolver,
}

impl TxtResolver {
    /// A resolver asking `servers`, or the system's resolvers when empty.
    pub fn new(servers: &[SocketAddr]) -> Result<Self, DnsError> {
        let mut options = ResolverOpts::default();
        options.cache_size = 0;
        let resolver = if servers.is_empty() {
            let (config, _) = hickory_resolver::system_conf::read_system_conf()
                .map_err(|err| DnsError::SystemConfig(err.to_string()))?;
            TokioAsyncResolver::tokio(config, options)
        } else {
            let mut group = NameServerConfigGroup::new();
            for server in servers {
                group.merge(NameServerConfigGroup::from_ips_clear(
                    &[server.ip()],
                    server.port(),
                    true,
                ));
            }
            TokioAsyncResolver::tokio(ResolverConfig::from_parts(None, vec![], group), options)
        };
        Ok(Self { resolver })
    }

    /// The TXT values of `domain` (each record's strings joined); empty when it has none.
    pub async fn txt(&self, domain: &str) -> Result<Vec<String>, DnsError> {
        let name = format!("{domain}.");
        match self.resolver.txt_lookup(name.as_str()).await {
            Ok(records) => Ok(records
                .iter()
                .map(|record| {
                    record
                        .txt_data()
                        .iter()
                        .map(|part| String::from_utf8_lossy(part).into_owned())
                        .collect::<String>()
                })
                .collect()),
            Err(err) if matches!(err.kind(), ResolveErrorKind::NoRecordsFound { .. }) => {
                Ok(Vec::new())
            }
            Err(err) => Err(DnsError::Lookup(domain.to_string(), err.to_string())),
        }
    }
}
