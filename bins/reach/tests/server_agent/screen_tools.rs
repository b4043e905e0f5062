//! The technician's screen tools on the server and the agent: pausing screen
//! sharing (no batch while paused even as the screen changes, a full picture on
//! resume, the pause remembered for a console that reconnects), releasing
//! control (the server drops the console's input until it is taken back), and
//! a watcher without control rights refused both, with the link kept open.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;
use reach_proto::messages::{ConsoleMessage, InputEvent, ServerToConsole};
use tokio_tungstenite::tungstenite::Message;

use crate::access::watcher;
use crate::support::*;

const KEYSYM_J: u32 = 0x6a;
const KEYSYM_K: u32 = 0x6b;
const KEYSYM_L: u32 = 0x6c;

fn state(screen_paused: bool, control_released: bool) -> ServerToConsole {
    ServerToConsole::SessionState {
        screen_paused,
        control_released,
    }
}

/// `reach-test-scroller` in a window at the top left of the screen: each key
/// press scrolls its page, so the screen changes on demand.
struct Scroller {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

const SCROLLER: (u16, u16, u16) = (320, 240, 24);

/// The colour of the scroller's page line `n` (see reach-test-scroller).
fn line_rgb(n: u32) -> (u8, u8, u8) {
    let channel = |v: u32| u8::try_from(v % 256).unwrap();
    (
        channel(n * 7),
        channel(n / 256 * 40 + 30),
        channel(n * 3 + 100),
    )
}

impl Scroller {
    async fn start(display: &str) -> Self {
        let binary = test_pattern_binary()
            .parent()
            .map(|dir| dir.join("reach-test-scroller"))
            .unwrap();
        assert!(
            Path::new(&binary).exists(),
            "{} is missing: cargo build -p reach-testkit",
            binary.display()
        );
        let (width, height, step) = SCROLLER;
        let mut child = Command::new(binary)
            .args(["0", "0"])
            .args([width, height, step].map(|v| v.to_string()))
            .env("DISPLAY", display)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("reach-test-scroller starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let scroller = Self { child, lines };
        scroller.shown(0).await;
        scroller
    }

    /// Waits until the page shows line `top` at the top.
    async fn shown(&self, top: u32) {
        let needle = format!("\"top\":{top}");
        eventually(&format!("the scroller at line {top}"), || async {
            let lines = self.lines.lock().unwrap().clone();
            if lines.iter().any(|line| line.contains(&needle)) {
                Ok(())
            } else {
                Err(format!("{lines:?}"))
            }
        })
        .await;
    }
}

impl Drop for Scroller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn press(console: &mut Console, keysym: u32) {
    for pressed in [true, false] {
        send_input(&mut console.ws, InputEvent::Key { keysym, pressed }).await;
    }
}

/// Reads the link until it has been silent for `quiet`, acknowledging batches
/// (those the agent sent before it saw the pause); returns how many arrived.
async fn drain(console: &mut Console, quiet: Duration) -> usize {
    let mut batches = 0;
    while let Ok(next) = tokio::time::timeout(quiet, console.ws.next()).await {
        match next {
            Some(Ok(Message::Binary(frame))) => {
                batches += 1;
                let batch = reach_screen::batch::decode(&frame[reach_proto::frame::HEADER_LEN..])
                    .expect("the batch decodes");
                send_console(
                    &mut console.ws,
                    &ConsoleMessage::FrameAck { seq: batch.seq },
                )
                .await;
            }
            Some(Ok(Message::Text(text))) => {
                // News about the pointer, the mode or the stream's pace may come
                // at any time; anything else is unexpected here.
                let news = serde_json::from_str::<ServerToConsole>(&text)
                    .is_ok_and(|message| is_stream_news(&message));
                assert!(news, "unexpected control message {text}");
            }
            Some(Ok(_)) => {}
            other => panic!("the link ended: {other:?}"),
        }
    }
    batches
}

/// The next control message other than a screen size (the agent announces it
/// whenever streaming starts), skipping batches.
async fn next_answer(console: &mut Console) -> Option<ServerToConsole> {
    loop {
        match console.next_control().await {
            Some(ServerToConsole::ScreenInfo { .. } | ServerToConsole::ScreenMode { .. }) => {}
            other => return other,
        }
    }
}

/// CPU time this process (server and agent) used while `work` ran.
async fn cpu_during<T>(work: impl std::future::Future<Output = T>) -> Duration {
    let before = process_cpu();
    work.await;
    process_cpu().saturating_sub(before)
}

/// User plus system time of this process, from /proc/self/stat (clock ticks of 10 ms).
fn process_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The fields after the command name (in parentheses) start with the state.
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let ticks: u64 = after
        .split(' ')
        .skip(11)
        .take(2)
        .map(|field| field.parse::<u64>().unwrap())
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Reads the next batch and paints it on a fresh picture: whether that one
/// batch covers the whole screen.
async fn next_batch_is_full(console: &mut Console, screen: &mut Screen) -> bool {
    loop {
        match receive(&mut console.ws).await {
            Received::Frame(frame) => {
                let batch = reach_screen::batch::decode(&frame[reach_proto::frame::HEADER_LEN..])
                    .expect("the batch decodes");
                screen.paint(&batch);
                send_console(
                    &mut console.ws,
                    &ConsoleMessage::FrameAck { seq: batch.seq },
                )
                .await;
                return screen.covered();
            }
            Received::Control(ServerToConsole::ScreenInfo { .. }) => {}
            Received::Control(news) if is_stream_news(&news) => {}
            other => panic!("expected a batch, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_screen_sends_nothing_and_resumes_with_what_changed() {
    let xvfb = start_xvfb(640, 480).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let scroller = Scroller::start(&xvfb.display).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    let me = api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "paused").await;
    let _agent = RunningAgent::spawn(&device, Some(xvfb.display.clone()));
    api.wait_online(&device.id).await;
    let session = api.start_session(&device.id).await;

    let mut console = Console::open(&server, &api, &session.id).await;
    assert_eq!(console.tools, state(false, false));
    assert_eq!(console.screen_info().await, (640, 480));
    let mut screen = Screen::new(640, 480);
    console.paint_until(&mut screen, Screen::covered).await;

    // What the agent costs on a still screen, to compare with paused (measured, not
    // asserted: it depends on the machine and on how capture finds changes).
    let streaming_cpu = cpu_during(drain(&mut console, Duration::from_secs(2))).await;
    send_console(
        &mut console.ws,
        &ConsoleMessage::ScreenSharing { paused: true },
    )
    .await;
    assert_eq!(next_answer(&mut console).await, Some(state(true, false)));
    let in_flight = drain(&mut console, Duration::from_millis(500)).await;
    assert!(in_flight <= 2, "{in_flight} batches after the pause");
    let paused_cpu = cpu_during(drain(&mut console, Duration::from_secs(2))).await;
    eprintln!("CPU of server and agent over 2 s of a still screen: streaming {streaming_cpu:?}, paused {paused_cpu:?}");
    // Input still flows while paused; the page scrolls, and nothing is sent.
    press(&mut console, KEYSYM_J).await;
    scroller.shown(24).await;
    assert_eq!(
        drain(&mut console, Duration::from_millis(1500)).await,
        0,
        "a batch arrived while paused"
    );

    // Resuming sends what changed meanwhile: the console shows the screen as it
    // is now (batches drained above were not painted, so wait for the scroll).
    send_console(
        &mut console.ws,
        &ConsoleMessage::ScreenSharing { paused: false },
    )
    .await;
    assert_eq!(next_answer(&mut console).await, Some(state(false, false)));
    console
        .paint_until(&mut screen, |s| s.rgb_at(10, 0) == line_rgb(24))
        .await;
    assert_eq!(screen.rgb_at(600, 400), reach_testkit::xvfb::PATTERN_GREY);

    // The pause belongs to the session: a console that comes back learns it,
    // and gets nothing until it resumes.
    send_console(
        &mut console.ws,
        &ConsoleMessage::ScreenSharing { paused: true },
    )
    .await;
    assert_eq!(next_answer(&mut console).await, Some(state(true, false)));
    drop(console);
    let mut console = Console::open(&server, &api, &session.id).await;
    assert_eq!(console.tools, state(true, false));
    press(&mut console, KEYSYM_J).await;
    scroller.shown(48).await;
    assert_eq!(drain(&mut console, Duration::from_millis(1000)).await, 0);
    send_console(
        &mut console.ws,
        &ConsoleMessage::ScreenSharing { paused: false },
    )
    .await;
    assert_eq!(next_answer(&mut console).await, Some(state(false, false)));
    // It holds no picture: it gets the whole one first, then what changed.
    let mut fresh = Screen::new(640, 480);
    assert!(next_batch_is_full(&mut console, &mut fresh).await);
    console
        .paint_until(&mut fresh, |s| s.rgb_at(10, 0) == line_rgb(48))
        .await;

    // Each pause and resume is in the event log, by the technician.
    let logged = audit_of(&api, &session.id).await;
    for code in [
        AuditCode::ScreenSharingPaused,
        AuditCode::ScreenSharingResumed,
    ] {
        let by: Vec<_> = logged.iter().filter(|(c, _)| *c == code).collect();
        assert_eq!(by.len(), 2, "{code:?} in {logged:?}");
        assert!(by
            .iter()
            .all(|(_, actor)| actor.as_deref() == Some(me.user.id.as_str())));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn released_control_drops_input_on_the_server() {
    let xvfb = start_xvfb(320, 240).await;
    let mut pattern = TestPattern::start(&xvfb.display).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "released").await;
    let _agent = RunningAgent::spawn(&device, Some(xvfb.display.clone()));
    api.wait_online(&device.id).await;
    let session = api.start_session(&device.id).await;
    let mut console = Console::open(&server, &api, &session.id).await;

    send_console(&mut console.ws, &ConsoleMessage::Control { held: false }).await;
    assert_eq!(next_answer(&mut console).await, Some(state(false, true)));
    press(&mut console, KEYSYM_K).await;
    for pressed in [true, false] {
        send_input(
            &mut console.ws,
            InputEvent::PointerButton {
                x: 30,
                y: 200,
                button: 1,
                pressed,
            },
        )
        .await;
    }
    // Taking control back restores input; what was sent meanwhile never arrives.
    send_console(&mut console.ws, &ConsoleMessage::Control { held: true }).await;
    assert_eq!(next_answer(&mut console).await, Some(state(false, false)));
    press(&mut console, KEYSYM_L).await;
    pattern
        .wait_for("key_press of l", |e| {
            e["event"] == "key_press" && e["keysym"] == KEYSYM_L
        })
        .await;
    assert!(!pattern.has_seen(|e| e["event"] == "key_press" && e["keysym"] == KEYSYM_K));
    assert!(!pattern.has_seen(|e| e["event"] == "button_press"));

    // The state survives a reconnection: released stays released.
    send_console(&mut console.ws, &ConsoleMessage::Control { held: false }).await;
    assert_eq!(next_answer(&mut console).await, Some(state(false, true)));
    drop(console);
    let mut console = Console::open(&server, &api, &session.id).await;
    assert_eq!(console.tools, state(false, true));
    press(&mut console, KEYSYM_K).await;
    send_console(&mut console.ws, &ConsoleMessage::Control { held: true }).await;
    assert_eq!(next_answer(&mut console).await, Some(state(false, false)));
    press(&mut console, KEYSYM_J).await;
    pattern
        .wait_for("key_press of j", |e| {
            e["event"] == "key_press" && e["keysym"] == KEYSYM_J
        })
        .await;
    assert!(!pattern.has_seen(|e| e["event"] == "key_press" && e["keysym"] == KEYSYM_K));

    // Releasing and taking back control are in the event log; asking for the
    // state control is already in changes nothing and logs nothing.
    send_console(&mut console.ws, &ConsoleMessage::Control { held: true }).await;
    assert_eq!(next_answer(&mut console).await, Some(state(false, false)));
    let logged = audit_of(&api, &session.id).await;
    for code in [AuditCode::ControlReleased, AuditCode::ControlTakenBack] {
        let count = logged.iter().filter(|(c, _)| *c == code).count();
        assert_eq!(count, 2, "{code:?} in {logged:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_may_neither_pause_nor_hold_control() {
    let xvfb = start_xvfb(320, 240).await;
    let _pattern = TestPattern::start(&xvfb.display).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let device = enroll_device(&server, &admin, "watched").await;
    let _agent = RunningAgent::spawn(&device, Some(xvfb.display.clone()));
    admin.wait_online(&device.id).await;
    let watcher = watcher(&server, &admin).await;
    let session = watcher.start_session(&device.id).await;
    let mut console = Console::open_expecting(&server, &watcher, &session.id, true).await;
    let mut screen = Screen::new(320, 240);
    console.paint_until(&mut screen, Screen::covered).await;
    for request in [
        ConsoleMessage::ScreenSharing { paused: true },
        ConsoleMessage::Control { held: true },
    ] {
        send_console(&mut console.ws, &request).await;
        match next_answer(&mut console).await {
            Some(ServerToConsole::Refused { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
            other => panic!("expected a refusal of {request:?}, got {other:?}"),
        }
    }
    // Nothing changed, and the link still streams.
    send_console(&mut console.ws, &ConsoleMessage::Refresh).await;
    let mut screen = Screen::new(320, 240);
    console.paint_until(&mut screen, Screen::covered).await;
    drop(console);
    let console = Console::open_expecting(&server, &watcher, &session.id, true).await;
    assert_eq!(console.tools, state(false, false));
}
