//! Several monitors (RandR 1.5 monitors on one wide Xvfb screen, as a dual-head
//! desktop has them): the console learns the monitors, the stream starts on
//! the primary one, the technician switches to another or to all of them, the
//! pointer and the technician's clicks follow the monitor shown, an unplugged
//! monitor falls back to the primary one, and bad choices change nothing.

use std::time::Instant;

use reach_proto::codes::ErrorCode;
use reach_proto::messages::{ConsoleMessage, InputEvent, ServerToConsole};
use reach_proto::screen::{MonitorLayout, MAX_MONITOR_NAME};
use reach_testkit::monitors::{set_monitors, TestMonitor};
use reach_testkit::xvfb::{PATTERN_BARS, PATTERN_GREY};

use crate::access::watcher;
use crate::support::*;

const WIDTH: u16 = 1280;
const HEIGHT: u16 = 480;
/// The test pattern spans the whole screen: 8 bars of 160 pixels, so each
/// 640-pixel monitor shows 4 of them.
const BAR: u16 = WIDTH / 8;

fn monitors(specs: &[&str]) -> Vec<TestMonitor> {
    specs.iter().map(|spec| spec.parse().unwrap()).collect()
}

/// What a console holds of the session.
struct Seen {
    screen: Screen,
    layout: Option<MonitorLayout>,
    /// `Some(None)`: the pointer is on a monitor not shown.
    pointer: Option<Option<(u16, u16)>>,
    refusals: Vec<(ErrorCode, String)>,
}

impl Seen {
    fn new() -> Self {
        Self {
            screen: Screen::new(1, 1),
            layout: None,
            pointer: None,
            refusals: Vec::new(),
        }
    }

    fn shown(&self) -> Option<Option<&str>> {
        self.layout.as_ref().map(|layout| layout.shown.as_deref())
    }

    /// Whether the picture shows the pattern's bars from `first` on, each
    /// `BAR` wide, over the grey bottom half.
    fn shows_bars(&self, first: usize) -> bool {
        let screen = &self.screen;
        let bars = usize::from(screen.width / BAR);
        screen.covered()
            && screen.height == HEIGHT
            && (0..bars).all(|i| {
                let x = u16::try_from(i).unwrap() * BAR + BAR / 2;
                screen.rgb_at(x, HEIGHT / 4) == PATTERN_BARS[first + i]
            })
            && screen.rgb_at(screen.width / 2, HEIGHT * 3 / 4) == PATTERN_GREY
    }
}

/// Reads the link, painting and acknowledging batches, until `done`.
async fn follow(console: &mut Console, seen: &mut Seen, done: impl Fn(&Seen) -> bool) {
    let deadline = Instant::now() + DEADLINE;
    while !done(seen) {
        assert!(
            Instant::now() < deadline,
            "not seen in time: layout {:?}, pointer {:?}, {}x{} picture, refusals {:?}",
            seen.layout,
            seen.pointer,
            seen.screen.width,
            seen.screen.height,
            seen.refusals
        );
        match receive(&mut console.ws).await {
            Received::Frame(frame) => {
                let batch = reach_screen::batch::decode(&frame[reach_proto::frame::HEADER_LEN..])
                    .expect("the batch decodes");
                send_console(
                    &mut console.ws,
                    &ConsoleMessage::FrameAck { seq: batch.seq },
                )
                .await;
                // A batch sent before a resize reached the console.
                if (batch.width, batch.height) == (seen.screen.width, seen.screen.height) {
                    seen.screen.paint(&batch);
                }
            }
            Received::Control(ServerToConsole::ScreenInfo { width, height }) => {
                if (width, height) != (seen.screen.width, seen.screen.height) {
                    seen.screen = Screen::new(width, height);
                }
            }
            Received::Control(ServerToConsole::Monitors { layout }) => seen.layout = Some(layout),
            Received::Control(ServerToConsole::CursorMoved { x, y }) => {
                seen.pointer = Some(Some((x, y)))
            }
            Received::Control(ServerToConsole::CursorOffScreen) => seen.pointer = Some(None),
            Received::Control(ServerToConsole::Refused { code, message }) => {
                seen.refusals.push((code, message))
            }
            Received::Control(ServerToConsole::Ended { reason }) => {
                panic!("the session ended: {reason:?}")
            }
            Received::Control(_) => {}
            Received::Closed => panic!("the session link closed"),
        }
    }
}

