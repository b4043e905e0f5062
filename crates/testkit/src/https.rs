//! A small https server for tests that need a real TLS peer serving one
//! document (an identity provider's metadata): its own certificate authority
//! (rcgen), a certificate for 127.0.0.1 signed by it, and an answer the test can
//! change while it runs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// What the server answers to every request.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// A TLS server configuration for `127.0.0.1`, its certificate signed by a new
/// certificate authority written to `dir/ca.pem` (returned) for clients to trust.
pub fn loopback_tls(dir: &Path) -> Result<(Arc<rustls::ServerConfig>, PathBuf)> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Reach test CA");
    let ca = ca_params.self_signed(&ca_key)?;
    let leaf_key = KeyPair::generate()?;
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])?
        .signed_by(&leaf_key, &ca, &ca_key)?;
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem())?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der())
            .map_err(|err| anyhow::anyhow!("test key: {err}"))?,
    )?;
    Ok((Arc::new(config), ca_file))
}

pub struct HttpsServer {
    pub addr: SocketAddr,
    /// The certificate authority that signed the server's certificate (PEM).
    pub ca_file: PathBuf,
    answer: Arc<Mutex<Answer>>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl HttpsServer {
    pub async fn start(answer: Answer) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let (config, ca_file) = loopback_tls(dir.path())?;
        let acceptor = TlsAcceptor::from(config);
        let listener = TcpListener::bind("127.0.0.1:0").await.context("binding")?;
        let addr = listener.local_addr()?;
        let answer = Arc::new(Mutex::new(answer));
        let shared = answer.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let answer = shared.lock().map(|a| a.clone()).ok();
                tokio::spawn(async move {
                    let (Ok(mut tls), Some(answer)) = (acceptor.accept(stream).await, answer)
                    else {
                        return;
                    };
                    // The request head only; the answer never depends on it.
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let response = format!(
                        "HTTP/1.1 {} X\r\nContent-Type: application/samlmetadata+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                        answer.status,
                        answer.body.len(),
                        answer.body
                    );
                    let _ = tls.write_all(response.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        Ok(Self {
            addr,
            ca_file,
            answer,
            task,
            _dir: dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    pub fn answer(&self, answer: Answer) {
        if let Ok(mut current) = self.answer.lock() {
            *current = answer;
        }
    }

    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }
}

impl Drop for HttpsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
