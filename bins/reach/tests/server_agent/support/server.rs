//! A whole Reach server in this process ([`TestServer`]): starting it on port 0
//! with either storage backend and the first administrator, stopping and
//! restarting it, pinned HTTPS clients for it, and opening (or expecting the
//! refusal of) WebSocket upgrades on it.

use std::net::SocketAddr;
use std::sync::Arc;

use reach_agent::transport::pin::PinnedVerifier;
use reach_proto::api::ApiError;
use reach_proto::codes::ErrorCode;
use reach_server::clock::{Clock, SystemClock};
use reach_server::{InitialAdmin, Server, ServerConfig, StartError};
use reach_store::Store;
use reach_testkit::postgres::PostgresDatabase;
use reqwest::StatusCode;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::Connector;

use super::api::Api;
use super::links::Ws;
use super::wait::{eventually, within, DEADLINE};

pub const ADMIN_EMAIL: &str = "admin@reach.test";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// Logs go to the test's captured output; `RUST_LOG` widens them.
pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

/// Which storage backend a server uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A whole Reach server running in this process, stopped when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    pub base_url: String,
    pub fingerprint: [u8; 32],
    pub fingerprint_hex: String,
    config: ServerConfig,
    clock: Arc<dyn Clock>,
    _dir: tempfile::TempDir,
    _postgres: Option<PostgresDatabase>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), StartError>>>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}, Arc::new(SystemClock)).await
    }

    /// Starts a server with changes to its configuration and the given clock.
    pub async fn start_with(
        backend: Backend,
        configure: impl FnOnce(&mut ServerConfig),
        clock: Arc<dyn Clock>,
    ) -> Self {
        init_logs();
        let dir = tempfile::tempdir().unwrap();
        let postgres = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(
                reach_testkit::postgres::database()
                    .await
                    .expect("a throwaway PostgreSQL database"),
            ),
        };
        let mut config = ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data"),
            database: postgres.as_ref().map(|db| db.url.clone()),
            ..ServerConfig::default()
        };
        configure(&mut config);
        Self::bind(config, dir, postgres, clock).await
    }

    async fn bind(
        config: ServerConfig,
        dir: tempfile::TempDir,
        postgres: Option<PostgresDatabase>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let bound = Server::bind_with_clock(
            config.clone(),
            Some(InitialAdmin {
                email: ADMIN_EMAIL.into(),
                password: ADMIN_PASSWORD.into(),
            }),
            clock.clone(),
        )
        .await
        .expect("the server starts");
        let fingerprint_hex = bound.fingerprint_hex();
        let fingerprint = reach_core::fingerprint::parse(&fingerprint_hex).unwrap();
        let (addr, base_url) = (bound.local_addr, bound.base_url());
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(bound.serve(async move {
            let _ = stopped.await;
        }));
        let server = Self {
            addr,
            base_url,
            fingerprint,
            fingerprint_hex,
            config,
            clock,
            _dir: dir,
            _postgres: postgres,
            shutdown: Some(shutdown),
            task: Some(task),
        };
        server.wait_healthy().await;
        server
    }

    /// Stops the server (if still running) and starts it again on the same
    /// port, directory and database, as an operator restarting the service would.
    pub async fn restart(mut self) -> Self {
        self.stop().await;
        let mut config = self.config.clone();
        config.listen = self.addr;
        let dir = std::mem::replace(&mut self._dir, tempfile::tempdir().unwrap());
        let postgres = self._postgres.take();
        let clock = self.clock.clone();
        Self::bind(config, dir, postgres, clock).await
    }

    /// Asks the server to stop and waits until `serve` has returned.
    pub async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            within("the server to stop", task)
                .await
                .expect("the server task did not panic")
                .expect("the server stopped cleanly");
        }
    }

    /// The server's own store, opened a second time (as `reach admin` does).
    /// The `--data-dir` or `--database` arguments that point `reach admin` at this server's data.
    pub fn storage_args(&self) -> Vec<String> {
        match &self.config.database {
            Some(url) => vec!["--database".into(), url.clone()],
            None => vec![
                "--data-dir".into(),
                self.config.data_dir.display().to_string(),
            ],
        }
    }

    pub async fn open_store(&self) -> Arc<dyn Store> {
        reach_store::open(&self.config.database_location())
            .await
            .expect("the store opens")
    }

    pub fn api(&self) -> Api {
        Api::new(self)
    }

    /// An HTTPS client that trusts only this server's key, as agents do.
    pub fn http_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .use_preconfigured_tls(self.tls())
            .timeout(DEADLINE)
            .build()
            .unwrap()
    }

    pub fn tls(&self) -> rustls::ClientConfig {
        PinnedVerifier::new(Some(self.fingerprint))
            .client_config()
            .unwrap()
    }

    pub fn origin(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// `GET /healthz` answers `ok`.
    pub async fn assert_healthy(&self) {
        let response = self
            .http_client()
            .get(format!("{}/healthz", self.base_url))
            .send()
            .await
            .expect("/healthz answers");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.text().await.unwrap(), "ok");
    }

    async fn wait_healthy(&self) {
        let client = &self.http_client();
        let url = &format!("{}/healthz", self.base_url);
        eventually("the server to answer /healthz", || async move {
            match client.get(url.as_str()).send().await {
                Ok(response) if response.status() == StatusCode::OK => Ok(()),
                Ok(response) => Err(format!("status {}", response.status())),
                Err(err) => Err(err.to_string()),
            }
        })
        .await
    }

    /// Opens a WebSocket on `path` with the given cookie and Origin headers.
    pub async fn websocket(
        &self,
        path: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Ws, tokio_tungstenite::tungstenite::Error> {
        let url = format!("wss://{}{path}", self.addr);
        let mut request = url.into_client_request()?;
        if let Some(cookie) = cookie {
            request.headers_mut().insert(
                "cookie",
                HeaderValue::from_str(&format!("__Host-reach_session={cookie}")).unwrap(),
            );
        }
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", HeaderValue::from_str(origin).unwrap());
        }
        let connecting = tokio_tungstenite::connect_async_tls_with_config(
            request,
            None,
            false,
            Some(Connector::Rustls(Arc::new(self.tls()))),
        );
        within(&format!("a WebSocket to {path}"), connecting)
            .await
            .map(|(ws, _)| ws)
    }

    /// Expects the WebSocket upgrade on `path` to be refused with `status` and `code`.
    pub async fn assert_upgrade_refused(
        &self,
        path: &str,
        cookie: Option<&str>,
        origin: Option<&str>,
        status: u16,
        code: ErrorCode,
    ) {
        match self.websocket(path, cookie, origin).await {
            Ok(_) => panic!("the upgrade of {path} was accepted; expected {status} {code}"),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status().as_u16(), status, "upgrade of {path}");
                let body = response.body().as_deref().unwrap_or_default();
                let error: ApiError = serde_json::from_slice(body).unwrap_or_else(|err| {
                    panic!("refusal of {path} is not an ApiError ({err}): {body:?}")
                });
                assert_eq!(error.code, code, "upgrade of {path}");
                assert!(!error.request_id.is_empty());
            }
            Err(other) => panic!("upgrade of {path} failed without an HTTP answer: {other}"),
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
