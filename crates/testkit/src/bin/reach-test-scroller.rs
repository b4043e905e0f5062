//! `reach-test-scroller X Y WIDTH HEIGHT STEP`: an X client for tests of scroll
//! handling. It shows a "page" in a window at (X, Y) of WIDTH×HEIGHT: page line
//! `n` is a one-pixel row of the colour [`line_rgb`] gives (every row different,
//! as the lines of a real page are). It scrolls the page down by STEP lines on
//! each key press (X `CopyArea`, then the new lines at the bottom, as terminals
//! and browsers do) and prints `{"event":"scrolled","top":N}` with the page line
//! now at the top; `{"event":"ready","top":0}` once first painted and focused.
//!
//! Line colours: `rgb((n * 7) % 256, (n / 256 * 40 + 30) % 256, (n * 3 + 100) % 256)`
//! for page line `n` (unique for n < 256·6).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Result};
use reach_testkit::xclient::{main_with, numeric_args, open_window, TestWindow};
use serde_json::json;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ChangeGCAux, ConnectionExt as _, CreateGCAux, EventMask, Gcontext, InputFocus, Rectangle,
    Window,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::CURRENT_TIME;

fn main() -> ExitCode {
    main_with("reach-test-scroller", run)
}

/// The colour of page line `n`.
fn line_rgb(n: u32) -> u32 {
    let r = (n * 7) % 256;
    let g = (n / 256 * 40 + 30) % 256;
    let b = (n * 3 + 100) % 256;
    (r << 16) | (g << 8) | b
}

fn run() -> Result<()> {
    let [x, y, width, height, step] = numeric_args("reach-test-scroller X Y WIDTH HEIGHT STEP")?;
    let (x, y) = (i16::try_from(x)?, i16::try_from(y)?);
    let (width, height, step) = (
        u16::try_from(width)?,
        u16::try_from(height)?,
        u16::try_from(step)?,
    );
    if step == 0 || step >= height {
        bail!("STEP must be between 1 and HEIGHT - 1");
    }
    let TestWindow {
        conn, window, gc, ..
    } = open_window(
        x,
        y,
        Some((width, height)),
        EventMask::EXPOSURE | EventMask::KEY_PRESS,
        &CreateGCAux::new().graphics_exposures(0),
    )?;
    let mut top = 0u32;
    let mut ready = false;
    let mut out = std::io::stdout();
    loop {
        let line = match conn.wait_for_event()? {
            Event::Expose(expose) if expose.count == 0 => {
                paint_lines(&conn, window, gc, width, top, 0, height)?;
                if ready {
                    continue;
                }
                conn.set_input_focus(InputFocus::POINTER_ROOT, window, CURRENT_TIME)?;
                conn.sync()?;
                ready = true;
                json!({"event": "ready", "top": top})
            }
            Event::KeyPress(_) => {
                top += u32::from(step);
                let kept = height - step;
                conn.copy_area(
                    window,
                    window,
                    gc,
                    0,
                    i16::try_from(step)?,
                    0,
                    0,
                    width,
                    kept,
                )?;
                paint_lines(&conn, window, gc, width, top, kept, step)?;
                conn.sync()?;
                json!({"event": "scrolled", "top": top})
            }
            _ => continue,
        };
        writeln!(out, "{line}")?;
        out.flush()?;
    }
}

/// Paints `count` window rows from row `from`, showing page lines from `top + from`.
fn paint_lines(
    conn: &RustConnection,
    window: Window,
    gc: Gcontext,
    width: u16,
    top: u32,
    from: u16,
    count: u16,
) -> Result<()> {
    for row in from..from + count {
        conn.change_gc(
            gc,
            &ChangeGCAux::new().foreground(line_rgb(top + u32::from(row))),
        )?;
        let rect = Rectangle {
            x: 0,
            y: i16::try_from(row)?,
            width,
            height: 1,
        };
        conn.poly_fill_rectangle(window, gc, &[rect])?;
    }
    Ok(())
}
