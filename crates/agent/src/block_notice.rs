//! What the end user sees while their keyboard and mouse are blocked: a small
//! window at the top of the screen saying so, and how to take control back
//! (Esc three times), in English and French. The technician sees it too, in
//! the captured screen.
//!
//! It draws with the X server's built-in `fixed` font (Latin-1), white on
//! black, and has an empty input region so clicks go through it to what lies
//! under. It must not take input or focus.

use x11rb::connection::Connection;
use x11rb::protocol::shape::SK;
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::{
    AtomEnum, ConnectionExt as _, CreateGCAux, CreateWindowAux, EventMask, Font, Gcontext,
    PropMode, Window, WindowClass,
};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::COPY_FROM_PARENT;

use crate::x11_worker::WorkerError;

/// The notice's lines; Latin-1 only, as the core font is.
const LINES: [&str; 2] = [
    "Your technician has blocked this keyboard and mouse. Press Esc 3 times to take back control.",
    "Votre technicien a bloqu\u{e9} ce clavier et cette souris. Appuyez 3 fois sur \u{c9}chap pour reprendre la main.",
];
/// The window's title, which tests look for.
pub const NOTICE_TITLE: &str = "Reach: input blocked";
const PADDING: u16 = 6;

pub struct BlockNotice {
    window: Window,
    gc: Gcontext,
    font: Font,
    line_height: u16,
    ascent: u16,
}

impl BlockNotice {
    /// Maps the notice at the top centre of the screen `screen_num`.
    pub fn show(conn: &RustConnection, screen_num: usize) -> Result<Self, WorkerError> {
        let screen = conn
            .setup()
            .roots
            .get(screen_num)
            .ok_or(WorkerError::NoScreen(screen_num))?;
        let (root, white, black, screen_width) = (
            screen.root,
            screen.white_pixel,
            screen.black_pixel,
            screen.width_in_pixels,
        );
        let font = conn.generate_id()?;
        conn.open_font(font, b"fixed")?.check()?;
        let metrics = conn.query_font(font)?.reply()?;
        let char_width = u16::try_from(metrics.max_bounds.character_width.max(1)).unwrap_or(6);
        let ascent = u16::try_from(metrics.font_ascent.max(0)).unwrap_or(0);
        let line_height = ascent + u16::try_from(metrics.font_descent.max(0)).unwrap_or(0);
        let longest = LINES
            .iter()
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(0);
        let width = (u16::try_from(longest).unwrap_or(u16::MAX))
            .saturating_mul(char_width)
            .saturating_add(2 * PADDING)
            .min(screen_width);
        let height = line_height
            .saturating_mul(u16::try_from(LINES.len()).unwrap_or(1))
            .saturating_add(2 * PADDING);
        let window = conn.generate_id()?;
        conn.create_window(
            0,
            window,
            root,
            i16::try_from((screen_width - width) / 2).unwrap_or(0),
            0,
            width,
            height,
            0,
            WindowClass::INPUT_OUTPUT,
            COPY_FROM_PARENT,
            &CreateWindowAux::new()
                .override_redirect(1)
                .background_pixel(black)
                .event_mask(EventMask::EXPOSURE),
        )?
        .check()?;
        conn.change_property8(
            PropMode::REPLACE,
            window,
            AtomEnum::WM_NAME,
            AtomEnum::STRING,
            NOTICE_TITLE.as_bytes(),
        )?;
        // An empty input region: clicks fall through to the windows beneath.
        let region = conn.generate_id()?;
        conn.xfixes_create_region(region, &[])?;
        conn.xfixes_set_window_shape_region(window, SK::INPUT, 0, 0, region)?;
        conn.xfixes_destroy_region(region)?;
        let gc = conn.generate_id()?;
        conn.create_gc(
            gc,
            window,
            &CreateGCAux::new()
                .foreground(white)
                .background(black)
                .font(font),
        )?;
        conn.map_window(window)?;
        conn.flush()?;
        Ok(Self {
            window,
            gc,
            font,
            line_height,
            ascent,
        })
    }

    pub fn window(&self) -> Window {
        self.window
    }

    /// Draws the text (on every Expose).
    pub fn paint(&self, conn: &RustConnection) -> Result<(), WorkerError> {
        for (row, line) in (0u16..).zip(LINES) {
            let latin1: Vec<u8> = line
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect();
            let y = PADDING + row * self.line_height + self.ascent;
            conn.image_text8(
                self.window,
                self.gc,
                i16::try_from(PADDING).unwrap_or(0),
                i16::try_from(y).unwrap_or(0),
                &latin1,
            )?;
        }
        conn.flush()?;
        Ok(())
    }

    pub fn hide(self, conn: &RustConnection) -> Result<(), WorkerError> {
        conn.destroy_window(self.window)?;
        conn.free_gc(self.gc)?;
        conn.close_font(self.font)?;
        Ok(())
    }
}
