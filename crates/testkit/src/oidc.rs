//! An OpenID Connect provider for the server's tests, over real https on
//! loopback: discovery, signing keys, an authorization endpoint that signs the
//! configured person in at once, and a token endpoint that checks the client
//! secret, the redirect URI, the one-time code and the PKCE verifier (S256)
//! before it issues an RS256 ID token. What the next ID token says can be bent
//! ([`Answer`]) to test every refusal; a browser-driven provider (the npm
//! `oidc-provider`) covers the console end to end.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "reach-test-client";
pub const CLIENT_SECRET: &str = "reach-test-secret";

/// What the provider answers the next sign-ins; each field bends one check.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The `email` claim; None leaves it out.
    pub email: Option<String>,
    pub email_verified: Option<bool>,
    /// None: our client id.
    pub audience: Option<String>,
    /// None: the nonce of the request.
    pub nonce: Option<String>,
    /// None: the provider's issuer.
    pub issuer: Option<String>,
    /// Seconds from now until the ID token expires (negative: already expired).
    pub expires_in: i64,
    /// Signs with a key the provider does not publish.
    pub foreign_key: bool,
    /// The authorization endpoint answers `error=access_denied`.
    pub deny: bool,
    /// The address is left out of the ID token and released at the user info
    /// endpoint (as OpenID Connect Core has it when an access token is issued).
    pub email_at_user_info: bool,
    /// The user info endpoint names this subject instead of the ID token's.
    pub user_info_subject: Option<String>,
}

impl Answer {
    pub fn for_email(email: &str) -> Self {
        Self {
            email: Some(email.into()),
            email_verified: Some(true),
            audience: None,
            nonce: None,
            issuer: None,
            expires_in: 300,
            foreign_key: false,
            deny: false,
            email_at_user_info: false,
            user_info_subject: None,
        }
    }
}

/// An authorization the provider granted, waiting for its code to be redeemed.
struct Grant {
    redirect_uri: String,
    nonce: String,
    challenge: String,
    answer: Answer,
}

struct Shared {
    issuer: String,
    key: RsaPrivateKey,
    foreign: RsaPrivateKey,
    answer: Mutex<Answer>,
    grants: Mutex<HashMap<String, Grant>>,
    /// What the user info endpoint answers, by access token.
    user_info: Mutex<HashMap<String, Value>>,
    /// Every query the authorization endpoint received, in order.
    authorizations: Mutex<Vec<HashMap<String, String>>>,
}

pub struct OidcProvider {
    pub issuer: String,
    /// The certificate authority of the provider's https certificate (PEM).
    pub ca_file: PathBuf,
    shared: Arc<Shared>,
    handle: axum_server::Handle,
    _dir: tempfile::TempDir,
}

/// A 2048-bit RSA key made by openssl (fast, unlike key generation in an
/// unoptimized test build).
fn rsa_key(dir: &std::path::Path, name: &str) -> Result<RsaPrivateKey> {
    use rsa::pkcs8::DecodePrivateKey;
    let path = dir.join(name);
    let made = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&path)
        .output()
        .context("running openssl (install Debian package openssl)")?;
    anyhow::ensure!(
        made.status.success(),
        "openssl genpkey failed: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let pem = std::fs::read_to_string(&path)?;
    RsaPrivateKey::from_pkcs8_pem(&pem).context("reading the key openssl made")
}

