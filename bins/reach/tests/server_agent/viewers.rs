//! The screen stream: several consoles on one session, the pointer, and
//! adapting to a slow link. The agent captures and encodes once; a viewer who
//! joins late gets the whole picture and the pointer at once; a refresh replays
//! the picture to the viewer who asked and nobody else; the stream outlives the
//! first viewer; a viewer that stops reading for 30 s costs a bounded queue while
//! the others keep the stream; and a console slow to paint gets a lighter stream
//! until it keeps up again.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reach_proto::frame::screen_flags::{KEY_END, KEY_START, REPLAY};
use reach_proto::frame::{screen_update_header, HEADER_LEN};
use reach_proto::messages::{ConsoleMessage, CursorShape, InputEvent, ServerToConsole};
use reach_screen::batch::DecodedBatch;
use tokio_tungstenite::tungstenite::Message;

use crate::support::*;

fn decode(frame: &[u8]) -> DecodedBatch {
    reach_screen::batch::decode(&frame[HEADER_LEN..]).expect("the batch decodes")
}

/// Reads `console` for `period`, acknowledging batches and painting them on
/// `screen` if given (decoding is slow in a debug build: a console that only
/// acknowledges keeps the agent at full speed); returns their flags in order.
async fn batches_during(
    console: &mut Console,
    mut screen: Option<&mut Screen>,
    period: Duration,
) -> Vec<u8> {
    let until = Instant::now() + period;
    let mut flags = Vec::new();
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let Ok(next) = tokio::time::timeout(left, console.ws.next()).await else {
            return flags;
        };
        match next {
            Some(Ok(Message::Binary(frame))) => {
                let (seq, batch_flags) =
                    screen_update_header(&frame[HEADER_LEN..]).expect("seq and flags");
                if let Some(screen) = screen.as_deref_mut() {
                    screen.paint(&decode(&frame));
                }
                flags.push(batch_flags);
                send_console(&mut console.ws, &ConsoleMessage::FrameAck { seq }).await;
            }
            Some(Ok(_)) => {}
            other => panic!("the session link closed: {other:?}"),
        }
    }
}

/// Paints and acknowledges batches until one flagged `REPLAY | KEY_START`, then
/// through its end; fails after the deadline.
async fn paint_replay(console: &mut Console, screen: &mut Screen) {
    let deadline = Instant::now() + DEADLINE;
    let mut started = false;
    loop {
        assert!(Instant::now() < deadline, "no replay arrived");
        let Received::Frame(frame) = receive(&mut console.ws).await else {
            continue;
        };
        // What came before the replay is only acknowledged, not decoded: a
        // viewer that fell behind may have a long queue to get through.
        let (seq, flags) = screen_update_header(&frame[HEADER_LEN..]).expect("seq and flags");
        started |= flags & (REPLAY | KEY_START) == REPLAY | KEY_START;
        if started {
            screen.paint(&decode(&frame));
        }
        send_console(&mut console.ws, &ConsoleMessage::FrameAck { seq }).await;
        if started && flags & KEY_END != 0 {
            return;
        }
    }
}

fn pattern_shown(screen: &Screen) -> bool {
    screen.covered() && screen.describe_pattern_mismatch().is_none()
}

/// Xvfb showing the test pattern, and a live session on a device showing it.
struct Scene {
    xvfb: reach_testkit::xvfb::Xvfb,
    _pattern: TestPattern,
    live: DeviceSession,
}

async fn scene() -> Scene {
    let xvfb = start_xvfb(800, 600).await;
    let pattern = TestPattern::start(&xvfb.display).await;
    let live = DeviceSession::start(&xvfb.display, "shared").await;
    Scene {
        xvfb,
        _pattern: pattern,
        live,
    }
}

/// The session's first console, once it shows the whole pattern.
async fn first_viewer(scene: &Scene) -> (Console, Screen) {
    let mut console = scene.live.console().await;
    assert_eq!(console.screen_info().await, (800, 600));
    let mut screen = Screen::new(800, 600);
    console.paint_until(&mut screen, pattern_shown).await;
    (console, screen)
}

