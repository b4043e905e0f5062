//! The server's TLS identity. On first start a self-signed certificate and key
//! are generated into the data directory (key file mode 0600) and kept, so the
//! fingerprint agents pinned stays valid across restarts. An operator may supply
//! their own PEM pair instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("cannot read or write {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("no certificate found in {0}")]
    NoCertificate(PathBuf),
    #[error("no private key found in {0}")]
    NoKey(PathBuf),
    #[error("certificate generation failed: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("TLS configuration refused: {0}")]
    Rustls(#[from] rustls::Error),
    #[error(transparent)]
    Fingerprint(#[from] reach_core::fingerprint::FingerprintError),
}

/// Certificate chain, key and the pinned fingerprint.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub fingerprint: [u8; 32],
}

impl Identity {
    /// Loads the operator's pair, or the generated one in `data_dir`, generating it first if absent.
    pub fn load_or_generate(
        data_dir: &Path,
        cert: Option<&Path>,
        key: Option<&Path>,
    ) -> Result<Self, TlsError> {
        let (cert_path, key_path) = match (cert, key) {
            (Some(cert), Some(key)) => (cert.to_path_buf(), key.to_path_buf()),
            _ => {
                let cert_path = data_dir.join("tls-cert.pem");
                let key_path = data_dir.join("tls-key.pem");
                if !cert_path.exists() || !key_path.exists() {
                    generate(&cert_path, &key_path)?;
                }
                (cert_path, key_path)
            }
        };
        let cert_pem =
            std::fs::read(&cert_path).map_err(|err| TlsError::Io(cert_path.clone(), err))?;
        let key_pem =
            std::fs::read(&key_path).map_err(|err| TlsError::Io(key_path.clone(), err))?;
        let chain: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut cert_pem.as_slice())
            .collect::<Result<_, _>>()
            .map_err(|err| TlsError::Io(cert_path.clone(), err))?;
        let leaf = chain
            .first()
            .ok_or_else(|| TlsError::NoCertificate(cert_path.clone()))?;
        let fingerprint = reach_core::fingerprint::of_certificate(leaf)?;
        let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
            .map_err(|err| TlsError::Io(key_path.clone(), err))?
            .ok_or(TlsError::NoKey(key_path))?;
        Ok(Self {
            chain,
            key,
            fingerprint,
        })
    }

    /// A rustls server configuration for this identity (HTTP/1.1; WebSockets need it).
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

fn generate(cert_path: &Path, key_path: &Path) -> Result<(), TlsError> {
    let host = hostname_guess();
    let mut names = vec!["localhost".to_string(), host];
    names.dedup();
    let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(names)?;
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress(std::net::IpAddr::from([
            127, 0, 0, 1,
        ])));
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Reach server");
    params.not_after = rcgen::date_time_ymd(2099, 12, 31);
    let cert = params.self_signed(&key_pair)?;
    write_private(key_path, key_pair.serialize_pem().as_bytes())?;
    std::fs::write(cert_path, cert.pem())
        .map_err(|err| TlsError::Io(cert_path.to_path_buf(), err))?;
    tracing::info!(cert = %cert_path.display(), "generated a self-signed TLS certificate");
    Ok(())
}

fn hostname_guess() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|name| name.trim().to_string())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// Writes a secret file readable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    crate::keys::write_private(path, bytes, false)
        .map_err(|err| TlsError::Io(path.to_path_buf(), err))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_identity_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = Identity::load_or_generate(dir.path(), None, None).unwrap();
        let second = Identity::load_or_generate(dir.path(), None, None).unwrap();
        assert_eq!(first.fingerprint, second.fingerprint);
        assert!(first.server_config().is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("tls-key.pem"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
