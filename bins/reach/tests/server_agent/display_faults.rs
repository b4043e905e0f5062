//! The device's display changing under a live session: a resolution change
//! (RandR, as `xrandr` does it) brings every console a full picture at the new
//! size, and a display that goes away ends the session with a reason instead of
//! hanging it.

use reach_proto::codes::EndReason;
use reach_proto::frame::screen_flags::KEY_START;
use reach_proto::frame::HEADER_LEN;
use reach_proto::messages::{ConsoleMessage, ServerToConsole};
use x11rb::connection::Connection;
use x11rb::protocol::randr::ConnectionExt as _;

use crate::support::*;

/// Changes the resolution of `display` as `xrandr` does on Xvfb, whose one
/// output has only its starting mode: a new mode, added to the output, set on
/// the CRTC, then the screen resized to it.
fn change_resolution(display: &str, width: u16, height: u16) {
    use x11rb::protocol::randr::{ModeFlag, ModeInfo, Rotation};
    let (conn, screen) = x11rb::connect(Some(display)).expect("a test X connection");
    let root = conn.setup().roots[screen].root;
    conn.randr_query_version(1, 5).unwrap().reply().unwrap();
    let resources = conn
        .randr_get_screen_resources(root)
        .unwrap()
        .reply()
        .unwrap();
    let (output, crtc) = (resources.outputs[0], resources.crtcs[0]);
    let name = format!("{width}x{height}");
    let info = ModeInfo {
        id: 0,
        width,
        height,
        dot_clock: u32::from(width) * u32::from(height) * 60,
        hsync_start: width,
        hsync_end: width,
        htotal: width,
        hskew: 0,
        vsync_start: height,
        vsync_end: height,
        vtotal: height,
        name_len: u16::try_from(name.len()).unwrap(),
        mode_flags: ModeFlag::from(0u32),
    };
    let mode = conn
        .randr_create_mode(root, info, name.as_bytes())
        .unwrap()
        .reply()
        .expect("Xvfb creates the mode")
        .mode;
    conn.randr_add_output_mode(output, mode)
        .unwrap()
        .check()
        .expect("the output takes the mode");
    conn.randr_set_crtc_config(
        crtc,
        x11rb::CURRENT_TIME,
        resources.config_timestamp,
        0,
        0,
        mode,
        Rotation::ROTATE0,
        &[output],
    )
    .unwrap()
    .reply()
    .expect("the CRTC takes the mode");
    // Millimetres at about 96 dpi; only their ratio matters to anyone.
    let (mm_w, mm_h) = (u32::from(width) * 254 / 960, u32::from(height) * 254 / 960);
    conn.randr_set_screen_size(root, width, height, mm_w, mm_h)
        .unwrap()
        .check()
        .expect("Xvfb takes the new size");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolution_change_brings_a_full_picture_at_the_new_size() {
    let xvfb = start_xvfb(800, 600).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let live = DeviceSession::start(&xvfb.display, "changing").await;
    let mut console = live.console().await;
    assert_eq!(console.screen_info().await, (800, 600));
    let mut screen = Screen::new(800, 600);
    console
        .paint_until(&mut screen, |s| {
            s.covered() && s.describe_pattern_mismatch().is_none()
        })
        .await;

    change_resolution(&xvfb.display, 640, 480);
    // The new size, then batches at that size starting a full picture.
    let mut resized = Screen::new(640, 480);
    let mut sized = false;
    let mut key_started = false;
    while !(sized && key_started && resized.covered()) {
        match receive(&mut console.ws).await {
            Received::Control(ServerToConsole::ScreenInfo { width, height }) => {
                assert_eq!((width, height), (640, 480));
                sized = true;
            }
            Received::Frame(frame) => {
                let batch = reach_screen::batch::decode(&frame[HEADER_LEN..]).unwrap();
                send_console(
                    &mut console.ws,
                    &ConsoleMessage::FrameAck { seq: batch.seq },
                )
                .await;
                if (batch.width, batch.height) == (800, 600) {
                    // Sent before the change reached the agent.
                    continue;
                }
                assert_eq!((batch.width, batch.height), (640, 480));
                key_started |= batch.flags & KEY_START != 0;
                assert!(
                    key_started,
                    "the first batch at the new size starts a full picture"
                );
                resized.paint(&batch);
            }
            Received::Control(ServerToConsole::Ended { reason }) => {
                panic!("the session ended ({reason:?}) on a resolution change")
            }
            Received::Control(_) => {}
            Received::Closed => panic!("the session link closed on a resolution change"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_that_goes_away_ends_the_session_with_a_reason() {
    let xvfb = start_xvfb(640, 480).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let live = DeviceSession::start(&xvfb.display, "changing").await;
    let mut console = live.console().await;
    assert_eq!(console.screen_info().await, (640, 480));
    drop(xvfb);
    // The clipboard and input-block tools say they lost the display too.
    loop {
        match console.next_control().await {
            Some(ServerToConsole::Ended { reason }) => {
                assert_eq!(reason, EndReason::AgentEnded);
                break;
            }
            Some(ServerToConsole::Clipboard { .. } | ServerToConsole::InputBlock { .. }) => {}
            other => panic!("expected the session to end, got {other:?}"),
        }
    }
    let ended = live.api.wait_ended(&live.session_id).await;
    assert_eq!(ended.end_reason, Some(EndReason::AgentEnded));
}
