//! The console's WebSocket links: reading and writing raw messages on a link
//! ([`Ws`]), the session link after its handshake ([`Console`]), the picture it
//! paints from screen batches ([`Screen`]), and the live event feed
//! ([`EventFeed`]).

use std::time::Instant;

use futures_util::{SinkExt, StreamExt};
use reach_proto::codes::ErrorCode;
use reach_proto::messages::{ConsoleEvent, ConsoleMessage, InputEvent, ServerToConsole};
use reach_screen::batch::DecodedBatch;
use reach_testkit::xvfb::{PATTERN_BARS, PATTERN_GREY};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::api::Api;
use super::server::TestServer;
use super::wait::{within, DEADLINE};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

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

/// News the stream may send at any time: about the pointer, the stream's pace,
/// the screen mode and the monitors.
pub fn is_stream_news(message: &ServerToConsole) -> bool {
    matches!(
        message,
        ServerToConsole::CursorShape { .. }
            | ServerToConsole::CursorMoved { .. }
            | ServerToConsole::CursorOffScreen
            | ServerToConsole::StreamAdapted { .. }
            | ServerToConsole::ScreenMode { .. }
            | ServerToConsole::Monitors { .. }
    )
}

/// A console's session link, after the handshake.
pub struct Console {
    pub ws: Ws,
    /// The screen tools' state the server announced after `ready`.
    pub tools: ServerToConsole,
}

impl Console {
    /// Opens the session link and completes the hello/ready handshake, with
    /// control of the device.
    pub async fn open(server: &TestServer, api: &Api, session_id: &str) -> Self {
        Self::open_expecting(server, api, session_id, false).await
    }

    /// Opens the session link; the ready message must say whether it is view-only.
    pub async fn open_expecting(
        server: &TestServer,
        api: &Api,
        session_id: &str,
        expect_view_only: bool,
    ) -> Self {
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
            Received::Control(ServerToConsole::Ready {
                session_id: ready,
                view_only,
            }) => {
                assert_eq!(ready, session_id);
                assert_eq!(
                    view_only, expect_view_only,
                    "view-only in the ready message"
                );
            }
            other => panic!("expected ready, got {other:?}"),
        }
        let tools = match receive(&mut ws).await {
            Received::Control(state @ ServerToConsole::SessionState { .. }) => state,
            other => panic!("expected the session state after ready, got {other:?}"),
        };
        Self { ws, tools }
    }

    /// Waits for the agent's screen size.
    pub async fn screen_info(&mut self) -> (u16, u16) {
        loop {
            match receive(&mut self.ws).await {
                Received::Control(ServerToConsole::ScreenInfo { width, height }) => {
                    return (width, height)
                }
                Received::Frame(_) => {}
                Received::Control(news) if is_stream_news(&news) => {}
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
                Received::Control(news) if is_stream_news(&news) => {}
                other => panic!("expected screen batches, got {other:?}"),
            }
        }
    }

    /// Skips screen batches and pointer, pace and monitor news until a
    /// control message arrives.
    pub async fn next_control(&mut self) -> Option<ServerToConsole> {
        loop {
            match receive(&mut self.ws).await {
                Received::Control(
                    ServerToConsole::CursorShape { .. }
                    | ServerToConsole::CursorMoved { .. }
                    | ServerToConsole::CursorOffScreen
                    | ServerToConsole::Monitors { .. }
                    | ServerToConsole::StreamAdapted { .. },
                ) => {}
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
