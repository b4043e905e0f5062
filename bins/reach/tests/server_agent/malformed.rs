//! Malformed frames on the agent link (before and after its handshake) and on
//! the console's session link (before and after hello): each closes only that
//! link, with the error code announced, and disturbs nothing else.

use futures_util::SinkExt;
use reach_proto::codes::{EndReason, ErrorCode};
use reach_proto::messages::{ConsoleMessage, InputEvent, ServerToAgent, ServerToConsole};
use reach_proto::{MAX_BULK_FRAME, MAX_CONTROL_MESSAGE, PROTOCOL_VERSION};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

/// Sends `message` (ignoring a write failure: the server may close mid-frame)
/// and returns the error code the server announced before closing.
async fn send_and_expect_close(ws: &mut Ws, message: Message) -> Option<ErrorCode> {
    let _ = within("the frame to be written", ws.send(message)).await;
    closed_with(ws).await
}

fn oversized_binary() -> Message {
    let mut frame = vec![1u8; MAX_BULK_FRAME + 1];
    frame[1..5].copy_from_slice(&1u32.to_be_bytes());
    Message::Binary(frame.into())
}

fn oversized_text() -> Message {
    let padding = "x".repeat(MAX_CONTROL_MESSAGE);
    Message::Text(
        json!({"type": "heartbeat", "padding": padding})
            .to_string()
            .into(),
    )
}

/// After bad input on one link: the server answers, and the well-behaved agent
/// is online on the very link it had before.
async fn assert_unaffected(server: &TestServer, api: &Api, device_id: &str, agent: &mut AgentLink) {
    server.assert_healthy().await;
    agent.assert_up().await;
    assert!(
        api.device(device_id).await.online,
        "the agent is listed offline"
    );
}