/// Another console, once the replay it gets on joining shows the whole pattern.
async fn late_viewer(scene: &Scene) -> (Console, Screen) {
    let mut console = scene.live.console().await;
    assert_eq!(console.screen_info().await, (800, 600));
    let mut screen = Screen::new(800, 600);
    paint_replay(&mut console, &mut screen).await;
    assert!(
        pattern_shown(&screen),
        "{:?}",
        screen.describe_pattern_mismatch()
    );
    (console, screen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_viewer_gets_the_whole_picture_and_replays_reach_only_who_asked() {
    let scene = scene().await;
    let (mut first, mut first_screen) = first_viewer(&scene).await;
    // A second viewer learns the size at once, then gets a replay of the picture.
    let (mut second, mut second_screen) = late_viewer(&scene).await;
    let seen = batches_during(&mut first, Some(&mut first_screen), Duration::from_secs(1)).await;
    assert!(
        seen.iter().all(|flags| flags & REPLAY == 0),
        "the first viewer kept up: it skips replays ({seen:?})"
    );

    // The first viewer asks for a refresh: it alone gets a replay.
    send_console(&mut first.ws, &ConsoleMessage::Refresh).await;
    let mut refreshed = Screen::new(800, 600);
    paint_replay(&mut first, &mut refreshed).await;
    assert!(pattern_shown(&refreshed));
    let seen = batches_during(
        &mut second,
        Some(&mut second_screen),
        Duration::from_secs(1),
    )
    .await;
    assert!(
        seen.iter().all(|flags| flags & REPLAY == 0),
        "the second viewer did not ask ({seen:?})"
    );

    // The first viewer leaves: the stream goes on for the second.
    drop(first);
    let _noise = NoiseClient::start(&scene.xvfb.display, 500, 320, 64, 64).await;
    let seen = batches_during(
        &mut second,
        Some(&mut second_screen),
        Duration::from_secs(2),
    )
    .await;
    assert!(
        seen.contains(&0),
        "changes keep reaching the remaining viewer ({seen:?})"
    );
}

/// The resident memory of this test process (server and agent run in it).
fn resident_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: usize = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("VmRSS in /proc/self/status");
    kib * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_that_stops_reading_for_30_s_costs_a_bounded_queue_and_slows_nobody() {
    let scene = scene().await;
    let (mut fast, _) = first_viewer(&scene).await;
    let (mut slow, mut slow_screen) = late_viewer(&scene).await;

    // A region that never stops changing (noise: about 4 MB/s of updates),
    // away from the pattern's check points. The slow viewer stops reading.
    let _noise = NoiseClient::start(&scene.xvfb.display, 500, 320, 256, 256).await;
    let early = batches_during(&mut fast, None, Duration::from_secs(5)).await;
    let before = resident_bytes();
    let late = batches_during(&mut fast, None, Duration::from_secs(25)).await;
    let after = resident_bytes();
    assert!(
        late.len() >= 50,
        "the fast viewer kept the stream: {} batches in the first 5 s, {} in the next 25 s",
        early.len(),
        late.len()
    );
    // Without a bound the server would hold every update for the slow viewer:
    // about 100 MB over these 25 s.
    let grown = after.saturating_sub(before);
    assert!(
        grown < 48 * 1024 * 1024,
        "resident memory grew by {} MiB while a viewer did not read",
        grown / (1024 * 1024)
    );

    // It reads again: what was queued, then a replay, then the stream.
    paint_replay(&mut slow, &mut slow_screen).await;
    assert!(
        slow_screen.describe_pattern_mismatch().is_none(),
        "the replayed picture is the screen: {:?}",
        slow_screen.describe_pattern_mismatch()
    );
}

/// Reads until the pointer's image (unless `known`) and then its position
/// `want` (any position when `None`) have arrived; returns the image.
async fn pointer(
    console: &mut Console,
    known: Option<CursorShape>,
    want: Option<(u16, u16)>,
) -> CursorShape {
    let deadline = Instant::now() + DEADLINE;
    let mut shape = known;
    loop {
        assert!(
            Instant::now() < deadline,
            "no pointer at {want:?}; image {shape:?}"
        );
        match receive(&mut console.ws).await {
            Received::Control(ServerToConsole::CursorShape { shape: got }) => shape = Some(got),
            Received::Control(ServerToConsole::CursorMoved { x, y }) => {
                if let Some(shape) = &shape {
                    if want.is_none_or(|want| want == (x, y)) {
                        return shape.clone();
                    }
                }
            }
            Received::Frame(frame) => {
                let batch = decode(&frame);
                send_console(
                    &mut console.ws,
                    &ConsoleMessage::FrameAck { seq: batch.seq },
                )
                .await;
            }
            Received::Control(_) => {}
            Received::Closed => panic!("the session link closed"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pointer_travels_apart_from_the_screen_and_late_viewers_get_it() {
    let scene = scene().await;
    let mut console = scene.live.console().await;
    let shape = pointer(&mut console, None, None).await;
    shape.validate().expect("a valid pointer image");
    assert!(shape.hot_x < shape.width && shape.hot_y < shape.height);

    // The technician moves the pointer: the console hears where it went.
    send_input(&mut console.ws, InputEvent::PointerMove { x: 321, y: 123 }).await;
    pointer(&mut console, Some(shape.clone()), Some((321, 123))).await;

    // A viewer who joins gets the image and the position at once.
    let mut late = scene.live.console().await;
    assert_eq!(pointer(&mut late, None, Some((321, 123))).await, shape);
}

/// Paints batches, acknowledging each `delay` after it arrives, until the
/// stream reports `level` (or any level above 0 when `None`).
async fn acknowledge_until_level(console: &mut Console, delay: Duration, level: Option<u8>) -> u8 {
    let deadline = Instant::now() + DEADLINE;
    loop {
        assert!(
            Instant::now() < deadline,
            "the stream never reached level {level:?}"
        );
        match receive(&mut console.ws).await {
            Received::Frame(frame) => {
                let batch = decode(&frame);
                tokio::time::sleep(delay).await;
                send_console(
                    &mut console.ws,
                    &ConsoleMessage::FrameAck { seq: batch.seq },
                )
                .await;
            }
            Received::Control(ServerToConsole::StreamAdapted {
                level: reported,
                frames_per_second,
                lossy_quality,
            }) => {
                assert!(frames_per_second > 0 && lossy_quality > 0);
                if level.map_or(reported > 0, |want| want == reported) {
                    return reported;
                }
            }
            Received::Closed => panic!("the session link closed"),
            Received::Control(_) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_slow_to_paint_gets_a_lighter_stream_until_it_keeps_up() {
    let scene = scene().await;
    let (mut console, _) = first_viewer(&scene).await;
    let _noise = NoiseClient::start(&scene.xvfb.display, 500, 320, 128, 128).await;
    let lighter = acknowledge_until_level(&mut console, Duration::from_millis(700), None).await;
    assert!(lighter > 0);
    acknowledge_until_level(&mut console, Duration::ZERO, Some(0)).await;
}
