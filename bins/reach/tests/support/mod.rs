//! Shared helpers for the server + agent end-to-end tests: a real server on port 0
//! (SQLite in a temporary directory or a throwaway PostgreSQL database), an HTTP
//! client that signs in like the console does, WebSocket clients for the console
//! links, enrolled agents, and the Xvfb test pattern client.
//!
//! Everything waits by polling with short intervals against [`DEADLINE`]; nothing
//! sleeps for long, and a missed deadline fails with what was seen instead.

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use reach_agent::enroll::{enroll, EnrollOptions};
use reach_agent::state::AgentState;
use reach_agent::transport::pin::PinnedVerifier;
use reach_agent::AgentError;
use reach_proto::api::{ApiError, DeviceView, EnrollmentTokenCreated, SessionView, SignedIn};
use reach_proto::codes::ErrorCode;
use reach_proto::messages::{ConsoleEvent, ConsoleMessage, InputEvent, ServerToConsole};
use reach_screen::batch::DecodedBatch;
use reach_server::{InitialAdmin, Server, ServerConfig, StartError};
use reach_store::Store;
use reach_testkit::postgres::PostgresDatabase;
use reach_testkit::xvfb::{Xvfb, PATTERN_BARS, PATTERN_GREY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

/// How long any one wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);
/// How often polled conditions are checked.
pub const POLL: Duration = Duration::from_millis(50);

pub const ADMIN_EMAIL: &str = "admin@reach.test";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Logs go to the test's captured output; `RUST_LOG` widens them.
pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

/// Polls `check` every [`POLL`] until it returns `Some`, failing after [`DEADLINE`]
/// with `what` and the last state `check` described.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + DEADLINE;
    loop {
        match check().await {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("timed out waiting for {what}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// Awaits `future`, failing after [`DEADLINE`] with `what`.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    match tokio::time::timeout(DEADLINE, future).await {
        Ok(value) => value,
        Err(_) => panic!("timed out waiting for {what}"),
    }
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
    _dir: tempfile::TempDir,
    _postgres: Option<PostgresDatabase>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), StartError>>>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
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
        let config = ServerConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: dir.path().join("data"),
            database: postgres.as_ref().map(|db| db.url.clone()),
            ..ServerConfig::default()
        };
        Self::bind(config, dir, postgres).await
    }

    async fn bind(
        config: ServerConfig,
        dir: tempfile::TempDir,
        postgres: Option<PostgresDatabase>,
    ) -> Self {
        let bound = Server::bind(
            config.clone(),
            Some(InitialAdmin {
                email: ADMIN_EMAIL.into(),
                password: ADMIN_PASSWORD.into(),
            }),
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
        Self::bind(config, dir, postgres).await
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

/// The JSON API as the console uses it: a sign-in cookie and the CSRF header.
pub struct Api {
    base_url: String,
    client: reqwest::Client,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

/// An answer of the JSON API.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// The body of a successful answer.
    pub fn ok(self, what: &str) -> Value {
        assert!(
            self.status.is_success(),
            "{what}: expected success, got {} {}",
            self.status,
            self.body
        );
        self.body
    }

    /// Asserts the answer is the error `code` with HTTP `status`.
    pub fn refused(self, what: &str, status: u16, code: ErrorCode) -> ApiError {
        let error: ApiError = serde_json::from_value(self.body.clone()).unwrap_or_else(|err| {
            panic!(
                "{what}: expected an ApiError, got {} {} ({err})",
                self.status, self.body
            )
        });
        assert_eq!(
            (self.status.as_u16(), error.code),
            (status, code),
            "{what}: {}",
            self.body
        );
        assert!(!error.request_id.is_empty(), "{what}: no request id");
        assert!(!error.message.is_empty(), "{what}: no message");
        error
    }
}

impl Api {
    pub fn new(server: &TestServer) -> Self {
        Self {
            base_url: server.base_url.clone(),
            client: server.http_client(),
            cookie: None,
            csrf: None,
        }
    }

    /// Sends a request with the cookie (if signed in) and, when `csrf`, the CSRF header.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        csrf: bool,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base_url));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", format!("__Host-reach_session={cookie}"));
        }
        if let (true, Some(token)) = (csrf, &self.csrf) {
            request = request.header("x-csrf-token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{path}: answer is not JSON ({err}): {text}"))
        };
        Answer { status, body }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, true).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body), true).await
    }

    /// Tries to sign in; on success keeps the cookie and the CSRF token.
    pub async fn login(&mut self, email: &str, password: &str) -> Answer {
        let response = self
            .client
            .post(format!("{}/api/auth/login", self.base_url))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let set_cookie: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_string))
            .collect();
        let body: Value = response.json().await.unwrap();
        if status.is_success() {
            let cookie = set_cookie
                .iter()
                .find(|c| c.starts_with("__Host-reach_session="))
                .unwrap_or_else(|| panic!("no session cookie in {set_cookie:?}"));
            for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
                assert!(
                    cookie.split("; ").any(|part| part == attribute),
                    "{cookie} lacks {attribute}"
                );
            }
            let value = cookie
                .split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .map(|(_, value)| value.to_string())
                .unwrap();
            let signed_in: SignedIn = serde_json::from_value(body.clone()).unwrap();
            self.cookie = Some(value);
            self.csrf = Some(signed_in.csrf_token);
        }
        Answer { status, body }
    }

    /// Signs in as the first administrator.
    pub async fn sign_in_admin(&mut self) -> SignedIn {
        let body = self
            .login(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await
            .ok("sign in as the administrator");
        serde_json::from_value(body).unwrap()
    }

    pub async fn devices(&self) -> Vec<DeviceView> {
        serde_json::from_value(self.get("/api/devices").await.ok("list devices")).unwrap()
    }

    pub async fn device(&self, id: &str) -> DeviceView {
        self.devices()
            .await
            .into_iter()
            .find(|device| device.id == id)
            .unwrap_or_else(|| panic!("device {id} is not listed"))
    }

    pub async fn sessions(&self) -> Vec<SessionView> {
        serde_json::from_value(self.get("/api/sessions").await.ok("list sessions")).unwrap()
    }

    pub async fn session(&self, id: &str) -> SessionView {
        self.sessions()
            .await
            .into_iter()
            .find(|session| session.id == id)
            .unwrap_or_else(|| panic!("session {id} is not in the history"))
    }

    pub async fn create_token(
        &self,
        max_uses: u32,
        expires_in_secs: u64,
    ) -> EnrollmentTokenCreated {
        let body = self
            .post(
                "/api/enrollment-tokens",
                json!({"max_uses": max_uses, "expires_in_secs": expires_in_secs, "device_group": null}),
            )
            .await
            .ok("create an enrollment token");
        serde_json::from_value(body).unwrap()
    }

    pub async fn start_session(&self, device_id: &str) -> SessionView {
        let body = self
            .post("/api/sessions", json!({"device_id": device_id}))
            .await
            .ok("start a session");
        serde_json::from_value(body).unwrap()
    }

    /// Waits until the device is listed online with its system facts filled in.
    pub async fn wait_online(&self, device_id: &str) -> DeviceView {
        eventually(&format!("device {device_id} to be online"), || async move {
            let device = self.device(device_id).await;
            if device.online && !device.hostname.is_empty() && !device.os.is_empty() {
                Ok(device)
            } else {
                Err(format!("{device:?}"))
            }
        })
        .await
    }

    pub async fn wait_offline(&self, device_id: &str) -> DeviceView {
        eventually(
            &format!("device {device_id} to be offline"),
            || async move {
                let device = self.device(device_id).await;
                if device.online {
                    Err(format!("{device:?}"))
                } else {
                    Ok(device)
                }
            },
        )
        .await
    }

    /// Waits until the session is over in the history, and returns it.
    pub async fn wait_ended(&self, session_id: &str) -> SessionView {
        eventually(&format!("session {session_id} to end"), || async move {
            let session = self.session(session_id).await;
            if session.ended_at.is_some() {
                Ok(session)
            } else {
                Err(format!("{session:?}"))
            }
        })
        .await
    }

    pub fn cookie(&self) -> &str {
        self.cookie.as_deref().expect("signed in")
    }
}

