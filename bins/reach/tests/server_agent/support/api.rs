//! The JSON API as the console calls it ([`Api`]): signing in (checking the
//! session cookie's attributes), the CSRF header, each answer kept whole
//! ([`Answer`]) so a test can assert its status and error code, and the calls
//! and waits the tests share (devices, sessions, enrollment tokens).

use reach_proto::api::{ApiError, DeviceView, EnrollmentTokenCreated, SessionView, SignedIn};
use reach_proto::codes::ErrorCode;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::server::{TestServer, ADMIN_EMAIL, ADMIN_PASSWORD};
use super::wait::eventually;

/// The JSON API as the console uses it: a sign-in cookie and the CSRF header.
pub struct Api {
    base_url: String,
    client: reqwest::Client,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    /// An API token sent as `Authorization: Bearer`.
    pub bearer: Option<String>,
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
            bearer: None,
        }
    }

    /// A client that authenticates with an API token only.
    pub fn with_token(server: &TestServer, token: &str) -> Self {
        Self {
            bearer: Some(token.to_string()),
            ..Self::new(server)
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
        if let Some(token) = &self.bearer {
            request = request.header("authorization", format!("Bearer {token}"));
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

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PUT, path, Some(body), true).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.send(Method::PATCH, path, Some(body), true).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(Method::DELETE, path, None, true).await
    }

    /// Tries to sign in; on success keeps the cookie and the CSRF token.
    pub async fn login(&mut self, email: &str, password: &str) -> Answer {
        self.login_with_code(email, password, None).await
    }

    /// Tries to sign in with a second-factor code.
    pub async fn login_with_code(
        &mut self,
        email: &str,
        password: &str,
        code: Option<&str>,
    ) -> Answer {
        let response = self
            .client
            .post(format!("{}/api/auth/login", self.base_url))
            .json(&json!({"email": email, "password": password, "code": code}))
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
