//! The Reach server: HTTPS API, embedded console, and the relay between consoles
//! and agents. [`Server::bind`] prepares everything (store, TLS, first-start setup)
//! and binds the port; [`BoundServer::serve`] runs until the shutdown future
//! resolves. Tests start whole servers this way on port 0.

pub mod agent_link;
pub mod api;
mod assets;
pub mod audit;
pub mod auth;
mod bearer;
pub mod clock;
pub mod config;
mod console_link;
mod device_tools;
mod dns;
pub mod error;
pub mod hub;
mod idp_http;
mod keys;
pub mod oidc;
mod openapi;
mod principal;
pub mod saml;
mod scim;
mod security;
pub mod sso;
pub mod throttle;
pub mod tls;
mod two_factor;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::response::Redirect;
use axum::routing::{any, get, post};
use axum::Router;
use reach_core::credentials::{self, SETUP_TOKEN_PREFIX};
use reach_core::{fingerprint, now_millis};
use reach_proto::audit::AuditCode;
use reach_proto::codes::EndReason;
use reach_store::Store;

pub use config::ServerConfig;

/// How long the one-time setup link printed on first start stays valid.
const SETUP_LINK_LIFETIME_MS: i64 = 24 * 3600 * 1000;

/// What every handler shares.
pub struct AppState {
    pub config: ServerConfig,
    pub store: Arc<dyn Store>,
    pub hub: Arc<hub::Hub>,
    pub fingerprint: [u8; 32],
    throttle: throttle::LoginThrottle,
    /// Limits single sign-on starts per client address.
    sso_starts: throttle::SsoStartLimiter,
    /// Cancelled when the server stops. Upgraded WebSocket links are not HTTP
    /// connections the graceful shutdown waits for, so they close on this instead.
    shutdown: tokio_util::sync::CancellationToken,
    /// Token hashes of sign-ins that just ended, for their open WebSockets.
    sign_outs: tokio::sync::broadcast::Sender<String>,
    /// Seals two-factor secrets before they are stored.
    sealing: reach_core::sealed::SealingKey,
    /// "Now" for the domain verification window.
    clock: Arc<dyn clock::Clock>,
    /// Reads TXT records for domain verification.
    dns: dns::TxtResolver,
    /// `https://host:port` as people reach this server (see [`base_url`]).
    pub base_url: String,
    /// Talks to identity providers (SAML metadata, OpenID Connect).
    idp_http: idp_http::IdpHttp,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(std::path::PathBuf, std::io::Error),
    #[error("cannot open the database: {0}")]
    Store(#[from] reach_store::StoreError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
    #[error(transparent)]
    MetadataFetch(#[from] idp_http::FetchError),
    #[error(transparent)]
    Dns(#[from] dns::DnsError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("cannot create the first administrator: {0}")]
    Admin(String),
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

/// The first administrator to create when no user exists (from
/// `REACH_ADMIN_EMAIL` and `REACH_ADMIN_PASSWORD`).
#[derive(Clone)]
pub struct InitialAdmin {
    pub email: String,
    pub password: String,
}

/// How the first administrator will be (or was) created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstSignIn {
    /// Users exist already.
    Ready,
    /// Created from the environment on this start.
    AdminCreated { email: String },
    /// Open this one-time link to create the first administrator.
    SetupLink(String),
}

pub struct Server;

/// A server with its port bound, ready to serve.
pub struct BoundServer {
    state: Arc<AppState>,
    listener: std::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    pub local_addr: SocketAddr,
    pub first_sign_in: FirstSignIn,
}

impl Server {
    pub async fn bind(
        config: ServerConfig,
        initial_admin: Option<InitialAdmin>,
    ) -> Result<BoundServer, StartError> {
        Self::bind_with_clock(config, initial_admin, Arc::new(clock::SystemClock)).await
    }

    /// [`Server::bind`] with the clock that long-running rules (domain
    /// verification) read: tests pass a [`clock::ManualClock`].
    pub async fn bind_with_clock(
        config: ServerConfig,
        initial_admin: Option<InitialAdmin>,
        clock: Arc<dyn clock::Clock>,
    ) -> Result<BoundServer, StartError> {
        config.validate()?;
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|err| StartError::DataDir(config.data_dir.clone(), err))?;
        let store = reach_store::open(&config.database_location()).await?;
        let closed = store
            .end_open_sessions(now_millis(), EndReason::ServerShutdown.as_str())
            .await?;
        if closed > 0 {
            tracing::warn!(closed, "closed sessions left open by a previous run");
        }
        store
            .ensure_default_company(&config.company_name, now_millis())
            .await?;
        let identity = tls::Identity::load_or_generate(
            &config.data_dir,
            config.tls_cert.as_deref(),
            config.tls_key.as_deref(),
        )?;
        let tls = identity.server_config()?;
        let (key_path, create_key) = config.sealing_key_location();
        let sealing = keys::load_or_create(&key_path, create_key)?;
        let dns = dns::TxtResolver::new(&config.dns_servers)?;
        let idp_http = idp_http::IdpHttp::new(config.identity_provider_ca_file.as_deref())?;
        let listener = std::net::TcpListener::bind(config.listen)
            .map_err(|err| StartError::Listen(config.listen, err))?;
        listener
            .set_nonblocking(true)
            .map_err(|err| StartError::Listen(config.listen, err))?;
        let local_addr = listener
            .local_addr()
            .map_err(|err| StartError::Listen(config.listen, err))?;
        let state = Arc::new(AppState {
            base_url: base_url(&config, local_addr),
            idp_http,
            hub: hub::Hub::new(store.clone()),
            store,
            fingerprint: identity.fingerprint,
            throttle: throttle::LoginThrottle::default(),
            sso_starts: throttle::SsoStartLimiter::default(),
            shutdown: tokio_util::sync::CancellationToken::new(),
            sign_outs: tokio::sync::broadcast::channel(256).0,
            sealing,
            clock,
            dns,
            config,
        });
        let first_sign_in = first_sign_in(&state, initial_admin, local_addr).await?;
        tracing::info!(%local_addr, backend = state.store.backend(), "server ready");
        Ok(BoundServer {
            state,
            listener,
            tls,
            local_addr,
            first_sign_in,
        })
    }
}

async fn first_sign_in(
    state: &AppState,
    initial_admin: Option<InitialAdmin>,
    local_addr: SocketAddr,
) -> Result<FirstSignIn, StartError> {
    if state.store.count_users().await? > 0 {
        return Ok(FirstSignIn::Ready);
    }
    if let Some(admin) = initial_admin {
        let user = auth::new_administrator(state, &admin.email, "Administrator", admin.password)
            .await
            .map_err(|err| StartError::Admin(err.message))?;
        let role = auth::administrator_role(state, &user)
            .await
            .map_err(|err| StartError::Admin(err.message))?;
        state
            .store
            .create_user(&user, &[role], now_millis())
            .await?;
        tracing::info!(email = %user.email, "first administrator created from the environment");
        let entry = audit::Entry::of(
            user.company_id.as_deref(),
            AuditCode::UserCreated,
            audit::Actor::System,
        )
        .target("user", &user.id, Some(&user.email))
        .detail("roles", "Administrator")
        .detail("operator", true)
        .detail("through", "environment");
        audit::record(state, entry).await;
        return Ok(FirstSignIn::AdminCreated { email: user.email });
    }
    let token = credentials::new_secret(SETUP_TOKEN_PREFIX);
    let now = now_millis();
    state
        .store
        .create_setup_token(
            &credentials::secret_hash(&token),
            now,
            now + SETUP_LINK_LIFETIME_MS,
        )
        .await?;
    Ok(FirstSignIn::SetupLink(format!(
        "{}/console/setup?token={token}",
        base_url(&state.config, local_addr)
    )))
}

/// The URL people and agents use to reach this server.
pub fn base_url(config: &ServerConfig, local_addr: SocketAddr) -> String {
    if let Some(url) = &config.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = if local_addr.ip().is_unspecified() {
        std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_string())
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into())
    } else {
        local_addr.ip().to_string()
    };
    format!("https://{host}:{}", local_addr.port())
}

