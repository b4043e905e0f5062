//! The shared clipboard between the technician's console and the device's X
//! CLIPBOARD, through the real server and agent: text both ways (plain, in
//! INCR chunks, Latin-1 and Unicode), what the device copies that cannot be sent
//! (too large, not text), and refused requests that change nothing (too large,
//! malformed, from a console that only watches).

use futures_util::SinkExt;
use reach_proto::clipboard::{ClipboardEvent, MAX_CLIPBOARD_JSON};
use reach_proto::codes::ErrorCode;
use reach_proto::messages::{ConsoleMessage, ServerToConsole};
use serde_json::json;

use crate::access::watcher;
use crate::support::*;

/// The next clipboard message on the link (screen sizes and batches skipped).
async fn next_clipboard(console: &mut Console) -> ClipboardEvent {
    loop {
        match console.next_control().await {
            Some(ServerToConsole::Clipboard { event }) => return event,
            Some(ServerToConsole::ScreenInfo { .. }) => {}
            other => panic!("expected a clipboard message, got {other:?}"),
        }
    }
}

async fn send_clipboard(console: &mut Console, text: &str) {
    send_console(
        &mut console.ws,
        &ConsoleMessage::Clipboard {
            text: text.to_string(),
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clipboard_text_goes_both_ways() {
    let xvfb = start_xvfb(320, 240).await;
    let live = DeviceSession::start(&xvfb.display, "front-desk").await;
    let mut console = live.console().await;
    console.screen_info().await;

    // Technician → device: another X application pastes exactly the text.
    let sent = "Bonjour — ünïcødé 漢字 🎉\n\ttab \"quoted\" \\ back";
    send_clipboard(&mut console, sent).await;
    assert_eq!(next_clipboard(&mut console).await, ClipboardEvent::Applied);
    assert_eq!(read_x_clipboard(&xvfb.display).await.as_deref(), Some(sent));
    // Every form the agent offers, on both selections; other forms are refused.
    for selection in ["CLIPBOARD", "PRIMARY"] {
        let read = |target| read_x_selection(&xvfb.display, selection, target);
        assert_eq!(
            read("TARGETS").await,
            Some(("TARGETS UTF8_STRING TEXT STRING".into(), "ATOM".into()))
        );
        assert_eq!(
            read("TEXT").await,
            Some((sent.into(), "UTF8_STRING".into()))
        );
        let latin1 = sent.replace(['—', '漢', '字', '🎉'], "?");
        assert_eq!(read("STRING").await, Some((latin1, "STRING".into())));
        assert_eq!(read("image/png").await, None);
    }

    // Device → technician: an application copies; the console gets its text,
    // and not an echo of the technician's own text first.
    let copied = "copied on the device ✓";
    let mut owner = ClipboardOwner::start(&xvfb.display, copied, false, None).await;
    assert_eq!(
        next_clipboard(&mut console).await,
        ClipboardEvent::DeviceText {
            text: copied.into()
        }
    );

    // Sending again takes the clipboard back from that application.
    send_clipboard(&mut console, "second").await;
    assert_eq!(next_clipboard(&mut console).await, ClipboardEvent::Applied);
    owner.lost().await;
    assert_eq!(
        read_x_clipboard(&xvfb.display).await.as_deref(),
        Some("second")
    );

    // Large text comes in INCR chunks, up to the limit.
    let large = "0123456789abcdef".repeat(2000);
    let _owner = ClipboardOwner::start(&xvfb.display, &large, true, None).await;
    assert_eq!(
        next_clipboard(&mut console).await,
        ClipboardEvent::DeviceText {
            text: large.clone()
        }
    );

    // Over the limit: the size, not the text, whether sent whole or in chunks.
    let huge = "x".repeat(60 * 1024);
    let _owner = ClipboardOwner::start(&xvfb.display, &huge, false, None).await;
    assert_eq!(
        next_clipboard(&mut console).await,
        ClipboardEvent::DeviceTooLarge { bytes: 60 * 1024 }
    );
    let _owner = ClipboardOwner::start(&xvfb.display, &huge, true, None).await;
    assert_eq!(
        next_clipboard(&mut console).await,
        ClipboardEvent::DeviceTooLarge { bytes: 60 * 1024 }
    );

    // Something that is not text (an image) is reported as such.
    let _owner = ClipboardOwner::start(&xvfb.display, "\u{89}PNG", false, Some("image/png")).await;
    assert_eq!(
        next_clipboard(&mut console).await,
        ClipboardEvent::DeviceNotText
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_clipboard_requests_change_nothing() {
    let xvfb = start_xvfb(320, 240).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let device = enroll_device(&server, &admin, "kiosk").await;
    let _agent = AgentLink::spawn(&device, Some(xvfb.display.clone()));
    admin.wait_online(&device.id).await;
    let session = admin.start_session(&device.id).await;
    let mut console = Console::open(&server, &admin, &session.id).await;
    console.screen_info().await;
    send_clipboard(&mut console, "before").await;
    assert_eq!(next_clipboard(&mut console).await, ClipboardEvent::Applied);

    // Over the clipboard limit but within a control message: refused, link open.
    let too_large = "y".repeat(MAX_CLIPBOARD_JSON - 1);
    send_clipboard(&mut console, &too_large).await;
    match console.next_control().await {
        Some(ServerToConsole::Refused { code, message }) => {
            assert_eq!(code, ErrorCode::ClipboardTooLarge);
            assert!(
                message.contains(&MAX_CLIPBOARD_JSON.to_string()),
                "{message}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // Escaping counts: 30 000 newlines take 60 002 bytes of JSON.
    send_clipboard(&mut console, &"\n".repeat(30_000)).await;
    assert!(matches!(
        console.next_control().await,
        Some(ServerToConsole::Refused {
            code: ErrorCode::ClipboardTooLarge,
            ..
        })
    ));
    assert_eq!(
        read_x_clipboard(&xvfb.display).await.as_deref(),
        Some("before")
    );
    // The link still works.
    send_clipboard(&mut console, "after").await;
    assert_eq!(next_clipboard(&mut console).await, ClipboardEvent::Applied);

    // A malformed clipboard message is a protocol violation: the link closes.
    console
        .ws
        .send(tokio_tungstenite::tungstenite::Message::Text(
            json!({"type": "clipboard", "text": 42}).to_string().into(),
        ))
        .await
        .unwrap();
    assert_eq!(
        closed_with(&mut console.ws).await,
        Some(ErrorCode::ProtocolViolation)
    );

    // A console that only watches may neither set nor see the clipboard.
    let watcher = watcher(&server, &admin).await;
    let watched = watcher.start_session(&device.id).await;
    let mut console = Console::open_expecting(&server, &watcher, &watched.id, true).await;
    console.screen_info().await;
    send_clipboard(&mut console, "from a watcher").await;
    match console.next_control().await {
        Some(ServerToConsole::Refused { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let mut owner =
        ClipboardOwner::start(&xvfb.display, "secret of the end user", false, None).await;
    // The agent fetched the text and reports it; give the report time to pass
    // the server, then the watcher's next message must be the refusal of a
    // second request, never the text.
    owner.served().await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    send_clipboard(&mut console, "again").await;
    match console.next_control().await {
        Some(ServerToConsole::Refused { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
        other => panic!("the watcher received {other:?}"),
    }
    assert_eq!(
        read_x_clipboard(&xvfb.display).await.as_deref(),
        Some("secret of the end user")
    );
}