async fn expect_challenge(ws: &mut Ws) {
    use futures_util::StreamExt;
    match within("the challenge", ws.next()).await {
        Some(Ok(Message::Text(text))) => {
            let message: ServerToAgent = serde_json::from_str(&text).unwrap();
            assert!(
                matches!(message, ServerToAgent::Challenge { .. }),
                "{message:?}"
            );
        }
        other => panic!("expected a challenge, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_agent_frames_close_only_that_link() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "well-behaved").await;
    let mut agent = AgentLink::spawn(&device, None);
    let online = api.wait_online(&device.id).await;
    let rogue = enroll_device(&server, &api, "rogue").await;
    let rogue_view = api.device(&rogue.id).await;

    // Before the handshake, on an anonymous link.
    let hello = |version: u32| {
        Message::Text(
            json!({"type": "hello", "protocol_version": version, "device_id": rogue.id})
                .to_string()
                .into(),
        )
    };
    let before_handshake = [
        (
            "an unknown message",
            Message::Text(r#"{"type":"nonsense"}"#.into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "not JSON",
            Message::Text("{".into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a binary frame",
            Message::Binary(vec![1, 0, 0, 0, 1].into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "another protocol version",
            hello(PROTOCOL_VERSION + 1),
            Some(ErrorCode::ProtocolVersion),
        ),
        ("an oversized binary frame", oversized_binary(), None),
        ("an oversized text frame", oversized_text(), None),
    ];
    for (what, message, expected) in before_handshake {
        let mut ws = server
            .websocket("/api/agent/ws", None, None)
            .await
            .expect("the agent link opens");
        let code = send_and_expect_close(&mut ws, message).await;
        if expected.is_some() {
            assert_eq!(code, expected, "{what} before the handshake");
        }
        assert_unaffected(&server, &api, &device.id, &mut agent).await;
    }
    // A hello that skips the signature: the link waits for auth, and an answer
    // that is not one is a violation.
    let mut ws = server.websocket("/api/agent/ws", None, None).await.unwrap();
    ws.send(hello(PROTOCOL_VERSION)).await.unwrap();
    expect_challenge(&mut ws).await;
    let code =
        send_and_expect_close(&mut ws, Message::Text(r#"{"type":"heartbeat"}"#.into())).await;
    assert_eq!(
        code,
        Some(ErrorCode::ProtocolViolation),
        "heartbeat instead of auth"
    );
    let mut ws = server.websocket("/api/agent/ws", None, None).await.unwrap();
    ws.send(hello(PROTOCOL_VERSION)).await.unwrap();
    expect_challenge(&mut ws).await;
    let code = send_and_expect_close(
        &mut ws,
        Message::Text(
            json!({"type": "auth", "signature": "AAAA"})
                .to_string()
                .into(),
        ),
    )
    .await;
    assert_eq!(code, Some(ErrorCode::AgentAuthFailed), "a bad signature");
    assert_unaffected(&server, &api, &device.id, &mut agent).await;

    // After the handshake, on the rogue device's authenticated link.
    let after_handshake = [
        (
            "an unknown message",
            Message::Text(r#"{"type":"nonsense"}"#.into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "not JSON",
            Message::Text("][".into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a second hello",
            hello(PROTOCOL_VERSION),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a truncated bulk frame",
            Message::Binary(vec![1, 0].into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an unknown bulk kind",
            Message::Binary(vec![9, 0, 0, 0, 1, 0].into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an oversized text frame",
            oversized_text(),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an oversized binary frame",
            oversized_binary(),
            Some(ErrorCode::ProtocolViolation),
        ),
    ];
    for (what, message, expected) in after_handshake {
        let (mut link, _heartbeat) = reach_agent::transport::connect(&rogue.state())
            .await
            .expect("the rogue device authenticates");
        api.wait_online(&rogue.id).await;
        let code = send_and_expect_close(&mut link, message).await;
        if expected.is_some() {
            assert_eq!(code, expected, "{what} after the handshake");
        }
        api.wait_offline(&rogue.id).await;
        assert_unaffected(&server, &api, &device.id, &mut agent).await;
    }

    assert_intact(&server, &api, &[&online, &rogue_view], &[]).await;
    agent.assert_up().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_console_messages_close_only_that_link() {
    let xvfb = start_xvfb(320, 240).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "desk").await;
    let mut agent = AgentLink::spawn(&device, Some(xvfb.display.clone()));
    let online = api.wait_online(&device.id).await;
    let session = api.start_session(&device.id).await;
    let path = format!("/api/sessions/{}/ws", session.id);

    // Instead of the hello.
    let hello = |version: u32| {
        Message::Text(
            json!({"type": "hello", "protocol_version": version})
                .to_string()
                .into(),
        )
    };
    let before_hello = [
        (
            "garbage",
            Message::Text("garbage".into()),
            ErrorCode::ProtocolViolation,
        ),
        (
            "a binary frame",
            Message::Binary(vec![1, 2, 3].into()),
            ErrorCode::ProtocolViolation,
        ),
        (
            "input before hello",
            Message::Text(
                serde_json::to_string(&ConsoleMessage::Input {
                    event: InputEvent::ReleaseAll,
                })
                .unwrap()
                .into(),
            ),
            ErrorCode::ProtocolViolation,
        ),
        (
            "another protocol version",
            hello(PROTOCOL_VERSION + 1),
            ErrorCode::ProtocolVersion,
        ),
    ];
    for (what, message, expected) in before_hello {
        let mut ws = server
            .websocket(&path, Some(api.cookie()), Some(&server.origin()))
            .await
            .expect("the session link opens");
        assert_eq!(
            send_and_expect_close(&mut ws, message).await,
            Some(expected),
            "{what} instead of hello"
        );
        assert_unaffected(&server, &api, &device.id, &mut agent).await;
        let now = api.session(&session.id).await;
        assert_eq!(
            now.ended_at, None,
            "bad console input ended the session: {now:?}"
        );
    }

    // After the handshake, while the screen streams.
    let after_hello = [
        (
            "garbage",
            Message::Text("garbage".into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an unknown message",
            Message::Text(r#"{"type":"rm_rf"}"#.into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a binary frame",
            Message::Binary(vec![1, 0, 0, 0, 1].into()),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "a second hello",
            hello(PROTOCOL_VERSION),
            Some(ErrorCode::ProtocolViolation),
        ),
        (
            "an oversized text frame",
            oversized_text(),
            Some(ErrorCode::ProtocolViolation),
        ),
    ];
    for (what, message, expected) in after_hello {
        let mut console = Console::open(&server, &api, &session.id).await;
        assert_eq!(console.screen_info().await, (320, 240));
        let code = send_and_expect_close(&mut console.ws, message).await;
        if expected.is_some() {
            assert_eq!(code, expected, "{what} after hello");
        }
        assert_unaffected(&server, &api, &device.id, &mut agent).await;
        let now = api.session(&session.id).await;
        assert_eq!(
            now.ended_at, None,
            "bad console input ended the session: {now:?}"
        );
    }

    // The session was only detached: a console can pick it up again and end it.
    let mut console = Console::open(&server, &api, &session.id).await;
    assert_eq!(console.screen_info().await, (320, 240));
    let mut screen = Screen::new(320, 240);
    console.paint_until(&mut screen, Screen::covered).await;
    send_console(&mut console.ws, &ConsoleMessage::End).await;
    assert_eq!(
        console.next_control().await,
        Some(ServerToConsole::Ended {
            reason: EndReason::TechnicianEnded
        })
    );
    let ended = api.wait_ended(&session.id).await;
    assert_eq!(ended.end_reason, Some(EndReason::TechnicianEnded));
    assert_intact(&server, &api, &[&online], &[&session]).await;
    agent.assert_up().await;
}
