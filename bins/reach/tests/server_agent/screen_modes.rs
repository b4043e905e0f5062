//! Colour modes through the real server and agent on Xvfb: a controlling
//! console switches modes and the pictures it decodes hold only the mode's
//! colours; the mode outlives a console link; a view-only console and a
//! malformed mode are refused and change nothing.

use reach_proto::codes::ErrorCode;
use reach_proto::messages::{ConsoleMessage, ServerToConsole};
use reach_proto::screen::ScreenMode;
use reach_screen::{ColourMode, Frame};
use reach_testkit::xvfb::{PATTERN_BARS, PATTERN_GREY};
use serde_json::json;

use crate::access::watcher;
use crate::support::*;

const WIDTH: u16 = 320;
const HEIGHT: u16 = 240;

/// The test pattern as the agent captures it.
fn pattern() -> Frame {
    let mut frame = Frame::new(WIDTH, HEIGHT);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (r, g, b) = if y < HEIGHT / 2 {
                PATTERN_BARS[usize::from(x / (WIDTH / 8))]
            } else {
                PATTERN_GREY
            };
            frame.set_rgb(x, y, [r, g, b]);
        }
    }
    frame
}

/// The picture a console must hold in `mode`: the pattern reduced by the
/// mode, as RGB rows.
fn expected(mode: ScreenMode) -> Vec<u8> {
    let colour_mode = match mode {
        ScreenMode::BlackAndWhite => ColourMode::BlackAndWhite,
        ScreenMode::FewColours => ColourMode::FewColours,
        ScreenMode::MoreColours => ColourMode::MoreColours,
        ScreenMode::AllColours => ColourMode::AllColours,
        ScreenMode::Video => panic!("video is not a colour mode"),
    };
    let reduced = colour_mode.reduce(&pattern()).unwrap();
    let mut rgb = Vec::new();
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            rgb.extend_from_slice(&reduced.rgb_at(x, y).unwrap());
        }
    }
    rgb
}

/// Whether every pixel of `screen` is a colour `mode` can show.
fn only_mode_colours(screen: &Screen, mode: ScreenMode) -> bool {
    let cube = [0, 51, 102, 153, 204, 255];
    screen.rgb.chunks_exact(3).all(|px| match mode {
        ScreenMode::BlackAndWhite => px == [0, 0, 0] || px == [255, 255, 255],
        ScreenMode::FewColours => px.iter().all(|v| cube.contains(v)),
        // 5 bits of red and blue, stretched: 132 is level 16 of 31.
        ScreenMode::MoreColours => px[0] != 128 && px[2] != 128,
        ScreenMode::AllColours | ScreenMode::Video => true,
    })
}

/// Waits for the server to announce `mode`, skipping screen batches.
async fn announced(console: &mut Console, mode: ScreenMode) {
    loop {
        match console.next_control().await {
            Some(ServerToConsole::ScreenMode { mode: seen }) if seen == mode => return,
            Some(ServerToConsole::ScreenMode { .. } | ServerToConsole::ScreenInfo { .. }) => {}
            other => panic!("expected the screen mode {mode:?}, got {other:?}"),
        }
    }
}

/// Paints until the picture is complete and exactly the test pattern as
/// `mode` shows it (batches of the previous mode still in flight are painted
/// over by the full picture the switch brings).
async fn picture_in(console: &mut Console, mode: ScreenMode) -> Screen {
    let want = expected(mode);
    let mut screen = Screen::new(WIDTH, HEIGHT);
    console
        .paint_until(&mut screen, |s| s.covered() && s.rgb == want)
        .await;
    assert!(only_mode_colours(&screen, mode), "{mode:?}");
    screen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_controlling_console_switches_colour_modes_live() {
    let xvfb = start_xvfb(WIDTH, HEIGHT).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let live = DeviceSession::start(&xvfb.display, "kiosk").await;

    // A new session starts in all colours, and the console is told so.
    let mut console = live.console().await;
    announced(&mut console, ScreenMode::AllColours).await;
    picture_in(&mut console, ScreenMode::AllColours).await;

    for mode in [
        ScreenMode::BlackAndWhite,
        ScreenMode::FewColours,
        ScreenMode::MoreColours,
        ScreenMode::AllColours,
        ScreenMode::FewColours,
    ] {
        send_console(&mut console.ws, &ConsoleMessage::SetScreenMode { mode }).await;
        announced(&mut console, mode).await;
        let screen = picture_in(&mut console, mode).await;
        if mode == ScreenMode::BlackAndWhite {
            // Black text on white and white on black stay apart; mid-grey
            // next to black bars is split at mid-grey.
            let (white, black) = ((255, 255, 255), (0, 0, 0));
            assert_eq!(screen.rgb_at(5, 5), white, "the white bar");
            assert_eq!(screen.rgb_at(WIDTH - 5, 5), black, "the black bar");
            assert_eq!(screen.rgb_at(WIDTH - 5, HEIGHT - 5), white, "mid-grey");
        }
    }

    // The mode belongs to the session, not the link: a console that comes
    // back is told it and gets the picture in it.
    drop(console);
    let mut console = live.console().await;
    announced(&mut console, ScreenMode::FewColours).await;
    picture_in(&mut console, ScreenMode::FewColours).await;

    // A mode the protocol does not know is a protocol violation: the link
    // closes and the session keeps its mode.
    use futures_util::SinkExt;
    console
        .ws
        .send(tokio_tungstenite::tungstenite::Message::Text(
            json!({"type": "set_screen_mode", "mode": "sepia"})
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    assert_eq!(
        closed_with(&mut console.ws).await,
        Some(ErrorCode::ProtocolViolation)
    );
    let mut console = live.console().await;
    announced(&mut console, ScreenMode::FewColours).await;
    picture_in(&mut console, ScreenMode::FewColours).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_only_console_cannot_change_the_colour_mode() {
    let xvfb = start_xvfb(WIDTH, HEIGHT).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let device = enroll_device(&server, &admin, "kiosk").await;
    let _agent = AgentLink::spawn(&device, Some(xvfb.display.clone()));
    admin.wait_online(&device.id).await;
    let watcher = watcher(&server, &admin).await;

    let session = watcher.start_session(&device.id).await;
    let mut console = Console::open_expecting(&server, &watcher, &session.id, true).await;
    announced(&mut console, ScreenMode::AllColours).await;
    picture_in(&mut console, ScreenMode::AllColours).await;
    send_console(
        &mut console.ws,
        &ConsoleMessage::SetScreenMode {
            mode: ScreenMode::BlackAndWhite,
        },
    )
    .await;
    match console.next_control().await {
        Some(ServerToConsole::Refused { code, message }) => {
            assert_eq!(code, ErrorCode::Forbidden);
            assert!(message.contains("in control"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The link stays open and the picture stays in all colours: a refresh
    // brings the whole screen again, unchanged.
    send_console(&mut console.ws, &ConsoleMessage::Refresh).await;
    picture_in(&mut console, ScreenMode::AllColours).await;
    drop(console);
    let mut console = Console::open_expecting(&server, &watcher, &session.id, true).await;
    announced(&mut console, ScreenMode::AllColours).await;
}
