//! `reach-test-noise X Y WIDTH HEIGHT`: an X client for tests of a screen that
//! never stops changing (video, animations). It shows a window at (X, Y) of
//! WIDTH×HEIGHT and repaints it with fresh pseudo-random pixels about 30 times a
//! second until killed; `{"event":"ready"}` once it first painted. Noise does not
//! compress, so it is the worst case for the stream's byte budget.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use reach_testkit::xclient::{main_with, numeric_args, open_window, TestWindow};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt as _, CreateGCAux, EventMask, ImageFormat};
use x11rb::wrapper::ConnectionExt as _;

/// PutImage requests stay below the core request limit (256 KiB) without
/// BIG-REQUESTS: the window is painted in bands of at most this many bytes.
const MAX_BAND_BYTES: usize = 200 * 1024;

fn main() -> ExitCode {
    main_with("reach-test-noise", run)
}

fn run() -> Result<()> {
    let [x, y, width, height] = numeric_args("reach-test-noise X Y WIDTH HEIGHT")?;
    let (x, y) = (i16::try_from(x)?, i16::try_from(y)?);
    let (width, height) = (u16::try_from(width)?, u16::try_from(height)?);
    if width == 0 || height == 0 {
        bail!("WIDTH and HEIGHT must be at least 1");
    }
    let TestWindow {
        conn, window, gc, ..
    } = open_window(
        x,
        y,
        Some((width, height)),
        EventMask::NO_EVENT,
        &CreateGCAux::new(),
    )?;
    let depth = conn
        .setup()
        .roots
        .first()
        .map(|screen| screen.root_depth)
        .context("the display has no screen")?;
    let row_bytes = usize::from(width) * 4;
    let band_rows = u16::try_from((MAX_BAND_BYTES / row_bytes).max(1)).unwrap_or(u16::MAX);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut pixels = vec![0u8; row_bytes * usize::from(band_rows)];
    let mut ready = false;
    loop {
        let mut top = 0u16;
        while top < height {
            let rows = band_rows.min(height - top);
            let band = &mut pixels[..row_bytes * usize::from(rows)];
            for chunk in band.chunks_mut(8) {
                // xorshift64: fast, and every frame differs.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
            }
            let top_i16 = i16::try_from(top)?;
            conn.put_image(
                ImageFormat::Z_PIXMAP,
                window,
                gc,
                width,
                rows,
                0,
                top_i16,
                0,
                depth,
                band,
            )?;
            top += rows;
        }
        conn.sync()?;
        if !ready {
            ready = true;
            let mut out = std::io::stdout();
            writeln!(out, "{{\"event\":\"ready\"}}")?;
            out.flush()?;
        }
        std::thread::sleep(Duration::from_millis(33));
    }
}