impl OidcProvider {
    pub async fn start(answer: Answer) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let (tls, ca_file) = crate::https::loopback_tls(dir.path())?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr: SocketAddr = listener.local_addr()?;
        let issuer = format!("https://{addr}");
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            key: rsa_key(dir.path(), "signing.pem")?,
            foreign: rsa_key(dir.path(), "foreign.pem")?,
            answer: Mutex::new(answer),
            grants: Mutex::new(HashMap::new()),
            user_info: Mutex::new(HashMap::new()),
            authorizations: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/userinfo", get(user_info))
            .with_state(shared.clone());
        let handle = axum_server::Handle::new();
        let server = axum_server::from_tcp_rustls(
            listener,
            axum_server::tls_rustls::RustlsConfig::from_config(tls),
        )
        .handle(handle.clone());
        tokio::spawn(async move {
            let _ = server.serve(app.into_make_service()).await;
        });
        Ok(Self {
            issuer,
            ca_file,
            shared,
            handle,
            _dir: dir,
        })
    }

    /// What the next sign-ins answer.
    pub fn answer(&self, answer: Answer) {
        if let Ok(mut current) = self.shared.answer.lock() {
            *current = answer;
        }
    }

    /// The queries the authorization endpoint received so far.
    pub fn authorizations(&self) -> Vec<HashMap<String, String>> {
        self.shared
            .authorizations
            .lock()
            .map(|a| a.clone())
            .unwrap_or_default()
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let issuer = &shared.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "scopes_supported": ["openid", "email", "profile"],
    }))
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Json<Value> {
    let public = shared.key.to_public_key();
    Json(json!({"keys": [{
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": "test-key",
        "n": URL_SAFE_NO_PAD.encode(public.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(public.e().to_bytes_be()),
    }]}))
}

fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Ok(mut seen) = shared.authorizations.lock() {
        seen.push(query.clone());
    }
    let field = |name: &str| query.get(name).cloned().unwrap_or_default();
    let redirect_uri = field("redirect_uri");
    if field("client_id") != CLIENT_ID || field("response_type") != "code" {
        return (StatusCode::BAD_REQUEST, "unknown client or response type").into_response();
    }
    let answer = match shared.answer.lock() {
        Ok(answer) => answer.clone(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let mut back = match url::Url::parse(&redirect_uri) {
        Ok(url) => url,
        Err(_) => return (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response(),
    };
    if answer.deny {
        back.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("error_description", "the person said no")
            .append_pair("state", &field("state"));
        return Redirect::to(back.as_str()).into_response();
    }
    let code = random_token();
    let grant = Grant {
        redirect_uri,
        nonce: field("nonce"),
        challenge: field("code_challenge"),
        answer,
    };
    if let Ok(mut grants) = shared.grants.lock() {
        grants.insert(code.clone(), grant);
    }
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &field("state"));
    Redirect::to(back.as_str()).into_response()
}

fn token_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": error}))).into_response()
}

async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let expected = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if authorization != expected {
        return token_error("invalid_client");
    }
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let grant = shared
        .grants
        .lock()
        .ok()
        .and_then(|mut grants| grants.remove(&field("code")));
    let Some(grant) = grant else {
        return token_error("invalid_grant");
    };
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier").as_bytes()));
    if field("grant_type") != "authorization_code"
        || field("redirect_uri") != grant.redirect_uri
        || challenge != grant.challenge
    {
        return token_error("invalid_grant");
    }
    let answer = grant.answer;
    let now = reach_core::now_millis() / 1000;
    let mut claims = json!({
        "iss": answer.issuer.clone().unwrap_or_else(|| shared.issuer.clone()),
        "sub": answer.email.clone().unwrap_or_else(|| "someone".into()),
        "aud": answer.audience.clone().unwrap_or_else(|| CLIENT_ID.into()),
        "iat": now,
        "exp": now + answer.expires_in,
        "nonce": answer.nonce.clone().unwrap_or(grant.nonce),
    });
    let mut released = json!({
        "sub": answer.user_info_subject.clone().unwrap_or_else(|| claims["sub"].as_str().unwrap_or_default().to_string()),
    });
    let holder = if answer.email_at_user_info {
        &mut released
    } else {
        &mut claims
    };
    if let Some(email) = &answer.email {
        holder["email"] = json!(email);
    }
    if let Some(verified) = answer.email_verified {
        holder["email_verified"] = json!(verified);
    }
    let access_token = random_token();
    if let Ok(mut user_info) = shared.user_info.lock() {
        user_info.insert(access_token.clone(), released);
    }
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": "test-key"});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = if answer.foreign_key {
        shared.foreign.clone()
    } else {
        shared.key.clone()
    };
    let signature = SigningKey::<Sha256>::new(key).sign(signing_input.as_bytes());
    let id_token = format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    );
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}

async fn user_info(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let released = shared
        .user_info
        .lock()
        .ok()
        .and_then(|user_info| user_info.get(token).cloned());
    match released {
        Some(claims) => Json(claims).into_response(),
        None => StatusCode::UNAUTHORIZED.into_response(),
    }
}
