//! Server configuration: the optional TOML file's shape, its documented defaults,
//! and the rules for merging it with flags and environment variables (flags and
//! variables win). Unknown keys are refused so a typo never silently does nothing.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Default listen address: every interface, port 8443.
pub const DEFAULT_LISTEN: &str = "0.0.0.0:8443";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "reach-data";

/// Everything `reach server` needs to start.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address and port to listen on (HTTPS only).
    pub listen: SocketAddr,
    /// Holds the SQLite database, the TLS certificate and key.
    pub data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL; `None` = SQLite in `data_dir`.
    pub database: Option<String>,
    /// URL users and agents reach the server at, when it differs from the listen
    /// address (behind NAT or a TCP load balancer). Used in printed links.
    pub public_url: Option<String>,
    /// PEM certificate chain and PKCS#8 key to use instead of the generated pair.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Name of the company created on first start.
    pub company_name: String,
    /// How long a sign-in lasts, in seconds.
    pub web_session_ttl_secs: u64,
    /// The key that seals two-factor secrets; `None` = `sealing.key` in the
    /// data directory, generated on first start. A configured file must exist
    /// (servers sharing a database must share it).
    pub sealing_key_file: Option<PathBuf>,
    /// Extra certificate authorities (PEM) trusted when talking to identity
    /// providers (SAML metadata by URL, OpenID Connect discovery, keys and
    /// tokens), beyond the public ones (an internal CA).
    pub identity_provider_ca_file: Option<PathBuf>,
    /// DNS servers to read domain verification records from; empty = the
    /// system's resolvers.
    pub dns_servers: Vec<SocketAddr>,
    /// How often domains being verified are looked up, in seconds.
    pub domain_check_interval_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 8443))),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            database: None,
            public_url: None,
            tls_cert: None,
            tls_key: None,
            company_name: "My company".to_string(),
            web_session_ttl_secs: 12 * 3600,
            sealing_key_file: None,
            identity_provider_ca_file: None,
            dns_servers: Vec::new(),
            domain_check_interval_secs: 300,
        }
    }
}

impl ServerConfig {
    /// The sealing key's file, and whether it may be created there.
    pub fn sealing_key_location(&self) -> (PathBuf, bool) {
        match &self.sealing_key_file {
            Some(path) => (path.clone(), false),
            None => (self.data_dir.join("sealing.key"), true),
        }
    }

    /// Where the store lives: the PostgreSQL URL, or the SQLite file in the data dir.
    pub fn database_location(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| self.data_dir.join("reach.db").display().to_string())
    }
}

/// The TOML file. Every key is optional; missing keys keep their defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database: Option<String>,
    pub public_url: Option<String>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub company_name: Option<String>,
    pub web_session_ttl_secs: Option<u64>,
    pub sealing_key_file: Option<PathBuf>,
    /// Named `saml_metadata_ca_file` before OpenID Connect used it too.
    #[serde(alias = "saml_metadata_ca_file")]
    pub identity_provider_ca_file: Option<PathBuf>,
    pub dns_servers: Option<Vec<SocketAddr>>,
    pub domain_check_interval_secs: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0} is not valid: {1}")]
    Parse(PathBuf, String),
    #[error("{0}")]
    Invalid(String),
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| ConfigError::Read(path.to_path_buf(), err))?;
        toml::from_str(&text).map_err(|err| ConfigError::Parse(path.to_path_buf(), err.to_string()))
    }

    /// Applies the file over the defaults.
    pub fn apply(self, config: &mut ServerConfig) {
        if let Some(v) = self.listen {
            config.listen = v;
        }
        if let Some(v) = self.data_dir {
            config.data_dir = v;
        }
        if self.database.is_some() {
            config.database = self.database;
        }
        if self.public_url.is_some() {
            config.public_url = self.public_url;
        }
        if self.tls_cert.is_some() {
            config.tls_cert = self.tls_cert;
        }
        if self.tls_key.is_some() {
            config.tls_key = self.tls_key;
        }
        if let Some(v) = self.company_name {
            config.company_name = v;
        }
        if let Some(v) = self.web_session_ttl_secs {
            config.web_session_ttl_secs = v;
        }
        if self.identity_provider_ca_file.is_some() {
            config.identity_provider_ca_file = self.identity_provider_ca_file;
        }
        if self.sealing_key_file.is_some() {
            config.sealing_key_file = self.sealing_key_file;
        }
        if let Some(v) = self.dns_servers {
            config.dns_servers = v;
        }
        if let Some(v) = self.domain_check_interval_secs {
            config.domain_check_interval_secs = v;
        }
    }
}

impl ServerConfig {
    /// Checks combinations that each value alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(ConfigError::Invalid(
                "tls_cert and tls_key must be given together".into(),
            ));
        }
        if !(1..=86_400).contains(&self.domain_check_interval_secs) {
            return Err(ConfigError::Invalid(
                "domain_check_interval_secs must be between 1 and 86400".into(),
            ));
        }
        if self.web_session_ttl_secs < 60 {
            return Err(ConfigError::Invalid(
                "web_session_ttl_secs must be at least 60".into(),
            ));
        }
        if let Some(url) = &self.public_url {
            if !url.starts_with("https://") {
                return Err(ConfigError::Invalid(format!(
                    "public_url `{url}` must start with https://"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused() {
        let err = toml::from_str::<FileConfig>("lisen = \"0.0.0.0:1\"").err();
        assert!(err.is_some_and(|e| e.to_string().contains("unknown field")));
    }

    #[test]
    fn file_overrides_defaults() {
        let file: FileConfig =
            toml::from_str("listen = \"127.0.0.1:9000\"\ncompany_name = \"Acme\"").unwrap();
        let mut config = ServerConfig::default();
        file.apply(&mut config);
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.company_name, "Acme");
        assert!(config.database_location().ends_with("reach.db"));
    }

    #[test]
    fn validation() {
        let config = ServerConfig {
            tls_cert: Some("a".into()),
            ..ServerConfig::default()
        };
        assert!(config.validate().is_err());
        let config = ServerConfig {
            public_url: Some("http://x".into()),
            ..ServerConfig::default()
        };
        assert!(config.validate().is_err());
        assert!(ServerConfig::default().validate().is_ok());
    }
}
