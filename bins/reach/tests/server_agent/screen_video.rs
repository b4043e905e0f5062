//! Video mode through the real server and agent on Xvfb: the console switches
//! to video, receives H.264 frames (decoded here with OpenH264, as the browser
//! decodes them with WebCodecs) that show the test pattern, gets a key frame
//! when it asks for a refresh, and gets tiles again when it switches back.

use reach_proto::frame::{BulkFrame, BulkKind};
use reach_proto::messages::{ConsoleMessage, ServerToConsole};
use reach_proto::screen::ScreenMode;
use reach_screen::video::{VideoDecoder, VideoHeader};
use reach_testkit::xvfb::{PATTERN_BARS, PATTERN_GREY};

use crate::support::*;

const WIDTH: u16 = 320;
const HEIGHT: u16 = 240;
/// H.264 at this size and rate is close but not exact.
const TOLERANCE: u8 = 24;

/// Reads until a video frame arrives, decodes and acknowledges it; returns its
/// header and picture (None while the decoder has none yet).
async fn next_video(
    console: &mut Console,
    decoder: &mut VideoDecoder,
) -> (VideoHeader, Option<Vec<u8>>) {
    loop {
        match receive(&mut console.ws).await {
            Received::Frame(bytes) => {
                let frame = BulkFrame::parse(&bytes).expect("a bulk frame");
                if frame.kind == BulkKind::ScreenTiles {
                    // A batch of the previous mode still in flight.
                    let batch = reach_screen::batch::decode(frame.payload).unwrap();
                    send_console(
                        &mut console.ws,
                        &ConsoleMessage::FrameAck { seq: batch.seq },
                    )
                    .await;
                    continue;
                }
                let (header, rgb) = decoder
                    .decode(frame.payload)
                    .expect("the video frame decodes");
                send_console(
                    &mut console.ws,
                    &ConsoleMessage::FrameAck { seq: header.seq },
                )
                .await;
                return (header, rgb);
            }
            Received::Control(ServerToConsole::ScreenInfo { .. }) => {}
            Received::Control(news) if is_stream_news(&news) => {}
            other => panic!("expected video frames, got {other:?}"),
        }
    }
}

/// Problems with the picture at the centre of each bar and in the grey half.
fn pattern_problems(rgb: &[u8]) -> Vec<String> {
    let at = |x: u16, y: u16| {
        let i = (usize::from(y) * usize::from(WIDTH) + usize::from(x)) * 3;
        (rgb[i], rgb[i + 1], rgb[i + 2])
    };
    let mut probes: Vec<(u16, u16, (u8, u8, u8))> = (0u16..)
        .zip(PATTERN_BARS)
        .map(|(i, colour)| (WIDTH / 16 + i * WIDTH / 8, HEIGHT / 4, colour))
        .collect();
    probes.push((WIDTH / 2, HEIGHT * 3 / 4, PATTERN_GREY));
    probes
        .into_iter()
        .filter_map(|(x, y, want)| {
            let got = at(x, y);
            let close = got.0.abs_diff(want.0) <= TOLERANCE
                && got.1.abs_diff(want.1) <= TOLERANCE
                && got.2.abs_diff(want.2) <= TOLERANCE;
            (!close).then(|| format!("({x},{y}) is {got:?}, expected about {want:?}"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_receives_the_screen_as_h264_video() {
    let xvfb = start_xvfb(WIDTH, HEIGHT).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let live = DeviceSession::start(&xvfb.display, "kiosk").await;
    let mut console = live.console().await;
    let mut screen = Screen::new(WIDTH, HEIGHT);
    console.paint_until(&mut screen, Screen::covered).await;

    send_console(
        &mut console.ws,
        &ConsoleMessage::SetScreenMode {
            mode: ScreenMode::Video,
        },
    )
    .await;
    let mut decoder = VideoDecoder::new().unwrap();
    let (first, picture) = next_video(&mut console, &mut decoder).await;
    assert!(first.key, "video starts with a key frame");
    assert_eq!((first.width, first.height), (WIDTH, HEIGHT));
    let problems = pattern_problems(&picture.expect("a key frame decodes to a picture"));
    assert!(problems.is_empty(), "{problems:?}");

    // A still screen sends no more frames; a refresh brings a key frame that
    // a fresh decoder (one that was reset after an error) can start from.
    send_console(&mut console.ws, &ConsoleMessage::Refresh).await;
    let mut fresh = VideoDecoder::new().unwrap();
    let (again, picture) = next_video(&mut console, &mut fresh).await;
    assert!(
        again.key && again.seq > first.seq,
        "{again:?} after {first:?}"
    );
    assert!(pattern_problems(&picture.expect("a picture")).is_empty());

    // Back to tiles: the whole screen, exact.
    send_console(
        &mut console.ws,
        &ConsoleMessage::SetScreenMode {
            mode: ScreenMode::AllColours,
        },
    )
    .await;
    let mut screen = Screen::new(WIDTH, HEIGHT);
    console
        .paint_until(&mut screen, |s| {
            s.covered()
                && s.rgb_at(WIDTH / 16, HEIGHT / 4) == PATTERN_BARS[0]
                && s.rgb_at(WIDTH / 2, HEIGHT * 3 / 4) == PATTERN_GREY
        })
        .await;
}
