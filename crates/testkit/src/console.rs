//! A console client as a program would drive it: signs in over pinned HTTPS,
//! calls the JSON API with the CSRF token, opens session links and reads their
//! screen batches. Used by integration tests and by `reach bench`.

use std::sync::Arc;

use anyhow::{Context, Result};
use futures_util::{SinkExt, StreamExt};
use reach_agent::transport::pin::PinnedVerifier;
use reach_proto::api::{ApiError, LoginRequest, SignedIn};
use reach_proto::frame::HEADER_LEN;
use reach_proto::messages::{ConsoleMessage, ServerToConsole};
use reach_proto::PROTOCOL_VERSION;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// An error answer of the API, kept whole so callers can check its code.
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}: {} ({})", error.message, error.code)]
pub struct Refused {
    pub status: u16,
    pub error: ApiError,
}

/// A signed-in technician.
pub struct Console {
    pub base_url: String,
    pub signed_in: SignedIn,
    client: reqwest::Client,
    tls: Arc<rustls::ClientConfig>,
    cookie: String,
}

/// An HTTPS client that trusts only the server key `fingerprint`.
pub fn pinned_client(
    fingerprint: [u8; 32],
) -> Result<(reqwest::Client, Arc<rustls::ClientConfig>)> {
    let tls = PinnedVerifier::new(Some(fingerprint)).client_config()?;
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(tls.clone())
        .build()?;
    Ok((client, Arc::new(tls)))
}

async fn answer<R: DeserializeOwned>(response: reqwest::Response) -> Result<R> {
    let status = response.status();
    if status.is_success() {
        return Ok(response.json().await?);
    }
    let error: ApiError = response
        .json()
        .await
        .with_context(|| format!("HTTP {status} without an error body"))?;
    Err(Refused {
        status: status.as_u16(),
        error,
    }
    .into())
}

impl Console {
    pub async fn sign_in(
        base_url: &str,
        fingerprint: [u8; 32],
        email: &str,
        password: &str,
    ) -> Result<Self> {
        let (client, tls) = pinned_client(fingerprint)?;
        let response = client
            .post(format!("{base_url}/api/auth/login"))
            .json(&LoginRequest {
                email: email.to_string(),
                password: password.to_string(),
                code: None,
            })
            .send()
            .await?;
        let cookie = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .map(str::to_string)
            .unwrap_or_default();
        let signed_in: SignedIn = answer(response).await?;
        Ok(Self {
            base_url: base_url.to_string(),
            signed_in,
            client,
            tls,
            cookie,
        })
    }

    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> Result<R> {
        let response = self
            .client
            .get(format!("{}{path}", self.base_url))
            .header(reqwest::header::COOKIE, &self.cookie)
            .send()
            .await?;
        answer(response).await
    }

    pub async fn post<B: Serialize, R: DeserializeOwned>(&self, path: &str, body: &B) -> Result<R> {
        let response = self
            .client
            .post(format!("{}{path}", self.base_url))
            .header(reqwest::header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.signed_in.csrf_token)
            .json(body)
            .send()
            .await?;
        answer(response).await
    }

    /// Opens `/api/sessions/{id}/ws` and completes the hello/ready handshake.
    pub async fn open_session(&self, session_id: &str) -> Result<SessionLink> {
        let url = format!(
            "{}/api/sessions/{session_id}/ws",
            self.base_url.replacen("https://", "wss://", 1)
        );
        let mut request = url.as_str().into_client_request()?;
        let headers = request.headers_mut();
        headers.insert("cookie", self.cookie.parse()?);
        headers.insert("origin", self.base_url.parse()?);
        let (ws, _) = tokio_tungstenite::connect_async_tls_with_config(
            request,
            None,
            false,
            Some(tokio_tungstenite::Connector::Rustls(self.tls.clone())),
        )
        .await?;
        let mut link = SessionLink { ws };
        link.send(&ConsoleMessage::Hello {
            protocol_version: PROTOCOL_VERSION,
        })
        .await?;
        match link.next().await? {
            LinkEvent::Control(ServerToConsole::Ready { .. }) => Ok(link),
            other => anyhow::bail!("expected ready, got {other:?}"),
        }
    }
}

/// What a session link delivers.
#[derive(Debug)]
pub enum LinkEvent {
    Control(ServerToConsole),
    /// A screen tiles batch (the payload after the bulk header).
    Batch(Vec<u8>),
    Closed,
}

pub struct SessionLink {
    ws: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
}

impl SessionLink {
    pub async fn send(&mut self, message: &ConsoleMessage) -> Result<()> {
        self.ws
            .send(Message::Text(serde_json::to_string(message)?.into()))
            .await?;
        Ok(())
    }

    pub async fn next(&mut self) -> Result<LinkEvent> {
        loop {
            return Ok(match self.ws.next().await {
                None | Some(Ok(Message::Close(_))) => LinkEvent::Closed,
                Some(Err(err)) => return Err(err.into()),
                Some(Ok(Message::Text(text))) => LinkEvent::Control(serde_json::from_str(&text)?),
                Some(Ok(Message::Binary(bytes))) => {
                    LinkEvent::Batch(bytes.get(HEADER_LEN..).unwrap_or_default().to_vec())
                }
                Some(Ok(_)) => continue,
            });
        }
    }
}