/// An enrolled device's state directory.
pub struct EnrolledDevice {
    pub id: String,
    pub dir: tempfile::TempDir,
}

impl EnrolledDevice {
    pub fn state(&self) -> AgentState {
        AgentState::load(self.dir.path()).expect("the agent state loads")
    }
}

/// Enrolls a device with `token`, pinning the server's fingerprint.
pub async fn try_enroll(
    server_url: &str,
    token: &str,
    nickname: &str,
    fingerprint: [u8; 32],
    dir: &Path,
) -> Result<String, AgentError> {
    enroll(EnrollOptions {
        server_url,
        token,
        nickname,
        fingerprint: Some(fingerprint),
        state_dir: dir,
    })
    .await
    .map(|enrolled| {
        assert_eq!(enrolled.fingerprint, fingerprint);
        assert!(!enrolled.trusted_on_first_use);
        enrolled.device_id
    })
}

/// Creates a one-use token through the API and enrolls a device with it.
pub async fn enroll_device(server: &TestServer, api: &Api, nickname: &str) -> EnrolledDevice {
    let token = api.create_token(1, 600).await;
    assert_eq!(token.server_fingerprint, server.fingerprint_hex);
    let dir = tempfile::tempdir().unwrap();
    let id = try_enroll(
        &server.base_url,
        &token.token,
        nickname,
        server.fingerprint,
        dir.path(),
    )
    .await
    .expect("enrollment succeeds");
    EnrolledDevice { id, dir }
}

