//! What the test X clients (`reach-test-pattern`, `reach-test-scroller`, the
//! latency benchmark's) share: connecting to the display and creating their
//! override-redirect window. No
//! window manager runs under Xvfb, and none may move or decorate the window if
//! one does.

use anyhow::{Context, Result};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, Gcontext, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::{COPY_DEPTH_FROM_PARENT, COPY_FROM_PARENT};

/// A mapped test window with its graphics context.
pub struct TestWindow {
    pub conn: RustConnection,
    pub window: Window,
    pub gc: Gcontext,
    /// The root window's size.
    pub screen_width: u16,
    pub screen_height: u16,
}

/// Connects to `$DISPLAY` and maps an override-redirect window at (`x`, `y`),
/// `width`×`height` (`None`: the whole screen), listening to `events`.
pub fn open_window(
    x: i16,
    y: i16,
    size: Option<(u16, u16)>,
    events: EventMask,
    gc_values: &CreateGCAux,
) -> Result<TestWindow> {
    open_window_on(
        None,
        x,
        y,
        size,
        CreateWindowAux::new().event_mask(events),
        gc_values,
    )
}

/// Like [`open_window`], on `display` (`None`: `$DISPLAY`) and with the
/// window attributes of `attributes` (override-redirect is always added).
pub fn open_window_on(
    display: Option<&str>,
    x: i16,
    y: i16,
    size: Option<(u16, u16)>,
    attributes: CreateWindowAux,
    gc_values: &CreateGCAux,
) -> Result<TestWindow> {
    let (conn, screen_num) = x11rb::connect(display)
        .with_context(|| format!("connecting to {}", display.unwrap_or("$DISPLAY")))?;
    let screen = conn
        .setup()
        .roots
        .get(screen_num)
        .context("the display has no default screen")?;
    let (root, screen_width, screen_height) =
        (screen.root, screen.width_in_pixels, screen.height_in_pixels);
    let (width, height) = size.unwrap_or((screen_width, screen_height));
    let window = conn.generate_id()?;
    conn.create_window(
        COPY_DEPTH_FROM_PARENT,
        window,
        root,
        x,
        y,
        width,
        height,
        0,
        WindowClass::INPUT_OUTPUT,
        COPY_FROM_PARENT,
        &attributes.override_redirect(1),
    )?;
    let gc = conn.generate_id()?;
    conn.create_gc(gc, window, gc_values)?;
    conn.map_window(window)?;
    conn.flush()?;
    Ok(TestWindow {
        conn,
        window,
        gc,
        screen_width,
        screen_height,
    })
}

/// The command line's arguments as numbers, exactly `N` of them, or `usage`.
pub fn numeric_args<const N: usize>(usage: &str) -> Result<[u32; N]> {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .map(|arg| {
            arg.parse()
                .with_context(|| format!("{arg:?} is not a number"))
        })
        .collect::<Result<_>>()?;
    args.try_into()
        .map_err(|_| anyhow::anyhow!("usage: {usage}"))
}

/// Runs a test client's `run`, printing its error under `name` and exiting 1.
pub fn main_with(name: &str, run: impl FnOnce() -> Result<()>) -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{name}: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