impl BoundServer {
    pub fn base_url(&self) -> String {
        base_url(&self.state.config, self.local_addr)
    }

    /// The pinned fingerprint, as agents are given it.
    pub fn fingerprint_hex(&self) -> String {
        fingerprint::to_hex(&self.state.fingerprint)
    }

    pub fn console_embedded(&self) -> bool {
        assets::embedded()
    }

    /// Serves until `shutdown` resolves, then ends live sessions and drains connections.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let handle = axum_server::Handle::new();
        let state = self.state.clone();
        let shutdown_handle = handle.clone();
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!("shutting down");
            state.hub.end_all(EndReason::ServerShutdown).await;
            state.shutdown.cancel();
            shutdown_handle.graceful_shutdown(Some(Duration::from_secs(5)));
        });
        let checker_state = self.state.clone();
        tokio::spawn(async move {
            let every = Duration::from_secs(checker_state.config.domain_check_interval_secs);
            let mut tick = tokio::time::interval(every);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = checker_state.shutdown.cancelled() => return,
                }
                api::domains::check_domains(&checker_state).await;
            }
        });
        let cleanup_state = self.state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(3600));
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = cleanup_state.shutdown.cancelled() => return,
                }
                if let Err(err) = cleanup_state
                    .store
                    .delete_expired_web_sessions(now_millis())
                    .await
                {
                    tracing::warn!(error = %err, "could not delete expired sign-ins");
                }
                if let Err(err) = cleanup_state.store.purge_saml(now_millis()).await {
                    tracing::warn!(error = %err, "could not delete expired SAML requests and assertion ids");
                }
                cleanup_state.sso_starts.forget_idle();
                if let Err(err) = cleanup_state.store.purge_oidc(now_millis()).await {
                    tracing::warn!(error = %err, "could not delete expired OpenID Connect requests");
                }
            }
        });
        let app = router(self.state);
        axum_server::from_tcp_rustls(
            self.listener,
            axum_server::tls_rustls::RustlsConfig::from_config(self.tls),
        )
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .map_err(StartError::Serve)
    }
}