/// `reach agent run` in a task: reconnects until stopped or refused for good.
pub struct RunningAgent {
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), AgentError>>,
}

impl RunningAgent {
    pub fn spawn(device: &EnrolledDevice, display: Option<String>) -> Self {
        let state = device.state();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            reach_agent::run::run(&state, display, async move {
                let _ = stopped.await;
            })
            .await
        });
        Self {
            shutdown: Some(shutdown),
            task,
        }
    }

    /// Stops the agent and returns how its run ended.
    pub async fn stop(mut self) -> Result<(), AgentError> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        within("the agent to stop", &mut self.task)
            .await
            .expect("the agent task did not panic")
    }

    /// Waits for the run to end by itself (a permanent refusal).
    pub async fn finished(mut self) -> Result<(), AgentError> {
        within("the agent run to end", &mut self.task)
            .await
            .expect("the agent task did not panic")
    }
}

impl Drop for RunningAgent {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One agent connection (`run::serve_once`), never retried: if the server drops
/// it, the task ends, so a test can tell that this very link survived.
pub struct AgentLink {
    task: JoinHandle<Result<String, AgentError>>,
}

impl AgentLink {
    pub fn spawn(device: &EnrolledDevice, display: Option<String>) -> Self {
        let state = device.state();
        let task = tokio::spawn(async move { reach_agent::run::serve_once(&state, display).await });
        Self { task }
    }

    /// Fails if the link has ended.
    pub async fn assert_up(&mut self) {
        if self.task.is_finished() {
            let outcome = (&mut self.task).await;
            panic!("the agent's link ended: {outcome:?}");
        }
    }
}

impl Drop for AgentLink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a console link received.
#[derive(Debug)]
pub enum Received {
    Control(ServerToConsole),
    Frame(Vec<u8>),
    /// The server closed the link.
    Closed,
}

/// Reads the next message of a link, parsing text as `ServerToConsole`.
pub async fn receive(ws: &mut Ws) -> Received {
    loop {
        match within("a message from the server", ws.next()).await {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return Received::Closed,
            Some(Ok(Message::Text(text))) => {
                let message = serde_json::from_str(&text)
                    .unwrap_or_else(|err| panic!("unexpected message ({err}): {text}"));
                return Received::Control(message);
            }
            Some(Ok(Message::Binary(bytes))) => return Received::Frame(bytes.to_vec()),
            Some(Ok(_)) => continue,
        }
    }
}

pub async fn send_console(ws: &mut Ws, message: &ConsoleMessage) {
    let text = serde_json::to_string(message).unwrap();
    ws.send(Message::Text(text.into()))
        .await
        .expect("the console link is open");
}

pub async fn send_input(ws: &mut Ws, event: InputEvent) {
    send_console(ws, &ConsoleMessage::Input { event }).await;
}

/// Reads a link until the server closes it, and returns the error code it
/// announced before closing (from its last text message or the close reason).
pub async fn closed_with(ws: &mut Ws) -> Option<ErrorCode> {
    let mut code = None;
    loop {
        match within("the server to close the link", ws.next()).await {
            None | Some(Err(_)) => return code,
            Some(Ok(Message::Close(frame))) => {
                if let Some(frame) = frame {
                    let from_reason: Option<ErrorCode> =
                        serde_json::from_value(Value::String(frame.reason.to_string())).ok();
                    code = code.or(from_reason);
                }
                return code;
            }
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if value["type"] == "error" {
                    code = serde_json::from_value(value["code"].clone()).ok();
                }
            }
            Some(Ok(_)) => {}
        }
    }
}

