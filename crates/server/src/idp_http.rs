//! Talking to identity providers: SAML metadata fetched from the URL an
//! administrator gives, and OpenID Connect discovery, keys and token requests.
//! https only, trusted by the public certificate authorities plus an optional
//! internal one (`identity_provider_ca_file`), with a timeout; metadata has a
//! size limit and follows at most a few https redirects, OpenID Connect
//! follows none (its library asks for that, against request forgery).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use reach_core::saml::MAX_METADATA_BYTES;

const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_REDIRECTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("the metadata URL must be an https URL")]
    NotHttps,
    #[error("cannot read the certificate authorities in {0}: {1}")]
    Authorities(PathBuf, String),
    #[error("fetching the metadata failed: {0}")]
    Request(String),
    #[error("the metadata URL answered HTTP {0}")]
    Status(u16),
    #[error("the metadata is larger than {MAX_METADATA_BYTES} bytes")]
    TooLarge,
    #[error("the metadata is not UTF-8 text")]
    NotText,
    #[error("the identity provider's answer is larger than {MAX_OIDC_BYTES} bytes")]
    AnswerTooLarge,
}

/// Largest answer read from an OpenID Connect provider (discovery, keys,
/// tokens, user info are a few kilobytes).
const MAX_OIDC_BYTES: usize = 1024 * 1024;

pub struct IdpHttp {
    client: reqwest::Client,
    oidc: reqwest::Client,
}

fn authorities(ca_file: Option<&Path>) -> Result<rustls::RootCertStore, FetchError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let failed = |why: String| FetchError::Authorities(path.to_path_buf(), why);
        let pem = std::fs::read(path).map_err(|err| failed(err.to_string()))?;
        let mut added = 0;
        for certificate in rustls_pemfile::certs(&mut pem.as_slice()) {
            let certificate = certificate.map_err(|err| failed(err.to_string()))?;
            roots
                .add(certificate)
                .map_err(|err| failed(err.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(failed("no PEM certificate in it".into()));
        }
    }
    Ok(roots)
}

impl IdpHttp {
    pub fn new(ca_file: Option<&Path>) -> Result<Self, FetchError> {
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|err| FetchError::Request(err.to_string()))?
        .with_root_certificates(authorities(ca_file)?)
        .with_no_client_auth();
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.url().scheme() != "https" || attempt.previous().len() >= MAX_REDIRECTS {
                attempt.stop()
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls.clone())
            .https_only(true)
            .timeout(TIMEOUT)
            .redirect(redirects)
            .build()
            .map_err(|err| FetchError::Request(err.to_string()))?;
        let oidc = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .https_only(true)
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|err| FetchError::Request(err.to_string()))?;
        Ok(Self { client, oidc })
    }

    /// Sends one of `openidconnect`'s requests (discovery, keys, token, user
    /// info) with the OpenID Connect client, reading at most [`MAX_OIDC_BYTES`]
    /// of the answer, so a misbehaving provider can't exhaust memory.
    pub async fn oidc_request(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> Result<http::Response<Vec<u8>>, FetchError> {
        let (parts, body) = request.into_parts();
        let mut outgoing = self
            .oidc
            .request(parts.method, parts.uri.to_string())
            .body(body);
        for (name, value) in &parts.headers {
            outgoing = outgoing.header(name, value);
        }
        let mut response = outgoing
            .send()
            .await
            .map_err(|err| FetchError::Request(describe(&err)))?;
        let mut answer = http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            answer = answer.header(name, value);
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| FetchError::Request(describe(&err)))?
        {
            if bytes.len() + chunk.len() > MAX_OIDC_BYTES {
                return Err(FetchError::AnswerTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        answer
            .body(bytes)
            .map_err(|err| FetchError::Request(err.to_string()))
    }

    /// The document at `url`.
    pub async fn fetch(&self, url: &str) -> Result<String, FetchError> {
        let parsed = url::Url::parse(url).map_err(|_| FetchError::NotHttps)?;
        if parsed.scheme() != "https" {
            return Err(FetchError::NotHttps);
        }
        let mut response = self
            .client
            .get(parsed)
            .send()
            .await
            .map_err(|err| FetchError::Request(describe(&err)))?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|err| FetchError::Request(describe(&err)))?
        {
            if body.len() + chunk.len() > MAX_METADATA_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| FetchError::NotText)
    }
}

/// The error and its causes on one line (reqwest hides the TLS reason in a source).
pub fn describe(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// [`IdpHttp::oidc_request`] as the HTTP client `openidconnect` calls.
pub struct OidcHttp<'a>(pub &'a IdpHttp);

impl<'c> openidconnect::AsyncHttpClient<'c> for OidcHttp<'_> {
    type Error = FetchError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, FetchError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(self.0.oidc_request(request))
    }
}
