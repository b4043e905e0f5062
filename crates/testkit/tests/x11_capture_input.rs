//! X11 capture and input against a real Xvfb and a real X client
//! (`reach-test-pattern`): what the agent captures is what the client painted,
//! survives the tile encoder, and what the agent injects is what the client
//! receives. Each test starts its own Xvfb, so they run in parallel.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use reach_agent::capture::{CaptureMethod, ScreenCapture, X11Capture};
use reach_agent::input::{InputInjector, X11Input};
use reach_proto::messages::InputEvent;
use reach_screen::{batch, Frame, TileEncoder};
use reach_testkit::xvfb::{Xvfb, PATTERN_BARS, PATTERN_GREY};
use serde_json::Value;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::ConnectionExt as _;

const WIDTH: u16 = 1024;
const HEIGHT: u16 = 768;
const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

/// The test pattern client, killed when dropped.
struct PatternClient {
    child: Child,
    lines: Receiver<Value>,
}

impl PatternClient {
    /// Starts the client on `display` and waits until it has painted.
    fn start(display: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reach-test-pattern"))
            .env("DISPLAY", display)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let value = serde_json::from_str(&line).expect("client wrote invalid JSON");
                if sender.send(value).is_err() {
                    return;
                }
            }
        });
        let client = Self { child, lines };
        client.expect("ready", |e| e["event"] == "ready");
        client
    }

    /// Skips events until one matches, failing with what was seen instead.
    fn expect(&self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let mut seen = Vec::new();
        loop {
            match self.lines.recv_timeout(EVENT_TIMEOUT) {
                Ok(event) if matches(&event) => return event,
                Ok(event) => seen.push(event),
                Err(_) => panic!("no {what} event; the client reported {seen:?}"),
            }
        }
    }

    fn expect_key_press(&self, keysym: u32) -> Value {
        self.expect(&format!("key_press {keysym:#x}"), |e| {
            e["event"] == "key_press" && e["keysym"] == keysym
        })
    }
}

impl Drop for PatternClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn key(keysym: u32, pressed: bool) -> InputEvent {
    InputEvent::Key { keysym, pressed }
}

fn type_key(input: &mut X11Input, keysym: u32) {
    input.inject(&key(keysym, true)).unwrap();
    input.inject(&key(keysym, false)).unwrap();
}

fn assert_pattern(frame: &Frame) {
    assert_eq!((frame.width, frame.height), (WIDTH, HEIGHT));
    for (i, (r, g, b)) in (0u16..).zip(PATTERN_BARS) {
        let x = WIDTH / 16 + i * WIDTH / 8;
        for y in [1, HEIGHT / 4, HEIGHT / 2 - 1] {
            assert_eq!(frame.rgb_at(x, y), Some([r, g, b]), "bar {i} at ({x},{y})");
        }
    }
    let (r, g, b) = PATTERN_GREY;
    for (x, y) in [
        (0, HEIGHT / 2),
        (WIDTH / 2, HEIGHT * 3 / 4),
        (WIDTH - 1, HEIGHT - 1),
    ] {
        assert_eq!(frame.rgb_at(x, y), Some([r, g, b]), "grey at ({x},{y})");
    }
}

fn frame_rgb(frame: &Frame) -> Vec<u8> {
    let mut rgb = Vec::with_capacity(usize::from(frame.width) * usize::from(frame.height) * 3);
    for y in 0..frame.height {
        for x in 0..frame.width {
            rgb.extend_from_slice(&frame.rgb_at(x, y).unwrap());
        }
    }
    rgb
}