async fn select(console: &mut Console, monitor: Option<&str>) {
    send_console(
        &mut console.ws,
        &ConsoleMessage::SelectMonitor {
            monitor: monitor.map(str::to_string),
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_technician_sees_one_monitor_or_all_of_them() {
    let xvfb = start_xvfb(WIDTH, HEIGHT).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    set_monitors(
        &xvfb.display,
        &monitors(&["LEFT:640x480+0+0", "RIGHT:640x480+640+0*"]),
    )
    .unwrap();
    let scene = DeviceSession::start(&xvfb.display, "dual-head").await;
    let mut console = scene.console().await;

    // The console learns both monitors, primary first, and sees the primary.
    let mut seen = Seen::new();
    follow(&mut console, &mut seen, |seen| {
        seen.shown() == Some(Some("RIGHT")) && seen.shows_bars(4)
    })
    .await;
    let layout = seen.layout.clone().unwrap();
    let names: Vec<(&str, bool, i16)> = layout
        .monitors
        .iter()
        .map(|monitor| (monitor.name.as_str(), monitor.primary, monitor.x))
        .collect();
    assert_eq!(names, [("RIGHT", true, 640), ("LEFT", false, 0)]);
    assert_eq!((seen.screen.width, seen.screen.height), (640, 480));

    // The technician's pointer lands on the monitor shown, and the pointer
    // the console draws is placed on that monitor's picture.
    send_input(&mut console.ws, InputEvent::PointerMove { x: 100, y: 50 }).await;
    follow(&mut console, &mut seen, |seen| {
        seen.pointer == Some(Some((100, 50)))
    })
    .await;

    // Another monitor: its picture, and the pointer (on the right one) is off it.
    select(&mut console, Some("LEFT")).await;
    follow(&mut console, &mut seen, |seen| {
        seen.shown() == Some(Some("LEFT")) && seen.shows_bars(0) && seen.pointer == Some(None)
    })
    .await;

    // A console that joins now learns the monitors and sees the same one.
    let mut late = scene.console().await;
    let mut late_seen = Seen::new();
    follow(&mut late, &mut late_seen, |seen| {
        seen.shown() == Some(Some("LEFT")) && seen.shows_bars(0)
    })
    .await;
    drop(late);

    // All monitors: the whole display, and the pointer where it really is.
    select(&mut console, None).await;
    follow(&mut console, &mut seen, |seen| {
        seen.shown() == Some(None)
            && seen.screen.width == WIDTH
            && seen.shows_bars(0)
            && seen.pointer == Some(Some((740, 50)))
    })
    .await;

    // The choice belongs to the session: a console that comes back (on a
    // fresh agent channel) finds all monitors shown.
    drop(console);
    let mut console = scene.console().await;
    let mut seen = Seen::new();
    follow(&mut console, &mut seen, |seen| {
        seen.shown() == Some(None) && seen.screen.width == WIDTH && seen.shows_bars(0)
    })
    .await;

    // The right monitor is unplugged while shown: back to the primary one,
    // which is now the left one.
    select(&mut console, Some("RIGHT")).await;
    follow(&mut console, &mut seen, |seen| {
        seen.shown() == Some(Some("RIGHT")) && seen.shows_bars(4)
    })
    .await;
    set_monitors(&xvfb.display, &monitors(&["LEFT:640x480+0+0*"])).unwrap();
    follow(&mut console, &mut seen, |seen| {
        seen.layout
            .as_ref()
            .is_some_and(|layout| layout.monitors.len() == 1)
            && seen.shown() == Some(Some("LEFT"))
            && seen.shows_bars(0)
    })
    .await;
    assert!(seen.refusals.is_empty(), "{:?}", seen.refusals);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_monitor_choices_change_nothing() {
    let xvfb = start_xvfb(WIDTH, HEIGHT).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    set_monitors(
        &xvfb.display,
        &monitors(&["LEFT:640x480+0+0*", "RIGHT:640x480+640+0"]),
    )
    .unwrap();
    let scene = DeviceSession::start(&xvfb.display, "dual-head").await;
    let mut console = scene.console().await;
    let mut seen = Seen::new();
    follow(&mut console, &mut seen, |seen| {
        seen.shown() == Some(Some("LEFT")) && seen.shows_bars(0)
    })
    .await;

    let long = "M".repeat(MAX_MONITOR_NAME + 1);
    let bad: [(&str, ErrorCode); 3] = [
        ("VGA-9", ErrorCode::NotFound),
        ("", ErrorCode::BadRequest),
        (&long, ErrorCode::BadRequest),
    ];
    for (index, (name, code)) in bad.iter().enumerate() {
        select(&mut console, Some(name)).await;
        follow(&mut console, &mut seen, |seen| seen.refusals.len() > index).await;
        assert_eq!(seen.refusals[index].0, *code, "{name:?}");
    }
    // Still the left monitor, and the link stays open: a refresh brings it whole.
    send_console(&mut console.ws, &ConsoleMessage::Refresh).await;
    seen.screen = Screen::new(640, 480);
    follow(&mut console, &mut seen, |seen| seen.shows_bars(0)).await;
    assert_eq!(seen.shown(), Some(Some("LEFT")));

    // A console that may only watch cannot choose.
    let watcher = watcher(&scene.server, &scene.api).await;
    let watched = watcher.start_session(&scene.device.id).await;
    let mut view_only = Console::open_expecting(&scene.server, &watcher, &watched.id, true).await;
    let mut watched_seen = Seen::new();
    follow(&mut view_only, &mut watched_seen, |seen| {
        seen.shown() == Some(Some("LEFT")) && seen.shows_bars(0)
    })
    .await;
    select(&mut view_only, Some("RIGHT")).await;
    follow(&mut view_only, &mut watched_seen, |seen| {
        !seen.refusals.is_empty()
    })
    .await;
    assert_eq!(watched_seen.refusals[0].0, ErrorCode::Forbidden);
    send_console(&mut view_only.ws, &ConsoleMessage::Refresh).await;
    watched_seen.screen = Screen::new(640, 480);
    follow(&mut view_only, &mut watched_seen, |seen| seen.shows_bars(0)).await;
    assert_eq!(watched_seen.shown(), Some(Some("LEFT")));
}
