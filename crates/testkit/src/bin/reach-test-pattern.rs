//! `reach-test-pattern [--events-out FILE]`: an X client for tests.
//!
//! Owns one full-screen override-redirect window on $DISPLAY that paints the
//! test pattern described in `reach_testkit::xvfb` and reports the input it
//! receives as JSON lines (stdout, or FILE): `{"event":"ready"}` once mapped,
//! painted and focused, then `button_press`/`button_release` with `button`,
//! `x`, `y`, `state`, and `key_press`/`key_release` with `keysym`, `text`,
//! `state`. It must not interpret input beyond that: tests decide what is
//! right.

use std::fs::File;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use reach_testkit::xclient::{main_with, open_window, TestWindow};
use reach_testkit::xvfb::{PATTERN_BARS, PATTERN_GREY};
use serde_json::json;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ChangeGCAux, ConnectionExt as _, CreateGCAux, EventMask, Gcontext, InputFocus, KeyButMask,
    Keycode, Keysym, Mapping, Rectangle, Window,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::CURRENT_TIME;

fn main() -> ExitCode {
    main_with("reach-test-pattern", run)
}

fn parse_args() -> Result<Option<String>> {
    let mut args = std::env::args().skip(1);
    let mut events_out = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--events-out" => events_out = Some(args.next().context("--events-out needs a file")?),
            "-h" | "--help" => {
                println!("usage: reach-test-pattern [--events-out FILE]");
                std::process::exit(0);
            }
            other => {
                bail!("unknown argument {other:?}; usage: reach-test-pattern [--events-out FILE]")
            }
        }
    }
    Ok(events_out)
}

fn run() -> Result<()> {
    let mut out: Box<dyn Write> = match parse_args()? {
        Some(path) => Box::new(File::create(&path).with_context(|| format!("creating {path}"))?),
        None => Box::new(std::io::stdout()),
    };
    let events = EventMask::EXPOSURE
        | EventMask::KEY_PRESS
        | EventMask::KEY_RELEASE
        | EventMask::BUTTON_PRESS
        | EventMask::BUTTON_RELEASE
        | EventMask::STRUCTURE_NOTIFY;
    let TestWindow {
        conn,
        window,
        gc,
        screen_width: width,
        screen_height: height,
    } = open_window(0, 0, None, events, &CreateGCAux::new())?;

    let mut keymap = Keymap::fetch(&conn)?;
    let mut ready = false;
    loop {
        let event = conn.wait_for_event()?;
        let line = match event {
            Event::Expose(expose) if expose.count == 0 => {
                paint(&conn, window, gc, width, height)?;
                if ready {
                    continue;
                }
                conn.set_input_focus(InputFocus::POINTER_ROOT, window, CURRENT_TIME)?;
                conn.sync()?;
                ready = true;
                json!({"event": "ready"})
            }
            Event::ButtonPress(e) => {
                button_line("button_press", e.detail, e.event_x, e.event_y, e.state)
            }
            Event::ButtonRelease(e) => {
                button_line("button_release", e.detail, e.event_x, e.event_y, e.state)
            }
            Event::KeyPress(e) => key_line("key_press", keymap.keysym(e.detail, e.state), e.state),
            Event::KeyRelease(e) => {
                key_line("key_release", keymap.keysym(e.detail, e.state), e.state)
            }
            Event::MappingNotify(notify) => {
                if notify.request == Mapping::KEYBOARD {
                    keymap = Keymap::fetch(&conn)?;
                }
                continue;
            }
            _ => continue,
        };
        writeln!(out, "{line}")?;
        out.flush()?;
    }
}

fn paint(
    conn: &RustConnection,
    window: Window,
    gc: Gcontext,
    width: u16,
    height: u16,
) -> Result<()> {
    let pixel = |(r, g, b): (u8, u8, u8)| (u32::from(r) << 16) | (u32::from(g) << 8) | u32::from(b);
    let half = height / 2;
    for (i, colour) in (0u32..).zip(PATTERN_BARS) {
        let left = u32::from(width) * i / 8;
        let right = u32::from(width) * (i + 1) / 8;
        let rect = Rectangle {
            x: i16::try_from(left)?,
            y: 0,
            width: u16::try_from(right - left)?,
            height: half,
        };
        conn.change_gc(gc, &ChangeGCAux::new().foreground(pixel(colour)))?;
        conn.poly_fill_rectangle(window, gc, &[rect])?;
    }
    let grey = Rectangle {
        x: 0,
        y: i16::try_from(half)?,
        width,
        height: height - half,
    };
    conn.change_gc(gc, &ChangeGCAux::new().foreground(pixel(PATTERN_GREY)))?;
    conn.poly_fill_rectangle(window, gc, &[grey])?;
    conn.sync()?;
    Ok(())
}

fn button_line(event: &str, button: u8, x: i16, y: i16, state: KeyButMask) -> serde_json::Value {
    json!({"event": event, "button": button, "x": x, "y": y, "state": u16::from(state)})
}

fn key_line(event: &str, keysym: Keysym, state: KeyButMask) -> serde_json::Value {
    // Keysyms 0x20..=0x7e and 0xa0..=0xff are the Latin-1 characters themselves.
    let text = match u8::try_from(keysym) {
        Ok(byte @ (0x20..=0x7e | 0xa0..=0xff)) => char::from(byte).to_string(),
        _ => String::new(),
    };
    json!({"event": event, "keysym": keysym, "text": text, "state": u16::from(state)})
}

/// The core keyboard mapping, read the way a simple Xlib client does.
struct Keymap {
    min_keycode: Keycode,
    per_keycode: usize,
    keysyms: Vec<Keysym>,
}

impl Keymap {
    fn fetch(conn: &RustConnection) -> Result<Self> {
        let setup = conn.setup();
        let (min_keycode, max_keycode) = (setup.min_keycode, setup.max_keycode);
        let count = max_keycode.saturating_sub(min_keycode).saturating_add(1);
        let reply = conn.get_keyboard_mapping(min_keycode, count)?.reply()?;
        Ok(Self {
            min_keycode,
            per_keycode: usize::from(reply.keysyms_per_keycode),
            keysyms: reply.keysyms,
        })
    }

    /// The keysym for `keycode`: the Shift level when Shift or Lock is in
    /// `state`, with a lone lowercase letter implying its uppercase form.
    fn keysym(&self, keycode: Keycode, state: KeyButMask) -> Keysym {
        let start = usize::from(keycode.saturating_sub(self.min_keycode)) * self.per_keycode;
        let at = |i: usize| {
            if i < self.per_keycode {
                self.keysyms.get(start + i).copied().unwrap_or(0)
            } else {
                0
            }
        };
        let plain = at(0);
        if !state.intersects(KeyButMask::SHIFT | KeyButMask::LOCK) {
            return plain;
        }
        match at(1) {
            0 => match plain {
                0x61..=0x7a | 0xe0..=0xf6 | 0xf8..=0xfe => plain - 0x20,
                _ => plain,
            },
            shifted => shifted,
        }
    }
}