#[test]
fn capture_sees_the_pattern_by_shm_and_get_image_and_survives_encoding() {
    let xvfb = Xvfb::start(WIDTH, HEIGHT).unwrap();
    let _client = PatternClient::start(&xvfb.display);

    let mut shm = X11Capture::connect(Some(&xvfb.display)).unwrap();
    assert_eq!(shm.method(), CaptureMethod::Shm, "Xvfb offers MIT-SHM");
    let shm_frame = shm.grab().unwrap().clone();
    assert_pattern(&shm_frame);

    let mut core = X11Capture::connect_with(Some(&xvfb.display), CaptureMethod::GetImage).unwrap();
    assert_eq!(core.method(), CaptureMethod::GetImage);
    let core_frame = core.grab().unwrap();
    assert_pattern(core_frame);
    assert_eq!(frame_rgb(core_frame), frame_rgb(&shm_frame));

    let mut encoder = TileEncoder::new();
    let mut out = Vec::new();
    let outcome = encoder.encode(&shm_frame, false, 1, &mut out).unwrap();
    assert_eq!(outcome.tiles, 16 * 12);
    assert!(!outcome.pending);
    let decoded = batch::decode(&out).unwrap();
    assert!(
        decoded
            .tiles
            .iter()
            .all(|t| t.encoding == batch::TileEncoding::Solid),
        "every tile of the bar pattern is one colour"
    );
    let mut canvas = Vec::new();
    decoded.paint(&mut canvas);
    assert_eq!(canvas, frame_rgb(&shm_frame));

    // A second grab of an unchanged screen encodes to nothing.
    let again = shm.grab().unwrap();
    let mut out = Vec::new();
    assert_eq!(encoder.encode(again, false, 2, &mut out).unwrap().tiles, 0);
}

/// Fills a rectangle of the root window in `rgb` from another X client, the way
/// an application draws, and waits until the server has done it.
fn draw_on_root(display: &str, rect: (i16, i16, u16, u16), rgb: u32) {
    use x11rb::protocol::xproto::{CreateGCAux, Rectangle};
    use x11rb::wrapper::ConnectionExt as _;
    let (conn, screen) = x11rb::connect(Some(display)).unwrap();
    let root = conn.setup().roots[screen].root;
    let gc = conn.generate_id().unwrap();
    conn.create_gc(
        gc,
        root,
        &CreateGCAux::new()
            .foreground(rgb)
            .subwindow_mode(x11rb::protocol::xproto::SubwindowMode::INCLUDE_INFERIORS),
    )
    .unwrap();
    let (x, y, width, height) = rect;
    conn.poly_fill_rectangle(
        root,
        gc,
        &[Rectangle {
            x,
            y,
            width,
            height,
        }],
    )
    .unwrap();
    conn.sync().unwrap();
}

#[test]
fn damage_reads_only_what_changed_and_a_still_screen_reads_nothing() {
    use reach_screen::Damage;
    let xvfb = Xvfb::start(WIDTH, HEIGHT).unwrap();
    let _client = PatternClient::start(&xvfb.display);
    for method in [CaptureMethod::Shm, CaptureMethod::GetImage] {
        let mut capture = X11Capture::connect_with(Some(&xvfb.display), method).unwrap();
        let (frame, damage) = capture.grab_damaged().unwrap();
        assert_eq!(damage, Damage::Unknown, "the first grab reads everything");
        assert_pattern(frame);
        assert_eq!(capture.grab_damaged().unwrap().1, Damage::Nothing);

        draw_on_root(&xvfb.display, (100, 200, 30, 20), 0x00ff_8000);
        let (frame, damage) = capture.grab_damaged().unwrap();
        let Damage::Within {
            x,
            y,
            width,
            height,
        } = damage
        else {
            panic!("{method:?}: a drawing is damage, got {damage:?}");
        };
        assert!(
            x <= 100 && y <= 200 && x + width >= 130 && y + height >= 220,
            "{method:?}: the damage {damage:?} covers the drawing"
        );
        assert_eq!(frame.rgb_at(115, 210), Some([0xff, 0x80, 0]));
        // What was read in part is what a whole read sees.
        let whole = X11Capture::connect_with(Some(&xvfb.display), CaptureMethod::GetImage)
            .unwrap()
            .grab()
            .unwrap()
            .clone();
        assert_eq!(frame_rgb(frame), frame_rgb(&whole));
    }
}