/// `/` is the end users' portal (technicians work at `/console/`). The link a
/// technician sends, `/?key=123456789`, keeps its key: only its digits, so
/// nothing else from the query reaches the redirect.
async fn portal(
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Redirect {
    let digits: String = query
        .get("key")
        .map(|key| key.chars().filter(char::is_ascii_digit).take(32).collect())
        .unwrap_or_default();
    if digits.is_empty() {
        Redirect::to("/console/portal")
    } else {
        Redirect::to(&format!("/console/portal?key={digits}"))
    }
}

fn router(state: Arc<AppState>) -> Router {
    // The console's API on `/api` (cookie and CSRF) and the same resources for
    // integrations on `/api/v1` (API tokens only; see `bearer.rs`).
    let resources = api::resources(Router::new(), "/api");
    let resources = api::resources(resources, "/api/v1");
    let api = resources
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/auth/login", post(auth::login))
        .route("/api/auth/logout", post(auth::logout))
        .route("/api/auth/me", get(auth::me))
        .route("/api/auth/sign-in-method", get(sso::sign_in_method))
        .route("/saml/metadata", get(saml::metadata))
        .route("/saml/login", get(saml::login))
        .route("/saml/post.js", get(saml::post_script))
        .route("/saml/acs", post(saml::acs))
        .nest(scim::PREFIX, scim::routes())
        .route("/oidc/login", get(oidc::login))
        .route("/oidc/callback", get(oidc::callback))
        .route("/oidc/initiate", get(oidc::initiate))
        .route("/api/auth/password", post(auth::change_password))
        .route("/api/auth/two-factor/setup", post(two_factor::setup))
        .route("/api/auth/two-factor/enable", post(two_factor::enable))
        .route("/api/auth/two-factor/disable", post(two_factor::disable))
        .route("/api/setup", post(auth::setup))
        .route("/api/sessions/{id}/ws", any(console_link::session_upgrade))
        .route("/api/events", any(console_link::events_upgrade))
        .route("/api/agent/enroll", post(api::enrollment::enroll_agent))
        .route("/api/agent/join", post(api::attended::join))
        .route("/api/portal/keys/check", post(api::attended::check))
        .route("/api/agent/ws", any(agent_link::upgrade))
        .fallback(|| async { error::ApiFailure::not_found() })
        .method_not_allowed_fallback(|| async {
            error::ApiFailure::new(
                reach_proto::codes::ErrorCode::MethodNotAllowed,
                "this address does not take this method",
            )
        })
        .layer(DefaultBodyLimit::max(64 * 1024));
    let app = Router::new()
        .merge(security::no_store(api))
        .route("/healthz", get(|| async { "ok" }))
        .route("/", get(portal))
        .route("/console", get(|| async { Redirect::to("/console/") }))
        .route("/console/", get(assets::console))
        .route("/console/{*path}", get(assets::console))
        .with_state(state);
    security::with_headers(app).layer(tower_http::trace::TraceLayer::new_for_http())
}