/// A console's session link, after the handshake.
pub struct Console {
    pub ws: Ws,
}

impl Console {
    /// Opens the session link and completes the hello/ready handshake.
    pub async fn open(server: &TestServer, api: &Api, session_id: &str) -> Self {
        let mut ws = server
            .websocket(
                &format!("/api/sessions/{session_id}/ws"),
                Some(api.cookie()),
                Some(&server.origin()),
            )
            .await
            .expect("the session link opens");
        send_console(
            &mut ws,
            &ConsoleMessage::Hello {
                protocol_version: reach_proto::PROTOCOL_VERSION,
            },
        )
        .await;
        match receive(&mut ws).await {
            Received::Control(ServerToConsole::Ready { session_id: ready }) => {
                assert_eq!(ready, session_id)
            }
            other => panic!("expected ready, got {other:?}"),
        }
        Self { ws }
    }

    /// Waits for the agent's screen size.
    pub async fn screen_info(&mut self) -> (u16, u16) {
        loop {
            match receive(&mut self.ws).await {
                Received::Control(ServerToConsole::ScreenInfo { width, height }) => {
                    return (width, height)
                }
                Received::Frame(_) => {}
                other => panic!("expected screen info, got {other:?}"),
            }
        }
    }

    /// Receives and acknowledges screen batches, painting them on `screen`,
    /// until `done` says the picture is complete.
    pub async fn paint_until(&mut self, screen: &mut Screen, done: impl Fn(&Screen) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        while !done(screen) {
            assert!(
                Instant::now() < deadline,
                "the picture did not complete: {} of {} pixels covered, {}",
                screen.covered.iter().filter(|c| **c).count(),
                screen.covered.len(),
                screen.describe_pattern_mismatch().unwrap_or_default()
            );
            match receive(&mut self.ws).await {
                Received::Frame(frame) => {
                    assert!(frame.len() > reach_proto::frame::HEADER_LEN);
                    assert_eq!(frame[0], reach_proto::frame::BulkKind::ScreenTiles as u8);
                    let batch =
                        reach_screen::batch::decode(&frame[reach_proto::frame::HEADER_LEN..])
                            .expect("the batch decodes");
                    screen.paint(&batch);
                    send_console(&mut self.ws, &ConsoleMessage::FrameAck { seq: batch.seq }).await;
                }
                Received::Control(ServerToConsole::ScreenInfo { width, height }) => {
                    assert_eq!((width, height), (screen.width, screen.height), "resized");
                }
                other => panic!("expected screen batches, got {other:?}"),
            }
        }
    }

    /// Skips screen batches until a control message arrives.
    pub async fn next_control(&mut self) -> Option<ServerToConsole> {
        loop {
            match receive(&mut self.ws).await {
                Received::Control(message) => return Some(message),
                Received::Frame(_) => {}
                Received::Closed => return None,
            }
        }
    }
}

/// The console's picture of the remote screen.
pub struct Screen {
    pub width: u16,
    pub height: u16,
    pub rgb: Vec<u8>,
    pub covered: Vec<bool>,
}

impl Screen {
    pub fn new(width: u16, height: u16) -> Self {
        let pixels = usize::from(width) * usize::from(height);
        Self {
            width,
            height,
            rgb: vec![0; pixels * 3],
            covered: vec![false; pixels],
        }
    }

    pub fn paint(&mut self, batch: &DecodedBatch) {
        assert_eq!((batch.width, batch.height), (self.width, self.height));
        batch.paint(&mut self.rgb);
        for tile in &batch.tiles {
            for y in tile.y..tile.y + tile.height {
                let row = usize::from(y) * usize::from(self.width);
                for x in tile.x..tile.x + tile.width {
                    self.covered[row + usize::from(x)] = true;
                }
            }
        }
    }

    pub fn covered(&self) -> bool {
        self.covered.iter().all(|c| *c)
    }

    pub fn rgb_at(&self, x: u16, y: u16) -> (u8, u8, u8) {
        let at = (usize::from(y) * usize::from(self.width) + usize::from(x)) * 3;
        (self.rgb[at], self.rgb[at + 1], self.rgb[at + 2])
    }