#[test]
fn pointer_buttons_and_wheel_reach_the_client() {
    let xvfb = Xvfb::start(WIDTH, HEIGHT).unwrap();
    let client = PatternClient::start(&xvfb.display);
    let mut input = X11Input::connect(Some(&xvfb.display)).unwrap();

    for pressed in [true, false] {
        let event = InputEvent::PointerButton {
            x: 100,
            y: 600,
            button: 1,
            pressed,
        };
        input.inject(&event).unwrap();
    }
    let press = client.expect("button_press", |e| e["event"] == "button_press");
    assert_eq!(
        (
            press["button"].as_u64(),
            press["x"].as_i64(),
            press["y"].as_i64()
        ),
        (Some(1), Some(100), Some(600))
    );
    client.expect("button_release", |e| {
        e["event"] == "button_release" && e["button"] == 1
    });

    let wheel = InputEvent::Wheel {
        x: 300,
        y: 200,
        delta_x: -1,
        delta_y: 2,
    };
    input.inject(&wheel).unwrap();
    for button in [5, 5, 6] {
        let press = client.expect(&format!("wheel button {button}"), |e| {
            e["event"] == "button_press"
        });
        assert_eq!(press["button"], button);
        assert_eq!(
            (press["x"].as_i64(), press["y"].as_i64()),
            (Some(300), Some(200))
        );
    }

    // A button left down is released by ReleaseAll.
    let down = InputEvent::PointerButton {
        x: 10,
        y: 10,
        button: 3,
        pressed: true,
    };
    input.inject(&down).unwrap();
    input.inject(&InputEvent::ReleaseAll).unwrap();
    client.expect("button_press 3", |e| {
        e["event"] == "button_press" && e["button"] == 3
    });
    client.expect("button_release 3", |e| {
        e["event"] == "button_release" && e["button"] == 3
    });

    let invalid = InputEvent::PointerButton {
        x: 0,
        y: 0,
        button: 0,
        pressed: true,
    };
    assert!(input.inject(&invalid).is_err());
}

#[test]
fn keys_reach_the_client_through_shift_remap_and_modifiers() {
    let xvfb = Xvfb::start(WIDTH, HEIGHT).unwrap();
    let client = PatternClient::start(&xvfb.display);
    let mut input = X11Input::connect(Some(&xvfb.display)).unwrap();

    for keysym in ['h', 'i'] {
        type_key(&mut input, u32::from(keysym));
        let press = client.expect_key_press(u32::from(keysym));
        assert_eq!(press["text"], keysym.to_string());
    }

    // 'A' sits at the Shift level: the injector adds Shift around it.
    type_key(&mut input, 0x41);
    let press = client.expect_key_press(0x41);
    assert_eq!(press["text"], "A");

    // The Euro sign is not in Xvfb's US layout: bound to a spare keycode.
    type_key(&mut input, 0x20ac);
    let press = client.expect_key_press(0x20ac);
    assert_eq!(press["text"], "");

    // Ctrl+C: the modifier is an ordinary key, held while 'c' is typed.
    input.inject(&key(0xffe3, true)).unwrap();
    type_key(&mut input, u32::from('c'));
    input.inject(&key(0xffe3, false)).unwrap();
    client.expect_key_press(0xffe3);
    let press = client.expect_key_press(u32::from('c'));
    assert_eq!(
        press["state"].as_u64().unwrap() & 4,
        4,
        "Control is held: {press}"
    );
    client.expect("Control release", |e| {
        e["event"] == "key_release" && e["keysym"] == 0xffe3
    });

    // Shift held by the technician and a keysym at the plain level: Shift is
    // lifted around it so '1' does not become '!'.
    input.inject(&key(0xffe1, true)).unwrap();
    type_key(&mut input, u32::from('1'));
    client.expect_key_press(u32::from('1'));
    // ReleaseAll lets go of the Shift still held.
    input.inject(&InputEvent::ReleaseAll).unwrap();
    client.expect("Shift release", |e| {
        e["event"] == "key_release" && e["keysym"] == 0xffe1
    });

    // Dropping the injector removes its temporary binding from the keymap.
    drop(input);
    let (conn, _) = x11rb::connect(Some(&xvfb.display)).unwrap();
    let setup = conn.setup();
    let count = setup.max_keycode - setup.min_keycode + 1;
    let mapping = conn
        .get_keyboard_mapping(setup.min_keycode, count)
        .unwrap()
        .reply()
        .unwrap();
    assert!(
        !mapping.keysyms.contains(&0x20ac),
        "the Euro binding outlived the injector"
    );
}

#[test]
fn missing_display_is_an_error() {
    assert!(X11Capture::connect(Some(":54321")).is_err());
    assert!(X11Input::connect(Some(":54321")).is_err());
}