    /// The first place where the picture differs from the test pattern, if any:
    /// the centre and edges of each bar in the top half, and the grey bottom half.
    pub fn describe_pattern_mismatch(&self) -> Option<String> {
        let (w, h) = (self.width, self.height);
        for (i, colour) in (0u16..).zip(PATTERN_BARS) {
            let centre = w / 16 + i * w / 8;
            for (x, y) in [(centre, h / 4), (centre, 0), (centre, h / 2 - 1)] {
                let seen = self.rgb_at(x, y);
                if seen != colour {
                    return Some(format!(
                        "bar {i} at ({x},{y}) is {seen:?}, expected {colour:?}"
                    ));
                }
            }
        }
        for (x, y) in [(0, h / 2), (w / 2, h * 3 / 4), (w - 1, h - 1), (100, 500)] {
            let seen = self.rgb_at(x, y);
            if seen != PATTERN_GREY {
                return Some(format!("({x},{y}) is {seen:?}, expected grey"));
            }
        }
        None
    }
}

/// The console's live event feed.
pub struct EventFeed {
    ws: Ws,
}

impl EventFeed {
    pub async fn open(server: &TestServer, api: &Api) -> Self {
        let ws = server
            .websocket("/api/events", Some(api.cookie()), Some(&server.origin()))
            .await
            .expect("the event feed opens");
        Self { ws }
    }

    /// Waits until the server closes the feed.
    pub async fn closed(&mut self) {
        loop {
            match within("the event feed to close", self.ws.next()).await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            }
        }
    }

    /// Skips events until one matches `wanted`; fails with the events seen.
    pub async fn wait_for(
        &mut self,
        what: &str,
        wanted: impl Fn(&ConsoleEvent) -> bool,
    ) -> ConsoleEvent {
        let mut seen = Vec::new();
        let deadline = Instant::now() + DEADLINE;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            let next = tokio::time::timeout(remaining, self.ws.next()).await;
            let text = match next {
                Ok(Some(Ok(Message::Text(text)))) => text,
                Ok(Some(Ok(_))) => continue,
                Ok(other) => {
                    panic!("the event feed closed ({other:?}) before {what}; saw {seen:?}")
                }
                Err(_) => panic!("no {what} event; saw {seen:?}"),
            };
            let event: ConsoleEvent = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("unexpected event ({err}): {text}"));
            if wanted(&event) {
                return event;
            }
            seen.push(event);
        }
    }
}

/// Starts an Xvfb display of `width`×`height`.
pub async fn start_xvfb(width: u16, height: u16) -> Xvfb {
    tokio::task::spawn_blocking(move || Xvfb::start(width, height))
        .await
        .unwrap()
        .expect("Xvfb starts")
}

/// Where cargo put `reach-test-pattern` (built by `cargo build -p reach-testkit`).
pub fn test_pattern_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<this test> → target/<profile>/reach-test-pattern
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("reach-test-pattern"))
        .unwrap();
    assert!(
        path.exists(),
        "{} does not exist: run `cargo build -p reach-testkit` first",
        path.display()
    );
    path
}

/// The `reach-test-pattern` X client, killed when dropped.
pub struct TestPattern {
    child: Child,
    events: PathBuf,
    _dir: tempfile::TempDir,
}

impl TestPattern {
    /// Starts the client on `display` and waits until it has painted.
    pub async fn start(display: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let events = dir.path().join("events.jsonl");
        let child = Command::new(test_pattern_binary())
            .arg("--events-out")
            .arg(&events)
            .env("DISPLAY", display)
            .stdin(Stdio::null())
            .spawn()
            .expect("reach-test-pattern starts");
        let mut pattern = Self {
            child,
            events,
            _dir: dir,
        };
        pattern.wait_for("ready", |e| e["event"] == "ready").await;
        pattern
    }

    fn lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.events)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Waits until the client has reported an event matching `wanted`.
    pub async fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let lines = self.lines();
            if let Some(line) = lines.iter().find(|line| wanted(line)) {
                return line.clone();
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("reach-test-pattern exited ({status}) before {what}; it reported {lines:?}");
            }
            assert!(
                Instant::now() < deadline,
                "the test pattern did not report {what}; it reported {lines:?}"
            );
            tokio::time::sleep(POLL).await;
        }
    }
}

impl Drop for TestPattern {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
